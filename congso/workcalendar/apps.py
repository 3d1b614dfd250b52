from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalendarConfig(AppConfig):
    """Days off, make-up days, working hours and the due-date engine (lịch làm việc, tính ngày hẹn trả)."""

    name = "congso.workcalendar"
    label = "workcalendar"
    verbose_name = _("Working calendar")

    def ready(self):
        from congso.workcalendar import signals  # noqa: F401 - connects the cache invalidation
