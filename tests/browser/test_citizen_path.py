"""The whole citizen path of the public portal in a real browser, with nothing shortcut on the citizen's side:
register and confirm the e-mail read from a real SMTP server, find the procedure without diacritics, submit online
with two files, pay the fee through the gateway simulator (its own process), receive the supplement request by
e-mail at the SMTP server, supplement online, download the signed e-result and rate the service.

The agency's side (accept, request a supplement, forward, sign, return) is played by calling the services: the staff
screens have their own browser tests."""

from __future__ import annotations

import io
import re
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module

import pytest
from django.core import mail

from congso.catalog.models import Implementation, ProcedureVersion
from congso.dossiers.choices import Action, PaymentMethod, Status
from congso.dossiers.models import Dossier, Payment
from congso.dossiers.services.actions import perform
from congso.dossiers.tests.conftest import PDF, build_world
from congso.payments.tests.conftest import point_settings_at, start_gateway
from congso.portal.models import ServiceRating
from congso.signing.tests.conftest import sample_pdf
from tests.browser.conftest import log_in
from tests.browser.smtp_server import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Mat-khau-rat-dai-2026"
EMAIL = "lan.tran@example.vn"
PROCEDURE = "1.000001"
PROCEDURE_NAME = "Chứng thực bản sao từ bản chính giấy tờ, văn bản"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MISSING = "Bản sao Căn cước công dân rõ nét, đủ hai mặt"
REASON = "Ảnh chụp giấy tờ bị mờ, không đọc được số định danh"
RESULT_PDF = sample_pdf("Bản sao chứng thực")  # a real A4 PDF (weasyprint): the signer refuses a toy one


@pytest.fixture
def world(transactional_db, django_db_serialized_rollback):
    from django.apps import apps as django_apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from congso.signing.certificates import ensure_demo_certificates
    from congso.workcalendar.services import reset_cache

    # As in test_portal.py: the live server may open the database before this test's serialized rollback is
    # applied; restore what the migrations seeded (content types, calendar, message templates) if it is missing.
    if not ContentType.objects.exists() and hasattr(connection, "_test_serialized_contents"):
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
    # The message wordings are seeded by migrations; after another browser test's flush they can be missing even
    # though the content types are back (seen when this test runs after tests/browser/test_portal.py), and the
    # notices this test reads at the SMTP server need them. The seed functions are idempotent (get_or_create).
    for migration in ("0002_seed_templates", "0003_feedback_templates"):
        import_module(f"congso.notifications.migrations.{migration}").seed(django_apps, None)
    ContentType.objects.clear_cache()
    reset_cache()
    w = build_world()
    version = ProcedureVersion.objects.get(procedure__code=PROCEDURE)
    # A name with diacritics to search for without them; the test world's procedure is taken online (partially)
    # by the Department of Justice — made explicit here so the test does not depend on that default.
    version.name = PROCEDURE_NAME
    version.save()
    Implementation.objects.filter(version=version, agency=w.justice).update(online_mode="partial", active=True)
    ensure_demo_certificates([w.justice])
    return w


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        server.point_django_at(settings)
        yield server


@pytest.fixture
def gateway(settings, live_server):
    simulator = start_gateway(live_server.url + "/thanh-toan/vnpay/ipn")
    try:
        point_settings_at(settings, simulator.url)
        settings.CONGSO_VNPAY_RETURN_URL = live_server.url + "/thanh-toan/ket-qua"
        yield simulator
    finally:
        simulator.stop()


class Stopwatch:
    """Wall-clock time of each stage, printed at the end (`-s` shows it); reported, never asserted."""

    def __init__(self):
        self.marks: list[tuple[str, float]] = []
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.marks.append((name, now - self.last))
        self.last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.marks)


def off_the_event_loop(function, *args, **kwargs):
    """Call `function` in a worker thread. Playwright's sync API keeps an asyncio loop running in the test's thread,
    and pyHanko's synchronous sign and validate calls use asyncio.run(), which refuses to start inside a running
    loop; the product calls them from request and task threads, where no loop runs."""
    from django.db import connection

    def call():
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()  # the worker thread's own connection

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def signature_status(pdf: bytes):
    """pyHanko's verdict on the one embedded signature, trusting only congso's demo CA."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from congso.signing.certificates import trusted_roots

    (embedded,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    roots = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in trusted_roots()]
    return validate_pdf_signature(embedded, signer_validation_context=ValidationContext(trust_roots=roots,
                                                                                       allow_fetching=False))


def test_the_whole_citizen_path(page, shot, world, smtp, gateway, settings, live_server):
    w = world
    settings.SITE_URL = live_server.url  # the links in notices point at this server
    clock = Stopwatch()

    # 1. Register; the verification e-mail travels over SMTP to our server; open its link; log in.
    page.goto("/dang-ky/")
    page.check("input[name=account_type][value=citizen]")
    page.fill("input[name=full_name]", "Trần Thị Lan")
    page.fill("input[name=citizen_id]", "001190012347")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=phone]", "0987 654 322")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    shot("register-form")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/dang-ky/da-gui/")
    shot("register-sent")
    verification = smtp.wait_for(lambda m: EMAIL in m.rcpt_tos)
    assert not getattr(mail, "outbox", [])  # it really went over SMTP, not into Django's in-memory outbox
    assert [m for m in smtp.messages if EMAIL in m.rcpt_tos] == [verification]  # one message, not two
    link = re.search(r"https?://\S+/dang-ky/xac-thuc/\S+/", verification.text).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.wait_for_url("**/accounts/login/")
    shot("verified")
    log_in(page, EMAIL, PASSWORD)
    page.wait_for_url("**/ho-so-cua-toi/")
    clock.lap("register+verify+login")

    # 2. Search without diacritics, open the procedure, submit online with two files.
    page.goto("/thu-tuc/")
    page.fill("input[name=q]", "chung thuc ban sao")
    page.click(".searchbar button[type=submit]")
    page.wait_for_url("**/thu-tuc/?q=chung+thuc+ban+sao**")
    shot("search")
    page.click(f"text={PROCEDURE_NAME}")
    page.wait_for_url(f"**/thu-tuc/{PROCEDURE}/")
    shot("procedure")
    page.click(f"a[href='/nop-ho-so/{PROCEDURE}/']")
    page.wait_for_url(f"**/nop-ho-so/{PROCEDURE}/")
    assert page.input_value("input[name=applicant_name]") == "Trần Thị Lan"
    files = page.locator("input[type=file]")
    assert files.count() == 2
    files.nth(0).set_input_files({"name": "tờ khai.pdf", "mimeType": "application/pdf", "buffer": PDF})
    files.nth(1).set_input_files({"name": "cccd.png", "mimeType": "image/png", "buffer": PNG})
    page.check("input[name=declaration]")
    shot("submit-form")
    page.click("button[name=submit]")
    page.wait_for_url("**/ho-so-cua-toi/*/")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.NEW and dossier.channel == "online"
    assert dossier.applicant.email == EMAIL and dossier.fee_due == 50_000 and dossier.fee_paid == 0
    assert dossier.components.filter(file__isnull=False).count() == 2
    shot("submitted")
    clock.lap("search+submit")

    # 3. The agency accepts (the acceptance notice goes out by e-mail too); the citizen pays through the gateway
    # simulator.
    before = len(smtp.messages)
    perform(dossier.code, Action.ACCEPT, w.justice_desk)
    received = smtp.wait_for(lambda m: EMAIL in m.rcpt_tos and dossier.code in m.subject, after=before)
    assert "Trần Thị Lan" in received.text
    page.goto(f"/ho-so-cua-toi/{dossier.code}/")
    shot("accepted-owes")
    page.click("form.pay-button button[type=submit]")
    page.wait_for_url(gateway.url + "/paymentv2/vpcpay.html?**")
    assert page.locator("#amount").inner_text() == "50.000 VND"
    shot("gateway")
    page.click("#pay")
    page.wait_for_url(live_server.url + "/thanh-toan/ket-qua?**")
    assert page.locator("#payment-status").get_attribute("data-status") == "paid"
    shot("paid")
    dossier.refresh_from_db()
    assert dossier.fee_paid == 50_000
    payments = list(Payment.objects.filter(dossier=dossier))
    assert [(p.method, p.amount) for p in payments] == [(PaymentMethod.LOCAL_GATEWAY, 50_000)]
    page.goto(f"/ho-so-cua-toi/{dossier.code}/")
    assert page.locator("form.pay-button").count() == 0  # nothing left to pay
    clock.lap("accept+pay")

    # 4. The agency asks for a supplement; the notice reaches the SMTP server; the citizen supplements online.
    before = len(smtp.messages)
    perform(dossier.code, Action.REQUEST_SUPPLEMENT, w.justice_desk, reason=REASON, items=[MISSING])
    notice = smtp.wait_for(lambda m: EMAIL in m.rcpt_tos and dossier.code in m.subject, after=before)
    assert notice.message.get_content_type() == "multipart/alternative"
    assert "đề nghị bổ sung" in notice.subject  # the encoded header decodes back to Vietnamese (seeded wording)
    assert dossier.code in notice.text and MISSING in notice.text and REASON in notice.text
    assert MISSING in notice.html  # the HTML part too, diacritics intact
    assert PROCEDURE_NAME in notice.text
    lookup = re.search(r"https?://\S+/tra-cuu/\S+", notice.text).group(0)
    assert lookup == f"{live_server.url}/tra-cuu/{dossier.code}"
    page.goto(lookup)
    assert page.input_value("input[name=code]") == dossier.code
    shot("notice-link")
    page.goto("/ho-so-cua-toi/")
    page.click(f"a[href='/ho-so-cua-toi/{dossier.code}/']")
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.code}/")
    assert page.locator(f"text={MISSING}").first.is_visible()
    shot("supplement-requested")
    page.click(f"a[href='/ho-so-cua-toi/{dossier.code}/bo-sung/']")
    page.set_input_files("input[name=files]", {"name": "cccd-ro.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.code}/")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.supplement_requests.get().supplied_at is not None
    shot("supplemented")
    clock.lap("supplement")

    # 5. The agency forwards through the steps, signs and issues the e-result, and returns it.
    from congso.signing.services import issue_e_result

    perform(dossier.code, Action.FORWARD, w.justice_desk, assignee=w.spec)
    perform(dossier.code, Action.FORWARD, w.spec, assignee=w.head)
    perform(dossier.code, Action.FORWARD, w.head, assignee=w.lead)
    issued = off_the_event_loop(issue_e_result, Dossier.objects.get(pk=dossier.pk), w.lead, RESULT_PDF,
                                name="Bản sao chứng thực", number="15/CT", file_name="ban-sao.pdf")
    assert issued.created is not False
    perform(dossier.code, "return_result", w.justice_desk)
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    clock.lap("staff: forward+sign+return")

    # 6. The citizen downloads the signed result from "my dossiers" and rates the service.
    page.goto("/ho-so-cua-toi/")
    page.click(f"a[href='/ho-so-cua-toi/{dossier.code}/']")
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.code}/")
    result = dossier.results.get()
    shot("result-ready")
    with page.expect_download() as download_info:
        page.click(f"a[href='/ho-so-cua-toi/{dossier.code}/tep/{result.file_id}/']")
    with open(download_info.value.path(), "rb") as handle:
        downloaded = handle.read()
    assert downloaded.startswith(b"%PDF") and downloaded != RESULT_PDF  # the signed copy, not the unsigned one
    assert downloaded[: len(RESULT_PDF)] == RESULT_PDF  # signed as an incremental update of the agency's PDF
    status = off_the_event_loop(signature_status, downloaded)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.signing_cert.subject.native["common_name"] == "Sở Tư pháp"
    page.check("input[name=satisfied][value=yes]")
    page.fill("textarea[name=comment]", "Nhanh, gọn, thanh toán tiện")
    shot("rate")
    page.click(f"form[action='/ho-so-cua-toi/{dossier.code}/danh-gia/'] button[type=submit]")
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.code}/")
    rating = ServiceRating.objects.get(dossier=dossier)
    assert rating.satisfied and rating.comment == "Nhanh, gọn, thanh toán tiện"
    assert page.locator(f"form[action='/ho-so-cua-toi/{dossier.code}/danh-gia/']").count() == 0  # no second rating
    shot("rated")
    clock.lap("download+rate")

    # Nothing was paid twice and each notice went out once, whatever the IPN and the return page both did.
    assert Payment.objects.filter(dossier=dossier).count() == 1
    assert len([m for m in smtp.messages if dossier.code in m.subject and MISSING in m.text]) == 1
    print(f"\ncitizen path timings: {clock}")
