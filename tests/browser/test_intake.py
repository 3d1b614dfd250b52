"""A desk officer receives a dossier with two uploaded files through the intake wizard and reaches the receipt."""

from __future__ import annotations

import re

import pytest

from congso.catalog.models import Component
from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier
from congso.dossiers.tests.conftest import PDF, PNG, build_world
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_desk_officer_receives_a_dossier_with_two_files(page, shot):
    from django.contrib.contenttypes.models import ContentType

    from congso.workcalendar.services import reset_cache

    # After another transactional test the tables may have been flushed without being restored (seen with the
    # live server on SQLite): the process-wide content-type cache would then point the audit log at missing rows.
    ContentType.objects.clear_cache()
    reset_cache()
    world = build_world()
    world.desk.set_password("mat-khau-thu-1")
    world.desk.save()
    first, second = Component.objects.filter(version__procedure=world.procedure).order_by("order")

    log_in(page, "desk", "mat-khau-thu-1")
    page.goto("/can-bo/tiep-nhan/")
    page.fill("#q", "thu tuc thu")  # no diacritics: "Thủ tục thử"
    page.wait_for_selector("#results button[type=submit]")
    shot("procedure-search")
    page.click("#results button[type=submit]")

    page.wait_for_url("**/nguoi-nop/")
    page.fill("input[name=id_number]", "001090012345")
    page.fill("input[name=name]", "<script>alert(1)</script> Nguyễn Văn Án")
    page.fill("input[name=phone]", "0912345678")
    page.fill("input[name=address]", "12 Đường Hoa Sữa")
    shot("applicant")
    page.click("button[value=next]")

    page.wait_for_url("**/thanh-phan/")
    page.check(f"input[name=received_{first.pk}]")
    page.check(f"input[name=received_{second.pk}]")
    page.set_input_files(f"input[name=file_{first.pk}]",
                         files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.set_input_files(f"input[name=file_{second.pk}]",
                         files=[{"name": "cccd.png", "mimeType": "image/png", "buffer": PNG}])
    assert page.get_attribute(f"input[name=scan_{first.pk}]", "capture") == "environment"
    shot("components")
    page.click("form.intake-form button[type=submit].primary")

    page.wait_for_url("**/phi-hen-tra/")
    appointment = page.inner_text("[data-testid=appointment]").strip()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", appointment)
    shot("fees-and-appointment")
    page.click("form[action$='/luu/'] button[type=submit]")

    page.wait_for_url("**/bien-nhan/**")
    code = page.inner_text("[data-testid=dossier-code]").strip()
    shot("receipt")
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RECEIVED
    assert dossier.files.count() == 2
    assert page.inner_text("[data-testid=appointment]").strip() in (appointment, dossier.due_at and
                                                                    _local(dossier.due_at))
    assert page.inner_text("[data-testid=applicant-name]").startswith("<script>")  # shown as text, not run
    assert page.get_attribute(f"a[href='/in/giay-tiep-nhan/{code}.pdf']", "href")


def _local(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
