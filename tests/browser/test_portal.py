"""The citizen's path through the public portal in a real browser: register, confirm the e-mail, log in, find the
procedure without diacritics, submit online with two files, supplement when asked, download the e-result, rate.
The agency's side is played by calling the engine's services."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from congso.dossiers.choices import Action, Status
from congso.dossiers.models import Dossier
from congso.dossiers.services.actions import perform
from congso.portal.models import ServiceRating
from congso.portal.tests.conftest import PASSWORD, PDF, accept, build_portal_world, to_resolved
from tests.browser.conftest import log_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def portal_world(transactional_db, django_db_serialized_rollback):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from congso.workcalendar.services import reset_cache

    # The live server's fixture opens the database before the serialized rollback of this test is applied: after a
    # test that flushed the database (a transactional test), restore the data the migrations seeded (content types,
    # calendar, message templates) so the world is built on the same ground as in a fresh run.
    if not ContentType.objects.exists() and hasattr(connection, "_test_serialized_contents"):
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
    ContentType.objects.clear_cache()
    reset_cache()
    return build_portal_world()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_citizen_registers_submits_supplements_downloads_and_rates(page, shot, portal_world, live_server):
    w = portal_world
    # Register.
    page.goto("/dang-ky/")
    page.check("input[name=account_type][value=citizen]")
    page.fill("input[name=full_name]", "Lê Thị Hoa")
    page.fill("input[name=citizen_id]", "001190012346")
    page.fill("input[name=email]", "hoa@example.vn")
    page.fill("input[name=phone]", "0987 654 321")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    shot("register-form")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/dang-ky/da-gui/")
    shot("register-sent")

    # Confirm the e-mail from the link in the message.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/dang-ky/xac-thuc/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.wait_for_url("**/accounts/login/")
    shot("verified")

    # Log in: a citizen lands on "my dossiers".
    log_in(page, "hoa@example.vn", PASSWORD)
    page.wait_for_url("**/ho-so-cua-toi/")

    # Find the procedure without diacritics and open it.
    page.goto("/thu-tuc/")
    page.fill("input[name=q]", "dang ky khai sinh")
    page.click(".searchbar button[type=submit]")
    page.wait_for_url("**/thu-tuc/?q=dang+ky+khai+sinh**")
    shot("search")
    page.click("text=Đăng ký khai sinh")
    page.wait_for_url("**/thu-tuc/1.001193/")
    shot("procedure")
    page.click("a[href='/nop-ho-so/1.001193/']")
    page.wait_for_url("**/nop-ho-so/1.001193/")

    # The form is prefilled from the profile; attach two files, declare, submit.
    assert page.input_value("input[name=applicant_name]") == "Lê Thị Hoa"
    assert page.input_value("input[name=applicant_phone]") == "0987654321"
    inputs = page.locator("input[type=file]")
    assert inputs.count() == 2
    inputs.nth(0).set_input_files({"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF})
    inputs.nth(1).set_input_files({"name": "cccd.png", "mimeType": "image/png", "buffer": PNG})
    page.check("input[name=declaration]")
    shot("submit-form")
    page.click("button[name=submit]")
    page.wait_for_url("**/ho-so-cua-toi/*/")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.NEW and dossier.channel == "online"
    assert dossier.applicant.email == "hoa@example.vn" and dossier.fee_due == 4_000
    assert dossier.components.filter(file__isnull=False).count() == 2
    shot("submitted")
    page.goto("/ho-so-cua-toi/")
    assert page.locator(f"a[href='/ho-so-cua-toi/{dossier.code}/']").count() == 1
    shot("my-dossiers")

    # The agency accepts and asks for a supplement.
    accept(w, dossier)
    perform(dossier.code, Action.REQUEST_SUPPLEMENT, w.justice_desk, reason="Ảnh chụp mờ",
            items=["Bản sao CCCD rõ nét"])

    # The citizen supplements online.
    page.goto(f"/ho-so-cua-toi/{dossier.code}/")
    assert page.locator("text=Bản sao CCCD rõ nét").first.is_visible()
    shot("supplement-requested")
    page.click(f"a[href='/ho-so-cua-toi/{dossier.code}/bo-sung/']")
    page.set_input_files("input[name=files]", {"name": "cccd-ro.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.code}/")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.supplement_requests.get().supplied_at is not None
    shot("supplemented")

    # The agency completes with an electronic result and hands it over.
    to_resolved(w, dossier)
    perform(dossier.code, Action.RETURN_RESULT, w.justice_desk)

    # The citizen downloads the result and rates the service.
    page.goto(f"/ho-so-cua-toi/{dossier.code}/")
    result = dossier.results.get()
    with page.expect_download() as download_info:
        page.click(f"a[href='/ho-so-cua-toi/{dossier.code}/tep/{result.file_id}/']")
    download = download_info.value
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF
    page.check("input[name=satisfied][value=yes]")
    page.fill("textarea[name=comment]", "Nhanh, gọn")
    shot("rate")
    page.click(f"form[action='/ho-so-cua-toi/{dossier.code}/danh-gia/'] button[type=submit]")
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.code}/")
    rating = ServiceRating.objects.get(dossier=dossier)
    assert rating.satisfied and rating.comment == "Nhanh, gọn"
    shot("rated")

    # The result is in the data store too.
    page.goto("/kho-du-lieu/")
    assert page.locator("a[href^='/kho-du-lieu/']").count() >= 1
    shot("data-store")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lookup_from_the_printed_qr_code(page, shot, portal_world):
    from congso.portal.tests.conftest import online_dossier

    dossier = online_dossier(portal_world)
    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    page.goto("/thu-tuc/?q=khai+sinh")
    shot("search-on-a-phone")
    page.goto(f"/tra-cuu/{dossier.code}")
    assert page.input_value("input[name=code]") == dossier.code
    page.fill("input[name=factor]", "0912345678")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("p.status")
    assert dossier.applicant_name not in page.content()
    shot("lookup")
