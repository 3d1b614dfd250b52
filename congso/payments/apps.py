from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "congso.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # The applicants' SMS notices (congso.notifications.sms) are connected here until the notifications app
        # connects them itself (docs/sms.md, "Wiring"); the shared dispatch_uid keeps it to one connection.
        from congso.dossiers.signals import event_recorded
        from congso.notifications.sms import on_event_recorded_sms

        event_recorded.connect(on_event_recorded_sms, dispatch_uid="congso.notifications.on_event_recorded_sms")
