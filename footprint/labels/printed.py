"""The printable label (100 x 60 mm): the product name in Chinese, the value per declared
unit, the grade, the producer, the issuer, the validity and the QR code, drawn as SVG, PNG
or PDF from one layout. Chinese text needs a CJK font for PNG and PDF
(footprint.labels.fonts); without one they print the English name and English captions only.

Names are never cut: they wrap and shrink, measured with the renderer's own font (Pillow's
and fpdf2's advance widths; an estimate for SVG, whose fonts are the viewer's), and the left
column gives the long ones more lines (PLANS). The footprint is footprint.display's, as the
label signs it and every page shows it; so is its range (claim 20, or 19), printed after it as
"0.209 (0.180–0.250) kg CO₂e / 1 kg".

Under the value, one line says what it stands on, from the stored result the label signs:
its system boundary, GWP method and data quality ("摇篮到大门 · IPCC AR6 GWP100 · 数据质量 良好
（2.7）"), from ``claims["basis"]`` (its Chinese and its English, worded by the caller).

A battery's label adds one line above the producer: its footprint per kWh delivered over the
service life (Regulation (EU) 2023/1542 Art. 7) and its performance class, marked provisional
("每千瓦时交付 0.0188 kg CO₂e · 等级 B（暂定）"), from ``claims["battery"]``: the figures of
the stored result the label signs (footprint.usecases.batterypass.figures), never recomputed.
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


def latin_part(text: str | None) -> str | None:
    """A bilingual name without its Chinese (for a renderer without a CJK font):
    "攀枝花钒钛钢铁有限公司 Panzhihua V-Ti Steel Works" -> "Panzhihua V-Ti Steel Works";
    None when nothing but Chinese is left."""
    if not text:
        return None
    kept = "".join(" " if unicodedata.east_asian_width(c) in "WF" else c for c in text)
    kept = " ".join(kept.split()).strip(" ,;:/-·()（）")
    return kept if any(c.isalpha() for c in kept) else None  # "38" alone names nothing


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width in mm: a CJK character 1 em, anything else 0.56 em (the SVG's measure,
    whose fonts are the viewer's)."""
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


def _wrap(text: str, size: float, width: float, bold=False, measure=text_width) -> list[str]:
    """``text`` in lines of at most ``width`` mm, broken after spaces and CJK characters; a
    word wider than a line on its own is broken inside (nothing is ever left out)."""
    result, line = [], ""
    for token in _tokens(text):
        if line and measure((line + token).rstrip(), size, bold) > width:
            result.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while len(line.rstrip()) > 1 and measure(line.rstrip(), size, bold) > width:
            cut = len(line.rstrip()) - 1
            while cut > 1 and measure(line[:cut], size, bold) > width:
                cut -= 1
            result.append(line[:cut])
            line = line[cut:]
    if line.strip():
        result.append(line.rstrip())
    return result


def fit(text: str, size: float, width: float, lines: int = 1, bold=False,
        smallest: float = 1.6, measure=text_width) -> tuple[list[str], float]:
    """Lines and font size that put ``text`` in ``lines`` lines of ``width`` mm, the size
    shrinking down to ``smallest``; a text that needs more lines even then gets them. The
    text is never cut."""
    while True:
        wrapped = _wrap(text, size, width, bold, measure)
        if len(wrapped) <= lines or round(size - 0.1, 2) < smallest:
            return wrapped, size
        size = round(size - 0.1, 2)


def _caption(zh: str, en: str, cjk: bool) -> str:
    return f"{zh} {en}" if cjk else en


# Declared units printed as a word rather than a symbol (kg, kWh, t print as they are).
UNIT_WORDS = {"piece": ("件", "piece")}


def _unit(unit: str, cjk: bool) -> str:
    zh, en = UNIT_WORDS.get(unit, (unit, unit))
    return zh if cjk else en


# How the left column shrinks when the names are long: the product name's largest size and
# lines, the English name's, and the footer's (producer, issuer, validity). The first plan
# that fits is used; the last one is used whatever it takes (a name is never cut).
PLANS = [(4.4, 2, 2.6, 1, 2.3), (4.4, 2, 2.6, 2, 2.3), (4.0, 2, 2.4, 2, 2.1),
         (3.6, 2, 2.2, 2, 2.0), (3.2, 3, 2.0, 2, 1.9), (2.8, 3, 1.9, 3, 1.8),
         (2.4, 4, 1.8, 3, 1.7), (2.0, 6, 1.6, 4, 1.6)]
COLUMN = 53.0   # mm: the left column, beside the code
GRADE_X = 44.5  # the grade box's left edge
TOP = 28.5      # the value block's caption, at the latest
FOOTER_LINE = 1.43  # line height / size in the footer


def battery_line(battery: dict, cjk: bool) -> str:
    """The Art. 7 line of a battery's label: "每千瓦时交付 0.0188 kg CO₂e · 等级 B（暂定）",
    or in English "Per kWh delivered 0.0188 kg CO₂e · class B (provisional)"."""
    value = footprint(battery["per_kwh_delivered"])
    grade = battery["performance_class"]
    if cjk:
        return (f"每千瓦时交付 {value} kg CO₂e · 等级 {grade}"
                + ("（暂定）" if battery.get("provisional") else ""))
    return (f"Per kWh delivered {value} kg CO₂e · class {grade}"
            + (" (provisional)" if battery.get("provisional") else ""))


def layout(claims: dict, url: str, issuer_name: str | None = None, cjk: bool = True,
           measure=text_width) -> list:
    """The label as boxes, texts and the code, in mm on a 100 x 60 mm page. ``cjk`` False
    leaves out every Chinese text (for a renderer without a CJK font): bilingual names keep
    their other part. ``measure(text, size, bold)`` is the renderer's width in mm. Names
    wrap onto more lines and shrink, never cut. ``claims`` are readable (parse_claims), with
    the names the issuer publishes beside them when known (product_name_zh,
    product_name_en, producer_name)."""
    shown = (lambda s: s or None) if cjk else latin_part
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

    zh, en = shown(claims.get("product_name_zh")), shown(claims.get("product_name_en"))
    main = zh or en or claims.get("category", "")
    second = en if zh and en and en != zh else None
    producer = shown(claims.get("producer_name")) or party_text(claims.get("producer"))
    issuer = " ".join(filter(None, (claims.get("issuer", ""), shown(issuer_name))))
    footer = [_caption("签发", "Issuer:", cjk) + " " + issuer,
              # the day in China, as the scan page shows it
              _caption("有效期至", "Valid until", cjk) + " " + date_text(claims.get("expires_at"))]
    if producer:
        footer.insert(0, _caption("生产者", "Producer:", cjk) + " " + producer)
    basis = claims.get("basis")  # what the figure stands on, from the result it signs
    if basis:
        footer.insert(0, basis["zh" if cjk else "en"])
    if claims.get("battery"):  # the stored result's Art. 7 figures (a battery's label)
        footer.insert(0, battery_line(claims["battery"], cjk))

    for plan in PLANS:
        left = _left_column(main, second, footer, plan, measure)
        if left[-1]:
            break
    names, footer_texts, top, _fits = left
    items += names

    unit = claims["declared_unit"]
    items.append(Text(4.0, top, _caption("碳足迹", "Carbon footprint", cjk), 2.4, color=GREY))
    value = footprint(claims["value"])
    value_size = min(10.5, 38.0 / max(measure(value, 1.0, True), 0.1))
    items.append(Text(4.0, top + 9.2, value, value_size, bold=True, color=GREEN))
    per = f"kg CO₂e / {quantity(unit['amount'])} {_unit(unit['unit'], cjk)}"
    spread = claims.get("range")  # claim 20 or 19: "0.209" over "(0.180–0.250) kg CO₂e / 1 kg"
    if spread:
        per = f"({footprint(spread['low'])}–{footprint(spread['high'])}) {per}"
    # beside the grade box, or the whole column without one
    lines, per_size = fit(per, 3.0, (GRADE_X - 0.5 if claims.get("grade") else COLUMN) - 4.0,
                          smallest=2.0, measure=measure)
    for n, line in enumerate(lines):
        items.append(Text(4.0, top + 13.4 + n * per_size * 1.2, line, per_size))

    if claims.get("grade"):
        items.append(Box(GRADE_X, top - 2.6, 12.5, 14.2, fill=GREEN, radius=1.6))
        grade, grade_size = fit(claims["grade"], 8.0, 11.0, smallest=3.0, bold=True,
                                measure=measure)
        items.append(Text(50.75, top + 7.4, " ".join(grade), grade_size, bold=True,
                          color="#ffffff", anchor="middle"))
        items.append(Text(50.75, top + 10.3, _caption("等级", "Grade", cjk), 2.0,
                          color="#ffffff", anchor="middle"))
        if claims.get("provisional"):
            items.append(Text(50.75, top + 14.2, _caption("暂定", "provisional", cjk), 1.9,
                              color=GREY, anchor="middle"))
    items += footer_texts

    modules = qr_modules(url)
    items.append(Code(59.5, 11.2, 37.5, modules))
    items.append(Text(78.25, 52.0, _caption("扫码验证", "Scan to verify", cjk), 2.3,
                      anchor="middle"))
    items.append(Text(78.25, 55.6, claims.get("id", ""), 2.0, color=GREY, anchor="middle"))
    return items


def _left_column(main, second, footer, plan, measure):
    """The product's names from the top and the footer from the bottom of the left column
    under one plan: (name texts, footer texts, the value block's top, whether all fit)."""
    main_size, main_lines, second_size, second_lines, footer_size = plan
    texts = []
    lines, size = fit(main, main_size, COLUMN, lines=main_lines, bold=True,
                      smallest=min(2.6, main_size), measure=measure)
    y = 10.8 + size
    for line in lines:
        texts.append(Text(4.0, y, line, size, bold=True))
        y += size * 1.22
    if second:
        lines, small = fit(second, second_size, COLUMN, lines=second_lines,
                           smallest=min(1.8, second_size), measure=measure)
        for line in lines:
            texts.append(Text(4.0, y - 0.4, line, small, color=GREY))
            y += small * 1.3
    top = max(y + 2.2, TOP)

    wrapped = [_wrap(entry, footer_size, COLUMN, measure=measure) for entry in footer]
    count = sum(len(w) for w in wrapped)
    step = footer_size * FOOTER_LINE
    baseline = HEIGHT - 3.2 - step * (count - 1)
    footer_top = baseline - footer_size * 0.9
    footer_texts = []
    for lines in wrapped:
        for line in lines:
            footer_texts.append(Text(4.0, baseline, line, footer_size, color="#222222"))
            baseline += step
    # the value block runs to top + 14.2 (the grade box and "provisional")
    return texts, footer_texts, top, top + 14.2 + 0.6 <= footer_top


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


def png_fonts(px_per_mm: int, cjk_path):
    """font(size, bold) -> the Pillow font a PNG label draws with, and measure(text, size,
    bold) -> its width in mm (the font's own advance widths)."""
    loaded: dict = {}

    def font(size: float, bold: bool):
        px = max(6, round(size * px_per_mm))
        if (px, bold) not in loaded:
            loaded[px, bold] = _pil_font(px, bold, cjk_path)
        return loaded[px, bold]

    def measure(text: str, size: float, bold: bool = False) -> float:
        stroke = 2 if bold and cjk_path is not None else 0  # the stroke that stands in for bold
        return (font(size, bold).getlength(text) + stroke) / px_per_mm
    return font, measure


def label_png(claims: dict, url: str, issuer_name: str | None = None,
              px_per_mm: int = 12) -> bytes:
    """The printable label as PNG, ``px_per_mm`` (12 is about 300 dpi). Chinese text only
    with a CJK font (see footprint.labels.fonts); otherwise English."""
    cjk_path = fonts.cjk_font()
    s = px_per_mm
    image = Image.new("RGB", (int(WIDTH * s), int(HEIGHT * s)), "#ffffff")
    draw = ImageDraw.Draw(image)
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    font, measure = png_fonts(s, cjk_path)
    for item in layout(claims, url, issuer_name, cjk=cjk_path is not None, measure=measure):
        if isinstance(item, Box):
            draw.rounded_rectangle([item.x * s, item.y * s, (item.x + item.w) * s,
                                    (item.y + item.h) * s], radius=item.radius * s,
                                   fill=item.fill, outline=item.stroke,
                                   width=max(1, round(item.line * s)) if item.stroke else 0)
        elif isinstance(item, Text):
            bold_stroke = 1 if item.bold and cjk_path is not None else 0  # CJK fonts lack bold
            draw.text((item.x * s, item.y * s), item.text, font=font(item.size, item.bold),
                      fill=_rgb(item.color),
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
    text = text.replace("₂", "2").replace("…", "...").replace("–", "-")
    return text.encode("latin-1", "replace").decode("latin-1")


def new_pdf(**options):
    """An fpdf2 document (a printable label, an account statement)."""
    # fpdf2 takes ~0.5 s to import: only a PDF pays for it, not every web worker
    from fpdf import FPDF
    return FPDF(**options)


def label_pdf(claims: dict, url: str, issuer_name: str | None = None) -> bytes:
    """The printable label as a one-page 100 x 60 mm PDF with the code drawn as vectors.
    A CJK font found on the system is embedded (subset); without one the label is in
    English (the English product name, else the category)."""
    pdf = new_pdf(orientation="L", unit="mm", format=(HEIGHT, WIDTH))
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
    def measure(text: str, size: float, bold: bool = False) -> float:
        pdf.set_font(family, bold_style if bold else "", size / 0.3528)
        return pdf.get_string_width(sanitize(text))

    for item in layout(claims, url, issuer_name, cjk=cjk_path is not None, measure=measure):
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
