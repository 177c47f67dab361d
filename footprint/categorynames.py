"""The names of the product categories the platform's plugins register, as its registry was
last built, kept as a file for `footprint verify` (which names a label's category in the
chosen language without loading the plugins: loading them takes about 0.8 s, five times
verify's whole start)::

    FOOTPRINT_HOME/cache/category-names.json
    {"oranges": {"name_zh": "柑橘(鲜果)", "name_en": "Oranges (citrus fruit)"}, ...}

footprint.engine.pipeline keeps it whenever it builds the registry of the current data (every
calculation, the service's start), so a plugin installed or removed is seen by the next one.
A cache like the home's others: derived, left out of backups, made again when missing.
"""
from __future__ import annotations

import json
from pathlib import Path

from .files import write_atomically

NAMES = Path("cache") / "category-names.json"


def keep(home, categories) -> None:
    """Keep the names of ``categories`` (the registry's, by code) where they changed; a home
    that cannot be written keeps none (verify then names categories by their codes)."""
    names = of(categories)
    if read(home) == names:
        return
    try:
        write_atomically(Path(home) / NAMES,
                         json.dumps(names, ensure_ascii=False, indent=1).encode("utf-8"))
    except OSError:  # a read-only home: the names are a convenience, not a record
        pass


def of(categories) -> dict[str, dict]:
    """{code: {"name_zh", "name_en"}} of a registry's categories (by code)."""
    return {code: {"name_zh": c.name_zh, "name_en": c.name_en}
            for code, c in sorted(categories.items())}


def read(home) -> dict[str, dict] | None:
    """{code: {"name_zh", "name_en"}} as last kept; None where none were kept (or the file
    cannot be read)."""
    try:
        names = json.loads((Path(home) / NAMES).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return names if isinstance(names, dict) else None
