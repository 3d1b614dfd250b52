"""Administration of the queue: service groups (kiosk buttons) and counters, in Vietnamese through the catalogue.
An agency's administrators see and change only their agencies' records; tickets are read-only (the queue's log)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congso.org.models import Agency
from congso.queueing.models import Counter, ServiceGroup, Ticket, TicketEvent


class AgencyScopedAdmin(admin.ModelAdmin):
    """Non-superusers see and may pick only the agencies they administer (`Agency.objects.for_user(…, "change")`)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(agency__in=Agency.objects.for_user(request.user, "change"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency" and not request.user.is_superuser:
            kwargs["queryset"] = Agency.objects.for_user(request.user, "change")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ServiceGroup)
class ServiceGroupAdmin(AgencyScopedAdmin):
    list_display = ["prefix", "name", "agency", "order", "is_active"]
    list_display_links = ["prefix", "name"]
    list_filter = ["is_active", "agency"]
    search_fields = ["name", "prefix", "agency__name", "agency__code"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["fields"]
    ordering = ["agency", "order", "prefix"]


@admin.register(Counter)
class CounterAdmin(AgencyScopedAdmin):
    list_display = ["number", "name", "agency", "served_groups", "is_open", "officer", "is_active"]
    list_display_links = ["number", "name"]
    list_filter = ["is_open", "is_active", "agency"]
    search_fields = ["name", "agency__name", "agency__code"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["groups"]
    readonly_fields = ["is_open", "officer", "opened_at"]
    fieldsets = [
        (None, {"fields": ["agency", "number", "name", "groups", "is_active"]}),
        (_("Now"), {"fields": ["is_open", "officer", "opened_at"],
                    "description": _("Officers open and close their counter on the counter page, not here.")}),
    ]

    @admin.display(description=_("groups served"))
    def served_groups(self, obj):
        return ", ".join(f"{g.prefix} {g.name}" for g in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "officer").prefetch_related("groups")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = ServiceGroup.objects.filter(agency__in=Agency.objects.for_user(request.user, "change"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "counter", "user", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(AgencyScopedAdmin):
    list_display = ["display_number", "day", "agency", "group", "status", "taken_at", "called_at", "counter"]
    list_filter = ["status", "day", "agency"]
    search_fields = ["agency__code", "phone"]
    date_hierarchy = "day"
    inlines = [TicketEventInline]

    @admin.display(description=pgettext_lazy("queue", "number"), ordering="number")
    def display_number(self, obj):
        return obj.display_number

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "group", "counter")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
