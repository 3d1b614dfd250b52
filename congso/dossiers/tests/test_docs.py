from pathlib import Path

from congso.dossiers.docs import transition_table

DOC = Path(__file__).resolve().parents[3] / "docs" / "dossiers.md"


def test_the_documented_transition_table_is_the_code():
    assert transition_table() in DOC.read_text(encoding="utf-8")
