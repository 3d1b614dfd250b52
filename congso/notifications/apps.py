from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "congso.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from congso.dossiers.signals import event_recorded
        from congso.notifications import receivers
        from congso.notifications.sms import on_event_recorded_sms

        event_recorded.connect(receivers.on_event_recorded, dispatch_uid="congso.notifications.on_event_recorded")
        # The SMS twin of each applicant notice (when an SMS gateway is configured and the applicant has a phone).
        event_recorded.connect(on_event_recorded_sms, dispatch_uid="congso.notifications.on_event_recorded_sms")
