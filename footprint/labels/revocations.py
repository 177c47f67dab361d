"""The public list of revoked labels, as an offline verifier reads it.

    {"revoked": [{"id": "CN-SC-K5QX7M2ZP4H6A", "reason": "falsified electricity data",
                  "revoked_at": "2026-03-01T08:00:00Z",
                  "firm": "...", "accounting_body": "..."}]}

``firm`` (the producer) and ``accounting_body`` (the body that verified it) are the names
published beside the label, for people; a verifier needs only the first three.

Revocation keys on the signed label id (claim 1), never on a hash of the QR text.
"""
from __future__ import annotations

from pathlib import Path

from footprint.errors import InvalidInput, Problem

from . import times
from .jsonfile import read_json
from .claims import LABEL_ID


def revocation_list(entries) -> dict:
    """The published form of (id, reason, revoked_at[, firm, accounting_body]) records,
    oldest first."""
    rows = [{"id": e["id"], "reason": e["reason"],
             "revoked_at": times.text(times.epoch(e["revoked_at"])),
             **{name: e[name] for name in ("firm", "accounting_body") if name in e}}
            for e in entries]
    return {"revoked": sorted(rows, key=lambda r: (r["revoked_at"], r["id"]))}


def parse_revocations(data, source: str = "revocation list") -> dict[str, dict]:
    """label id -> {"id", "reason", "revoked_at"}; InvalidInput names every problem."""
    if not isinstance(data, dict) or not isinstance(data.get("revoked"), list):
        raise InvalidInput([Problem("revoked", 'expected {"revoked": [...]}')], source=source)
    problems, revoked = [], {}
    for i, item in enumerate(data["revoked"]):
        where = f"revoked[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "must be an object"))
            continue
        label_id = item.get("id")
        if not isinstance(label_id, str) or not LABEL_ID.fullmatch(label_id):
            problems.append(Problem(f"{where}.id", "must be a label id"))
            continue
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.append(Problem(f"{where}.reason", "must be non-empty text"))
            continue
        try:
            at = times.text(times.epoch(times.parse(item.get("revoked_at"))))
        except (TypeError, ValueError):
            problems.append(Problem(f"{where}.revoked_at", "must be an RFC 3339 time, e.g. "
                                                           "2026-03-01T08:00:00Z"))
            continue
        revoked[label_id] = {"id": label_id, "reason": reason, "revoked_at": at}
    if problems:
        raise InvalidInput(problems, source=source)
    return revoked


def load_revocations(source) -> dict[str, dict]:
    """From a dict in the published format or a JSON file."""
    if isinstance(source, dict):
        return parse_revocations(source)
    path = Path(source)
    data = read_json(path, "revocation list")
    return parse_revocations(data, source=str(path))
