"""The workflow actions on a submission: submit, verify, approve (which issues the label) and
return, each checked against footprint.workflow's rules and applied in one transaction with
its audit event.

Only an accounting body qualified for the submission's category on the day is assigned it (on
submission) or verifies it (footprint.usecases.qualifications); otherwise the action is bad
input located at ``verifier_org`` and nothing changes.

A verification is the accounting body's statement that it checked the data: the verifier
confirms every item of VERIFY_CHECKLIST, or nothing is verified (the pages, the API and any
other caller alike). The audit event "verify" therefore means that all of them were confirmed.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..errors import InvalidInput, Message, Problem, Word
from ..text import checked
from ..store import accounts as store_accounts
from ..store import audit, results
from ..store import submissions as stored
from ..store.db import transaction
from ..store.submissions import Submission
from ..workflow import MAX_REASON, check_action
from .issuing import Issuer, issue
from .organisations import find_organisation
from .qualifications import check_qualified
from .submissions import get

# What an accounting body confirms before it verifies: item -> what the item says.
VERIFY_CHECKLIST = {
    "activity_data": Message("the activity data (amounts, parameters) match the evidence"),
    "factors": Message("the emission factors suit the inputs, region and year"),
    "boundary": Message("the system boundary is complete: no input or stage is left out"),
}


def act(db, user: dict, submission_id: int, action_name: str, reason: str | None = None,
        verifier_org: str | int | None = None, issuer: Issuer | None = None,
        checklist: Iterable[str] = ()) -> Submission:
    """Apply a workflow action (submit, verify, approve, return) with its audit event.

    A verification needs ``checklist`` to hold every item of VERIFY_CHECKLIST; a reason
    (a return's, or a verification's or approval's note) has at most MAX_REASON characters,
    whoever sends it (a page, the API, the CLI). With
    ``issuer``, an approval issues the carbon label in the same transaction (from the
    revision's latest result) and the submission becomes "issued"; without it an approval
    stops at "approved"."""
    # an approval that issues a label is acknowledged only once it survives a power loss
    with transaction(db):
        submission = get(db, user, submission_id)
        action = check_action(user, submission, action_name)
        problems: list[Problem] = []
        # read by others on the submission's page: footprint.text's rule
        reason = checked((reason or "").strip(), "reason", problems, lines=True) or None
        if action.needs_reason and not reason:
            problems.append(Problem("reason", Message("say why you %(action)s it",
                                                      action=Word("event", action.name))))
        elif reason and len(reason) > MAX_REASON:
            problems.append(Problem("reason", Message(
                "at most %(max)s characters; this one has %(count)s", max=MAX_REASON,
                count=len(reason))))
        problems += checklist_problems(action.name, checklist)
        if problems:
            raise InvalidInput(problems)
        changes = {"status": action.to_status}
        # only a body qualified for the category today is assigned a submission or verifies
        if action.name == "submit":
            changes["verifier_org_id"] = _verifier_org(db, verifier_org,
                                                       submission["verifier_org_id"])
            changes["verified_by"] = None
            check_qualified(db, changes["verifier_org_id"], _category(db, submission))
            # a producer may send it to another body; those that decided on it keep it in
            # their lists of what they handled (and read it: footprint.workflow)
            stored.record_former_bodies(db, submission_id, [
                body for body in audit.deciding_bodies(db, submission_id)
                if body != changes["verifier_org_id"]])
        elif action.name == "verify":
            check_qualified(db, user["org_id"], _category(db, submission))
            changes["verified_by"] = user["id"]
        elif action.name == "approve":
            changes["approved_by"] = user["id"]
        stored.update(db, submission_id, **changes)
        audit.record(db, submission_id, user["id"], action.name, submission["status"],
                     action.to_status, reason)
        if action.name == "approve" and issuer is not None:
            approved = stored.get(db, submission_id)
            label = issue(db, issuer, approved, user,
                          results.latest(db, submission_id, approved["revision"]))
            stored.set_status(db, submission_id, "issued")
            audit.record(db, submission_id, user["id"], "issue", "approved", "issued",
                         f"label {label['id']}")
    return get(db, user, submission_id)


def _category(db, submission: Submission) -> str:
    return stored.get_product(db, submission["product_id"])["category"]


def checklist_problems(action_name: str, checklist: Iterable[str]) -> list[Problem]:
    """What is wrong with the checklist given for an action: for a verification, each item
    not confirmed and each unknown one; for any other action, having one at all."""
    given = list(checklist or ())
    if action_name != "verify":
        return [Problem("checklist", Message("only a verification has a checklist"))] \
            if given else []
    problems = [Problem(f"checklist[{i}]", Message(
                    'no checklist item "%(item)s"; the items are %(items)s', item=item,
                    items=", ".join(VERIFY_CHECKLIST)))
                for i, item in enumerate(given) if item not in VERIFY_CHECKLIST]
    problems += [Problem(f"checklist.{item}", Message("confirm before verifying that %(item)s",
                                                      item=text))
                 for item, text in VERIFY_CHECKLIST.items() if item not in given]
    return problems


def _verifier_org(db, requested, current) -> int:
    """The accounting body a submission goes to: the one named, else the one that returned
    it, else the platform's only one."""
    bodies = store_accounts.organisations(db, kind="accounting_body")
    if requested is not None:
        return find_organisation(db, requested, "verifier_org", kind="accounting_body")["id"]
    if current is not None:
        return current  # a resubmission goes back to the body that returned it
    if len(bodies) == 1:
        return bodies[0]["id"]
    raise InvalidInput([Problem("verifier_org", Message(
        "name the accounting body to verify this submission: one of %(names)s",
        names=[b["name"] for b in bodies]) if bodies else
        Message("no accounting body is registered yet"))])
