"""Issuing a signed electronic result (kết quả điện tử có ký số) — house rule 1: the only place where an
`IssuedDocument` is made.

`issue_e_result(dossier, user, pdf_bytes, name=…, number=…)`:
1. the dossier must be one the user may see (else 404), and the user a specialist, department head or leader of
   its handling agency (else 403); it must be in progress (the e-result completes it) or already resolved or
   returned (the e-result is added to its results); other statuses get 409;
2. the PDF passes `congso.core.uploads.check_upload` and must be a PDF;
3. it is stamped and signed with the handling agency's certificate outside any transaction (CPU work, no lock);
4. in one transaction, under the dossier's row lock: an in-progress dossier is completed through the engine's own
   `perform(…, "complete", results=[…])` (its processing-log event, clock, and the data-store push of the `complete`
   receiver); a resolved or returned dossier gets a new `ResultDocument` (is_electronic) stored like every dossier
   file, pushed to the applicant's data store with `congso.datastore.services.push_result`, and a new version;
   an `IssuedDocument` records the token, the hash and the certificate for the verification page.

The same unsigned PDF issued twice for one dossier (a double click, two tabs) gives the first record back.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.problems import Problem
from congso.core.uploads import check_upload
from congso.datastore.services import push_result
from congso.dossiers.choices import Action, FileKind, Status, SyncState
from congso.dossiers.files import files_rolled_back, store_file
from congso.dossiers.models import Dossier, ResultDocument
from congso.dossiers.services.actions import perform
from congso.dossiers.services.common import BadInput, Forbidden, InvalidTransition, NotFound, role_in
from congso.org.choices import Role
from congso.signing.certificates import active_certificate
from congso.signing.models import IssuedDocument
from congso.signing.pdfsign import SigningFailed, sign_pdf

SIGNING_ROLES = [Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD, Role.SPECIALIST]
COMPLETES = frozenset({Status.IN_PROGRESS})
ADDS_TO = frozenset({Status.RESOLVED, Status.RETURNED})
MAX_NAME, MAX_NUMBER = 500, 100


class NoCertificate(Problem):
    def __init__(self, agency_name: str):
        super().__init__("no_signing_certificate", 409, _(
            "%(agency)s has no valid signing certificate. An administrator issues one with "
            "“congso signing demo-ca”.") % {"agency": agency_name})


def verification_url(token: str) -> str:
    return f"{settings.SITE_URL}/xac-thuc/{token}"


def new_token() -> str:
    """32 URL-safe characters (192 random bits): the verification URL cannot be guessed or enumerated."""
    return secrets.token_urlsafe(24)


def visible_dossier(dossier_or_code, user) -> Dossier:
    """The dossier among those `user` may see, or NotFound (another agency's dossier is not revealed)."""
    pk = dossier_or_code.pk if isinstance(dossier_or_code, Dossier) else None
    query = Dossier.objects.for_user(user).select_related("handling_agency")
    found = query.filter(pk=pk).first() if pk else query.filter(code=str(dossier_or_code or "")[:64]).first()
    if found is None:
        raise NotFound()
    return found


def _check_input(pdf_bytes: bytes, file_name: str, name: str, number: str, catalog_result_id, dossier):
    errors = {}
    try:
        checked = check_upload(pdf_bytes or b"", file_name or "ket-qua.pdf")
    except ValidationError as exc:
        raise BadInput({"file": exc.messages}) from None
    if checked.content_type != "application/pdf":
        errors["file"] = _("Only a PDF file can be signed.")
    catalog = None
    if catalog_result_id not in (None, ""):
        catalog = dossier.procedure_version.results.filter(pk=catalog_result_id).first() \
            if str(catalog_result_id).isdigit() else None
        if catalog is None:
            errors["catalog_result_id"] = _("This result does not belong to the procedure.")
    name = " ".join((name or "").split()) or (catalog.name if catalog else "")
    number = " ".join((number or "").split())
    if not name:
        errors["name"] = _("Name the result document.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is too long (at most %(n)d characters).") % {"n": MAX_NAME}
    if len(number) > MAX_NUMBER:
        errors["number"] = _("The number is too long (at most %(n)d characters).") % {"n": MAX_NUMBER}
    if errors:
        raise BadInput(errors)
    return checked, name, number, catalog


def issue_e_result(dossier, user, pdf_bytes: bytes, *, name: str = "", number: str = "", catalog_result_id=None,
                   file_name: str = "ket-qua.pdf", reason: str = "") -> IssuedDocument:
    """Sign `pdf_bytes` in the name of the dossier's handling agency and issue it as an electronic result.

    Returns the `IssuedDocument` (attribute `created` False when the same PDF was already issued for the dossier).
    Raises NotFound, Forbidden, InvalidTransition, BadInput, NoCertificate, Conflict (from the engine)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    found = visible_dossier(dossier, user)
    agency = found.handling_agency
    if role_in(user, agency, SIGNING_ROLES) is None:
        raise Forbidden(_("Only a specialist, department head or leader of %(agency)s may issue its signed "
                          "results.") % {"agency": agency.name})
    if found.status not in COMPLETES | ADDS_TO:
        raise InvalidTransition(_("A signed result can be issued only for a dossier in progress, resolved or "
                                  "returned."))
    checked, name, number, catalog = _check_input(pdf_bytes, file_name, name, number, catalog_result_id, found)
    certificate = active_certificate(agency)
    if certificate is None:
        raise NoCertificate(agency.name)

    token = new_token()
    try:
        signed = sign_pdf(checked.content, certificate, verification_url(token), agency.name)
    except SigningFailed:
        raise BadInput({"file": _("This PDF cannot be signed: it is damaged, encrypted or locked against "
                                  "changes. Export it again as a plain PDF.")}) from None

    with files_rolled_back(), transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=found.pk)
        existing = IssuedDocument.objects.filter(dossier=locked, source_sha256=checked.sha256).first()
        if existing is not None:
            existing.created = False
            return existing
        signed_name = checked.safe_name
        if locked.status in COMPLETES:
            item = {"name": name, "number": number, "file": (signed_name, signed)}
            if catalog is not None:
                item["catalog_result_id"] = catalog.pk
            perform(locked, Action.COMPLETE, user, reason=reason, results=[item])
            result = ResultDocument.objects.filter(dossier=locked, file__sha256=hashlib.sha256(signed).hexdigest()) \
                .select_related("file").order_by("-id").first()
        elif locked.status in ADDS_TO:
            stored = store_file(locked, (signed_name, signed), FileKind.RESULT, user)
            result = ResultDocument.objects.create(
                dossier=locked, catalog_result=catalog, name=name[:MAX_NAME],
                result_code=(catalog.code if catalog else "")[:64], number=number[:MAX_NUMBER], file=stored,
                is_electronic=True, issued_at=timezone.now(),
            )
            result.dossier = locked
            push_result(result, actor=user)
            # The dossier's results changed: a new version (ETag) and a new sync to the national portal.
            Dossier.objects.filter(pk=locked.pk).update(version=models.F("version") + 1,
                                                        sync_state=SyncState.PENDING)
        else:  # changed while we were signing
            raise InvalidTransition(_("A signed result can be issued only for a dossier in progress, resolved or "
                                      "returned."))
        stored = result.file
        issued = IssuedDocument.objects.create(
            token=token, dossier=locked, result=result, file=stored, agency=agency, certificate=certificate,
            name=result.name, number=result.number, sha256=stored.sha256, source_sha256=checked.sha256,
            size=stored.size, issued_at=result.issued_at, issued_by=user,
        )
    issued.created = True
    return issued
