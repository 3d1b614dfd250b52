"""The outbox: putting messages in it (`enqueue`) and delivering them (`deliver_due`). See docs/notifications.md.

Delivery in short: a run claims due rows in a short transaction (PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`;
SQLite: the IMMEDIATE transaction lets one claimer in at a time) by marking them "sending" with a random run token
and a lease; it then sends each row outside any transaction, renewing the lease just before the send (only if
the row is still its own), and marks it sent or schedules a retry with exponential backoff. A worker that dies
leaves its rows "sending" until the lease ends; the next run takes them over.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from congso.notifications.channels import DeliveryError, available_channels, message_id, open_channel
from congso.notifications.models import Notification
from congso.notifications.rendering import RenderError, render

logger = logging.getLogger(__name__)

State = Notification.State


# --- settings ------------------------------------------------------------------------------------------------------


def max_attempts() -> int:
    return int(getattr(settings, "CONGSO_NOTIFICATIONS_MAX_ATTEMPTS", 12))


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the `attempts`-th failed attempt: base, 2×base, 4×base, … capped (1, 2, 4, … 60 minutes)."""
    base = int(getattr(settings, "CONGSO_NOTIFICATIONS_RETRY_BASE_SECONDS", 60))
    cap = int(getattr(settings, "CONGSO_NOTIFICATIONS_RETRY_MAX_SECONDS", 3600))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, min(attempts - 1, 30))))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "CONGSO_NOTIFICATIONS_LEASE_SECONDS", 300)))


def batch_size() -> int:
    return int(getattr(settings, "CONGSO_NOTIFICATIONS_BATCH", 100))


# --- putting messages in the outbox ---------------------------------------------------------------------------------


def enqueue(*, template: str, context: dict, dedupe_key: str, user=None, email: str = "", phone: str = "",
            channels: tuple[str, ...] = ("email",), dossier=None) -> list[Notification]:
    """Queue one message per channel; a (channel, dedupe_key) already queued is skipped, so calling twice for the
    same fact never sends twice. Call inside the transaction that records the fact (transactional outbox): the
    rows commit or roll back with it, and delivery starts right after the commit.

    `context` may hold dates, datetimes and decimals (stored as ISO strings). A channel without an address (no
    e-mail, no phone) or that this installation does not deliver on (see CONGSO_NOTIFICATION_CHANNELS) is skipped.
    Returns the rows created.
    """
    stored_context = json.loads(json.dumps(context or {}, cls=DjangoJSONEncoder))
    language = (getattr(user, "language", "") or settings.LANGUAGE_CODE or "vi")[:8]
    known = available_channels()
    created = []
    for channel in channels:
        if channel not in known:
            logger.debug("notification %s: channel %r is not configured, skipped", template, channel)
            continue
        if channel == "email":
            address = email or (getattr(user, "email", "") if user else "")
        else:
            address = phone or (getattr(user, "phone", "") if user else "")
        address = (address or "").strip()
        if not address:
            continue
        try:
            with transaction.atomic():
                created.append(Notification.objects.create(
                    channel=channel, template=template, language=language, context=stored_context, user=user,
                    address=address[:254], dossier=dossier, dedupe_key=dedupe_key[:200],
                    next_attempt_at=timezone.now(),
                ))
        except IntegrityError:
            continue
    if created:
        _kick_after_commit()
    return created


def _kick_after_commit() -> None:
    """Start a delivery task once the current transaction commits (once per transaction, not per row)."""
    # Already registered in this transaction: any rollback that would drop that hook (of a savepoint still open,
    # hence one we are inside of) drops our rows too, so one hook is enough.
    if connection.in_atomic_block and any(func is _kick for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_kick, robust=True)


def _kick() -> None:
    from congso.notifications.tasks import deliver_outbox

    deliver_outbox.enqueue()


# --- delivering --------------------------------------------------------------------------------------------------


@dataclass
class DeliveryRun:
    """What one delivery run did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0  # claimed by this run but taken over by another before it was sent (lease expired)


def deliver_due(now: dt.datetime | None = None, batch: int = 100) -> int:
    """Send up to `batch` notifications that are due at `now` (default: the current time); returns how many were
    sent. Safe to run in several workers at once; each notification is claimed by one run only. The periodic
    sweep (`congso beat`) and the `deliver_outbox` task call this."""
    return deliver_batch(now=now, batch=batch).sent


def deliver_batch(now: dt.datetime | None = None, batch: int = 100) -> DeliveryRun:
    """`deliver_due`, telling how many rows were claimed, sent, retried, failed or lost to another run."""
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else timezone.now
    run = DeliveryRun()
    token = uuid.uuid4().hex
    ids = _claim(clock(), max(1, int(batch)), token)
    run.claimed = len(ids)
    channels: dict = {}
    try:
        for pk in ids:
            _deliver_one(pk, token, clock, channels, run)
    finally:
        for channel in channels.values():
            channel.close()
    if run.claimed:
        logger.info("notifications delivery: %s", run)
    return run


def _claim(now: dt.datetime, batch: int, token: str) -> list[int]:
    due = (Q(state=State.PENDING, next_attempt_at__lte=now)
           | Q(state=State.SENDING, lease_until__lte=now))  # a run that stopped half-way
    with transaction.atomic():
        candidates = (Notification.objects.filter(due, channel__in=available_channels())
                      .order_by("next_attempt_at", "id"))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:batch])
        if ids:
            Notification.objects.filter(pk__in=ids).update(
                state=State.SENDING, claimed_by=token, lease_until=now + lease(), attempts=F("attempts") + 1,
            )
    return ids


def _deliver_one(pk: int, token: str, clock, channels: dict, run: DeliveryRun) -> None:
    mine = Notification.objects.filter(pk=pk, state=State.SENDING, claimed_by=token)
    # Renew the lease right before sending, and only if the row is still ours: a run that was too slow for its
    # lease never sends a row another run has taken over.
    if not mine.update(lease_until=clock() + lease()):
        run.lost += 1
        return
    notification = Notification.objects.get(pk=pk)
    if notification.attempts > max_attempts():  # only through expired leases: the worker keeps dying on it
        _fail(mine, run, clock(), "gave up: the delivery run stopped during every attempt", retryable=False,
              attempts=notification.attempts)
        return
    try:
        rendered = render(notification)
        channel = channels.get(notification.channel)
        if channel is None:
            channel = channels[notification.channel] = open_channel(notification.channel)
        channel.send(notification, rendered)
    except RenderError as exc:
        _fail(mine, run, clock(), str(exc), retryable=False, attempts=notification.attempts)
    except DeliveryError as exc:
        _fail(mine, run, clock(), str(exc), retryable=exc.retryable, attempts=notification.attempts)
    except Exception as exc:  # noqa: BLE001 - an unexpected error must not stop the other deliveries
        logger.exception("notification %s: unexpected error while sending", pk)
        _fail(mine, run, clock(), f"{type(exc).__name__}: {exc}", retryable=True, attempts=notification.attempts)
    else:
        _mark_sent(mine, notification, rendered, clock(), run)


def _mark_sent(mine, notification: Notification, rendered, at: dt.datetime, run: DeliveryRun) -> None:
    updated = mine.update(
        state=State.SENT, sent_at=at, lease_until=None, next_attempt_at=None, last_error="",
        message_template=rendered.template, message_id=message_id(notification) if notification.channel == "email"
        else "", subject=rendered.subject, body_text=rendered.text, body_html=rendered.html,
    )
    if updated:
        run.sent += 1
    else:  # cannot happen while a single send is shorter than the lease; say so loudly if it does
        logger.warning("notification %s was sent but another run had taken it over: it may be sent twice",
                       notification.pk)


def _fail(mine, run: DeliveryRun, at: dt.datetime, error: str, *, retryable: bool, attempts: int) -> None:
    if retryable and attempts < max_attempts():
        mine.update(state=State.PENDING, lease_until=None, next_attempt_at=at + retry_delay(attempts),
                    last_error=error[:4000])
        run.retried += 1
    else:
        mine.update(state=State.FAILED, lease_until=None, next_attempt_at=None, last_error=error[:4000])
        run.failed += 1
        logger.warning("notification failed for good: %s", error[:200])


def retry_now(notifications: Iterable[Notification] | Iterable[int], now: dt.datetime | None = None) -> int:
    """Send these notifications again at the next run (the admin's "retry now"): waiting ones become due now,
    failed ones start over with a fresh count of attempts. Sent ones and ones being sent are left alone.
    Returns how many were rescheduled."""
    now = now or timezone.now()
    ids = [getattr(n, "pk", n) for n in notifications]
    with transaction.atomic():
        waiting = Notification.objects.filter(pk__in=ids, state=State.PENDING).update(next_attempt_at=now)
        failed = Notification.objects.filter(pk__in=ids, state=State.FAILED).update(
            state=State.PENDING, attempts=0, next_attempt_at=now, claimed_by="", lease_until=None)
        if waiting or failed:
            _kick_after_commit()
    return waiting + failed
