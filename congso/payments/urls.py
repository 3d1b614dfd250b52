from django.urls import path

from congso.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.order_list, name="orders"),
    path("ho-so/<str:code>", views.start, name="start"),
    path("vnpay/ipn", views.vnpay_ipn, name="vnpay-ipn"),
    path("ket-qua", views.result, name="result"),
    path("don/<str:txn_ref>", views.order_detail, name="order"),
    path("bien-lai/<str:txn_ref>", views.receipt, name="receipt"),
]
