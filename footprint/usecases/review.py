"""Comments and evidence files on a submission, on the whole of it or on one of its BOM lines.

Anyone who may see a submission may comment on it; only its producer attaches evidence, and
only while the submission may be edited. A line named must be one of the BOM's own lines.
Comments and file names are text others read (footprint.text): NFC, no invisible controls (a
file name with U+202E can pass "invoice<U+202E>fdp.exe" for a PDF).
"""
from __future__ import annotations

import hashlib

from .. import text
from ..errors import InvalidInput, Message, NotFound, Problem
from ..store import review as stored
from ..store.db import transaction
from ..store.submissions import Submission
from ..workflow import check_edit, check_not_read_only
from .submissions import ensure_visible, get

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/csv", "text/plain",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
MAX_COMMENT = 4000


def line_problems(submission: Submission, line: int | str | None) -> list[Problem]:
    """A comment or evidence file may concern one of the BOM's own lines (1..N), or none;
    ``line`` may be the text of a form field."""
    lines = len(submission["bom"].get("lines") or [])
    if isinstance(line, str):
        line = int(line) if line.isdigit() else 0  # not a number: no line of the BOM
    if line is not None and not 1 <= line <= lines:
        return [Problem("line", Message("a line between 1 and %(lines)s", lines=lines)
                        if lines else Message("this BOM has no lines of its own; attach to "
                                              "the submission"))]
    return []


def comment(db, user: dict, submission_id: int, body: str, line: int | None = None) -> None:
    submission = get(db, user, submission_id)
    check_not_read_only(user, submission)
    problems = []
    # located at the comment, as the page's field is labelled (not the API's "body")
    body = text.checked((body or "").strip(), "comment", problems, lines=True)
    if not body or len(body) > MAX_COMMENT:
        problems.append(Problem("comment", Message("a comment of 1 to %(max)s characters",
                                                max=MAX_COMMENT)))
    problems += line_problems(submission, line)
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        stored.insert_comment(db, submission["id"], user["id"], body, line)


def comments(db, user: dict, submission_id: int) -> list[dict]:
    ensure_visible(db, user, submission_id)
    return stored.comments(db, submission_id)


def add_evidence(db, user: dict, submission_id: int, filename: str, content_type: str,
                 content: bytes, line: int | None = None) -> int:
    submission = get(db, user, submission_id)
    check_edit(user, submission)
    problems = line_problems(submission, line)
    filename = text.checked(filename or "", "file", problems)
    if len(content) > MAX_EVIDENCE_BYTES:
        problems.append(Problem("file", Message("at most %(mb)s MB",
                                                mb=MAX_EVIDENCE_BYTES // (1024 * 1024))))
    if not content:
        problems.append(Problem("file", Message("the file is empty")))
    if content_type not in EVIDENCE_TYPES:
        problems.append(Problem("file", Message('type "%(type)s" not accepted: PDF, PNG, '
                                                "JPEG, CSV, text or XLSX",
                                                type=content_type)))
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        return stored.insert_evidence(db, submission_id, line, filename[:200], content_type,
                                      content, hashlib.sha256(content).hexdigest(), user["id"])


def evidence_list(db, user: dict, submission_id: int) -> list[dict]:
    ensure_visible(db, user, submission_id)
    return stored.evidence_list(db, submission_id)


def evidence_file(db, user: dict, submission_id: int, evidence_id: int) -> dict:
    ensure_visible(db, user, submission_id)
    found = stored.evidence_file(db, submission_id, evidence_id)
    if found is None:
        raise NotFound(Message("no such evidence"))
    return found
