"""Choices of the printed one-stop forms (biểu mẫu một cửa, Circular 03/2025/TT-VPCP, Phụ lục I)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FormKind(models.TextChoices):
    """The seven forms of Phụ lục I, in the order and numbering of Circular 03/2025."""

    RECEIPT = "receipt", _("01 Dossier receipt and appointment slip")
    SUPPLEMENT = "supplement", _("02 Request to supplement the dossier")
    REFUSAL = "refusal", _("03 Refusal to accept the dossier")
    APOLOGY = "apology", _("04 Apology and request to extend the time limit")
    STOP = "stop", _("05 Notice of stopping the handling")
    CONTROL_SHEET = "control_sheet", _("06 Dossier processing control sheet")
    REGISTER = "register", _("07 Dossier register")


# The form number in Phụ lục I of 03/2025 and the URL slug under /in/ (Vietnamese, diacritics folded).
FORM_NUMBERS = {
    FormKind.RECEIPT: "01",
    FormKind.SUPPLEMENT: "02",
    FormKind.REFUSAL: "03",
    FormKind.APOLOGY: "04",
    FormKind.STOP: "05",
    FormKind.CONTROL_SHEET: "06",
    FormKind.REGISTER: "07",
}
FORM_SLUGS = {
    FormKind.RECEIPT: "giay-tiep-nhan",
    FormKind.SUPPLEMENT: "phieu-yeu-cau-bo-sung",
    FormKind.REFUSAL: "phieu-tu-choi",
    FormKind.APOLOGY: "van-ban-xin-loi",
    FormKind.STOP: "thong-bao-dung",
    FormKind.CONTROL_SHEET: "phieu-kiem-soat",
    FormKind.REGISTER: "so-theo-doi",
}
KIND_BY_SLUG = {slug: kind for kind, slug in FORM_SLUGS.items()}
PER_DOSSIER_KINDS = [kind for kind in FormKind if kind != FormKind.REGISTER]


class PaperSize(models.TextChoices):
    A5 = "A5", "A5 (148 × 210 mm)"
    A4 = "A4", "A4 (210 × 297 mm)"


class Orientation(models.TextChoices):
    PORTRAIT = "portrait", _("Portrait")
    LANDSCAPE = "landscape", _("Landscape")


class TemplateStatus(models.TextChoices):
    """Only published versions are ever used for printing; a draft can be previewed, a withdrawn one is kept."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
