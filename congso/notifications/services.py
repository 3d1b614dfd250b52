"""Putting messages in the outbox. (Delivery, channels and templates: see docs/notifications.md.)"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from congso.notifications.models import Notification


def enqueue(*, template: str, context: dict, dedupe_key: str, user=None, email: str = "", phone: str = "",
            channels: tuple[str, ...] = ("email",), dossier=None) -> list[Notification]:
    """Queue one message per channel; a (channel, dedupe_key) already queued is skipped, so calling twice for the
    same fact never sends twice. Call inside the transaction that records the fact (transactional outbox)."""
    created = []
    for channel in channels:
        address = (email or (user.email if user else "")) if channel == "email" else (phone or (user.phone if user else ""))
        if not address:
            continue
        try:
            with transaction.atomic():
                created.append(Notification.objects.create(
                    channel=channel, template=template, context=context, user=user, address=address,
                    dossier=dossier, dedupe_key=dedupe_key[:200], next_attempt_at=timezone.now(),
                ))
        except IntegrityError:
            continue
    return created
