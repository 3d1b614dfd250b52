"""The workspace's side menu: worklists with their counts, and the pages this person's roles open."""

from __future__ import annotations

from django import template

from congso.org.choices import Role
from congso.workspace.work import worklists

register = template.Library()


def seat_of(request) -> worklists.Seat:
    """The user's memberships, read once per request."""
    seat = getattr(request, "_congso_seat", None)
    if seat is None:
        seat = request._congso_seat = worklists.Seat.of(request.user)
    return seat


@register.inclusion_tag("workspace/_menu_items.html", takes_context=True)
def workspace_menu(context):
    request = context["request"]
    user = request.user
    seat = seat_of(request)
    roles = {r for _a, r, _d in seat.memberships}
    lists = worklists.visible_worklists(seat, user)
    counts = worklists.counts(user, seat=seat) if lists else {}
    return {
        "request": request,
        "lists": [(w, counts.get(w.key, 0)) for w in lists],
        "is_desk": Role.DESK_OFFICER in roles,
        "supervises": bool(roles & {Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD, Role.PROVINCIAL_MONITOR,
                                    Role.ADMINISTRATOR}) or user.is_superuser,
        "monitors": bool(roles & {Role.PROVINCIAL_MONITOR, Role.AGENCY_LEADER, Role.ADMINISTRATOR})
        or user.is_superuser,
        "administers": Role.ADMINISTRATOR in roles or user.is_superuser,
        "current": request.path,
    }
