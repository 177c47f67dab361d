"""The service's tables in SQLite (sqlite-utils), or in PostgreSQL when FOOTPRINT_DATABASE_URL
names one (psycopg 3; docs/postgresql.md). Each module reads and writes its own tables
and returns records; nothing here decides who may do what (footprint.usecases does) or
imports anything of the core above it (the import contracts hold it so).

    db            connect (WAL, busy timeout; or PostgreSQL), transaction, snapshot
    postgres      the store's calls (sqlite-utils' few) answered on PostgreSQL
    bulk          many rows at once: executemany on SQLite, COPY on PostgreSQL
    migrations    numbered, frozen schema migrations, for both engines
    accounts      organisations, users, api_tokens
    submissions   products, submissions (records carry the parsed BOM)
    results       the full result of each revision
    review        comments, evidence
    audit         audit_events
    footprints    footprints, data_versions, row_keys, compiled_boms
    labels        labels
    log           log_entries, log_checkpoints_seen
    recalc_runs   recalc_runs, recalc_items and the staging of a chunk
    security      sessions, throttles, security_events
    pact_inputs   pact_inputs (suppliers' PACT footprints imported as BOM inputs)
    pact          pact_clients, pact_tokens, the rows a PACT footprint is read from
    pact_outbox   pact_outbox (PACT answers owed to requesters, until delivered or given up)

Every multi-row change runs in ``transaction(db)``; every value is a bound parameter; table
and column names come only from this package's code.
"""
from .db import connect, database_path, transaction

__all__ = ["connect", "database_path", "transaction"]
