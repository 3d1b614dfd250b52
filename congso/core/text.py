"""Vietnamese text folding for accent-insensitive search.

"Đăng ký khai sinh" and "dang ky khai sinh" fold to the same string. SQLite's FTS5 and PostgreSQL's unaccent both
miss đ/Đ or cannot be indexed (docs/decisions/0001-search-folding.md), so we fold in Python and store the result.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ→d included) and collapse white space."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.casefold()).strip()


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search query, for matching each one against a folded `search_text` column."""
    return [word for word in fold(query).split(" ") if word]
