from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from congso.accounts.models import User
from congso.org.models import Membership
from congso.org.scoping import visible_users


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["agency", "department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "email", "account_type", "is_active", "is_staff"]
    list_filter = ["account_type", "is_active", "is_staff", "is_superuser", "require_two_factor"]
    search_fields = ["username", "full_name", "email", "citizen_id", "tax_code", "phone"]
    ordering = ["username"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person or organisation"), {"fields": (
            "account_type", "full_name", "email", "phone", "citizen_id", "tax_code", "organisation_name",
            "date_of_birth", "address",
        )}),
        (_("External e-ID"), {"fields": ("eid_issuer", "eid_subject", "eid_verified_at")}),
        (_("Permissions"), {"fields": (
            "is_active", "is_staff", "is_superuser", "require_two_factor", "groups", "user_permissions",
        )}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": (
            "username", "full_name", "email", "account_type", "password1", "password2",
        )}),
    )

    def get_queryset(self, request):
        return visible_users(request.user, "view")
