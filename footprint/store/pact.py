"""The ``pact_clients`` and ``pact_tokens`` tables, and the rows a PACT ProductFootprint is
read from (an issued label with its product, producer and submission).

Secrets arrive here already hashed (argon2id) and tokens as their SHA-256; who may see what,
expiry and the mapping to PACT are footprint.usecases.pactclients' and pact's.
"""
from __future__ import annotations

from .. import clock

# -- clients ----------------------------------------------------------------------------------


def insert_client(db, client_id: str, secret_hash: str, name: str, org_id: int | None) -> int:
    return db["pact_clients"].insert({"client_id": client_id, "secret_hash": secret_hash,
                                      "name": name, "org_id": org_id,
                                      "created_at": clock.stamp()}).last_pk


def client_by_client_id(db, client_id: str) -> dict | None:
    return next(db.query("SELECT * FROM pact_clients WHERE client_id = ?", [client_id]), None)


def clients(db) -> list[dict]:
    """Every client, oldest first, with the name of the organisation it is limited to."""
    return list(db.query("SELECT c.id, c.client_id, c.name, c.org_id, c.created_at, "
                         "c.revoked_at, o.name AS org_name FROM pact_clients c "
                         "LEFT JOIN organisations o ON o.id = c.org_id ORDER BY c.id"))


def revoke_client(db, client_id: str) -> bool:
    """Revoke a client that is not revoked yet, and delete its tokens; False if none."""
    row = client_by_client_id(db, client_id)
    if row is None or row["revoked_at"]:
        return False
    db.execute("UPDATE pact_clients SET revoked_at = ? WHERE id = ?", [clock.stamp(), row["id"]])
    db.execute("DELETE FROM pact_tokens WHERE client = ?", [row["id"]])
    return True


# -- tokens -----------------------------------------------------------------------------------

def insert_token(db, digest: str, client: int, issued_at: str, expires_at: str) -> None:
    db["pact_tokens"].insert({"token_sha256": digest, "client": client, "issued_at": issued_at,
                              "expires_at": expires_at})


def token(db, digest: str) -> dict | None:
    """The token's expiry and its client, if the client is not revoked."""
    return next(db.query(
        "SELECT t.expires_at, c.id AS client, c.client_id, c.name, c.org_id "
        "FROM pact_tokens t JOIN pact_clients c ON c.id = t.client "
        "WHERE t.token_sha256 = ? AND c.revoked_at IS NULL", [digest]), None)


def delete_expired_tokens(db, before: str) -> int:
    return db.execute("DELETE FROM pact_tokens WHERE expires_at < ?", [before]).rowcount


# -- the rows a footprint is read from ---------------------------------------------------------

_LABEL_ROWS = (
    "SELECT l.id, l.submission_id, l.product_id, l.issuer, l.issued_at, l.expires_at, "
    "l.supersedes, l.superseded_by, l.revoked_at, l.revocation_reason, l.claims_json, "
    "p.org_id, p.gtin, p.name AS product_name, p.name_zh AS product_name_zh, p.category, "
    "o.name AS org_name, o.credit_code, o.region AS org_region, "
    "s.created_at AS submission_created_at, s.verifier_org_id, "
    "v.name AS verifier_name, "
    "(SELECT MAX(a.at) FROM audit_events a WHERE a.submission_id = l.submission_id "
    " AND a.action = 'verify' AND a.at <= l.issued_at) AS verified_at "
    "FROM labels l JOIN products p ON p.id = l.product_id "
    "JOIN organisations o ON o.id = p.org_id "
    "JOIN submissions s ON s.id = l.submission_id "
    "LEFT JOIN organisations v ON v.id = s.verifier_org_id")


def label_rows(db, org_id: int | None = None, narrowing: tuple[str, list] | None = None,
               batch: int = 500, skip: int = 0):
    """Every issued label (of the organisation ``org_id``, if given; and, if given, that
    satisfies ``narrowing``: an SQL condition on l, p and o with its bound parameters),
    oldest first after the first ``skip``, read a batch at a time so a caller that stops
    early reads little."""
    where, params = ["1"], []
    if org_id is not None:
        where.append("p.org_id = ?")
        params.append(org_id)
    if narrowing is not None:
        where.append(f"({narrowing[0]})")
        params.extend(narrowing[1])
    after = ("", "")
    while True:
        rows = list(db.query(
            f"{_LABEL_ROWS} WHERE {' AND '.join(where)} AND (l.issued_at, l.id) > (?, ?) "
            f"ORDER BY l.issued_at, l.id LIMIT ? OFFSET ?", [*params, *after, batch, skip]))
        skip = 0
        yield from rows
        if len(rows) < batch:
            return
        after = (rows[-1]["issued_at"], rows[-1]["id"])


def labels_since(db, rowid: int) -> list[tuple[int, str]]:
    """(rowid, id) of the labels stored after ``rowid``, in order."""
    return [(row[0], row[1]) for row in
            db.execute("SELECT rowid, id FROM labels WHERE rowid > ? ORDER BY rowid", [rowid])]


def label_row(db, label_id: str) -> dict | None:
    return next(db.query(f"{_LABEL_ROWS} WHERE l.id = ?", [label_id]), None)


def preceding(db, label_id: str) -> list[str]:
    """The labels ``label_id`` follows (the one it supersedes, that one's, ...), newest
    first."""
    return [row[0] for row in db.execute(
        "WITH RECURSIVE chain(id, depth) AS ("
        " SELECT supersedes, 1 FROM labels WHERE id = ? AND supersedes IS NOT NULL"
        " UNION SELECT l.supersedes, chain.depth + 1 FROM labels l JOIN chain ON l.id = chain.id"
        " WHERE l.supersedes IS NOT NULL AND chain.depth < 10000)"
        " SELECT id FROM chain ORDER BY depth", [label_id])]


def label_count(db) -> int:
    return db.execute("SELECT count(*) FROM labels").fetchone()[0]
