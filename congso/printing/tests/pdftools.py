"""Checks of a rendered PDF with poppler's command-line tools (an independent reader of what WeasyPrint wrote)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[3] / "var" / "test-artifacts" / "printing"
A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def save(pdf: bytes, directory: Path, name: str) -> Path:
    path = directory / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


def fonts(path: Path) -> list[dict]:
    """pdffonts rows: name, type, embedded."""
    lines = _run("pdffonts", str(path)).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type… encoding emb sub uni object-id generation: the yes/no columns are 5th-3rd from the end.
        rows.append({"name": parts[0], "emb": parts[-5], "line": line})
    return rows


def text(path: Path) -> str:
    """The text with runs of whitespace (line ends included) collapsed to one space."""
    return " ".join(_run("pdftotext", "-enc", "UTF-8", str(path), "-").split())


def info(path: Path) -> dict:
    out = _run("pdfinfo", str(path))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", out)
    pages = re.search(r"Pages:\s+(\d+)", out)
    return {"size": (round(float(size[1]), 2), round(float(size[2]), 2)), "pages": int(pages[1]), "raw": out}


def snapshot(path: Path, name: str) -> list[Path]:
    """Page images for a person to look at (var/test-artifacts/printing/<name>-<page>.png)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    _run("pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / name))
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))
