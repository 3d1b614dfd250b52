"""The gateway simulator: a small WSGI app (stdlib only) that speaks the VNPay 2.1 protocol.

Routes
- GET  /paymentv2/vpcpay.html?<signed request>  the payment page (400 on a bad signature or request)
- POST /paymentv2/confirm                        "Pay" or "Cancel": sends the signed IPN to --ipn-url (twice when
                                                 the switch is on), then redirects to vnp_ReturnUrl with the signed
                                                 result
- POST /merchant_webapi/api/transaction          querydr (JSON in, signed JSON out)
- GET  /_sim/transactions                        what the simulator holds, with every IPN sent and its answer
- POST /_sim/config                              {"ipn_twice": bool, "ipn_enabled": bool} (switches for tests)
- GET  /_sim/health                              "ok"

The signing code here is written independently of congso.payments.vnpay on purpose: the tests check that the two
agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import html
import itertools
import json
import secrets
import socketserver
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

GMT7 = dt.timezone(dt.timedelta(hours=7))
QUERY_FIELDS = ["vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
                "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo"]
ANSWER_FIELDS = ["vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
                 "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
                 "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount"]
REQUIRED = ["vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_Amount", "vnp_CurrCode", "vnp_TxnRef", "vnp_OrderInfo",
            "vnp_ReturnUrl", "vnp_IpAddr", "vnp_CreateDate", "vnp_Locale"]


def _hmac(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def _hash_data(params: dict) -> str:
    pairs = []
    for key in sorted(params):
        if not key.startswith("vnp_") or key in ("vnp_SecureHash", "vnp_SecureHashType") or params[key] in ("", None):
            continue
        pairs.append(key + "=" + urllib.parse.quote_plus(str(params[key])))
    return "&".join(pairs)


def _now7() -> str:
    return dt.datetime.now(GMT7).strftime("%Y%m%d%H%M%S")


class Gateway:
    """The simulator's state: transactions by TxnRef, open payment pages by token, switches."""

    def __init__(self, secret: str, ipn_url: str, tmn_code: str = "", ipn_twice: bool = False,
                 ipn_enabled: bool = True):
        self.secret = secret
        self.ipn_url = ipn_url
        self.tmn_code = tmn_code
        self.ipn_twice = ipn_twice
        self.ipn_enabled = ipn_enabled
        self.transactions: dict[str, dict] = {}
        self.pages: dict[str, str] = {}
        self.lock = threading.Lock()
        self.numbers = itertools.count(14_000_001)

    # --- WSGI ------------------------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            if path == "/paymentv2/vpcpay.html" and method == "GET":
                status, headers, body = self.payment_page(urllib.parse.parse_qs(environ.get("QUERY_STRING", "")))
            elif path == "/paymentv2/confirm" and method == "POST":
                status, headers, body = self.confirm(_form(environ))
            elif path == "/merchant_webapi/api/transaction" and method == "POST":
                status, headers, body = self.querydr(_read(environ))
            elif path == "/_sim/transactions" and method == "GET":
                with self.lock:
                    status, headers, body = _json(200, {"transactions": list(self.transactions.values())})
            elif path == "/_sim/config" and method == "POST":
                status, headers, body = self.configure(_read(environ))
            elif path == "/_sim/health":
                status, headers, body = "200 OK", [("Content-Type", "text/plain")], b"ok"
            else:
                status, headers, body = "404 Not Found", [("Content-Type", "text/plain")], b"not found"
        except Exception as exc:  # noqa: BLE001 - a simulator answers 500 instead of dying
            status, headers, body = "500 Internal Server Error", [("Content-Type", "text/plain")], repr(exc).encode()
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]

    # --- payment page ------------------------------------------------------------------------------------------------
    def payment_page(self, query: dict):
        params = {key: values[0] for key, values in query.items() if values}
        problem = self.check_request(params)
        if problem:
            return _page(400, "Giao dịch không hợp lệ", f"<p class='error' id='error'>{html.escape(problem)}</p>")
        ref = params["vnp_TxnRef"]
        with self.lock:
            known = self.transactions.get(ref)
            if known and known["status"] != "pending":
                return _page(400, "Giao dịch đã tồn tại", "<p class='error' id='error'>Giao dịch đã tồn tại</p>")
            if known is None:
                self.transactions[ref] = known = {
                    "txn_ref": ref, "amount": int(params["vnp_Amount"]), "status": "pending",
                    "order_info": params["vnp_OrderInfo"], "tmn_code": params["vnp_TmnCode"],
                    "return_url": params["vnp_ReturnUrl"], "create_date": params["vnp_CreateDate"],
                    "transaction_no": "", "pay_date": "", "bank_code": "", "response_code": "", "ipn": [],
                }
            token = secrets.token_urlsafe(16)
            self.pages[token] = ref
        amount = f"{int(params['vnp_Amount']) // 100:,}".replace(",", ".")
        body = (
            f"<dl><dt>Mã giao dịch</dt><dd id='txn-ref'>{html.escape(ref)}</dd>"
            f"<dt>Nội dung</dt><dd id='order-info'>{html.escape(params['vnp_OrderInfo'])}</dd>"
            f"<dt>Số tiền</dt><dd id='amount'>{amount} VND</dd></dl>"
            "<form method='post' action='/paymentv2/confirm'>"
            f"<input type='hidden' name='token' value='{html.escape(token)}'>"
            "<button type='submit' name='action' value='pay' id='pay'>Thanh toán (Pay)</button> "
            "<button type='submit' name='action' value='cancel' id='cancel'>Hủy (Cancel)</button></form>"
        )
        return _page(200, "Cổng thanh toán mô phỏng", body)

    def check_request(self, params: dict) -> str:
        missing = [name for name in REQUIRED if not params.get(name)]
        if missing:
            return "Thiếu tham số: " + ", ".join(missing)
        given = params.get("vnp_SecureHash", "")
        if not hmac.compare_digest(given.lower(), _hmac(self.secret, _hash_data(params))):
            return "Sai chữ ký (invalid signature)"
        if params["vnp_Version"] != "2.1.0" or params["vnp_Command"] != "pay" or params["vnp_CurrCode"] != "VND":
            return "Phiên bản, lệnh hoặc loại tiền không hỗ trợ"
        if self.tmn_code and params["vnp_TmnCode"] != self.tmn_code:
            return "Mã website không đúng"
        if not params["vnp_Amount"].isdigit() or int(params["vnp_Amount"]) <= 0 or int(params["vnp_Amount"]) % 100:
            return "Số tiền không hợp lệ"
        expire = params.get("vnp_ExpireDate", "")
        if expire and expire < _now7():
            return "Giao dịch đã quá thời gian chờ thanh toán"
        return ""

    def confirm(self, form: dict):
        token, action = form.get("token", ""), form.get("action", "")
        with self.lock:
            ref = self.pages.pop(token, None)
            txn = self.transactions.get(ref) if ref else None
            if txn is None or txn["status"] != "pending" or action not in ("pay", "cancel"):
                return _page(400, "Giao dịch không hợp lệ", "<p class='error' id='error'>Phiên thanh toán không hợp lệ</p>")
            paid = action == "pay"
            txn.update(status="paid" if paid else "cancelled", transaction_no=str(next(self.numbers)),
                       pay_date=_now7(), bank_code="NCB" if paid else "VNPAY", response_code="00" if paid else "24")
            result = self.result_params(txn)
        if self.ipn_enabled:
            for _ in range(2 if self.ipn_twice else 1):
                self.send_ipn(txn, result)
        separator = "&" if "?" in txn["return_url"] else "?"
        location = txn["return_url"] + separator + self.signed(result)
        return "302 Found", [("Location", location), ("Content-Type", "text/plain")], b""

    def result_params(self, txn: dict) -> dict:
        paid = txn["status"] == "paid"
        return {
            "vnp_Amount": str(txn["amount"]), "vnp_BankCode": txn["bank_code"],
            "vnp_BankTranNo": f"VNP{txn['transaction_no']}" if paid else "", "vnp_CardType": "ATM" if paid else "",
            "vnp_OrderInfo": txn["order_info"], "vnp_PayDate": txn["pay_date"],
            "vnp_ResponseCode": txn["response_code"], "vnp_TmnCode": txn["tmn_code"],
            "vnp_TransactionNo": txn["transaction_no"] if paid else "0",
            "vnp_TransactionStatus": "00" if paid else "02", "vnp_TxnRef": txn["txn_ref"],
        }

    def signed(self, params: dict) -> str:
        data = _hash_data(params)
        return data + "&vnp_SecureHash=" + _hmac(self.secret, data)

    def send_ipn(self, txn: dict, result: dict) -> None:
        url = self.ipn_url + ("&" if "?" in self.ipn_url else "?") + self.signed(result)
        record = {"at": _now7()}
        try:
            with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - a configured http(s) URL
                record.update(status=response.status, body=response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            record.update(status=exc.code, body=exc.read().decode("utf-8", "replace"))
        except OSError as exc:
            record.update(status=0, body=f"{type(exc).__name__}: {exc}")
        with self.lock:
            txn["ipn"].append(record)

    # --- querydr -------------------------------------------------------------------------------------------------
    def querydr(self, raw: bytes):
        try:
            request = json.loads(raw or b"{}")
            assert isinstance(request, dict)
        except (ValueError, AssertionError):
            return _json(400, {"vnp_ResponseCode": "03", "vnp_Message": "Invalid request format"})
        answer = {"vnp_ResponseId": secrets.token_hex(8), "vnp_Command": "querydr",
                  "vnp_TmnCode": str(request.get("vnp_TmnCode", "")), "vnp_TxnRef": str(request.get("vnp_TxnRef", ""))}
        expected = _hmac(self.secret, "|".join(str(request.get(name, "") or "") for name in QUERY_FIELDS))
        if not hmac.compare_digest(str(request.get("vnp_SecureHash", "")).lower(), expected):
            answer.update(vnp_ResponseCode="97", vnp_Message="Invalid Checksum")
        elif request.get("vnp_Command") != "querydr":
            answer.update(vnp_ResponseCode="02", vnp_Message="Invalid command")
        else:
            with self.lock:
                txn = dict(self.transactions.get(answer["vnp_TxnRef"]) or {})
            if not txn or (self.tmn_code and answer["vnp_TmnCode"] != self.tmn_code):
                answer.update(vnp_ResponseCode="91", vnp_Message="Transaction not found")
            else:
                status = {"paid": "00", "cancelled": "02"}.get(txn["status"], "01")
                answer.update(
                    vnp_ResponseCode="00", vnp_Message="QueryDR Success", vnp_Amount=str(txn["amount"]),
                    vnp_BankCode=txn["bank_code"], vnp_PayDate=txn["pay_date"],
                    vnp_TransactionNo=txn["transaction_no"] or "0", vnp_TransactionType="01",
                    vnp_TransactionStatus=status, vnp_OrderInfo=txn["order_info"], vnp_PromotionCode="",
                    vnp_PromotionAmount="",
                )
        answer["vnp_SecureHash"] = _hmac(self.secret, "|".join(str(answer.get(n, "") or "") for n in ANSWER_FIELDS))
        return _json(200, answer)

    def configure(self, raw: bytes):
        try:
            changes = json.loads(raw or b"{}")
        except ValueError:
            return _json(400, {"error": "invalid JSON"})
        with self.lock:
            for name in ("ipn_twice", "ipn_enabled"):
                if name in changes:
                    setattr(self, name, bool(changes[name]))
            return _json(200, {"ipn_twice": self.ipn_twice, "ipn_enabled": self.ipn_enabled})


def _read(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(min(length, 1_000_000)) if length > 0 else b""


def _form(environ) -> dict:
    return {k: v[0] for k, v in urllib.parse.parse_qs(_read(environ).decode("utf-8", "replace")).items()}


def _json(code: int, data) -> tuple:
    reason = {200: "OK", 400: "Bad Request"}.get(code, "OK")
    return f"{code} {reason}", [("Content-Type", "application/json")], json.dumps(data, ensure_ascii=False).encode()


def _page(code: int, title: str, body: str) -> tuple:
    reason = {200: "OK", 400: "Bad Request"}[code]
    document = (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"<p><small>Mô phỏng cổng thanh toán VNPay 2.1 — không trừ tiền thật.</small></p>{body}</body></html>"
    )
    return f"{code} {reason}", [("Content-Type", "text/html; charset=utf-8")], document.encode()


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        sys.stderr.write("simulator: " + (format % args) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m congso.payments.simulator",
                                     description="A local VNPay 2.1 gateway simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port (printed on the first line)")
    parser.add_argument("--secret", required=True, help="the merchant's hash secret (vnp_HashSecret)")
    parser.add_argument("--ipn-url", required=True, help="the merchant's IPN URL")
    parser.add_argument("--tmn-code", default="", help="accept only this vnp_TmnCode (default: any)")
    parser.add_argument("--ipn-twice", action="store_true", help="send every IPN twice")
    parser.add_argument("--no-ipn", action="store_true", help="never send the IPN (reconciliation tests)")
    args = parser.parse_args(argv)
    gateway = Gateway(args.secret, args.ipn_url, args.tmn_code, ipn_twice=args.ipn_twice,
                      ipn_enabled=not args.no_ipn)
    server = make_server(args.host, args.port, gateway, server_class=_ThreadingServer, handler_class=_QuietHandler)
    print(f"listening on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
