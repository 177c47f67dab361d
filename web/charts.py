"""Charts drawn on the server as SVG: readable without JavaScript, on a phone and in print.

Each function takes words already in the reader's language and numbers, and returns one
``<svg>`` element (markup-safe) whose every number is also written as text beside its mark,
so a screen reader, a printout and a test read the values. Sizes are in the viewBox: the
chart scales to its column's width. No inline style: colours are presentation attributes.
"""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from footprint.display import footprint

WIDTH = 360
FONT = 12
VERIFIED, CURRENT, BAR, AXIS, INK = "#6b8f71", "#1f5f3a", "#2e7d4f", "#9aa5a0", "#1d2a24"


def _svg(height: int, title: str, parts: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label={quoteattr(title)} '
        f'font-family="sans-serif" font-size="{FONT}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = FONT,
          fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}">{escape(text)}</text>')


def trend(points: list[tuple[int, float | None, float | None]], title: str,
          verified_label: str, current_label: str, unit: str) -> Markup:
    """Intensity per year: ``points`` are (year, as verified, under the current data); two
    lines, each point labelled with its value (once where the two read the same)."""
    height, left, right, top, bottom = 230, 46, 14, 40, 40
    values = [v for _, a, b in points for v in (a, b) if v is not None]
    high = max(values) * 1.15 if values else 1.0
    inner_w, inner_h = WIDTH - left - right, height - top - bottom
    step = inner_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(points) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return top + inner_h * (1 - value / high)

    parts = [_text(left, 16, unit, size=11),
             f'<line x1="{left}" y1="{top + inner_h}" x2="{WIDTH - right}" '
             f'y2="{top + inner_h}" stroke="{AXIS}"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + inner_h}" stroke="{AXIS}"/>']
    for index, (colour, label) in enumerate(((VERIFIED, verified_label),
                                             (CURRENT, current_label))):
        lx = left + index * (inner_w / 2)
        parts.append(f'<rect x="{lx:.1f}" y="{height - 14}" width="10" height="10" '
                     f'fill="{colour}"/>')
        parts.append(_text(lx + 14, height - 5, label, size=11))
    for series, colour, dash, offset in ((1, VERIFIED, ' stroke-dasharray="4 3"', -6),
                                         (2, CURRENT, "", 14)):
        marks = [(x(i), y(p[series]), p[series]) for i, p in enumerate(points)
                 if p[series] is not None]
        if len(marks) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in marks)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"{dash}/>')
        for (px, py, value), point in zip(marks, (p for p in points if p[series] is not None)):
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>')
            # where both series read the same, their points coincide: one number says it
            if series == 1 and point[2] is not None and footprint(point[2]) == footprint(value):
                continue
            parts.append(_text(px, py + offset, footprint(value), "middle", 11, colour))
    for i, (year, _, _) in enumerate(points):
        parts.append(_text(x(i), top + inner_h + 16, str(year), "middle"))
    return _svg(height, title, parts)


def stages(bars: list[tuple[str, float]], title: str, unit: str) -> Markup:
    """Horizontal bars, one per stage (label, kg CO2e), each with its value written."""
    row, top, label_w = 30, 26, 92
    height = top + row * max(len(bars), 1) + 8
    high = max((v for _, v in bars), default=0.0) or 1.0
    bar_w = WIDTH - label_w - 70
    parts = [_text(0, 14, unit, size=11)]
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        width = max(bar_w * value / high, 1.0) if value > 0 else 0.0
        parts.append(_text(0, y + 15, label))
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="16" '
                     f'fill="{BAR}"/>')
        parts.append(_text(label_w + width + 4, y + 16, footprint(value), size=11))
    return _svg(height, title, parts)
