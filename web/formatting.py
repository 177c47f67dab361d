"""Numbers, times, units and words on pages: footprint.display's rule and web.vocabulary's
words as Jinja filters.

    {{ result.total_kg_co2e|footprint }}    2,060      kg CO2e, as the label signs it
    {{ line.amount|quantity }}              1,200      as entered (up to 6 significant figures)
    {{ row.share|percent }}                 12.3 %
    {{ decision.interest_saved|yuan }}      60,000.00  yuan, to the fen
    {{ decision.rate_bp|rate }}             2.40 %     a rate held in basis points
    {{ event.at|china_time }}               2026-03-01 16:00 (UTC+8) / 2026-03-01 16:00（北京时间）
                                            in the platform's zone (FOOTPRINT_TIME_ZONE), named
                                            in the reader's language: (Central European Time)
    {{ label.expires_at|china_date }}       2027-03-01
    {{ declared|per_amount }}               per 1 kg / 每 1 kg  (after {{ co2e }})
    {{ evidence.size|file_size }}           12.3 KB
    {{ peer.synced_minutes_ago|age }}       3 minutes ago / 3 分钟前 (whole minutes given)
    {{ source.confidence|confidence_note }} 可信度中 (secondary, MATERIALS.md M-12)
    {{ label.log_index|leaf }}              leaf 12 / 第 12 号叶子 (the log's index, from 0)
    {{ result.method.name|method_name }}    IPCC AR6 GWP100 (default) / IPCC AR6 GWP100
    {{ _("Data version")|labelled }}        Data version: / 数据版本：(before what it labels)
    {{ _("optional")|aside }}               " (optional)" / （选填） (after what it remarks on)
    {{ years|listed }}                      2022, 2023 / 2022、2023 ({{ separator() }} in a loop)

    {{ row.stage|stage }}                   原材料获取 / raw materials (one filter per vocabulary)
    {{ category|named }}                    the record's name_zh or name_en

Registered once by ``init_app`` in the app factory; views that build text (the live
preview's JSON) call the same functions.
"""
from __future__ import annotations

from babel.dates import get_timezone_name
from flask import Flask
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from markupsafe import Markup, escape

from footprint import dataquality, display, resultnames, words
from footprint.errors import Word

from . import problems, vocabulary
from .vocabulary import CO2E, PER_AMOUNT, TIME_IN_CHINA, UNITS, language, named, word

TIME_IN_ZONE = _l("%(time)s (%(zone)s)")  # a time in a zone other than China's, named
LEAF = _l("leaf %(index)s")  # footprint.display.leaf's rule in the reader's language
LABELLED = _l("%(label)s: ")  # a label before what it labels: 数据版本：, Data version:
ASIDE = _l(" (%(text)s)")  # a remark after what it remarks on: 中文名称（选填）, Chinese name (optional)
SEPARATOR = _l(", ")  # between the items of a list: 技术、地理; technology, geography
SEMICOLON = _l("; ")  # between the parts of a note: 可信度高；插件 oranges

footprint = display.footprint
quantity = display.quantity
percent = display.percent
china_date = display.date_text
yuan = display.yuan
rate = display.rate


def china_time(stamp) -> str:
    """A stored UTC time in the platform's time zone, the zone named in the reader's
    language: 北京时间 / UTC+8 for China's, else the zone database's name (Babel's CLDR)."""
    moment = display.local_time(stamp)
    if moment is None:
        return ""
    text = moment.strftime("%Y-%m-%d %H:%M")
    if display.in_china_time():
        return str(TIME_IN_CHINA % {"time": text})
    return str(TIME_IN_ZONE % {"time": text,
                               "zone": get_timezone_name(moment, locale=language())})


def per_amount(declared: dict) -> str:
    """The declared unit a footprint is per: "per 1 kg" (follows the kg CO₂e symbol)."""
    declared = declared or {}
    return str(PER_AMOUNT % {"amount": quantity(declared.get("amount")),
                             "unit": word(UNITS, declared.get("unit"))})


def file_size(size) -> str:
    """Bytes for reading: 980 B, 12.3 KB, 4.5 MB."""
    if size is None:
        return ""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def width_class(value, whole) -> str:
    """The .w0 ... .w100 class (steps of 5) of a bar for ``value`` out of ``whole``: a bar's
    width is a class, not a style attribute, because the CSP allows no inline style."""
    if not whole:
        return "w0"
    return f"w{min(100, max(0, int(round(abs(value) / whole * 20)) * 5))}"


def age(minutes) -> str:
    """How long ago, from whole minutes, as footprint.words.age says it (the command line
    says the same words)."""
    return "" if minutes is None else problems.text(words.age(minutes))


def confidence_note(note, entry: dict | None = None) -> str:
    """A source's confidence note in the reader's language: in Chinese as its dataset's
    manifest ``entry`` says it where it does (footprint.resultnames.confidence_in_chinese),
    else its levels in the reader's language and the rest as the dataset wrote it
    (footprint.words.confidence_note); a note that names none as it is."""
    if language() == "zh" and (chinese := resultnames.confidence_in_chinese(note, entry)):
        return chinese
    parts = words.confidence_note(note)
    if parts is None:
        return note or ""
    return "".join(word(vocabulary.CONFIDENCE, part.code) if isinstance(part, Word) else part
                   for part in parts)


def method_name(name: str) -> str:
    """A GWP method's name, its English gloss only in English (footprint.resultnames)."""
    return resultnames.method_name(name, language())


def leaf(index) -> str:
    """A transparency-log leaf by the log's own index, from 0 (footprint.display.leaf)."""
    return "" if index is None else str(LEAF % {"index": index})


def labelled(label) -> Markup:
    """A label before what it labels, its colon the reader's language's (数据版本：, not
    数据版本:); a label that is HTML (a macro's link) stays HTML, text is escaped."""
    return Markup(escape(str(LABELLED))) % {"label": label}


def aside(text) -> Markup:
    """A remark after what it remarks on, in the reader's language's brackets (中文名称（选填）,
    Chinese name (optional)); HTML stays HTML, text is escaped."""
    return Markup(escape(str(ASIDE))) % {"text": text}


def separator() -> str:
    """What stands between a list's items in the reader's language: 、 or ", "."""
    return str(SEPARATOR)


def semicolon() -> str:
    """What stands between the parts of a note, or several errors of one field, in the
    reader's language: ； or "; "."""
    return str(SEMICOLON)


def listed(items) -> Markup:
    """Items one after the other as the reader's language writes a list (2022、2023; 2022,
    2023), each escaped unless it is HTML already."""
    return Markup(escape(separator())).join(items)


def in_reader_language(function):
    """A template filter whose text depends on the reader's language. Marked as needing the
    context so that Jinja never folds ``{{ "fossil"|origin }}`` into a constant while
    compiling a template, in the language of whoever happened to load it first."""
    return pass_context(lambda _context, *args, **kwargs: function(*args, **kwargs))


WORDS = {"stage": vocabulary.STAGES, "status": vocabulary.STATUSES, "role": vocabulary.ROLES,
         "org_kind": vocabulary.ORG_KINDS, "event": vocabulary.EVENTS,
         "verdict": vocabulary.VERDICTS, "gas": vocabulary.GASES, "origin": vocabulary.ORIGINS,
         "basis": vocabulary.BASES, "boundary": vocabulary.BOUNDARIES, "unit": UNITS,
         "criterion": vocabulary.DATA_QUALITY_CRITERIA,
         "quality_level": vocabulary.DATA_QUALITY_LEVELS,
         "scope": vocabulary.SCOPES, "dataset_kind": vocabulary.DATASET_KINDS}
FILTERS = {"footprint": footprint, "quantity": quantity, "percent": percent,
           "yuan": yuan, "rate": rate,
           "china_time": in_reader_language(china_time), "china_date": china_date,
           "per_amount": in_reader_language(per_amount), "file_size": file_size,
           "age": in_reader_language(age), "leaf": in_reader_language(leaf),
           "confidence_note": in_reader_language(confidence_note),
           "method_name": in_reader_language(method_name),
           "labelled": in_reader_language(labelled), "aside": in_reader_language(aside),
           "listed": in_reader_language(listed),
           # a result's dqi: its overall rating (the mean of three) and that rating's level
           "dq_overall": dataquality.overall, "dq_level": dataquality.level}


def init_app(app: Flask) -> None:
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
    for name, table in WORDS.items():
        app.add_template_filter(in_reader_language(lambda key, table=table: word(table, key)),
                                name)
    app.add_template_filter(in_reader_language(named), "named")
    app.add_template_global(CO2E, "co2e")
    app.add_template_global(separator, "separator")
    app.add_template_global(semicolon, "semicolon")
    app.add_template_global(vocabulary.BELOW_PUBLISHED_RANGE, "below_published_range")
