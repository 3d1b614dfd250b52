"""The applicant's rating of a finished dossier (đánh giá mức độ hài lòng): once, by the applicant, after the
result was handed over."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.problems import Problem
from congso.dossiers.choices import Status
from congso.dossiers.services.common import BadInput, Forbidden, InvalidTransition
from congso.portal.models import ServiceRating

MAX_COMMENT = 2000


class AlreadyRated(Problem):
    def __init__(self):
        super().__init__("already_rated", 409, _("This dossier has already been rated."))


def may_rate(dossier, user) -> bool:
    return (user is not None and user.is_authenticated and dossier.applicant_id == user.pk
            and dossier.status == Status.RETURNED)


def rate(dossier, user, *, satisfied, comment: str = "", at=None) -> ServiceRating:
    if dossier.applicant_id is None or user is None or dossier.applicant_id != user.pk:
        raise Forbidden()
    if dossier.status != Status.RETURNED:
        raise InvalidTransition(_("A dossier can be rated once its result has been handed over."))
    if not isinstance(satisfied, bool):
        raise BadInput({"satisfied": _("Choose satisfied or not satisfied.")})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise BadInput({"comment": _("The comment is too long (at most %(n)d characters).") % {"n": MAX_COMMENT}})
    try:
        with transaction.atomic():
            return ServiceRating.objects.create(dossier=dossier, satisfied=satisfied, comment=comment,
                                                rated_by=user, rated_at=at or timezone.now())
    except IntegrityError:  # the one-to-one: rated already (or by a concurrent click)
        raise AlreadyRated() from None
