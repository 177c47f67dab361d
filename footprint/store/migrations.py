"""Numbered schema migrations, each applied once, in order, in its own transaction.

Run by ``footprint db migrate`` and before the service starts serving, never on import.
Add a migration by appending to MIGRATIONS; never edit one that has shipped.
"""
from __future__ import annotations

from datetime import datetime, timezone

from .db import transaction

ROLES = ("producer", "verifier", "reviewer", "admin")
ORG_KINDS = ("enterprise", "accounting_body", "platform")
STATUSES = ("draft", "submitted", "verified", "approved", "returned",
            "issued", "superseded", "revoked", "expired")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)  # constants of this module, never user input


def _statements(db, script: str) -> None:
    """Run a script statement by statement: sqlite3's executescript would first COMMIT the
    migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def initial_schema(db) -> None:
    _statements(db, f"""
    CREATE TABLE organisations (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ({_in(ORG_KINDS)})),
        region TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ({_in(ROLES)})),
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        name TEXT NOT NULL,
        token_sha256 TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
    );
    CREATE TABLE products (
        id INTEGER PRIMARY KEY,
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        name TEXT NOT NULL,
        name_zh TEXT,
        category TEXT NOT NULL,
        gtin TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        product_id INTEGER NOT NULL REFERENCES products(id),
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        status TEXT NOT NULL CHECK (status IN ({_in(STATUSES)})),
        bom_json TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1,
        verifier_org_id INTEGER REFERENCES organisations(id),
        verified_by INTEGER REFERENCES users(id),
        approved_by INTEGER REFERENCES users(id),
        created_by INTEGER NOT NULL REFERENCES users(id),
        idempotency_key TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (created_by, idempotency_key)
    );
    CREATE INDEX submissions_status ON submissions(status);
    CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id),
        revision INTEGER NOT NULL,
        total_kg_co2e REAL NOT NULL,
        method TEXT NOT NULL,
        data_version TEXT NOT NULL,
        reproducibility_hash TEXT NOT NULL,
        result_json TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX results_submission ON results(submission_id);
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        line INTEGER,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id),
        line INTEGER,
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        content BLOB NOT NULL,
        uploaded_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL
    );
    CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER REFERENCES submissions(id),
        actor_id INTEGER REFERENCES users(id),
        action TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT,
        reason TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX audit_submission ON audit_events(submission_id);
    """)


MIGRATIONS = [
    (1, "initial schema", initial_schema),
]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def applied(db) -> set[int]:
    if "schema_migrations" not in db.table_names():
        return set()
    return {row["version"] for row in db.query("SELECT version FROM schema_migrations")}


def pending(db) -> list[tuple[int, str]]:
    done = applied(db)
    return [(v, name) for v, name, _ in MIGRATIONS if v not in done]


def migrate(db) -> list[tuple[int, str]]:
    """Apply every pending migration; returns what was applied."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
               "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    done = []
    for version, name, apply in MIGRATIONS:
        with transaction(db):
            if version in applied(db):  # another process got here first
                continue
            apply(db)
            db["schema_migrations"].insert({"version": version, "name": name,
                                            "applied_at": now()})
        done.append((version, name))
    return done
