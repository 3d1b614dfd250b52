from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatastoreConfig(AppConfig):
    name = "congso.datastore"
    label = "datastore"
    verbose_name = _("Applicant data store")

    def ready(self):
        from congso.datastore import signals  # noqa: F401 - connects the receivers
