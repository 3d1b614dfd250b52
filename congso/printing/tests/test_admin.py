"""The admin: a template that does not compile is refused with a clear error, a version in force is frozen, a
copy becomes a draft, and any version can be previewed as a PDF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from congso.accounts.models import User
from congso.printing.choices import FormKind, TemplateStatus
from congso.printing.models import FormTemplate


@pytest.fixture
def admin_client_(db):
    """A superuser who passed the second factor (the admin requires it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create(username="root", is_staff=True, is_superuser=True, account_type="staff")
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def form_data(**overrides):
    data = {"kind": FormKind.RECEIPT, "effective_from_0": "01/01/2030", "effective_from_1": "00:00:00",
            "status": TemplateStatus.DRAFT, "title": "GIẤY TIẾP NHẬN", "paper_size": "A5", "orientation": "portrait",
            "body": "<p>{{ dossier.code }}</p>", "css": "", "legal_source": "", "note": ""}
    data.update(overrides)
    return data


def test_a_template_that_does_not_compile_is_refused_in_the_admin(admin_client_):
    with translation.override("en"):
        response = admin_client_.post("/admin/printing/formtemplate/add/",
                                      form_data(body="{% for x in %}"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # the form again, with the error
    assert "does not compile" in response.content.decode()
    assert not FormTemplate.objects.filter(effective_from__year=2030).exists()


def test_a_valid_template_is_saved_by_the_admin(admin_client_):
    response = admin_client_.post("/admin/printing/formtemplate/add/", form_data())
    assert response.status_code == 302
    assert FormTemplate.objects.get(effective_from__year=2030).status == TemplateStatus.DRAFT


def test_a_version_in_force_is_frozen_and_can_be_copied_to_a_draft(admin_client_):
    current = FormTemplate.objects.get(kind=FormKind.RECEIPT)
    page = admin_client_.get(f"/admin/printing/formtemplate/{current.pk}/change/").content.decode()
    assert 'name="body"' not in page  # read-only
    response = admin_client_.post("/admin/printing/formtemplate/", {
        "action": "copy_as_draft", "_selected_action": [current.pk]})
    assert response.status_code == 302
    draft = FormTemplate.objects.get(kind=FormKind.RECEIPT, status=TemplateStatus.DRAFT)
    assert draft.body == current.body and draft.effective_from > current.effective_from
    page = admin_client_.get(f"/admin/printing/formtemplate/{draft.pk}/change/").content.decode()
    assert 'name="body"' in page  # a draft is editable


def test_preview_renders_any_version(admin_client_):
    for template in FormTemplate.objects.all():
        response = admin_client_.get(f"/admin/printing/formtemplate/{template.pk}/preview.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF-"), template.kind


def test_preview_is_for_admin_users_only(db, world):
    client = Client()
    client.force_login(world.desk)
    template = FormTemplate.objects.first()
    response = client.get(f"/admin/printing/formtemplate/{template.pk}/preview.pdf")
    assert response.status_code == 302  # to the admin login
