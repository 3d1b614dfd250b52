"""Admin helpers shared by the apps."""


class ReadOnlyAdminMixin:
    """For records that change only through services (dossiers) or not at all (logs): nothing can be added,
    changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
