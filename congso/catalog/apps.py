from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "congso.catalog"
    label = "catalog"
    verbose_name = _("Procedure catalogue")

    def ready(self):
        # Field diffs of what a province changes in place (versions themselves are never edited once in force).
        from auditlog.registry import auditlog

        from congso.catalog import models

        auditlog.register(models.Procedure)
        auditlog.register(models.ProcedureVersion, exclude_fields=["search_text"])
        auditlog.register(models.Fee, include_fields=["amount_override"])
        auditlog.register(models.Implementation)
        auditlog.register(models.Process)
        auditlog.register(models.ProcessStep)
