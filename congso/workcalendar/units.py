"""Units of a duration (đơn vị thời gian) shared by the calendar engine and the procedure catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DurationUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("working days")
    WORKING_HOUR = "working_hour", _("working hours")
    CALENDAR_DAY = "calendar_day", _("calendar days")
