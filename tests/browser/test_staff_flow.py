"""The staff workspace end to end, through the real pages: the desk receives a dossier with two PDF files and prints
the receipt; the specialist asks for a supplement, the desk records it; the specialist, the head and the leader move
the dossier through the process plan (Tiếp nhận → Thẩm định → Xem xét → Ký duyệt → Trả kết quả); the leader issues
the signed e-result; the desk returns it. The worklists and the menu counts follow every move.

Selectors are data attributes (data-testid, data-action, data-count, data-code) and field names: the Vietnamese
catalogue may or may not be compiled when this runs."""

from __future__ import annotations

import time

import pytest

from congso.catalog.models import Component
from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier
from congso.signing.certificates import roots_pem
from congso.signing.models import IssuedDocument
from tests.browser.staff_world import (
    act,
    codes_in,
    expect_success,
    log_in_as,
    menu_count,
    open_dossier,
    pdf_upload,
    pdfsig_report,
    pdftotext,
    print_links,
    staff_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Stopwatch:
    """Wall time of each stage, written next to the screenshots (never asserted)."""

    def __init__(self, folder):
        self.folder, self.started, self.last, self.rows = folder, time.perf_counter(), time.perf_counter(), []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.rows.append(f"{name}: {now - self.last:.2f} s")
        self.last = now

    def save(self) -> None:
        self.rows.append(f"total: {time.perf_counter() - self.started:.2f} s")
        (self.folder / "timings.txt").write_text("\n".join(self.rows) + "\n")
        print("\n".join(self.rows))  # noqa: T201 - shown with pytest -s


def receive_with_two_pdfs(page, world, shot) -> str:
    """The desk intake wizard, from procedure search to the receipt; returns the new dossier's code."""
    first, second = Component.objects.filter(version__procedure=world.procedure).order_by("order")
    page.goto("/can-bo/tiep-nhan/")
    page.fill("#q", "thu tuc thu")  # no diacritics: "Thủ tục thử"
    page.wait_for_selector("#results button[type=submit]")
    page.click("#results button[type=submit]")

    page.wait_for_url("**/nguoi-nop/")
    page.fill("input[name=id_number]", "001090012345")
    page.fill("input[name=name]", "Nguyễn Văn Án")
    page.fill("input[name=phone]", "0912345678")
    page.fill("input[name=address]", "12 Đường Hoa Sữa")
    page.click("button[value=next]")

    page.wait_for_url("**/thanh-phan/")
    page.check(f"input[name=received_{first.pk}]")
    page.check(f"input[name=received_{second.pk}]")
    page.set_input_files(f"input[name=file_{first.pk}]", files=[pdf_upload("to-khai.pdf", "Tờ khai")])
    page.set_input_files(f"input[name=file_{second.pk}]", files=[pdf_upload("cccd.pdf", "Căn cước công dân")])
    shot("desk-components-with-two-pdfs")
    page.click("form.intake-form button[type=submit].primary")

    page.wait_for_url("**/phi-hen-tra/")
    page.wait_for_selector("[data-testid=appointment]")
    page.click("form[action$='/luu/'] button[type=submit]")

    page.wait_for_url("**/bien-nhan/**")
    code = page.inner_text("[data-testid=dossier-code]").strip()
    shot("desk-receipt")
    return code


def test_a_dossier_goes_through_the_whole_staff_flow(page, shot, artifacts, tmp_path):
    clock = Stopwatch(artifacts)
    world = staff_world()
    clock.lap("world")

    # The counts before anything happens.
    log_in_as(page, "spec")
    spec_todo_before = menu_count(page, "todo")
    spec_waiting_before = menu_count(page, "waiting")
    log_in_as(page, "desk")
    desk_todo_before = menu_count(page, "todo")
    clock.lap("counts before")

    # 1. The desk receives a dossier with two PDF files and prints the receipt.
    code = receive_with_two_pdfs(page, world, shot)
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RECEIVED
    assert sorted(dossier.files.values_list("content_type", flat=True)) == ["application/pdf"] * 2
    receipt_url = f"/in/giay-tiep-nhan/{code}.pdf"
    assert page.locator(f"a[href='{receipt_url}']").count() >= 1
    receipt = page.request.get(receipt_url)
    assert receipt.status == 200, receipt.status
    assert receipt.body().startswith(b"%PDF")
    assert code in pdftotext(receipt.body(), artifacts, "receipt.pdf")
    assert menu_count(page, "todo") == desk_todo_before + 1  # the desk holds the first step
    clock.lap("1 intake and receipt")

    # 2. The desk forwards the dossier to the specialist; the specialist's to-do count goes up by one.
    open_dossier(page, code)
    shot("desk-dossier-page")
    act(page, "forward", select={"assignee": world.spec.pk})
    shot("desk-forwarded")
    assert menu_count(page, "todo") == desk_todo_before
    log_in_as(page, "spec")
    assert menu_count(page, "todo") == spec_todo_before + 1
    shot("spec-menu-counts")
    assert code in codes_in(page, "todo")
    shot("spec-todo-list")
    clock.lap("2 forward to the specialist")

    # 3. The specialist asks for a supplement; the dossier waits for the applicant, then the desk records it.
    open_dossier(page, code)
    act(page, "request_supplement", fill={"items": "Bản sao sổ hộ khẩu\nGiấy khai sinh (bản chính)",
                                          "reason": "Thiếu giấy tờ chứng minh nơi cư trú"})
    shot("spec-supplement-requested")
    assert Dossier.objects.get(code=code).status == Status.SUPPLEMENT_REQUESTED
    assert code in codes_in(page, "waiting")
    assert code not in codes_in(page, "todo")
    assert menu_count(page, "waiting") == spec_waiting_before + 1
    assert menu_count(page, "todo") == spec_todo_before
    # Every printed form the dossier page offers now (receipt, supplement request, control sheet) is a PDF.
    open_dossier(page, code)
    printed = print_links(page)
    assert f"/in/giay-tiep-nhan/{code}.pdf" in printed and len(printed) >= 3, printed
    for href in printed:
        response = page.request.get(href)
        assert response.status == 200 and response.body().startswith(b"%PDF"), (href, response.status)

    log_in_as(page, "desk")
    open_dossier(page, code)
    act(page, "supply", files={"files": [pdf_upload("ho-khau.pdf", "Sổ hộ khẩu")]})
    shot("desk-supplement-recorded")
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.IN_PROGRESS
    assert dossier.files.count() == 3
    log_in_as(page, "spec")
    assert code in codes_in(page, "todo")
    assert code not in codes_in(page, "waiting")
    assert menu_count(page, "todo") == spec_todo_before + 1
    assert menu_count(page, "waiting") == spec_waiting_before
    clock.lap("3 supplement requested and supplied")

    # 4. Thẩm định → Xem xét → Ký duyệt: specialist to head, head to leader; the leader signs the e-result.
    open_dossier(page, code)
    act(page, "forward", select={"assignee": world.head.pk})
    assert menu_count(page, "todo") == spec_todo_before
    log_in_as(page, "head")
    assert code in codes_in(page, "todo")
    open_dossier(page, code)
    shot("head-dossier-page")
    act(page, "forward", select={"assignee": world.lead.pk})
    assert code not in codes_in(page, "todo")
    log_in_as(page, "lead")
    assert code in codes_in(page, "todo")
    open_dossier(page, code)
    assert Dossier.objects.get(code=code).holder_id == world.lead.pk
    sign_form = page.locator("form[data-testid=sign-form]")
    sign_form.locator("input[name=file]").set_input_files(files=[pdf_upload("giay-chung-nhan.pdf",
                                                                            "Giấy chứng nhận")])
    sign_form.locator("input[name=number]").fill("15/GCN-STP")
    shot("lead-sign-form")
    with page.expect_navigation():
        sign_form.locator("button[type=submit]").click()
    expect_success(page)
    shot("lead-signed")
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RESOLVED
    result = dossier.results.get()
    assert result.is_electronic and result.number == "15/GCN-STP"
    issued = IssuedDocument.objects.get(dossier=dossier)
    assert page.locator(f"a[href='/xac-thuc/{issued.token}']").count() == 1  # the page links the record
    signed = page.request.get(f"/xac-thuc/tai-ve/{issued.token}")
    assert signed.status == 200 and signed.body().startswith(b"%PDF")
    (artifacts / "signed-result.pdf").write_bytes(signed.body())
    report = pdfsig_report(signed.body(), tmp_path, "signed.pdf", roots_pem())
    assert "Signature is Valid." in report, report
    assert "Certificate is Trusted." in report, report
    assert world.justice.name in report
    clock.lap("4 head, leader, signed e-result")

    # 5. The desk returns the result: status 10 (Đã trả kết quả); every to-do count is back where it started.
    log_in_as(page, "desk")
    assert code in codes_in(page, "todo")  # the last step (Trả kết quả) is the desk's
    open_dossier(page, code)
    act(page, "return_result")
    shot("desk-result-returned")
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RETURNED == 10
    assert dossier.returned_at is not None and dossier.holder_id is None
    assert menu_count(page, "todo") == desk_todo_before
    assert code not in codes_in(page, "todo")
    for user in ("spec", "head", "lead"):
        log_in_as(page, user)
        assert code not in codes_in(page, "todo")
        assert code not in codes_in(page, "waiting")
    assert menu_count(page, "todo") == 0  # the leader's
    log_in_as(page, "spec")
    assert menu_count(page, "todo") == spec_todo_before
    assert menu_count(page, "waiting") == spec_waiting_before
    shot("spec-counts-after")
    clock.lap("5 result returned")

    # The processing log tells the whole story, in order.
    actions = list(dossier.events.order_by("seq").values_list("action", flat=True))
    assert actions == ["create", "accept", "forward", "request_supplement", "supply", "forward", "forward", "complete",
                       "return_result"], actions
    clock.save()


def test_a_specialist_of_another_agency_gets_404_on_the_dossier(page, shot):
    from congso.dossiers.services.creation import create_dossier
    from congso.dossiers.tests.conftest import intake

    world = staff_world()
    dossier = create_dossier(intake(world), world.desk)
    events = dossier.events.count()
    log_in_as(page, "finspec")  # a specialist of Sở Tài chính; the dossier belongs to Sở Tư pháp
    for url in (f"/can-bo/ho-so/{dossier.code}/", f"/in/giay-tiep-nhan/{dossier.code}.pdf"):
        response = page.goto(url)
        assert response is not None and response.status == 404, (url, response and response.status)
    shot("other-agency-404")
    assert dossier.code not in codes_in(page, "todo")
    # Acting by posting the form by hand is refused the same way, and changes nothing.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/forward/", form={"version": "1"},
                               headers={"X-CSRFToken": token, "Referer": page.url}, max_redirects=0)
    assert posted.status == 404, posted.status
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.events.count() == events
