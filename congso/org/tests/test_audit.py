import pytest
from auditlog.models import LogEntry

from congso.org.models import Agency
from congso.org.tests.factories import AgencyFactory


@pytest.mark.django_db
def test_admin_changes_are_audited_with_the_request_id(admin_client, admin_user):
    agency = AgencyFactory(name="Sở Cũ")
    data = {
        "code": agency.code, "name": "Sở Mới", "short_name": "", "kind": agency.kind, "level": agency.level,
        "admin_unit": agency.admin_unit.pk, "departments-TOTAL_FORMS": 0, "departments-INITIAL_FORMS": 0,
    }
    response = admin_client.post(f"/admin/org/agency/{agency.pk}/change/", data, HTTP_X_REQUEST_ID="req-audit-0001")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agency.objects.get(pk=agency.pk).name == "Sở Mới"
    entry = LogEntry.objects.get_for_object(agency).order_by("-timestamp").first()
    assert entry.changes_dict["name"] == ["Sở Cũ", "Sở Mới"]
    assert entry.actor == admin_user
    assert entry.cid == "req-audit-0001"
