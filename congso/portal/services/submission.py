"""Online submission (nộp hồ sơ trực tuyến): drafts and their files, and turning a draft into a dossier.

A draft keeps what the applicant typed and the files they uploaded, so a long form can be finished later. Submitting
creates the dossier through the engine (`create_dossier`, channel online, status "new"), reuses the chosen papers of
the applicant's data store (`reuse_in_dossier`, the component flagged reused) and deletes the draft — all in one
transaction, so a refused submission leaves the draft as it was and no file behind.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from congso.accounts.models import AccountType
from congso.catalog.choices import OnlineMode
from congso.catalog.models import Implementation
from congso.core.storage import files_rolled_back, remember_written
from congso.datastore.models import ApplicantDocument
from congso.datastore.services import reuse_in_dossier
from congso.dossiers.choices import ApplicantKind, Channel
from congso.dossiers.files import check
from congso.dossiers.services.common import BadInput, Forbidden
from congso.dossiers.services.creation import ComponentInput, DossierInput, create_dossier
from congso.portal.models import Draft, DraftFile

ONLINE_MODES = (OnlineMode.PARTIAL, OnlineMode.FULL)
APPLICANT_FIELDS = ["applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                    "applicant_address", "summary"]


def online_implementations(version):
    """The agencies that take this procedure version online."""
    if version is None:
        return Implementation.objects.none()
    return (Implementation.objects.filter(version=version, active=True, online_mode__in=ONLINE_MODES)
            .select_related("agency").order_by("agency__name"))


def online_fee(fee) -> int | None:
    """What an online applicant pays for a fee item: the reduced online amount where set."""
    if fee.online_amount is not None:
        return fee.online_amount
    return fee.effective_amount


def may_submit_online(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.account_type != AccountType.STAFF)


def prefill(user) -> dict:
    """The applicant fields taken from the profile."""
    is_org = user.account_type == AccountType.ORGANISATION
    return {
        "applicant_name": user.organisation_name if is_org and user.organisation_name else user.display_name,
        "applicant_id_number": (user.tax_code if is_org else user.citizen_id) or "",
        "applicant_phone": user.phone or "",
        "applicant_email": user.email or "",
        "applicant_address": user.address or "",
        "summary": "",
    }


def reusable_documents(user):
    """Documents of the user's data store that can be reused (not expired), newest first."""
    from django.db.models import Q
    from django.utils import timezone

    return ApplicantDocument.objects.owned_by(user).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))


def _store_draft_file(draft: Draft, component, checked) -> DraftFile:
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    record = DraftFile(draft=draft, component=component, stored_name=stored_name, original_name=checked.safe_name,
                       content_type=checked.content_type, size=checked.size, sha256=checked.sha256)
    record.file.save(stored_name, ContentFile(checked.content), save=False)
    remember_written(record.file.name)
    record.save()
    return record


def _delete_files_after_commit(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:  # pragma: no cover - a leftover file is harmless, the row is gone
                pass

    if names:
        transaction.on_commit(delete, robust=True)


def save_draft(user, *, implementation, data: dict, uploads: dict, remove: set, reuse: dict,
               draft: Draft | None = None) -> Draft:
    """Create or update a draft. `uploads` maps catalogue component ids to uploaded files, `remove` lists
    components whose draft file to drop, `reuse` maps component ids to data-store document ids (or None).
    Every file passes the upload validator before anything is written; bad files raise BadInput."""
    if not may_submit_online(user):
        raise Forbidden(_("Log in with a citizen or organisation account to submit online."))
    if draft is not None and draft.owner_id != user.pk:
        raise Forbidden()
    version = implementation.version
    components = {c.pk: c for c in version.components.all()}
    errors, checked = {}, {}
    for component_id, upload in uploads.items():
        if component_id not in components:
            errors[f"component-{component_id}"] = _("This component does not belong to the procedure.")
            continue
        try:
            checked[component_id] = check(upload)
        except ValidationError as exc:
            errors[f"component-{component_id}"] = exc.messages[0]
    mine = set(reusable_documents(user).filter(pk__in=[d for d in reuse.values() if d]).values_list("pk", flat=True))
    clean_reuse = {}
    for component_id, document_id in reuse.items():
        if not document_id:
            continue
        if component_id not in components or document_id not in mine:
            errors[f"component-{component_id}"] = _("Choose a document of your own data store.")
            continue
        clean_reuse[str(component_id)] = document_id
    if errors:
        raise BadInput(errors)
    values = {key: str(data.get(key) or "")[:1000] for key in APPLICANT_FIELDS}
    values["reuse"] = clean_reuse
    with files_rolled_back(), transaction.atomic():
        if draft is None:
            draft = Draft.objects.create(owner=user, procedure=version.procedure, agency=implementation.agency,
                                         data=values)
        else:
            draft = Draft.objects.select_for_update().get(pk=draft.pk, owner=user)
            draft.agency = implementation.agency
            draft.data = values
            draft.save()
        replaced = [component_id for component_id in checked] + [c for c in remove if c not in checked]
        old = list(DraftFile.objects.filter(draft=draft, component_id__in=replaced))
        _delete_files_after_commit([f.file.name for f in old])
        DraftFile.objects.filter(pk__in=[f.pk for f in old]).delete()
        for component_id, checked_file in checked.items():
            _store_draft_file(draft, components[component_id], checked_file)
    return draft


def delete_draft(user, draft: Draft) -> None:
    if draft.owner_id != user.pk:
        raise Forbidden()
    with transaction.atomic():
        files = list(DraftFile.objects.filter(draft=draft))
        _delete_files_after_commit([f.file.name for f in files])
        draft.delete()


def _read(draft_file: DraftFile) -> tuple[str, bytes]:
    with draft_file.file.open("rb") as handle:
        return draft_file.original_name, handle.read()


def submit_draft(user, draft: Draft):
    """Turn the draft into an online dossier (status "new") and delete the draft. Raises BadInput (with the
    field errors) when something required is missing; nothing changes then."""
    if draft.owner_id != user.pk or not may_submit_online(user):
        raise Forbidden()
    version = draft.procedure.current_version
    implementation = online_implementations(version).filter(agency=draft.agency).first()
    if implementation is None:
        raise BadInput({"agency": _("This agency no longer takes this procedure online.")})
    files = {f.component_id: f for f in draft.files.all()}
    reuse = {int(k): v for k, v in (draft.data.get("reuse") or {}).items()}
    errors, components = {}, []
    for component in version.components.all():
        has_file, reused = component.pk in files, component.pk in reuse
        if component.required and not component.case and not (has_file or reused):
            errors[f"component-{component.pk}"] = _("Attach this paper or choose it from your data store.")
            continue
        if not (has_file or reused):
            continue
        components.append(ComponentInput(
            catalog_component_id=component.pk, originals=component.originals or 0,
            certified_copies=component.certified_copies or 0, photocopies=component.photocopies or 0,
            file=_read(files[component.pk]) if has_file else None,
        ))
    if not components and not errors:
        errors["components"] = _("Attach at least one paper.")
    if errors:
        raise BadInput(errors)
    data = draft.data
    kind = ApplicantKind.ORGANISATION if user.account_type == AccountType.ORGANISATION else ApplicantKind.PERSON
    dossier_input = DossierInput(
        procedure_code=draft.procedure.code, handling_agency_code=draft.agency.code, channel=Channel.ONLINE,
        applicant_kind=kind, applicant_name=data.get("applicant_name", ""),
        applicant_id_number=data.get("applicant_id_number", ""), applicant_phone=data.get("applicant_phone", ""),
        applicant_email=data.get("applicant_email", ""), applicant_address=data.get("applicant_address", ""),
        summary=data.get("summary", ""), components=components,
    )
    with files_rolled_back(), transaction.atomic():
        # The draft row is locked so that a double click submits once: the second waits, then finds no draft.
        if not Draft.objects.select_for_update().filter(pk=draft.pk).exists():
            raise BadInput({"draft": _("This draft was already submitted or deleted.")})
        dossier = create_dossier(dossier_input, user, accept=False)
        for component_id, document_id in reuse.items():
            if any(c.catalog_component_id == component_id for c in components if c.file is None):
                reuse_in_dossier(document_id, dossier, component_id, user)
        _delete_files_after_commit([f.file.name for f in files.values()])
        draft.delete()
    dossier.refresh_from_db()
    return dossier
