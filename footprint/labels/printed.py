"""The printable label (100 x 60 mm): the product name in Chinese, the value per declared
unit, the grade, the producer, the issuer, the validity and the QR code, drawn as SVG, PNG
or PDF from one layout. Chinese text needs a CJK font for PNG and PDF
(footprint.labels.fonts); without one they print the English name and English captions only.
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from footprint.display import date_text, footprint, quantity

from . import fonts
from .claims import party_text
from .qr import QUIET_ZONE, dark_runs, qr_modules, svg_element

WIDTH, HEIGHT = 100.0, 60.0  # mm
GREEN = "#1b7f3b"
GREY = "#555555"
FONT_FAMILY = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', "
               "'PingFang SC', 'Microsoft YaHei', 'DejaVu Sans', sans-serif")


# -- one layout, three renderers -------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    radius: float = 0.0
    line: float = 0.3


@dataclass(frozen=True)
class Text:
    x: float
    y: float          # baseline
    text: str
    size: float       # em, mm
    bold: bool = False
    color: str = "#000000"
    anchor: str = "start"  # start, middle, end


@dataclass(frozen=True)
class Code:
    x: float
    y: float
    size: float
    modules: list


def has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text or "")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width in mm: a CJK character 1 em, anything else 0.56 em."""
    em = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.56 for c in text)
    return em * size * (1.06 if bold else 1.0)


def _tokens(text: str) -> list[str]:
    """Break opportunities: after each CJK character and after each space."""
    out, word = [], ""
    for c in text:
        if unicodedata.east_asian_width(c) in "WF":
            if word:
                out.append(word)
                word = ""
            out.append(c)
        else:
            word += c
            if c == " ":
                out.append(word)
                word = ""
    if word:
        out.append(word)
    return out


def _wrap(text: str, size: float, width: float, lines: int, bold=False) -> list[str]:
    result, line = [], ""
    for token in _tokens(text):
        if line and text_width((line + token).rstrip(), size, bold) > width:
            result.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        result.append(line.rstrip())
    return result


def fit(text: str, size: float, width: float, lines: int = 1, bold=False,
        smallest: float = 1.6) -> tuple[list[str], float]:
    """Lines and font size that put ``text`` in ``lines`` lines of ``width`` mm: the size
    shrinks down to ``smallest``, then the last line is cut with an ellipsis."""
    while True:
        wrapped = _wrap(text, size, width, lines, bold)
        if len(wrapped) <= lines and all(text_width(w, size, bold) <= width for w in wrapped):
            return wrapped, size
        if size - 0.2 < smallest:
            break
        size = round(size - 0.2, 2)
    wrapped = wrapped[:lines]
    last = wrapped[-1]
    while last and text_width(last + "…", size, bold) > width:
        last = last[:-1]
    wrapped[-1] = last.rstrip() + "…"
    return wrapped, size


def _caption(zh: str, en: str, cjk: bool) -> str:
    return f"{zh} {en}" if cjk else en


def layout(claims: dict, url: str, issuer_name: str | None = None, cjk: bool = True) -> list:
    """The label as boxes, texts and the code, in mm on a 100 x 60 mm page. ``cjk`` False
    leaves out every Chinese text (for a renderer without a CJK font). ``claims`` are
    readable (parse_claims), with the names the issuer publishes beside them when known
    (product_name_zh, product_name_en, producer_name)."""
    keep = (lambda s: bool(s)) if cjk else (lambda s: bool(s) and not has_cjk(s))
    items: list = [
        Box(0.4, 0.4, WIDTH - 0.8, HEIGHT - 0.8, fill="#ffffff", stroke=GREEN, radius=2.5,
            line=0.6),
        Box(0.7, 0.7, WIDTH - 1.4, 8.8, fill=GREEN, radius=2.2),
        Text(4, 6.6, _caption("碳足迹标签", "Carbon Footprint Label", cjk), 3.8, bold=True,
             color="#ffffff"),
    ]
    region = claims.get("region")
    if region:
        items.append(Text(WIDTH - 4, 6.6, region, 3.0, color="#ffffff", anchor="end"))

    left, column = 4.0, 53.0
    zh, en = claims.get("product_name_zh"), claims.get("product_name_en")
    main = zh if zh and keep(zh) else en if en and keep(en) else claims.get("category", "")
    second = en if main == zh and en and keep(en) else None
    lines, size = fit(main, 4.4, column, lines=2, bold=True, smallest=2.6)
    y = 15.2
    for line in lines:
        items.append(Text(left, y, line, size, bold=True))
        y += size * 1.22
    if second:
        (line,), small = fit(second, 2.6, column, lines=1, smallest=1.8)
        items.append(Text(left, y - 0.4, line, small, color=GREY))
        y += small * 1.3

    top = max(y + 2.2, 28.5)
    unit = claims["declared_unit"]
    items.append(Text(left, top, _caption("碳足迹", "Carbon footprint", cjk), 2.4, color=GREY))
    value = footprint(claims["value"])
    value_size = min(10.5, 38.0 / max(text_width(value, 1.0, bold=True), 0.1))
    items.append(Text(left, top + 9.2, value, value_size, bold=True, color=GREEN))
    per = f"kg CO₂e / {quantity(unit['amount'])} {unit['unit']}"
    items.append(Text(left, top + 13.4, per, 3.0))

    if claims.get("grade"):
        items.append(Box(44.5, top - 2.6, 12.5, 14.2, fill=GREEN, radius=1.6))
        (grade,), grade_size = fit(claims["grade"], 8.0, 11.0, smallest=3.0, bold=True)
        items.append(Text(50.75, top + 7.4, grade, grade_size, bold=True, color="#ffffff",
                          anchor="middle"))
        items.append(Text(50.75, top + 10.3, _caption("等级", "Grade", cjk), 2.0,
                          color="#ffffff", anchor="middle"))
        if claims.get("provisional"):
            items.append(Text(50.75, top + 14.2, _caption("暂定", "provisional", cjk), 1.9,
                              color=GREY, anchor="middle"))

    footer = []
    producer = claims.get("producer_name") or party_text(claims.get("producer"))
    if producer and keep(producer):
        footer.append(_caption("生产者", "Producer:", cjk) + " " + producer)
    issuer = claims.get("issuer", "")
    if issuer_name and keep(issuer_name):
        issuer = f"{issuer} {issuer_name}"
    footer.append(_caption("签发", "Issuer:", cjk) + " " + issuer)
    # the day in China, as the scan page shows it
    footer.append(_caption("有效期至", "Valid until", cjk) + " " +
                  date_text(claims.get("expires_at")))
    y = HEIGHT - 3.2 - 3.3 * (len(footer) - 1)
    for line in footer:
        (text,), size = fit(line, 2.3, column, smallest=1.6)
        items.append(Text(left, y, text, size, color="#222222"))
        y += 3.3

    modules = qr_modules(url)
    items.append(Code(59.5, 11.2, 37.5, modules))
    items.append(Text(78.25, 52.0, _caption("扫码验证", "Scan to verify", cjk), 2.3,
                      anchor="middle"))
    items.append(Text(78.25, 55.6, claims.get("id", ""), 2.0, color=GREY, anchor="middle"))
    return items


# -- SVG -------------------------------------------------------------------------------------

def label_svg(claims: dict, url: str, issuer_name: str | None = None) -> str:
    """The printable label as SVG (100 x 60 mm). The Chinese text is always there; the
    viewer's fonts draw it."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:g}mm" height="{HEIGHT:g}mm" '
           f'viewBox="0 0 {WIDTH:g} {HEIGHT:g}" font-family="{escape(FONT_FAMILY)}">']
    for item in layout(claims, url, issuer_name, cjk=True):
        if isinstance(item, Box):
            fill = item.fill or "none"
            stroke = f' stroke="{item.stroke}" stroke-width="{item.line:g}"' if item.stroke else ""
            out.append(f'<rect x="{item.x:g}" y="{item.y:g}" width="{item.w:g}" '
                       f'height="{item.h:g}" rx="{item.radius:g}" fill="{fill}"{stroke}/>')
        elif isinstance(item, Text):
            weight = ' font-weight="bold"' if item.bold else ""
            out.append(f'<text x="{item.x:g}" y="{item.y:g}" font-size="{item.size:g}"{weight} '
                       f'fill="{item.color}" text-anchor="{item.anchor}">{escape(item.text)}'
                       "</text>")
        else:
            out.append(svg_element(item.modules, item.x, item.y, item.size))
    out.append("</svg>\n")
    return "\n".join(out)


# -- PNG -------------------------------------------------------------------------------------

def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def _pil_font(size_px: int, bold: bool, cjk_path):
    path = cjk_path or fonts.latin_font(bold) or fonts.latin_font(False)
    if path is not None:
        return ImageFont.truetype(str(path), size_px, index=0)
    return ImageFont.load_default(size_px)


def label_png(claims: dict, url: str, issuer_name: str | None = None,
              px_per_mm: int = 12) -> bytes:
    """The printable label as PNG, ``px_per_mm`` (12 is about 300 dpi). Chinese text only
    with a CJK font (see footprint.labels.fonts); otherwise English."""
    cjk_path = fonts.cjk_font()
    s = px_per_mm
    image = Image.new("RGB", (int(WIDTH * s), int(HEIGHT * s)), "#ffffff")
    draw = ImageDraw.Draw(image)
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for item in layout(claims, url, issuer_name, cjk=cjk_path is not None):
        if isinstance(item, Box):
            draw.rounded_rectangle([item.x * s, item.y * s, (item.x + item.w) * s,
                                    (item.y + item.h) * s], radius=item.radius * s,
                                   fill=item.fill, outline=item.stroke,
                                   width=max(1, round(item.line * s)) if item.stroke else 0)
        elif isinstance(item, Text):
            font = _pil_font(max(6, round(item.size * s)), item.bold, cjk_path)
            bold_stroke = 1 if item.bold and cjk_path is not None else 0  # CJK fonts lack bold
            draw.text((item.x * s, item.y * s), item.text, font=font, fill=_rgb(item.color),
                      anchor=anchors[item.anchor], stroke_width=bold_stroke,
                      stroke_fill=_rgb(item.color))
        else:
            n = len(item.modules) + 2 * QUIET_ZONE
            module = max(1, int(item.size * s // n))
            offset_x = round(item.x * s + (item.size * s - module * n) / 2)
            offset_y = round(item.y * s + (item.size * s - module * n) / 2)
            draw.rectangle([offset_x, offset_y, offset_x + module * n - 1,
                            offset_y + module * n - 1], fill="#ffffff")
            for y, row in enumerate(item.modules):
                for x, dark in enumerate(row):
                    if dark:
                        left = offset_x + (x + QUIET_ZONE) * module
                        top = offset_y + (y + QUIET_ZONE) * module
                        draw.rectangle([left, top, left + module - 1, top + module - 1],
                                       fill="#000000")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(round(s * 25.4), round(s * 25.4)))
    return out.getvalue()


# -- PDF -------------------------------------------------------------------------------------

def _latin1(text: str) -> str:
    return text.replace("₂", "2").replace("…", "...").encode("latin-1", "replace").decode(
        "latin-1")


def label_pdf(claims: dict, url: str, issuer_name: str | None = None) -> bytes:
    """The printable label as a one-page 100 x 60 mm PDF with the code drawn as vectors.
    A CJK font found on the system is embedded (subset); without one the label is in
    English (the English product name, else the category)."""
    # fpdf2 takes ~0.5 s to import: only a PDF label pays for it, not every web worker
    from fpdf import FPDF
    pdf = FPDF(orientation="L", unit="mm", format=(HEIGHT, WIDTH))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    pdf.set_creator("footprint")
    pdf.set_title(f"Carbon label {claims.get('id', '')}")
    cjk_path = fonts.cjk_font()
    family, sanitize = "helvetica", _latin1
    bold_style = "B"
    try:
        if cjk_path is not None:
            pdf.add_font("cjk", "", str(cjk_path), collection_font_number=0)
            family, sanitize, bold_style = "cjk", str, ""
        elif fonts.latin_font() is not None:
            pdf.add_font("latin", "", str(fonts.latin_font()))
            bold = fonts.latin_font(True)
            pdf.add_font("latin", "B", str(bold or fonts.latin_font()))
            family, sanitize = "latin", str
    except Exception:  # noqa: BLE001 - a font fpdf2 cannot embed: fall back to Helvetica
        cjk_path = None
        family, sanitize, bold_style = "helvetica", _latin1, "B"
    for item in layout(claims, url, issuer_name, cjk=cjk_path is not None):
        if isinstance(item, Box):
            style = ("D" if item.fill is None else "DF") if item.stroke else "F"
            if item.fill:
                pdf.set_fill_color(*_rgb(item.fill))
            if item.stroke:
                pdf.set_draw_color(*_rgb(item.stroke))
                pdf.set_line_width(item.line)
            pdf.rect(item.x, item.y, item.w, item.h, style=style,
                     round_corners=item.radius > 0, corner_radius=item.radius)
        elif isinstance(item, Text):
            pdf.set_font(family, bold_style if item.bold else "", item.size / 0.3528)
            pdf.set_text_color(*_rgb(item.color))
            text = sanitize(item.text)
            width = pdf.get_string_width(text)
            x = item.x - {"start": 0, "middle": width / 2, "end": width}[item.anchor]
            pdf.text(x, item.y, text)
        else:
            n = len(item.modules) + 2 * QUIET_ZONE
            module = item.size / n
            pdf.set_fill_color(255, 255, 255)
            pdf.rect(item.x, item.y, item.size, item.size, style="F")
            pdf.set_fill_color(0, 0, 0)
            for y, x, length in dark_runs(item.modules):
                pdf.rect(item.x + x * module, item.y + y * module, length * module, module,
                         style="F")
    return bytes(pdf.output())
