"""Who may do what to a submission, and what it becomes: the disclosure workflow's rules.

    draft -> submitted -> verified (third-party body) -> approved (platform reviewer)
       ^         |             |                             |
       +-- returned with reasons <-------------------------- +

Separation of duties: only the producer's own organisation submits; only the accounting body
the submission is assigned to verifies it, and never its own organisation's products; a
platform reviewer approves, and never a submission they verified themselves. A regulator reads
every submission and takes none of these actions (footprint.supervision: it records findings
instead). A producer may send a returned submission to another accounting body; the body
that verified or returned it keeps reading it (what it decided, the audit trail), and takes
no further part. Pure rules, no storage: footprint.usecases applies them inside a
transaction with an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import Conflict, Forbidden, Message, NotFound, Word

ROLES = ("producer", "verifier", "reviewer", "admin", "bank", "regulator")
ORG_KINDS = ("enterprise", "accounting_body", "platform", "bank", "regulator")
ROLE_ORG_KIND = {"producer": "enterprise", "verifier": "accounting_body",
                 "reviewer": "platform", "admin": "platform", "bank": "bank",
                 "regulator": "regulator"}
STATUSES = ("draft", "submitted", "verified", "approved", "returned",
            "issued", "superseded", "revoked", "expired")
EDITABLE = ("draft", "returned")
# reviewers and administrators revoke labels
REVOKERS = ("reviewer", "admin")
# who reads every submission, drafts included: administrators, and regulators (read only)
READ_ALL = ("admin", "regulator")
# The characters of a reason or note recorded with an action (the pages' forms, the API's
# schemas and the use case hold every caller to it): read whole by the producer and on the
# submission's page, so bounded.
MAX_REASON = 4000
# What an accounting body decides on a submission. A body whose users made one keeps reading
# the submission (what it decided, the audit trail) after the producer sends it elsewhere.
BODY_DECISIONS = ("verify", "return")
# What the platform's reviewers decide on a submission its accounting body verified (the
# status PLATFORM_DECIDES_ON): the reviewer's page lists these, newest first.
PLATFORM_DECISIONS = ("approve", "return")
PLATFORM_DECIDES_ON = "verified"


@dataclass(frozen=True)
class Action:
    name: str
    from_statuses: tuple[str, ...]
    to_status: str
    needs_reason: bool = False


ACTIONS = {
    "submit": Action("submit", EDITABLE, "submitted"),
    "verify": Action("verify", ("submitted",), "verified"),
    "approve": Action("approve", ("verified",), "approved"),
    "return": Action("return", ("submitted", "verified"), "returned", needs_reason=True),
}


def assigned_to(user: dict, submission: dict) -> bool:
    """Whether ``user`` is of the accounting body the submission is assigned to now."""
    return user["role"] == "verifier" and submission["verifier_org_id"] == user["org_id"]


def decided_on(user: dict, submission: dict) -> bool:
    """Whether ``user``'s accounting body made one of BODY_DECISIONS on the submission, as
    its ``deciding_bodies`` say (the audit trail's, which the use cases read for a body the
    submission is not assigned to)."""
    return user["role"] == "verifier" and \
        user["org_id"] in submission.get("deciding_bodies", ())


def sent_away_from(user: dict, submission: dict) -> bool:
    """Whether ``user``'s accounting body reads the submission only because it decided on it
    before the producer sent it to another body (it takes no further part)."""
    return user["role"] == "verifier" and not assigned_to(user, submission)


def can_see(user: dict, submission: dict) -> bool:
    role = user["role"]
    if role in READ_ALL:
        return True
    if role == "producer":
        return submission["org_id"] == user["org_id"]
    if role == "verifier":
        return assigned_to(user, submission) or decided_on(user, submission)
    if role == "reviewer":
        return submission["status"] != "draft"
    return False


def check_visible(user: dict, submission: dict | None) -> dict:
    if submission is None or not can_see(user, submission):
        raise NotFound(Message("no such submission"))
    return submission


def takes_part(user: dict, submission: dict) -> bool:
    """Whether ``user`` may take part in a submission they see (comment, act): everyone but
    a regulator, who reads submissions only, and an accounting body the submission was sent
    away from, which reads what it decided."""
    if user["role"] == "verifier":
        return assigned_to(user, submission)
    return user["role"] != "regulator"


def check_not_read_only(user: dict, submission: dict) -> None:
    """A regulator, or a body the submission went away from, takes no part (no comment)."""
    if user["role"] == "regulator":
        raise Forbidden(Message("a regulator reads submissions and takes no part in them"))
    if not takes_part(user, submission):
        raise Forbidden(Message("this submission was sent to another accounting body; "
                                "yours reads what it decided"))


def check_edit(user: dict, submission: dict) -> None:
    """Changing the BOM or its evidence: the producer's organisation, before submission."""
    check_visible(user, submission)
    if user["role"] != "producer" or user["org_id"] != submission["org_id"]:
        raise Forbidden(Message("only the producing organisation edits its submission"))
    if submission["status"] not in EDITABLE:
        raise Conflict(Message("a %(status)s submission cannot be changed; it must be "
                               "returned first", status=Word("status", submission["status"])))


def check_action(user: dict, submission: dict, action_name: str) -> Action:
    """The action if ``user`` may apply it to ``submission`` now; raises otherwise."""
    check_visible(user, submission)
    action = ACTIONS.get(action_name)
    if action is None:
        raise NotFound(Message("no action %(action)s", action=repr(action_name)))
    _check_duty(user, submission, action)
    if submission["status"] not in action.from_statuses:
        raise Conflict(Message("cannot %(action)s a %(status)s submission (only from "
                               "%(statuses)s)", action=Word("event", action.name),
                               status=Word("status", submission["status"]),
                               statuses=[Word("status", s) for s in action.from_statuses]))
    return action


def _check_duty(user: dict, submission: dict, action: Action) -> None:
    role, org = user["role"], user["org_id"]
    own_product = org == submission["org_id"]
    if action.name == "submit":
        if role != "producer" or not own_product:
            raise Forbidden(Message("only the producing organisation submits"))
    elif action.name == "verify" or (action.name == "return" and
                                     submission["status"] == "submitted"):
        if role != "verifier" or org != submission["verifier_org_id"]:
            raise Forbidden(Message("only the accounting body assigned to this submission "
                                    "verifies it"))
        if own_product:
            raise Forbidden(Message("an accounting body cannot verify its own organisation's "
                                    "products"))
    elif action.name in ("approve", "return"):
        if role != "reviewer":
            raise Forbidden(Message("only a platform reviewer approves or returns a verified "
                                    "submission"))
        if user["id"] == submission["verified_by"]:
            raise Forbidden(Message("the verifier of a submission cannot approve it"))
        if own_product:
            raise Forbidden(Message("a reviewer cannot approve their own organisation's "
                                    "products"))


def may_revoke(user: dict) -> bool:
    """Whether ``user`` may revoke labels: platform reviewers and administrators."""
    return user["role"] in REVOKERS


def check_revoke(user: dict) -> None:
    if not may_revoke(user):
        raise Forbidden(Message("only a platform reviewer or an administrator revokes labels"))


def allowed_actions(user: dict, submission: dict) -> list[str]:
    """The actions ``user`` may apply to ``submission`` now (what a page offers)."""
    allowed = []
    for name in ACTIONS:
        try:
            check_action(user, submission, name)
        except (Forbidden, Conflict, NotFound):
            continue
        allowed.append(name)
    return allowed


def may_edit(user: dict, submission: dict) -> bool:
    try:
        check_edit(user, submission)
    except (Forbidden, Conflict, NotFound):
        return False
    return True
