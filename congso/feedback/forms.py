from django import forms
from django.utils.translation import gettext_lazy as _

from congso.feedback.models import FeedbackSubject
from congso.org.models import Agency


class FeedbackForm(forms.Form):
    subject = forms.ChoiceField(label=_("About"), choices=FeedbackSubject.choices)
    agency = forms.ModelChoiceField(label=_("Agency"), required=False, to_field_name="code",
                                    queryset=Agency.objects.filter(valid_to__isnull=True).order_by("tree_path"))
    procedure_code = forms.CharField(label=_("Procedure code"), required=False, max_length=8,
                                     help_text=_("For example 1.000893"))
    dossier_code = forms.CharField(label=_("Dossier code"), required=False, max_length=64)
    sender_name = forms.CharField(label=_("Your name"), max_length=255)
    sender_email = forms.EmailField(label=_("E-mail"), required=False)
    sender_phone = forms.CharField(label=_("Phone"), required=False, max_length=16)
    title = forms.CharField(label=_("Title"), max_length=255)
    content = forms.CharField(label=_("Content"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class HandleForm(forms.Form):
    text = forms.CharField(label=_("Text"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
