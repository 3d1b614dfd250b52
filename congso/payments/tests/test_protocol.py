"""The VNPay 2.1 signing, checked against vectors built by hand (not with the code under test)."""

import datetime as dt
import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from congso.payments import vnpay
from congso.payments.gateway import VnpayGateway

SECRET = "SECRETKEYFORTESTS"


def test_signature_matches_a_string_built_by_hand():
    params = {
        "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "CONGSO01", "vnp_Amount": "5000000",
        "vnp_CurrCode": "VND", "vnp_TxnRef": "250120ABCDEF0123", "vnp_OrderInfo": "Thanh toan ho so 1/2 & phi",
        "vnp_OrderType": "other", "vnp_Locale": "vn", "vnp_ReturnUrl": "http://127.0.0.1:8000/thanh-toan/ket-qua",
        "vnp_IpAddr": "10.0.0.1", "vnp_CreateDate": "20250120090000",
    }
    # Sorted by key, values quote_plus-encoded: spaces become +, "/" %2F, "&" %26, ":" %3A.
    by_hand = (
        "vnp_Amount=5000000&vnp_Command=pay&vnp_CreateDate=20250120090000&vnp_CurrCode=VND&vnp_IpAddr=10.0.0.1"
        "&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+ho+so+1%2F2+%26+phi&vnp_OrderType=other"
        "&vnp_ReturnUrl=http%3A%2F%2F127.0.0.1%3A8000%2Fthanh-toan%2Fket-qua&vnp_TmnCode=CONGSO01"
        "&vnp_TxnRef=250120ABCDEF0123&vnp_Version=2.1.0"
    )
    expected = hmac.new(SECRET.encode(), by_hand.encode(), hashlib.sha512).hexdigest()
    assert vnpay.canonical(params) == by_hand
    assert vnpay.sign(params, SECRET) == expected
    assert len(expected) == 128
    assert vnpay.signed_query(params, SECRET) == f"{by_hand}&vnp_SecureHash={expected}"
    assert vnpay.verify({**params, "vnp_SecureHash": expected}, SECRET)
    assert vnpay.verify({**params, "vnp_SecureHash": expected.upper()}, SECRET)  # hex case does not matter


def test_hash_fields_and_foreign_keys_are_not_signed():
    params = {"vnp_Amount": "100", "vnp_TxnRef": "A"}
    signature = vnpay.sign(params, SECRET)
    noisy = {**params, "vnp_SecureHash": signature, "vnp_SecureHashType": "HmacSHA512", "utm_source": "x"}
    assert vnpay.verify(noisy, SECRET)


def test_tampering_or_a_wrong_secret_fails():
    params = {"vnp_Amount": "5000000", "vnp_TxnRef": "A1", "vnp_ResponseCode": "00"}
    signed = {**params, "vnp_SecureHash": vnpay.sign(params, SECRET)}
    assert not vnpay.verify({**signed, "vnp_Amount": "500"}, SECRET)
    assert not vnpay.verify({**signed, "vnp_ResponseCode": "24"}, SECRET)
    assert not vnpay.verify(signed, "another secret")
    assert not vnpay.verify({**params, "vnp_SecureHash": ""}, SECRET)
    assert not vnpay.verify(params, SECRET)
    assert not vnpay.verify(signed, "")


@given(st.dictionaries(st.sampled_from(["vnp_Amount", "vnp_TxnRef", "vnp_OrderInfo", "vnp_BankCode", "vnp_PayDate"]),
                       st.text(min_size=1, max_size=30)), st.text(min_size=1, max_size=10))
def test_any_signed_message_verifies_and_any_changed_value_does_not(params, extra):
    signed = {**params, "vnp_SecureHash": vnpay.sign(params, SECRET)}
    assert vnpay.verify(signed, SECRET)
    for key in params:
        changed = {**signed, key: params[key] + extra}
        assert not vnpay.verify(changed, SECRET)


def test_querydr_checksum_is_the_pipe_joined_fields():
    body = {"vnp_RequestId": "R1", "vnp_Version": "2.1.0", "vnp_Command": "querydr", "vnp_TmnCode": "T",
            "vnp_TxnRef": "X", "vnp_TransactionDate": "20250120090000", "vnp_CreateDate": "20250120100000",
            "vnp_IpAddr": "127.0.0.1", "vnp_OrderInfo": "Q"}
    by_hand = "R1|2.1.0|querydr|T|X|20250120090000|20250120100000|127.0.0.1|Q"
    expected = hmac.new(SECRET.encode(), by_hand.encode(), hashlib.sha512).hexdigest()
    assert vnpay.pipe_checksum(body, vnpay.QUERYDR_REQUEST_FIELDS, SECRET) == expected


def test_times_are_gmt7_and_amounts_times_100():
    moment = dt.datetime(2025, 1, 20, 2, 0, tzinfo=dt.UTC)
    assert vnpay.format_time(moment) == "20250120090000"
    assert vnpay.parse_time("20250120090000") == moment
    assert vnpay.parse_time("2025-01-20") is None
    assert vnpay.amount_field(50_000) == "5000000"
    assert vnpay.parse_amount("5000000") == 50_000
    assert vnpay.parse_amount("5000050") is None  # VND has no subunit
    assert vnpay.parse_amount("-100") is None
    assert vnpay.parse_amount("1e5") is None
    assert vnpay.parse_amount(None) is None


def test_order_info_is_plain_ascii():
    assert vnpay.ascii_order_info("Thanh toán lệ phí hồ sơ <Đăng ký> #1") == "Thanh toan le phi ho so Dang ky 1"


def test_adapter_builds_a_complete_signed_request():
    gateway = VnpayGateway(url="https://pay.example/vpcpay.html", api_url="", tmn_code="CONGSO01", secret=SECRET)
    created = dt.datetime(2025, 1, 20, 2, 0, tzinfo=dt.UTC)
    params = gateway.request_params(txn_ref="R1", amount=50_000, order_info="Hồ sơ X", created=created,
                                    expires=created + dt.timedelta(minutes=15), ip="10.1.2.3",
                                    return_url="https://congso.example/thanh-toan/ket-qua")
    assert params == {
        "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "CONGSO01", "vnp_Amount": "5000000",
        "vnp_CurrCode": "VND", "vnp_TxnRef": "R1", "vnp_OrderInfo": "Ho so X", "vnp_OrderType": "other",
        "vnp_Locale": "vn", "vnp_ReturnUrl": "https://congso.example/thanh-toan/ket-qua", "vnp_IpAddr": "10.1.2.3",
        "vnp_CreateDate": "20250120090000", "vnp_ExpireDate": "20250120091500",
    }
    url = gateway.payment_url(params)
    assert url.startswith("https://pay.example/vpcpay.html?vnp_Amount=5000000&")
    from urllib.parse import parse_qsl, urlsplit

    parsed = dict(parse_qsl(urlsplit(url).query))
    assert parsed["vnp_ReturnUrl"] == "https://congso.example/thanh-toan/ket-qua"
    assert vnpay.verify(parsed, SECRET)
