"""A local simulator of a VNPay 2.1 gateway (redirect payment page, signed IPN and return, querydr), for development
and tests. Standalone: stdlib only, no Django; run it as its own process:

    python -m congso.payments.simulator --port 8090 --secret S --ipn-url http://127.0.0.1:8000/thanh-toan/vnpay/ipn
"""
