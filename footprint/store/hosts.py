"""What every application host of the platform must agree on (migration 22): the issuer
keys' ids and public keys (``platform_keys``) and a fingerprint of the web's secret key
(``platform_secrets``), as the first host to serve or migrate recorded them and as key
generation and rotation add to them. footprint.usecases.hosts compares a host with them."""
from __future__ import annotations

from .. import clock
from .db import upsert_sql

SECRET_KEY = "secret_key"


def recorded_keys(db) -> dict[str, dict]:
    """kid (hex) -> {issuer, public_key (hex), recorded_at, recorded_by}."""
    return {row["kid"]: row for row in db.query(
        "SELECT kid, issuer, public_key, recorded_at, recorded_by FROM platform_keys "
        "ORDER BY recorded_at, kid")}


def record_key(db, kid: str, issuer: str, public_key: str, host: str) -> bool:
    """Record a key of the platform; False when it was recorded already."""
    cursor = db.execute(
        "INSERT INTO platform_keys (kid, issuer, public_key, recorded_at, recorded_by) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kid) DO NOTHING",
        [kid, issuer, public_key, clock.stamp(), host])
    return cursor.rowcount == 1


def forget_keys(db, kids: list[str]) -> None:
    for kid in kids:
        db.execute("DELETE FROM platform_keys WHERE kid = ?", [kid])


def recorded_secret(db, name: str = SECRET_KEY) -> dict | None:
    for row in db.query("SELECT name, fingerprint, recorded_at, recorded_by "
                        "FROM platform_secrets WHERE name = ?", [name]):
        return row
    return None


def record_secret(db, fingerprint: str, host: str, name: str = SECRET_KEY) -> None:
    """Record (or replace) the fingerprint of a secret of the platform."""
    db.execute(upsert_sql("platform_secrets", ("name", "fingerprint", "recorded_at",
                                               "recorded_by"), ("name",)),
               [name, fingerprint, clock.stamp(), host])
