"""Bar charts as inline SVG, drawn on the server from a published (suppressed) table.

A chart shows one series of a table: the row totals, or the cells of a one-row table (days,
hours) or the column totals (months). A hidden value has no bar, only its marker ("<5", "x"),
so the chart reveals nothing the table does not. Each bar has a <title> for screen readers and
tooltips; the figures are always in the table under the chart.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT, BOTTOM, LEFT = 720, 220, 40, 40
MONTHLY = frozenset({"cases_by_office_month", "notices_by_month"})


def series(table: dict[str, Any]) -> list[tuple[str, int | str | None]]:
    """(label, value) pairs: cells of a one-row table, otherwise the row totals, or the column
    totals when the columns are months."""
    if len(table["rows"]) == 1:
        return [(c["label"], v) for c, v in zip(table["columns"], table["rows"][0]["cells"],
                                                  strict=True)]
    if table["key"] in MONTHLY and table.get("totals"):
        return [(c["label"], v) for c, v in zip(table["columns"], table["totals"]["cells"],
                                                  strict=True)]
    return [(r["label"], r["total"]) for r in table["rows"]]


def bar_chart(table: dict[str, Any]) -> Markup:
    points = series(table)
    if not points:
        return Markup("")
    numbers = [v for _label, v in points if isinstance(v, int | float)]
    top = max(numbers, default=0) or 1
    step = (WIDTH - LEFT) / len(points)
    bar = max(step * 0.8, 1)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(table["title"])}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(table["title"])}</title>',
             f'<text x="0" y="12" font-size="11">{top}</text>',
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
             f'stroke="#555"/>']
    label_every = max(1, len(points) // 12)
    for index, (label, value) in enumerate(points):
        x = LEFT + index * step
        tooltip = escape(f"{label}: {value if value is not None else '–'}")
        if isinstance(value, int | float):
            height = (HEIGHT - BOTTOM - 16) * value / top
            parts.append(f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" '
                         f'width="{bar:.1f}" height="{height:.1f}" fill="#1a73e8">'
                         f'<title>{tooltip}</title></rect>')
        elif value is not None:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM - 4}" font-size="9" '
                         f'fill="#8c1d18">{escape(value)}<title>{tooltip}</title></text>')
        if index % label_every == 0:
            short = escape(str(label)[:14])
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="9">'
                         f'{short}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 -- all text escaped
