"""The default versions of the seven forms, read from the files in `defaults/` (used by the seed migration and by
tests that need the stock wording).

Each body file starts with the marker `__HEADER__`; seeding replaces it with `defaults/header.html` (the national
header block), in which `__NUMBER__` becomes the form's number line and `__DATE__` the variable giving the form's
date. The stored version is therefore complete: editing it in the admin shows everything that is printed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

DEFAULTS = Path(__file__).resolve().parent / "defaults"


def default_templates() -> list[dict]:
    meta = json.loads((DEFAULTS / "forms.json").read_text(encoding="utf-8"))
    header = (DEFAULTS / "header.html").read_text(encoding="utf-8")
    common_css = (DEFAULTS / "common.css").read_text(encoding="utf-8")
    effective_from = dt.datetime.fromisoformat(meta["effective_from"])
    rows = []
    for form in meta["forms"]:
        form_header = header.replace("__NUMBER__", form["number"]).replace("__DATE__", form["date"])
        body = (DEFAULTS / form["file"]).read_text(encoding="utf-8").replace("__HEADER__", form_header.strip())
        css = common_css + ("\n/* This form. */\n" + form["css"] + "\n" if form.get("css") else "")
        rows.append({
            "kind": form["kind"], "effective_from": effective_from, "status": "published", "title": form["title"],
            "body": body, "css": css, "paper_size": form["paper_size"], "orientation": form["orientation"],
            "legal_source": form["legal_source"], "note": meta["note"],
        })
    return rows


def seed(FormTemplate) -> int:
    """Create the default versions that are missing (idempotent). `FormTemplate` may be the historical model."""
    created = 0
    for row in default_templates():
        _obj, made = FormTemplate.objects.get_or_create(
            kind=row["kind"], effective_from=row["effective_from"], status=row["status"],
            defaults={k: v for k, v in row.items() if k not in ("kind", "effective_from", "status")},
        )
        created += made
    return created
