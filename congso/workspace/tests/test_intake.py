"""The desk intake wizard end to end through the Django test client (docs/desk-intake.md)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congso.catalog.models import Component, Procedure
from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier, DossierFile, Payment
from congso.dossiers.services.common import compute_due
from congso.dossiers.tests.conftest import PDF, PNG, build_world, local, make_procedure, make_user
from congso.org.choices import Role
from congso.workspace.intake import drafts

NOW = local(2025, 1, 20, 9, 0)  # Monday; 5 working days → Mon 3 Feb 09:00 (Tết 27–31 Jan is skipped)
HOSTILE = '<script>alert("x")</script> Nguyễn'
URL = {name: reverse(f"workspace:intake_{name}") for name in
       ("procedure", "procedure_results", "applicant", "components", "review", "save", "refuse", "cancel")}


@pytest.fixture
def world(db):
    """The engine's small test world (congso/dossiers/tests/conftest.py): a service centre receiving for the
    provincial departments, one procedure of 5 working days with two components and a 50,000 đ fee."""
    return build_world()


@pytest.fixture
def frozen(monkeypatch):
    """Every 'now' of the wizard and the engine is NOW, so the appointment shown can be compared to the stored one."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def desk(client, world):
    client.force_login(world.desk)
    return client


def english(client):
    """Pages in English (the Vietnamese catalogue is merged later): the language cookie the switcher sets."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def choose(client, code="1.000001", agency="000.00.03.H97"):
    return client.post(URL["procedure"], {"action": "choose", "code": code, "agency": agency})


def applicant(client, **extra):
    data = {"kind": "person", "name": "Nguyễn Văn Án", "id_number": "001090012345", "phone": "0912 345 678",
            "email": "an@example.vn", "address": "1 Đường Thử", "action": "next", **extra}
    return client.post(URL["applicant"], data)


def component_ids(code="1.000001"):
    return [c.pk for c in Component.objects.filter(version__procedure__code=code).order_by("order")]


def components(client, files=None, tick=None, **extra):
    ids = component_ids()
    data = {}
    for index, pk in enumerate(ids):
        if tick is None or index in tick:
            data[f"received_{pk}"] = "on"
        data[f"originals_{pk}"] = "1"
        data[f"certified_{pk}"] = "0"
        data[f"photocopies_{pk}"] = "0"
    for index, upload in (files or {}).items():
        data[f"file_{ids[index]}"] = upload
    data.update(extra)
    return client.post(URL["components"], data)


def pdf(name="to khai.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="cccd.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def token_of(client):
    return drafts.get_draft(client.session)["token"]


def through_components(client, **kwargs):
    assert choose(client).status_code == 302
    assert applicant(client, **kwargs).status_code == 302
    response = components(client, files={0: pdf(), 1: png()})
    assert response.status_code == 302, response.content.decode()[:2000]


# --- step 1 ---------------------------------------------------------------------------------------------------------
def test_search_without_diacritics_finds_only_what_the_desk_takes_in(desk, world):
    birth = make_procedure("1.001193", world.justice)
    version = birth.versions.get()
    version.name = "Đăng ký khai sinh"
    version.save()
    foreign = make_user("fdesk", world.finance, Role.DESK_OFFICER)
    response = desk.get(URL["procedure_results"], {"q": "dang ky khai sinh"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1.001193" in html and "1.000001" not in html
    assert "Sở Tư pháp" in html  # the handling agency the centre receives for
    # Typing with diacritics finds the same; a code finds its procedure.
    assert "1.001193" in desk.get(URL["procedure_results"], {"q": "ĐĂNG KÝ"}).content.decode()
    assert "1.000001" in desk.get(URL["procedure"], {"q": "1.000001"}).content.decode()
    # A desk officer of another agency (finance serves only itself) sees none of justice's procedures …
    desk.force_login(foreign)
    assert "1.001193" not in desk.get(URL["procedure_results"], {"q": "dang ky"}).content.decode()
    # … and cannot pick one by posting its code.
    response = choose(desk, "1.001193")
    assert response.status_code == 400
    assert drafts.get_draft(desk.session)["procedure"] is None


def test_search_runs_a_fixed_number_of_queries(desk, world):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = desk.get(URL["procedure_results"], {"q": "thu tuc"})
        assert response.status_code == 200
        return len(queries), response.content.decode().count('name="code"')

    desk.get(URL["procedure"])  # the draft exists: the search itself is measured
    few, rows = count()
    assert rows == 1
    for index in range(2, 14):
        make_procedure(f"1.{index:06d}", world.justice)
    many, rows = count()
    assert rows == 13
    assert many == few


def test_staff_without_a_desk_role_is_refused(client, world):
    client.force_login(world.spec)
    assert client.get(URL["procedure"]).status_code == 403
    assert client.post(URL["save"], {"token": "x", "payment": "later"}).status_code == 403


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(URL["procedure"])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the whole wizard -------------------------------------------------------------------------------------------------
def test_wizard_receives_a_dossier_with_two_files_and_shows_the_receipt(desk, world, frozen):
    through_components(desk, name=HOSTILE)
    review = english(desk).get(URL["review"])
    html = review.content.decode()
    assert review.status_code == 200
    expected = compute_due(NOW, world.procedure.versions.get().durations.get().amount, "working_day", None)[1]
    assert expected == local(2025, 2, 3, 9, 0)
    assert "03/02/2025 09:00" in html and "Appointment if received now" in html
    assert "50.000 đ" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    response = desk.post(URL["save"], {"token": token_of(desk), "payment": "later"})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("workspace:intake_receipt", args=[dossier.code])
    assert dossier.status == Status.RECEIVED and dossier.channel == "direct"
    assert dossier.due_at == expected  # the appointment shown is the one stored
    assert dossier.receiving_agency == world.centre and dossier.handling_agency == world.justice
    assert dossier.applicant_name == HOSTILE and dossier.applicant_phone == "0912345678"
    files = list(DossierFile.objects.filter(dossier=dossier).order_by("id"))
    assert [(f.original_name, f.content_type) for f in files] == [("to khai.pdf", "application/pdf"),
                                                                   ("cccd.png", "image/png")]
    assert dossier.fee_due == 50_000 and dossier.fee_paid == 0
    # The draft and its waiting files are gone.
    assert drafts.get_draft(desk.session) is None
    assert not default_storage.exists(drafts.DRAFT_FOLDER) or not default_storage.listdir(drafts.DRAFT_FOLDER)[1]
    page = desk.get(response["Location"]).content.decode()
    assert dossier.code in page and "03/02/2025 09:00" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Nguyễn" in page
    assert f"/in/giay-tiep-nhan/{dossier.code}.pdf" in page and f"/can-bo/ho-so/{dossier.code}/" in page
    assert "001090012345" not in page  # the ID number is masked on the receipt page


def test_fees_paid_at_the_desk_are_recorded(desk, world, frozen):
    through_components(desk)
    desk.post(URL["save"], {"token": token_of(desk), "payment": "now"})
    dossier = Dossier.objects.get()
    assert dossier.fee_paid == 50_000 and dossier.payment_method == 0
    assert Payment.objects.get(dossier=dossier).amount == 50_000


def test_double_submit_of_the_last_step_creates_one_dossier(desk, world, frozen):
    through_components(desk)
    token = token_of(desk)
    first = desk.post(URL["save"], {"token": token, "payment": "later"})
    second = desk.post(URL["save"], {"token": token, "payment": "later"})
    assert Dossier.objects.count() == 1
    assert first["Location"] == second["Location"]
    # The same token on the refusal form changes nothing either.
    third = desk.post(URL["refuse"], {"token": token, "reason": "x"})
    assert third["Location"] == first["Location"] and Dossier.objects.get().status == Status.RECEIVED


def test_double_submit_when_the_session_was_read_before_the_first_finished(desk, world, frozen):
    """The second request carries the session as it was before the first saved (two tabs, a double click):
    the code recorded in the stored session inside the first transaction stops it."""
    from django.contrib.sessions.backends.db import SessionStore

    from congso.workspace.intake.search import find_option
    from congso.workspace.intake.services import receive_draft

    through_components(desk)
    key = desk.session.session_key
    stale, current = SessionStore(session_key=key), SessionStore(session_key=key)
    stale.load(), current.load()
    stale._session_cache = stale.load()
    current._session_cache = current.load()
    draft = drafts.get_draft(current)
    implementation = find_option(world.centre, "1.000001", world.justice.code)
    version = implementation.version
    first = receive_draft(current, world.desk, draft["token"], world.centre, version, pay_now=False)
    second = receive_draft(stale, world.desk, draft["token"], world.centre, version, pay_now=False)
    assert first[1] is True and second == (first[0], False)
    assert Dossier.objects.count() == 1


def test_refuse_at_intake_keeps_the_reason_escaped(desk, world, frozen):
    through_components(desk)
    response = desk.post(URL["refuse"], {"token": token_of(desk), "reason": "<b>Thiếu</b> giấy tờ"})
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("workspace:intake_receipt", args=[dossier.code])
    assert dossier.status == Status.REFUSED and dossier.refused_at == NOW
    assert dossier.events.get(action="refuse").reason == "<b>Thiếu</b> giấy tờ"
    page = desk.get(response["Location"]).content.decode()
    assert "&lt;b&gt;Thiếu&lt;/b&gt; giấy tờ" in page and "<b>Thiếu" not in page
    assert f"/in/phieu-tu-choi/{dossier.code}.pdf" in page


def test_refusal_needs_a_reason(desk, world, frozen):
    through_components(desk)
    response = desk.post(URL["refuse"], {"token": token_of(desk), "reason": "   "})
    assert response.status_code == 400
    assert Dossier.objects.count() == 0


# --- bad input saves nothing ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("number", ["00109001234", "0010900123456", "999090012345", "001A90012345", ""])
def test_invalid_citizen_id_is_refused_next_to_the_field(desk, world, number):
    choose(desk)
    response = applicant(english(desk), id_number=number)
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_id_number_errors"[^>]*>.*?<li>[^<]+</li>', html, re.S)
    assert drafts.get_draft(desk.session)["applicant"] is None


def test_organisation_needs_a_valid_tax_code_and_a_representative(desk, world):
    choose(desk)
    response = applicant(desk, kind="organisation", name="Công ty TNHH Thử", id_number="0100109106",
                         representative="")
    assert response.status_code == 400 and "representative" in response.context["form"].errors
    response = applicant(desk, kind="organisation", name="Công ty TNHH Thử", id_number="0100109107",
                         representative="Lê Thị Bình")
    assert response.status_code == 400 and "id_number" in response.context["form"].errors
    response = applicant(desk, kind="organisation", name="Công ty TNHH Thử", id_number="0100109106",
                         representative="Lê Thị Bình")
    assert response.status_code == 302
    assert drafts.get_draft(desk.session)["applicant"]["representative"] == "Lê Thị Bình"


def test_a_forbidden_file_disguised_as_pdf_is_refused_and_nothing_is_kept(desk, world):
    choose(desk)
    applicant(desk)
    disguised = SimpleUploadedFile("to khai.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    response = components(english(desk), files={0: disguised, 1: png()})
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG files are accepted." in response.content.decode()
    assert drafts.get_draft(desk.session)["components"] is None
    # The valid PNG of the same post was not kept either.
    assert not default_storage.exists(drafts.DRAFT_FOLDER) or not default_storage.listdir(drafts.DRAFT_FOLDER)[0]
    # A PNG named .pdf is refused too (the name must agree with the content).
    response = components(desk, files={0: SimpleUploadedFile("x.pdf", PNG, content_type="application/pdf")})
    assert response.status_code == 400 and drafts.get_draft(desk.session)["components"] is None


def test_a_missing_required_component_is_refused(desk, world):
    choose(desk)
    applicant(desk)
    response = components(english(desk), tick={1})
    assert response.status_code == 400
    assert "This component is required" in response.content.decode()
    assert drafts.get_draft(desk.session)["components"] is None
    assert desk.get(URL["review"])["Location"] == URL["components"]


def test_an_optional_component_may_be_left_out(desk, world, frozen):
    optional = Component.objects.get(version__procedure__code="1.000001", order=2)
    optional.required = False
    optional.save()
    choose(desk)
    applicant(desk)
    assert components(desk, tick={0}).status_code == 302
    desk.post(URL["save"], {"token": token_of(desk), "payment": "later"})
    assert [c.name for c in Dossier.objects.get().components.all()] == ["Tờ khai"]


def test_counts_out_of_range_are_refused(desk, world):
    choose(desk)
    applicant(desk)
    ids = component_ids()
    response = components(desk, **{f"originals_{ids[0]}": "101"})
    assert response.status_code == 400 and f"originals_{ids[0]}" in response.context["form"].errors


# --- the draft survives back and refresh ----------------------------------------------------------------------------
def test_back_and_refresh_lose_nothing(desk, world):
    through_components(desk, name="Trần Thị Cúc")
    assert 'value="Trần Thị Cúc"' in desk.get(URL["applicant"]).content.decode()
    page = desk.get(URL["components"]).content.decode()
    assert "to khai.pdf" in page and "cccd.png" in page
    # Posting the checklist again without new files keeps the kept ones.
    assert components(desk).status_code == 302
    kept = [item["file"]["name"] for item in drafts.get_draft(desk.session)["components"].values()]
    assert kept == ["to khai.pdf", "cccd.png"]
    # Choosing the same procedure again keeps the checklist; starting again drops it and its files.
    choose(desk)
    assert drafts.get_draft(desk.session)["components"] is not None
    paths = drafts.draft_files(drafts.get_draft(desk.session))
    desk.post(URL["cancel"])
    assert drafts.get_draft(desk.session) is None and not any(default_storage.exists(p) for p in paths)


def test_steps_cannot_be_skipped(desk, world):
    assert desk.get(URL["components"])["Location"] == URL["procedure"]
    choose(desk)
    assert desk.get(URL["review"])["Location"] == URL["applicant"]


def test_lookup_prefills_an_existing_applicant_account(desk, world):
    world.citizen.full_name = "Phạm Văn Dũng"
    world.citizen.phone = "0987654321"
    world.citizen.save()
    choose(desk)
    response = desk.post(URL["applicant"], {"action": "lookup", "kind": "person", "id_number": "001090012345"},
                         HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Phạm Văn Dũng"' in html and 'value="0987654321"' in html
    assert "<html" not in html  # the htmx answer is the form only
    assert drafts.get_draft(desk.session)["applicant"] is None  # a lookup saves nothing


# --- scope ----------------------------------------------------------------------------------------------------------
def test_receipt_of_another_agency_is_not_found(desk, world, frozen):
    through_components(desk)
    desk.post(URL["save"], {"token": token_of(desk), "payment": "later"})
    code = Dossier.objects.get().code
    desk.force_login(make_user("fdesk", world.finance, Role.DESK_OFFICER))
    assert desk.get(reverse("workspace:intake_receipt", args=[code])).status_code == 404
    desk.force_login(world.citizen)
    assert desk.get(reverse("workspace:intake_receipt", args=[code])).status_code == 404


def test_the_engine_refuses_a_desk_that_lost_its_role_between_steps(desk, world, frozen):
    through_components(desk)
    world.desk.memberships.update(valid_to=dt.date(2000, 1, 2), valid_from=dt.date(2000, 1, 1))
    response = desk.post(URL["save"], {"token": token_of(desk), "payment": "later"})
    assert response.status_code == 403
    assert Dossier.objects.count() == 0


def test_csrf_is_required(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.desk)
    assert client.post(URL["procedure"], {"action": "choose", "code": "1.000001",
                                          "agency": world.justice.code}).status_code == 403
    assert Procedure.objects.count() == 1
