"""The e-result of a completed dossier goes into the applicant's data store, inside the completing transaction."""

import pytest
from django.utils import timezone

from congso.accounts.models import AccountType, User
from congso.datastore.models import ApplicantDocument, DocumentKind
from congso.datastore.services import data_store_linked, documents_for, push_result
from congso.datastore.tests.conftest import PDF, at_desk, online, resolve
from congso.dossiers.models import Dossier, ResultDocument
from congso.dossiers.signals import event_recorded


def test_completion_pushes_the_e_result_into_the_owners_store(world):
    d = resolve(world, online(world))
    result = ResultDocument.objects.get(dossier=d)
    assert result.is_electronic and result.pushed_to_data_store
    document = ApplicantDocument.objects.get()
    assert document.owner == world.citizen
    assert document.owner_id_number == "001090012345"
    assert document.kind == DocumentKind.E_RESULT
    assert document.result_code == "KQ.G15.000001"
    assert (document.title, document.number, document.issuer) == ("Giấy chứng nhận", "12/GCN", "Sở Tư pháp")
    assert document.source_dossier == d and document.source_result == result
    assert document.sha256 == result.file.sha256 and document.size == len(PDF)
    # The same stored file, no copy made inside the transaction.
    assert document.file.name == result.file.file.name
    with document.file.open("rb") as handle:
        assert handle.read() == PDF
    assert list(documents_for(world.citizen)) == [document]
    assert list(documents_for(world.other_citizen)) == []
    assert list(data_store_linked(Dossier.objects.all())) == [d]


def test_an_applicant_without_account_finds_the_result_by_number_once_registered(world):
    d = resolve(world, at_desk(world, applicant_id_number="079195001234"))
    document = ApplicantDocument.objects.get(source_dossier=d)
    assert document.owner is None and document.owner_id_number == "079195001234"
    assert d.results.get().pushed_to_data_store
    person = User.objects.create(username="newcomer", account_type=AccountType.CITIZEN, citizen_id="079195001234")
    # Anyone can type a number: only an account whose identity the e-ID confirmed finds documents by it.
    assert list(documents_for(person)) == []
    person.eid_verified_at = timezone.now()
    person.save()
    assert list(documents_for(person)) == [document]
    stranger = User.objects.create(username="stranger", account_type=AccountType.CITIZEN,
                                   citizen_id="001090099999", eid_verified_at=timezone.now())
    assert list(documents_for(stranger)) == []


def test_a_document_owned_by_an_account_is_not_found_by_number_by_another(world):
    resolve(world, online(world))
    namesake = User.objects.create(username="namesake", account_type=AccountType.CITIZEN)
    namesake.citizen_id, namesake.eid_verified_at = "001090012345", timezone.now()
    world.citizen.citizen_id = None
    world.citizen.save()
    namesake.save()
    assert list(documents_for(namesake)) == []
    assert documents_for(world.citizen).count() == 1


def test_a_paper_result_is_not_pushed(world):
    d = resolve(world, online(world), electronic=False)
    assert not d.results.get().pushed_to_data_store
    assert ApplicantDocument.objects.count() == 0


def test_no_owner_no_push(world):
    d = resolve(world, at_desk(world, applicant_id_number=""))
    assert not d.results.get().pushed_to_data_store
    assert ApplicantDocument.objects.count() == 0


def test_the_push_rolls_back_with_the_completing_action(world):
    def fail(sender, event, dossier, **kwargs):
        if event.action == "complete":
            raise RuntimeError("a later receiver fails")

    event_recorded.connect(fail, dispatch_uid="test-fail-after-push")
    try:
        with pytest.raises(RuntimeError):
            resolve(world, online(world))
    finally:
        event_recorded.disconnect(dispatch_uid="test-fail-after-push")
    assert ApplicantDocument.objects.count() == 0
    assert ResultDocument.objects.count() == 0
    assert Dossier.objects.get().status == 4


def test_push_is_idempotent(world):
    d = resolve(world, online(world))
    result = d.results.get()
    first = ApplicantDocument.objects.get()
    assert push_result(result) == first
    assert ApplicantDocument.objects.count() == 1


def test_the_result_in_the_api_says_it_was_pushed(world):
    from congso.datastore.tests.conftest import api

    d = resolve(world, online(world))
    body = api(world.citizen).get(f"/api/v1/dossiers/{d.code}").json()
    assert body["results"][0]["pushed_to_data_store"] is True
