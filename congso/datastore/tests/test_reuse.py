"""Reusing a document of the data store in a new dossier: flags, links, scoping, expiry, the API."""

import datetime as dt

import pytest

from congso.core.problems import Problem
from congso.datastore.models import ApplicantDocument, DocumentKind, DocumentUse
from congso.datastore.services import add_digitized, reuse_in_dossier
from congso.datastore.tests.conftest import PDF, START, api, at_desk, online, resolve
from congso.dossiers.choices import Action
from congso.dossiers.models import Dossier, DossierComponent, DossierFile
from congso.dossiers.services.actions import perform
from congso.dossiers.tests.conftest import PNG, local

LATER = START + dt.timedelta(days=7)


@pytest.fixture
def stored(world):
    """The citizen's e-result in their store (from a completed online dossier)."""
    resolve(world, online(world))
    return ApplicantDocument.objects.get()


def reuse_url(dossier):
    return f"/api/v1/dossiers/{dossier.code}/reuse"


def test_the_owner_reuses_a_document_the_component_is_flagged_and_linked(world, stored):
    d = online(world, at=LATER)
    catalog = d.procedure_version.components.order_by("order").last()
    before = DossierComponent.objects.filter(dossier=d).count()
    response = api(world.citizen).post(reuse_url(d), {"document": stored.pk, "catalog_component_id": catalog.pk},
                                       format="json", HTTP_X_REQUEST_ID="reuse-req-0001")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True and body["document"] == stored.pk and body["version"] == d.version + 1
    assert response["ETag"] == f'"{d.version + 1}"'
    component = DossierComponent.objects.get(dossier=d, catalog_component=catalog)
    assert DossierComponent.objects.filter(dossier=d).count() == before  # the empty component was filled
    assert component.reused and component.digitized and not component.from_national_store
    assert component.replaced_by_result_code == "KQ.G15.000001"
    assert component.file.sha256 == stored.sha256 and component.file.dossier == d
    assert component.file.file.name != stored.file.name  # a copy belongs to the new dossier
    use = DocumentUse.objects.get()
    assert (use.document, use.dossier, use.component) == (stored, d, component)
    assert use.used_by == world.citizen and use.used_by_role == "applicant" and use.request_id == "reuse-req-0001"
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.has_digitized_components and fresh.version == d.version + 1
    detail = api(world.citizen).get(f"/api/v1/dossiers/{d.code}").json()
    reused = [c for c in detail["components"] if c["reused"]]
    assert [c["data_store_document"] for c in reused] == [stored.pk]
    # The same document again in the same dossier: the first use, nothing new.
    again = api(world.citizen).post(reuse_url(d), {"document": stored.pk, "catalog_component_id": catalog.pk},
                                    format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert DocumentUse.objects.count() == 1 and Dossier.objects.get(pk=d.pk).version == d.version + 1
    # The owner sees where the document was used.
    uses = api(world.citizen).get(f"/api/v1/datastore/documents/{stored.pk}").json()["uses"]
    assert uses == [{"dossier": d.code, "used_at": use.used_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
                     .isoformat()}]


def test_a_free_name_adds_a_component(world, stored):
    d = online(world, at=LATER)
    count = d.components.count()
    use = reuse_in_dossier(stored, d, "Giấy chứng nhận đã cấp", world.citizen, at=LATER)
    assert use.created and use.component.name == "Giấy chứng nhận đã cấp"
    assert use.component.order == count + 1 and d.components.count() == count + 1
    default = reuse_in_dossier(stored, online(world, at=LATER), "", world.citizen, at=LATER)
    assert default.component.name == stored.title


def test_a_desk_officer_reuses_for_the_applicants_number(world):
    resolve(world, at_desk(world, applicant_id_number="079195001234"))
    document = ApplicantDocument.objects.get()
    d = at_desk(world, at=LATER, applicant_id_number="079195001234")
    listed = api(world.desk).get("/api/v1/datastore/documents", {"dossier": d.code})
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["results"]] == [document.pk]
    assert listed.json()["results"][0]["owner_id_number"] == "•••••••••234"
    response = api(world.desk).post(reuse_url(d), {"document": document.pk, "name": "Giấy chứng nhận cũ"},
                                    format="json")
    assert response.status_code == 201, response.content
    assert DocumentUse.objects.get().used_by_role == "desk_officer"
    # Not for a dossier of someone else's number.
    other = at_desk(world, at=LATER, applicant_id_number="001090012345")
    assert api(world.desk).get("/api/v1/datastore/documents", {"dossier": other.code}).json()["results"] == []
    response = api(world.desk).post(reuse_url(other), {"document": document.pk}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_another_applicant_cannot_see_or_reuse(world, stored):
    intruder = api(world.other_citizen)
    assert intruder.get("/api/v1/datastore/documents").json()["results"] == []
    assert intruder.get(f"/api/v1/datastore/documents/{stored.pk}").status_code == 404
    assert intruder.get(f"/api/v1/datastore/documents/{stored.pk}/file").status_code == 404
    own = online(world, at=LATER)
    Dossier.objects.filter(pk=own.pk).update(applicant=world.other_citizen)
    response = intruder.post(reuse_url(own), {"document": stored.pk}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    theirs = online(world, at=LATER)
    assert intruder.post(reuse_url(theirs), {"document": stored.pk}, format="json").status_code == 404
    assert DocumentUse.objects.count() == 0
    # The service refuses too, whatever the caller passes.
    with pytest.raises(Problem) as error:
        reuse_in_dossier(stored, Dossier.objects.get(pk=own.pk), "", world.other_citizen, at=LATER)
    assert error.value.status_code == 404


def test_staff_see_a_document_only_through_a_dossier_they_handle(world, stored):
    url = f"/api/v1/datastore/documents/{stored.pk}"
    assert api(world.spec).get(url).status_code == 200  # handled the source dossier
    assert api(world.fin_spec).get(url).status_code == 404
    assert api(world.monitor).get(url).status_code == 404  # province-wide view is for statistics
    assert api(world.spec).get("/api/v1/datastore/documents").json()["results"][0]["id"] == stored.pk
    assert api(world.fin_spec).get("/api/v1/datastore/documents").json()["results"] == []
    # A specialist may see it but may not reuse it.
    d = online(world, at=LATER)
    response = api(world.spec).post(reuse_url(d), {"document": stored.pk}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    # A dossier outside the caller's scope is 404, also as a context.
    assert api(world.fin_spec).get("/api/v1/datastore/documents", {"dossier": d.code}).status_code == 404


def test_an_expired_document_is_refused(world):
    d = at_desk(world, applicant_id_number="079195001234")
    document = add_digitized(actor=world.desk, file=("cccd.png", PNG), document_type="Căn cước công dân",
                             dossier=d, issued_on=dt.date(2010, 1, 1), valid_until=dt.date(2024, 12, 31))
    assert document.kind == DocumentKind.DIGITIZED_PAPER and document.owner_id_number == "079195001234"
    new = at_desk(world, at=LATER, applicant_id_number="079195001234")
    files = DossierFile.objects.count()
    response = api(world.desk).post(reuse_url(new), {"document": document.pk}, format="json")
    assert response.status_code == 400 and "document" in response.json()["errors"]
    assert "31/12/2024" in response.json()["errors"]["document"][0]
    assert DocumentUse.objects.count() == 0 and DossierFile.objects.count() == files
    assert not DossierComponent.objects.filter(dossier=new, reused=True).exists()
    # Valid on its last day.
    document.valid_until = LATER.date()
    document.save()
    assert reuse_in_dossier(document, new, "", world.desk, at=LATER).created


def test_a_closed_dossier_takes_no_reuse(world, stored):
    d = online(world, at=LATER)
    perform(d.code, Action.WITHDRAW, world.citizen, at=LATER + dt.timedelta(hours=1), reason="Không cần nữa")
    response = api(world.citizen).post(reuse_url(d), {"document": stored.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_a_damaged_stored_file_is_not_reused(world, stored):
    ApplicantDocument.objects.filter(pk=stored.pk).update(sha256="0" * 64)
    d = online(world, at=LATER)
    response = api(world.citizen).post(reuse_url(d), {"document": stored.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "file_integrity"
    assert DocumentUse.objects.count() == 0


def test_reuse_during_a_supplement_request_is_linked_to_it(world, stored):
    d = online(world, at=LATER)
    perform(d.code, Action.REQUEST_SUPPLEMENT, world.justice_desk, at=LATER + dt.timedelta(hours=1),
            reason="Thiếu giấy chứng nhận", items=["Giấy chứng nhận"])
    use = reuse_in_dossier(stored, d, "Giấy chứng nhận", world.citizen, at=LATER + dt.timedelta(hours=2))
    assert use.component.supplement == d.supplement_requests.get()


def test_bad_reuse_input(world, stored):
    d = online(world, at=LATER)
    client = api(world.citizen)
    assert client.post(reuse_url(d), {}, format="json").status_code == 400
    assert client.post(reuse_url(d), {"document": "abc"}, format="json").status_code == 400
    response = client.post(reuse_url(d), {"document": stored.pk, "catalog_component_id": 999999}, format="json")
    assert response.status_code == 400 and "component" in response.json()["errors"]
    assert client.post(reuse_url(d), {"document": 999999}, format="json").status_code == 404
    assert client.post("/api/v1/dossiers/NOPE-1/reuse", {"document": stored.pk}, format="json").status_code == 404


def test_add_digitized_checks_who_and_what(world):
    d = at_desk(world, applicant_id_number="079195001234")
    with pytest.raises(Problem) as error:
        add_digitized(actor=world.spec, file=("a.pdf", PDF), document_type="Giấy khai sinh", dossier=d)
    assert error.value.status_code == 403
    with pytest.raises(Problem) as error:
        add_digitized(actor=world.desk, file=("a.pdf", b"MZ\x90\x00 not a pdf"), document_type="Giấy khai sinh",
                      dossier=d)
    assert error.value.status_code == 400 and "file" in error.value.errors
    with pytest.raises(Problem) as error:
        add_digitized(actor=world.desk, file=("a.pdf", PDF), document_type="Giấy khai sinh",
                      owner_id_number="12345")
    assert "owner_id_number" in error.value.errors
    with pytest.raises(Problem) as error:
        add_digitized(actor=world.desk, file=("a.pdf", PDF), document_type="Giấy khai sinh", dossier=d,
                      issued_on=dt.date(2024, 1, 2), valid_until=dt.date(2024, 1, 1))
    assert "valid_until" in error.value.errors
    assert ApplicantDocument.objects.count() == 0
    mine = add_digitized(actor=world.citizen, file=("bang.pdf", PDF), document_type="Bằng tốt nghiệp")
    assert mine.kind == DocumentKind.UPLOADED and mine.owner == world.citizen and mine.title == "Bằng tốt nghiệp"
    assert mine.file.name.startswith("datastore/") and mine.original_name == "bang.pdf"
    by_number = add_digitized(actor=world.desk, file=("gks.pdf", PDF), document_type="Giấy khai sinh",
                              owner_id_number="0100109106")
    assert by_number.owner is None and by_number.owner_id_number == "0100109106"


def test_the_list_filters_kind_and_validity(world, stored):
    add_digitized(actor=world.citizen, file=("old.pdf", PDF), document_type="Giấy phép",
                  valid_until=local(2024, 1, 1).date())
    client = api(world.citizen)
    rows = client.get("/api/v1/datastore/documents").json()["results"]
    assert len(rows) == 2 and {r["expired"] for r in rows} == {True, False}
    assert [r["id"] for r in client.get("/api/v1/datastore/documents", {"valid": "true"}).json()["results"]] == [
        stored.pk]
    assert [r["kind"] for r in client.get("/api/v1/datastore/documents", {"kind": "e_result"}).json()["results"]] \
        == ["e_result"]
    assert client.get("/api/v1/datastore/documents", {"kind": "bogus"}).status_code == 400


def test_the_desk_sees_the_applicants_store_only_while_components_are_gathered(world):
    from congso.dossiers.services.creation import create_dossier
    from congso.dossiers.tests.conftest import intake

    # A result issued through another agency's desk: the centre's desk never handled it.
    source = create_dossier(intake(world, files=False, receiving=world.justice, applicant_id_number="079195001234"),
                            world.justice_desk, at=START)
    resolve(world, source)
    document = ApplicantDocument.objects.get()
    d = at_desk(world, at=LATER, applicant_id_number="079195001234")
    assert [r["id"] for r in api(world.desk).get("/api/v1/datastore/documents", {"dossier": d.code})
            .json()["results"]] == [document.pk]
    assert api(world.desk).get(f"/api/v1/datastore/documents/{document.pk}").status_code == 404  # no context
    perform(d.code, Action.STOP, world.lead, at=LATER + dt.timedelta(hours=1), reason="Dừng")
    assert api(world.desk).get("/api/v1/datastore/documents", {"dossier": d.code}).json()["results"] == []
    response = api(world.desk).post(reuse_url(d), {"document": document.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
