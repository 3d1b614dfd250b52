"""Forms of the kiosk and the counter page. Every form posts with a CSRF token; errors are shown in Vietnamese."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from congso.queueing.models import ServiceGroup


class TakeTicketForm(forms.Form):
    """The kiosk: each service is a submit button named `group` whose value is the group's prefix letter."""

    group = forms.CharField(max_length=1, error_messages={"required": _("Choose a service.")})
    phone = forms.CharField(
        label=_("Phone number for a text message when you are called (optional)"), max_length=20, required=False,
    )


class TransferForm(forms.Form):
    group = forms.ModelChoiceField(queryset=ServiceGroup.objects.none(), label=_("Move to group"),
                                   error_messages={"invalid_choice": _("Choose a group of this agency.")})

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = ServiceGroup.objects.offered().filter(agency=agency)


class LinkDossierForm(forms.Form):
    dossier = forms.CharField(label=_("Dossier code"), max_length=40)
