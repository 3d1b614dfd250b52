import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from congso.datastore.models import ApplicantDocument
from congso.dossiers.choices import Action, Status
from congso.dossiers.models import Dossier, DossierFile
from congso.dossiers.services.actions import perform
from congso.portal.models import ServiceRating
from congso.portal.tests.conftest import PDF, accept, online_dossier, returned, to_resolved

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def ask_supplement(w, dossier, reason="Thiếu bản sao", items=("Bản sao CCCD có chứng thực",)):
    return perform(dossier.code, Action.REQUEST_SUPPLEMENT, w.justice_desk, reason=reason, items=list(items))


def test_list_shows_only_own_dossiers(citizen_client, world):
    mine = online_dossier(world)
    theirs = online_dossier(world, user=world.other_citizen)
    response = citizen_client.get("/ho-so-cua-toi/", **EN)
    codes = [d.code for d in response.context["page"].object_list]
    assert codes == [mine.code]
    assert theirs.code not in response.content.decode()
    assert "Submitted, waiting" in response.content.decode()


def test_every_dossier_url_of_another_account_is_404(client, world):
    dossier = returned(world, online_dossier(world))
    result_file = DossierFile.objects.filter(dossier=dossier, kind="result").get()
    component_file = DossierFile.objects.filter(dossier=dossier, kind="component").first()
    document = ApplicantDocument.objects.get(source_dossier=dossier)
    client.force_login(world.other_citizen)
    code = dossier.code
    for url in (f"/ho-so-cua-toi/{code}/", f"/ho-so-cua-toi/{code}/tep/{result_file.pk}/",
                f"/ho-so-cua-toi/{code}/tep/{component_file.pk}/", f"/ho-so-cua-toi/{code}/bo-sung/",
                f"/ho-so-cua-toi/{code}/rut/", f"/kho-du-lieu/{document.pk}/tai/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/ho-so-cua-toi/{code}/danh-gia/", {"satisfied": "no"}).status_code == 404
    assert client.post(f"/ho-so-cua-toi/{code}/rut/", {"reason": "x", "confirm": "on"}).status_code == 404
    assert not ServiceRating.objects.exists()
    # Staff who handle it do not see it among "my dossiers" either.
    client.force_login(world.justice_desk)
    assert client.get(f"/ho-so-cua-toi/{code}/").status_code == 404
    # A file of my own dossier cannot be fetched through another of my dossiers.
    client.force_login(world.citizen)
    other = online_dossier(world)
    assert client.get(f"/ho-so-cua-toi/{other.code}/tep/{result_file.pk}/").status_code == 404


def test_timeline_in_plain_words_without_internal_notes(citizen_client, world):
    dossier = accept(world, online_dossier(world))
    perform(dossier.code, Action.FORWARD, world.justice_desk, assignee=world.spec, reason="GHI CHU NOI BO")
    perform(dossier.code, Action.APOLOGIZE, world.lead, reason="Xin lỗi vì chậm",
            new_due_at=Dossier.objects.get(pk=dossier.pk).current_due_at + dt.timedelta(days=3))
    response = citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/", **EN)
    body = response.content.decode()
    texts = [entry.text for entry in response.context["timeline"]]
    assert texts == ["Dossier submitted", "Dossier accepted by the agency", "Being handled",
                     "The agency apologised for the delay and set a new appointment"]
    assert "GHI CHU NOI BO" not in body
    assert "Xin lỗi vì chậm" in body
    dossier.refresh_from_db()
    new = timezone.localtime(dossier.extended_due_at).strftime("%d/%m/%Y %H:%M")
    assert f"Appointment: <strong>{new}</strong>" in body


def test_supplement_online(citizen_client, world):
    dossier = ask_supplement(world, accept(world, online_dossier(world)), reason="<b>Thiếu</b>")
    page = citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/", **EN)
    body = page.content.decode()
    assert page.context["may_supply"] and "Bản sao CCCD có chứng thực" in body
    assert "<b>Thiếu</b>" not in body and "&lt;b&gt;Thiếu&lt;/b&gt;" in body
    # Nothing attached: an error, nothing changes.
    empty = citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/", {"note": ""}, **EN)
    assert empty.status_code == 200 and empty.context["form"].non_field_errors()
    bad = citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/",
                              {"files": [SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf")]}, **EN)
    assert "Only PDF, JPEG and PNG" in str(bad.context["form"].non_field_errors())
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUPPLEMENT_REQUESTED
    ok = citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/", {
        "note": "Đã bổ sung", "files": [SimpleUploadedFile("cccd.pdf", PDF, "application/pdf"),
                                        SimpleUploadedFile("cccd2.pdf", PDF, "application/pdf")]})
    assert ok.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.components.filter(supplement__isnull=False).count() == 2
    assert dossier.supplement_requests.get().supplied_by == world.citizen
    # No longer waiting: the page says so and sends back.
    assert citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/bo-sung/").status_code == 302


def test_withdraw_with_reason_and_confirmation(citizen_client, world):
    dossier = online_dossier(world)
    missing = citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/rut/", {"reason": "Đổi ý"})
    assert missing.status_code == 200 and "confirm" in missing.context["form"].errors
    stale = citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/rut/",
                                {"reason": "Đổi ý", "confirm": "on", "version": dossier.version + 5})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.NEW
    ok = citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/rut/",
                             {"reason": "Đổi ý", "confirm": "on", "version": dossier.version})
    assert ok.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert dossier.events.get(action=Action.WITHDRAW).reason == "Đổi ý"
    assert citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/rut/").status_code == 302


def test_download_the_electronic_result_and_find_it_in_the_data_store(citizen_client, world):
    dossier = to_resolved(world, accept(world, online_dossier(world)))
    page = citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/")
    result = dossier.results.get()
    link = f"/ho-so-cua-toi/{dossier.code}/tep/{result.file_id}/"
    assert link in page.content.decode()
    response = citizen_client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    store = citizen_client.get("/kho-du-lieu/")
    documents = list(store.context["page"].object_list)
    assert [d.source_result_id for d in documents] == [result.pk]
    file = citizen_client.get(f"/kho-du-lieu/{documents[0].pk}/tai/")
    assert b"".join(file.streaming_content) == PDF
    assert f"/thu-tuc/?dung={documents[0].pk}" in store.content.decode()


def test_rate_once_only_after_the_result_is_handed_over(citizen_client, world):
    dossier = to_resolved(world, accept(world, online_dossier(world)))
    citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/danh-gia/", {"satisfied": "yes"})
    assert not ServiceRating.objects.exists()  # resolved, not yet handed over
    dossier = perform(dossier.code, Action.RETURN_RESULT, world.justice_desk)
    assert citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/").context["may_rate"]
    citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/danh-gia/", {"satisfied": "maybe"})
    assert not ServiceRating.objects.exists()
    citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/danh-gia/",
                        {"satisfied": "no", "comment": "<script>alert(1)</script>"})
    rating = ServiceRating.objects.get()
    assert rating.satisfied is False and rating.rated_by == world.citizen and rating.dossier == dossier
    again = citizen_client.post(f"/ho-so-cua-toi/{dossier.code}/danh-gia/", {"satisfied": "yes"})
    assert again.status_code == 302 and ServiceRating.objects.get().satisfied is False
    body = citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/danh-gia/").status_code == 405


def test_rating_service_rules(world):
    from congso.dossiers.services.common import BadInput, Forbidden, InvalidTransition
    from congso.portal.services.ratings import AlreadyRated, rate

    dossier = returned(world, online_dossier(world))
    with pytest.raises(Forbidden):
        rate(dossier, world.other_citizen, satisfied=True)
    with pytest.raises(BadInput):
        rate(dossier, world.citizen, satisfied="yes")
    with pytest.raises(BadInput):
        rate(dossier, world.citizen, satisfied=True, comment="x" * 2001)
    rate(dossier, world.citizen, satisfied=True, comment="Tốt")
    with pytest.raises(AlreadyRated):
        rate(dossier, world.citizen, satisfied=False)
    fresh = online_dossier(world)
    with pytest.raises(InvalidTransition):
        rate(fresh, world.citizen, satisfied=True)


def test_pay_button_is_included_when_payments_offer_it(citizen_client, world, settings, tmp_path):
    dossier = online_dossier(world)
    folder = tmp_path / "tpl" / "payments"
    folder.mkdir(parents=True)
    (folder / "_pay_button.html").write_text("<a id='pay'>PAY {{ dossier.code }}</a>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "tpl", *settings.TEMPLATES[0]["DIRS"]]}]
    body = citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert f"PAY {dossier.code}" in body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_ratings_at_once_record_one():
    import threading

    from django.db import connection

    from congso.portal.services.ratings import rate
    from congso.portal.tests.conftest import build_portal_world
    from congso.workcalendar.services import reset_cache

    reset_cache()
    w = build_portal_world()
    dossier = returned(w, online_dossier(w))
    outcomes, barrier = [], threading.Barrier(2)

    def run(satisfied):
        try:
            barrier.wait()
            rate(Dossier.objects.get(pk=dossier.pk), w.citizen, satisfied=satisfied)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - the loser's error is what we check
            outcomes.append(getattr(exc, "problem_code", type(exc).__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(value,)) for value in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_rated", "ok"]
    assert ServiceRating.objects.count() == 1


def test_my_dossiers_and_detail_query_counts_do_not_grow(citizen_client, world, django_assert_max_num_queries):
    for _ in range(12):
        online_dossier(world)
    dossier = ask_supplement(world, accept(world, online_dossier(world)))
    with django_assert_max_num_queries(12):
        response = citizen_client.get("/ho-so-cua-toi/")
    assert len(response.context["page"].object_list) == 13
    with django_assert_max_num_queries(20):
        assert citizen_client.get(f"/ho-so-cua-toi/{dossier.code}/").status_code == 200
