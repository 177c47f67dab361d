"""The ``comments`` and ``evidence`` tables: what verifiers, reviewers and producers attach to
a submission, to the whole of it or to one of its BOM lines."""
from __future__ import annotations

from .. import clock


def insert_comment(db, submission_id: int, user_id: int, body: str, line: int | None) -> None:
    db["comments"].insert({"submission_id": submission_id, "user_id": user_id, "line": line,
                           "body": body, "created_at": clock.stamp()})


def comments(db, submission_id: int) -> list[dict]:
    """Every comment with its author's name and role, oldest first."""
    return list(db.query(
        "SELECT c.*, u.display_name, u.role FROM comments c JOIN users u ON u.id = c.user_id "
        "WHERE c.submission_id = ? ORDER BY c.id", [submission_id]))


def insert_evidence(db, submission_id: int, line: int | None, filename: str, content_type: str,
                    content: bytes, sha256: str, uploaded_by: int) -> int:
    return db["evidence"].insert({
        "submission_id": submission_id, "line": line, "filename": filename,
        "content_type": content_type, "size": len(content), "sha256": sha256,
        "content": content, "uploaded_by": uploaded_by, "created_at": clock.stamp()}).last_pk


def evidence_list(db, submission_id: int) -> list[dict]:
    """The files of a submission without their content."""
    return list(db.query("SELECT id, line, filename, content_type, size, sha256, created_at "
                         "FROM evidence WHERE submission_id = ? ORDER BY id", [submission_id]))


def evidence_file(db, submission_id: int, evidence_id: int) -> dict | None:
    return next(db.query("SELECT * FROM evidence WHERE id = ? AND submission_id = ?",
                         [evidence_id, submission_id]), None)
