from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "congso.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from congso.dossiers.signals import event_recorded
        from congso.notifications import receivers

        event_recorded.connect(receivers.on_event_recorded, dispatch_uid="congso.notifications.on_event_recorded")
