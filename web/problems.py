"""Problems as people read them: the message in the reader's language and the place as people
say it, with the technical path kept for experts.

    message    the core's Message (footprint.errors) in Chinese from problems.po, or from its
               plugin's own Chinese; marshmallow's messages too ("Missing data for required
               field." -> 缺少必填数据。). A plain text with no id is shown as it is.
    place      lines[2].amount -> 第 3 行 · 数量 / line 3 · amount; a category parameter by
               the names its plugin gives it (parameters.fertilisers[0].n_pct -> 参数 · 化肥 1 ·
               含氮量), which the core puts in Problem.place.

Pages call ``shown(problem)`` (or web.i18n.localised for a list): it has ``where`` (the path,
for a title attribute), ``place``, ``message`` and ``human_where`` (the place, as pages have
shown it so far). The JSON API calls ``as_json(problem, language)``: where, place, message,
and the message's ``code`` (its English template) and ``params``, so that a program can tell
problems apart without reading sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request
from flask_babel import force_locale, get_locale
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from footprint.errors import Figure, Message, Problem, Text, from_data, in_codes, said
from footprint.resultnames import ResultNames, named_note

from . import vocabulary

LANGUAGES = ("zh", "en")
SEPARATOR = " · "

# Places a BOM (and the forms around it) names, word by word.
WHOLE = {
    "(top level)": _l("the whole BOM"), "(file)": _l("the file"), "body": _l("request body"),
    "product": _l("product"), "declared_unit": _l("declared unit"),
    "region": _l("region of production"), "factor_year": _l("factor year"),
    "electricity_basis": _l("electricity basis"), "system_boundary": _l("system boundary"),
    "parameters": _l("category parameters"), "lines": _l("lines"),
    # the fields of the forms around a BOM: evidence, the workflow, accounts
    "file": _l("the file"), "line": _l("line number"), "reason": _l("reason"),
    "comment": _l("comment"),
    "verifier_org": vocabulary.ORG_KINDS["accounting_body"], "username": _l("user name"),
    "password": _l("password"), "current_password": _l("current password"),
    "credit_code": _l("unified social credit code"), "kind": _l("organisation kind"),
    "role": _l("role"), "org": _l("organisation"), "display_name": _l("display name"),
    "status": _l("status"),  # a list's filter (the platform's submissions)
    "name": _l("name"),
    "data_version": _l("data version"),
    # the factor library import's (web/admin.py)
    "version": _l("version"), "title": _l("title"), "publisher": _l("publisher"),
    "licence": _l("licence"),
    # the API's headers
    "Authorization": _l("the Authorization header"),
    "Idempotency-Key": _l("the Idempotency-Key header"),
}
PRODUCT = {"name": _l("product name"), "name_zh": _l("Chinese product name"),
           "id": _l("product id"), "category": _l("product category"), "gtin": _l("GTIN"),
           "lot": _l("batch/lot")}
LINE = {"input": _l("input"), "emission": _l("direct emission"), "amount": _l("amount"),
        "unit": _l("unit"), "stage": _l("stage"),
        "region": _l("region of the electricity"), "year": _l("data year"),
        "basis": _l("electricity basis"), "note": _l("note")}
DECLARED = {"amount": _l("declared amount"), "unit": _l("declared unit")}
LINE_NUMBER = _l("line %(number)s")
FILE_POSITION = re.compile(r"^line (\d+), column (\d+) of the file$")
AT_FILE_POSITION = _l("line %(line)s, column %(column)s of the file")
MODELLED_LINE = re.compile(r"^parameters \(line (\d+)\)$")
MODELLED = _l("modelled line %(number)s")
BOM_LINE = re.compile(r"^lines\[(\d+)\]$")


# The core's vocabularies a Word names (footprint.errors.Word), said as web/vocabulary.py says them.
VOCABULARIES = {"stage": vocabulary.STAGES, "status": vocabulary.STATUSES,
                "role": vocabulary.ROLES, "org_kind": vocabulary.ORG_KINDS,
                "basis": vocabulary.BASES, "boundary": vocabulary.BOUNDARIES,
                "unit": vocabulary.UNITS, "dimension": vocabulary.DIMENSIONS,
                "gas": vocabulary.GASES, "event": vocabulary.EVENTS,
                "finding_type": vocabulary.FINDING_TYPES, "severity": vocabulary.SEVERITIES}


def _word(name: str, code: str) -> str:
    return vocabulary.word(VOCABULARIES.get(name, {}), code)


def language() -> str:
    return str(get_locale() or "zh")


def api_language() -> str:
    """The JSON API's language: Accept-Language's choice; English for a client that asks for
    none (a program), Chinese where it asks for Chinese."""
    if not request.headers.get("Accept-Language"):
        return "en"
    return request.accept_languages.best_match(LANGUAGES) or "en"


def text(message, lang: str | None = None) -> str:
    """A message in ``lang`` (the page's by default): a Message through the catalogue (or its
    plugin's Chinese), a plain text looked up as an id, and shown as it is if unknown."""
    lang = lang or language()
    with force_locale(lang):
        if isinstance(message, Message):
            return message.said(lang, gettext, _word)
        return gettext(str(message)) if lang == "zh" and message else str(message or "")


def english_marked(sentence: str, english: str | None) -> Markup:
    """``sentence`` for a page, with ``english`` in it marked lang="en": words a plugin gives
    only in English, inside a Chinese sentence, which a screen reader must read as English."""
    if not english:
        return escape(sentence)
    return escape(sentence).replace(escape(english),
                                    Markup('<span lang="en">%s</span>') % english)


def _english_only(unit) -> str | None:
    """A grading's unit where its plugin gives it in English only (kg CO2e/t crude steel), as
    a note stored before the units had Chinese names it: a Chinese page marks it lang="en"."""
    if isinstance(unit, Text):
        return None if unit.zh else unit.en
    return unit


def place(problem: Problem, lang: str | None = None) -> str:
    """Where ``problem`` is, as people say it, in ``lang`` (the page's by default)."""
    lang = lang or language()
    with force_locale(lang):
        steps = problem.place or _steps(problem.where)
        return SEPARATOR.join(str(said(step, lang, gettext, _word)) for step in steps)


def _steps(where: str) -> list:
    """The words of a path the core did not name: the BOM's fields; a field the BOM does not
    have as it was written, and a path this module does not know as it is."""
    if isinstance(where, Message):  # a place the core says itself (a file's row and column)
        return [where]
    found = FILE_POSITION.match(where)
    if found:
        return [AT_FILE_POSITION % {"line": found.group(1), "column": found.group(2)}]
    first, _, field = where.partition(".")
    numbered = MODELLED_LINE.match(first) or BOM_LINE.match(first)
    if numbered:
        heading = MODELLED if numbered.re is MODELLED_LINE else LINE_NUMBER
        number = int(numbered.group(1)) + (0 if numbered.re is MODELLED_LINE else 1)
        return [heading % {"number": number}, *([LINE.get(field, field)] if field else [])]
    if where in WHOLE:
        return [WHOLE[where]]
    if first == "product" and field in PRODUCT:
        return [PRODUCT[field]]
    if first == "declared_unit" and field in DECLARED:
        return [DECLARED[field]]
    if first in WHOLE and field:
        return [WHOLE[first], field]
    return [where]


@dataclass(frozen=True)
class Shown:
    """A problem as a page shows it."""

    where: str  # the technical path, for experts (a title attribute)
    place: str  # where, as people say it, in the reader's language
    message: str  # in the reader's language
    code: str  # the message's id
    field: str = ""  # the form field it concerns, where a form said (web.forms)

    @property
    def human_where(self) -> str:
        return self.place


def shown(problem: Problem, lang: str | None = None) -> Shown:
    return Shown(problem.where, place(problem, lang), text(problem.message, lang),
                 problem.code)


def as_json(problem: Problem, lang: str) -> dict:
    """A problem in the API's answer: where and place, the message in ``lang``, its id and
    the values in it (message_json). What the client may write is said by its code (diesel,
    production), which is what a JSON body holds, not by a page's name for it."""
    message = in_codes(problem.message)
    return {"where": problem.where, "place": place(problem, lang),
            "message": text(message, lang), **message_json(message, lang)}


def message_json(message, lang: str) -> dict:
    """What a program reads of a message: its ``code`` (the id, its English template; a
    plain text is its own) and its ``params``, the values in it (words as said in ``lang``,
    numbers as the numbers they are)."""
    params = getattr(message, "params", {})
    with force_locale(lang):
        params = {k: v.value if isinstance(v, Figure) else _plain(said(v, lang, gettext, _word))
                  for k, v in params.items()}
    return {"code": str(getattr(message, "id", message)), "params": params}


def _plain(value):
    """A parameter as JSON holds it: numbers, text, booleans and null as they are."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def said_result(result: dict | None, lang: str | None = None,
                names: ResultNames | None = None) -> dict | None:
    """A stored result as a page reads it: its notes, grade note and factors' notes in the
    reader's language (from the messages the engine stores beside them; a note about a line
    still starts with it: 第 3 行), with ``names`` (the registry's, ResultNames.of) the
    datasets its notes name by their titles; a result stored before it carried messages as
    it is. A modelled line's note_zh is the plugin's Chinese, which the page picks itself."""
    lang = lang or language()
    if not result or (lang != "zh" and names is None):
        return result
    out = dict(result)
    if result.get("note_messages"):
        out["notes"] = [text(from_data(named_note(m, names) if names else m), lang)
                        for m in result["note_messages"]]
    if lang != "zh":
        return out
    if result.get("grade_note_message"):
        note = result["grade_note_message"]
        out["grade_note"] = english_marked(text(from_data(note), lang),
                                           _english_only(from_data(note["params"].get("unit"))))
    out["factors"] = [dict(f, note=text(from_data(f["note_message"]), lang))
                      if f.get("note_message") else f for f in result.get("factors") or []]
    return out
