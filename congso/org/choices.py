from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    """Administrative level (cấp). The district level was abolished on 1 July 2025 (two-tier local government)."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class UnitType(models.TextChoices):
    """The kind of unit within a level, as the official lists name it."""

    PROVINCE = "tinh", _("Province (tỉnh)")
    CENTRAL_CITY = "thanh_pho_tw", _("Centrally governed city")
    URBAN_DISTRICT = "quan", _("Urban district (quận)")
    RURAL_DISTRICT = "huyen", _("Rural district (huyện)")
    TOWN = "thi_xa", _("Town (thị xã)")
    PROVINCIAL_CITY = "thanh_pho", _("Provincial city")
    COMMUNE = "xa", _("Commune (xã)")
    WARD = "phuong", _("Ward (phường)")
    TOWNSHIP = "thi_tran", _("Township (thị trấn)")
    SPECIAL_ZONE = "dac_khu", _("Special zone (đặc khu)")


class SuccessionKind(models.TextChoices):
    """A change to administrative units (sắp xếp đơn vị hành chính), recorded as an event."""

    ESTABLISH = "establish", _("Establish")
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Rename")
    REPARENT = "reparent", _("Re-parent")
    DISSOLVE = "dissolve", _("Dissolve")


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    DEPARTMENT = "department", _("Provincial department or agency")
    SERVICE_CENTRE = "service_centre", _("Public administration service centre")
    POLICE = "police", _("Police")
    SUB_UNIT = "sub_unit", _("Subordinate unit")
    CENTRAL = "central", _("Central agency")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    """What a person may do in an agency (vai trò)."""

    DESK_OFFICER = "desk_officer", _("Desk officer")
    SPECIALIST = "specialist", _("Specialist")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    AGENCY_LEADER = "agency_leader", _("Agency leader")
    CLERK = "clerk", _("Clerk")
    PROVINCIAL_MONITOR = "provincial_monitor", _("Provincial monitor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that see every agency below the one they belong to, and not only their own department.
AGENCY_WIDE_ROLES = {Role.AGENCY_LEADER, Role.ADMINISTRATOR, Role.PROVINCIAL_MONITOR, Role.CLERK, Role.DESK_OFFICER}
# Roles that may change the organisation (staff, memberships, departments) of their agency and those below it.
MANAGING_ROLES = {Role.ADMINISTRATOR}
