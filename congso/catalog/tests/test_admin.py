import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from congso.catalog import services
from congso.catalog.models import Fee, Procedure, Process
from congso.catalog.tests.factories import record_data


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser(username="quantri", password="x" * 12, email="q@x.vn")
    client.force_login(user)
    return client


def upload(records, name="catalogue.json"):
    body = json.dumps({"procedures": records}, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, body, content_type="application/json")


def test_changelists_render(admin_client, version, org):
    services.default_process(version, org.justice)
    for url in ("/admin/catalog/procedure/", "/admin/catalog/procedureversion/", "/admin/catalog/fee/",
                "/admin/catalog/component/", "/admin/catalog/result/", "/admin/catalog/legalbasis/",
                "/admin/catalog/implementation/", "/admin/catalog/process/", "/admin/catalog/field/",
                "/admin/catalog/procedureversion/?level=commune", "/admin/catalog/procedure/?q=dang+ky"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert b"1.001193" in admin_client.get("/admin/catalog/procedure/?q=dang+ky+khai+sinh").content


def test_import_page_reports_and_writes(admin_client, db):
    assert admin_client.get("/admin/catalog/procedure/import/").status_code == 200
    bad = admin_client.post("/admin/catalog/procedure/import/", {
        "file": upload([{"code": "1.0", **record_data()}]), "dry_run": ""})
    assert bad.status_code == 200 and "không phải mã thủ tục" in bad.content.decode()
    assert Procedure.objects.count() == 0
    dry = admin_client.post("/admin/catalog/procedure/import/", {
        "file": upload([{"code": "1.001193", **record_data()}]), "dry_run": "on"})
    assert dry.status_code == 200 and Procedure.objects.count() == 0
    admin_client.post("/admin/catalog/procedure/import/", {"file": upload([{"code": "1.001193", **record_data()}])})
    assert Procedure.objects.count() == 1


def test_export_downloads(admin_client, version):
    response = admin_client.get("/admin/catalog/procedure/export/?format=json")
    assert response["Content-Disposition"].endswith('.json"')
    assert json.loads(response.content)["procedures"][0]["code"] == "1.001193"
    response = admin_client.get("/admin/catalog/procedure/export/?format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["about", "procedures", "durations", "components", "fees", "results", "legal_basis",
                               "implementations"]


def test_version_in_force_is_read_only_but_the_fee_override_is_not(admin_client, version):
    url = f"/admin/catalog/procedureversion/{version.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="name"' not in page  # read-only
    assert 'name="needs_review"' in page
    assert 'name="fees-0-amount_override"' in page and 'name="fees-0-amount"' not in page
    fee = version.fees.get()
    response = admin_client.post(f"/admin/catalog/fee/{fee.pk}/change/", {"amount_override": "8000"})
    assert response.status_code == 302
    assert Fee.objects.get(pk=fee.pk).effective_amount == 8000


def test_future_version_is_editable(admin_client, version):
    future = services.publish_new_version(version.procedure, record_data(), dt.date(2099, 1, 1), None)
    page = admin_client.get(f"/admin/catalog/procedureversion/{future.pk}/change/").content.decode()
    assert 'name="name"' in page


def test_process_steps_must_fit_the_time_limit(admin_client, org, version):
    process = services.default_process(version, org.justice)
    steps = list(process.steps.all())
    data = {"version": version.pk, "agency": org.justice.pk, "name": process.name, "hours_per_day": 8,
            "steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": len(steps), "steps-MIN_NUM_FORMS": 0,
            "steps-MAX_NUM_FORMS": 1000}
    for index, step in enumerate(steps):
        data.update({f"steps-{index}-id": step.pk, f"steps-{index}-process": process.pk,
                     f"steps-{index}-order": step.order, f"steps-{index}-name": step.name,
                     f"steps-{index}-role": step.role, f"steps-{index}-agency": step.agency_id or "",
                     f"steps-{index}-share": str(step.share)})
    data["steps-1-share"] = str(steps[1].share + 1)
    response = admin_client.post(f"/admin/catalog/process/{process.pk}/change/", data)
    assert response.status_code == 200 and "8 giờ làm việc" in response.content.decode()
    data["steps-1-share"] = str(steps[1].share - 1)
    data["steps-2-share"] = str(steps[2].share + 1)
    response = admin_client.post(f"/admin/catalog/process/{process.pk}/change/", data)
    assert response.status_code == 302
    assert Process.objects.get().steps.get(order=3).share == steps[2].share + 1


def test_import_needs_permission(client, db):
    user = get_user_model().objects.create_user(username="xem", password="x" * 12, is_staff=True)
    client.force_login(user)
    assert client.get("/admin/catalog/procedure/import/").status_code == 403
