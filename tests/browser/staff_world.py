"""Helpers for the staff workspace's end-to-end browser test: the engine's small world with passwords and a signing
certificate, small real PDFs, and the few page moves every step repeats (log in as, act on the dossier page, read a
worklist count). Selectors are data attributes and field names, never translated text."""

from __future__ import annotations

import subprocess
from pathlib import Path

from congso.dossiers.tests.conftest import build_world

PASSWORD = "mat-khau-thu-1"


def staff_world():
    """build_world() (desk at the service centre; spec, spec2, head, lead at Sở Tư pháp; finspec at Sở Tài chính)
    with every staff password set and a demo certificate for the handling agency."""
    from congso.signing.certificates import ensure_demo_certificates

    world = build_world()
    for user in (world.desk, world.spec, world.spec2, world.head, world.lead, world.fin_spec):
        user.set_password(PASSWORD)
        user.save()
    ensure_demo_certificates([world.justice])
    return world


_PDFS: dict[str, bytes] = {}


def make_pdf(title: str, body: str = "Ông Nguyễn Văn Án") -> bytes:
    """A one-page A4 PDF in Vietnamese made with WeasyPrint (made once per title and run)."""
    if title not in _PDFS:
        from weasyprint import HTML

        _PDFS[title] = HTML(string=f"""<html lang="vi"><head><style>@page {{ size: A4; margin: 20mm }}
            body {{ font-family: 'Liberation Serif'; font-size: 13pt }}</style></head><body>
            <p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></p>
            <h1 style="text-align:center">{title}</h1><p>{body}</p></body></html>""").write_pdf()
    return _PDFS[title]


def pdf_upload(name: str, title: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": make_pdf(title)}


def log_in_as(page, username: str) -> None:
    """Drop the current session and log in through the real form; wait until the login page is left."""
    from tests.browser.conftest import log_in

    page.context.clear_cookies()
    log_in(page, username, PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def menu_count(page, key: str) -> int:
    """The count the side menu shows for one worklist (read on the workspace home page)."""
    page.goto("/can-bo/")
    return int(page.inner_text(f"[data-count={key}]").strip())


def codes_in(page, key: str) -> set[str]:
    """The dossier codes listed on one worklist's first page."""
    page.goto(f"/can-bo/viec/{key}/")
    page.wait_for_selector("[data-testid=total]")
    return set(page.locator("tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)"))


def open_dossier(page, code: str) -> None:
    response = page.goto(f"/can-bo/ho-so/{code}/")
    assert response is not None and response.status == 200, response and response.status


def print_links(page) -> list[str]:
    """The printed forms (/in/<slug>/<code>.pdf) the dossier page links to."""
    return page.locator("a[href^='/in/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def act(page, action: str, *, select: dict | None = None, fill: dict | None = None,
        files: dict | None = None) -> None:
    """Open the action's <details>, fill its form by field name, submit, and check the page reports success."""
    form = page.locator(f"form[data-action={action}]")
    assert form.count() == 1, f"no form for {action!r} on {page.url}"
    form.evaluate("f => { f.closest('details').open = true; }")
    for name, value in (select or {}).items():
        offered = form.locator(f"select[name={name}] option").evaluate_all(
            "options => options.map(o => o.value + '=' + o.textContent.trim())")
        assert any(o.split("=", 1)[0] == str(value) for o in offered), \
            f"{action}: {name}={value} is not offered; the choices are {offered}"
        form.locator(f"select[name={name}]").select_option(str(value))
    for name, value in (fill or {}).items():
        form.locator(f"[name={name}]").fill(value)
    for name, value in (files or {}).items():
        form.locator(f"input[name={name}]").set_input_files(files=value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect_success(page)


def expect_success(page) -> None:
    errors = page.locator("ul.messages li.error")
    assert errors.count() == 0, errors.all_inner_texts()
    assert page.locator("ul.messages li.success").count() >= 1, page.url


def pdftotext(content: bytes, folder: Path, name: str) -> str:
    target = folder / name
    target.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def pdfsig_report(content: bytes, folder: Path, name: str, trusted_pem: str) -> str:
    """poppler's pdfsig on `content`, with a fresh NSS database that trusts `trusted_pem` (Debian libnss3-tools)."""
    nss = folder / "nss"
    nss.mkdir(exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    ca = folder / "congso-ca.pem"
    ca.write_text(trusted_pem)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "congso-demo-ca", "-t", "CT,C,C", "-i", str(ca)],
                   check=True, capture_output=True)
    target = folder / name
    target.write_bytes(content)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(target)], capture_output=True, text=True,
                          timeout=60)
    return done.stdout + done.stderr
