"""The admin of groups, counters and tickets: pages load, administrators see only their agencies' records."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from congso.dossiers.tests.conftest import make_user
from congso.org.choices import Role
from congso.queueing import services
from congso.queueing.models import ServiceGroup

HOSTILE = "<script>alert(1)</script>"


def verified_client(user) -> Client:
    """Logged in and past the second factor (the admin requires it of superusers and administrators)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def superuser(qw):
    return verified_client(make_user("root", is_superuser=True, is_staff=True))


def test_admin_pages_load_and_escape(qw, superuser):
    ServiceGroup.objects.create(agency=qw.centre, prefix="H", name=HOSTILE)
    ticket = services.take_ticket(qw.centre, qw.group_a)
    for url in ("/admin/queueing/servicegroup/", "/admin/queueing/counter/", "/admin/queueing/ticket/",
                f"/admin/queueing/counter/{qw.counter2.pk}/change/", f"/admin/queueing/ticket/{ticket.pk}/change/",
                "/admin/queueing/servicegroup/add/"):
        response = superuser.get(url)
        assert response.status_code == 200, url
        assert HOSTILE not in response.content.decode()


def test_an_agency_administrator_sees_only_their_agency(qw):
    admin_user = make_user("centreadmin", qw.justice, Role.ADMINISTRATOR, is_staff=True)
    admin_user.user_permissions.add(*Permission.objects.filter(content_type__app_label="queueing"))
    ServiceGroup.objects.create(agency=qw.justice, prefix="J", name="Tư pháp riêng")
    client = verified_client(admin_user)
    html = client.get("/admin/queueing/servicegroup/").content.decode()
    assert "Tư pháp riêng" in html and "Hộ tịch – Chứng thực" not in html
    assert client.get(f"/admin/queueing/counter/{qw.counter1.pk}/change/").status_code in (302, 404)
