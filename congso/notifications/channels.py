"""Delivery channels (kênh gửi): e-mail now, SMS and others later.

A channel is a class with `send(notification, rendered) -> None` that raises `DeliveryError` when the message did
not go out, saying whether trying again later may help. The registry maps a channel name to its class and comes
from the setting `CONGSO_NOTIFICATION_CHANNELS` (name → dotted path), so a deployment adds a channel without
changing this app. One instance serves one delivery run and may keep a connection open; `close()` ends the run.
"""

from __future__ import annotations

import hashlib
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import DNS_NAME
from django.core.validators import validate_email
from django.utils.module_loading import import_string

DEFAULT_CHANNELS = {"email": "congso.notifications.channels.EmailChannel"}


class DeliveryError(Exception):
    """The message was not delivered. `retryable`: a later attempt may succeed (server down, temporary refusal);
    otherwise the message fails for good (bad address, permanent refusal)."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class Channel:
    """The interface of a channel."""

    name = ""

    def send(self, notification, rendered) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        """End of the delivery run: release connections."""


def channel_paths() -> dict[str, str]:
    return dict(getattr(settings, "CONGSO_NOTIFICATION_CHANNELS", None) or DEFAULT_CHANNELS)


def available_channels() -> set[str]:
    """The names of the channels this installation can deliver on."""
    return set(channel_paths())


def open_channel(name: str) -> Channel:
    return import_string(channel_paths()[name])()


def message_id(notification) -> str:
    """A Message-ID that stays the same for every attempt at one notification (and differs between notifications
    and installations), so a receiver can drop a duplicate left by a crash between sending and recording it."""
    seed = f"{notification.pk}:{notification.channel}:{notification.dedupe_key}:{notification.created_at.isoformat()}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:16]
    return f"<congso.{notification.pk}.{digest}@{message_id_domain()}>"


def message_id_domain() -> str:
    configured = getattr(settings, "CONGSO_NOTIFICATIONS_MESSAGE_ID_DOMAIN", "")
    if configured:
        return configured
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or str(DNS_NAME)


class EmailChannel(Channel):
    """E-mail through Django's mail backend (SMTP in production: EMAIL_HOST, EMAIL_PORT, … from the CONGSO_EMAIL_*
    variables). Each message has a plain-text part and an HTML alternative.

    One SMTP connection serves the whole run. When the server cannot be reached, the rest of the run fails fast
    (retryable) instead of waiting for a timeout per message.
    """

    name = "email"

    def __init__(self):
        self._connection = None
        self._down: str | None = None

    def send(self, notification, rendered) -> None:
        address = (notification.address or "").strip()
        try:
            validate_email(address)
        except ValidationError:
            raise DeliveryError(f"invalid e-mail address {address!r}", retryable=False) from None
        if self._down:
            raise DeliveryError(self._down, retryable=True)
        message = EmailMultiAlternatives(
            subject=rendered.subject, body=rendered.text, from_email=settings.DEFAULT_FROM_EMAIL, to=[address],
            headers={
                "Message-ID": message_id(notification),
                "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies, please
                "X-Congso-Notification": str(notification.pk),
            },
        )
        message.attach_alternative(rendered.html, "text/html")
        try:
            if self._connection is None:
                self._connection = get_connection(fail_silently=False)
                self._connection.open()
            message.connection = self._connection
            sent = self._connection.send_messages([message])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
            raise DeliveryError(_describe(exc), retryable=not _permanent(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # The connection is gone or unusable (refused, timed out, dropped, authentication): try later.
            self._drop()
            self._down = _describe(exc)
            raise DeliveryError(self._down, retryable=True) from exc
        if not sent:
            raise DeliveryError("the mail backend did not send the message", retryable=True)

    def close(self) -> None:
        self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail; nothing to do about it
                pass


def _permanent(exc: smtplib.SMTPException) -> bool:
    """5xx replies are permanent (RFC 5321 §4.2.1); 4xx are temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return 500 <= getattr(exc, "smtp_code", 0) < 600


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()]
        return "recipient refused: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
