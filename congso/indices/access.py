"""Who may open the dashboard and which units they may pick (house rule 3)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from congso.accounts.models import AccountType
from congso.accounts.two_factor import needs_second_factor
from congso.org.choices import Role, UnitLevel
from congso.org.models import AdminUnit, Agency
from congso.org.scoping import member_agencies


def staff_required(view):
    """Logged-in staff (or superusers) past their second factor; anyone else is sent to the login page (or the
    one-time-code step) or refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_superuser or user.account_type == AccountType.STAFF):
            raise PermissionDenied
        # The second factor, where the account requires one (superusers, administrators, enrolled staff).
        if needs_second_factor(user) and not user.is_verified():
            return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def sees_everything(user) -> bool:
    return user.is_superuser or any(role == Role.PROVINCIAL_MONITOR for _, role in member_agencies(user))


def provinces():
    return AdminUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True).order_by("code")


def default_unit_code(user) -> str:
    """The province for monitors and superusers; otherwise the unit or agency the user belongs to."""
    if sees_everything(user):
        province = provinces().first()
        return province.code if province else ""
    memberships = member_agencies(user)
    if not memberships:
        return ""
    agency = sorted((a for a, _ in memberships), key=lambda a: len(a.tree_path))[0]
    if agency.level == UnitLevel.COMMUNE:
        return agency.admin_unit.code
    return agency.code


def unit_choices(user) -> list[tuple[str, str]]:
    """(code, label) of the units and agencies offered in the filter: only those the user may see."""
    choices: list[tuple[str, str]] = []
    if sees_everything(user):
        choices += [(u.code, u.name) for u in provinces()]
        choices += [(a.code, a.name) for a in Agency.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True)
                    .order_by("code")]
        choices += [(u.code, u.name) for u in AdminUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
                    .order_by("name")]
        return choices
    own = Agency.objects.for_user(user).filter(valid_to__isnull=True).select_related("admin_unit").order_by("code")
    seen_units = set()
    for agency in own[:300]:
        if agency.level == UnitLevel.COMMUNE and agency.admin_unit.code not in seen_units:
            seen_units.add(agency.admin_unit.code)
            choices.append((agency.admin_unit.code, agency.admin_unit.name))
        choices.append((agency.code, agency.name))
    return choices


def forbid():
    raise PermissionDenied
