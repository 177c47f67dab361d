"""A backup a platform can restore: the database, the issuer keys, the trusted issuers and the
secret key in one archive, and a restore that proves the copy works before it is used.

    summary = create(home, archive, passphrase)       # online, while the service serves
    report = restore(archive, new_home, passphrase)   # into an empty home, then the checks
    report = check(archive, passphrase)               # a restore into a temporary folder

The archive is a POSIX tar file (``tar tvf`` lists it) with, in this order:

    manifest.json     what is in it: each member's path, size, mode and SHA-256, the footprint
                      version, the migration level, the log's size and root and a checkpoint
                      signed at backup time, the key derivation's parameters
    manifest.mac      HMAC-SHA256 of manifest.json (hex), keyed from the passphrase
    footprint.db      the database: SQLite's online backup, one consistent state
    files/...         every other file of FOOTPRINT_HOME but the derived ones (brightway/,
                      cache/, translations/, build.lock): keys/own/<issuer>/<kid>.json,
                      keys/trusted.json, and the secret files encrypted, with ``.aes`` added
                      to their names: secret_key and keys/own/<issuer>/<kid>.pem

The passphrase never leaves the operator's hands: scrypt (N=2^17, r=8, p=1, a random 16-byte
salt) turns it into 64 bytes, the first 32 an AES-256-GCM key, the last 32 an HMAC-SHA256 key.
An encrypted member is a fresh 12-byte nonce followed by the AES-GCM ciphertext and tag, with
the file's path as associated data (a member moved to another path fails to decrypt). A known
text encrypted the same way tells a wrong passphrase from an altered archive. The database
is not encrypted (nor are the public trust entries): it holds password hashes, API token
hashes and evidence files, so keep the archive where the database itself may be kept.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import shutil
import stat
import tarfile
import tempfile
import unicodedata
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .. import clock
from ..errors import Conflict, FootprintError, InvalidInput, Problem
from ..labels import LabelInvalid, verify
from ..labels.errors import KeyStoreError
from ..labels.keys import current_key, own_entries, own_issuers, trust_list
from ..labels.times import epoch
from ..store import labels as store_labels
from ..store.db import (connect, copy_database, database_path, integrity_problems,
                        read_only)
from ..store.migrations import MIGRATIONS, applied, migrate
from ..translog import TransparencyLog
from ..translog.checkpoint import CheckpointError, verify_checkpoint
from ..translog.log import LogError, b64
from . import transparency

FORMAT = "footprint-backup"
FORMAT_VERSION = 1
MANIFEST, MAC, DATABASE = "manifest.json", "manifest.mac", "footprint.db"
FILES = "files/"
ENCRYPTED_SUFFIX = ".aes"
# Rebuilt from the shipped data or recompiled at start-up: never backed up.
DERIVED = ("brightway", "cache", "translations", "build.lock")
MIN_PASSPHRASE = 12
SCRYPT = {"n": 2 ** 17, "r": 8, "p": 1}  # 128 MiB and about half a second per derivation
# An archive names its own parameters; these bounds keep a forged one from asking for
# gigabytes of memory before its MAC can be checked.
SCRYPT_LIMITS = {"n": 2 ** 20, "r": 16, "p": 4}
SALT_BYTES, NONCE_BYTES = 16, 12
CHECK_TEXT, CHECK_AAD = b"footprint-backup", b"passphrase check"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(FootprintError):
    """A backup cannot be made or an archive cannot be restored (says why)."""


class WrongPassphrase(BackupError):
    """The passphrase does not open this archive."""


class ArchiveDamaged(BackupError):
    """The archive is not what its manifest says: altered, truncated, or not a backup."""


class RestoreFailed(BackupError):
    """The restored home failed a check; ``report`` says which. Nothing was kept."""

    def __init__(self, report: RestoreReport):
        self.report = report
        problems = "\n".join(f"  - {p}" for p in report.problems)
        super().__init__(f"the restored home failed {len(report.problems)} check(s); nothing "
                         f"was restored:\n{problems}")


@dataclass
class Member:
    """One file of the archive, as its manifest lists it."""

    name: str          # the member's name in the tar file
    path: str          # where it goes under FOOTPRINT_HOME
    size: int
    sha256: str
    mode: int
    encrypted: bool

    def as_dict(self) -> dict:
        return {"name": self.name, "path": self.path, "size": self.size,
                "sha256": self.sha256, "mode": f"{self.mode:04o}", "encrypted": self.encrypted}


@dataclass
class BackupSummary:
    path: Path
    members: list[Member]
    labels: int
    log_size: int
    log_root: str
    migration: int
    left_out: list[str]
    notes: list[str] = field(default_factory=list)


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
    passed: list[str] = field(default_factory=list)   # the checks that passed, in order
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # true of the platform, not the copy

    @property
    def ok(self) -> bool:
        return not self.problems


# -- the passphrase and the keys it gives ----------------------------------------------------

def check_new_passphrase(passphrase: str) -> None:
    """A passphrase good enough to encrypt a platform's signing keys with."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise InvalidInput([Problem("passphrase", f"at least {MIN_PASSPHRASE} characters "
                                                  "(a few random words are easy to type)")])


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """(AES-256-GCM key, HMAC-SHA256 key). The passphrase is NFC-normalised, so the same
    words typed on another keyboard give the same keys."""
    text = unicodedata.normalize("NFC", passphrase or "").encode("utf-8")
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(text)
    return material[:32], material[32:]


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)


def _mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


# -- what a home holds -----------------------------------------------------------------------

def _is_secret(relative: PurePosixPath) -> bool:
    """The secret key of the web sessions and the private issuer keys."""
    return (str(relative) == "secret_key"
            or (relative.parts[:2] == ("keys", "own") and relative.suffix == ".pem"))


def _is_temporary(name: str) -> bool:
    """Files the service writes and renames into place (keys.py, the secret key)."""
    return name.endswith(".tmp") or name.startswith(".secret_key.")


def _home_files(home: Path) -> tuple[list[PurePosixPath], list[str]]:
    """The files of the home a restore needs, relative, and what was left out (and why)."""
    database = database_path(home).name
    skipped_database = {database, f"{database}-wal", f"{database}-shm", f"{database}-journal"}
    found, left_out = [], []
    for top in sorted(home.iterdir()):
        if top.name in DERIVED:
            left_out.append(f"{top.name}{'/' if top.is_dir() else ''} (derived: rebuilt)")
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
                left_out.append(f"{relative} (not a regular file)")
                continue
            found.append(relative)
    return found, left_out


def _package_version() -> str:
    try:
        return version("footprint")
    except PackageNotFoundError:  # a checkout that was never installed
        return "unknown"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _database_facts(snapshot: Path, home: Path) -> dict:
    """What the manifest records of the database copy: checked at backup time too, so a
    damaged database is never archived as if it were good."""
    db = read_only(snapshot)
    try:
        problems = integrity_problems(db)
        if problems:
            raise BackupError("the database fails SQLite's integrity check; no backup "
                              "was written:\n" + "\n".join(f"  - {p}" for p in problems[:20]))
        log = TransparencyLog(db)
        size = log.size()
        root = log.root(size)
        point = transparency.checkpoint(db, home)
        return {"member": DATABASE, "migration": max(applied(db), default=0),
                "labels": len(store_labels.index(db)), "log_size": size,
                "log_root": b64(root), "checkpoint": point.note}
    finally:
        db.close()


# -- making a backup -------------------------------------------------------------------------

def create(home: Path, archive: Path, passphrase: str) -> BackupSummary:
    """Back up FOOTPRINT_HOME ``home`` to a new file ``archive`` (never overwritten), while
    the service may be running. Files the database does not depend on are read first, then
    the database, then the keys: a label in the copy always has its key in the archive, and
    anything recorded about the log never runs ahead of the copied log."""
    home, archive = Path(home).resolve(), Path(archive).absolute()
    check_new_passphrase(passphrase)
    if not database_path(home).is_file():
        raise BackupError(f"no database in {home}: nothing to back up")
    if archive.exists():
        raise Conflict(f"{archive} exists; a backup never overwrites a file: choose a new name")
    if not archive.parent.is_dir():
        raise BackupError(f"{archive.parent} is not a directory")
    if archive.resolve().is_relative_to(home):
        raise BackupError(f"{archive} is inside FOOTPRINT_HOME {home}: keep backups "
                          "elsewhere (a copy inside would go into the next backup)")
    salt = os.urandom(SALT_BYTES)
    enc_key, mac_key = _derive(passphrase, salt, **SCRYPT)
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
            data = _encrypt(enc_key, data, str(relative).encode("utf-8"))
        name = f"{FILES}{relative}{ENCRYPTED_SUFFIX if secret else ''}"
        contents[name] = data
        members.append(Member(name, str(relative), len(data), hashlib.sha256(data).hexdigest(),
                              0o600 if secret else mode & 0o644, secret))

    # an empty file is an empty database to SQLite: the copy keeps mkstemp's mode 0600
    fd, snapshot_name = tempfile.mkstemp(prefix=f".{archive.name}.", suffix=".db",
                                         dir=archive.parent)
    os.close(fd)
    snapshot = Path(snapshot_name)
    fd, partial_name = tempfile.mkstemp(prefix=f".{archive.name}.", suffix=".partial",
                                        dir=archive.parent)  # 0600
    partial = Path(partial_name)
    try:
        for relative in first:
            add_file(relative)
        copy_database(database_path(home), snapshot)
        for relative in keys:
            add_file(relative)
        facts = _database_facts(snapshot, home)
        members.insert(0, Member(DATABASE, DATABASE, snapshot.stat().st_size,
                                 _sha256_file(snapshot), 0o600, False))
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": clock.stamp(), "footprint_version": _package_version(),
            "source_home": str(home), "database": facts,
            "issuers": own_issuers(home),
            "encryption": {
                "kdf": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode("ascii"),
                "cipher": "AES-256-GCM", "nonce_bytes": NONCE_BYTES, "aad": "the member's path",
                "mac": "HMAC-SHA256", "check": base64.b64encode(
                    _encrypt(enc_key, CHECK_TEXT, CHECK_AAD)).decode("ascii")},
            "members": [m.as_dict() for m in members],
            "left_out": left_out,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        with os.fdopen(fd, "wb") as handle:
            fd = None
            with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, manifest_bytes)
                _add_bytes(tar, MAC, _mac(mac_key, manifest_bytes).encode("ascii"))
                with open(snapshot, "rb") as source:
                    tar.addfile(_info(DATABASE, snapshot.stat().st_size), source)
                for member in members[1:]:
                    _add_bytes(tar, member.name, contents[member.name])
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(partial, archive)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            raise Conflict(f"{archive} appeared while the backup was made; nothing "
                           "overwritten") from None
        _fsync_directory(archive.parent)
    finally:
        if fd is not None:
            os.close(fd)
        for leftover in (partial, snapshot, Path(f"{snapshot}-journal")):
            leftover.unlink(missing_ok=True)
    notes = []
    if not (home / "secret_key").is_file():
        notes.append("no secret_key file in the home (the web service writes one when it "
                     "first starts, unless FOOTPRINT_SECRET_KEY is set): a restored service "
                     "makes a new one, and sessions start afresh")
    if not own_issuers(home):
        notes.append("no issuer key in the home: a restored platform cannot sign labels or "
                     "checkpoints")
    return BackupSummary(archive, members, facts["labels"], facts["log_size"],
                         facts["log_root"], facts["migration"], left_out, notes)


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(clock.now().timestamp())
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(_info(name, len(data)), io.BytesIO(data))


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- reading an archive ----------------------------------------------------------------------

class _Archive:
    """An archive opened for restoring: its manifest authenticated with the passphrase, its
    members read only as the manifest lists them (no links, no paths outside the home)."""

    def __init__(self, path: Path, passphrase: str):
        self.path = Path(path)
        try:
            self.tar = tarfile.open(self.path, mode="r:")
        except FileNotFoundError:
            raise BackupError(f"{self.path}: no such file") from None
        except (tarfile.TarError, OSError) as exc:
            raise ArchiveDamaged(f"{self.path} is not a footprint backup (not a tar "
                                 f"file: {exc})") from None
        try:
            self._open(passphrase)
        except BaseException:
            self.tar.close()
            raise

    def _open(self, passphrase: str) -> None:
        try:
            found = self.tar.getmembers()
        except (tarfile.TarError, OSError) as exc:
            raise ArchiveDamaged(f"{self.path} is damaged or truncated: {exc}") from None
        self.entries: dict[str, tarfile.TarInfo] = {}
        for info in found:
            if info.name in self.entries:
                raise ArchiveDamaged(f"{self.path} holds {info.name} twice")
            self.entries[info.name] = info
        manifest_bytes = self._small(MANIFEST)
        mac = self._small(MAC).decode("ascii", "replace").strip()
        try:
            manifest = json.loads(manifest_bytes)
            encryption = manifest["encryption"]
            salt = base64.b64decode(encryption["salt"], validate=True)
            params = {k: int(encryption[k]) for k in SCRYPT}
            check = base64.b64decode(encryption["check"], validate=True)
            if manifest.get("format") != FORMAT:
                raise ValueError("not a footprint backup")
        except (ValueError, KeyError, TypeError) as exc:
            raise ArchiveDamaged(f"{self.path}: unreadable manifest ({exc})") from None
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"{self.path} is format version {manifest.get('format_version')}; "
                              f"this footprint reads version {FORMAT_VERSION}")
        if any(not 1 <= params[k] <= SCRYPT_LIMITS[k] for k in SCRYPT) \
                or params["n"] & (params["n"] - 1):
            raise ArchiveDamaged(f"{self.path}: key derivation parameters out of range "
                                 f"({params})")
        self.enc_key, mac_key = _derive(passphrase, salt, **params)
        try:
            if _decrypt(self.enc_key, check, CHECK_AAD) != CHECK_TEXT:
                raise InvalidTag()
        except InvalidTag:
            raise WrongPassphrase("wrong passphrase: it does not open this backup (nothing "
                                  "was written)") from None
        if not hmac.compare_digest(mac, _mac(mac_key, manifest_bytes)):
            raise ArchiveDamaged(f"{self.path}: the manifest was altered after the backup "
                                 "was made (its MAC does not match)")
        self.manifest = manifest
        try:
            self.members = [Member(m["name"], m["path"], int(m["size"]), m["sha256"],
                                   int(m["mode"], 8), bool(m["encrypted"]))
                            for m in manifest["members"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveDamaged(f"{self.path}: unreadable member list ({exc})") from None
        self._check_member_list()

    def _small(self, name: str) -> bytes:
        info = self.entries.get(name)
        if info is None or not info.isfile() or info.size > MAX_MANIFEST_BYTES:
            raise ArchiveDamaged(f"{self.path} is not a footprint backup (no {name})")
        return self.tar.extractfile(info).read()

    def _check_member_list(self) -> None:
        listed = {m.name for m in self.members}
        problems = []
        for member in self.members:
            relative = PurePosixPath(member.path)
            if (relative.is_absolute() or ".." in relative.parts or not relative.parts
                    or (member.name != DATABASE and member.name != f"{FILES}{member.path}"
                        f"{ENCRYPTED_SUFFIX if member.encrypted else ''}")):
                problems.append(f"{member.name}: not a path inside the home")
            info = self.entries.get(member.name)
            if info is None:
                problems.append(f"{member.name} is missing")
            elif not info.isfile():
                problems.append(f"{member.name} is not a regular file")
            elif info.size != member.size:
                problems.append(f"{member.name} is {info.size} bytes, the manifest says "
                                f"{member.size}")
        extra = sorted(set(self.entries) - listed - {MANIFEST, MAC})
        problems += [f"{name} is not in the manifest" for name in extra]
        if DATABASE not in listed:
            problems.append(f"{DATABASE} is not in the manifest")
        if problems:
            raise ArchiveDamaged(f"{self.path} does not match its manifest:\n"
                                 + "\n".join(f"  - {p}" for p in problems))

    def extract(self, home: Path) -> None:
        """Write every member under ``home`` (an empty folder), checking each SHA-256 and
        decrypting the secret ones; directories 0700, secrets and the database 0600."""
        mismatched = []
        for member in self.members:
            target = home / member.path
            _private_dirs(home, target.parent)
            source = self.tar.extractfile(self.entries[member.name])
            digest = hashlib.sha256()
            if member.encrypted:
                blob = source.read()
                digest.update(blob)
                if digest.hexdigest() != member.sha256:
                    mismatched.append(member.name)
                    continue
                try:
                    data = _decrypt(self.enc_key, blob, member.path.encode("utf-8"))
                except InvalidTag:
                    raise ArchiveDamaged(f"{member.name} does not decrypt: altered, or moved "
                                         "from another path") from None
                _write_new(target, 0o600, [data])
                continue
            mode = 0o600 if member.name == DATABASE else member.mode & 0o644
            _write_new(target, mode, _hashing(source, digest))
            if digest.hexdigest() != member.sha256:
                mismatched.append(member.name)
        if mismatched:
            raise ArchiveDamaged(f"{self.path} was altered: the SHA-256 of "
                                 f"{', '.join(mismatched)} does not match the manifest")

    def close(self) -> None:
        self.tar.close()


def _hashing(source, digest):
    for block in iter(lambda: source.read(CHUNK), b""):
        digest.update(block)
        yield block


def _private_dirs(home: Path, folder: Path) -> None:
    """Create ``folder`` and its parents below ``home``, each owner-only (0700)."""
    missing = []
    while folder != home and not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask


def _write_new(path: Path, mode: int, blocks) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        for block in blocks:
            handle.write(block)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, mode)


# -- restoring -------------------------------------------------------------------------------

def _empty_or_missing(home: Path) -> None:
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise Conflict(f"{home} is not empty: a backup is restored only into an empty or new "
                       "folder, so nothing there is overwritten")


def restore(archive: Path, home: Path, passphrase: str) -> RestoreReport:
    """Restore ``archive`` into ``home`` (empty or new) and run the checks. The files go to a
    folder beside ``home`` first and are moved into place only when every check passes:
    a wrong passphrase, an altered archive or a failed check leave nothing behind."""
    home = Path(home).absolute()
    _empty_or_missing(home)
    if not home.parent.is_dir():
        raise BackupError(f"{home.parent} is not a directory: create it first")
    opened = _Archive(archive, passphrase)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.restoring-", dir=home.parent))
        try:
            opened.extract(staging)
            report = check_home(staging, opened.manifest)
            if not report.ok:
                raise RestoreFailed(report)
            _empty_or_missing(home)  # still: nothing appeared there meanwhile
            os.rename(staging, home)  # replaces an empty folder in one step
            _fsync_directory(home.parent)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        opened.close()
    report.home = home
    return report


def check(archive: Path, passphrase: str) -> RestoreReport:
    """Restore ``archive`` into a temporary folder, run the checks, remove the folder: the
    test of a backup that changes nothing."""
    opened = _Archive(archive, passphrase)
    try:
        with tempfile.TemporaryDirectory(prefix="footprint-backup-check-") as folder:
            home = Path(folder) / "home"
            home.mkdir(mode=0o700)
            opened.extract(home)
            report = check_home(home, opened.manifest)
    finally:
        opened.close()
    if not report.ok:
        raise RestoreFailed(report)
    return report


def check_home(home: Path, manifest: dict) -> RestoreReport:
    """The checks of a restored home against the manifest it came with: SQLite's integrity
    check, the migration level (a copy from an older footprint is migrated), every stored
    label re-verified against the restored trust list, the log's root at the backed-up size,
    the monitor (``footprint log verify``), the checkpoint signed at backup time, and a new
    checkpoint signed with the restored key."""
    report = RestoreReport(home, manifest)
    recorded = manifest.get("database", {})
    db = connect(database_path(home))
    try:
        problems = integrity_problems(db)
        if problems:
            report.problems += [f"SQLite integrity check: {p}" for p in problems[:20]]
            return report  # nothing else can be trusted on a damaged file
        report.passed.append("SQLite integrity check: ok")
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
        report.problems.append(f"migration level {level}, the manifest says "
                               f"{recorded.get('migration')}")
        return False
    if level > latest:
        report.problems.append(f"the database is at migration {level}, newer than this "
                               f"footprint knows ({latest}): restore with footprint "
                               f"{report.manifest.get('footprint_version')} or later")
        return False
    report.migrated = migrate(db)  # what `footprint serve` would do on start
    report.migration = max(applied(db), default=0)
    report.passed.append(f"migration level {level}" + (
        f", migrated to {report.migration}" if report.migrated else ", current"))
    return True


def _labels(db, home: Path, recorded: dict, report: RestoreReport) -> None:
    try:
        trust = trust_list(home)
    except (FootprintError, ValueError) as exc:
        report.problems.append(f"the restored trust list is unreadable: {exc}")
        return
    report.issuers = own_issuers(home)
    for entry in own_entries(home):
        try:
            # the key whose window opens first at its own valid_from is this one: loading it
            # proves its private half was restored (0600) and pairs with the public entry
            current_key(home, entry.id, now=entry.valid_from)
        except KeyStoreError as exc:
            report.problems.append(f"issuer key {entry.id} {entry.kid.hex()}: {exc}")
    labels = {label_id: row["cose"] for label_id, row in store_labels.index(db).items()}
    report.labels_total = len(labels)
    now = clock.now()
    for label_id, cose in sorted(labels.items()):
        try:
            verified = verify(cose, trust, now=now)
            claims = verified.claims
        except LabelInvalid as exc:
            if exc.reason != "expired":
                report.problems.append(f"label {label_id} does not verify against the "
                                       f"restored trust list: {exc}")
                continue
            claims = exc.claims  # signed by a trusted key in its window; only out of date
            report.labels_expired += 1
        if claims.get("id") != label_id:
            report.problems.append(f"label {label_id} holds the signed label of "
                                   f"{claims.get('id')}")
            continue
        report.labels_verified += 1
    if report.labels_total != recorded.get("labels"):
        report.problems.append(f"{report.labels_total} labels restored, the manifest says "
                               f"{recorded.get('labels')}")
    if report.labels_verified == report.labels_total:
        report.passed.append(f"labels verified {report.labels_verified} of "
                             f"{report.labels_total} against the restored trust list")


def _log(db, home: Path, recorded: dict, report: RestoreReport) -> None:
    log = TransparencyLog(db)
    size, root = recorded.get("log_size"), recorded.get("log_root")
    try:
        report.log_size = log.size()
        report.log_root = b64(log.root(report.log_size))
        at_backup = b64(log.root(size)) if isinstance(size, int) \
            and 0 <= size <= report.log_size else None
    except LogError as exc:  # a gap in the leaves; the monitor below names it too
        report.problems.append(f"the log cannot be read: {exc}")
        at_backup = None
    if at_backup != root or report.log_size != size:
        report.problems.append(f"the log's root at size {size} is {at_backup}, the manifest "
                               f"recorded {root} (the log now has {report.log_size} entries)")
    else:
        report.passed.append(f"log root at size {size} matches the backup: {root}")
    try:
        transparency.verify(db, home, record=False)
        report.passed.append("footprint log verify: ok")
    except FootprintError as exc:
        report.problems.append(f"footprint log verify: {exc}")
    _checkpoints(db, home, recorded, report)


def _checkpoints(db, home: Path, recorded: dict, report: RestoreReport) -> None:
    """The checkpoint signed at backup time verifies with a restored public key, and the
    restored private key signs a new one that verifies too."""
    entries = own_entries(home)
    if not entries:
        if report.labels_total:
            report.problems.append("no issuer key was restored, yet the database holds labels")
        return

    def signed_by(note: str) -> str | None:
        for entry in entries:
            try:
                verify_checkpoint(note, entry.id, entry.public_key)
                return entry.id
            except CheckpointError:
                continue
        return None

    if recorded.get("checkpoint"):
        if signed_by(recorded["checkpoint"]) is None:
            report.problems.append("the checkpoint signed at backup time does not verify with "
                                   "the restored keys")
    now = epoch(clock.now())
    if not any(entry.covers(now) for entry in entries):
        report.notes.append("no issuer key is valid now, so no new checkpoint was signed: "
                            "`footprint keys rotate` makes one (the platform had none either)")
        return
    point = transparency.checkpoint(db, home)
    report.checkpoint_signed_by = signed_by(point.note) if point.note else None
    if report.checkpoint_signed_by is None:
        report.problems.append("the restored key does not sign a checkpoint that verifies")
    else:
        report.passed.append(f"checkpoint signed with the restored key of "
                             f"{report.checkpoint_signed_by}")


def read_manifest(archive: Path, passphrase: str) -> dict:
    """The authenticated manifest of an archive (what ``footprint backup check`` shows)."""
    opened = _Archive(archive, passphrase)
    opened.close()
    return opened.manifest
