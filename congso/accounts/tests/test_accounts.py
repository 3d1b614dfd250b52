import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from congso.accounts.models import AccountType, User

PASSWORD = "s3cret-Passw0rd"


def make_user(**kwargs):
    defaults = {"username": "an", "email": "an@example.com", "account_type": AccountType.CITIZEN}
    defaults.update(kwargs)
    user = User(**defaults)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.django_db
def test_citizen_id_and_tax_code_are_validated_on_full_clean():
    user = User(username="x", citizen_id="003090012345", tax_code="0100109107", phone="12")
    with pytest.raises(ValidationError) as info:
        user.full_clean()
    assert {"citizen_id", "tax_code", "phone"} <= set(info.value.message_dict)


@pytest.mark.django_db
def test_empty_identifiers_are_stored_as_null_so_many_users_can_lack_them():
    make_user(username="a", email="a@example.com", citizen_id="", tax_code="")
    make_user(username="b", email="b@example.com", citizen_id="", tax_code="")
    assert User.objects.filter(citizen_id__isnull=True, tax_code__isnull=True).count() == 2


@pytest.mark.django_db
def test_identifiers_and_emails_are_unique_case_insensitively():
    make_user(citizen_id="001090012345", email="An@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(username="other", email="an@example.COM")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(username="AN", email="x@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(username="third", email="t@example.com", citizen_id="001090012345")


@pytest.mark.django_db
def test_eid_subject_is_unique_per_issuer():
    make_user(eid_issuer="https://id.example", eid_subject="sub-1")
    make_user(username="b", email="b@example.com", eid_issuer="https://other.example", eid_subject="sub-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(username="c", email="c@example.com", eid_issuer="https://id.example", eid_subject="sub-1")


@pytest.mark.django_db
def test_phone_is_normalised_on_save():
    assert make_user(phone="+84 912 345 678").phone == "0912345678"


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["an", "AN", "an@example.com", "AN@EXAMPLE.COM"])
def test_login_by_username_or_email(client, login):
    make_user()
    response = client.post("/accounts/login/", {"username": login, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get("/api/v1/accounts/me").json()["username"] == "an"


@pytest.mark.django_db
def test_wrong_password_shows_a_vietnamese_error(client):
    make_user()
    response = client.post("/accounts/login/", {"username": "an", "password": "wrong"})
    assert response.status_code == 200
    assert "tên đăng nhập" in response.content.decode().lower() or "mật khẩu" in response.content.decode().lower()


@pytest.mark.django_db
def test_lockout_after_repeated_failures_even_with_the_right_password(client, settings):
    make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "an", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post("/accounts/login/", {"username": "an", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    make_user(username="binh", email="binh@example.com")
    response = client.post("/accounts/login/", {"username": "binh", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


@pytest.mark.django_db
def test_password_reset_by_email(client):
    make_user()
    response = client.post("/accounts/password-reset/", {"email": "an@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    new = "an-entirely-new-Passw0rd"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert client.post("/accounts/login/", {"username": "an", "password": new}).status_code == 302
    # The link works once only.
    assert client.get(link, follow=True).context["validlink"] is False


@pytest.mark.django_db
def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_logout_needs_post(client):
    user = make_user()
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
