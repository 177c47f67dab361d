"""The ``consents`` and ``consent_events`` tables: which banks an organisation lets read its
carbon account, and who granted or revoked that when. The rules (who may grant, to whom) are
footprint.usecases.consents'."""
from __future__ import annotations

from .. import clock


def open_consent(db, org_id: int, bank_org_id: int) -> dict | None:
    return next(db.query("SELECT * FROM consents WHERE org_id = ? AND bank_org_id = ? "
                         "AND revoked_at IS NULL", [org_id, bank_org_id]), None)


def grant(db, org_id: int, bank_org_id: int, actor_id: int | None) -> None:
    at = clock.stamp()
    db["consents"].insert({"org_id": org_id, "bank_org_id": bank_org_id,
                           "granted_by": actor_id, "granted_at": at})
    _event(db, org_id, bank_org_id, "grant", actor_id, at)


def revoke(db, consent_id: int, org_id: int, bank_org_id: int, actor_id: int | None) -> None:
    at = clock.stamp()
    db["consents"].update(consent_id, {"revoked_by": actor_id, "revoked_at": at})
    _event(db, org_id, bank_org_id, "revoke", actor_id, at)


def _event(db, org_id, bank_org_id, action, actor_id, at) -> None:
    db["consent_events"].insert({"org_id": org_id, "bank_org_id": bank_org_id,
                                 "action": action, "actor_id": actor_id, "at": at})


def banks_of(db, org_id: int) -> list[dict]:
    """Every bank organisation, with the organisation's open consent to it (or None)."""
    return list(db.query(
        "SELECT o.id, o.name, c.id AS consent_id, c.granted_at FROM organisations o "
        "LEFT JOIN consents c ON c.bank_org_id = o.id AND c.org_id = ? "
        "AND c.revoked_at IS NULL WHERE o.kind = 'bank' ORDER BY o.name", [org_id]))


def consenting(db, bank_org_id: int) -> list[dict]:
    """The organisations that consent to the bank now, by name."""
    return list(db.query(
        "SELECT o.id, o.name, o.region, o.credit_code, c.granted_at FROM consents c "
        "JOIN organisations o ON o.id = c.org_id WHERE c.bank_org_id = ? "
        "AND c.revoked_at IS NULL ORDER BY o.name", [bank_org_id]))


def events(db, org_id: int) -> list[dict]:
    """The organisation's grants and revocations, newest first, with actor and bank."""
    return list(db.query(
        "SELECT e.*, b.name AS bank_name, u.display_name FROM consent_events e "
        "JOIN organisations b ON b.id = e.bank_org_id LEFT JOIN users u ON u.id = e.actor_id "
        "WHERE e.org_id = ? ORDER BY e.id DESC", [org_id]))


def counted_by_bank(db) -> dict[int, int]:
    """How many organisations consent to each bank now, by the bank's id."""
    return {row["bank_org_id"]: row["n"] for row in db.query(
        "SELECT bank_org_id, COUNT(*) AS n FROM consents WHERE revoked_at IS NULL "
        "GROUP BY bank_org_id")}
