"""Product categories as a command names them: by the names their plugins give them, in the
chosen language (柑橘(鲜果), Oranges (citrus fruit)), as the engine last kept them
(footprint.categorynames), so that a listing or `footprint verify` need not load the
plugins; a code no plugin of this platform registers, as it is."""
from __future__ import annotations

from footprint import categorynames, engine
from footprint.settings import footprint_home

from .language import beside, chosen


def category_name(code: str) -> str | None:
    """The name of category ``code`` in the chosen language (the other one where its plugin
    gives only that), None where no plugin here registers it."""
    kept = categorynames.read(footprint_home())
    if kept is None:  # nothing calculated here yet: the plugins' registry (~0.8 s), kept once
        kept = categorynames.of(engine.Engine().registry.categories)
    names = kept.get(code) or {}
    first, other = ("name_zh", "name_en") if chosen() == "zh" else ("name_en", "name_zh")
    return names.get(first) or names.get(other) or None


def named(code: str) -> str:
    """Category ``code`` by its name, or by its code where it has none here."""
    return category_name(code) or code


def with_code(code: str) -> str:
    """Category ``code`` by its name with the code a command takes beside it: 柑橘(鲜果)（oranges）."""
    return beside(category_name(code), code)

