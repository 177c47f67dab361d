"""Credit supervision: regulators' findings about firms and accounting bodies, through the
workflow of footprint.supervision, every step an audited event (supervision_events).

A finding made final is a signed document (sign_document("finding", ...), with the platform's
label key) whose SHA-256 is a ``record`` leaf of the transparency log, so anyone holding the
document can prove it was published and not changed since; a correction of a final finding is
signed and logged the same way, so the log shows it was withdrawn. A final finding of
falsified data revokes the labels it names through footprint.usecases.revoking (each a revoke
leaf with the finding as the public reason). Only final public findings are published
(public_findings: the exposure page, GET /api/v1/findings, an organisation's registry page).
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from .. import clock
from ..errors import Conflict, InvalidInput, Message, NotFound, Problem, Word
from ..labels import KeyStoreError, current_key
from ..labels.documents import sign_document
from ..store import accounts as store_accounts
from ..store import findings as stored
from ..store import submissions as store_submissions
from ..store import supervision_events as events
from ..store.db import transaction
from ..supervision import (READERS, REVOKING_TYPE, SEVERITIES, SUBJECT_KINDS, TYPES,
                           check_record, check_step, check_visible, sees_inside)
from ..text import checked
from ..translog import TransparencyLog
from ..translog.entries import record_entry
from .issuing import Issuer
from .labels import find as find_label
from .revoking import revoke_on_finding

MAX_SUMMARY = 500
MAX_EVIDENCE = 20_000
MAX_TEXT = 5_000
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
VOCABULARY_OF = {"type": "finding_type", "severity": "severity"}  # a field's Words


def _subject(db, subject, problems: list[Problem]) -> dict | None:
    """The firm or accounting body named by its name or number."""
    if not str(subject or "").strip():
        problems.append(Problem("subject", Message("name an enterprise or accounting body")))
        return None
    for kind in SUBJECT_KINDS:
        for org in store_accounts.organisations(db, kind=kind):
            if str(subject).strip() in (str(org["id"]), org["name"]):
                return org
    problems.append(Problem("subject", Message(
        'no enterprise or accounting body "%(name)s"', name=str(subject))))
    return None


def _choice(value, words: tuple[str, ...], where: str, problems: list[Problem]) -> str:
    """``value`` if it is one of ``words``, the codes of the vocabulary named ``where``
    (finding_type's for "type", severity's), which a message says by their names."""
    if value not in words:
        named = [Word(VOCABULARY_OF[where], w) for w in words]
        problems.append(Problem(where, Message("choose one of %(words)s", words=named)
                                if not str(value or "").strip() else
                                Message('"%(value)s" is not one of %(words)s',
                                        value=str(value), words=named)))
    return value


def _text(value, where: str, most: int, problems: list[Problem]) -> str:
    text = checked((value or "").strip(), where, problems, lines=True) or ""
    if not text or len(text) > most:
        problems.append(Problem(where, Message("1 to %(max)s characters", max=most)))
    return text


def _labels(db, label_ids: Iterable[str], subject: dict | None,
            problems: list[Problem]) -> list[str]:
    """The labels a finding names: each issued here, for a product of the subject firm or
    verified by the subject body."""
    names = list(dict.fromkeys(str(i).strip() for i in label_ids or () if str(i).strip()))
    for i, label_id in enumerate(names):
        label = find_label(db, label_id)
        if label is None:
            problems.append(Problem(f"labels[{i}]", Message('no label "%(id)s"', id=label_id)))
        elif subject is not None and subject["id"] not in _parties(db, label):
            problems.append(Problem(f"labels[{i}]", Message(
                "label %(id)s is not of a product of %(name)s nor verified by it",
                id=label_id, name=subject["name"])))
    return names


def _parties(db, label) -> tuple:
    """The organisations a label concerns: its producer and its accounting body."""
    submission = store_submissions.get(db, label["submission_id"])
    return (submission["org_id"], submission["verifier_org_id"])


def _files(files, problems: list[Problem]) -> list[tuple[str, str, bytes]]:
    files = list(files or ())
    if len(files) > MAX_FILES:
        problems.append(Problem("files", Message("at most %(max)s files", max=MAX_FILES)))
    for i, (filename, _media_type, content) in enumerate(files):
        if not filename or not content or len(content) > MAX_FILE_BYTES:
            problems.append(Problem(f"files[{i}]", Message(
                "a file of 1 byte to %(max)s MB", max=MAX_FILE_BYTES // (1024 * 1024))))
    return files


def record(db, user: dict, subject, type_: str, severity: str, summary: str, evidence: str,
           public: bool, labels: Iterable[str] = (), files=()) -> dict:
    """A regulator's draft finding about ``subject`` (an enterprise or an accounting body,
    by name or number), naming ``labels`` (ids) and with evidence ``files`` ((filename,
    media type, bytes) each). Bad input: InvalidInput, nothing stored."""
    check_record(user)
    problems: list[Problem] = []
    org = _subject(db, subject, problems)
    _choice(type_, TYPES, "type", problems)
    _choice(severity, SEVERITIES, "severity", problems)
    summary = _text(summary, "summary", MAX_SUMMARY, problems)
    evidence = _text(evidence, "evidence", MAX_EVIDENCE, problems)
    names = _labels(db, labels, org, problems)
    files = _files(files, problems)
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        finding_id = stored.insert(db, org["id"], type_, severity, summary, evidence,
                                   bool(public), names, user["id"])
        for filename, media_type, content in files:
            stored.add_file(db, finding_id, filename, media_type or
                            "application/octet-stream", content, user["id"])
        events.record(db, user["id"], "create", None, "draft", finding_id=finding_id)
    return stored.get(db, finding_id)


# -- reading -----------------------------------------------------------------------------------

def get(db, user: dict | None, finding_id: int) -> dict:
    """The finding if ``user`` (None: the public) may see it; NotFound otherwise."""
    return check_visible(user, stored.get(db, finding_id))


def visible(db, user: dict) -> list[dict]:
    """The findings ``user`` works with: every one for a regulator or an administrator, the
    notified, final and corrected ones about one's own organisation otherwise."""
    if user["role"] in READERS:
        return stored.listed(db)
    return stored.listed(db, subject_org_id=user["org_id"], not_draft=True)


def trail(db, user: dict, finding_id: int) -> list[dict]:
    """The finding's events, for its parties (NotFound for anyone else)."""
    if not sees_inside(user, get(db, user, finding_id)):
        raise NotFound(Message("no such finding"))
    return events.trail(db, finding_id=finding_id)


def files(db, user: dict, finding_id: int) -> list[dict]:
    if not sees_inside(user, get(db, user, finding_id)):
        raise NotFound(Message("no such finding"))
    return stored.files(db, finding_id)


def subjects(db) -> list[dict]:
    """The organisations a finding may concern: enterprises and accounting bodies."""
    return [org for kind in SUBJECT_KINDS for org in store_accounts.organisations(db, kind)]


def evidence_file(db, user: dict, finding_id: int, file_id: int) -> dict:
    """An evidence file, for the finding's parties only (not the public)."""
    finding = get(db, user, finding_id)
    row = stored.file(db, finding["id"], file_id) if sees_inside(user, finding) else None
    if row is None:
        raise NotFound(Message("no such evidence file"))
    return row


def _published(finding: dict) -> dict:
    """What the public reads of a final public finding (never the evidence or the
    exchange with the subject)."""
    return {
        "id": finding["id"],
        "subject": {"id": finding["subject_org_id"], "name": finding["subject_name"],
                    "kind": finding["subject_kind"],
                    "credit_code": finding["subject_credit_code"],
                    "region": finding["subject_region"]},
        "type": finding["type"], "severity": finding["severity"],
        "summary": finding["summary"], "labels": finding["labels"],
        "final_at": finding["final_at"], "log_index": finding["log_index"],
        "document": base64.urlsafe_b64encode(finding["document"]).decode("ascii")
        .rstrip("="),
    }


def public_findings(db, org_id: int | None = None) -> list[dict]:
    """Final public findings, newest first: every one, or those about organisation
    ``org_id`` (its registry page)."""
    return [_published(f) for f in stored.listed(db, subject_org_id=org_id, public_only=True)]


# -- the workflow ------------------------------------------------------------------------------

REVOCATION_REASON = ("监管认定数据造假（认定 %(id)s）。 Supervision finding %(id)s: falsified "
                     "data.")


def _document(db, finding: dict, state: str, at: str, issuer: Issuer) -> bytes:
    """The signed statement of ``finding`` in ``state``."""
    body = {
        "finding": finding["id"], "state": state,
        "subject": {"name": finding["subject_name"], "kind": finding["subject_kind"],
                    "credit_code": finding["subject_credit_code"]},
        "finding_type": finding["type"], "severity": finding["severity"],
        "summary": finding["summary"], "public": finding["public"],
        "labels": finding["labels"], "decided_at": at,
        # the evidence is not published, but the document fixes it
        "evidence_sha256": hashlib.sha256(finding["evidence"].encode("utf-8")).hexdigest(),
        "files_sha256": [f["sha256"] for f in stored.files(db, finding["id"])],
    }
    try:
        return sign_document("finding", body, current_key(issuer.home, issuer.issuer_id))
    except KeyStoreError as exc:
        raise Conflict(Message("the finding cannot be signed, so nothing changed: %(why)s",
                               why=exc.message)) from None


def _sign_and_log(db, finding: dict, state: str, at: str, issuer: Issuer | None) -> dict:
    if issuer is None:
        raise Conflict(Message("the finding cannot be signed, so nothing changed: %(why)s",
                               why="no issuer"))
    document = _document(db, finding, state, at, issuer)
    index = TransparencyLog(db).append("record", None, record_entry(
        "finding", str(finding["id"]), document, at))
    return {"document": document, "log_index": index}


def _amendments(finding: dict, amend: dict | None, problems: list[Problem]) -> dict:
    """What a correction changes: type, severity, summary, public."""
    changes = {}
    for key, value in (amend or {}).items():
        if value in (None, "") or value == finding.get(key):
            continue
        if key == "type":
            changes[key] = _choice(value, TYPES, "type", problems)
        elif key == "severity":
            changes[key] = _choice(value, SEVERITIES, "severity", problems)
        elif key == "summary":
            changes[key] = _text(value, "summary", MAX_SUMMARY, problems)
        elif key == "public":
            changes[key] = bool(value)
        else:
            problems.append(Problem(key, Message("a correction amends type, severity, "
                                                 "summary or public")))
    return changes


def act(db, user: dict, finding_id: int, step_name: str, text: str | None = None,
        issuer: Issuer | None = None, amend: dict | None = None) -> dict:
    """Take a step of the finding's workflow (notify, respond, appeal, finalise, correct)
    with its audited event; a refused step changes nothing. ``text``: the response, the
    appeal, the reasons for a correction (or a note on any step). ``issuer`` signs a final
    (or corrected final) finding. ``amend``: what a correction changes."""
    with transaction(db):
        finding = get(db, user, finding_id)
        step = check_step(user, finding, step_name)
        problems: list[Problem] = []
        text = checked((text or "").strip(), "text", problems, lines=True) or None
        if step.needs_text and not text:
            problems.append(Problem("text", Message(
                "a response, an appeal or a correction needs its text")))
        if text and len(text) > MAX_TEXT:
            problems.append(Problem("text", Message("1 to %(max)s characters", max=MAX_TEXT)))
        changes = _amendments(finding, amend, problems) if step.name == "correct" else {}
        if problems:
            raise InvalidInput(problems)
        at = clock.stamp()
        changes["state"] = step.to_state
        if step.name == "respond":
            changes["response"] = text
        elif step.name == "appeal":
            changes["appeal"] = text
        elif step.name == "finalise":
            changes["final_at"] = at
        stored.update(db, finding_id, **changes)
        events.record(db, user["id"], step.name, finding["state"], step.to_state, text,
                      finding_id=finding_id, at=at)
        after = stored.get(db, finding_id)
        if step.name == "finalise" or (step.name == "correct" and finding["state"] == "final"):
            stored.update(db, finding_id, **_sign_and_log(db, after, step.to_state, at,
                                                          issuer))
        if step.name == "finalise" and after["type"] == REVOKING_TYPE:
            _revoke_named(db, after, user)
    return get(db, user, finding_id)


def _revoke_named(db, finding: dict, user: dict) -> None:
    """Revoke the labels a final finding of falsified data names (those not revoked yet)."""
    reason = REVOCATION_REASON % {"id": finding["id"]}
    for label_id in finding["labels"]:
        label = find_label(db, label_id)
        if label is not None and not label["revoked_at"]:
            revoke_on_finding(db, finding, user["id"], label_id, reason)

