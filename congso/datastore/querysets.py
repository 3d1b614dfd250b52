"""Who may see which documents of the applicant data store (house rule 3) — docs/datastore.md."""

from __future__ import annotations

from django.db import models


def reusable_statuses() -> frozenset:
    """A document can be reused while components are still being gathered: an online dossier waiting for
    acceptance, a received dossier at the desk, a dossier waiting for the applicant's supplement."""
    from congso.dossiers.choices import Status

    return frozenset({Status.NEW, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED})


def own_numbers(user) -> list[str]:
    """The personal numbers by which `user`'s documents kept without an account are found: the citizen ID and tax
    code of an account whose identity was verified through the e-ID (anyone may type a number; only a verified
    account proves it is theirs)."""
    if not getattr(user, "is_eid_verified", False):
        return []
    return [n for n in (user.citizen_id, user.tax_code) if n]


def handled_dossiers(user):
    """Dossiers on which `user` holds a handling role (desk officer, specialist, department head, agency leader) at
    the receiving, handling or holding agency: the staff who see the applicant's personal data in full."""
    from congso.dossiers.models import Dossier
    from congso.org.scoping import member_agencies
    from congso.privacy.disclosure import HANDLING_ROLES

    agencies = sorted({agency.pk for agency, role in member_agencies(user) if role in HANDLING_ROLES})
    if not agencies:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        models.Q(receiving_agency__in=agencies) | models.Q(handling_agency__in=agencies)
        | models.Q(current_agency__in=agencies)
    )


def applicant_condition(dossier) -> models.Q:
    """Documents that belong to the applicant of `dossier`: by the dossier's account, or by its applicant number
    (as a document's number, or as the number of the owning account)."""
    condition = models.Q(pk__in=[])
    if dossier.applicant_id is not None:
        condition |= models.Q(owner_id=dossier.applicant_id)
    number = (dossier.applicant_id_number or "").strip()
    if number:
        condition |= (models.Q(owner_id_number=number) | models.Q(owner__citizen_id=number)
                      | models.Q(owner__tax_code=number))
    return condition


class ApplicantDocumentQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The user's own store: documents of their account, and documents kept by their verified personal number
        that no other account owns."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        condition = models.Q(owner=user)
        numbers = own_numbers(user)
        if numbers:
            condition |= models.Q(owner__isnull=True, owner_id_number__in=numbers)
        return self.filter(condition)

    def linked_to(self, dossiers):
        """Documents that came from, or were reused in, one of `dossiers`."""
        from congso.datastore.models import DocumentUse

        used = DocumentUse.objects.filter(document=models.OuterRef("pk"), dossier__in=dossiers)
        return self.filter(models.Q(source_dossier__in=dossiers) | models.Exists(used))

    def for_user(self, user, dossier=None):
        """Documents `user` may see.

        - Applicants (and anyone, for their own documents): their own store.
        - Staff: documents that came from or were reused in a dossier they handle (`handled_dossiers`).
        - With `dossier` (which the caller has already found through `Dossier.objects.for_user`): also, for the
          desk officers and leaders of its receiving agency, who check the applicant's identity, every document of
          the dossier's applicant (to choose what to reuse), while the dossier's components are being gathered.
        - Superusers: all.
        """
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        visible = self.owned_by(user)
        if getattr(user, "account_type", "") == "staff":
            visible = visible | self.linked_to(handled_dossiers(user).values("pk"))
        # The applicant's own access stays `owned_by` (the number on their own dossier is only what they typed); the
        # desk sees the applicant's store only while the dossier's components are being gathered.
        if dossier is not None and dossier.status in reusable_statuses() \
                and may_act_for_applicant(user, dossier) not in ("", "applicant"):
            visible = visible | self.filter(applicant_condition(dossier))
        return visible.distinct()


def may_act_for_applicant(user, dossier) -> str:
    """The role in which `user` may use the data store of `dossier`'s applicant on that dossier ("applicant", a desk
    role at the receiving agency, "superuser"), or "" if they may not."""
    from congso.dossiers.services.common import role_in
    from congso.org.choices import Role

    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return "applicant"
    membership = role_in(user, dossier.receiving_agency, [Role.DESK_OFFICER, Role.AGENCY_LEADER])
    if membership is not None:
        return str(membership.role)
    if user.is_superuser:
        return "superuser"
    return ""
