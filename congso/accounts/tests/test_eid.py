"""The e-ID relying party's rules on the provider's claims (the end-to-end flow is in tests/browser/test_eid.py)."""

import pytest

from congso.accounts.eid import EidBackend
from congso.accounts.models import AccountType, User

pytestmark = pytest.mark.django_db
ISSUER = "http://127.0.0.1:9001/o"


@pytest.fixture(autouse=True)
def _issuer(settings):
    settings.CONGSO_EID_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "congso"


def claims(**extra):
    return {"sub": "17", "citizen_id": "001090012345", "name": "Nguyễn Văn An", "phone_number": "0912345678",
            **extra}


def test_claims_without_a_valid_personal_number_are_refused():
    backend = EidBackend()
    assert backend.verify_claims(claims())
    assert not backend.verify_claims(claims(citizen_id="12345"))
    assert not backend.verify_claims(claims(citizen_id="<script>"))
    assert not backend.verify_claims(claims(sub=""))


def test_first_login_creates_a_citizen_then_finds_it_by_subject():
    backend = EidBackend()
    user = backend.create_user(claims())
    assert user.account_type == AccountType.CITIZEN and user.is_eid_verified and not user.has_usable_password()
    assert list(backend.filter_users_by_claims(claims())) == [user]
    # The provider is the authority for the name and the number.
    backend.update_user(user, claims(name="Nguyễn Văn An B"))
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Văn An B"


def test_an_applicant_account_with_the_same_number_is_linked_not_duplicated():
    existing = User.objects.create(username="an", account_type=AccountType.CITIZEN, citizen_id="001090012345")
    backend = EidBackend()
    assert list(backend.filter_users_by_claims(claims())) == [existing]


def test_staff_accounts_never_log_in_with_the_e_id():
    User.objects.create(username="cb", account_type=AccountType.STAFF, citizen_id="001090012345")
    backend = EidBackend()
    assert not backend.filter_users_by_claims(claims()).exists()
    assert backend.create_user(claims()) is None
