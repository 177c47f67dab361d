"""One exception hierarchy for the whole core, so callers catch ``FootprintError`` once, and
the messages people read in it.

A message is said in English in the code and read in Chinese or English on a page, so the
core never builds the sentence alone: a ``Message`` is the English template (its id, which
the web's catalogue translates) and its parameters, and reads as its English text wherever a
string is expected (the command line, logs, marshmallow)::

    Message('unit "%(unit)s" unknown, did you mean "%(guess)s"?', unit="kwh", guess="kWh")

Templates are %-formatted, so a literal per cent sign is written ``%%``. A parameter that
has words of its own is a ``Text`` (a name in both languages: a region, a parameter's label),
a ``Word`` (a code of one of the core's vocabularies: a status, a stage, a basis, which the
web's vocabulary says), a ``Figure`` (a limit or a value, said as footprint.display writes
numbers: 1,048,576, never 1048576.0 or 308 digits), a ``Named`` (a code the reader may
write by its name instead: an input, a stage, suggested as 电力 or 生产 rather than
electricity or production) or another ``Message`` ("unit", "region"); each is read in
the reader's language. A plugin, whose messages no catalogue of the platform holds, gives
its Chinese template beside the English one (``zh=``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import display


@dataclass(frozen=True)
class Text:
    """A name said in both languages (a region, a parameter's label, a choice); reads as its
    English in English text."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en

    def said(self, language: str) -> str:
        return (self.zh or self.en) if language == "zh" else (self.en or self.zh)


@dataclass(frozen=True)
class Word:
    """A code of one of the core's vocabularies ("status": "draft", "basis": "market",
    "dimension": "energy"): the code in English text, the vocabulary's word on a page."""

    vocabulary: str
    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Figure:
    """A number a message names, said as people read numbers (footprint.display.number):
    1048576 -> 1,048,576, 1e13 -> 10,000,000,000,000, 1e308 -> 1 × 10³⁰⁸; a program reads
    ``value`` (the API's params)."""

    value: int | float

    def __str__(self) -> str:
        try:
            return display.number(self.value)
        except ValueError:  # not a finite number: as Python writes it (inf)
            return str(self.value)


@dataclass(frozen=True)
class Named:
    """A code the reader may write by its name instead (an input, a stage): said by the name
    in the reader's language, the one a form, a file and the command line take (电力, 生产;
    Diesel, burned in machinery or a boiler), by the code where it has none; ``in_codes``
    says it by its code, for readers who write codes (the JSON API's clients)."""

    code: str
    zh: str = ""
    en: str = ""

    def __str__(self) -> str:
        return self.en or self.code

    def said(self, language: str) -> str:
        return (self.zh if language == "zh" else self.en) or self.code


class Message(str):
    """An English sentence that remembers its template (``id``), its parameters and, from a
    plugin, its Chinese template (``zh``); see the module's docstring."""

    def __new__(cls, template: str, /, zh: str | None = None, **params):
        self = super().__new__(cls, _format(template, params, "en"))
        self.id = template
        self.params = params
        self.zh = zh
        return self

    def __getnewargs__(self):
        return (self.id,)  # copies and pickles keep the template; the parameters follow

    def format(self, *args, **kwargs) -> Message:
        """The message with ``kwargs`` added to its parameters. marshmallow fills a field's
        error message this way (``{input}``, ``{min}``, ``{choices}``), so a Message given as
        a field's or validator's error stays one, with marshmallow's values as parameters."""
        return Message(self.id, zh=self.zh, **{**self.params, **kwargs})

    def said(self, language: str, translate=None, words=None) -> str:
        """The text in ``language`` ("zh" or "en"); ``translate`` gives a template's Chinese
        from a catalogue (the web's), for messages that bring none of their own, and
        ``words(vocabulary, code)`` a Word's."""
        template = self.id
        if language == "zh":
            template = self.zh or (translate(self.id) if translate else self.id)
        return _format(template, self.params, language, translate, words)


def said(value, language: str, translate=None, words=None):
    """A message's parameter as read in ``language``: a Message, Text or Word in that
    language, a list as its items joined, anything else as it is."""
    if isinstance(value, Message):
        return value.said(language, translate, words)
    if isinstance(value, (Text, Named)):
        return value.said(language)
    if isinstance(value, Word):
        return words(value.vocabulary, value.code) if words and language == "zh" else value.code
    if isinstance(value, Figure):
        return str(value)
    if isinstance(value, (list, tuple)):
        separator = "、" if language == "zh" else ", "
        return separator.join(str(said(v, language, translate, words)) for v in value)
    return value


def bulleted(items: list, more: Message | None = None) -> Message:
    """``items`` one a line ("\n  - ..."), each said in the reader's language, then ``more``
    ("... and 3 more") if given: a template of placeholders only, which no catalogue holds
    and every language writes alike."""
    return Message("".join(f"\n  - %(p{i})s" for i in range(len(items)))
                   + ("\n  ... %(more)s" if more is not None else ""),
                   **{f"p{i}": item for i, item in enumerate(items)},
                   **({"more": more} if more is not None else {}))


def joined(items: list, separator: str = "; ") -> Message:
    """``items`` on one line, each said in the reader's language: like ``bulleted``, a
    template of placeholders only (the separator aside), which every language writes alike."""
    return Message(separator.replace("%", "%%").join(f"%(p{i})s" for i in range(len(items))),
                   **{f"p{i}": item for i, item in enumerate(items)})


def as_data(value):
    """A message (or a parameter of one) as JSON holds it, for results that are stored and
    read again in another language: a Message as {"message", "params", "zh"}, a Text as
    {"text": [zh, en]}, a Word as {"word": [vocabulary, code]}, a Figure as {"number": n},
    a Named as {"named": [code, zh, en]}; ``from_data`` reads it."""
    if isinstance(value, Message):
        data = {"message": value.id, "params": {k: as_data(v) for k, v in value.params.items()}}
        return {**data, "zh": value.zh} if value.zh else data
    if isinstance(value, Text):
        return {"text": [value.zh, value.en]}
    if isinstance(value, Word):
        return {"word": [value.vocabulary, value.code]}
    if isinstance(value, Figure):
        return {"number": value.value}
    if isinstance(value, Named):
        return {"named": [value.code, value.zh, value.en]}
    if isinstance(value, (list, tuple)):
        return [as_data(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float)) else str(value)


def from_data(data):
    """What ``as_data`` made, as it was (a plain text stays text)."""
    if isinstance(data, list):
        return [from_data(v) for v in data]
    if isinstance(data, dict) and "message" in data:
        params = {k: from_data(v) for k, v in (data.get("params") or {}).items()}
        return Message(str(data["message"]), zh=data.get("zh"), **params)
    if isinstance(data, dict) and "text" in data:
        return Text(*map(str, data["text"]))
    if isinstance(data, dict) and "word" in data:
        return Word(*map(str, data["word"]))
    if isinstance(data, dict) and isinstance(data.get("number"), (int, float)):
        return Figure(data["number"])
    if isinstance(data, dict) and "named" in data:
        return Named(*map(str, data["named"]))
    return data


def in_codes(value):
    """``value`` (a message, or a parameter of one) with every ``Named`` in it said by its
    code: what a reader who writes codes is told (the JSON API's clients)."""
    if isinstance(value, Message):
        return Message(value.id, zh=value.zh,
                       **{k: in_codes(v) for k, v in value.params.items()})
    if isinstance(value, Named):
        return value.code
    if isinstance(value, (list, tuple)):
        return [in_codes(v) for v in value]
    return value


def _format(template: str, params: Mapping, language: str, translate=None, words=None) -> str:
    values = {k: said(v, language, translate, words) for k, v in params.items()}
    try:
        return template % values
    except (KeyError, ValueError, TypeError):
        # a translation or a plugin's template that does not fit its parameters: the
        # template as written is still more use to the reader than no message at all
        return template


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough for a producer to fix it.

    ``message`` is English text, usually a ``Message`` (id and parameters for a reader of
    another language). ``place`` names the steps of ``where`` in both languages where the
    core knows them better than the path does (a category's parameters: "fertilisers",
    "fertiliser 1", "N content"); a page says the rest of the path itself.
    """

    where: str  # e.g. "lines[3].unit" (JSON path) or "product.category"
    message: str
    place: tuple = ()  # of Text, one per step of ``where`` the core names

    @property
    def code(self) -> str:
        """The message's id: its English template."""
        return getattr(self.message, "id", self.message)

    @property
    def params(self) -> dict:
        return dict(getattr(self.message, "params", {}))

    @property
    def human_where(self) -> str:
        """'line 4 (lines[3].unit)' reads better to a producer than a bare JSON path; a
        Message, so that it reads 第 4 行 (lines[3].unit) in Chinese."""
        index = self.where[len("lines["):].partition("]")[0]
        if self.where.startswith("lines[") and index.isdigit():
            return Message("line %(number)s (%(where)s)", number=int(index) + 1,
                           where=self.where)
        return self.where

    def __str__(self) -> str:
        return f"{self.human_where}: {self.message}"


# Fields a problem's ``where`` names by a code its reader would not say, and the command line
# meets (cli/errors.py); the web's forms name them the same (web/problems.py).
FIELDS = {"kind": Message("organisation kind"), "org": Message("organisation"),
          "credit_code": Message("unified social credit code"),
          # a BOM file's problems that belong to no line: it cannot be read, or its whole
          "file": Message("the file"), "(file)": Message("the file"),
          "(top level)": Message("the whole BOM"),
          # a BOM's fields within its product and declared unit, as the forms name them
          "product.id": Message("product id"), "product.name": Message("product name"),
          "product.name_zh": Message("Chinese product name"),
          "product.category": Message("product category"), "product.gtin": Message("GTIN"),
          "product.lot": Message("batch/lot"), "declared_unit.unit": Message("declared unit"),
          "declared_unit.amount": Message("declared amount")}


class FootprintError(Exception):
    """Base of every error the core raises on purpose. Its argument may be a Message, which
    a page reads in its reader's language (``str(error)`` is the English)."""

    @property
    def message(self) -> str:
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


class InvalidInput(FootprintError):
    """A BOM or option is wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}{len(self.problems)} problem(s) in the input\n{lines}")


class DataError(FootprintError):
    """Shipped or plugin data is inconsistent (hash mismatch, duplicate id, unknown flow)."""


class PluginError(FootprintError):
    """A plugin broke a hook's contract."""


class NotFound(FootprintError):
    """No such object, or not one this user may see (the two are deliberately alike)."""


class Forbidden(FootprintError):
    """The user may see the object but may not do this to it."""


class Conflict(FootprintError):
    """The object is not in a state that allows this (e.g. approving a draft)."""


class Throttled(FootprintError):
    """Too many failed attempts from this account or address: try again after
    ``retry_after`` seconds (the attempt was not checked at all)."""

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(Message("too many failed attempts; try again in %(seconds)s s",
                                 seconds=self.retry_after))
