"""'Did you mean ...?' for unknown names: units, inputs, regions, stages, fields.

Candidates are ranked by how alike they are (difflib's ratio, also against the first word of
a snake_case name and against a region's names), then by what the caller knows of the line:
``prefer`` holds the candidates that fit it (units and inputs of the line's dimension,
regions of the same grid), and a name that the word extends or starts ("CN-SCH" -> "CN-SC",
not "CN-SH") counts as closer. One clear best is offered as "did you mean"; several equally
good ones (the inputs that all begin with "steel") are listed, not one picked at random.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from .errors import Message, Named

CUTOFF = 0.6  # difflib's own default: below it, two names are not alike
PREFERRED = 0.1  # a candidate that fits the line beats a slightly closer one that does not
EXTENDS = 0.05  # "cn-sch" extends "cn-sc"
TIE = 0.01
LISTED = 12  # valid names shown when nothing is close
OFFERED = 5  # equally good candidates offered together
CJK = re.compile(r"[\u3400-\u9fff]")
GENERIC_HANZI = set("材料品制物")  # material, product, made, thing: in many names


def _score(word: str, choice: str, names: Iterable[str]) -> float:
    lowered = choice.lower()
    # a plugin's process is named <plugin>.<name> or <plugin>/<group>/<name>: the plugin's
    # name is no part of what the input is ("steel" is not "steel_vanadium.purchased_coke",
    # but is "materials/steel_bof")
    local = re.split(r"[./]", lowered)[-1] if "-" not in lowered else lowered
    texts = [lowered, local, local.split("_")[0], *(n.lower() for n in names if n)]
    best = max(difflib.SequenceMatcher(None, word, t).ratio() for t in texts)
    best = max(best, _chinese_overlap(word, names))
    if best < CUTOFF:
        return 0.0
    if word.startswith(local) or local.startswith(word):
        best += EXTENDS
    return best


def _chinese_overlap(word: str, names: Iterable[str]) -> float:
    """A Chinese word against Chinese names, which it rarely spells out in full (钢材 for
    转炉钢): the share of its characters a name holds, scored so that half of them is just
    alike enough (CUTOFF) and all of them, in order, is a clear match."""
    hanzi = set(CJK.findall(word))
    hanzi = (hanzi - GENERIC_HANZI) or hanzi  # 钢材 is 钢: 材 names no kind of material
    if not hanzi:
        return 0.0
    best = 0.0
    for name in names:
        if not name:
            continue
        if word in name:
            return 0.9
        share = len(hanzi & set(name)) / len(hanzi)
        best = max(best, CUTOFF + (share - 0.5) * 0.4 if share >= 0.5 else 0.0)
    return best


def _scores(word, choices, prefer, names) -> dict[str, float]:
    """Each candidate alike enough to ``word`` with its score; a case-insensitive exact match
    alone ("kwh" -> "kWh")."""
    text = str(word).lower()
    exact = [c for c in choices if c.lower() == text]
    if exact:
        return {exact[0]: 1.0}
    preferred = set(prefer)
    scores = {}
    for choice in choices:
        score = _score(text, choice, (names or {}).get(choice, ()))
        if score:
            scores[choice] = score + (PREFERRED if choice in preferred else 0.0)
    return scores


def ranked(word, choices: Iterable[str], prefer: Iterable[str] = (),
           names: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """The candidates alike enough to ``word``, best first. ``names`` gives other names of a
    candidate (a region's)."""
    scores = _scores(word, list(choices), prefer, names)
    return sorted(scores, key=lambda c: (-scores[c], c))


def best(word, choices: Iterable[str], prefer: Iterable[str] = (),
         names: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """The best candidates: one when it is clearly best, several when they tie."""
    scores = _scores(word, list(choices), prefer, names)
    if not scores:
        return []
    top = max(scores.values())
    return sorted((c for c, s in scores.items() if top - s < TIE), key=lambda c: (-scores[c], c))


def nearest(word: str, choices: Iterable[str], prefer: Iterable[str] = ()) -> str | None:
    """The closest valid name, or None when none is close (or several are equally close)."""
    found = best(word, choices, prefer)
    return found[0] if len(found) == 1 else None


def unknown(kind, word, choices: Iterable[str], prefer: Iterable[str] = (),
            names: Mapping[str, Iterable[str]] | None = None,
            named: Mapping[str, Named] | None = None) -> Message:
    """Message for an unknown name, with a suggestion when one is close enough. ``kind`` is
    what the name is ("unit", "region"), a Message for the reader's language. ``named``: how
    the reader may write a candidate instead of its code (an input's 电力, a stage's 生产),
    which the message then suggests, in the reader's language; such candidates are listed in
    the order given (a stage's), the others by their codes."""
    choices = list(choices)
    prefer = list(prefer)  # in the caller's order: the closest kinds first
    kind = kind if isinstance(kind, Message) else Message(kind)
    named = named or {}
    if names is None and named:  # a near miss of a name is one too (生厂 for 生产)
        names = {code: (n.zh, n.en) for code, n in named.items()}
    found = best(word, choices, prefer, names)
    if len(found) == 1:
        return Message('%(kind)s "%(word)s" unknown, did you mean "%(guess)s"?',
                       kind=kind, word=word, guess=named.get(found[0], found[0]))
    if found:
        guesses = [_quoted(named.get(c, c)) for c in found[:OFFERED]] + (
            ["..."] if len(found) > OFFERED else [])
        return Message('%(kind)s "%(word)s" unknown; did you mean one of %(guesses)s?',
                       kind=kind, word=word, guesses=guesses)
    known = set(choices)
    preferred = list(dict.fromkeys(c for c in prefer if c in known))
    rest = [c for c in choices if c not in set(prefer)]
    shown = (preferred + (rest if named else sorted(rest)))[:LISTED]
    return Message('%(kind)s "%(word)s" unknown; valid: %(valid)s%(more)s', kind=kind,
                   word=word, valid=[_quoted(named[c]) if c in named else c for c in shown],
                   more=" ..." if len(choices) > LISTED else "")


def _quoted(candidate) -> Message:
    """A candidate in a list, quoted (in Chinese “…”): a name may hold commas and spaces."""
    return Message('"%(name)s"', name=candidate)
