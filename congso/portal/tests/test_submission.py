import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from congso.catalog.models import Component, Implementation
from congso.datastore.models import ApplicantDocument, DocumentKind, DocumentUse
from congso.dossiers.choices import Channel, Status
from congso.dossiers.models import Dossier
from congso.portal.models import Draft, DraftFile
from congso.portal.tests.conftest import PDF, PNG

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def components(world):
    return list(Component.objects.filter(version=world.birth_version).order_by("order"))


def form_data(world, **extra):
    data = {"applicant_name": "Nguyễn Văn Án", "applicant_id_number": "001090012345",
            "applicant_phone": "0912345678", "applicant_email": "citizen@example.vn", "applicant_address": "Số 1",
            "summary": "Đăng ký khai sinh cho con", "declaration": "on"}
    data.update(extra)
    return data


def files_for(world, *components_):
    return {f"component-{c.pk}": SimpleUploadedFile(f"giay {c.order}.pdf", PDF, "application/pdf")
            for c in components_}


def test_form_is_prefilled_from_the_profile_and_shows_the_online_fee(citizen_client, world):
    world.citizen.address = "Số 5 phố Huế"
    world.citizen.save()
    response = citizen_client.get("/nop-ho-so/1.001193/")
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["applicant_name"] == "Citizen" and initial["applicant_id_number"] == "001090012345"
    assert initial["applicant_phone"] == "0912345678" and initial["applicant_address"] == "Số 5 phố Huế"
    body = response.content.decode()
    assert "4.000 đ" in body and "8.000 đ" not in body
    assert response.context["fee_total"] == 4_000


def test_submit_online_with_two_files_creates_a_new_dossier(citizen_client, world):
    first, second = components(world)
    response = citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world), "submit": "1",
                                                             **files_for(world, first, second)})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/ho-so-cua-toi/{dossier.code}/"
    assert dossier.status == Status.NEW and dossier.channel == Channel.ONLINE
    assert dossier.applicant == world.citizen and dossier.received_at is None
    assert dossier.handling_agency == world.justice and dossier.fee_due == 4_000
    assert not dossier.eid_verified
    assert [(c.catalog_component_id, bool(c.file)) for c in dossier.components.order_by("order")] == [
        (first.pk, True), (second.pk, True)]
    assert dossier.summary == "Đăng ký khai sinh cho con"
    assert Draft.objects.count() == 0 and DraftFile.objects.count() == 0
    page = citizen_client.get("/ho-so-cua-toi/").content.decode()
    assert dossier.code in page


def test_eid_verified_account_makes_an_eid_verified_dossier(citizen_client, world):
    world.citizen.eid_verified_at = timezone.now()
    world.citizen.save()
    citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world), "submit": "1",
                                                 **files_for(world, *components(world))})
    assert Dossier.objects.get().eid_verified is True


def test_save_a_draft_then_finish_it_later(citizen_client, world, settings):
    first, second = components(world)
    response = citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world, declaration=""), "save": "1",
                                                             **files_for(world, first)})
    draft = Draft.objects.get()
    assert response["Location"] == f"/ban-nhap/{draft.pk}/"
    assert draft.owner == world.citizen and draft.data["summary"] == "Đăng ký khai sinh cho con"
    stored = DraftFile.objects.get(draft=draft)
    assert stored.component == first and stored.size == len(PDF)
    assert Dossier.objects.count() == 0
    # The draft is listed, shows its file, and the file downloads.
    assert f"/ban-nhap/{draft.pk}/" in citizen_client.get("/ho-so-cua-toi/").content.decode()
    page = citizen_client.get(f"/ban-nhap/{draft.pk}/")
    assert page.context["form"].initial["summary"] == "Đăng ký khai sinh cho con"
    download = citizen_client.get(f"/ban-nhap/{draft.pk}/tep/{stored.pk}/")
    assert b"".join(download.streaming_content) == PDF
    # Submitting without the second (required) paper fails and keeps the draft.
    failed = citizen_client.post(f"/ban-nhap/{draft.pk}/", {**form_data(world), "submit": "1"}, **EN)
    assert failed.status_code == 400
    assert f"component-{second.pk}" in failed.context["form"].errors
    assert Dossier.objects.count() == 0 and Draft.objects.count() == 1
    # Adding it submits; the draft and its file are gone.
    done = citizen_client.post(f"/ban-nhap/{draft.pk}/", {**form_data(world), "submit": "1",
                                                          **files_for(world, second)})
    assert done.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.components.filter(file__isnull=False).count() == 2
    assert Draft.objects.count() == 0


def test_replace_and_remove_draft_files(citizen_client, world):
    first, second = components(world)
    citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world), "save": "1", **files_for(world, first, second)})
    draft = Draft.objects.get()
    old = DraftFile.objects.get(draft=draft, component=first)
    png = SimpleUploadedFile("anh.png", PNG, "image/png")
    citizen_client.post(f"/ban-nhap/{draft.pk}/", {**form_data(world), "save": "1", f"component-{first.pk}": png,
                                                   f"remove-{second.pk}": "1"})
    files = list(DraftFile.objects.filter(draft=draft))
    assert [(f.component_id, f.content_type) for f in files] == [(first.pk, "image/png")]
    assert not DraftFile.objects.filter(pk=old.pk).exists()


def test_bad_files_are_refused_and_nothing_is_saved(citizen_client, world):
    first, second = components(world)
    exe = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world), "submit": "1",
                                                             f"component-{first.pk}": exe,
                                                             **files_for(world, second)}, **EN)
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG" in str(response.context["form"].errors[f"component-{first.pk}"])
    assert Draft.objects.count() == 0 and Dossier.objects.count() == 0
    empty = SimpleUploadedFile("empty.pdf", b"", "application/pdf")
    response = citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world), "save": "1",
                                                             f"component-{first.pk}": empty})
    assert Draft.objects.count() == 0


def test_declaration_is_required_to_submit(citizen_client, world):
    response = citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world, declaration=""), "submit": "1",
                                                             **files_for(world, *components(world))})
    assert response.status_code == 400 and "declaration" in response.context["form"].errors
    assert Dossier.objects.count() == 0 and Draft.objects.count() == 0


def test_bad_applicant_data_is_shown_next_to_the_field(citizen_client, world):
    response = citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world, applicant_phone="12345",
                                                                        applicant_id_number="abc"), "submit": "1",
                                                             **files_for(world, *components(world))}, **EN)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "applicant_phone" in errors and "applicant_id_number" in errors
    assert Dossier.objects.count() == 0


def test_hostile_text_is_escaped_on_the_dossier_page(citizen_client, world):
    citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world, summary="<img src=x onerror=alert(1)>"),
                                                 "submit": "1", **files_for(world, *components(world))})
    dossier = Dossier.objects.get()
    body = citizen_client.get("/ho-so-cua-toi/").content.decode()
    assert "<img src=x" not in body
    assert dossier.summary == "<img src=x onerror=alert(1)>"


def test_reuse_a_document_from_the_data_store(citizen_client, world):
    first, second = components(world)
    document = ApplicantDocument.objects.create(
        owner=world.citizen, kind=DocumentKind.DIGITIZED_PAPER, document_type="Bản sao giấy tờ tùy thân",
        title="Căn cước công dân", stored_name="a" * 32 + ".pdf", original_name="cccd.pdf",
        content_type="application/pdf", size=len(PDF), sha256=__import__("hashlib").sha256(PDF).hexdigest())
    from django.core.files.base import ContentFile

    document.file.save(document.stored_name, ContentFile(PDF), save=True)
    # "Use in a new dossier" preselects the matching component.
    page = citizen_client.get("/nop-ho-so/1.001193/", {"dung": document.pk})
    assert [r["reuse"] for r in page.context["rows"]] == [None, document.pk]
    response = citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world), "submit": "1",
                                                             **files_for(world, first),
                                                             f"reuse-{second.pk}": str(document.pk)})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    reused = dossier.components.get(catalog_component=second)
    assert reused.reused and reused.digitized and reused.file is not None
    assert DocumentUse.objects.get().document == document
    assert dossier.components.count() == 2


def test_someone_elses_document_cannot_be_reused(citizen_client, world):
    first, second = components(world)
    document = ApplicantDocument.objects.create(
        owner=world.other_citizen, kind=DocumentKind.UPLOADED, document_type="x", title="x",
        stored_name="b" * 32 + ".pdf", original_name="x.pdf", content_type="application/pdf", size=1, sha256="0")
    response = citizen_client.post("/nop-ho-so/1.001193/", {**form_data(world), "submit": "1",
                                                             **files_for(world, first),
                                                             f"reuse-{second.pk}": str(document.pk)})
    assert response.status_code == 400
    assert Dossier.objects.count() == 0 and DocumentUse.objects.count() == 0


def test_drafts_of_another_account_are_404(client, world):
    client.force_login(world.citizen)
    client.post("/nop-ho-so/1.001193/", {**form_data(world), "save": "1", **files_for(world, components(world)[0])})
    draft = Draft.objects.get()
    stored = DraftFile.objects.get()
    client.force_login(world.other_citizen)
    assert client.get(f"/ban-nhap/{draft.pk}/").status_code == 404
    assert client.post(f"/ban-nhap/{draft.pk}/", {**form_data(world), "submit": "1"}).status_code == 404
    assert client.get(f"/ban-nhap/{draft.pk}/tep/{stored.pk}/").status_code == 404
    assert client.post(f"/ban-nhap/{draft.pk}/xoa/").status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()
    client.force_login(world.citizen)
    assert client.post(f"/ban-nhap/{draft.pk}/xoa/").status_code == 302
    assert not Draft.objects.exists() and not DraftFile.objects.exists()


def test_staff_cannot_submit_online_and_offline_procedures_are_not_offered(client, world):
    client.force_login(world.desk)
    assert client.get("/nop-ho-so/1.001193/").status_code == 403
    client.force_login(world.citizen)
    Implementation.objects.filter(version=world.birth_version).update(online_mode="none")
    assert client.get("/nop-ho-so/1.001193/").status_code == 404
    assert client.get("/nop-ho-so/9.999999/").status_code == 404


def test_choose_the_agency_when_several_take_it_online(citizen_client, world):
    Implementation.objects.create(version=world.birth_version, agency=world.finance, online_mode="partial",
                                  level="province")
    choose = citizen_client.get("/nop-ho-so/1.001193/")
    assert choose.status_code == 200 and len(choose.context["implementations"]) == 2
    page = citizen_client.get("/nop-ho-so/1.001193/", {"co-quan": world.finance.code})
    assert page.context["implementation"].agency == world.finance
    citizen_client.post(f"/nop-ho-so/1.001193/?co-quan={world.finance.code}",
                        {**form_data(world), "agency": world.finance.code, "submit": "1",
                         **files_for(world, *components(world))})
    assert Dossier.objects.get().handling_agency == world.finance


def test_submission_needs_csrf(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.citizen)
    assert strict.post("/nop-ho-so/1.001193/", form_data(world)).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_submit_creates_one_dossier():
    """Two submissions of the same draft at once (a double click, two tabs): one dossier, the other is refused."""
    from congso.catalog.models import ProcedureVersion
    from congso.dossiers.files import check
    from congso.dossiers.tests.conftest import build_world, make_procedure
    from congso.portal.services.submission import _store_draft_file, submit_draft
    from congso.workcalendar.services import reset_cache

    reset_cache()
    w = build_world()
    make_procedure("1.001193", w.justice, online="full")
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    draft = Draft.objects.create(owner=w.citizen, procedure=version.procedure, agency=w.justice,
                                 data={"applicant_name": "A", "applicant_phone": "0912345678"})
    for component in version.components.all():
        _store_draft_file(draft, component, check(("a.pdf", PDF)))
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(submit_draft(w.citizen, Draft.objects.get(pk=draft.pk)).code)
        except Exception as exc:  # noqa: BLE001 - the loser's error is what we check
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Dossier.objects.count() == 1
    assert sorted(r.startswith("000.") for r in results) == [False, True]
    assert not Draft.objects.exists()
