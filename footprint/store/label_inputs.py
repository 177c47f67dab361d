"""The suppliers' labels each revision of a submission used (table label_inputs)."""
from __future__ import annotations


def record(db, submission_id: int, revision: int, rows) -> None:
    """``rows``: (top-level line, label id, issuer, own) of one revision's BOM."""
    db.execute("DELETE FROM label_inputs WHERE submission_id = ? AND revision = ?",
               [submission_id, revision])
    for line, label_id, issuer, own in rows:
        db.execute("INSERT INTO label_inputs (submission_id, revision, line, label_id, "
                   "issuer, own) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   [submission_id, revision, line, label_id, issuer, int(own)])


def of_submission(db, submission_id: int, revision: int) -> list[dict]:
    return list(db.query("SELECT line, label_id, issuer, own FROM label_inputs WHERE "
                         "submission_id = ? AND revision = ? ORDER BY line, label_id",
                         [submission_id, revision]))


def own_dependents(db) -> list[dict]:
    """(submission_id, revision, label_id) of every submission's current revision that uses
    one of this platform's labels."""
    return list(db.query(
        "SELECT i.submission_id, i.revision, i.label_id FROM label_inputs i "
        "JOIN submissions s ON s.id = i.submission_id AND s.revision = i.revision "
        "WHERE i.own = 1 ORDER BY i.submission_id, i.line"))
