"""The SMS channel (tin nhắn): an adapter to an HTTP SMS gateway with a generic JSON API, on the notifications outbox.

Request (one message): POST CONGSO_SMS_URL, `Authorization: Bearer <CONGSO_SMS_API_KEY>`, JSON
    {"to": "84912345678", "from": "<brandname>", "text": "...", "unicode": false, "request_id": "<stable id>"}
The gateway answers 2xx when it accepted the message. 4xx (but 408/429) is a permanent refusal; 5xx, 408, 429,
timeouts and refused connections are temporary, so the outbox retries with its backoff. `request_id` is the same at
every attempt of one notification, so a gateway that deduplicates drops a resend after a lost answer.

Text: Vietnamese without diacritics (GSM-7, 160 characters a segment) unless CONGSO_SMS_UNICODE is on (UCS-2,
70 a segment). The wording is the notification's MessageTemplate for channel "sms".

The applicants' SMS notices: `on_event_recorded_sms` queues the same notices as e-mail, on the "sms" channel, to
the dossier's phone (else the account's), with the same dedupe key as the e-mail notice (one per channel).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from congso.core.text import fold
from congso.core.validators import normalize_phone, validate_phone
from congso.notifications.channels import Channel, DeliveryError

logger = logging.getLogger(__name__)

# Characters outside GSM-7 that Vietnamese wording often contains, and their plain equivalents.
_PLAIN = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-", "·": "-", "₫": "d",
          "\u00a0": " ", "\t": " "}
_GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")


def msisdn(phone: str) -> str:
    """A Vietnamese phone number in the international form gateways want: '0912 345 678' → '84912345678'.
    Raises ValueError when it is not a Vietnamese number."""
    try:
        validate_phone(phone or "")
    except ValidationError:
        raise ValueError(f"not a Vietnamese phone number: {phone!r}") from None
    return "84" + normalize_phone(phone)[1:]


def plain_text(text: str) -> str:
    """Vietnamese text without diacritics, case and line breaks kept, anything outside GSM-7 replaced: 'Hồ sơ Đã
    tiếp nhận' → 'Ho so Da tiep nhan'. Each letter is folded by congso.core.text.fold (đ→d, marks dropped), then
    given its case back."""
    out = []
    for ch in text or "":
        if ch in _PLAIN:
            out.append(_PLAIN[ch])
            continue
        if ch.isascii():
            out.append(ch)
            continue
        folded = fold(ch)
        if not folded:  # a lone combining mark or white space fold() drops
            out.append(" " if ch.isspace() else "")
            continue
        folded = folded.upper() if ch.isupper() else folded
        out.append("".join(c if c in _GSM7 else "?" for c in folded))
    return "".join(out)


def sms_body(text: str, *, unicode: bool, limit: int) -> str:
    """The text to send: blank lines squeezed, folded unless `unicode`, cut to `limit` characters."""
    text = re.sub(r"\n{2,}", "\n", (text or "").replace("\r\n", "\n")).strip()
    if not unicode:
        text = plain_text(text)
    return text if len(text) <= limit else text[: max(0, limit - 3)].rstrip() + "..."


def request_id(notification) -> str:
    seed = f"{notification.pk}:{notification.channel}:{notification.dedupe_key}:{notification.created_at.isoformat()}"
    return "congso-" + hashlib.sha256(seed.encode()).hexdigest()[:24]


class SmsChannel(Channel):
    """Settings: CONGSO_SMS_URL, CONGSO_SMS_API_KEY, CONGSO_SMS_BRANDNAME, CONGSO_SMS_UNICODE, CONGSO_SMS_TIMEOUT,
    CONGSO_SMS_MAX_LENGTH. When the gateway cannot be reached, the rest of the run fails fast (retryable)."""

    name = "sms"

    def __init__(self):
        self.url = getattr(settings, "CONGSO_SMS_URL", "")
        self.api_key = getattr(settings, "CONGSO_SMS_API_KEY", "")
        self.brandname = getattr(settings, "CONGSO_SMS_BRANDNAME", "CONGSO")
        self.unicode = bool(getattr(settings, "CONGSO_SMS_UNICODE", False))
        self.timeout = int(getattr(settings, "CONGSO_SMS_TIMEOUT", 10))
        self.limit = int(getattr(settings, "CONGSO_SMS_MAX_LENGTH", 459))
        self._down: str | None = None

    def send(self, notification, rendered) -> None:
        if not self.url:
            raise DeliveryError("CONGSO_SMS_URL is not set", retryable=True)
        try:
            to = msisdn(notification.address)
        except ValueError as exc:
            raise DeliveryError(str(exc), retryable=False) from None
        if self._down:
            raise DeliveryError(self._down, retryable=True)
        text = sms_body(rendered.text, unicode=self.unicode, limit=self.limit)
        if not text:
            raise DeliveryError("the message is empty", retryable=False)
        payload = {"to": to, "from": self.brandname, "text": text, "unicode": self.unicode,
                   "request_id": request_id(notification)}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace")
            temporary = exc.code >= 500 or exc.code in (408, 429)
            raise DeliveryError(f"SMS gateway answered {exc.code}: {detail}", retryable=temporary) from None
        except (urllib.error.URLError, OSError) as exc:
            self._down = f"SMS gateway unreachable: {type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            raise DeliveryError(self._down, retryable=True) from None


# --- applicants' SMS notices ---------------------------------------------------------------------------------------


def applicant_phone(dossier) -> str:
    """The phone the applicant gave on the dossier, else the phone of the applicant's account."""
    if dossier.applicant_phone:
        return dossier.applicant_phone.strip()
    applicant = dossier.applicant if dossier.applicant_id else None
    return (getattr(applicant, "phone", "") or "").strip()


def on_event_recorded_sms(sender, event, dossier, **kwargs) -> None:
    """Queue the SMS twin of an applicant notice (inside the action's transaction, like the e-mail one)."""
    from congso.notifications.channels import available_channels
    from congso.notifications.receivers import APPLICANT_NOTICES, notice_context
    from congso.notifications.services import enqueue

    template = APPLICANT_NOTICES.get(event.action)
    if template is None or "sms" not in available_channels():
        return
    phone = applicant_phone(dossier)
    if not phone:
        return
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the action's transaction usable
            enqueue(template=template, context=notice_context(event, dossier), dedupe_key=f"dossier-event:{event.pk}",
                    user=dossier.applicant if dossier.applicant_id else None, phone=phone, channels=("sms",),
                    dossier=dossier)
    except Exception:  # noqa: BLE001 - a notice must never undo the action it reports
        logger.exception("dossier %s: could not queue the %s SMS", dossier.code, template)
