"""Choices of the working calendar."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """What a special date (ngày đặc biệt) means for the count of working time."""

    #: A weekday that is not worked: a public holiday, a compensation day (nghỉ bù) or a swapped day (nghỉ hoán đổi).
    DAY_OFF = "day_off", _("day off")
    #: A Saturday or Sunday that IS worked (ngày làm bù), in exchange for a swapped weekday.
    WORKING_DAY = "working_day", _("make-up working day")


class DayStatus(models.TextChoices):
    """Whether a row comes from a government announcement or still has to be checked by an administrator."""

    OFFICIAL = "official", _("official")
    UNCONFIRMED = "unconfirmed", _("unconfirmed")
