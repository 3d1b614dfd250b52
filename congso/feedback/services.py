"""Feedback (PAKN) handling: receive, reject, ask for more, answer, publish; the sender's reaction and re-raising.

Deadlines in working days from receipt (one-stop-rules.md §1, indicator 5.2): reject ≤ 2, ask for more ≤ 5, answer
≤ 15; publish ≤ 2 working days after the answer. They are fixed on the record when it is received (or answered).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.problems import Problem
from congso.core.text import fold
from congso.feedback.models import Feedback, FeedbackStatus, FeedbackSubject
from congso.org.choices import Role
from congso.org.models import Agency
from congso.workcalendar.services import due_date

REJECT_DAYS, INFO_DAYS, ANSWER_DAYS, PUBLISH_DAYS = 2, 5, 15, 2
MAX_TITLE, MAX_CONTENT, MAX_TEXT = 255, 5000, 5000
HANDLING_ROLES = {Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.AGENCY_LEADER, Role.DESK_OFFICER}
OPEN = {FeedbackStatus.RECEIVED, FeedbackStatus.NEEDS_INFO}


class FeedbackError(Problem):
    def __init__(self, errors: dict | None = None, detail: str | None = None, status: int = 400,
                 code: str = "validation_error"):
        super().__init__(code, status, detail or _("The request has invalid fields; see errors."), errors=errors)


def _clean(text, limit: int) -> str:
    """Plain text: control characters dropped (newlines and tabs kept), trimmed; escaped when shown."""
    value = "".join(ch for ch in str(text or "") if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127)).strip()
    return value[:limit]


def _working_days_after(at: dt.datetime, days: int) -> dt.datetime:
    return due_date(at, days, "working_day").due_at


def _new_code(at: dt.datetime) -> str:
    return f"PAKN-{timezone.localtime(at):%y%m%d}-{secrets.token_hex(3).upper()}"


def submit(*, subject: str, title: str, content: str, sender_name: str, sender_email: str = "",
           sender_phone: str = "", user=None, procedure=None, agency=None, dossier=None, parent=None,
           at: dt.datetime | None = None) -> Feedback:
    """Receive one feedback item. The handling agency: the dossier's handling agency, or the agency named."""
    at = at or timezone.now()
    errors: dict[str, list[str]] = {}
    title, content, sender_name = _clean(title, MAX_TITLE), _clean(content, MAX_CONTENT), _clean(sender_name, 255)
    if subject not in FeedbackSubject.values:
        errors["subject"] = [_("Choose what the feedback is about.")]
    if not title:
        errors["title"] = [_("Give a title.")]
    if len(content) < 10:
        errors["content"] = [_("Describe the problem in at least 10 characters.")]
    if not sender_name:
        errors["sender_name"] = [_("Give your name.")]
    if not (sender_email or sender_phone or user):
        errors["sender_email"] = [_("Give an e-mail address or a phone number so the agency can answer you.")]
    if subject == FeedbackSubject.DOSSIER:
        if dossier is None:
            errors["dossier"] = [_("Give the dossier code.")]
        else:
            agency = dossier.handling_agency
            procedure = dossier.procedure
    elif subject == FeedbackSubject.PROCEDURE and procedure is None:
        errors["procedure"] = [_("Choose the procedure.")]
    if agency is None and "dossier" not in errors:
        errors["agency"] = [_("Choose the agency.")]
    if errors:
        raise FeedbackError(errors)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                item = Feedback.objects.create(
                    code=_new_code(at), subject=subject, procedure=procedure, dossier=dossier, agency=agency,
                    sender=user if getattr(user, "is_authenticated", False) else None, sender_name=sender_name,
                    sender_email=_clean(sender_email, 254), sender_phone=_clean(sender_phone, 16), title=title,
                    content=content, received_at=at,
                    reject_due_at=_working_days_after(at, REJECT_DAYS),
                    info_due_at=_working_days_after(at, INFO_DAYS),
                    answer_due_at=_working_days_after(at, ANSWER_DAYS),
                    is_complaint=subject == FeedbackSubject.DOSSIER, parent=parent,
                    search_text=fold(f"{title} {content}")[:400],
                )
                if parent is not None:
                    Feedback.objects.filter(pk=parent.pk).update(reraised=True)
                return item
        except IntegrityError:  # a code collision: draw again
            continue
    raise RuntimeError("could not allocate a feedback code")


def may_handle(user, item: Feedback) -> bool:
    """Staff with a handling role in the feedback's agency (or above it), and superusers."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    visible = Agency.objects.for_user(user)
    if not visible.filter(pk=item.agency_id).exists():
        return False
    from congso.org.scoping import member_agencies

    return any(role in HANDLING_ROLES for _agency, role in member_agencies(user))


def _tell_sender(item: Feedback, template: str) -> None:
    """E-mail the sender (when they gave an address) through the outbox, in the same transaction."""
    from django.conf import settings

    from congso.notifications.services import enqueue

    enqueue(template=template, dedupe_key=f"{template}:{item.code}", user=item.sender,
            email=item.sender_email or (item.sender.email if item.sender_id else ""),
            phone=item.sender_phone, channels=("email", "sms"),
            context={"code": item.code, "title": item.title, "sender_name": item.sender_name,
                     "agency": item.agency.name, "answer": item.answer, "reason": item.reason,
                     "link": f"{settings.SITE_URL}/phan-anh/{item.code}/"})


def _locked(item: Feedback, user) -> Feedback:
    if not may_handle(user, item):
        raise FeedbackError(detail=_("You may not handle this feedback."), status=403, code="forbidden")
    return Feedback.objects.select_for_update(of=("self",)).select_related("agency", "sender").get(pk=item.pk)


def _need(text: str, field: str, message: str) -> str:
    value = _clean(text, MAX_TEXT)
    if not value:
        raise FeedbackError({field: [message]})
    return value


def reject(item: Feedback, user, reason: str, at: dt.datetime | None = None) -> Feedback:
    """Refuse to handle (out of scope, anonymous abuse, …), with the reason; due within 2 working days."""
    reason = _need(reason, "reason", _("Give the reason."))
    with transaction.atomic():
        locked = _locked(item, user)
        if locked.status not in OPEN:
            raise FeedbackError(detail=_("This feedback is no longer open."), status=409, code="invalid_transition")
        locked.status, locked.reason, locked.rejected_at, locked.handled_by = (
            FeedbackStatus.REJECTED, reason, at or timezone.now(), user)
        locked.save(update_fields=["status", "reason", "rejected_at", "handled_by"])
        _tell_sender(locked, "feedback_rejected")
        return locked


def ask_for_information(item: Feedback, user, question: str, at: dt.datetime | None = None) -> Feedback:
    question = _need(question, "reason", _("Say what information is missing."))
    with transaction.atomic():
        locked = _locked(item, user)
        if locked.status != FeedbackStatus.RECEIVED:
            raise FeedbackError(detail=_("This feedback is no longer open."), status=409, code="invalid_transition")
        locked.status, locked.reason, locked.info_requested_at, locked.handled_by = (
            FeedbackStatus.NEEDS_INFO, question, at or timezone.now(), user)
        locked.save(update_fields=["status", "reason", "info_requested_at", "handled_by"])
        _tell_sender(locked, "feedback_needs_info")
        return locked


def answer(item: Feedback, user, text: str, at: dt.datetime | None = None) -> Feedback:
    text = _need(text, "answer", _("Write the answer."))
    at = at or timezone.now()
    with transaction.atomic():
        locked = _locked(item, user)
        if locked.status not in OPEN:
            raise FeedbackError(detail=_("This feedback is no longer open."), status=409, code="invalid_transition")
        locked.status, locked.answer, locked.answered_at, locked.handled_by = (
            FeedbackStatus.ANSWERED, text, at, user)
        locked.publish_due_at = _working_days_after(at, PUBLISH_DAYS)
        locked.save(update_fields=["status", "answer", "answered_at", "handled_by", "publish_due_at"])
        _tell_sender(locked, "feedback_answered")
        return locked


def publish(item: Feedback, user, at: dt.datetime | None = None) -> Feedback:
    with transaction.atomic():
        locked = _locked(item, user)
        if locked.status != FeedbackStatus.ANSWERED:
            raise FeedbackError(detail=_("Only an answered feedback can be published."), status=409,
                                code="invalid_transition")
        locked.status, locked.published_at = FeedbackStatus.PUBLISHED, at or timezone.now()
        locked.save(update_fields=["status", "published_at"])
        return locked


def react(item: Feedback, user, liked: bool) -> Feedback:
    """The sender says whether the answer satisfied them (once; they may change their mind)."""
    if item.sender_id is None or item.sender_id != getattr(user, "pk", None):
        raise FeedbackError(detail=_("Only the sender may rate the answer."), status=404, code="not_found")
    if item.status not in (FeedbackStatus.ANSWERED, FeedbackStatus.PUBLISHED):
        raise FeedbackError(detail=_("There is no answer to rate yet."), status=409, code="invalid_transition")
    Feedback.objects.filter(pk=item.pk).update(liked=bool(liked))
    item.liked = bool(liked)
    return item


def reraise(item: Feedback, user, content: str) -> Feedback:
    """The sender raises the same matter again after the answer: a new item linked to this one."""
    if item.sender_id is None or item.sender_id != getattr(user, "pk", None):
        raise FeedbackError(detail=_("Only the sender may raise it again."), status=404, code="not_found")
    if item.status not in (FeedbackStatus.ANSWERED, FeedbackStatus.PUBLISHED, FeedbackStatus.REJECTED):
        raise FeedbackError(detail=_("Wait for the answer first."), status=409, code="invalid_transition")
    return submit(subject=item.subject, title=item.title, content=content, sender_name=item.sender_name,
                  sender_email=item.sender_email, sender_phone=item.sender_phone, user=user,
                  procedure=item.procedure, agency=item.agency, dossier=item.dossier, parent=item)


def handled_on_time(item: Feedback, as_of: dt.datetime) -> bool | None:
    """On time for indicator 5.2 as of an instant: the step that ended it (rejection, request for information or
    answer) came before its own deadline, and a published answer within 2 working days of answering. None while
    nothing is due yet."""
    if item.rejected_at:
        return item.rejected_at <= item.reject_due_at
    if item.answered_at and item.answered_at <= as_of:
        if item.answered_at > item.answer_due_at:
            return False
        published_late = item.published_at is None or item.published_at > item.publish_due_at
        if item.publish_due_at and as_of > item.publish_due_at and published_late:
            return False
        return True
    return False if as_of > item.answer_due_at else None
