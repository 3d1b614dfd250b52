"""Writing and purging the personal-data access log (Decree 13/2023/NĐ-CP) — docs/personal-data.md."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.middleware import current_request_id
from congso.core.problems import Problem
from congso.org.scoping import member_agencies
from congso.privacy.choices import AccessAction, AccessChannel, AccessTarget, DisclosureBasis
from congso.privacy.disclosure import clean_purpose, handling_membership
from congso.privacy.models import AccessLog

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 730
PURGE_BATCH = 5000


def retention_days() -> int:
    """`CONGSO_ACCESS_LOG_RETENTION_DAYS` (default 730): how long access-log rows are kept."""
    days = getattr(settings, "CONGSO_ACCESS_LOG_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured("CONGSO_ACCESS_LOG_RETENTION_DAYS must be a whole number of days, at least 1.")
    return days


def client_ip(request) -> str | None:
    """The client's address as the server saw it (REMOTE_ADDR; the proxy in front must set it), or None."""
    raw = (getattr(request, "META", None) or {}).get("REMOTE_ADDR", "") if request is not None else ""
    try:
        return str(ipaddress.ip_address(str(raw).strip()))
    except ValueError:
        return None


def _actor(user, dossier=None) -> tuple[str, str, object]:
    """(name, role, agency) snapshot of who accessed."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "", "", None
    name = user.display_name[:255]
    if dossier is not None and dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return name, "applicant", None
    if dossier is not None:
        found = handling_membership(user, dossier)
        if found is not None:
            return name, str(found[1]), found[0]
    memberships = member_agencies(user)
    if memberships:
        agency, role = memberships[0]
        return name, str(role), agency
    if user.is_superuser:
        return name, "superuser", None
    return name, str(getattr(user, "account_type", "")), None


def log_access(user, action: str, *, dossier=None, document=None, export_name: str = "", purpose: str = "",
               unmasked: bool = False, basis: str = DisclosureBasis.MASKED, channel: str = AccessChannel.API,
               request=None, request_id: str | None = None, ip: str | None = None, details: dict | None = None,
               at: dt.datetime | None = None) -> AccessLog:
    """Record one access to personal data and return the row.

    Exactly what was accessed: a dossier (`dossier`), an applicant's document (`document`, with the dossier through
    which it was reached if any) or an export (`export_name`). A purpose is required for exports and for numbers
    revealed on request (`basis="stated_reason"`): missing → validation problem (400), nothing written. The
    request id and address come from `request` (or the current request) unless given.
    """
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    if channel not in AccessChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if basis not in DisclosureBasis.values:
        raise ValueError(f"unknown disclosure basis {basis!r}")
    if unmasked and not basis:
        raise ValueError("an unmasked view needs its basis")
    if action == AccessAction.EXPORT:
        target = AccessTarget.EXPORT
        if not (export_name or "").strip():
            raise ValueError("an export needs its name")
    elif document is not None:
        target = AccessTarget.DOCUMENT
    elif dossier is not None:
        target = AccessTarget.DOSSIER
    else:
        raise ValueError("log_access needs a dossier, a document or an export")
    purpose = clean_purpose(purpose)
    if not purpose and (action == AccessAction.EXPORT or basis == DisclosureBasis.STATED_REASON):
        raise Problem("validation_error", 400, _("The request has invalid fields; see errors."),
                      errors={"reason": [_("Give the purpose of this access.")]})
    name, role, agency = _actor(user, dossier)
    rid = request_id if request_id is not None else (getattr(request, "request_id", None) or current_request_id())
    return AccessLog.objects.create(
        at=at or timezone.now(), user=user if getattr(user, "is_authenticated", False) else None,
        actor_name=name, actor_role=role[:24], actor_agency=agency, action=action, target=target,
        dossier=dossier, dossier_code=dossier.code if dossier is not None else "", document=document,
        export_name=(export_name or "")[:200], purpose=purpose, unmasked=bool(unmasked), basis=basis,
        channel=channel, request_id=(rid or "")[:64], ip=ip if ip is not None else client_ip(request),
        details=details or {},
    )


def log_export(user, export_name: str, purpose: str, *, rows: int | None = None, unmasked: bool = False,
               channel: str = AccessChannel.UI, request=None) -> AccessLog:
    """Record an export of personal data (a purpose is required). Exports mask personal numbers
    (`congso.privacy.masking.mask_personal_fields`) unless `unmasked`, which is then on a stated reason."""
    return log_access(user, AccessAction.EXPORT, export_name=export_name, purpose=purpose, unmasked=unmasked,
                      basis=DisclosureBasis.STATED_REASON if unmasked else DisclosureBasis.MASKED,
                      channel=channel, request=request, details={"rows": rows} if rows is not None else None)


def purge_access_logs(now: dt.datetime | None = None) -> int:
    """Delete access-log rows older than the retention period; returns how many. Deletes in batches so a large
    backlog never holds one long lock. Scheduled daily by the beat."""
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("give `now` with its time zone")
    cutoff = now - dt.timedelta(days=retention_days())
    total = 0
    while True:
        ids = list(AccessLog.objects.filter(at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
        if not ids:
            break
        total += AccessLog.objects.filter(pk__in=ids).delete()[0]
    if total:
        logger.info("purged %d access-log rows older than %s", total, cutoff.isoformat())
    return total
