"""Who may enter the staff workspace: staff accounts (and superusers), after the second factor when it is required."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from congso.accounts.models import AccountType
from congso.accounts.two_factor import needs_second_factor


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or user.account_type == AccountType.STAFF):
            raise PermissionDenied
        if needs_second_factor(user) and not user.is_verified():
            return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
