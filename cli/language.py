"""The language a command speaks, and what it says in it.

Chinese by default; English where the operator asks for it: ``footprint --lang en ...``,
else FOOTPRINT_LANG, else the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: the first one
set; English when it names English). A command's help (cli.helptext), its listings and
summaries follow that choice; a refusal says its problems in English and in Chinese whatever
the choice (cli.errors), because it is often pasted to someone else.

What a command says is an English template said through ``say`` (a ``Message``: its Chinese
from the catalogues, its parameters read in the language: a ``Word`` by the vocabulary, a
``Figure`` as numbers are written). The Chinese comes from the web's catalogues
(web/translations/zh/LC_MESSAGES: cli.po for what only the command line says, problems.po
for the core's messages, core.po for what pages and commands share, vocabulary.po for the
words of the vocabularies: 能量, 基于位置, 第三方核算机构; footprint.words), one place for
both; a message is translated in one of them only. The catalogues are read when something
is first said in Chinese (kept merged in FOOTPRINT_HOME: ``_catalogue``): `footprint --lang en
verify` never reads them."""
from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import click

from footprint import words
from footprint.resultnames import LEVELS
from footprint.errors import Message, Text, Word
from footprint.settings import footprint_home

LANGUAGES = ("zh", "en")
CATALOGUES = Path(__file__).resolve().parents[1] / "web" / "translations" / "zh" / "LC_MESSAGES"
CHOSEN = "footprint.language"  # where a context's chain keeps the --lang given (ctx.meta)
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _remember(ctx, param, value):
    # `footprint --lang zh calc`: the command's own --lang, read from FOOTPRINT_LANG, does
    # not undo the choice made on the command line before it
    given = ctx.get_parameter_source(param.name) == click.core.ParameterSource.COMMANDLINE
    if value is not None and (given or CHOSEN not in ctx.meta):
        ctx.meta[CHOSEN] = value
    return value


# `footprint --lang zh|en COMMAND`: eager, so that `footprint --lang en --help` is English
language_option = click.option(
    "--lang", "language", type=click.Choice(LANGUAGES), envvar="FOOTPRINT_LANG",
    show_envvar=True, is_eager=True, expose_value=False, callback=_remember,
    help="The language of help, listings and reports: zh (Chinese) or en (English). "
         "Default: the locale's language if it is English, else Chinese.")


def from_locale(environ=os.environ) -> str:
    """The language the locale names: English when the first locale variable set names
    English (en_US.UTF-8, en), Chinese otherwise (zh_CN.UTF-8, C, POSIX, none)."""
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            return "en" if value.split(":")[0].lower().startswith("en") else "zh"
    return "zh"


def chosen() -> str:
    """The language of the command running: its --lang, else FOOTPRINT_LANG, else the
    locale's."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(CHOSEN):
        return ctx.meta[CHOSEN]
    configured = os.environ.get("FOOTPRINT_LANG")
    return configured if configured in LANGUAGES else from_locale()


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict[str, str]:
    """Every catalogue's Chinese, merged. Reading the .po files takes babel ~0.1 s, more than
    a quick command's whole start (`footprint verify`), so the merged catalogue is kept in
    FOOTPRINT_HOME/translations/cli-zh.json (like the web's compiled catalogue, not in git)
    and read from there (~2 ms) while no .po file has changed since."""
    sources = [[po.name, po.stat().st_mtime_ns, po.stat().st_size]
               for po in sorted(CATALOGUES.glob("*.po"))]
    kept = footprint_home() / "translations" / "cli-zh.json"
    try:
        stored = json.loads(kept.read_text("utf-8"))
        if stored["sources"] == sources:
            return stored["messages"]
    except (OSError, ValueError, KeyError, TypeError):  # none kept yet, or unreadable
        pass
    found = _read_catalogues()
    try:  # written whole, then moved into place: a reader never sees half of it
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f"{kept.name}.{os.getpid()}")
        partial.write_text(json.dumps({"sources": sources, "messages": found},
                                      ensure_ascii=False), "utf-8")
        partial.replace(kept)
    except OSError:  # a home not writable: read the .po files each time
        pass
    return found


def _read_catalogues() -> dict[str, str]:
    # babel's .po reader: only when the kept catalogue is missing or older than a .po file
    from babel.messages.pofile import read_po
    found = {}
    for po in sorted(CATALOGUES.glob("*.po")):
        with open(po, "rb") as handle:
            found.update({m.id: m.string for m in read_po(handle, locale="zh") if m.id})
    return found


def translated(template: str) -> str | None:
    """The catalogue's Chinese for ``template``, None where it has none."""
    return _catalogue().get(template) or None


def said(message, language: str | None = None) -> str:
    """``message`` in ``language`` (the chosen one by default): a Message through the
    catalogue (its English where the catalogue has no Chinese), a Text (a plugin's words in
    both languages) in it, other text as it is."""
    language = language or chosen()
    if isinstance(message, Text):
        return message.said(language)
    if not isinstance(message, Message):
        return str(message)
    if language != "zh":
        return message.said("en")

    def translate(template: str) -> str:
        return translated(template) or template
    return message.said("zh", translate,
                        lambda vocabulary, code: words.word(vocabulary, code, translate))


def say(template: str, /, **params) -> str:
    """What a command says, in the chosen language: ``say("%(count)s labels issued",
    count=Figure(3))`` -> 已签发 3 个标签 or 3 labels issued."""
    return said(Message(template, **params))


def beside(name: str | None, code: str) -> str:
    """A published name beside the code or identifier it stands for (柑橘(鲜果)（oranges）);
    the code alone where there is no name."""
    return say("%(name)s (%(signed)s)", name=name, signed=code) if name else code


def listed(items) -> str:
    """Items one after the other as the chosen language writes a list: 技术 3.0、地理 2.5;
    technology 3.0, geography 2.5."""
    return ("、" if chosen() == "zh" else ", ").join(map(str, items))


def colon() -> str:
    """A colon before what follows it, as the chosen language writes one."""
    return "：" if chosen() == "zh" else ": "


def aside(text) -> str:
    """A remark after what it remarks on, in the chosen language's brackets: 二氧化碳（CO₂）;
    carbon dioxide (CO₂)."""
    return f"（{text}）" if chosen() == "zh" else f" ({text})"


def term(vocabulary: str, code: str, language: str | None = None) -> str:
    """A code of the core's vocabularies ("stage", "production") as the chosen language
    says it: 生产, production; a code it does not know as it is."""
    if (language or chosen()) != "zh":
        return words.word(vocabulary, code)
    return words.word(vocabulary, code, translated)


def confidence(note: str, alone: bool = False) -> str:
    """A source's confidence note with the levels it names in the chosen language (可信度中
    (secondary, MATERIALS.md M-12)); ``alone``, the levels without the word confidence (中
    (secondary, ...)), for a column headed by it. The dataset's own words on how its figures
    were read, and a note that names no level, as written (footprint.words.confidence_note)."""
    parts = words.confidence_note(note)
    if parts is None:
        return note
    vocabulary = "confidence_level" if alone else "confidence"
    return "".join(term(vocabulary, p.code) if isinstance(p, Word) else p for p in parts)


def levels(note: str) -> str:
    """The confidence levels a source's note names, each once, in the chosen language, with
    the years it gives them: 中; 2021 中；2022、2023 高 (for a list: the note whole is
    ``confidence``'s). A note that names no level, as written."""
    parts = words.confidence_note(note)
    if parts is None:  # levels of parts of the dataset ("EF5 high (seen); FracGASF medium")
        parts = [Word("confidence", level) for level in re.findall(rf"\b{LEVELS}\b", note)]
    if not parts:
        return note
    said_levels, before = [], ""
    for part in parts:
        if not isinstance(part, Word):
            before = part
            continue
        years = re.search(r"(\d{4}(?:(?:, | and )\d{4})*) $", before)
        level = term("confidence_level", part.code)
        entry = (listed(re.findall(r"\d{4}", years.group(1))) + " " + level) if years else level
        if entry not in said_levels:
            said_levels.append(entry)
    return ("；" if chosen() == "zh" else "; ").join(said_levels)


def chinese(message) -> str | None:
    """The Chinese of a Message, None for other text."""
    return said(message, "zh") if isinstance(message, Message) else None
