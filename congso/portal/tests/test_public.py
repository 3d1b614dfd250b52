import pytest
from django.core.files.base import ContentFile

from congso.catalog.choices import ProcedureStatus
from congso.catalog.models import Component, Implementation, ProcedureVersion
from congso.portal.tests.conftest import PDF, make_procedure


@pytest.mark.urls("congso.portal.tests.urls_with_portal_home")
def test_home_has_search_and_links_for_staff(client, world):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'action="/thu-tuc/"' in body and 'name="q"' in body
    assert 'href="/can-bo/"' in body and 'href="/accounts/login/"' in body
    assert "<script" not in body.split("<main", 1)[1]  # readable without JavaScript


def test_search_without_diacritics_finds_the_procedure(client, world):
    response = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in body
    assert "Thủ tục thử 1.000001" not in body
    assert [v.procedure.code for v in response.context["page"].object_list] == ["1.001193"]
    # With diacritics, and by code.
    assert client.get("/thu-tuc/", {"q": "Đăng KÝ khai"}).context["total"] == 1
    assert client.get("/thu-tuc/", {"q": "1.001193"}).context["total"] == 1


def test_search_filters_by_field_level_agency_and_online_mode(client, world):
    def codes(**params):
        return [v.procedure.code for v in client.get("/thu-tuc/", params).context["page"].object_list]

    field = world.birth_version.field_id
    assert codes(field=field) == ["1.000001", "1.001193"]
    assert codes(online_mode="full") == ["1.001193"]
    assert codes(online_mode="partial") == ["1.000001"]
    assert codes(agency=world.justice.code) == ["1.000001", "1.001193"]
    assert codes(agency=world.finance.code) == []
    assert codes(level="province") == ["1.000001", "1.001193"]
    assert codes(level="commune") == []
    # Bad filter values are ignored, not a server error.
    response = client.get("/thu-tuc/", {"level": "nonsense", "field": "x'; drop", "page": "99"})
    assert response.status_code == 200


def test_search_is_paginated_and_hides_abolished_procedures(client, world):
    for n in range(25):
        make_procedure(f"2.{n:06d}", world.justice, shares=None)
    first = client.get("/thu-tuc/")
    assert first.context["total"] == 27
    assert len(first.context["page"].object_list) == 20
    second = client.get("/thu-tuc/", {"page": 2})
    assert len(second.context["page"].object_list) == 7
    world.birth.status = ProcedureStatus.ABOLISHED
    world.birth.save()
    assert client.get("/thu-tuc/", {"q": "khai sinh"}).context["total"] == 0
    assert client.get("/thu-tuc/1.001193/").status_code == 404


def test_hostile_search_text_is_escaped(client, world):
    response = client.get("/thu-tuc/", {"q": "<script>alert(1)</script>"})
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_procedure_page_shows_every_published_field(client, world):
    response = client.get("/thu-tuc/1.001193/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Đăng ký khai sinh", "1.001193.000.00.00.H99", "Bước 1: nộp hồ sơ.", "Trực tiếp hoặc trực tuyến",
                 "Tờ khai", "Bản sao giấy tờ tùy thân", "8.000 đ", "4.000 đ", "60/2014/QH13", "Luật Hộ tịch",
                 "Giấy chứng nhận", world.justice.name, "Fully online", "Submit online", "/nop-ho-so/1.001193/"):
        assert text in body, text
    # The local code form finds it too; an unknown or malformed code is a 404.
    assert client.get("/thu-tuc/1.001193.000.00.00.H99/").status_code == 200
    assert client.get("/thu-tuc/9.999999/").status_code == 404
    assert client.get("/thu-tuc/<script>/").status_code == 404


def test_procedure_not_online_has_no_submit_button(client, world):
    Implementation.objects.filter(version__procedure=world.birth).update(online_mode="none")
    body = client.get("/thu-tuc/1.001193/").content.decode()
    assert "/nop-ho-so/1.001193/" not in body


def test_component_template_download(client, world, settings):
    component = Component.objects.filter(version=world.birth_version).first()
    component.template.save("to-khai.pdf", ContentFile(PDF), save=False)
    component.template_name = "Mẫu tờ khai.pdf"
    component.save()
    response = client.get(f"/thu-tuc/1.001193/mau/{component.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    other = Component.objects.exclude(version=world.birth_version).first()
    assert client.get(f"/thu-tuc/1.001193/mau/{other.pk}/").status_code == 404
    no_template = Component.objects.filter(version=world.birth_version).exclude(pk=component.pk).first()
    assert client.get(f"/thu-tuc/1.001193/mau/{no_template.pk}/").status_code == 404


def test_search_query_count_does_not_grow_with_results(client, world, django_assert_max_num_queries):
    for n in range(15):
        make_procedure(f"2.{n:06d}", world.justice, shares=None)
    with django_assert_max_num_queries(12):
        response = client.get("/thu-tuc/")
    assert len(response.context["page"].object_list) == 17
    assert ProcedureVersion.objects.count() == 17
