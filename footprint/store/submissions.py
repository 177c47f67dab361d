"""Products, submissions, results, comments, evidence and the audit trail.

Every function takes the acting ``user`` and checks the workflow rules (footprint.workflow)
before touching anything; bad input raises before any write, so nothing half-done is stored.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..bom import Bom, parse_bom
from ..errors import Forbidden, InvalidInput, NotFound, Problem
from ..workflow import check_action, check_edit, check_visible
from ..recalc.keyed import keyed_bom
from . import footprints
from .db import transaction
from .migrations import now

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/csv", "text/plain",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class StoredProducts:
    """Sub-assemblies inside the service: ``product:<n>`` is product n of the same
    organisation, ``product:<id>`` the product whose BOM declares that product.id; either way
    its latest submission's BOM is used."""

    def __init__(self, db, org_id: int):
        self.db, self.org_id = db, org_id

    def __call__(self, ref: str, parent: Bom) -> Bom:
        if ref.isdigit():
            rows = self.db.query(
                "SELECT bom_json FROM submissions WHERE org_id = ? AND product_id = ? "
                "ORDER BY id DESC LIMIT 1", [self.org_id, int(ref)])
        else:
            rows = self.db.query(
                "SELECT bom_json FROM submissions WHERE org_id = ? "
                "AND json_extract(bom_json, '$.product.id') = ? ORDER BY id DESC LIMIT 1",
                [self.org_id, ref])
        for row in rows:
            return parse_bom(json.loads(row["bom_json"]), origin=f"product:{ref}")
        raise LookupError(f'no product "{ref}" in your organisation')


def calculate(db, engine, user: dict, bom_dict: dict, method: str | None = None):
    """(validated Bom, result) for a BOM given by ``user``; raises InvalidInput."""
    calculated = _calculated(db, engine, user, bom_dict, method)
    return calculated.bom, calculated.result


def _calculated(db, engine, user: dict, bom_dict: dict,
                method: str | None = None) -> "Calculated":
    resolved = engine.resolve(parse_bom(bom_dict), StoredProducts(db, user["org_id"]))
    return Calculated(resolved, engine.calculate_resolved(resolved, method), engine.registry)


@dataclass(frozen=True)
class Calculated:
    resolved: object  # footprint.engine.resolve.ResolvedBom
    result: dict
    registry: object

    @property
    def bom(self) -> Bom:
        return self.resolved.bom


def _audit(db, submission_id, user, action, from_status, to_status, reason=None) -> None:
    db["audit_events"].insert({"submission_id": submission_id, "actor_id": user["id"],
                               "action": action, "from_status": from_status,
                               "to_status": to_status, "reason": reason, "at": now()})


def store_result(db, submission_id: int, revision: int, result: dict, region: str,
                 run_id: int | None = None) -> None:
    """A full result of a revision, which also becomes the submission's current footprint."""
    db["results"].insert({
        "submission_id": submission_id, "revision": revision,
        "total_kg_co2e": result["total_kg_co2e"], "method": result["method"]["id"],
        "data_version": result["data_version"],
        "data_version_name": result.get("data_version_name"),
        "reproducibility_hash": result["reproducibility_hash"],
        "result_json": json.dumps(result, ensure_ascii=False), "created_at": now()})
    footprints.store_footprint(db, submission_id, revision, region, result, run_id)


def _store_calculated(db, submission_id: int, revision: int, calculated: Calculated) -> None:
    """The result, the data version it used, and the rows a recalculation will reuse."""
    store_result(db, submission_id, revision, calculated.result, calculated.bom.region)
    footprints.record_data_version(db, calculated.registry)
    footprints.store_compiled(db, [(submission_id, revision,
                                    calculated.registry.resolution_fingerprint,
                                    keyed_bom(calculated.resolved))])


def create_submission(db, engine, user: dict, bom_dict: dict,
                      idempotency_key: str | None = None) -> tuple[dict, bool]:
    """A new draft with its calculated result; (submission, created). The same
    idempotency key from the same user returns the first submission instead of a second."""
    if user["role"] != "producer":
        raise Forbidden("only producers create submissions")
    if idempotency_key:
        existing = _by_idempotency_key(db, user, idempotency_key)
        if existing:
            return existing, False
    calculated = _calculated(db, engine, user, bom_dict)
    bom = calculated.bom
    stamp = now()
    with transaction(db):
        if idempotency_key and _by_idempotency_key(db, user, idempotency_key):
            return _by_idempotency_key(db, user, idempotency_key), False
        product_id = _product_for(db, user, bom)
        submission_id = db["submissions"].insert({
            "product_id": product_id, "org_id": user["org_id"], "status": "draft",
            "bom_json": json.dumps(bom.canonical, ensure_ascii=False), "revision": 1,
            "created_by": user["id"], "idempotency_key": idempotency_key,
            "created_at": stamp, "updated_at": stamp}).last_pk
        _store_calculated(db, submission_id, 1, calculated)
        _audit(db, submission_id, user, "create", None, "draft")
    return get(db, user, submission_id), True


def _by_idempotency_key(db, user, key):
    for row in db.query("SELECT * FROM submissions WHERE created_by = ? AND idempotency_key = ?",
                        [user["id"], key]):
        return row
    return None


def _product_for(db, user: dict, bom: Bom) -> int:
    """The organisation's product of this name and category, created on first use."""
    product = bom.product
    for row in db.query("SELECT id FROM products WHERE org_id = ? AND name = ? AND category = ?",
                        [user["org_id"], product["name"], product["category"]]):
        return row["id"]
    return db["products"].insert({
        "org_id": user["org_id"], "name": product["name"], "name_zh": product.get("name_zh"),
        "category": product["category"], "gtin": product.get("gtin"),
        "created_at": now()}).last_pk


def get(db, user: dict, submission_id: int) -> dict:
    rows = list(db.query("SELECT * FROM submissions WHERE id = ?", [submission_id]))
    return check_visible(user, rows[0] if rows else None)


def visible(db, user: dict, statuses: tuple[str, ...] = ()) -> list[dict]:
    """The submissions ``user`` may see, newest first, optionally only in ``statuses``."""
    role, where, params = user["role"], [], []
    if role == "producer":
        where.append("s.org_id = ?"), params.append(user["org_id"])
    elif role == "verifier":
        where.append("s.verifier_org_id = ?"), params.append(user["org_id"])
    elif role == "reviewer":
        where.append("s.status != 'draft'")
    if statuses:
        where.append(f"s.status IN ({', '.join('?' for _ in statuses)})")
        params += list(statuses)
    sql = ("SELECT s.*, p.name AS product_name, p.name_zh AS product_name_zh, p.category, "
           "o.name AS org_name, r.total_kg_co2e FROM submissions s "
           "JOIN products p ON p.id = s.product_id JOIN organisations o ON o.id = s.org_id "
           "LEFT JOIN results r ON r.submission_id = s.id AND r.revision = s.revision")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return list(db.query(sql + " ORDER BY s.updated_at DESC, s.id DESC", params))


def latest_result(db, submission: dict) -> dict | None:
    """The newest full result of the submission's revision (a re-issued label's, if any)."""
    for row in db.query("SELECT result_json FROM results WHERE submission_id = ? AND revision = ? "
                        "ORDER BY id DESC LIMIT 1", [submission["id"], submission["revision"]]):
        return json.loads(row["result_json"])
    return None


def revise(db, engine, user: dict, submission_id: int, bom_dict: dict) -> dict:
    """Replace the BOM of a draft or returned submission and recalculate."""
    submission = get(db, user, submission_id)
    check_edit(user, submission)
    calculated = _calculated(db, engine, user, bom_dict)
    bom = calculated.bom
    with transaction(db):
        revision = submission["revision"] + 1
        db["submissions"].update(submission_id, {
            "bom_json": json.dumps(bom.canonical, ensure_ascii=False), "revision": revision,
            "product_id": _product_for(db, user, bom), "updated_at": now()})
        _store_calculated(db, submission_id, revision, calculated)
        _audit(db, submission_id, user, "revise", submission["status"], submission["status"],
               f"revision {revision}")
    return get(db, user, submission_id)


def act(db, user: dict, submission_id: int, action_name: str, reason: str | None = None,
        verifier_org: str | int | None = None, issue_label=None) -> dict:
    """Apply a workflow action (submit, verify, approve, return) with its audit event.

    ``issue_label`` (footprint.store.labels.LabelIssuer) turns an approval into an issued
    label in the same transaction; without it an approval stops at "approved"."""
    with transaction(db):
        submission = get(db, user, submission_id)
        action = check_action(user, submission, action_name)
        reason = (reason or "").strip() or None
        if action.needs_reason and not reason:
            raise InvalidInput([Problem("reason", f"say why you {action.name} it")])
        changes = {"status": action.to_status, "updated_at": now()}
        if action.name == "submit":
            changes["verifier_org_id"] = _verifier_org(db, verifier_org,
                                                       submission["verifier_org_id"])
            changes["verified_by"] = None
        elif action.name == "verify":
            changes["verified_by"] = user["id"]
        elif action.name == "approve":
            changes["approved_by"] = user["id"]
        db["submissions"].update(submission_id, changes)
        _audit(db, submission_id, user, action.name, submission["status"], action.to_status,
               reason)
        if action.name == "approve" and issue_label is not None:
            label = issue_label(db, get(db, user, submission_id), user)
            db["submissions"].update(submission_id, {"status": "issued"})
            _audit(db, submission_id, user, "issue", "approved", "issued", f"label {label['id']}")
    return get(db, user, submission_id)


def _verifier_org(db, requested, current) -> int:
    bodies = list(db.query("SELECT id, name FROM organisations WHERE kind = 'accounting_body'"))
    if requested is not None:
        for body in bodies:
            if str(requested) in (str(body["id"]), body["name"]):
                return body["id"]
        raise InvalidInput([Problem("verifier_org", f'no accounting body "{requested}"; one '
                                    f'of: {", ".join(b["name"] for b in bodies) or "none"}')])
    if current is not None:
        return current  # a resubmission goes back to the body that returned it
    if len(bodies) == 1:
        return bodies[0]["id"]
    raise InvalidInput([Problem("verifier_org", "name the accounting body to verify this "
                                f'submission: one of {", ".join(b["name"] for b in bodies)}'
                                if bodies else "no accounting body is registered yet")])


def _line_problems(submission: dict, line: int | None) -> list[Problem]:
    """A comment or evidence file may concern one of the BOM's own lines (1..N), or none."""
    lines = len(json.loads(submission["bom_json"]).get("lines", []))
    if line is not None and not 1 <= line <= lines:
        return [Problem("line", f"a line between 1 and {lines}" if lines else
                        "this BOM has no lines of its own; attach to the submission")]
    return []


def comment(db, user: dict, submission_id: int, body: str, line: int | None = None) -> None:
    submission = get(db, user, submission_id)
    body = (body or "").strip()
    problems = []
    if not body or len(body) > 4000:
        problems.append(Problem("body", "a comment of 1 to 4000 characters"))
    problems += _line_problems(submission, line)
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        db["comments"].insert({"submission_id": submission["id"], "user_id": user["id"],
                               "line": line, "body": body, "created_at": now()})


def add_evidence(db, user: dict, submission_id: int, filename: str, content_type: str,
                 content: bytes, line: int | None = None) -> int:
    submission = get(db, user, submission_id)
    check_edit(user, submission)
    problems = _line_problems(submission, line)
    if len(content) > MAX_EVIDENCE_BYTES:
        problems.append(Problem("file", f"at most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB"))
    if not content:
        problems.append(Problem("file", "the file is empty"))
    if content_type not in EVIDENCE_TYPES:
        problems.append(Problem("file", f'type "{content_type}" not accepted: PDF, PNG, JPEG, '
                                        "CSV, text or XLSX"))
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        return db["evidence"].insert({
            "submission_id": submission_id, "line": line, "filename": filename[:200],
            "content_type": content_type, "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(), "content": content,
            "uploaded_by": user["id"], "created_at": now()}).last_pk


def evidence_list(db, user: dict, submission_id: int) -> list[dict]:
    get(db, user, submission_id)
    return list(db.query("SELECT id, line, filename, content_type, size, sha256, created_at "
                         "FROM evidence WHERE submission_id = ? ORDER BY id", [submission_id]))


def evidence_file(db, user: dict, submission_id: int, evidence_id: int) -> dict:
    get(db, user, submission_id)
    for row in db.query("SELECT * FROM evidence WHERE id = ? AND submission_id = ?",
                        [evidence_id, submission_id]):
        return row
    raise NotFound("no such evidence")


def comments(db, user: dict, submission_id: int) -> list[dict]:
    get(db, user, submission_id)
    return list(db.query(
        "SELECT c.*, u.display_name, u.role FROM comments c JOIN users u ON u.id = c.user_id "
        "WHERE c.submission_id = ? ORDER BY c.id", [submission_id]))


def audit_trail(db, user: dict, submission_id: int) -> list[dict]:
    get(db, user, submission_id)
    return list(db.query(
        "SELECT a.*, u.display_name, u.role, o.name AS org_name FROM audit_events a "
        "LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN organisations o ON o.id = u.org_id "
        "WHERE a.submission_id = ? ORDER BY a.id", [submission_id]))
