"""'Did you mean ...?' for unknown names: units, inputs, regions, stages, fields."""
from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The closest valid name, preferring a case-insensitive exact match ("kwh" -> "kWh")."""
    choices = list(choices)
    for choice in choices:
        if choice.lower() == str(word).lower():
            return choice
    lowered = {c.lower(): c for c in choices}
    # Also compare with the first word of snake_case names: "yeild" -> "yield_kg_per_ha".
    for choice in choices:
        lowered.setdefault(choice.lower().split("_")[0], choice)
    match = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def unknown(kind: str, word: str, choices: Iterable[str]) -> str:
    """Message for an unknown name, with a suggestion when one is close enough."""
    choices = list(choices)
    guess = nearest(word, choices)
    if guess is not None:
        return f'{kind} "{word}" unknown, did you mean "{guess}"?'
    shown = ", ".join(sorted(choices)[:12])
    more = " ..." if len(choices) > 12 else ""
    return f'{kind} "{word}" unknown; valid: {shown}{more}'
