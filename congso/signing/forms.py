"""Forms of the verification page and of the staff's signing endpoint."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    """Upload a PDF to check it (the file itself is validated by `congso.core.uploads.check_upload` in the view)."""

    file = forms.FileField(label=_("PDF file to check"), required=True,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
    token = forms.SlugField(required=False, max_length=43, widget=forms.HiddenInput)


class LookupForm(forms.Form):
    """Look a document up by the code printed under its QR code."""

    ma = forms.SlugField(label=_("Verification code"), max_length=43)


class IssueForm(forms.Form):
    """What the workspace posts to sign and issue an e-result (file validated by the service)."""

    file = forms.FileField(label=_("Result document (PDF)"))
    name = forms.CharField(label=_("Document name"), max_length=500, required=False)
    number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    catalog_result_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
