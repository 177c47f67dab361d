"""Backing up a platform: the database (online, while the service serves), the issuer keys,
the trusted issuers and the secret key in one archive (footprint.archive says its format;
footprint.usecases.restore proves a copy works before it is used). The database is SQLite's
online backup of FOOTPRINT_HOME's file, or, on PostgreSQL, pg_dump of one snapshot.

    summary = create(home, archive, passphrase)       # online, while the service serves
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from .. import clock
from ..archive import (CHECK_AAD, CHECK_TEXT, DATABASE, ENCRYPTED_SUFFIX, FILES, FORMAT,
                       FORMAT_VERSION, MAC, MANIFEST, NONCE_BYTES, PG_DUMP, SALT_BYTES, SCRYPT,
                       Archive, BackupError, Member, add_bytes, check_new_passphrase, derive,
                       encrypt, fsync_directory, manifest_mac, sha256_file,
                       tar_info)
from ..errors import Conflict, InvalidInput, Message, Problem
from ..files import check_new_file
from ..labels.keys import own_issuers
from ..settings import keys_location
from ..store import labels as store_labels
from ..store import pgdump
from ..store.db import (connect, copy_database, database_location, database_path,
                        integrity_problems, read_only)
from ..store.migrations import applied
from ..translog import TransparencyLog
from ..translog.log import b64
from . import transparency

# Rebuilt from the shipped data or recompiled at start-up: never backed up.
DERIVED = ("brightway", "cache", "translations", "build.lock")


@dataclass
class BackupSummary:
    path: Path
    members: list[Member]
    labels: int
    log_size: int
    log_root: str
    migration: int
    left_out: list[Message]
    notes: list[Message] = field(default_factory=list)


# -- what a home holds -----------------------------------------------------------------------

def _is_secret(relative: PurePosixPath) -> bool:
    """The secret key of the web sessions, the private issuer keys and the witness key."""
    return (str(relative) == "secret_key"
            or (relative.parts[:2] in (("keys", "own"), ("keys", "witness"))
                and relative.suffix == ".pem"))


def _is_temporary(name: str) -> bool:
    """Files the service writes and renames into place (keys.py, the secret key)."""
    return name.endswith(".tmp") or name.startswith(".secret_key.")


def _home_files(home: Path) -> tuple[list[PurePosixPath], list[Message]]:
    """The files of the home a restore needs, relative, and what was left out (and why)."""
    database = database_path(home).name
    skipped_database = {database, f"{database}-wal", f"{database}-shm", f"{database}-journal"}
    found, left_out = [], []
    for top in sorted(home.iterdir()):
        if top.name in DERIVED:
            left_out.append(Message("%(name)s (derived: rebuilt)",
                                    name=f"{top.name}{'/' if top.is_dir() else ''}"))
            continue
        if top.name in skipped_database:
            continue  # the database is copied with SQLite's backup API
        paths = sorted(top.rglob("*")) if top.is_dir() and not top.is_symlink() else [top]
        for path in paths:
            if path.is_dir() and not path.is_symlink():
                continue
            relative = PurePosixPath(path.relative_to(home).as_posix())
            if _is_temporary(path.name):
                continue
            if path.is_symlink() or not path.is_file():
                left_out.append(Message("%(path)s (not a regular file)", path=str(relative)))
                continue
            found.append(relative)
    return found, left_out


def _package_version() -> str:
    try:
        return version("footprint")
    except PackageNotFoundError:  # a checkout that was never installed
        return "unknown"


def _facts(db, home: Path, member: str) -> dict:
    """What the manifest records of the database copy, read from the copied state."""
    log = TransparencyLog(db)
    size = log.size()
    root = log.root(size)
    point = transparency.checkpoint(db, home)
    return {"member": member, "migration": max(applied(db), default=0),
            "labels": len(store_labels.index(db)), "log_size": size,
            "log_root": b64(root), "checkpoint": point.note}


def _sqlite_facts(snapshot: Path, home: Path) -> dict:
    """The facts of SQLite's copy: checked at backup time too, so a damaged database is
    never archived as if it were good."""
    db = read_only(snapshot)
    try:
        problems = integrity_problems(db)
        if problems:
            # SQLite's own words for what is wrong, one a line, as it wrote them
            raise BackupError(Message("the database fails SQLite's integrity check; no backup "
                                      "was written:%(problems)s",
                                      problems="".join(f"\n  - {p}" for p in problems[:20])))
        return _facts(db, home, DATABASE)
    finally:
        db.close()


def _postgresql_dump(url: str, target: Path, home: Path) -> dict:
    """pg_dump of one snapshot to ``target``, and the facts read in that same snapshot: the
    dump holds exactly the labels and the log the manifest records, while the service
    goes on writing."""
    db = connect(url)
    try:
        with pgdump.exported_snapshot(db) as snapshot:
            facts = _facts(db, home, PG_DUMP)
            try:
                pgdump.dump(url, target, snapshot=snapshot)
            except pgdump.ToolFailed as exc:
                raise BackupError(Message("%(problem)s; no backup was written",
                                          problem=exc.message)) from None
        return facts
    finally:
        db.close()


# -- making a backup -------------------------------------------------------------------------

def check_target(home: Path, archive: Path) -> Path:
    """``archive`` as the new file a backup of ``home`` goes to: InvalidInput at FILE when
    something is there already, its folder is missing or takes no new file, or it is inside
    the home (it would go into the next backup); checked before the passphrase is asked."""
    home, archive = Path(home).resolve(), Path(archive).absolute()
    check_new_file(archive, "FILE")
    if archive.resolve().is_relative_to(home):
        raise InvalidInput([Problem("FILE", Message(
            "%(path)s is inside FOOTPRINT_HOME %(home)s: keep backups elsewhere (a copy "
            "inside would go into the next backup)", path=str(archive), home=str(home)))])
    return archive


def create(home: Path, archive: Path, passphrase: str) -> BackupSummary:
    """Back up FOOTPRINT_HOME ``home`` to a new file ``archive`` (never overwritten), while
    the service may be running. Files the database does not depend on are read first, then
    the database, then the keys: a label in the copy always has its key in the archive, and
    anything recorded about the log never runs ahead of the copied log."""
    home, archive = Path(home).resolve(), Path(archive).absolute()
    check_new_passphrase(passphrase)
    location = database_location(home)
    postgresql = not isinstance(location, Path)
    if not postgresql and not location.is_file():
        raise BackupError(Message("no database in %(home)s: nothing to back up",
                                  home=str(home)))
    check_target(home, archive)
    salt = os.urandom(SALT_BYTES)
    enc_key, mac_key = derive(passphrase, salt, **SCRYPT)
    relative_paths, left_out = _home_files(home)
    first = [p for p in relative_paths if p.parts[0] != "keys"]
    keys = [p for p in relative_paths if p.parts[0] == "keys"]

    contents: dict[str, bytes] = {}
    members: list[Member] = []

    def add_file(relative: PurePosixPath) -> None:
        path = home / relative
        data = path.read_bytes()
        mode = stat.S_IMODE(path.stat().st_mode)
        secret = _is_secret(relative)
        if secret:
            data = encrypt(enc_key, data, str(relative).encode("utf-8"))
        name = f"{FILES}{relative}{ENCRYPTED_SUFFIX if secret else ''}"
        contents[name] = data
        members.append(Member(name, str(relative), len(data), hashlib.sha256(data).hexdigest(),
                              0o600 if secret else mode & 0o644, secret))

    # an empty file is an empty database to SQLite: the copy keeps mkstemp's mode 0600
    fd, snapshot_name = tempfile.mkstemp(prefix=f".{archive.name}.",
                                         suffix=".pgdump" if postgresql else ".db",
                                         dir=archive.parent)
    os.close(fd)
    snapshot = Path(snapshot_name)
    fd, partial_name = tempfile.mkstemp(prefix=f".{archive.name}.", suffix=".partial",
                                        dir=archive.parent)  # 0600
    partial = Path(partial_name)
    try:
        for relative in first:
            add_file(relative)
        if postgresql:
            facts = _postgresql_dump(location, snapshot, home)
        else:
            copy_database(location, snapshot)
        for relative in keys:
            add_file(relative)
        if not postgresql:
            facts = _sqlite_facts(snapshot, home)
        member = facts["member"]
        members.insert(0, Member(member, member, snapshot.stat().st_size,
                                 sha256_file(snapshot), 0o600, False))
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": clock.stamp(), "footprint_version": _package_version(),
            "source_home": str(home), "database": facts,
            "issuers": own_issuers(home),
            "encryption": {
                "kdf": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode("ascii"),
                "cipher": "AES-256-GCM", "nonce_bytes": NONCE_BYTES, "aad": "the member's path",
                "mac": "HMAC-SHA256", "check": base64.b64encode(
                    encrypt(enc_key, CHECK_TEXT, CHECK_AAD)).decode("ascii")},
            "members": [m.as_dict() for m in members],
            "left_out": left_out,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        with os.fdopen(fd, "wb") as handle:
            fd = None
            with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
                add_bytes(tar, MANIFEST, manifest_bytes)
                add_bytes(tar, MAC, manifest_mac(mac_key, manifest_bytes).encode("ascii"))
                with open(snapshot, "rb") as source:
                    tar.addfile(tar_info(member, snapshot.stat().st_size), source)
                for member in members[1:]:
                    add_bytes(tar, member.name, contents[member.name])
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(partial, archive)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            raise Conflict(Message("%(path)s appeared while the backup was made; nothing "
                                   "overwritten", path=str(archive))) from None
        fsync_directory(archive.parent)
    finally:
        if fd is not None:
            os.close(fd)
        for leftover in (partial, snapshot, Path(f"{snapshot}-journal")):
            leftover.unlink(missing_ok=True)
    notes = []
    if keys_location(home) != home / "keys":
        notes.append(Message("the keys are in FOOTPRINT_KEYS_DIR (%(path)s), outside the home, "
                             "and not in this archive: back that folder up where it comes "
                             "from (docs/deployment.md)", path=str(keys_location(home))))
    if not (home / "secret_key").is_file():
        notes.append(Message("no secret_key file in the home (the web service writes one when "
                             "it first starts, unless FOOTPRINT_SECRET_KEY is set): a restored "
                             "service makes a new one, and sessions start afresh"))
    if not own_issuers(home):
        notes.append(Message("no issuer key in the home: a restored platform cannot sign "
                             "labels or checkpoints"))
    return BackupSummary(archive, members, facts["labels"], facts["log_size"],
                         facts["log_root"], facts["migration"], left_out, notes)


def read_manifest(archive: Path, passphrase: str) -> dict:
    """The authenticated manifest of an archive (what ``footprint backup check`` shows)."""
    opened = Archive(archive, passphrase)
    opened.close()
    return opened.manifest
