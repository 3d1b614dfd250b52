import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from congso.accounts.models import AccountType
from congso.portal import tokens
from congso.portal.tests.conftest import PASSWORD

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CITIZEN = {"account_type": "citizen", "full_name": "Trần Thị Bình", "citizen_id": "001190012346",
           "email": "binh@example.vn", "phone": "0912 345 679", "password1": PASSWORD, "password2": PASSWORD}


def link_in(message) -> str:
    return re.search(r"http://\S+/dang-ky/xac-thuc/\S+/", message.body).group(0)


def test_register_verify_and_log_in(client, world):
    response = client.post("/dang-ky/", CITIZEN)
    assert response.status_code == 302 and response["Location"] == "/dang-ky/da-gui/"
    user = get_user_model().objects.get(email="binh@example.vn")
    assert not user.is_active and user.account_type == AccountType.CITIZEN
    assert user.citizen_id == "001190012346" and user.phone == "0912345679" and user.full_name == "Trần Thị Bình"
    # Inactive: the login form refuses it.
    assert client.post("/accounts/login/", {"username": "binh@example.vn", "password": PASSWORD}).status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["binh@example.vn"]
    link = link_in(mail.outbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]
    verified = client.get("/" + path)
    assert verified.status_code == 302 and verified["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.is_active
    # The link works once.
    assert client.get("/" + path).status_code == 400
    login = client.post("/accounts/login/", {"username": "binh@example.vn", "password": PASSWORD})
    assert login.status_code == 302
    assert client.get(login["Location"])["Location"] == "/ho-so-cua-toi/"


def test_register_organisation_with_tax_code(client, world):
    data = {**CITIZEN, "account_type": "organisation", "full_name": "", "citizen_id": "",
            "organisation_name": "Công ty TNHH Bình An", "tax_code": "0100109106", "email": "cty@example.vn"}
    assert client.post("/dang-ky/", data).status_code == 302
    user = get_user_model().objects.get(email="cty@example.vn")
    assert user.account_type == AccountType.ORGANISATION and user.tax_code == "0100109106"
    assert user.citizen_id is None and user.organisation_name == "Công ty TNHH Bình An"


@pytest.mark.parametrize("change,field", [
    ({"citizen_id": "12345"}, "citizen_id"),
    ({"citizen_id": ""}, "citizen_id"),
    ({"full_name": " "}, "full_name"),
    ({"phone": "12"}, "phone"),
    ({"email": "not-an-email"}, "email"),
    ({"password2": "other"}, "password2"),
    ({"password1": "12345678", "password2": "12345678"}, "password1"),
    ({"account_type": "staff"}, "account_type"),
    ({"account_type": "organisation", "tax_code": "0100109107", "organisation_name": "X"}, "tax_code"),
])
def test_bad_registration_shows_the_error_and_creates_nothing(client, world, change, field):
    response = client.post("/dang-ky/", {**CITIZEN, **change}, **EN)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not get_user_model().objects.filter(email=CITIZEN["email"]).exists()
    assert mail.outbox == []


def test_duplicate_email_or_citizen_id_is_refused(client, world):
    assert client.post("/dang-ky/", {**CITIZEN, "email": "CITIZEN@example.vn"}).context["form"].errors["email"]
    response = client.post("/dang-ky/", {**CITIZEN, "citizen_id": "001090012345"})
    assert "citizen_id" in response.context["form"].errors


def test_hostile_name_is_escaped_in_the_email_and_pages(client, world):
    hostile = {**CITIZEN, "full_name": "<script>alert(1)</script>"}
    assert client.post("/dang-ky/", hostile).status_code == 302
    user = get_user_model().objects.get(email=CITIZEN["email"])
    assert user.full_name == "<script>alert(1)</script>"
    user.is_active = True
    user.save()
    client.force_login(user)
    body = client.get("/tai-khoan/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_registration_is_rate_limited(client, world, settings):
    settings.CONGSO_PORTAL_RATE_LIMITS = {"register": (2, 3600)}
    for n in range(2):
        client.post("/dang-ky/", {**CITIZEN, "email": f"x{n}@example.vn", "citizen_id": ""})
    response = client.post("/dang-ky/", CITIZEN)
    assert response.status_code == 429
    assert not get_user_model().objects.filter(email=CITIZEN["email"]).exists()


def test_resend_answers_the_same_for_unknown_addresses(client, world):
    client.post("/dang-ky/", CITIZEN)
    mail.outbox.clear()
    known = client.post("/dang-ky/gui-lai/", {"email": "BINH@example.vn"}, **EN)
    unknown = client.post("/dang-ky/gui-lai/", {"email": "nobody@example.vn"}, **EN)
    active = client.post("/dang-ky/gui-lai/", {"email": "citizen@example.vn"}, **EN)
    assert known.status_code == unknown.status_code == active.status_code == 200
    assert known.context["sent"] and unknown.context["sent"] and active.context["sent"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["binh@example.vn"]


def test_bad_expired_or_foreign_tokens_do_not_activate(client, world, settings):
    client.post("/dang-ky/", CITIZEN)
    user = get_user_model().objects.get(email=CITIZEN["email"])
    path = link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    uid = path.split("/")[2]
    assert client.get(f"/dang-ky/xac-thuc/{uid}/bad-token/").status_code == 400
    assert client.get("/dang-ky/xac-thuc/!!!/x/").status_code == 400
    # A token for another account does not open this one.
    other = tokens.make_token(world.other_citizen)
    assert client.get(f"/dang-ky/xac-thuc/{uid}/{other}/").status_code == 400
    settings.CONGSO_PORTAL_VERIFY_DAYS = -1  # every token is now expired
    assert client.get("/" + path).status_code == 400
    user.refresh_from_db()
    assert not user.is_active
    # A deactivated account that has logged in before is not reopened by a link.
    world.citizen.is_active = False
    world.citizen.save()
    settings.CONGSO_PORTAL_VERIFY_DAYS = 3
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    world.citizen.last_login = world.citizen.date_joined
    world.citizen.save()
    uid = urlsafe_base64_encode(force_bytes(world.citizen.pk))
    assert client.get(f"/dang-ky/xac-thuc/{uid}/{tokens.make_token(world.citizen)}/").status_code == 400


def test_profile_validates_citizen_id_and_phone(citizen_client, world):
    response = citizen_client.post("/tai-khoan/", {"full_name": "Nguyễn Văn Án", "citizen_id": "123",
                                                   "phone": "abc"}, **EN)
    assert response.status_code == 200
    assert {"citizen_id", "phone"} <= set(response.context["form"].errors)
    ok = citizen_client.post("/tai-khoan/", {"full_name": "Nguyễn Văn Án", "citizen_id": "001090012345",
                                             "phone": "+84 912 000 111", "address": "Số 1"})
    assert ok.status_code == 302
    world.citizen.refresh_from_db()
    assert world.citizen.phone == "0912000111" and world.citizen.address == "Số 1"
    # Someone else's citizen ID is refused.
    world.other_citizen.citizen_id = "001190012346"
    world.other_citizen.save()
    taken = citizen_client.post("/tai-khoan/", {"full_name": "A", "citizen_id": "001190012346", "phone": "0912000111"})
    assert "citizen_id" in taken.context["form"].errors


def test_eid_verified_citizen_id_is_locked(citizen_client, world):
    from django.utils import timezone

    world.citizen.eid_verified_at = timezone.now()
    world.citizen.save()
    citizen_client.post("/tai-khoan/", {"full_name": "A", "citizen_id": "001190012346", "phone": "0912000111"})
    world.citizen.refresh_from_db()
    assert world.citizen.citizen_id == "001090012345"


def test_password_change(citizen_client, world):
    response = citizen_client.post("/tai-khoan/mat-khau/", {"old_password": PASSWORD, "new_password1": "Khac-han-2026!",
                                                           "new_password2": "Khac-han-2026!"})
    assert response.status_code == 302
    world.citizen.refresh_from_db()
    assert world.citizen.check_password("Khac-han-2026!")
    wrong = citizen_client.post("/tai-khoan/mat-khau/", {"old_password": "wrong", "new_password1": "a",
                                                        "new_password2": "a"})
    assert wrong.status_code == 200 and wrong.context["form"].errors


def test_after_login_sends_staff_to_the_workspace(client, world):
    client.force_login(world.desk)
    assert client.get("/sau-dang-nhap/")["Location"] == "/can-bo/"
    assert client.get("/sau-dang-nhap/", {"next": "/thu-tuc/"})["Location"] == "/thu-tuc/"
    assert client.get("/sau-dang-nhap/", {"next": "https://evil.example/"})["Location"] == "/can-bo/"
    client.force_login(world.citizen)
    assert client.get("/sau-dang-nhap/")["Location"] == "/ho-so-cua-toi/"


def test_account_pages_need_login(client, world):
    for url in ("/tai-khoan/", "/tai-khoan/mat-khau/", "/ho-so-cua-toi/", "/kho-du-lieu/", "/nop-ho-so/1.001193/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_organisation_profile_needs_a_valid_tax_code(client, world):
    from congso.portal.tests.conftest import make_user

    org = make_user("cty", account_type=AccountType.ORGANISATION, organisation_name="Công ty A",
                    tax_code="0100109106", phone="0912345678")
    client.force_login(org)
    page = client.get("/tai-khoan/")
    assert "tax_code" in page.context["form"].fields and "citizen_id" not in page.context["form"].fields
    bad = client.post("/tai-khoan/", {"organisation_name": "Công ty A", "tax_code": "0100109107", "phone": "0912345678"})
    assert "tax_code" in bad.context["form"].errors
    ok = client.post("/tai-khoan/", {"organisation_name": "Công ty B", "tax_code": "0100109106", "phone": "0912345678"})
    assert ok.status_code == 302
    org.refresh_from_db()
    assert org.organisation_name == "Công ty B"


def test_eid_link_only_when_enabled(client, world, settings):
    settings.CONGSO_EID_ENABLED = False
    assert "/oidc/authenticate/" not in client.get("/dang-ky/").content.decode()
    settings.CONGSO_EID_ENABLED = True
    assert "/oidc/authenticate/" in client.get("/dang-ky/").content.decode()
