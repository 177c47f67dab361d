"""Reading the JSON files a verifier is handed (trust lists, revocation lists)."""
from __future__ import annotations

import json
from pathlib import Path

from footprint.errors import InvalidInput, Problem


def read_json(path, what: str):
    """The decoded JSON of ``path``; InvalidInput naming the file and ``what`` it should be."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput([Problem(str(path), f"cannot read: {exc.strerror or exc}")],
                           source=what) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput([Problem(str(path), f"not JSON: {exc}")], source=what) from None
