"""Text people type and others read: names, comments, notes and reasons.

Such text is shown on pages, printed on labels and published beside signed labels, so it must
read as it looks. Two rules, checked wherever it comes in (the BOM's schema, comments,
evidence file names, workflow notes, organisation and user names):

- it is NFC-normalised, so "é" typed two ways is one name;
- it holds no invisible control character: C0 and C1 controls (NUL above all: C strings end
  there), and the bidirectional controls that reorder what is shown (U+202E makes
  "invoice<U+202E>fdp.exe" read as "invoiceexe.pdf"). A lone surrogate, which JSON's \\ud800
  escapes can carry, is not text at all and is refused with them. Free text that has lines
  (comments, reasons) keeps its line breaks and tabs.

A refusal says which character and where, counting characters from 1, so the writer can find
it: ``contains an invisible control character: U+202E (RIGHT-TO-LEFT OVERRIDE) at character 3``
(a Message: a page says it in its reader's language; the character's Unicode name stays).

``visible`` is the other side, for output: text that was stored before these rules (a name
signed into an old label) or that arrives from elsewhere (another platform's trust list) is
shown with each such character replaced by U+FFFD, never raw.

What people type is also read as they mean it: ``name_key`` compares a name with the names
the platform knows whatever its case, spacing or full-width forms (柑橘（鲜果） is 柑橘(鲜果)),
and ``typed_number`` reads a number typed full-width (３．５).
"""
from __future__ import annotations

import re
import unicodedata

from .errors import Message, Problem

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
LINE_BREAKS = "\t\n\r"
# One character class, written with \u escapes so that it reads the same as a Python regular
# expression and as the ECMA-262 "pattern" of the OpenAPI document. The document leaves out the
# surrogates: they are not characters to a JSON Schema validator (Rust's and others' cannot
# even hold one), only \ud800 escapes can carry them, and the server refuses them too.
_DOCUMENTED = "\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
_WITH_LINES = _DOCUMENTED.replace("\\u0000-\\u001f",
                                  "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f")
_SURROGATES = "\\ud800-\\udfff"
NAME_PATTERN = f"^[^{_DOCUMENTED}]*$"  # what a name may hold, for the OpenAPI document
TEXT_PATTERN = f"^[^{_WITH_LINES}]*$"  # free text with lines
_FORBIDDEN = re.compile(f"[{_DOCUMENTED}{_SURROGATES}]")
_FORBIDDEN_IN_TEXT = re.compile(f"[{_WITH_LINES}{_SURROGATES}]")
MAX_LISTED = 5  # characters named in one message; the rest are counted

# Controls have no name in the Unicode database; the ones people meet, by their alias.
_CONTROL_NAMES = {0x00: "NULL", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED",
                  0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE"}


def character_name(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "UNPAIRED SURROGATE"
    return unicodedata.name(char, None) or _CONTROL_NAMES.get(code, "CONTROL")


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def forbidden(value: str, lines: bool = False) -> list[tuple[int, str]]:
    """(position counted from 1, character) of each invisible control in ``value``."""
    pattern = _FORBIDDEN_IN_TEXT if lines else _FORBIDDEN
    return [(m.start() + 1, m.group()) for m in pattern.finditer(value)]


def describe(found: list[tuple[int, str]]) -> Message:
    """The message for the characters ``forbidden`` found."""
    listed = [Message("%(code)s (%(name)s) at character %(position)s", code=code_point(c),
                      name=character_name(c), position=position)
              for position, c in found[:MAX_LISTED]]
    more = len(found) - MAX_LISTED
    if len(found) == 1:
        return Message("contains an invisible control character: %(listed)s", listed=listed)
    if more > 0:
        return Message("contains %(count)s invisible control characters: %(listed)s and "
                       "%(more)s more", count=len(found), listed=listed, more=more)
    return Message("contains %(count)s invisible control characters: %(listed)s",
                   count=len(found), listed=listed)


def clean(value: str, lines: bool = False) -> str:
    """``value`` NFC-normalised; ValueError with ``describe``'s Message if it holds an
    invisible control (line breaks and tabs pass when ``lines``)."""
    found = forbidden(value, lines)
    if found:
        raise ValueError(describe(found))
    return unicodedata.normalize("NFC", value)


def checked(value: str | None, where: str, problems: list[Problem],
            lines: bool = False) -> str | None:
    """``clean(value)``, or the value unchanged with a located problem added to
    ``problems`` (so a caller reports it with the others)."""
    if value is None:
        return None
    try:
        return clean(value, lines)
    except ValueError as exc:
        problems.append(Problem(where, exc.args[0]))
        return value


def visible(value: str) -> str:
    """``value`` with every invisible control (line breaks and tabs kept) replaced by U+FFFD,
    so that no stored or foreign text is shown reordered or cut."""
    return _FORBIDDEN_IN_TEXT.sub("\ufffd", value)


def name_key(name: str) -> str:
    """A name as compared with the names a platform knows (a region, a category, an input, a
    parameter's choice): full-width and half-width forms alike (NFKC: 瓦楞纸箱（欧洲平均） is
    瓦楞纸箱(欧洲平均), as a Chinese keyboard may type either), spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", str(name)).split()).casefold()


def typed_number(text: str) -> str:
    """A number as typed, its full-width forms made ASCII (１２．５ -> 12.5, －３ -> -3, ３：１０
    -> 3:10: a Chinese keyboard in full-width mode types them), for the parser that reads it;
    what it cannot read is reported as the person typed it."""
    return unicodedata.normalize("NFKC", text).strip()
