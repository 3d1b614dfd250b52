"""Administration of the calendar: administrators confirm seeded days, correct them and add announced swaps."""

from django.contrib import admin
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from congso.workcalendar.choices import DayStatus
from congso.workcalendar.models import CalendarDay, WorkSchedule


class YearListFilter(admin.SimpleListFilter):
    """Filter calendar days by year (năm); the years offered are those that have rows."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .annotate(year=ExtractYear("date"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "status", "active", "source")
    list_filter = (YearListFilter, "kind", "status", "active")
    search_fields = ("name", "source", "note")
    date_hierarchy = "date"
    ordering = ("date",)
    list_per_page = 100
    actions = ("mark_official",)

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        from django.utils.formats import date_format

        return date_format(obj.date, "l")

    @admin.action(description=_("Mark selected days as official"))
    def mark_official(self, request, queryset):
        # Saved one by one so that signals forget the cached calendar and the audit log sees each change.
        for day in queryset:
            day.status = DayStatus.OFFICIAL
            day.save(update_fields=["status", "updated_at"])


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "valid_from", "morning_start", "morning_end", "afternoon_start", "afternoon_end")
    ordering = ("valid_from",)
    search_fields = ("name",)
