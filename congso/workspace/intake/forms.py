"""Forms of the desk intake wizard. Messages are English in the source and shown in Vietnamese (the default)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from congso.core.uploads import check_upload, max_upload_bytes
from congso.core.validators import normalize_phone, validate_citizen_id, validate_phone, validate_tax_code
from congso.dossiers.choices import ApplicantKind

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_COUNT = 100


def clean_text(value: str) -> str:
    """Trimmed text without control characters (a name pasted from elsewhere may carry some)."""
    return _CONTROL.sub("", value or "").strip()


class ApplicantForm(forms.Form):
    """Step 2: the applicant (người nộp hồ sơ), a person or an organisation."""

    kind = forms.ChoiceField(label=_("Applicant"), choices=ApplicantKind.choices, widget=forms.RadioSelect,
                             initial=ApplicantKind.PERSON)
    name = forms.CharField(label=_("Full name or organisation name"), max_length=255)
    id_number = forms.CharField(label=_("Citizen ID (12 digits) or tax code"), max_length=14)
    representative = forms.CharField(label=_("Legal representative (organisations)"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False,
                             error_messages={"invalid": _("Enter a valid e-mail address.")})
    address = forms.CharField(label=_("Address"), max_length=500, required=False)

    def clean_name(self):
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise ValidationError(_("The applicant's name is required."))
        return name

    def clean_representative(self):
        return clean_text(self.cleaned_data.get("representative"))

    def clean_address(self):
        return clean_text(self.cleaned_data.get("address"))

    def clean_phone(self):
        phone = clean_text(self.cleaned_data.get("phone"))
        if not phone:
            return ""
        validate_phone(phone)
        return normalize_phone(phone)

    def clean(self):
        data = super().clean()
        kind, number = data.get("kind"), re.sub(r"\s", "", data.get("id_number") or "")
        if kind and "id_number" not in self.errors:
            try:
                if kind == ApplicantKind.ORGANISATION:
                    validate_tax_code(number)
                else:
                    validate_citizen_id(number)
            except ValidationError as exc:
                self.add_error("id_number", exc)
            else:
                data["id_number"] = number
        if kind == ApplicantKind.ORGANISATION and not data.get("representative") and "representative" not in self.errors:
            self.add_error("representative", _("Name the organisation's legal representative."))
        if kind == ApplicantKind.PERSON:
            data["representative"] = ""
        return data


def _count_field(label, initial):
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_COUNT, initial=initial,
                              error_messages={"invalid": _("Enter a whole number."),
                                              "min_value": _("Numbers of papers run from 0 to 100."),
                                              "max_value": _("Numbers of papers run from 0 to 100.")})


class ComponentsForm(forms.Form):
    """Step 3: the checklist of the procedure version's components (thành phần hồ sơ), with counts of originals,
    certified copies and photocopies, and one file (upload or scan) per component."""

    def __init__(self, *args, components=(), saved=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.components = list(components)
        self.saved = saved or {}
        for component in self.components:
            key = str(component.pk)
            previous = self.saved.get(key) or {}
            defaults = default_counts(component)
            self.fields[f"received_{key}"] = forms.BooleanField(
                label=_("Handed in"), required=False, initial=previous.get("received", False))
            self.fields[f"originals_{key}"] = _count_field(_("Originals"), previous.get("originals", defaults[0]))
            self.fields[f"certified_{key}"] = _count_field(
                _("Certified copies"), previous.get("certified_copies", defaults[1]))
            self.fields[f"photocopies_{key}"] = _count_field(_("Photocopies"), previous.get("photocopies", defaults[2]))
            self.fields[f"file_{key}"] = forms.FileField(
                label=_("Upload a file"), required=False,
                widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
            self.fields[f"scan_{key}"] = forms.FileField(
                label=_("Scan with the camera"), required=False,
                widget=forms.FileInput(attrs={"accept": "application/pdf,image/*", "capture": "environment"}))
            self.fields[f"remove_{key}"] = forms.BooleanField(label=_("Remove the file"), required=False)
        self.checked_files: dict[str, object] = {}

    def rows(self):
        """What the template lays out: one row per component with its bound fields and the file already kept."""
        for component in self.components:
            key = str(component.pk)
            yield {
                "component": component, "key": key, "received": self[f"received_{key}"],
                "originals": self[f"originals_{key}"], "certified": self[f"certified_{key}"],
                "photocopies": self[f"photocopies_{key}"], "file": self[f"file_{key}"], "scan": self[f"scan_{key}"],
                "remove": self[f"remove_{key}"], "kept": (self.saved.get(key) or {}).get("file"),
            }

    def clean(self):
        data = super().clean()
        for component in self.components:
            key = str(component.pk)
            upload, scan = data.get(f"file_{key}"), data.get(f"scan_{key}")
            if upload and scan:
                self.add_error(f"file_{key}", _("Give either an uploaded file or a scan, not both."))
                continue
            given = upload or scan
            field = f"file_{key}" if upload or not scan else f"scan_{key}"
            if given:
                content = given.read(max_upload_bytes() + 1)
                try:
                    self.checked_files[key] = check_upload(content, given.name or "")
                except ValidationError as exc:
                    self.add_error(field, exc)
                    continue
            received = data.get(f"received_{key}")
            kept = (self.saved.get(key) or {}).get("file") and not data.get(f"remove_{key}")
            if (given or kept) and not received:
                self.add_error(f"received_{key}", _("Tick the component to keep its file."))
            if component.required and not received:
                self.add_error(f"received_{key}", _("This component is required: tick it when you have received it."))
            counts = [data.get(f"{name}_{key}") for name in ("originals", "certified", "photocopies")]
            if received and None not in counts and sum(counts) == 0 and not (given or kept):
                self.add_error(f"originals_{key}", _("Give the number of papers received, or attach a file."))
        return data


def default_counts(component) -> tuple[int, int, int]:
    """The catalogue's numbers of originals / certified copies / photocopies; one original when it says nothing."""
    counts = (component.originals or 0, component.certified_copies or 0, component.photocopies or 0)
    return counts if any(counts) else (1, 0, 0)


class ReviewForm(forms.Form):
    """Step 4: fees paid now or later, and the idempotency token of this draft."""

    PAY_CHOICES = [("now", _("Paid now at the desk")), ("later", _("To be paid later"))]

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    payment = forms.ChoiceField(label=_("Fees"), choices=PAY_CHOICES, widget=forms.RadioSelect, initial="later")


class RefuseForm(forms.Form):
    """Refusal at intake (từ chối tiếp nhận, Mẫu 03): the reason is required and printed on the slip."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(label=_("Reason for refusing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self):
        reason = clean_text(self.cleaned_data["reason"].replace("\r\n", "\n"))
        if not reason:
            raise ValidationError(_("Give the reason."))
        return reason
