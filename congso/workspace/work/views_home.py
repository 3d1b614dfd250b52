"""The workspace's home page: what this person has to do now and where their roles lead."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from congso.org.choices import Role
from congso.org.models import Membership
from congso.workspace.templatetags.workspace_menu import seat_of
from congso.workspace.work import worklists
from congso.workspace.work.access import staff_required


@login_required
@staff_required
def home(request):
    user = request.user
    seat = seat_of(request)
    roles = {r for _a, r, _d in seat.memberships}
    lists = worklists.visible_worklists(seat, user)
    counts = worklists.counts(user, seat=seat) if lists else {}
    seats = [(m.agency.name, m.get_role_display())
             for m in Membership.objects.active().filter(user=user).select_related("agency")]
    return render(request, "workspace/home.html", {
        "lists": [(w, counts.get(w.key, 0)) for w in lists[:4]], "seats": seats,
        "is_desk": Role.DESK_OFFICER in roles,
        "supervises": bool(roles & {Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD, Role.PROVINCIAL_MONITOR,
                                    Role.ADMINISTRATOR}) or user.is_superuser,
        "monitors": bool(roles & {Role.PROVINCIAL_MONITOR, Role.AGENCY_LEADER}) or user.is_superuser,
        "administers": Role.ADMINISTRATOR in roles or user.is_superuser,
    })
