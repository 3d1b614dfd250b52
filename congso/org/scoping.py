"""Who may see what: the membership facts that `for_user()` querysets and `rules` predicates share."""

from __future__ import annotations

import rules
from django.contrib.auth import get_user_model
from django.db import models

from congso.org.choices import Role


def member_agencies(user) -> list[tuple]:
    """(agency, role) pairs of the user's active memberships, cached on the user object for one request."""
    cached = getattr(user, "_congso_member_agencies", None)
    if cached is not None:
        return cached
    from congso.org.models import Membership

    pairs = [(m.agency, m.role) for m in Membership.objects.active().filter(user=user).select_related("agency")]
    user._congso_member_agencies = pairs
    return pairs


def visible_users(viewer, action: str = "view"):
    """Users `viewer` may list: staff with a membership in an agency the viewer may see, and the viewer."""
    from congso.org.models import Agency, Membership

    User = get_user_model()
    if viewer is None or not viewer.is_authenticated:
        return User.objects.none()
    if viewer.is_superuser:
        return User.objects.all()
    agencies = Agency.objects.for_user(viewer, action)
    member_ids = Membership.objects.active().filter(agency__in=agencies).values("user_id")
    condition = models.Q(pk__in=member_ids)
    if action == "view":
        condition |= models.Q(pk=viewer.pk)
    return User.objects.filter(condition).distinct()


@rules.predicate
def has_role_in(user, agency) -> bool:
    """The user holds any active role in `agency` or an agency above it."""
    if agency is None or not getattr(user, "is_authenticated", False):
        return False
    return any(agency.tree_path.startswith(a.tree_path) for a, _ in member_agencies(user))


@rules.predicate
def administers(user, agency) -> bool:
    if agency is None or not getattr(user, "is_authenticated", False):
        return False
    return any(
        role == Role.ADMINISTRATOR and agency.tree_path.startswith(a.tree_path) for a, role in member_agencies(user)
    )


is_superuser = rules.is_superuser
rules.add_perm("org.view_agency_detail", is_superuser | has_role_in)
rules.add_perm("org.manage_agency", is_superuser | administers)
