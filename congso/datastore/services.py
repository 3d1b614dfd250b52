"""The applicant data store's services (house rule 1): push an e-result, add a digitised paper, list a person's
documents, reuse a document in a new dossier. docs/datastore.md."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.accounts.models import AccountType
from congso.core.middleware import current_request_id
from congso.core.problems import Problem
from congso.core.uploads import max_upload_bytes
from congso.core.validators import validate_citizen_id, validate_tax_code
from congso.datastore.files import files_rolled_back as document_files_rolled_back
from congso.datastore.files import store_document_file
from congso.datastore.models import ApplicantDocument, DocumentKind, DocumentUse
from congso.datastore.querysets import applicant_condition, may_act_for_applicant, own_numbers, reusable_statuses
from congso.dossiers.choices import FileKind, Status, SyncState
from congso.dossiers.files import files_rolled_back, store_file
from congso.dossiers.models import Dossier, DossierComponent, ResultDocument
from congso.dossiers.services.common import BadInput, Forbidden, InvalidTransition, NotFound, check_time, role_in
from congso.org.choices import Role
from congso.org.models import Membership

REUSABLE_STATUSES = reusable_statuses()


class DocumentNotFound(Problem):
    def __init__(self):
        super().__init__("not_found", 404, _("No such document."))


class FileIntegrityError(Problem):
    def __init__(self):
        super().__init__("file_integrity", 409, _("The stored file of this document is missing or damaged."))


def documents_for(user):
    """The user's own data store: documents of their account, and documents kept by their citizen ID or tax code
    (an e-ID-verified account only) that no other account owns. Newest first."""
    return ApplicantDocument.objects.owned_by(user)


# --- push: the e-result of a completed dossier ---------------------------------------------------------------------


def push_result(result: ResultDocument, *, actor=None) -> ApplicantDocument | None:
    """Put the electronic result of a dossier into its applicant's store and set `pushed_to_data_store`.

    Runs inside the completing action's transaction (the `event_recorded` receiver): it inserts and updates rows
    only — the document shares the result's stored file, nothing is copied. Returns the document, or None when
    there is nothing to push (a paper result, or an applicant with neither account nor personal number).
    Idempotent: a result already pushed returns its document.
    """
    if not result.is_electronic or result.file_id is None:
        return None
    existing = ApplicantDocument.objects.filter(source_result=result).first()
    if existing is not None:
        return existing
    dossier = result.dossier
    number = (dossier.applicant_id_number or "").strip()
    if dossier.applicant_id is None and not number:
        return None
    stored = result.file
    catalog = result.catalog_result
    document = ApplicantDocument(
        owner_id=dossier.applicant_id, owner_id_number=number, kind=DocumentKind.E_RESULT,
        document_type=((catalog.name if catalog else "") or result.name)[:255], result_code=result.result_code,
        title=result.name[:500], number=result.number, issuer=dossier.handling_agency.name[:255],
        issued_on=timezone.localdate(result.issued_at), stored_name=stored.stored_name,
        original_name=stored.original_name, content_type=stored.content_type, size=stored.size,
        sha256=stored.sha256, source_dossier=dossier, source_result=result, created_at=result.issued_at,
        created_by=actor,
    )
    document.file.name = stored.file.name  # the same stored file: no file operation inside the transaction
    document.save()
    ResultDocument.objects.filter(pk=result.pk).update(pushed_to_data_store=True)
    result.pushed_to_data_store = True
    return document


def push_results_of(dossier: Dossier, *, actor=None) -> list[ApplicantDocument]:
    """Push every electronic result of `dossier` not yet pushed."""
    results = ResultDocument.objects.filter(dossier=dossier, is_electronic=True, pushed_to_data_store=False) \
        .select_related("file", "catalog_result").order_by("id")
    pushed = []
    for result in results:
        result.dossier = dossier
        document = push_result(result, actor=actor)
        if document is not None:
            pushed.append(document)
    return pushed


# --- add: a paper digitised at the desk, or a file the applicant uploads ---------------------------------------


def _validate_number(number: str, errors: dict) -> None:
    if not number:
        return
    try:
        validate_citizen_id(number)
    except ValidationError:
        try:
            validate_tax_code(number)
        except ValidationError:
            errors["owner_id_number"] = _("Give a valid citizen ID or tax code.")


def add_digitized(*, actor, file, document_type: str, title: str = "", owner=None, owner_id_number: str = "",
                  number: str = "", issuer: str = "", issued_on: dt.date | None = None,
                  valid_until: dt.date | None = None, result_code: str = "", dossier: Dossier | None = None,
                  component: DossierComponent | None = None) -> ApplicantDocument:
    """Add a document to an applicant's store.

    - A desk officer or agency leader digitising a paper (kind `digitized_paper`): with `dossier`, at its receiving
      agency, for its applicant (account and number taken from the dossier); without, for the `owner` account
      and/or `owner_id_number` given.
    - An applicant uploading their own paper (kind `uploaded`): the owner is the applicant.
    The file passes the upload validator and is stored by a random name with its sha256.
    """
    errors: dict = {}
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    document_type = (document_type or "").strip()
    title = (title or "").strip() or document_type
    if not document_type:
        errors["document_type"] = _("Give the type of the document.")
    elif len(document_type) > 255 or len(title) > 500:
        errors["title"] = _("The title is too long.")
    if issued_on and valid_until and valid_until < issued_on:
        errors["valid_until"] = _("The expiry date is before the issue date.")
    if component is not None and (dossier is None or component.dossier_id != dossier.pk):
        errors["component"] = _("This component does not belong to the dossier.")
    if actor.account_type != AccountType.STAFF and not actor.is_superuser:
        kind, owner, owner_id_number = DocumentKind.UPLOADED, actor, (own_numbers(actor) or [""])[0]
        if dossier is not None and dossier.applicant_id != actor.pk:
            raise Forbidden()
    else:
        kind = DocumentKind.DIGITIZED_PAPER
        if dossier is not None:
            if role_in(actor, dossier.receiving_agency, [Role.DESK_OFFICER, Role.AGENCY_LEADER]) is None \
                    and not actor.is_superuser:
                raise Forbidden(_("Only a desk officer of the receiving agency may digitise papers for it."))
            owner, owner_id_number = dossier.applicant, dossier.applicant_id_number
        elif not actor.is_superuser and not Membership.objects.active().filter(
                user=actor, role__in=[Role.DESK_OFFICER, Role.AGENCY_LEADER]).exists():
            raise Forbidden(_("Only a desk officer may digitise papers."))
        owner_id_number = (owner_id_number or "").strip()
        _validate_number(owner_id_number, errors)
        if owner is None and not owner_id_number:
            errors["owner_id_number"] = _("Give the owner's citizen ID or tax code.")
    if errors:
        raise BadInput(errors)
    document = ApplicantDocument(
        owner=owner, owner_id_number=owner_id_number, kind=kind, document_type=document_type,
        result_code=(result_code or "").strip()[:64], title=title, number=(number or "").strip()[:100],
        issuer=(issuer or "").strip()[:255], issued_on=issued_on, valid_until=valid_until, source_dossier=dossier,
        source_component=component, created_by=actor,
    )
    try:
        with document_files_rolled_back(), transaction.atomic():
            store_document_file(document, file)
            document.save()
    except ValidationError as exc:
        raise BadInput({"file": exc.messages}) from None
    return document


# --- reuse: a document of the store as a component of a new dossier -------------------------------------------


def _component_target(dossier: Dossier, component_name_or_catalog_id, document: ApplicantDocument):
    """(catalog component or None, name) for the reused component."""
    value = component_name_or_catalog_id
    if isinstance(value, int) and not isinstance(value, bool):
        catalog = dossier.procedure_version.components.filter(pk=value).first()
        if catalog is None:
            raise BadInput({"component": _("This component does not belong to the procedure.")})
        return catalog, catalog.name
    name = str(value or "").strip()
    if len(name) > 1000:
        raise BadInput({"component": _("The name is too long.")})
    return None, name or document.title


def _read_verified(document: ApplicantDocument) -> bytes:
    try:
        with document.file.open("rb") as handle:
            content = handle.read(max_upload_bytes() + 1)
    except (OSError, ValueError):
        raise FileIntegrityError() from None
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise FileIntegrityError()
    return content


def reuse_in_dossier(document: ApplicantDocument | int, dossier: Dossier, component_name_or_catalog_id, actor, *,
                     at: dt.datetime | None = None) -> DocumentUse:
    """Reuse a stored document as a component of `dossier` (DuocTaiSuDung): the component is flagged reused and
    digitised and gets a copy of the document's file (checked against its sha256), and a `DocumentUse` links the two.

    `document` is a document or its id: it is looked up again among the documents the actor may reuse for this
    dossier. `component_name_or_catalog_id`: the id of one of the procedure's components (an empty component of
    that kind already on the dossier is filled, else one is added) or a free name (default: the document's title).
    Only the owner on their own dossier, or a desk officer / leader of the receiving agency for the dossier's
    applicant, may reuse: else 403, or 404 when the document is not the applicant's. An expired document is
    refused (400); a closed dossier too (409). Reusing the same document twice in one dossier returns the first
    use (`use.created` is False) — concurrent requests are serialised by the dossier's row lock.
    """
    at = check_time(at)
    with files_rolled_back(), transaction.atomic():
        try:
            locked = Dossier.objects.select_for_update(of=("self",)).select_related(
                "receiving_agency", "procedure_version").get(pk=dossier.pk)
        except Dossier.DoesNotExist:
            raise NotFound() from None
        role = may_act_for_applicant(actor, locked)
        if not role:
            raise Forbidden(_("Only the applicant or a desk officer of the receiving agency may reuse documents "
                              "from the data store."))
        mine = ApplicantDocument.objects.owned_by(actor) if role == "applicant" else \
            ApplicantDocument.objects.filter(applicant_condition(locked))
        document = mine.filter(pk=getattr(document, "pk", document)).first()
        if document is None:
            raise DocumentNotFound()
        existing = DocumentUse.objects.filter(document=document, dossier=locked).select_related("component").first()
        if existing is not None:
            existing.created = False
            return existing
        if locked.status not in REUSABLE_STATUSES:
            raise InvalidTransition(_("Documents can be reused only while the dossier's components are being "
                                      "gathered."))
        if document.is_expired(timezone.localdate(at)):
            raise BadInput({"document": _("This document expired on %(day)s and cannot be reused.")
                            % {"day": document.valid_until.strftime("%d/%m/%Y")}})
        catalog, name = _component_target(locked, component_name_or_catalog_id, document)
        stored = store_file(locked, (document.original_name, _read_verified(document)), FileKind.COMPONENT, actor)
        component = None
        if catalog is not None:
            component = locked.components.filter(
                catalog_component=catalog, file__isnull=True, reused=False, from_national_store=False,
            ).order_by("order", "id").first()
        if component is not None:
            component.file, component.digitized, component.reused = stored, True, True
            component.replaced_by_result_code = component.replaced_by_result_code or document.result_code[:64]
            component.save(update_fields=["file", "digitized", "reused", "replaced_by_result_code"])
        else:
            last = locked.components.aggregate(m=models.Max("order"))["m"] or 0
            component = DossierComponent.objects.create(
                dossier=locked, catalog_component=catalog, order=min(last + 1, 32767), name=name, file=stored,
                digitized=True, reused=True, replaced_by_result_code=document.result_code[:64],
                supplement=locked.supplement_requests.filter(supplied_at__isnull=True).order_by("-number").first()
                if locked.status == Status.SUPPLEMENT_REQUESTED else None,
            )
        use = DocumentUse.objects.create(document=document, dossier=locked, component=component, used_at=at,
                                         used_by=actor, used_by_role=role[:24], request_id=current_request_id() or "")
        # The dossier changed (a component): a new version (ETag) and a new sync to the national portal.
        Dossier.objects.filter(pk=locked.pk).update(version=models.F("version") + 1, has_digitized_components=True,
                                                    sync_state=SyncState.PENDING)
    use.created = True
    return use


def data_store_linked(dossiers):
    """`dossiers` that count for the Decision 766 data-store indicator: a component taken from a data store (this
    one, or the national portal's) or a result pushed to the applicant's store."""
    from congso.dossiers.models import DossierComponent as Component

    taken = Component.objects.filter(dossier=models.OuterRef("pk")).filter(
        models.Q(from_national_store=True) | models.Q(data_store_use__isnull=False))
    pushed = ResultDocument.objects.filter(dossier=models.OuterRef("pk"), pushed_to_data_store=True)
    return dossiers.filter(models.Exists(taken) | models.Exists(pushed))
