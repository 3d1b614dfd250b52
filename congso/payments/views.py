"""Pages of online payment (/thanh-toan/…): start, the gateway's IPN, the return page, my orders, the receipt."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from congso.core.problems import Problem
from congso.dossiers.models import Dossier
from congso.payments import services
from congso.payments.models import OrderStatus, PaymentOrder
from congso.payments.ratelimit import hit_start


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


def _own_dossier(request, code: str) -> Dossier:
    """The user's own dossier, or 404 (whether it does not exist or belongs to someone else)."""
    dossier = Dossier.objects.filter(code=code[:64], applicant=request.user).select_related("procedure_version").first()
    if dossier is None or not request.user.is_active:
        raise Http404
    return dossier


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request, code: str):
    """GET: what is due and the "Pay online" button. POST (CSRF-checked): open the order, go to the gateway."""
    dossier = _own_dossier(request, code)
    error, status = "", 200
    if request.method == "POST":
        try:
            hit_start(request, request.user)
            order = services.start_payment(dossier, request.user, ip=_client_ip(request))
        except Problem as exc:
            if exc.status_code == 404:
                raise Http404 from None
            error, status = str(exc.detail), exc.status_code
            dossier.refresh_from_db()
        else:
            return HttpResponseRedirect(order.payment_url)
    context = {
        "dossier": dossier, "due": services.amount_due(dossier), "fees": list(dossier.fees.all()),
        "problem": error or services.why_not_payable(dossier, request.user), "error": error,
        "orders": PaymentOrder.objects.for_user(request.user).filter(dossier=dossier)[:20],
    }
    return render(request, "payments/start.html", context, status=status)


@csrf_exempt  # server-to-server from the gateway: authenticated by its HMAC signature, not by a session
@never_cache
@require_GET
def vnpay_ipn(request):
    code, message = services.handle_ipn(request.GET.dict(), remote_addr=_client_ip(request))
    return JsonResponse({"RspCode": code, "Message": message})


@login_required
@never_cache
@require_GET
def result(request):
    """Where the gateway sends the browser back. Shows the order as the database has it, after congso asked the
    gateway itself when the order was still open; someone else's order is a 404."""
    order = services.handle_return(request.GET.dict(), remote_addr=_client_ip(request))
    if order is None or not PaymentOrder.objects.for_user(request.user).filter(pk=order.pk).exists():
        raise Http404
    order = PaymentOrder.objects.select_related("dossier").get(pk=order.pk)
    return render(request, "payments/result.html", {"order": order, "Status": OrderStatus})


@login_required
@never_cache
@require_GET
def order_list(request):
    orders = PaymentOrder.objects.for_user(request.user).select_related("dossier")[:200]
    return render(request, "payments/orders.html", {"orders": orders, "Status": OrderStatus})


@login_required
@never_cache
@require_GET
def order_detail(request, txn_ref: str):
    order = get_object_or_404(PaymentOrder.objects.for_user(request.user).select_related("dossier"),
                              txn_ref=txn_ref[:32])
    return render(request, "payments/result.html", {"order": order, "Status": OrderStatus})


@login_required
@never_cache
@require_GET
def receipt(request, txn_ref: str):
    """The receipt (biên lai) of a paid order: plain HTML, printable from the browser."""
    order = get_object_or_404(
        PaymentOrder.objects.for_user(request.user).select_related(
            "dossier", "dossier__receiving_agency", "dossier__handling_agency", "payment"),
        txn_ref=txn_ref[:32], status=OrderStatus.PAID,
    )
    return render(request, "payments/receipt.html", {"order": order, "dossier": order.dossier,
                                                     "fees": list(order.dossier.fees.all())})
