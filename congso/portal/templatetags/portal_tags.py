"""Small display helpers of the portal's templates."""

from __future__ import annotations

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """50000 → "50.000 đ" (Vietnamese thousands separator)."""
    if amount is None or amount == "":
        return ""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return ""
    return f"{value:,}".replace(",", ".") + " đ"


@register.filter
def local_dt(value) -> str:
    """An instant as dd/mm/yyyy HH:MM in the local time zone (Asia/Ho_Chi_Minh)."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


@register.inclusion_tag("portal/_eid_login.html", takes_context=True)
def eid_login_button(context):
    """The "log in with the national e-ID" link, shown only when CONGSO_EID_ENABLED is True."""
    from django.conf import settings

    return {"eid_enabled": bool(getattr(settings, "CONGSO_EID_ENABLED", False)), "next": context.get("next", "")}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
