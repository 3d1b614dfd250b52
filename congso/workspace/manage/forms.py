"""Forms of the daily administration pages: an internal process's steps, a calendar day."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from congso.org.choices import Role
from congso.workcalendar.models import CalendarDay

# Roles that act on a dossier step (monitors, clerks and administrators do not handle steps).
STEP_ROLES = [(r.value, r.label) for r in (Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD,
                                           Role.AGENCY_LEADER)]


class ProcessForm(forms.Form):
    name = forms.CharField(label=_("Name of the process"), max_length=255, required=False)
    hours_per_day = forms.IntegerField(label=_("Working hours per day"), min_value=1, max_value=24, initial=8)


class StepForm(forms.Form):
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=99)
    name = forms.CharField(label=_("Step"), max_length=255)
    role = forms.ChoiceField(label=_("Acting role"), choices=[("", "—"), *STEP_ROLES], required=False)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    agency = forms.TypedChoiceField(label=_("Handling agency"), required=False, coerce=int, empty_value=None)
    share = forms.DecimalField(label=_("Share of the time"), min_value=Decimal(0), max_digits=9, decimal_places=4)

    def __init__(self, *args, departments=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *[(d.pk, str(d)) for d in departments]]
        self.fields["agency"].choices = [("", _("This agency")), *[(a.pk, a.name) for a in agencies]]

    def clean(self):
        data = super().clean()
        if not data.get("role") and not data.get("department") and "role" not in self.errors:
            self.add_error("role", _("Give the acting role or the department."))
        return data


class BaseStepFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), **self.form_kwargs}


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=1, can_delete=True, max_num=30,
                                    validate_max=True)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "status", "source", "note", "active"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "note": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        # The model's own checks (weekday rules) run in the service, inside its transaction.
        pass
