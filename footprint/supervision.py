"""Credit supervision (信用监管): what a regulator's finding is and who may do what to it. Pure
rules, no storage: footprint.usecases.findings applies them with an audited event per step.

A finding concerns a firm or an accounting body. Its workflow:

    draft --notify--> notified --finalise--> final
                         |  respond, appeal (the subject; one appeal)
                         +--correct--> corrected      (amended with reasons; final too)

A regulator drafts, notifies, finalises and corrects; the subject's organisation sees a
finding once notified, responds, and may appeal once before it is final. Regulators and
administrators read every finding; anyone reads a final public one; nobody else sees a
finding at all (NotFound, as for any object one may not see).
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import Conflict, Forbidden, Message, NotFound

TYPES = ("falsified_data", "unqualified_verification", "misleading_claim", "other")
SEVERITIES = ("general", "serious", "severe")  # 一般, 较重, 严重
STATES = ("draft", "notified", "final", "corrected")
SUBJECT_KINDS = ("enterprise", "accounting_body")
SUPERVISORS = ("regulator",)
READERS = ("regulator", "admin")
# a final finding of this type revokes the labels it names
REVOKING_TYPE = "falsified_data"


@dataclass(frozen=True)
class Step:
    name: str
    from_states: tuple[str, ...]
    to_state: str
    by: str  # "regulator" or "subject"
    needs_text: bool = False


STEPS = {
    "notify": Step("notify", ("draft",), "notified", "regulator"),
    "respond": Step("respond", ("notified",), "notified", "subject", needs_text=True),
    "appeal": Step("appeal", ("notified",), "notified", "subject", needs_text=True),
    "finalise": Step("finalise", ("notified",), "final", "regulator"),
    "correct": Step("correct", ("notified", "final"), "corrected", "regulator",
                    needs_text=True),
}


def is_supervisor(user: dict) -> bool:
    return user["role"] in SUPERVISORS


def is_public(finding: dict) -> bool:
    """Only a final finding the regulator made public is published."""
    return finding["state"] == "final" and bool(finding["public"])


def can_see(user: dict | None, finding: dict) -> bool:
    if is_public(finding):
        return True
    if user is None:
        return False
    if user["role"] in READERS:
        return True
    return user["org_id"] == finding["subject_org_id"] and finding["state"] != "draft"


def sees_inside(user: dict | None, finding: dict) -> bool:
    """Whether ``user`` reads a finding's evidence, trail and exchange, not only what is
    published: its regulators and administrators, and the organisation it concerns."""
    return user is not None and (user["role"] in READERS or (
        user["org_id"] == finding["subject_org_id"] and finding["state"] != "draft"))


def check_visible(user: dict | None, finding: dict | None) -> dict:
    if finding is None or not can_see(user, finding):
        raise NotFound(Message("no such finding"))
    return finding


def check_record(user: dict) -> None:
    """Recording a finding: regulators only."""
    if not is_supervisor(user):
        raise Forbidden(Message("only a regulator records findings"))


def check_step(user: dict, finding: dict, step_name: str) -> Step:
    """The step if ``user`` may take it on ``finding`` now; raises otherwise."""
    check_visible(user, finding)
    step = STEPS.get(step_name)
    if step is None:
        raise NotFound(Message("no action %(action)s", action=repr(step_name)))
    if step.by == "regulator" and not is_supervisor(user):
        raise Forbidden(Message("only a regulator decides a finding"))
    if step.by == "subject" and user["org_id"] != finding["subject_org_id"]:
        raise Forbidden(Message("only the organisation a finding concerns responds or "
                                "appeals"))
    if finding["state"] not in step.from_states:
        raise Conflict(Message("this finding is %(state)s: it cannot be %(step)s now",
                               state=finding["state"], step=step.name))
    if step.name == "appeal" and finding.get("appeal"):
        raise Conflict(Message("a finding is appealed once only"))
    return step


def allowed_steps(user: dict, finding: dict) -> list[str]:
    allowed = []
    for name in STEPS:
        try:
            check_step(user, finding, name)
        except (Forbidden, Conflict, NotFound):
            continue
        allowed.append(name)
    return allowed
