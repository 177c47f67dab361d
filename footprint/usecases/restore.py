"""Restoring a platform from a backup (footprint.archive), into an empty home only, and
proving the copy works before it is used: SQLite's integrity check, the migration level, every
label re-verified, the log's root, the monitor, the checkpoints.

A backup of a PostgreSQL platform (pg_dump) is restored with pg_restore into the empty
database FOOTPRINT_DATABASE_URL names, the home's files into the empty home; when a check
fails, what pg_restore made is dropped again, so the database is as empty as it was.

    report = restore(archive, new_home, passphrase)   # into an empty home, then the checks
    report = check(archive, passphrase)               # a restore into a temporary folder
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock
from ..archive import PG_DUMP, Archive, BackupError, fsync_directory
from ..errors import Conflict, FootprintError, InvalidInput, Message, Problem
from ..files import check_file, check_writable
from ..labels import LabelInvalid, verify_held
from ..labels.errors import KeyStoreError
from ..labels.keys import current_key, own_entries, own_issuers, trust_list
from ..labels.times import epoch
from ..store import labels as store_labels
from ..store import pgdump
from ..store.db import (DATABASE_URL, connect, database_location, database_path,
                        integrity_problems)
from ..store.migrations import MIGRATIONS, applied, migrate
from ..translog import TransparencyLog
from ..translog.log import LogError, b64
from . import transparency

class RestoreFailed(BackupError):
    """The restored home failed a check; ``report`` says which. Nothing was kept."""

    def __init__(self, report: RestoreReport):
        self.report = report
        problems = "\n".join(f"  - {p}" for p in report.problems)
        super().__init__(f"the restored home failed {len(report.problems)} check(s); nothing "
                         f"was restored:\n{problems}")


@dataclass
class RestoreReport:
    home: Path
    manifest: dict
    labels_total: int = 0
    labels_verified: int = 0
    labels_expired: int = 0
    log_size: int = 0
    log_root: str = ""
    migration: int = 0
    migrated: list[tuple[int, str]] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    checkpoint_signed_by: str | None = None
    # Messages, said in the reader's language
    passed: list[Message] = field(default_factory=list)   # the checks that passed, in order
    problems: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)    # true of the platform, not the copy

    @property
    def ok(self) -> bool:
        return not self.problems


# -- restoring -------------------------------------------------------------------------------

def _empty_or_missing(home: Path) -> None:
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise Conflict(Message("%(path)s is not empty: a backup is restored only into an "
                               "empty or new folder, so nothing there is overwritten",
                               path=str(home)))


def check_paths(archive: Path, home: Path | None = None) -> None:
    """``archive`` as a file to read and ``home`` (for a restore) as an empty or new folder
    whose parent takes it: InvalidInput at FILE or --home (Conflict when ``home`` holds
    anything), checked before the passphrase is asked."""
    check_file(archive, "FILE")
    if home is None:
        return
    home = Path(home).absolute()
    if home.exists() and not home.is_dir():
        raise InvalidInput([Problem("--home", Message(
            "%(path)s is a file: name an empty or new folder", path=str(home)))])
    _empty_or_missing(home)
    check_writable(home, "--home")  # the staging folder goes beside it


def _target_database(home: Path, opened: Archive) -> Path | str:
    """Where the archive's database goes: the home's SQLite file, or the empty PostgreSQL
    database FOOTPRINT_DATABASE_URL names; Conflict when the archive and the variable do
    not agree on the engine, or the database holds anything."""
    location = database_location(home)
    if opened.database == PG_DUMP:
        if isinstance(location, Path):
            raise BackupError(Message("%(path)s holds a PostgreSQL database (pg_dump): set "
                                      "%(variable)s to an empty database to restore it into",
                                      path=str(opened.path), variable=DATABASE_URL))
        db = connect(location)
        try:
            found = pgdump.objects(db)
        finally:
            db.close()
        if found:
            kind, name, _ = found[0]
            raise Conflict(Message(
                "the database %(variable)s names is not empty (it holds %(count)s objects, "
                "%(kind)s %(name)s among them): a backup is restored only into an empty "
                "database, so nothing there is overwritten", variable=DATABASE_URL,
                count=len(found), kind=kind, name=name))
    elif not isinstance(location, Path):
        raise BackupError(Message(
            "%(path)s holds a SQLite database, and %(variable)s names a PostgreSQL one: unset "
            "%(variable)s to restore the file into the home (`footprint db copy` moves a "
            "platform to PostgreSQL)", path=str(opened.path), variable=DATABASE_URL))
    return location


@contextmanager
def _database_restored(staging: Path, opened: Archive, location: Path | str,
                       keep: bool = True):
    """On PostgreSQL, pg_restore of the extracted dump into the empty database for the
    block (the dump file itself is not kept in the home); what it made is dropped again when
    the block fails, or, without ``keep``, when it ends. pg_restore runs in one transaction:
    when it fails, it made nothing. A SQLite file needs none of this (it goes with its
    folder)."""
    if opened.database != PG_DUMP:
        yield
        return
    dump = staging / PG_DUMP
    try:
        pgdump.restore(location, dump)
    except pgdump.ToolFailed as exc:
        raise RestoreFailed(RestoreReport(staging, opened.manifest,
                                          problems=[exc.message])) from None
    finally:
        dump.unlink(missing_ok=True)
    try:
        yield
    except BaseException:
        _emptied(location)
        raise
    if not keep:
        _emptied(location)


def _checked(home: Path, opened: Archive, location: Path | str) -> RestoreReport:
    if opened.database != PG_DUMP:
        return check_home(home, opened.manifest)
    report = check_home(home, opened.manifest, location)
    report.passed.insert(0, Message("pg_restore into an empty database (one transaction): ok"))
    return report


def _emptied(location: Path | str) -> None:
    """Drop what a restore made in the PostgreSQL database at ``location``."""
    db = connect(location)
    try:
        pgdump.drop_objects(db)
    finally:
        db.close()


def restore(archive: Path, home: Path, passphrase: str) -> RestoreReport:
    """Restore ``archive`` into ``home`` (empty or new) and run the checks. The files go to a
    folder beside ``home`` first and are moved into place only when every check passes:
    a wrong passphrase, an altered archive or a failed check leave nothing behind (on
    PostgreSQL, what pg_restore made in the empty database is dropped again)."""
    home = Path(home).absolute()
    check_paths(archive, home)
    opened = Archive(archive, passphrase)
    try:
        location = _target_database(home, opened)
        staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.restoring-", dir=home.parent))
        try:
            opened.extract(staging)
            with _database_restored(staging, opened, location):
                report = _checked(staging, opened, location)
                if not report.ok:
                    raise RestoreFailed(report)
                _empty_or_missing(home)  # still: nothing appeared there meanwhile
                os.rename(staging, home)  # replaces an empty folder in one step
                fsync_directory(home.parent)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        opened.close()
    report.home = home
    return report


def check(archive: Path, passphrase: str) -> RestoreReport:
    """Restore ``archive`` into a temporary folder, run the checks, remove the folder: the
    test of a backup that changes nothing. A PostgreSQL backup is restored into the empty
    database FOOTPRINT_DATABASE_URL names, and dropped from it again afterwards."""
    check_paths(archive)
    opened = Archive(archive, passphrase)
    try:
        with tempfile.TemporaryDirectory(prefix="footprint-backup-check-") as folder:
            home = Path(folder) / "home"
            home.mkdir(mode=0o700)
            location = _target_database(home, opened)
            opened.extract(home)
            with _database_restored(home, opened, location, keep=False):
                report = _checked(home, opened, location)
    finally:
        opened.close()
    if not report.ok:
        raise RestoreFailed(report)
    return report


def check_home(home: Path, manifest: dict, location: Path | str | None = None
               ) -> RestoreReport:
    """The checks of a restored home against the manifest it came with: SQLite's integrity
    check, the migration level (a copy from an older footprint is migrated), every stored
    label re-verified against the restored trust list, the log's root at the backed-up size,
    the monitor (``footprint log verify``), the checkpoint signed at backup time, and a new
    checkpoint signed with the restored key. ``location``: the restored database when it is
    not the home's file (a PostgreSQL URL; pg_restore checked what it read)."""
    report = RestoreReport(home, manifest)
    recorded = manifest.get("database", {})
    db = connect(location or database_path(home))
    try:
        if location is None or isinstance(location, Path):
            problems = integrity_problems(db)
            if problems:
                report.problems += [Message("SQLite integrity check: %(problem)s", problem=p)
                                    for p in problems[:20]]
                return report  # nothing else can be trusted on a damaged file
            report.passed.append(Message("SQLite integrity check: ok"))
        if not _migrations(db, recorded, report):
            return report
        _labels(db, home, recorded, report)
        _log(db, home, recorded, report)
    finally:
        db.close()
    return report


def _migrations(db, recorded: dict, report: RestoreReport) -> bool:
    level = max(applied(db), default=0)
    latest = max(version for version, _, _ in MIGRATIONS)
    if level != recorded.get("migration"):
        report.problems.append(Message("migration level %(level)s, the manifest says "
                                       "%(recorded)s", level=level,
                                       recorded=recorded.get("migration")))
        return False
    if level > latest:
        report.problems.append(Message(
            "the database is at migration %(level)s, newer than this footprint knows "
            "(%(latest)s): restore with footprint %(version)s or later", level=level,
            latest=latest, version=report.manifest.get("footprint_version")))
        return False
    report.migrated = migrate(db)  # what `footprint serve` would do on start
    report.migration = max(applied(db), default=0)
    report.passed.append(
        Message("migration level %(level)s, migrated to %(migration)s", level=level,
                migration=report.migration) if report.migrated else
        Message("migration level %(level)s, current", level=level))
    return True


def _said(exc: Exception):
    """An error's message as a parameter: the core's Message, said in the reader's language,
    else its text."""
    return exc.message if isinstance(exc, FootprintError) else str(exc)


def _labels(db, home: Path, recorded: dict, report: RestoreReport) -> None:
    try:
        trust = trust_list(home)
    except (FootprintError, ValueError) as exc:
        report.problems.append(Message("the restored trust list is unreadable: %(problem)s",
                                       problem=_said(exc)))
        return
    report.issuers = own_issuers(home)
    for entry in own_entries(home):
        try:
            # the key whose window opens first at its own valid_from is this one: loading it
            # proves its private half was restored (0600) and pairs with the public entry
            current_key(home, entry.id, now=entry.valid_from)
        except KeyStoreError as exc:
            report.problems.append(Message("issuer key %(issuer)s %(kid)s: %(problem)s",
                                           issuer=entry.id, kid=entry.kid.hex(),
                                           problem=_said(exc)))
    labels = {label_id: row["cose"] for label_id, row in store_labels.index(db).items()}
    report.labels_total = len(labels)
    now = clock.now()
    for label_id, cose in sorted(labels.items()):
        try:
            claims, expired = verify_held(cose, trust, now=now)
        except LabelInvalid as exc:
            report.problems.append(Message("label %(label)s does not verify against the "
                                           "restored trust list: %(problem)s",
                                           label=label_id, problem=_said(exc)))
            continue
        report.labels_expired += expired
        if claims.get("id") != label_id:
            report.problems.append(Message("label %(label)s holds the signed label of "
                                           "%(other)s", label=label_id, other=claims.get("id")))
            continue
        report.labels_verified += 1
    if report.labels_total != recorded.get("labels"):
        report.problems.append(Message("%(count)s labels restored, the manifest says "
                                       "%(recorded)s", count=report.labels_total,
                                       recorded=recorded.get("labels")))
    if report.labels_verified == report.labels_total:
        report.passed.append(Message("labels verified %(verified)s of %(total)s against the "
                                     "restored trust list", verified=report.labels_verified,
                                     total=report.labels_total))


def _log(db, home: Path, recorded: dict, report: RestoreReport) -> None:
    log = TransparencyLog(db)
    size, root = recorded.get("log_size"), recorded.get("log_root")
    try:
        report.log_size = log.size()
        report.log_root = b64(log.root(report.log_size))
        at_backup = b64(log.root(size)) if isinstance(size, int) \
            and 0 <= size <= report.log_size else None
    except LogError as exc:  # a gap in the leaves; the monitor below names it too
        report.problems.append(Message("the log cannot be read: %(problem)s",
                                       problem=_said(exc)))
        at_backup = None
    if at_backup != root or report.log_size != size:
        report.problems.append(Message(
            "the log's root at size %(size)s is %(found)s, the manifest recorded %(root)s (the "
            "log now has %(count)s entries)", size=size, found=at_backup, root=root,
            count=report.log_size))
    else:
        report.passed.append(Message("log root at size %(size)s matches the backup: %(root)s",
                                     size=size, root=root))
    try:
        transparency.verify(db, home, record=False)
        report.passed.append(Message("footprint log verify: ok"))
    except FootprintError as exc:
        report.problems.append(Message("footprint log verify: %(problem)s",
                                       problem=_said(exc)))
    _checkpoints(db, home, recorded, report)


def _checkpoints(db, home: Path, recorded: dict, report: RestoreReport) -> None:
    """The checkpoint signed at backup time verifies with a restored public key, and the
    restored private key signs a new one that verifies too."""
    entries = own_entries(home)
    if not entries:
        if report.labels_total:
            report.problems.append(Message("no issuer key was restored, yet the database "
                                           "holds labels"))
        return

    if recorded.get("checkpoint"):
        if transparency.signed_by(recorded["checkpoint"], entries) is None:
            report.problems.append(Message("the checkpoint signed at backup time does not "
                                           "verify with the restored keys"))
    now = epoch(clock.now())
    if not any(entry.covers(now) for entry in entries):
        report.notes.append(Message("no issuer key is valid now, so no new checkpoint was "
                                    "signed: `footprint keys rotate` makes one (the platform "
                                    "had none either)"))
        return
    point = transparency.checkpoint(db, home)
    report.checkpoint_signed_by = transparency.signed_by(point.note, entries) if point.note else None
    if report.checkpoint_signed_by is None:
        report.problems.append(Message("the restored key does not sign a checkpoint that "
                                       "verifies"))
    else:
        report.passed.append(Message("checkpoint signed with the restored key of %(issuer)s",
                                     issuer=report.checkpoint_signed_by))
