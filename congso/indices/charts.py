"""Server-rendered SVG charts for the public page: no JavaScript needed (the portal's budget), readable as text.

Labels go through format_html, so a hostile name is escaped like any other text."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

ROW = 22
LABEL_WIDTH = 260
BAR_WIDTH = 360


def _shorten(text: str, limit: int = 42) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(rows: list[tuple[str, float | None]], *, maximum: float, title: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per (label, value); a value of None is drawn as "–" without a bar."""
    height = ROW * len(rows) + 30
    width = LABEL_WIDTH + BAR_WIDTH + 70
    bars = []
    for index, (label, value) in enumerate(rows):
        y = 24 + index * ROW
        length = 0 if value is None or maximum <= 0 else max(0.0, min(1.0, value / maximum)) * BAR_WIDTH
        shown = "–" if value is None else number_format(round(value, 2), 2, use_l10n=True) + unit
        bars.append((y + 14, _shorten(label), LABEL_WIDTH, y + 3, f"{length:.1f}", str(label), shown,
                     LABEL_WIDTH + length + 6, y + 14, shown))
    body = format_html_join(
        "",
        '<text x="0" y="{}" class="lbl">{}</text><rect x="{}" y="{}" width="{}" height="15" class="bar">'
        "<title>{}: {}</title></rect><text x=\"{}\" y=\"{}\" class=\"val\">{}</text>",
        bars,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="index-chart" viewBox="0 0 {} {}" width="100%" '
        'aria-label="{}"><title>{}</title><text x="0" y="14" class="ttl">{}</text>{}</svg>',
        width, height, title, title, title, body if rows else mark_safe(""),
    )


def gauge(value: float | None, maximum: float, label: str) -> SafeString:
    """A half-circle gauge in SVG (value out of maximum)."""
    import math

    share = 0.0 if value is None or not maximum else max(0.0, min(1.0, value / maximum))
    angle = math.pi * (1 - share)
    x, y = 100 + 80 * math.cos(angle), 100 - 80 * math.sin(angle)
    shown = "–" if value is None else number_format(round(value, 2), 2, use_l10n=True)
    large = 0
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 120" class="index-gauge" role="img" '
        'aria-label="{}: {}"><path d="M20 100 A80 80 0 0 1 180 100" class="track"/>'
        '<path d="M20 100 A80 80 0 {} 1 {} {}" class="fill"/>'
        '<text x="100" y="95" text-anchor="middle" class="num">{}</text>'
        '<text x="100" y="115" text-anchor="middle" class="sub">{}</text></svg>',
        label, shown, large, f"{x:.1f}", f"{y:.1f}", shown, label,
    )
