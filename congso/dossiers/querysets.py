"""Who may see which dossiers (house rule 3)."""

from __future__ import annotations

from django.db import models


class DossierQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """Dossiers `user` may see.

        - Superusers and provincial monitors: all.
        - Staff: dossiers in which an agency in their scope (their agencies and those below) takes part —
          receiving, handling, or holding it after a transfer.
        - Applicants: their own dossiers only.
        """
        from congso.accounts.models import AccountType
        from congso.dossiers.models import DossierParticipant
        from congso.org.choices import Role
        from congso.org.models import Agency
        from congso.org.scoping import member_agencies

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.account_type != AccountType.STAFF:
            return self.filter(applicant=user)
        if action == "view" and any(role == Role.PROVINCIAL_MONITOR for _, role in member_agencies(user)):
            return self.all()
        agencies = Agency.objects.for_user(user, "view").values("pk")
        involved = DossierParticipant.objects.filter(dossier=models.OuterRef("pk"), agency__in=agencies)
        return self.filter(models.Exists(involved))

    def open(self):
        return self.filter(finished_at__isnull=True)
