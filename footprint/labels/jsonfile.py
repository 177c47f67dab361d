"""Reading the JSON files a verifier is handed (trust lists, revocation lists)."""
from __future__ import annotations

import json
from pathlib import Path

from footprint.errors import InvalidInput, Message, Problem
from footprint.schemaerrors import json_reason, not_utf8
from footprint.sheets import at_file_position


def read_json(path, what: str):
    """The decoded JSON of ``path``; InvalidInput naming the file and ``what`` it should be."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput([Problem(str(path), Message(
            "cannot read %(path)s: %(reason)s", path=str(path),
            reason=exc.strerror or str(exc)))], source=what) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput([Problem(str(path), not_utf8(exc))], source=what) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem(str(path), Message(
            "%(where)s: %(note)s", where=at_file_position(exc.lineno, exc.colno),
            note=Message("invalid JSON: %(reason)s", reason=json_reason(exc.msg))))],
            source=what) from None
