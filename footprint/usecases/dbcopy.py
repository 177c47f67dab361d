"""Moving a platform's database to the other engine, and verifying the copy
(``footprint db copy``, docs/postgresql.md "Moving up").

``copy_platform(home, to)`` copies the platform's database (FOOTPRINT_DATABASE_URL's, else
FOOTPRINT_HOME's file) to ``to``: a ``postgresql://`` URL, or ``sqlite:///PATH`` / a ``.db``
path for the reverse (a snapshot of a PostgreSQL platform in one file). The source is read
in one snapshot and never written; the target is written in one transaction (its
migrations too, when it has none yet), tables referenced first, rows in batches
(footprint.store.copying), or not at all. Refused, before anything is written: a URL that
is neither, the source itself, a source with pending migrations, a target that holds rows
or stands at other migrations.

``verify_copy(copy_db, home, manifest)`` holds a copy to what was read of the source in
that snapshot (the ``Manifest``): the row count of every table; the copy at the same
migrations; the log's root recomputed from the copy's entries equal to the root of the
checkpoint signed by the platform key over the source (its signature verified), the
copy's log checked as ``footprint log verify`` checks it (leaves, subtrees, labels'
columns, every checkpoint the home has seen); every label's signature against the trust
list, its inclusion proof from the copy's stored subtrees against that root, and its
revocation state as in the source; on PostgreSQL each identity column's next id after the
copied ones. ``verify_against(home, copy)`` does the same against the platform as it is
now, for an operator who checks a copy made earlier (the platform stopped meanwhile).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Conflict, InvalidInput, Message, Problem
from ..labels import LabelInvalid, verify_held
from ..labels.keys import own_entries, trust_list
from ..store import copying
from ..store import labels as stored_labels
from ..store import log as stored_log
from ..store.db import (POSTGRESQL, connect, database_errors, database_location,
                        defer_foreign_keys, dialect, is_postgresql_url, snapshot,
                        transaction)
from ..store.migrations import MIGRATIONS, applied, migrate
from ..translog import merkle
from ..translog.checkpoint import parse_checkpoint
from ..translog.log import b64
from ..translog.monitor import LogRewritten, verify_log
from .transparency import checkpoint, seen_records, signed_by

SQLITE_URL = "sqlite:///"
MAX_SHOWN = 20  # problems shown per check; the rest counted


# -- where to ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    location: Path | str  # a SQLite file, or a PostgreSQL URL
    named: str            # how messages name it: a URL without its password

    @property
    def postgresql(self) -> bool:
        return not isinstance(self.location, Path)


def without_password(url: str) -> str:
    """A URL as messages show it: a password (``user:password@``) masked, even in a URL
    mistyped around it."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*:/*[^:@/]*):[^@/]*@", r"\1:***@", url)


def parse_target(to: str) -> Target:
    """The target named by ``--to``; InvalidInput for anything else than a postgresql://
    URL, sqlite:///PATH or a PATH ending in .db."""
    to = (to or "").strip()
    if is_postgresql_url(to):
        return Target(to, without_password(to))
    path = to[len(SQLITE_URL):] if to.startswith(SQLITE_URL) else to
    if path.endswith(".db") and "://" not in path:
        return Target(Path(path), path)
    raise InvalidInput([Problem("--to", Message(
        "must be a postgresql:// URL, sqlite:///PATH or a PATH ending in .db, not %(given)s",
        given=without_password(to)[:80]))])


def _named(location) -> str:
    return str(location) if isinstance(location, Path) else without_password(location)


# -- what the copy must hold ------------------------------------------------------------------

@dataclass(frozen=True)
class Manifest:
    """What was read of the source in the copy's snapshot."""

    counts: dict[str, int]
    migrations: tuple[int, ...]
    size: int                      # the log's size ...
    root: bytes                    # ... and root, as the checkpoint signs them
    note: str | None               # the checkpoint signed by the platform key; None without
    labels: dict[str, tuple]       # label id -> (revoked_at, revocation_reason, superseded_by)


def _state(row: dict) -> tuple:
    return row["revoked_at"], row["revocation_reason"], row["superseded_by"]


def manifest(db, home: Path) -> Manifest:
    """The source's manifest; call inside ``snapshot(db)`` so that it is one state."""
    signed = checkpoint(db, home)
    return Manifest(copying.row_counts(db, copying.tables(db)), tuple(sorted(applied(db))),
                    signed.size, signed.root, signed.note,
                    {label_id: _state(row) for label_id, row in
                     stored_labels.index(db).items()})


# -- the copy ---------------------------------------------------------------------------------

@dataclass
class CopyReport:
    source: str
    target: str
    manifest: Manifest
    written: dict[str, int]  # table -> rows written, in the order written
    migrated: bool           # the target's migrations were run by the copy
    seconds: float


def _open_source(location):
    if isinstance(location, Path) and not location.exists():
        raise Conflict(Message("there is no database at %(where)s",
                               where=str(location)))
    try:
        db = connect(location)
    except database_errors() as exc:
        raise Conflict(Message("cannot open the platform's database: %(reason)s",
                               reason=str(exc).strip())) from None
    behind = [v for v, _name, _apply in MIGRATIONS if v not in applied(db)]
    unknown = sorted(applied(db) - {v for v, _name, _apply in MIGRATIONS})
    if behind or unknown:
        db.close()
        if unknown:
            raise Conflict(Message("the platform's database has migrations %(versions)s that "
                                   "this version of footprint does not know: copy it with "
                                   "the version that made them", versions=unknown))
        raise Conflict(Message("the platform's database needs migrations %(versions)s: run "
                               "`footprint db migrate` before copying it", versions=behind))
    return db


def _open_target(target: Target):
    if not target.postgresql:
        folder = target.location.absolute().parent
        if not folder.is_dir():
            raise InvalidInput([Problem("--to", Message(
                "the folder %(folder)s does not exist", folder=str(folder)))])
    try:
        return connect(target.location)
    except database_errors() as exc:
        raise Conflict(Message("cannot open the target %(target)s: %(reason)s",
                               target=target.named, reason=str(exc).strip())) from None


def _target_is_new(db, source_tables: list[str], target: Target) -> bool:
    """True when the target has no tables (the copy migrates it), False when it is migrated
    as the source is and empty; Conflict otherwise."""
    present = copying.tables(db)
    if not present:
        return True
    done = applied(db)
    known = {v for v, _name, _apply in MIGRATIONS}
    if done != known:
        raise Conflict(Message("the target %(target)s has tables but stands at migrations "
                               "%(versions)s, not at %(expected)s: give an empty database",
                               target=target.named, versions=sorted(done),
                               expected=max(known)))
    if sorted(present) != sorted(source_tables):
        raise Conflict(Message("the target %(target)s has other tables than the platform: "
                               "%(tables)s", target=target.named,
                               tables=sorted(set(present) ^ set(source_tables))))
    full = copying.has_rows(db, [t for t in present if t not in copying.OWN])
    if full:
        raise Conflict(Message("the target %(target)s is not empty: %(tables)s hold rows; "
                               "copy into an empty database", target=target.named,
                               tables=full))
    return False


def _same(location, target: Target) -> bool:
    if isinstance(location, Path) and not target.postgresql:
        return location.absolute().resolve() == target.location.absolute().resolve()
    return location == target.location


def copy_platform(home: Path, to: str) -> CopyReport:
    """Copy the platform's database to ``to`` (see the module's docstring)."""
    target = parse_target(to)
    location = database_location(home)
    if _same(location, target):
        raise Conflict(Message("the target is the platform's own database"))
    if isinstance(location, Path) and not target.postgresql:
        raise Conflict(Message("the platform and the target are both SQLite files: "
                               "`footprint db backup PATH` copies one"))
    created = not target.postgresql and not target.location.exists()
    started = time.monotonic()
    source = _open_source(location)
    db = None
    try:
        db = _open_target(target)
        with snapshot(source):
            names = copying.tables(source)
            new = _target_is_new(db, names, target)
            read = manifest(source, home)
            written = {}
            with transaction(db):
                if new:
                    migrate(db)  # nested: savepoints of this transaction
                defer_foreign_keys(db)
                for table in copying.dependency_order(source, copying.copied(names)):
                    try:
                        columns = copying.shared_columns(source, db, table)
                    except ValueError as exc:
                        raise Conflict(Message("the target's tables differ from the "
                                               "platform's: %(reason)s",
                                               reason=str(exc))) from None
                    written[table] = copying.write_batches(
                        db, table, columns, copying.read_batches(source, table, columns))
                copying.continue_identities(db)
    except BaseException as exc:
        if db is not None:
            db.close()
        if created:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target.location}{suffix}").unlink(missing_ok=True)
        if isinstance(exc, database_errors()):  # a row the target refuses, a server gone
            raise Conflict(Message("the copy failed and nothing of it was kept: %(reason)s",
                                   reason=str(exc).strip())) from exc
        raise
    finally:
        source.close()
    db.close()
    return CopyReport(_named(location), target.named, read, written, new,
                      time.monotonic() - started)


# -- the verification -------------------------------------------------------------------------

@dataclass
class Check:
    name: Message                                  # what is checked
    passed: Message                                # what holds, when it does
    problems: list = field(default_factory=list)   # Messages or monitor text; none: passed

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Verification:
    counts: list[tuple[str, int | None, int | None]]  # table, in the source, in the copy
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _counts(db, expected: dict[str, int]) -> tuple[list, Check]:
    found = copying.row_counts(db, copying.tables(db))
    rows = [(t, expected.get(t), found.get(t)) for t in sorted(set(expected) | set(found))]
    check = Check(Message("row counts"), Message("every table holds as many rows as in the "
                                                 "source (%(tables)s tables)",
                                                 tables=len(rows)))
    for table, source, copy in rows:
        if source != copy:
            check.problems.append(Message("table %(table)s: %(source)s rows in the source, "
                                          "%(copy)s in the copy", table=table,
                                          source="-" if source is None else source,
                                          copy="-" if copy is None else copy))
    return rows, check


def _migrations(db, expected: tuple[int, ...]) -> Check:
    found = tuple(sorted(applied(db)))
    check = Check(Message("migrations"), Message("the copy stands at migration %(version)s, "
                                                 "as the source does",
                                                 version=max(expected, default=0)))
    if found != expected:
        check.problems.append(Message("the copy has migrations %(copy)s, the source "
                                      "%(source)s", copy=list(found), source=list(expected)))
    return check


def _log(db, home: Path, expected: Manifest) -> Check:
    signer = expected.note and signed_by(expected.note, own_entries(home))
    check = Check(Message("transparency log"), Message(
        "the root of the first %(size)s leaves, recomputed from the copy's entries, is the "
        "signed checkpoint's %(root)s; the signature verifies with the platform key %(key)s",
        size=expected.size, root=b64(expected.root), key=signer or "-"))
    if expected.note is None:
        if expected.size:
            check.problems.append(Message("no checkpoint signed by the platform key: "
                                          "FOOTPRINT_HOME has no issuer key"))
    elif signer is None:
        check.problems.append(Message("the checkpoint does not verify with the platform's "
                                      "keys"))
    elif (parse_checkpoint(expected.note).size, parse_checkpoint(expected.note).root) != \
            (expected.size, expected.root):
        check.problems.append(Message("the signed checkpoint says other than the source's "
                                      "log"))
    leaves = [merkle.leaf_hash(entry) for _i, _k, _l, entry, _s in stored_log.leaves(db)]
    if len(leaves) < expected.size:
        check.problems.append(Message("the copy's log has %(found)s leaves, the checkpoint "
                                      "%(size)s", found=len(leaves), size=expected.size))
    elif merkle.root(leaves[:expected.size]) != expected.root:
        check.problems.append(Message("the root recomputed from the copy's entries is "
                                      "%(found)s, not the checkpoint's %(root)s",
                                      found=b64(merkle.root(leaves[:expected.size])),
                                      root=b64(expected.root)))
    try:  # leaves, subtrees, the labels' columns, the checkpoints the home has seen
        verify_log(db, record=False, seen=seen_records(home))
    except LogRewritten as exc:
        check.problems.extend(exc.problems)
    return check


def _stored_subtrees(db, size: int) -> dict[tuple[int, int], bytes]:
    nodes = {(0, idx): leaf for idx, leaf in stored_log.leaf_hashes(db, size)}
    nodes.update(((height, i), bytes(node)) for height, i, node in stored_log.nodes(db))
    return nodes


def _labels(db, home: Path, expected: Manifest) -> Check:
    labels = stored_labels.index(db)
    check = Check(Message("labels"), Message(
        "%(count)s labels re-verify: the signature against the trust list, the inclusion "
        "proof against the checkpoint's root, the revocation state as in the source",
        count=len(labels)))
    trust, nodes = trust_list(home), _stored_subtrees(db, expected.size)
    for label_id, row in sorted(labels.items()):
        try:
            claims, _expired = verify_held(row["cose"], trust)
            if claims.get("id") != label_id:
                check.problems.append(Message("label %(id)s signs the id %(signed)s",
                                              id=label_id, signed=claims.get("id")))
        except LabelInvalid as exc:
            check.problems.append(Message("label %(id)s does not verify against the "
                                          "trust list: %(reason)s", id=label_id,
                                          reason=exc.reason))
        index = row["log_index"]
        try:
            leaf, _root, path = merkle.answer("inclusion", nodes, index, expected.size)
            included = leaf == merkle.leaf_hash(row["cose"]) and merkle.verify_inclusion(
                index, expected.size, leaf, path, expected.root)
        except (KeyError, ValueError):  # a subtree missing, or an index beyond the tree
            included = False
        if not included:
            check.problems.append(Message("label %(id)s: no inclusion proof at leaf %(index)s "
                                          "leads to the checkpoint's root", id=label_id,
                                          index=index))
        if expected.labels.get(label_id) != _state(row):
            check.problems.append(Message("label %(id)s: revoked or superseded otherwise than "
                                          "in the source", id=label_id))
    for label_id in sorted(set(expected.labels) - set(labels)):
        check.problems.append(Message("label %(id)s is missing from the copy", id=label_id))
    return check


def _identities(db) -> Check:
    found = copying.identities(db)
    check = Check(Message("identities"), Message(
        "new rows are numbered after the copied ones (%(count)s identity columns)",
        count=len(found)) if dialect(db) == POSTGRESQL else Message(
        "new rows are numbered after the copied ones (SQLite's rowids)"))
    for table, column, largest, following in found:
        if following <= largest:
            check.problems.append(Message("%(table)s.%(column)s: the next id is %(next)s, "
                                          "the largest copied %(largest)s", table=table,
                                          column=column, next=following, largest=largest))
    return check


def verify_copy(db, home: Path, expected: Manifest) -> Verification:
    """Hold the copy ``db`` to ``expected`` (see the module's docstring); every check runs,
    each with every problem it finds."""
    with snapshot(db):
        counts, rows = _counts(db, expected.counts)
        checks = [rows, _migrations(db, expected.migrations), _log(db, home, expected),
                  _labels(db, home, expected), _identities(db)]
    return Verification(counts, checks)


def verify_copy_at(home: Path, copy: str, expected: Manifest) -> Verification:
    """``verify_copy`` of the copy ``copy`` names (as ``--to`` does)."""
    target = parse_target(copy)
    if not target.postgresql and not target.location.exists():
        raise Conflict(Message("there is no database at %(where)s",
                               where=str(target.location)))
    db = _open_target(target)
    try:
        return verify_copy(db, home, expected)
    finally:
        db.close()


def verify_against(home: Path, copy: str) -> Verification:
    """Verify the copy ``copy`` names against the platform as it is now: right after a
    copy, or with the platform stopped since."""
    source = _open_source(database_location(home))
    try:
        with snapshot(source):
            expected = manifest(source, home)
    finally:
        source.close()
    return verify_copy_at(home, copy, expected)
