"""Choices of the personal-data app (dữ liệu cá nhân, Decree 13/2023/NĐ-CP)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("View")
    DOWNLOAD = "download", _("Download")
    EXPORT = "export", _("Export")


class AccessTarget(models.TextChoices):
    DOSSIER = "dossier", _("Dossier")
    DOCUMENT = "document", _("Applicant document")
    EXPORT = "export", _("Export")


class AccessChannel(models.TextChoices):
    API = "api", _("API")
    UI = "ui", _("Web interface")


class DisclosureBasis(models.TextChoices):
    """Why personal numbers were shown unmasked (empty: they were masked)."""

    MASKED = "", _("Masked")
    APPLICANT = "applicant", _("The applicant themself")
    HANDLING = "handling", _("Staff handling the dossier")
    STATED_REASON = "stated_reason", _("Revealed with a stated reason")
