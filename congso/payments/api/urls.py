from django.urls import path

from congso.payments.api import views

urlpatterns = [
    path("orders", views.OrderListView.as_view(), name="payment-order-list"),
    path("orders/start", views.StartPaymentView.as_view(), name="payment-start"),
    path("orders/<str:txn_ref>", views.OrderDetailView.as_view(), name="payment-order-detail"),
]
