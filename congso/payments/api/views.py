"""The payments API: the caller's orders, and starting a payment (the answer carries the gateway URL)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from congso.payments import services
from congso.payments.api.serializers import PaymentOrderSerializer, StartPaymentSerializer
from congso.payments.models import PaymentOrder
from congso.payments.ratelimit import hit_start

PROBLEM = OpenApiResponse(description="problem+json with a stable `code`")


class OrderListView(generics.ListAPIView):
    """Payment orders the caller may see: applicants their own, staff those of dossiers in their scope."""

    serializer_class = PaymentOrderSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return PaymentOrder.objects.for_user(self.request.user).select_related("dossier")


class OrderDetailView(generics.RetrieveAPIView):
    serializer_class = PaymentOrderSerializer
    lookup_field = "txn_ref"

    def get_queryset(self):
        return PaymentOrder.objects.for_user(self.request.user).select_related("dossier")


class StartPaymentView(APIView):
    """Open (or resume) the order paying what is due on one of the caller's dossiers. 201 with the order; the
    client sends the browser to `payment_url`. Codes: not_found (404), not_payable (409), throttled (429),
    gateway_unavailable (503)."""

    @extend_schema(request=StartPaymentSerializer, responses={201: PaymentOrderSerializer, 404: PROBLEM,
                                                              409: PROBLEM, 429: PROBLEM})
    def post(self, request):
        data = StartPaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hit_start(request, request.user)
        order = services.start_payment(data.validated_data["dossier"], request.user,
                                       ip=request.META.get("REMOTE_ADDR", ""))
        order = get_object_or_404(PaymentOrder.objects.select_related("dossier"), pk=order.pk)
        return Response(PaymentOrderSerializer(order).data, status=status.HTTP_201_CREATED)
