"""A producer's consent to a bank: while it lasts, the bank's users see the organisation's
carbon account and may price loans on it; without it the organisation does not exist for the
bank (NotFound, 404 on pages and the API). Granting and revoking are audit events
(``consent_events``), each in the transaction that makes the change.

The command line acts as the platform's operator: its grants and revocations record no user.
"""
from __future__ import annotations

from ..errors import Conflict, Forbidden, Message, NotFound
from ..store import consents as stored
from ..store.db import transaction
from .organisations import find_organisation

banks = stored.banks_of          # every bank, with the organisation's open consent to it
history = stored.events          # the organisation's grants and revocations, newest first
consenting = stored.consenting   # the organisations that consent to a bank now


def producer_org(user: dict) -> int:
    """The organisation a producer acts for; other roles may not grant or revoke."""
    if user["role"] != "producer":
        raise Forbidden(Message("only a producer grants or revokes a bank's access"))
    return user["org_id"]


READS_ACCOUNTS = Message("only a bank's users read consented accounts")


def bank_org(user: dict, refusal: Message = READS_ACCOUNTS) -> int:
    """The bank a bank user acts for; other roles are refused with ``refusal``, which says
    what they asked for (the consented accounts, unless the caller names another)."""
    if user["role"] != "bank":
        raise Forbidden(refusal)
    return user["org_id"]


def find_bank(db, bank, where: str = "bank") -> dict:
    """The bank ``bank`` names (find_organisation's ways), else InvalidInput."""
    return find_organisation(db, bank, where, kind="bank")


def grant(db, org_id: int, bank, actor_id: int | None = None) -> dict:
    """Let ``bank`` read the organisation's account; Conflict if it may already."""
    found = find_bank(db, bank)
    with transaction(db):
        if stored.open_consent(db, org_id, found["id"]) is not None:
            raise Conflict(Message("%(bank)s has access already", bank=found["name"]))
        stored.grant(db, org_id, found["id"], actor_id)
    return found


def revoke(db, org_id: int, bank, actor_id: int | None = None) -> dict:
    """End ``bank``'s access at once; Conflict if it has none."""
    found = find_bank(db, bank)
    with transaction(db):
        consent = stored.open_consent(db, org_id, found["id"])
        if consent is None:
            raise Conflict(Message("%(bank)s has no access to revoke", bank=found["name"]))
        stored.revoke(db, consent["id"], org_id, found["id"], actor_id)
    return found


def lets_read(db, user: dict, org_id: int) -> bool:
    """Whether ``user`` is a bank's whose bank the organisation consents to now."""
    return user["role"] == "bank" and \
        stored.open_consent(db, org_id, user["org_id"]) is not None


def consented_org(db, bank_org_id: int, org_id: int) -> dict:
    """The organisation, if it consents to the bank now; NotFound otherwise (an organisation
    that does not consent is not there for the bank)."""
    if stored.open_consent(db, org_id, bank_org_id) is None:
        raise NotFound(Message("no such organisation"))
    return find_organisation(db, org_id)
