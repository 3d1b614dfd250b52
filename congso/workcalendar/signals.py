"""Cross-cutting: forget the cached working calendar whenever a calendar row or a work schedule changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from congso.workcalendar.models import CalendarDay, WorkSchedule


@receiver(post_save, sender=CalendarDay, dispatch_uid="workcalendar_day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="workcalendar_day_deleted")
@receiver(post_save, sender=WorkSchedule, dispatch_uid="workcalendar_schedule_saved")
@receiver(post_delete, sender=WorkSchedule, dispatch_uid="workcalendar_schedule_deleted")
def _calendar_changed(sender, **kwargs):
    from congso.workcalendar.services import invalidate_calendar

    invalidate_calendar()
