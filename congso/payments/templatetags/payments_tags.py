"""Template helpers of online payment: `vnd` (50000 → "50.000 đ") and `payment_state` for the pay button."""

from __future__ import annotations

from django import template

from congso.payments import services

register = template.Library()


@register.filter
def vnd(value) -> str:
    """Whole dong with dots between thousands, the Vietnamese way."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{amount:,}".replace(",", ".") + " đ"


@register.simple_tag(takes_context=True)
def payment_state(context, dossier) -> dict:
    """{"can_pay": bool, "due": int} for the current user and `dossier` (used by payments/_pay_button.html)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if dossier is None or user is None:
        return {"can_pay": False, "due": 0}
    return {"can_pay": services.can_pay(dossier, user), "due": services.amount_due(dossier)}
