"""Who may see which payment orders (house rule 3)."""

from __future__ import annotations

from django.db import models


class PaymentOrderQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """Applicants: the orders of their own dossiers. Staff: orders of the dossiers they may see. Nobody else."""
        from congso.accounts.models import AccountType
        from congso.dossiers.models import Dossier

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.account_type != AccountType.STAFF:
            return self.filter(dossier__applicant=user)
        return self.filter(dossier__in=Dossier.objects.for_user(user, action).values("pk"))
