"""The VNPay 2.1 protocol (cổng thanh toán VNPay): pure functions, no Django, no network.

- Payment request (redirect): the `vnp_*` parameters sorted by key, each `key=quote_plus(value)`, joined by `&`;
  HMAC-SHA512 of that string with the merchant's secret is `vnp_SecureHash` (hex).
- Return and IPN: the gateway sends back `vnp_*` parameters signed the same way (all `vnp_*` but vnp_SecureHash
  and vnp_SecureHashType).
- querydr (transaction query, for reconciliation): a JSON POST whose checksum is HMAC-SHA512 of fixed fields
  joined by `|`, and a JSON answer signed the same way with its own field list.

Dates are `yyyyMMddHHmmss` in GMT+7.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import quote_plus

VERSION = "2.1.0"
GMT7 = dt.timezone(dt.timedelta(hours=7))
DATE_FORMAT = "%Y%m%d%H%M%S"
UNSIGNED = ("vnp_SecureHash", "vnp_SecureHashType")

# The merchant's answers to an IPN.
IPN_CONFIRMED = ("00", "Confirm Success")
IPN_ORDER_NOT_FOUND = ("01", "Order not found")
IPN_ALREADY_CONFIRMED = ("02", "Order already confirmed")
IPN_INVALID_AMOUNT = ("04", "Invalid amount")
IPN_INVALID_SIGNATURE = ("97", "Invalid signature")
IPN_UNKNOWN_ERROR = ("99", "Unknown error")

# vnp_ResponseCode / vnp_TransactionStatus "00" = paid; anything else is a failed or unfinished payment.
SUCCESS = "00"
CUSTOMER_CANCELLED = "24"

QUERYDR_REQUEST_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                          "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
QUERYDR_RESPONSE_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                           "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                           "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                           "vnp_PromotionAmount")
# querydr's vnp_ResponseCode: the query itself (not the payment).
QUERY_OK = "00"
QUERY_NOT_FOUND = "91"


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def canonical(params: dict) -> str:
    """The signed string: `vnp_*` parameters except the hash, sorted by key, values quote_plus-encoded; empty
    values are left out (VNPay's reference code skips them)."""
    items = sorted((k, str(v)) for k, v in params.items()
                   if k.startswith("vnp_") and k not in UNSIGNED and v is not None and str(v) != "")
    return "&".join(f"{key}={quote_plus(value)}" for key, value in items)


def sign(params: dict, secret: str) -> str:
    return hmac_sha512(secret, canonical(params))


def signed_query(params: dict, secret: str) -> str:
    """The full query string of a signed request: the canonical string plus `vnp_SecureHash`."""
    return f"{canonical(params)}&vnp_SecureHash={sign(params, secret)}"


def verify(params: dict, secret: str) -> bool:
    """True when `vnp_SecureHash` is the signature of the other `vnp_*` parameters (constant-time compare)."""
    given = str(params.get("vnp_SecureHash") or "")
    if not given or not secret:
        return False
    return hmac.compare_digest(given.lower(), sign(params, secret))


def pipe_checksum(values: dict, fields: tuple[str, ...], secret: str) -> str:
    return hmac_sha512(secret, "|".join(str(values.get(name, "") or "") for name in fields))


def format_time(moment: dt.datetime) -> str:
    """An aware datetime → `yyyyMMddHHmmss` in GMT+7."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_time(value: str) -> dt.datetime | None:
    """`yyyyMMddHHmmss` (GMT+7) → an aware datetime, or None when malformed."""
    try:
        return dt.datetime.strptime(str(value or ""), DATE_FORMAT).replace(tzinfo=GMT7)
    except ValueError:
        return None


def amount_field(amount_vnd: int) -> str:
    """VNPay carries amounts ×100 (no decimal point)."""
    return str(int(amount_vnd) * 100)


def parse_amount(value) -> int | None:
    """`vnp_Amount` → dong, or None when it is not a whole multiple of 100 (VND has no subunit)."""
    text = str(value or "")
    if not text.isdigit() or len(text) > 20:
        return None
    raw = int(text)
    return raw // 100 if raw % 100 == 0 else None


def ascii_order_info(text: str, limit: int = 255) -> str:
    """vnp_OrderInfo must be Vietnamese without diacritics and without special characters."""
    import unicodedata

    text = (text or "").replace("đ", "d").replace("Đ", "D")
    plain = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    kept = "".join(ch if (ch.isascii() and (ch.isalnum() or ch in " .-_:/")) else " " for ch in plain)
    return " ".join(kept.split())[:limit]
