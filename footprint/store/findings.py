"""The ``findings`` and ``finding_files`` tables (migration 18): regulators' findings about
firms and accounting bodies. A record's ``labels`` is the list the JSON column holds and
``public`` a bool; the subject's name, kind and credit code come with it."""
from __future__ import annotations

import hashlib
import json

from .. import clock

_SELECT = ("SELECT f.*, o.name AS subject_name, o.kind AS subject_kind, "
           "o.credit_code AS subject_credit_code, o.region AS subject_region "
           "FROM findings f JOIN organisations o ON o.id = f.subject_org_id")


def _record(row: dict) -> dict:
    return {**row, "labels": json.loads(row["labels"]), "public": bool(row["public"])}


def insert(db, subject_org_id: int, type_: str, severity: str, summary: str, evidence: str,
           public: bool, labels: list[str], created_by: int) -> int:
    at = clock.stamp()
    return db["findings"].insert({
        "subject_org_id": subject_org_id, "type": type_, "severity": severity,
        "summary": summary, "evidence": evidence, "public": int(public),
        "labels": json.dumps(labels), "state": "draft", "created_by": created_by,
        "created_at": at, "updated_at": at}).last_pk


def update(db, finding_id: int, **changes) -> None:
    if "labels" in changes:
        changes["labels"] = json.dumps(changes["labels"])
    if "public" in changes:
        changes["public"] = int(changes["public"])
    db["findings"].update(finding_id, {**changes, "updated_at": clock.stamp()})


def get(db, finding_id: int) -> dict | None:
    row = next(db.query(_SELECT + " WHERE f.id = ?", [finding_id]), None)
    return _record(row) if row else None


def listed(db, subject_org_id: int | None = None, public_only: bool = False,
           not_draft: bool = False) -> list[dict]:
    """Findings, newest first: all, or one subject's, or only final public ones."""
    sql, params = _SELECT + " WHERE 1 = 1", []
    if subject_org_id is not None:
        sql += " AND f.subject_org_id = ?"
        params.append(subject_org_id)
    if public_only:
        sql += " AND f.state = 'final' AND f.public = 1"
    if not_draft:
        sql += " AND f.state != 'draft'"
    order = " ORDER BY f.final_at DESC, f.id DESC" if public_only else " ORDER BY f.id DESC"
    return [_record(r) for r in db.query(sql + order, params)]


def add_file(db, finding_id: int, filename: str, media_type: str, content: bytes,
             added_by: int) -> int:
    return db["finding_files"].insert({
        "finding_id": finding_id, "filename": filename, "media_type": media_type,
        "sha256": hashlib.sha256(content).hexdigest(), "content": content,
        "added_by": added_by, "added_at": clock.stamp()}).last_pk


def files(db, finding_id: int) -> list[dict]:
    """The evidence files of a finding, without their content."""
    return list(db.query("SELECT id, finding_id, filename, media_type, sha256, added_at "
                         "FROM finding_files WHERE finding_id = ? ORDER BY id", [finding_id]))


def file(db, finding_id: int, file_id: int) -> dict | None:
    return next(db.query("SELECT * FROM finding_files WHERE finding_id = ? AND id = ?",
                         [finding_id, file_id]), None)
