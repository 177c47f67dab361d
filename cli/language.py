"""The language a command speaks: the core's Messages in Chinese come from the web's
catalogues (web/translations/zh/LC_MESSAGES: problems.po, core.po for the messages pages
share, vocabulary.po for the words a message names: 能量, 基于位置, 第三方核算机构;
footprint.words), one place for both; a message is translated in one of them only. The
catalogues are read when a message is first said in Chinese: every command that fails says
its problems in Chinese too (cli.errors), and a quick command that does not fail never reads
them."""
from __future__ import annotations

import functools
from pathlib import Path

import click

from footprint import words
from footprint.errors import Message

LANGUAGES = ("zh", "en")
CATALOGUES = Path(__file__).resolve().parents[1] / "web" / "translations" / "zh" / "LC_MESSAGES"

# `--lang zh|en` of the commands that speak Chinese by default
language_option = click.option("--lang", "language", type=click.Choice(LANGUAGES),
                               default="zh", show_default=True,
                               help="The language of the report: Chinese or English.")


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict[str, str]:
    # babel's .po reader takes ~35 ms to import: only a command that says something in
    # Chinese pays for it, not `footprint verify`'s every start
    from babel.messages.pofile import read_po
    found = {}
    for po in sorted(CATALOGUES.glob("*.po")):
        with open(po, "rb") as handle:
            found.update({m.id: m.string for m in read_po(handle, locale="zh") if m.id})
    return found


def said(message, language: str) -> str:
    """``message`` in ``language``: a Message through the catalogue (its English where the
    catalogue has no Chinese), other text as it is."""
    if not isinstance(message, Message):
        return str(message)
    catalogue = _catalogue()

    def translate(template: str) -> str:
        return catalogue.get(template) or template
    return message.said(language, translate,
                        lambda vocabulary, code: words.word(vocabulary, code, translate))


def chinese(message) -> str | None:
    """The Chinese of a Message, None for other text."""
    return said(message, "zh") if isinstance(message, Message) else None
