"""Choices of the procedure catalogue (danh mục thủ tục hành chính)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureStatus(models.TextChoices):
    """Status of a procedure on the national database (đang công khai / sửa đổi / bãi bỏ)."""

    PUBLISHED = "published", _("Published")
    AMENDED = "amended", _("Amended")
    ABOLISHED = "abolished", _("Abolished")


class Level(models.TextChoices):
    """Level at which a procedure is carried out (cấp thực hiện). The district level ended on 1 July 2025."""

    MINISTRY = "ministry", _("Ministry")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District (historical)")
    COMMUNE = "commune", _("Commune")
    OTHER = "other", _("Other agency")


class ApplicantType(models.TextChoices):
    """Who may apply (đối tượng thực hiện), as the national database lists them."""

    CITIZEN = "citizen", _("Vietnamese citizen")
    VIETNAMESE_ABROAD = "vietnamese_abroad", _("Vietnamese residing abroad")
    FOREIGNER = "foreigner", _("Foreigner")
    ORGANISATION = "organisation", _("Organisation")
    FOREIGN_ORGANISATION = "foreign_organisation", _("Foreign organisation")
    ENTERPRISE = "enterprise", _("Enterprise")
    FOREIGN_INVESTED_ENTERPRISE = "foreign_invested_enterprise", _("Foreign-invested enterprise")
    COOPERATIVE = "cooperative", _("Cooperative")
    CIVIL_SERVANT = "civil_servant", _("Civil servant or public employee")
    OTHER = "other", _("Other")


INDIVIDUAL_APPLICANT_TYPES = {
    ApplicantType.CITIZEN, ApplicantType.VIETNAMESE_ABROAD, ApplicantType.FOREIGNER, ApplicantType.CIVIL_SERVANT,
}


class Channel(models.TextChoices):
    """How a dossier is submitted (kênh thực hiện; DVCQG codes 1, 2, 3)."""

    DIRECT = "direct", _("In person")
    ONLINE = "online", _("Online")
    POSTAL = "postal", _("Public postal service")


class OnlineMode(models.TextChoices):
    """Online public service level under Decree 42/2022/NĐ-CP (dịch vụ công trực tuyến)."""

    NONE = "none", _("Not online")
    PARTIAL = "partial", _("Partly online")
    FULL = "full", _("Fully online")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Fee (phí)")
    CHARGE = "charge", _("Charge (lệ phí)")


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class ReviewReason(models.TextChoices):
    """Why a procedure version needs a person to check it (cần rà soát). Stored as these codes; a file may add
    free-text reasons beside them."""

    UNIT_INFERRED = "unit_inferred", _("The time-limit unit was inferred, not stated by the source")
    DURATION_UNKNOWN = "duration_unknown", _("The source gives no time limit")
    UNCERTAIN = "uncertain", _("The source marks a value as uncertain")
    FEE_SET_BY_PROVINCE = "fee_set_by_province", _("The fee is set by the provincial People's Council")
    FEE_AMOUNT_UNKNOWN = "fee_amount_unknown", _("A fee amount is not stated")
    FEE_UNKNOWN = "fee_unknown", _("The source says nothing about fees")
    COMPONENT_COUNT_UNKNOWN = "component_count_unknown", _("The number of copies of a component is not stated")
    APPLICANT_TYPES_UNKNOWN = "applicant_types_unknown", _("The applicant types are not stated")
    LEVELS_UNKNOWN = "levels_unknown", _("The implementing level is not stated")
    SOURCE_INCONSISTENT = "source_inconsistent", _("The source contradicts itself")
    STALE_CONTENT = "stale_content", _("The source content is out of date")
    DISTRICT_LEVEL_ABOLISHED = "district_level_abolished", _(
        "Only documented at the former district level; the new level is not verified"
    )
