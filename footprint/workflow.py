"""Who may do what to a submission, and what it becomes: the disclosure workflow's rules.

    draft -> submitted -> verified (third-party body) -> approved (platform reviewer)
       ^         |             |                             |
       +-- returned with reasons <-------------------------- +

Separation of duties: only the producer's own organisation submits; only the accounting body
the submission is assigned to verifies it, and never its own organisation's products; a
platform reviewer approves, and never a submission they verified themselves. A regulator reads
every submission and takes none of these actions (footprint.supervision: it records findings
instead). Pure rules, no
storage: footprint.usecases applies them inside a transaction with an audit event.
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


def can_see(user: dict, submission: dict) -> bool:
    role = user["role"]
    if role in READ_ALL:
        return True
    if role == "producer":
        return submission["org_id"] == user["org_id"]
    if role == "verifier":
        return submission["verifier_org_id"] == user["org_id"]
    if role == "reviewer":
        return submission["status"] != "draft"
    return False


def check_visible(user: dict, submission: dict | None) -> dict:
    if submission is None or not can_see(user, submission):
        raise NotFound(Message("no such submission"))
    return submission


def takes_part(user: dict) -> bool:
    """Whether ``user`` may take part in a submission at all (comment, act): everyone who
    sees one but a regulator, who reads submissions only."""
    return user["role"] != "regulator"


def check_not_read_only(user: dict) -> None:
    """A regulator reads submissions and takes no part in them (not even a comment)."""
    if not takes_part(user):
        raise Forbidden(Message("a regulator reads submissions and takes no part in them"))


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
