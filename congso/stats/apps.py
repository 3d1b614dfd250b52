from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "congso.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from congso.stats.signals import connect

        connect()
