"""Numbered schema migrations, each applied once, in order, in its own transaction.

Run by ``footprint db migrate`` and before the service starts serving, never on import.
Add a migration by appending to MIGRATIONS; never edit one that has shipped.

Migrations are frozen: each holds the SQL and the data it needs, as they were when it
shipped, and imports no live code, so a later change to the code cannot change what an old
migration does. The word lists below are the ones the CHECK constraints were written with;
tests/test_store.py holds the live vocabulary (footprint.workflow) to them.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import struct

from .. import clock
from .db import transaction

ROLES = ("producer", "verifier", "reviewer", "admin")
ORG_KINDS = ("enterprise", "accounting_body", "platform")
STATUSES = ("draft", "submitted", "verified", "approved", "returned",
            "issued", "superseded", "revoked", "expired")
RECALC_STATUSES = ("changed", "unchanged", "failed")
# footprints.by_stage as migration 3 wrote it: float64 little-endian in this order
STAGES_OF_MIGRATION_3 = ("raw_materials", "production", "distribution", "packaging",
                         "end_of_life")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)  # constants of this module, never user input


def _statements(db, script: str) -> None:
    """Run a script statement by statement: sqlite3's executescript would first COMMIT the
    migration's transaction. Statements end where SQLite says they are complete, so trigger
    bodies (BEGIN ...; END) stay whole."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            db.execute(buffer)
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buffer.strip()[:60]}")


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


def labels_and_log(db) -> None:
    """Issued labels and the append-only transparency log (RFC 6962 leaves)."""
    _statements(db, """
    CREATE TABLE labels (
        id TEXT PRIMARY KEY,                 -- the signed label id (claims key "id")
        submission_id INTEGER NOT NULL REFERENCES submissions(id),
        product_id INTEGER NOT NULL REFERENCES products(id),
        issuer TEXT NOT NULL,                -- issuer id in the trust list, e.g. CN-SC
        kid BLOB NOT NULL,
        cose BLOB NOT NULL,                  -- the COSE_Sign1 bytes, exactly as in the QR
        claims_json TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        supersedes TEXT REFERENCES labels(id),
        superseded_by TEXT REFERENCES labels(id),
        revoked_at TEXT,
        revocation_reason TEXT,
        revoked_by INTEGER REFERENCES users(id),
        log_index INTEGER NOT NULL
    );
    CREATE INDEX labels_product ON labels(product_id);
    CREATE UNIQUE INDEX labels_submission ON labels(submission_id) WHERE superseded_by IS NULL;
    CREATE TABLE log_entries (
        idx INTEGER PRIMARY KEY,             -- leaf index, from 0, no gaps
        kind TEXT NOT NULL CHECK (kind IN ('issue', 'supersede', 'revoke')),
        label_id TEXT NOT NULL REFERENCES labels(id),
        entry BLOB NOT NULL,                 -- the leaf's bytes
        leaf_hash BLOB NOT NULL,             -- SHA-256(0x00 || entry)
        at TEXT NOT NULL
    );
    CREATE TRIGGER log_entries_append_only_update BEFORE UPDATE ON log_entries
        BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
    CREATE TRIGGER log_entries_append_only_delete BEFORE DELETE ON log_entries
        BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
    CREATE TABLE log_checkpoints_seen (
        size INTEGER PRIMARY KEY,            -- what `footprint log verify` last checked
        root BLOB NOT NULL,
        note TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    """)


def footprints_and_recalculation(db) -> None:
    """Versioned data, each product's current footprint, rows kept for recalculation, and
    the record of every recalculation run."""
    _statements(db, f"""
    CREATE TABLE data_versions (
        hash TEXT PRIMARY KEY,               -- Registry.data_version (SHA-256 hex)
        name TEXT NOT NULL,                  -- e.g. MEE-2023
        datasets_json TEXT NOT NULL,         -- dataset id -> version
        first_used_at TEXT NOT NULL
    );
    ALTER TABLE results ADD COLUMN data_version_name TEXT;
    CREATE TABLE footprints (                -- a submission's current footprint
        submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
        revision INTEGER NOT NULL,
        region TEXT NOT NULL,
        data_version TEXT NOT NULL,
        data_version_name TEXT,
        total_kg_co2e REAL NOT NULL,
        by_stage BLOB NOT NULL,              -- float64 per model.STAGES, little-endian
        run_id INTEGER REFERENCES recalc_runs(id),  -- NULL: as calculated on submission
        updated_at TEXT NOT NULL
    );
    CREATE TABLE row_keys (                  -- footprint.recalc.keyed: stable row keys
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE
    );
    CREATE TABLE compiled_boms (             -- a revision's rows, reused while the
        submission_id INTEGER NOT NULL REFERENCES submissions(id),  -- fingerprint holds
        revision INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        n_lines INTEGER NOT NULL,
        boundary INTEGER NOT NULL,
        rows BLOB NOT NULL,
        lines_json TEXT NOT NULL,
        PRIMARY KEY (submission_id, revision, fingerprint)
    );
    CREATE TABLE recalc_runs (
        id INTEGER PRIMARY KEY,
        run_key TEXT NOT NULL,               -- same command, same key: a rerun resumes
        selection_json TEXT NOT NULL,
        to_version TEXT NOT NULL,
        to_version_name TEXT NOT NULL,
        reissue INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE INDEX recalc_runs_key ON recalc_runs(run_key);
    CREATE TABLE recalc_items (
        run_id INTEGER NOT NULL REFERENCES recalc_runs(id),
        submission_id INTEGER NOT NULL REFERENCES submissions(id),
        revision INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ({_in(RECALC_STATUSES)})),
        from_version TEXT,
        from_total REAL,
        to_total REAL,
        top_line INTEGER,                    -- the top-level line that moved most
        top_delta REAL,
        error TEXT,
        label_id TEXT REFERENCES labels(id), -- the label issued in its place (--reissue)
        PRIMARY KEY (run_id, submission_id)
    ) WITHOUT ROWID;
    -- what a recalculation selects by, without reading the BOM text of every submission
    CREATE INDEX submissions_recalc ON submissions(status, id, revision, org_id, product_id);
    """)
    def stage_bytes(by_stage: dict) -> bytes:
        return struct.pack(f"<{len(STAGES_OF_MIGRATION_3)}d",
                           *(by_stage.get(s, 0.0) for s in STAGES_OF_MIGRATION_3))

    for row in db.query(
            "SELECT r.submission_id, r.revision, json_extract(s.bom_json, '$.region') AS region, "
            "r.data_version, r.total_kg_co2e, json_extract(r.result_json, '$.by_stage') AS stages,"
            " r.created_at FROM results r JOIN submissions s ON s.id = r.submission_id "
            "WHERE r.id = (SELECT max(id) FROM results WHERE submission_id = r.submission_id)"):
        db.execute("INSERT INTO footprints (submission_id, revision, region, data_version, "
                   "total_kg_co2e, by_stage, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [row["submission_id"], row["revision"], row["region"], row["data_version"],
                    row["total_kg_co2e"], stage_bytes(json.loads(row["stages"])),
                    row["created_at"]])


def organisation_credit_codes(db) -> None:
    """An organisation's unified social credit code (统一社会信用代码): what a label signs
    to name its producer."""
    _statements(db, """
    ALTER TABLE organisations ADD COLUMN credit_code TEXT;
    CREATE UNIQUE INDEX organisations_credit_code ON organisations(credit_code)
        WHERE credit_code IS NOT NULL;
    """)


def sessions_and_throttling(db) -> None:
    """Sessions held on the server (a cookie names one; logging out or changing the password
    ends it), failed log-ins and bearer tokens counted per account and per address to slow
    guessing down, and the security events a platform's operator reviews."""
    _statements(db, """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,                 -- SHA-256 of the random token the cookie holds
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        ended_at TEXT                        -- logged out, password changed, deactivated
    );
    CREATE INDEX sessions_user ON sessions(user_id) WHERE ended_at IS NULL;
    CREATE TABLE throttles (
        scope TEXT NOT NULL,                 -- e.g. login-account, login-address, token-address
        key TEXT NOT NULL,                   -- the account name or the client's address
        failures INTEGER NOT NULL,           -- since the last success (decays when idle)
        blocked_until REAL NOT NULL,         -- epoch seconds: no attempt is checked before
        last_failure REAL NOT NULL,          -- epoch seconds
        PRIMARY KEY (scope, key)
    ) WITHOUT ROWID;
    CREATE TABLE security_events (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                  -- login-failed, login-blocked, token-failed ...
        username TEXT,                       -- as typed: the event never says if it exists
        address TEXT,
        detail TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX security_events_at ON security_events(at);
    """)


def log_lookups(db) -> None:
    """A label's state is read from its leaves in the transparency log, so the leaves of one
    label, and every revocation, are found by index rather than by reading the whole log;
    a submission's labels are all read (the log, not superseded_by, says which is current).
    ``log_checkpoints_seen`` stays: the monitor now keeps its record of checkpoints seen
    outside the database, and imports what the table holds on its first run after this
    upgrade."""
    _statements(db, """
    CREATE INDEX log_entries_label ON log_entries(label_id);
    CREATE INDEX log_entries_kind ON log_entries(kind);
    CREATE INDEX labels_of_submission ON labels(submission_id);
    """)


def supplier_label_inputs(db) -> None:
    """Which suppliers' labels each revision's BOM used (a line ``label:...``), so that a
    recalculation finds the footprints a superseded label moves."""
    _statements(db, """
    CREATE TABLE label_inputs (
        submission_id INTEGER NOT NULL REFERENCES submissions(id),
        revision INTEGER NOT NULL,
        line INTEGER NOT NULL,               -- the top-level line, from 0
        label_id TEXT NOT NULL,              -- the label used (CN-SC-...)
        issuer TEXT NOT NULL,
        own INTEGER NOT NULL,                -- 1: this platform's label (its log keeps status)
        PRIMARY KEY (submission_id, revision, line, label_id)
    );
    CREATE INDEX label_inputs_label ON label_inputs(label_id);
    """)


def footprint_ranges(db) -> None:
    """The range (P5, P50, P95) of each current footprint, and beside a revision's kept rows
    the sigmas a recalculation draws its new range with (footprint.recalc.keyed.Spread)."""
    _statements(db, """
    ALTER TABLE footprints ADD COLUMN p5 REAL;
    ALTER TABLE footprints ADD COLUMN p50 REAL;
    ALTER TABLE footprints ADD COLUMN p95 REAL;
    ALTER TABLE compiled_boms ADD COLUMN spread BLOB;
    """)


def pact_inputs(db) -> None:
    """Suppliers' PACT v3 footprints imported as BOM inputs (footprint.store.pact_inputs)."""
    _statements(db, """
    CREATE TABLE pact_inputs (
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        id TEXT NOT NULL,                     -- the ProductFootprint id (a UUID)
        status TEXT NOT NULL,
        company_name TEXT NOT NULL,
        company_ids TEXT NOT NULL,            -- JSON list of URNs
        product_ids TEXT NOT NULL,
        product_name TEXT NOT NULL,
        declared_unit TEXT NOT NULL,          -- ours (kg, L, kWh ...)
        declared_amount REAL NOT NULL,        -- of it in the declared unit
        value REAL NOT NULL,                  -- kg CO2e per declared unit (the amount of it)
        verifier TEXT NOT NULL,               -- "" when not verified
        dqr TEXT,                             -- JSON, where the footprint states them
        primary_data_share REAL,
        json TEXT NOT NULL,                   -- the footprint as it arrived
        origin TEXT NOT NULL,                 -- a file name or the host it was fetched from
        imported_by INTEGER,
        imported_at TEXT NOT NULL,
        PRIMARY KEY (org_id, id)
    );
    """)


def products_by_gtin(db) -> None:
    """A product is found by its GTIN first (a BOM naming it, a GS1 Digital Link /01/<gtin>),
    so the GTIN is indexed. Not unique: databases written before this may hold a GTIN twice
    (a BOM's GTIN was not checked against other products then); the use cases refuse a new
    one."""
    _statements(db, """
    CREATE INDEX products_gtin ON products(gtin);
    """)


def pact_clients(db) -> None:
    """PACT v3 data recipients (a buyer's system) that may read this platform's issued
    labels as ProductFootprints: a client id and the argon2id hash of its secret, the one
    organisation whose labels it sees (NULL: every label issued here), and the bearer tokens
    issued to it, kept only as their SHA-256, each with its expiry. A revoked client's
    tokens stop working."""
    _statements(db, """
    CREATE TABLE pact_clients (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL,           -- argon2id
        name TEXT NOT NULL,
        org_id INTEGER REFERENCES organisations(id),
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE pact_tokens (
        token_sha256 TEXT PRIMARY KEY,
        client INTEGER NOT NULL REFERENCES pact_clients(id),
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX pact_tokens_client ON pact_tokens(client);
    """)


def pact_outbox(db) -> None:
    """The answers this PACT host owes (a RequestFulfilled or RequestRejected event for each
    RequestCreated event it acknowledged), written before the 200 is sent and posted from
    here until the recipient takes them or 72 hours pass: the event as sent, where it goes,
    the attempts so far and when the next is due, a claim (a worker posting it now holds it
    until ``claimed_until``), and how it ended (delivered, or given up) with the last
    error."""
    _statements(db, """
    CREATE TABLE pact_outbox (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,        -- the answer's CloudEvent id
        request_event_id TEXT,                -- the RequestCreated event it answers
        client INTEGER REFERENCES pact_clients(id),
        url TEXT NOT NULL,
        event_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        claimed_until TEXT,
        delivered_at TEXT,
        gave_up_at TEXT,
        last_error TEXT
    );
    CREATE INDEX pact_outbox_due ON pact_outbox(next_attempt_at)
        WHERE delivered_at IS NULL AND gave_up_at IS NULL;
    """)


ROLES_OF_MIGRATION_13 = ROLES + ("bank", "regulator")
ORG_KINDS_OF_MIGRATION_13 = ORG_KINDS + ("bank", "regulator")


def _rebuild(db, table: str, changes: list[tuple[str, str]]) -> None:
    """Recreate ``table`` from its own stored SQL with each (before, after) text change made,
    keeping its rows, indexes and triggers.

    SQLite cannot alter a CHECK or a NOT NULL. The rows are copied aside, the table dropped
    and created again, then refilled. Other tables' foreign keys point at it by name
    throughout; dropping it inside this transaction is allowed because the violations it
    counts are deferred and settled when the rows come back. Dropping runs no trigger."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                     [table]).fetchone()[0]
    for before, after in changes:
        if sql.count(before) != 1:
            raise ValueError(f"{table}: {before!r} is not in its definition once")
        sql = sql.replace(before, after)
    dependents = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY type, name", [table])]
    db.execute("PRAGMA defer_foreign_keys = ON")
    db.execute(f"CREATE TEMP TABLE {table}_copy AS SELECT * FROM {table}")
    db.execute(f"DROP TABLE {table}")
    db.execute(sql)
    db.execute(f"INSERT INTO {table} SELECT * FROM temp.{table}_copy")
    db.execute(f"DROP TABLE temp.{table}_copy")
    for statement in dependents:
        db.execute(statement)


def _widen(db, table: str, column: str, old: tuple, new: tuple) -> None:
    _rebuild(db, table, [(f"{column} IN ({_in(old)})", f"{column} IN ({_in(new)})")])


def bank_and_regulator_roles(db) -> None:
    """Banks (organisations whose ``bank`` users see the carbon accounts of producers that
    consent, and price loans on them) and regulators (organisations whose ``regulator``
    users read everything and record findings) join the roles and organisation kinds."""
    _widen(db, "organisations", "kind", ORG_KINDS, ORG_KINDS_OF_MIGRATION_13)
    _widen(db, "users", "role", ROLES, ROLES_OF_MIGRATION_13)


def log_records(db) -> None:
    """The transparency log also proves decisions that are not labels (a loan priced, grade
    bands changed, a supervision finding made final): a ``record`` leaf names what it records
    and the SHA-256 of the signed document, and is filed under no label."""
    _rebuild(db, "log_entries", [
        ("kind IN ('issue', 'supersede', 'revoke')",
         "kind IN ('issue', 'supersede', 'revoke', 'record')"),
        ("label_id TEXT NOT NULL REFERENCES labels(id)",
         "label_id TEXT REFERENCES labels(id)"),
    ])


def carbon_accounts(db) -> None:
    """Enterprise carbon accounts: each product's declared annual production (in the
    product's declared unit), the baseline year a producer chose, and the account's own audit
    trail (who declared what, when; the value before and after)."""
    _statements(db, """
    CREATE TABLE declared_production (
        product_id INTEGER NOT NULL REFERENCES products(id),
        year INTEGER NOT NULL,
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        amount REAL NOT NULL CHECK (amount >= 0),
        unit TEXT NOT NULL,                  -- the product's declared unit (kg, t, piece ...)
        declared_by INTEGER REFERENCES users(id),
        declared_at TEXT NOT NULL,
        PRIMARY KEY (product_id, year)
    );
    CREATE INDEX declared_production_org ON declared_production(org_id, year);
    CREATE TABLE carbon_account_settings (
        org_id INTEGER PRIMARY KEY REFERENCES organisations(id),
        baseline_year INTEGER,               -- NULL: the first year with verified footprints
        updated_by INTEGER REFERENCES users(id),
        updated_at TEXT NOT NULL
    );
    CREATE TABLE carbon_account_events (
        id INTEGER PRIMARY KEY,
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        actor_id INTEGER REFERENCES users(id),
        action TEXT NOT NULL,                -- declare-production, set-baseline
        product_id INTEGER REFERENCES products(id),
        year INTEGER,
        before_json TEXT,
        after_json TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX carbon_account_events_org ON carbon_account_events(org_id, id);
    """)


def banks_consents_and_loans(db) -> None:
    """Banks see a producer's carbon account only while it consents (``consents``: one row
    per grant, closed by its revocation; ``consent_events``: who granted or revoked, when);
    a bank's loan products (``loan_products``: the base rate and the rules, checked, as
    JSON); and each loan it priced (``loan_decisions``: the figures, the signed document and
    its record leaf in the transparency log)."""
    _statements(db, """
    CREATE TABLE consents (
        id INTEGER PRIMARY KEY,
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        bank_org_id INTEGER NOT NULL REFERENCES organisations(id),
        granted_by INTEGER REFERENCES users(id),
        granted_at TEXT NOT NULL,
        revoked_by INTEGER REFERENCES users(id),
        revoked_at TEXT
    );
    CREATE UNIQUE INDEX consents_open ON consents(org_id, bank_org_id)
        WHERE revoked_at IS NULL;
    CREATE INDEX consents_of_bank ON consents(bank_org_id) WHERE revoked_at IS NULL;
    CREATE TABLE consent_events (
        id INTEGER PRIMARY KEY,
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        bank_org_id INTEGER NOT NULL REFERENCES organisations(id),
        action TEXT NOT NULL CHECK (action IN ('grant', 'revoke')),
        actor_id INTEGER REFERENCES users(id),
        at TEXT NOT NULL
    );
    CREATE INDEX consent_events_of_org ON consent_events(org_id);
    CREATE TABLE loan_products (
        id INTEGER PRIMARY KEY,
        bank_org_id INTEGER NOT NULL REFERENCES organisations(id),
        name TEXT NOT NULL,
        base_rate_name TEXT NOT NULL,
        terms_json TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        UNIQUE (bank_org_id, name)
    );
    CREATE TABLE loan_decisions (
        id INTEGER PRIMARY KEY,
        bank_org_id INTEGER NOT NULL REFERENCES organisations(id),
        loan_product_id INTEGER NOT NULL REFERENCES loan_products(id),
        borrower_org_id INTEGER NOT NULL REFERENCES organisations(id),
        product_id INTEGER REFERENCES products(id),
        year INTEGER NOT NULL,
        principal TEXT NOT NULL,
        base_rate_bp INTEGER NOT NULL,
        cut_bp INTEGER NOT NULL,
        rate_bp INTEGER NOT NULL,
        interest_saved TEXT NOT NULL,
        subsidy TEXT NOT NULL,
        total_benefit TEXT NOT NULL,
        explanation_json TEXT NOT NULL,
        document BLOB NOT NULL,
        log_index INTEGER NOT NULL,
        priced_by INTEGER REFERENCES users(id),
        priced_at TEXT NOT NULL
    );
    CREATE INDEX loan_decisions_of_bank ON loan_decisions(bank_org_id);
    CREATE INDEX loan_decisions_of_borrower ON loan_decisions(borrower_org_id);
    """)


def peer_platforms(db) -> None:
    """Other regions' platforms this one watches (docs/peers.md): what was pinned on first
    contact and last accepted of each (its own trust-list entries, its log checkpoint, its
    revocations and public findings), this platform's cosignature of each checkpoint it
    accepted as a witness, the cosignatures of our own checkpoints a peer made, and a
    report of every sync (kept by URL, so it outlives the peer's removal)."""
    _statements(db, """
    CREATE TABLE peers (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        origin TEXT NOT NULL UNIQUE,
        trust_entries TEXT NOT NULL,
        witness_name TEXT,
        witness_key TEXT,
        ca_file TEXT,
        state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'refused', 'inconsistent')),
        added_at TEXT NOT NULL,
        last_attempt_at TEXT,
        last_synced_at TEXT,
        checkpoint TEXT,
        checkpoint_size INTEGER,
        findings TEXT
    );
    CREATE TABLE peer_revocations (
        peer_id INTEGER NOT NULL REFERENCES peers(id),
        label_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        revoked_at TEXT NOT NULL,
        PRIMARY KEY (peer_id, label_id)
    );
    CREATE TABLE peer_checkpoints (
        id INTEGER PRIMARY KEY,
        peer_id INTEGER NOT NULL REFERENCES peers(id),
        size INTEGER NOT NULL,
        root TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        cosignature TEXT NOT NULL,
        cosigned_at TEXT NOT NULL
    );
    CREATE INDEX peer_checkpoints_by_peer ON peer_checkpoints(peer_id, size);
    CREATE TABLE peer_witnessed (
        id INTEGER PRIMARY KEY,
        peer_id INTEGER NOT NULL REFERENCES peers(id),
        size INTEGER NOT NULL,
        root TEXT NOT NULL,
        witness_name TEXT NOT NULL,
        cosigned TEXT NOT NULL,
        cosigned_at TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        UNIQUE (peer_id, size, root)
    );
    CREATE TABLE peer_events (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('added', 'synced', 'refused', 'inconsistent',
                                           'removed')),
        problems TEXT NOT NULL DEFAULT '[]',
        evidence TEXT
    );
    CREATE INDEX peer_events_by_url ON peer_events(url, id);
    """)

def _registry_row(label: str) -> str:
    """The registry's row of the label ``label`` (NEW in a trigger, the table in a backfill),
    selected FROM products p: the rest of the statement names the product."""
    def claim(path):
        return f"json_extract({label}.claims_json, '$.{path}')"
    return f"""INSERT OR REPLACE INTO registry_labels (seq, label_id, product_id, org_id,
            verifier_org_id, name_zh, name_en, org_name, verifier_name, gtin, category, region,
            declared_unit, declared_amount, value, per_unit, grade, issued_at, expires_at,
            ended, superseded_by, revoked_at, revocation_reason)
        SELECT {label}.rowid, {label}.id, {label}.product_id, p.org_id, {claim('verifier')},
            {claim('product_name_zh')}, {claim('product_name_en')}, {claim('producer_name')},
            {claim('verifier_name')}, p.gtin, {claim('category')}, {claim('region')},
            {claim('declared_unit.unit')}, {claim('declared_unit.amount')}, {claim('value')},
            CASE WHEN {claim('declared_unit.amount')} > 0
                 THEN {claim('value')} / {claim('declared_unit.amount')} END,
            {claim('grade')}, {label}.issued_at, {label}.expires_at,
            CASE WHEN {label}.revoked_at IS NOT NULL THEN 'revoked'
                 WHEN {label}.superseded_by IS NOT NULL THEN 'superseded' END,
            {label}.superseded_by, {label}.revoked_at, {label}.revocation_reason
        FROM products p"""


# what the registry's search reads: names, organisation, GTIN and label id, one text
_REGISTRY_SEARCH_ROW = """INSERT OR REPLACE INTO registry_search (rowid, text)
        SELECT seq, coalesce(name_zh, '') || ' ' || coalesce(name_en, '') || ' ' ||
            coalesce(org_name, '') || ' ' || coalesce(gtin, '') || ' ' || label_id
        FROM registry_labels"""


def registry_and_benchmark_bands(db) -> None:
    """The public registry (公开目录) and grade bands derived from verified data.

    ``registry_labels`` is a read model of ``labels``: one row per issued label with what the
    registry filters, searches and shows (names, organisation, accounting body, category,
    region, grade, state), kept by triggers so that every way a label is written (or a row
    removed) keeps it,
    ordered by ``seq`` (the label's rowid: issuance order) for stable keyset pages. Its state
    columns repeat the labels table's, which the log's monitor holds to the log.
    ``registry_search`` is an FTS5 trigram index of the searchable text: LIKE '%橙%' needs no
    word breaking of Chinese, and patterns of three characters or more use the index.
    ``grade_band_versions`` holds every adoption of benchmark bands for a category and
    declared unit: who adopted them, when, on what distribution, the signed document and
    its leaf in the transparency log."""
    _statements(db, f"""
    CREATE TABLE registry_labels (
        seq INTEGER PRIMARY KEY,              -- labels.rowid: issuance order
        label_id TEXT NOT NULL UNIQUE,        -- labels.id: follows it, never holds it
        product_id INTEGER NOT NULL,
        org_id INTEGER NOT NULL,
        verifier_org_id INTEGER,
        name_zh TEXT,
        name_en TEXT,
        org_name TEXT,
        verifier_name TEXT,
        gtin TEXT,
        category TEXT,
        region TEXT,
        declared_unit TEXT,
        declared_amount REAL,
        value REAL,                           -- kg CO2e for the declared amount, as signed
        per_unit REAL,                        -- value / declared_amount
        grade TEXT,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended TEXT,                           -- 'revoked', 'superseded' or NULL
        superseded_by TEXT,
        revoked_at TEXT,
        revocation_reason TEXT
    );
    CREATE INDEX registry_by_region ON registry_labels(region, seq);
    CREATE INDEX registry_by_category ON registry_labels(category, seq);
    CREATE INDEX registry_by_org ON registry_labels(org_id, seq);
    CREATE INDEX registry_by_product ON registry_labels(product_id, seq);
    CREATE INDEX registry_by_verifier ON registry_labels(verifier_org_id, seq);
    CREATE INDEX registry_by_grade ON registry_labels(grade, seq);
    -- by state: ended (revoked, superseded or NULL) in issuance order, the expiry beside it
    -- so that valid and expired labels are told apart in the index
    CREATE INDEX registry_by_ended ON registry_labels(ended, seq, expires_at);
    -- the benchmarks: current labels' values per declared unit, in order, per category
    CREATE INDEX registry_current
        ON registry_labels(category, declared_unit, per_unit, expires_at) WHERE ended IS NULL;
    CREATE VIRTUAL TABLE registry_search USING fts5(text, tokenize = 'trigram');
    CREATE TRIGGER registry_label_issued AFTER INSERT ON labels BEGIN
        {_registry_row('NEW')} WHERE p.id = NEW.product_id;
        {_REGISTRY_SEARCH_ROW} WHERE seq = NEW.rowid;
    END;
    CREATE TRIGGER registry_label_ended
        AFTER UPDATE OF superseded_by, revoked_at, revocation_reason ON labels BEGIN
        UPDATE registry_labels SET
            ended = CASE WHEN NEW.revoked_at IS NOT NULL THEN 'revoked'
                         WHEN NEW.superseded_by IS NOT NULL THEN 'superseded' END,
            superseded_by = NEW.superseded_by, revoked_at = NEW.revoked_at,
            revocation_reason = NEW.revocation_reason
        WHERE label_id = NEW.id;
    END;
    CREATE TRIGGER registry_label_deleted AFTER DELETE ON labels BEGIN
        DELETE FROM registry_search WHERE rowid = OLD.rowid;
        DELETE FROM registry_labels WHERE label_id = OLD.id;
    END;
    CREATE TABLE grade_band_versions (
        id INTEGER PRIMARY KEY,
        category TEXT NOT NULL,
        declared_unit TEXT NOT NULL,
        version INTEGER NOT NULL,             -- 1, 2 ... per category and declared unit
        bands_json TEXT NOT NULL,             -- [[grade, up_to or null], ...]
        n INTEGER NOT NULL,                   -- verified products the benchmark counts
        as_of TEXT NOT NULL,                  -- the benchmark's day, YYYY-MM-DD
        distribution_json TEXT NOT NULL,      -- n, quartiles, cut points, quantile method
        document BLOB NOT NULL,               -- sign_document("grade-bands", ...)
        log_index INTEGER NOT NULL,           -- its record leaf in the transparency log
        adopted_by INTEGER REFERENCES users(id),
        adopted_at TEXT NOT NULL,
        UNIQUE (category, declared_unit, version)
    );
    """)
    # the labels issued before this migration, in issuance order
    db.execute(f"{_registry_row('labels')} JOIN labels ON p.id = labels.product_id "
               "ORDER BY labels.rowid")
    db.execute(_REGISTRY_SEARCH_ROW)
def qualifications_and_findings(db) -> None:
    """Qualified accounting bodies and credit supervision.

    ``qualifications``: an accounting body's accreditation (its number, the categories it may
    verify as a JSON array, the first and last day it holds, both inclusive, in the
    platform's time zone), as an administrator recorded it. ``findings``: what a regulator
    found about a firm or an accounting body, with its workflow state, the subject's response
    and one appeal, the labels it names, and once final its signed document and log leaf;
    ``finding_files`` the evidence files. ``supervision_events``: every step of either, who,
    when, from which state to which, and why. The word lists are this migration's own, frozen
    here."""
    _statements(db, """
    CREATE TABLE qualifications (
        id INTEGER PRIMARY KEY,
        org_id INTEGER NOT NULL REFERENCES organisations(id),
        number TEXT NOT NULL,
        categories TEXT NOT NULL,            -- JSON array of category ids
        valid_from TEXT NOT NULL,            -- YYYY-MM-DD, inclusive
        valid_until TEXT NOT NULL,           -- YYYY-MM-DD, inclusive
        recorded_by INTEGER REFERENCES users(id),
        recorded_at TEXT NOT NULL,
        CHECK (valid_from <= valid_until)
    );
    CREATE INDEX qualifications_org ON qualifications(org_id, valid_until);
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        subject_org_id INTEGER NOT NULL REFERENCES organisations(id),
        type TEXT NOT NULL CHECK (type IN ('falsified_data', 'unqualified_verification',
                                           'misleading_claim', 'other')),
        severity TEXT NOT NULL CHECK (severity IN ('general', 'serious', 'severe')),
        summary TEXT NOT NULL,
        evidence TEXT NOT NULL,
        public INTEGER NOT NULL CHECK (public IN (0, 1)),
        labels TEXT NOT NULL DEFAULT '[]',   -- JSON array of the label ids it names
        state TEXT NOT NULL CHECK (state IN ('draft', 'notified', 'final', 'corrected')),
        response TEXT,
        appeal TEXT,
        created_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        final_at TEXT,
        document BLOB,                       -- the signed finding (COSE_Sign1), once final
        log_index INTEGER                    -- its record leaf in the transparency log
    );
    CREATE INDEX findings_subject ON findings(subject_org_id, state);
    CREATE INDEX findings_public ON findings(final_at) WHERE state = 'final' AND public = 1;
    CREATE TABLE finding_files (
        id INTEGER PRIMARY KEY,
        finding_id INTEGER NOT NULL REFERENCES findings(id),
        filename TEXT NOT NULL,
        media_type TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        content BLOB NOT NULL,
        added_by INTEGER REFERENCES users(id),
        added_at TEXT NOT NULL
    );
    CREATE INDEX finding_files_finding ON finding_files(finding_id);
    CREATE TABLE supervision_events (
        id INTEGER PRIMARY KEY,
        finding_id INTEGER REFERENCES findings(id),
        qualification_id INTEGER REFERENCES qualifications(id),
        actor_id INTEGER REFERENCES users(id),  -- NULL: the operator at the command line
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        reason TEXT,
        at TEXT NOT NULL,
        CHECK ((finding_id IS NULL) != (qualification_id IS NULL))
    );
    CREATE INDEX supervision_events_finding ON supervision_events(finding_id);
    CREATE INDEX supervision_events_qualification ON supervision_events(qualification_id);
    """)



def labels_by_issue(db) -> None:
    """Lists of labels (the PACT host's pages) read them in the order they were issued, a
    page at a time, without sorting the whole table for each."""
    _statements(db, """
    CREATE INDEX labels_issued ON labels(issued_at, id);
    """)


def log_nodes(db) -> None:
    """The hash of every perfect subtree of the log (2**height leaves, height >= 1, the
    i-th of its height), written as appending closes it, so a root or proof reads O(log n)
    hashes instead of every leaf. Filled here from the leaves already logged (RFC 6962
    hashing, written out as it was when this shipped)."""
    _statements(db, """
    CREATE TABLE log_nodes (
        height INTEGER NOT NULL,
        i INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (height, i)
    ) WITHOUT ROWID;
    CREATE TRIGGER log_nodes_append_only_update BEFORE UPDATE ON log_nodes
        BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
    CREATE TRIGGER log_nodes_append_only_delete BEFORE DELETE ON log_nodes
        BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
    """)
    stack: list[bytes] = []
    rows = []
    for index, leaf in db.execute("SELECT idx, leaf_hash FROM log_entries ORDER BY idx"):
        height, node, i = 0, bytes(leaf), index
        while i & 1:
            node = hashlib.sha256(b"\x01" + stack.pop() + node).digest()
            height, i = height + 1, i >> 1
            rows.append((height, i, node))
        stack.append(node)
    db.conn.executemany("INSERT INTO log_nodes (height, i, hash) VALUES (?, ?, ?)", rows)


MIGRATIONS = [
    (1, "initial schema", initial_schema),
    (2, "labels and transparency log", labels_and_log),
    (3, "footprints and recalculation", footprints_and_recalculation),
    (4, "organisation credit codes", organisation_credit_codes),
    (5, "sessions and throttling", sessions_and_throttling),
    (6, "log lookups by label", log_lookups),
    (7, "supplier label inputs", supplier_label_inputs),
    (8, "footprint ranges", footprint_ranges),
    (9, "suppliers' PACT footprints", pact_inputs),
    (10, "products by GTIN", products_by_gtin),
    (11, "PACT clients and tokens", pact_clients),
    (12, "PACT outbox", pact_outbox),
    (13, "bank and regulator roles", bank_and_regulator_roles),
    (14, "records in the transparency log", log_records),
    (15, "enterprise carbon accounts", carbon_accounts),
    (16, "banks, consents and loans", banks_consents_and_loans),
    (17, "public registry and benchmark grade bands", registry_and_benchmark_bands),
    (18, "qualifications and findings", qualifications_and_findings),
    (19, "peer platforms", peer_platforms),
    (20, "labels in the order they were issued", labels_by_issue),
    (21, "the log's perfect subtrees", log_nodes),
]


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
                                            "applied_at": clock.stamp()})
        done.append((version, name))
    return done
