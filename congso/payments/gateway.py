"""The adapter to a payment gateway speaking VNPay 2.1 (house rule 7: an interface, a real HTTP client, a simulator).

Configured by the CONGSO_VNPAY_* settings. Only this module knows the wire format; services see `GatewayResult`.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from congso.payments import vnpay


class GatewayError(Exception):
    """The gateway could not be asked, or answered something unusable (try again later)."""


@dataclass(frozen=True)
class GatewayResult:
    """What the gateway says about one transaction (from a verified IPN, return or querydr answer)."""

    txn_ref: str
    amount: int | None  # dong; None when the amount field was malformed
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    pay_date: dt.datetime | None
    found: bool = True

    @property
    def paid(self) -> bool:
        return self.found and self.transaction_status == vnpay.SUCCESS and self.response_code in (vnpay.SUCCESS, "")

    @property
    def failed(self) -> bool:
        """Definitely not paid (cancelled, refused, error); "01" (not finished) and "05" (processing) are open."""
        return self.found and not self.paid and self.transaction_status not in ("", "01", "05")


class VnpayGateway:
    name = "vnpay"

    def __init__(self, *, url: str, api_url: str, tmn_code: str, secret: str, order_type: str = "other",
                 timeout: int = 15):
        self.url, self.api_url, self.tmn_code, self.secret = url, api_url, tmn_code, secret
        self.order_type, self.timeout = order_type, timeout

    @classmethod
    def from_settings(cls) -> VnpayGateway:
        return cls(url=settings.CONGSO_VNPAY_URL, api_url=settings.CONGSO_VNPAY_API_URL,
                   tmn_code=settings.CONGSO_VNPAY_TMN_CODE, secret=settings.CONGSO_VNPAY_HASH_SECRET,
                   order_type=settings.CONGSO_VNPAY_ORDER_TYPE, timeout=settings.CONGSO_VNPAY_TIMEOUT)

    @property
    def configured(self) -> bool:
        return bool(self.url and self.tmn_code and self.secret)

    def request_params(self, *, txn_ref: str, amount: int, order_info: str, created: dt.datetime,
                       expires: dt.datetime, ip: str, return_url: str, locale: str = "vn") -> dict:
        return {
            "vnp_Version": vnpay.VERSION, "vnp_Command": "pay", "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": vnpay.amount_field(amount), "vnp_CurrCode": "VND", "vnp_TxnRef": txn_ref,
            "vnp_OrderInfo": vnpay.ascii_order_info(order_info), "vnp_OrderType": self.order_type,
            "vnp_Locale": locale, "vnp_ReturnUrl": return_url, "vnp_IpAddr": ip or "127.0.0.1",
            "vnp_CreateDate": vnpay.format_time(created), "vnp_ExpireDate": vnpay.format_time(expires),
        }

    def payment_url(self, params: dict) -> str:
        separator = "&" if "?" in self.url else "?"
        return self.url + separator + vnpay.signed_query(params, self.secret)

    def verify(self, params: dict) -> bool:
        return vnpay.verify(params, self.secret)

    @staticmethod
    def parse(params: dict) -> GatewayResult:
        """The facts of a return or IPN (call `verify` first)."""
        return GatewayResult(
            txn_ref=str(params.get("vnp_TxnRef", ""))[:32], amount=vnpay.parse_amount(params.get("vnp_Amount")),
            response_code=str(params.get("vnp_ResponseCode", ""))[:8],
            transaction_status=str(params.get("vnp_TransactionStatus", ""))[:8],
            transaction_no=str(params.get("vnp_TransactionNo", ""))[:32],
            bank_code=str(params.get("vnp_BankCode", ""))[:32], pay_date=vnpay.parse_time(params.get("vnp_PayDate")),
        )

    def query(self, *, txn_ref: str, order_info: str, transaction_date: str, ip: str = "127.0.0.1",
              now: dt.datetime | None = None) -> tuple[GatewayResult, dict]:
        """querydr: the gateway's view of one transaction. Returns the result and the raw answer; raises
        GatewayError when the gateway cannot be reached or its answer is not signed correctly."""
        now = now or dt.datetime.now(dt.UTC)
        body = {
            "vnp_RequestId": secrets.token_hex(16), "vnp_Version": vnpay.VERSION, "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code, "vnp_TxnRef": txn_ref, "vnp_OrderInfo": vnpay.ascii_order_info(order_info),
            "vnp_TransactionDate": transaction_date, "vnp_CreateDate": vnpay.format_time(now),
            "vnp_IpAddr": ip or "127.0.0.1",
        }
        body["vnp_SecureHash"] = vnpay.pipe_checksum(body, vnpay.QUERYDR_REQUEST_FIELDS, self.secret)
        request = urllib.request.Request(self.api_url, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                raw = response.read(1_000_000)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise GatewayError(f"querydr {txn_ref}: {type(exc).__name__}: {exc}") from exc
        try:
            answer = json.loads(raw)
            assert isinstance(answer, dict)
        except (ValueError, AssertionError):
            raise GatewayError(f"querydr {txn_ref}: the answer is not a JSON object") from None
        expected = vnpay.pipe_checksum(answer, vnpay.QUERYDR_RESPONSE_FIELDS, self.secret)
        if not secrets.compare_digest(str(answer.get("vnp_SecureHash", "")).lower(), expected):
            raise GatewayError(f"querydr {txn_ref}: the answer's checksum is wrong")
        code = str(answer.get("vnp_ResponseCode", ""))
        if code == vnpay.QUERY_NOT_FOUND:
            return GatewayResult(txn_ref, None, "", "", "", "", None, found=False), answer
        if code != vnpay.QUERY_OK:
            raise GatewayError(f"querydr {txn_ref}: gateway answered {code} {answer.get('vnp_Message', '')}")
        if str(answer.get("vnp_TxnRef", "")) != txn_ref:
            raise GatewayError(f"querydr {txn_ref}: the answer is about another transaction")
        result = GatewayResult(
            txn_ref=txn_ref, amount=vnpay.parse_amount(answer.get("vnp_Amount")), response_code="",
            transaction_status=str(answer.get("vnp_TransactionStatus", ""))[:8],
            transaction_no=str(answer.get("vnp_TransactionNo", ""))[:32],
            bank_code=str(answer.get("vnp_BankCode", ""))[:32], pay_date=vnpay.parse_time(answer.get("vnp_PayDate")),
        )
        return result, answer


def get_gateway() -> VnpayGateway:
    return VnpayGateway.from_settings()
