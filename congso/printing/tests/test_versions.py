"""Form templates are versioned data: the version in force at the dossier's relevant instant is used, and a
template that does not compile (or reaches outside its sandbox) is refused before it is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from congso.printing import services
from congso.printing.choices import FormKind, TemplateStatus
from congso.printing.models import FormTemplate
from congso.printing.seeding import default_templates
from congso.printing.tests import pdftools
from congso.printing.tests.conftest import RECEIVED, local, new_dossier

NOON = local(2025, 1, 20, 12, 0)


def new_version(kind=FormKind.RECEIPT, at=NOON, body=None, status=TemplateStatus.PUBLISHED, **fields):
    base = FormTemplate.objects.in_force(kind, at)
    version = FormTemplate(
        kind=kind, effective_from=at, status=status, title=fields.pop("title", base.title),
        body=body if body is not None else base.body.replace(
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "GIẤY TIẾP NHẬN HỒ SƠ (MẪU MỚI)"),
        css=base.css, paper_size=fields.pop("paper_size", base.paper_size), orientation=base.orientation, **fields)
    version.full_clean()
    version.save()
    return version


def test_the_seed_migration_installed_seven_published_forms(db):
    rows = FormTemplate.objects.filter(status=TemplateStatus.PUBLISHED)
    assert sorted(rows.values_list("kind", flat=True)) == sorted(FormKind.values)
    assert {r.paper_size for r in rows if r.kind != FormKind.REGISTER} == {"A5"}
    assert rows.get(kind=FormKind.REGISTER).paper_size == "A4"
    # What is stored is what the files in printing/defaults/ give, complete with the national header.
    for row in default_templates():
        stored = rows.get(kind=row["kind"])
        assert stored.body == row["body"] and "__HEADER__" not in stored.body
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in stored.body
        stored.full_clean()  # the seeded templates pass the same check as an edited one


def test_a_later_version_applies_to_dossiers_received_after_it_only(world):
    before = new_dossier(world, at=RECEIVED)  # 09:00
    new_version(at=local(2025, 1, 20, 12, 0))
    after = new_dossier(world, at=local(2025, 1, 20, 14, 0))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in services.render_html(FormKind.RECEIPT, before)
    assert "MẪU MỚI" not in services.render_html(FormKind.RECEIPT, before)
    assert "GIẤY TIẾP NHẬN HỒ SƠ (MẪU MỚI)" in services.render_html(FormKind.RECEIPT, after)


def test_new_paper_size_comes_with_the_version(world, tmp_path):
    new_version(at=local(2025, 1, 1), paper_size="A4")
    dossier = new_dossier(world, at=RECEIVED)
    path = pdftools.save(services.render_form(FormKind.RECEIPT, dossier), tmp_path, "a4")
    assert pdftools.info(path)["size"] == (595.28, 841.89)


def test_drafts_and_withdrawn_versions_are_never_used(world):
    new_version(at=local(2025, 1, 1), status=TemplateStatus.DRAFT)
    withdrawn = new_version(at=local(2025, 1, 2), status=TemplateStatus.PUBLISHED)
    withdrawn.status = TemplateStatus.WITHDRAWN
    withdrawn.save()
    dossier = new_dossier(world, at=RECEIVED)
    assert "MẪU MỚI" not in services.render_html(FormKind.RECEIPT, dossier)


def test_a_dossier_older_than_every_version_gets_the_earliest(world):
    dossier = new_dossier(world, at=RECEIVED)
    FormTemplate.objects.filter(kind=FormKind.RECEIPT).update(effective_from=local(2030, 1, 1))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in services.render_html(FormKind.RECEIPT, dossier)


def test_without_any_published_version_the_form_is_not_printed(world):
    dossier = new_dossier(world, at=RECEIVED)
    FormTemplate.objects.filter(kind=FormKind.RECEIPT).update(status=TemplateStatus.WITHDRAWN)
    with pytest.raises(services.NoTemplate):
        services.render_form(FormKind.RECEIPT, dossier)


@pytest.mark.parametrize("body, fragment", [
    ("{% if dossier.code %}unterminated", "does not compile"),
    ("{{ dossier.code|no_such_filter }}", "does not compile"),
    ("{% load static %}{% static 'x.css' %}", "does not compile"),  # no libraries to load
    ("{% include 'printing/error.html' %}", "does not compile"),  # no loader tags, no files
    ("{% debug %}", "does not compile"),  # would print the context and the modules
    ("{% url 'admin:index' %}", "does not compile"),
    ("{{ dossier.applicant.name|safe }}", "does not compile"),  # applicant text always stays escaped
    ("   ", "empty"),
])
def test_a_template_that_does_not_compile_is_refused(db, body, fragment, settings):
    settings.LANGUAGE_CODE = "en"
    version = FormTemplate(kind=FormKind.RECEIPT, effective_from=local(2026, 1, 1), title="X", body=body,
                           status=TemplateStatus.DRAFT)
    with pytest.raises(ValidationError) as caught:
        version.full_clean()
    assert fragment in " ".join(caught.value.message_dict["body"])


def test_css_that_breaks_out_of_its_style_element_is_refused(db, settings):
    settings.LANGUAGE_CODE = "en"
    version = FormTemplate(kind=FormKind.RECEIPT, effective_from=local(2026, 1, 1), title="X", body="<p>x</p>",
                           css="p{}</style><script>alert(1)</script>", status=TemplateStatus.DRAFT)
    with pytest.raises(ValidationError) as caught:
        version.full_clean()
    assert "css" in caught.value.message_dict


def test_two_published_versions_cannot_take_effect_at_the_same_instant(db):
    current = FormTemplate.objects.get(kind=FormKind.RECEIPT)
    twin = FormTemplate(kind=current.kind, effective_from=current.effective_from, title=current.title,
                        body=current.body, css=current.css, status=TemplateStatus.PUBLISHED)
    with pytest.raises(ValidationError):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()  # the database refuses it too, e.g. two admins publishing at once


def test_a_template_cannot_read_files_or_call_other_hosts(world, tmp_path):
    body = ('<p>ok {{ dossier.code }}</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
            '<link rel="stylesheet" href="file:///etc/hostname"><p style="background: url(file:///etc/passwd)">x</p>')
    new_version(at=local(2025, 1, 1), body=body)
    dossier = new_dossier(world, at=RECEIVED)
    requested, fetched = [], []
    from congso.printing import pdf as pdf_module

    guarded, real = pdf_module.FontsOnlyFetcher.fetch, pdf_module.URLFetcher.fetch

    def spy_guarded(self, url, headers=None):
        requested.append(url)
        return guarded(self, url, headers)

    def spy_real(self, url, headers=None):
        fetched.append(url)
        return real(self, url, headers)

    pdf_module.FontsOnlyFetcher.fetch, pdf_module.URLFetcher.fetch = spy_guarded, spy_real
    try:
        pdf = services.render_form(FormKind.RECEIPT, dossier)
    finally:
        pdf_module.FontsOnlyFetcher.fetch, pdf_module.URLFetcher.fetch = guarded, real
    assert dossier.code in pdftools.text(pdftools.save(pdf, tmp_path, "blocked"))
    # The template asked for the files and the host; none of them reached the real fetcher (only font files may,
    # and those are read once per font configuration).
    assert {"file:///etc/passwd", "http://127.0.0.1:9/x.png", "file:///etc/hostname"} <= set(requested)
    assert all(url.endswith(".ttf") and "LiberationSerif" in url for url in fetched)


def test_rendering_never_calls_model_methods(world):
    """The context is plain data: a template asking for a model method gets nothing."""
    body = "<p>[{{ dossier.delete }}][{{ dossier.save }}][{{ dossier.events }}][{{ issuer.delete }}]</p>"
    new_version(at=local(2025, 1, 1), body=body)
    dossier = new_dossier(world, at=RECEIVED)
    assert "<p>[][][][]</p>" in services.render_html(FormKind.RECEIPT, dossier)
    dossier.refresh_from_db()  # still there


def test_the_register_uses_the_version_in_force_at_the_end_of_the_period(world):
    new_version(kind=FormKind.REGISTER, at=local(2025, 2, 1),
                body=FormTemplate.objects.get(kind=FormKind.REGISTER).body.replace("SỔ THEO DÕI HỒ SƠ", "SỔ MỚI"))
    january = services.render_html(FormKind.REGISTER, agency=world.centre, start=dt.date(2025, 1, 1),
                                   end=dt.date(2025, 1, 31))
    february = services.render_html(FormKind.REGISTER, agency=world.centre, start=dt.date(2025, 1, 15),
                                    end=dt.date(2025, 2, 14))
    assert "SỔ MỚI" not in january and "SỔ MỚI" in february
