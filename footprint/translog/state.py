"""What the log says about a label, and where a label's row says otherwise.

A label's public state is the leaves that name it: its issue leaf, at most one supersede leaf
(``by`` names the label that replaced it) and at most one revoke leaf (the public reason and
time). The ``labels`` columns ``superseded_by``, ``revoked_at``, ``revocation_reason`` and
``log_index`` repeat this as an index for queries; they can be edited by hand, the leaves
cannot be edited without the monitor noticing, so the leaves win and ``differences`` names
every column that disagrees with them.

Times in entries are RFC 3339 with ``Z`` (``2025-03-01T08:00:00Z``); the state gives them as
the service stores times (``2025-03-01T08:00:00+00:00``, footprint.clock.stamp), so a state
and a row compare and display alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import clock
from ..errors import Message
from .entries import EntryError, decode_entry


@dataclass
class LoggedState:
    """The leaves of one label, read. Indices are leaf indices; None where there is no leaf."""

    label_id: str
    issued: int | None = None           # the issue leaf
    issue_entry: bytes | None = None    # its bytes: the label's COSE_Sign1 as logged
    superseded: int | None = None       # the supersede leaf
    superseded_by: str | None = None
    superseded_at: str | None = None
    revoked: int | None = None          # the revoke leaf
    revoked_at: str | None = None
    revocation_reason: str | None = None
    # leaves of this label the state cannot take: a second issue, supersede or revoke leaf,
    # or one that does not decode (the first well-formed leaf of each kind counts)
    extra: list[Message] = field(default_factory=list)

    def add(self, index: int, kind: str, entry: bytes) -> None:
        """Take one leaf filed under this label, in log order."""
        entry = bytes(entry)
        if kind == "issue":
            if self.issued is not None:
                self.extra.append(Message("entry %(index)s issues it again (first issued at "
                                          "entry %(first)s)", index=index, first=self.issued))
                return
            self.issued, self.issue_entry = index, entry
            return
        try:
            fields = decode_entry(kind, entry)
        except EntryError as exc:
            self.extra.append(not_well_formed(index, kind, exc))
            return
        if fields["label"] != self.label_id:
            self.extra.append(Message("entry %(index)s names label %(label)s", index=index,
                                      label=repr(fields["label"])))
            return
        if kind == "supersede":
            if self.superseded is not None:
                self.extra.append(Message(
                    "entry %(index)s supersedes it again, by %(by)s (first by %(first_by)s at "
                    "entry %(first)s)", index=index, by=repr(fields["by"]),
                    first_by=repr(self.superseded_by), first=self.superseded))
                return
            self.superseded, self.superseded_by = index, fields["by"]
            self.superseded_at = stored_time(fields["at"])
        elif kind == "revoke":
            if self.revoked is not None:
                self.extra.append(Message("entry %(index)s revokes it again (first at entry "
                                          "%(first)s)", index=index, first=self.revoked))
                return
            self.revoked, self.revocation_reason = index, fields["reason"]
            self.revoked_at = stored_time(fields["at"])


def not_well_formed(index: int, kind: str, error: EntryError) -> Message:
    return Message("entry %(index)s is not a well-formed %(kind)s entry: %(problem)s",
                   index=index, kind=kind, problem=error.message)


def stored_time(text: str) -> str:
    """An entry's RFC 3339 UTC time as the service stores times."""
    return clock.stamp(datetime.fromisoformat(text.replace("Z", "+00:00")))


def state_of(label_id: str, leaves) -> LoggedState:
    """The state of ``label_id`` from its leaves: (index, kind, entry) in log order."""
    state = LoggedState(label_id)
    for index, kind, entry in leaves:
        state.add(index, kind, entry)
    return state


@dataclass(frozen=True)
class Difference:
    """A column of a label's row that disagrees with the log: what each says."""

    column: str
    table: object
    log: object
    detail: str

    def __str__(self) -> str:
        return self.detail


def _same_time(stored, logged: str) -> bool:
    try:
        return datetime.fromisoformat(stored) == datetime.fromisoformat(logged)
    except (TypeError, ValueError):
        return False


def differences(row: dict, state: LoggedState) -> list[Difference]:
    """Where ``row`` (a labels row: superseded_by, revoked_at, revocation_reason, log_index)
    disagrees with what the log says of the label."""
    out: list[Difference] = []

    def differ(column: str, logged, detail: str) -> None:
        out.append(Difference(column, row.get(column), logged, detail))

    if state.issued is None:
        differ("log_index", None, "its issuance is not in the log")
    elif row.get("log_index") != state.issued:
        differ("log_index", state.issued, f"log_index is {row.get('log_index')!r} but its "
                                          f"issue leaf is entry {state.issued}")
    if state.superseded_by != row.get("superseded_by"):
        if state.superseded_by is None:
            said = "the log has no supersede entry for it"
        else:
            said = (f"the log says superseded by {state.superseded_by!r} "
                    f"(entry {state.superseded})")
        differ("superseded_by", state.superseded_by,
               f"superseded_by is {row.get('superseded_by')!r} but {said}")
    if state.revoked is None:
        if row.get("revoked_at") or row.get("revocation_reason"):
            differ("revoked_at", None, f"revoked_at is {row.get('revoked_at')!r} but the log "
                                       f"has no revoke entry for it: the log says it is not "
                                       f"revoked")
    elif not row.get("revoked_at"):
        differ("revoked_at", state.revoked_at, f"revoked_at is empty but the log revoked it "
                                               f"at {state.revoked_at} (entry {state.revoked})")
    elif not _same_time(row["revoked_at"], state.revoked_at):
        differ("revoked_at", state.revoked_at, f"revoked_at is {row['revoked_at']!r} but the "
                                               f"log revoked it at {state.revoked_at} (entry "
                                               f"{state.revoked})")
    if state.revoked is not None and row.get("revocation_reason") != state.revocation_reason:
        differ("revocation_reason", state.revocation_reason,
               f"revocation_reason is {row.get('revocation_reason')!r} but the logged reason "
               f"is {state.revocation_reason!r} (entry {state.revoked})")
    return out
