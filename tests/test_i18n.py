"""Vietnamese first: the catalogue is complete, compiled, and covers the strings the source marks."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "congso" / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# Single-line literals passed to gettext/gettext_lazy or {% translate %}: enough to catch a forgotten string.
PY_LITERAL = re.compile(r"""(?<![\w.])_\(\s*(["'])((?:(?!\1).)+)\1\s*[,)]""")
TEMPLATE_LITERAL = re.compile(r"""{%\s*translate\s+(["'])((?:(?!\1).)+)\1""")


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_message_is_translated_and_not_fuzzy():
    po = catalogue()
    untranslated = [e.msgid for e in po if not e.translated()]
    assert untranslated == []
    assert po.percent_translated() == 100


def test_placeholders_survive_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]|{{\s*\w+\s*}}")
    for entry in catalogue():
        translated = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
        assert sorted(placeholder.findall(entry.msgid)) == sorted(placeholder.findall(translated)), entry.msgid


def test_compiled_catalogue_matches_the_source():
    def key(entry):
        return (entry.msgctxt or "", entry.msgid)

    def text(entry):
        return entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr

    compiled = polib.mofile(str(MO))
    assert {key(e): text(e) for e in compiled} == {key(e): text(e) for e in catalogue() if e.translated()}


def test_marked_source_strings_are_in_the_catalogue():
    known = {e.msgid for e in catalogue()}
    missing = []
    for path in (ROOT / "congso").rglob("*"):
        if "migrations" in path.parts or "tests" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py":
            pattern = PY_LITERAL
        elif path.suffix in (".html", ".txt"):
            pattern = TEMPLATE_LITERAL
        else:
            continue
        text = path.read_text(encoding="utf-8")
        for _quote, literal in pattern.findall(text):
            literal = literal.replace("\\'", "'").replace('\\"', '"')
            if literal not in known:
                missing.append(f"{path.relative_to(ROOT)}: {literal}")
    assert missing == []


@pytest.mark.django_db
def test_pages_are_vietnamese_by_default_and_english_on_request(client):
    assert "Đăng nhập" in client.get("/accounts/login/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Log in" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_management_command_output_is_vietnamese(capsys):
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import translation

    # The test runner deactivates translations; a shell has the default language (settings.LANGUAGE_CODE) active.
    with translation.override(settings.LANGUAGE_CODE):
        call_command("demo", "--accounts")
    assert "Chưa có tài khoản mẫu" in capsys.readouterr().out
