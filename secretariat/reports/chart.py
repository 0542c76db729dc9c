"""A small stacked bar chart of assiduity, drawn by the server as inline SVG (no JavaScript, no inline style)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# Presentation attributes, not `style`: the Content Security Policy forbids inline styles.
COLOURS = {"titular": "#1f6b2f", "deputy": "#5fa35f", "delegated": "#9ccc65", "excused": "#f0b429",
           "absent": "#c0392b"}
BAR, GAP, LABEL, WIDTH = 14, 6, 170, 300


def legend_labels() -> dict[str, str]:
    return {"titular": _("titular"), "deputy": _("deputy"), "delegated": _("delegated"),
            "excused": _("excused"), "absent": _("absent")}


def bar_chart(rows, title: str = "") -> str:
    """One bar per partner, its meetings split by how it took part; the rate at the end of the bar."""
    rows = list(rows)
    if not rows:
        return ""
    labels = legend_labels()
    height = len(rows) * (BAR + GAP) + 34
    total_width = LABEL + WIDTH + 50
    parts = [f'<svg class="assiduity-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {total_width} {height}" width="100%" aria-label="{escape(title or _("Attendance record"))}">']
    for index, row in enumerate(rows):
        y = index * (BAR + GAP)
        parts.append(f'<text x="{LABEL - 6}" y="{y + BAR - 3}" text-anchor="end" font-size="11">'
                     f'{escape(row.partner[:28])}</text>')
        x = float(LABEL)
        for key in COLOURS:
            count = getattr(row, key)
            if not count or not row.invited:
                continue
            w = WIDTH * count / row.invited
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{COLOURS[key]}">'
                         f'<title>{escape(row.partner)} — {escape(labels[key])} : {count}</title></rect>')
            x += w
        parts.append(f'<text x="{LABEL + WIDTH + 4}" y="{y + BAR - 3}" font-size="11">{row.rate:g} %</text>')
    y = len(rows) * (BAR + GAP) + 8
    x = float(LABEL)
    for key, colour in COLOURS.items():
        parts.append(f'<rect x="{x:.0f}" y="{y}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 13:.0f}" y="{y + 9}" font-size="10">{escape(labels[key])}</text>')
        x += 13 + 7 * len(labels[key]) + 10
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
