"""Forms of the portal. Messages are English in the source and Vietnamese on the page (the default language)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from congso.accounts.models import AccountType
from congso.core.validators import normalize_phone, validate_citizen_id, validate_phone, validate_tax_code


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Dossier code"), max_length=64,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    factor = forms.CharField(label=_("Phone number or citizen ID / tax code of the applicant"), max_length=20,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
                             help_text=_("As written on the dossier, e.g. 0912345678."))


class RegistrationForm(forms.Form):
    account_type = forms.ChoiceField(
        label=_("I register as"), widget=forms.RadioSelect, initial=AccountType.CITIZEN,
        choices=[(AccountType.CITIZEN, _("A citizen")), (AccountType.ORGANISATION, _("An organisation or business"))],
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    citizen_id = forms.CharField(label=_("Citizen ID number (12 digits)"), max_length=12, required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=255, required=False,
                                        widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    tax_code = forms.CharField(label=_("Tax code"), max_length=14, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("At least 8 characters, not only digits, not a common password."))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists() or \
                get_user_model().objects.filter(username__iexact=email).exists():
            raise ValidationError(_("An account with this e-mail already exists. Log in, or reset the password."))
        return email

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        validate_phone(phone)
        return normalize_phone(phone)

    def clean(self):
        data = super().clean()
        User = get_user_model()
        kind = data.get("account_type")
        if kind == AccountType.CITIZEN:
            if not (data.get("full_name") or "").strip():
                self.add_error("full_name", _("Enter your full name."))
            number = (data.get("citizen_id") or "").strip()
            if not number:
                self.add_error("citizen_id", _("Enter your citizen ID number."))
            else:
                try:
                    validate_citizen_id(number)
                except ValidationError as exc:
                    self.add_error("citizen_id", exc)
                else:
                    if User.objects.filter(citizen_id=number).exists():
                        self.add_error("citizen_id", _("An account with this citizen ID already exists."))
        elif kind == AccountType.ORGANISATION:
            if not (data.get("organisation_name") or "").strip():
                self.add_error("organisation_name", _("Enter the organisation's name."))
            number = (data.get("tax_code") or "").strip()
            if not number:
                self.add_error("tax_code", _("Enter the tax code."))
            else:
                try:
                    validate_tax_code(number)
                except ValidationError as exc:
                    self.add_error("tax_code", exc)
                else:
                    if User.objects.filter(tax_code=number).exists():
                        self.add_error("tax_code", _("An account with this tax code already exists."))
        password = data.get("password1")
        if password and data.get("password2") != password:
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            probe = User(email=data.get("email") or "", full_name=data.get("full_name") or "",
                         username=(data.get("email") or "").lower())
            try:
                password_validation.validate_password(password, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ResendForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class ProfileForm(forms.ModelForm):
    """The applicant's own details. The citizen ID of an e-ID-verified account comes from the e-ID and is locked."""

    class Meta:
        model = get_user_model()
        fields = ["full_name", "organisation_name", "citizen_id", "tax_code", "phone", "date_of_birth", "address"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance
        if user.account_type == AccountType.ORGANISATION:
            for name in ("citizen_id", "date_of_birth"):
                self.fields.pop(name)
            self.fields["organisation_name"].required = True
            self.fields["tax_code"].required = True
        else:
            self.fields.pop("organisation_name")
            self.fields.pop("tax_code")
            self.fields["full_name"].required = True
            if user.is_eid_verified and user.citizen_id:
                self.fields["citizen_id"].disabled = True
                self.fields["citizen_id"].help_text = _("Confirmed by the national e-ID; it cannot be changed here.")
        self.fields["phone"].required = True

    def clean_phone(self):
        phone = self.cleaned_data.get("phone") or ""
        return normalize_phone(phone) if phone else phone


class ApplicantForm(forms.Form):
    """The applicant part of an online submission, prefilled from the profile."""

    applicant_name = forms.CharField(label=_("Applicant's name"), max_length=255)
    applicant_id_number = forms.CharField(label=_("Citizen ID or tax code"), max_length=14, required=False)
    applicant_phone = forms.CharField(label=_("Phone"), max_length=16, required=False)
    applicant_email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    applicant_address = forms.CharField(label=_("Address"), max_length=500, required=False)
    summary = forms.CharField(label=_("What you ask for (optional)"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    declaration = forms.BooleanField(
        label=_("I declare that the information and papers in this dossier are true and complete."),
        required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why do you withdraw the dossier?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("Yes, withdraw this dossier. This cannot be undone."))


class RatingForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with how your dossier was handled?"), widget=forms.RadioSelect,
        choices=[("yes", _("Satisfied")), ("no", _("Not satisfied"))], coerce=lambda value: value == "yes")
    comment = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class SupplyForm(forms.Form):
    note = forms.CharField(label=_("Note to the agency (optional)"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
