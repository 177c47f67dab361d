"""The backup archive's format: a tar file with an authenticated manifest, whose secret members
are encrypted with a passphrase (footprint.usecases.backup writes it, .restore reads it).

The archive is a POSIX tar file (``tar tvf`` lists it) with, in this order:

    manifest.json     what is in it: each member's path, size, mode and SHA-256, the footprint
                      version, the migration level, the log's size and root and a checkpoint
                      signed at backup time, the key derivation's parameters
    manifest.mac      HMAC-SHA256 of manifest.json (hex), keyed from the passphrase
    footprint.db      the database: SQLite's online backup, one consistent state; or, of a
    footprint.pgdump  platform on PostgreSQL, pg_dump's custom format of one snapshot (the
                      manifest's facts read in that same snapshot); an archive holds one
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
import tarfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from . import clock
from .errors import FootprintError, InvalidInput, Message, Problem, bulleted

FORMAT = "footprint-backup"
FORMAT_VERSION = 1
MANIFEST, MAC, DATABASE = "manifest.json", "manifest.mac", "footprint.db"
PG_DUMP = "footprint.pgdump"  # a PostgreSQL platform's database (footprint.store.pgdump)
DATABASE_MEMBERS = (DATABASE, PG_DUMP)
FILES = "files/"
ENCRYPTED_SUFFIX = ".aes"
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


# -- the passphrase and the keys it gives ----------------------------------------------------

def check_new_passphrase(passphrase: str) -> None:
    """A passphrase good enough to encrypt a platform's signing keys with."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise InvalidInput([Problem("passphrase", f"at least {MIN_PASSPHRASE} characters "
                                                  "(a few random words are easy to type)")])


def derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """(AES-256-GCM key, HMAC-SHA256 key). The passphrase is NFC-normalised, so the same
    words typed on another keyboard give the same keys."""
    text = unicodedata.normalize("NFC", passphrase or "").encode("utf-8")
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(text)
    return material[:32], material[32:]


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)


def manifest_mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(clock.now().timestamp())
    return info


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(tar_info(name, len(data)), io.BytesIO(data))


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- reading an archive ----------------------------------------------------------------------

class Archive:
    """An archive opened for restoring: its manifest authenticated with the passphrase, its
    members read only as the manifest lists them (no links, no paths outside the home)."""

    def __init__(self, path: Path, passphrase: str):
        self.path = Path(path)
        try:
            self.tar = tarfile.open(self.path, mode="r:")
        except FileNotFoundError:
            raise BackupError(Message("no such file: %(path)s", path=str(self.path))) from None
        except (tarfile.TarError, OSError) as exc:
            raise ArchiveDamaged(Message("%(path)s is not a footprint backup (not a tar file: "
                                         "%(reason)s)", path=str(self.path),
                                         reason=str(exc))) from None
        try:
            self._open(passphrase)
        except BaseException:
            self.tar.close()
            raise

    def _open(self, passphrase: str) -> None:
        try:
            found = self.tar.getmembers()
        except (tarfile.TarError, OSError) as exc:
            raise ArchiveDamaged(Message("%(path)s is damaged or truncated: %(reason)s",
                                         path=str(self.path), reason=str(exc))) from None
        self.entries: dict[str, tarfile.TarInfo] = {}
        for info in found:
            if info.name in self.entries:
                raise ArchiveDamaged(Message("%(path)s holds %(member)s twice",
                                             path=str(self.path), member=info.name))
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
            raise ArchiveDamaged(Message("%(path)s: unreadable manifest (%(reason)s)",
                                         path=str(self.path), reason=str(exc))) from None
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(Message("%(path)s is format version %(found)s; this footprint "
                                      "reads version %(version)s", path=str(self.path),
                                      found=manifest.get("format_version"),
                                      version=FORMAT_VERSION))
        if any(not 1 <= params[k] <= SCRYPT_LIMITS[k] for k in SCRYPT) \
                or params["n"] & (params["n"] - 1):
            raise ArchiveDamaged(Message("%(path)s: key derivation parameters out of range "
                                         "(%(params)s)", path=str(self.path),
                                         params=str(params)))
        self.enc_key, mac_key = derive(passphrase, salt, **params)
        try:
            if decrypt(self.enc_key, check, CHECK_AAD) != CHECK_TEXT:
                raise InvalidTag()
        except InvalidTag:
            raise WrongPassphrase(Message("wrong passphrase: it does not open this backup "
                                          "(nothing was written)")) from None
        if not hmac.compare_digest(mac, manifest_mac(mac_key, manifest_bytes)):
            raise ArchiveDamaged(Message("%(path)s: the manifest was altered after the backup "
                                         "was made (its MAC does not match)",
                                         path=str(self.path)))
        self.manifest = manifest
        try:
            self.members = [Member(m["name"], m["path"], int(m["size"]), m["sha256"],
                                   int(m["mode"], 8), bool(m["encrypted"]))
                            for m in manifest["members"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveDamaged(Message("%(path)s: unreadable member list (%(reason)s)",
                                         path=str(self.path), reason=str(exc))) from None
        self._check_member_list()

    def _small(self, name: str) -> bytes:
        info = self.entries.get(name)
        if info is None or not info.isfile() or info.size > MAX_MANIFEST_BYTES:
            raise ArchiveDamaged(Message("%(path)s is not a footprint backup (no %(member)s)",
                                         path=str(self.path), member=name))
        return self.tar.extractfile(info).read()

    def _check_member_list(self) -> None:
        listed = {m.name for m in self.members}
        problems = []
        for member in self.members:
            relative = PurePosixPath(member.path)
            if (relative.is_absolute() or ".." in relative.parts or not relative.parts
                    or (member.name not in DATABASE_MEMBERS
                        and member.name != f"{FILES}{member.path}"
                        f"{ENCRYPTED_SUFFIX if member.encrypted else ''}")):
                problems.append(Message("%(member)s: not a path inside the home",
                                        member=member.name))
            info = self.entries.get(member.name)
            if info is None:
                problems.append(Message("%(member)s is missing", member=member.name))
            elif not info.isfile():
                problems.append(Message("%(member)s is not a regular file", member=member.name))
            elif info.size != member.size:
                problems.append(Message("%(member)s is %(size)s bytes, the manifest says "
                                        "%(listed)s", member=member.name, size=info.size,
                                        listed=member.size))
        extra = sorted(set(self.entries) - listed - {MANIFEST, MAC})
        problems += [Message("%(member)s is not in the manifest", member=name)
                     for name in extra]
        databases = [name for name in DATABASE_MEMBERS if name in listed]
        if len(databases) != 1:
            problems.append(Message("%(members)s: the manifest lists %(count)s databases, a "
                                    "backup holds one", members=" or ".join(DATABASE_MEMBERS),
                                    count=len(databases)))
        if problems:
            raise ArchiveDamaged(Message("%(path)s does not match its manifest:%(problems)s",
                                         path=str(self.path), problems=bulleted(problems)))

    def extract(self, home: Path) -> None:
        """Write every member under ``home`` (an empty folder), checking each SHA-256 and
        decrypting the secret ones; directories 0700, secrets and the database 0600."""
        mismatched = []
        for member in self.members:
            target = home / member.path
            private_dirs(home, target.parent)
            source = self.tar.extractfile(self.entries[member.name])
            digest = hashlib.sha256()
            if member.encrypted:
                blob = source.read()
                digest.update(blob)
                if digest.hexdigest() != member.sha256:
                    mismatched.append(member.name)
                    continue
                try:
                    data = decrypt(self.enc_key, blob, member.path.encode("utf-8"))
                except InvalidTag:
                    raise ArchiveDamaged(Message("%(member)s does not decrypt: altered, or "
                                                 "moved from another path",
                                                 member=member.name)) from None
                write_new(target, 0o600, [data])
                continue
            mode = 0o600 if member.name in DATABASE_MEMBERS else member.mode & 0o644
            write_new(target, mode, hashing(source, digest))
            if digest.hexdigest() != member.sha256:
                mismatched.append(member.name)
        if mismatched:
            raise ArchiveDamaged(Message("%(path)s was altered: the SHA-256 of %(members)s does "
                                         "not match the manifest", path=str(self.path),
                                         members=", ".join(mismatched)))

    @property
    def database(self) -> str:
        """The database member: DATABASE (SQLite) or PG_DUMP (PostgreSQL)."""
        return next(m.name for m in self.members if m.name in DATABASE_MEMBERS)

    def close(self) -> None:
        self.tar.close()


def hashing(source, digest):
    for block in iter(lambda: source.read(CHUNK), b""):
        digest.update(block)
        yield block


def private_dirs(home: Path, folder: Path) -> None:
    """Create ``folder`` and its parents below ``home``, each owner-only (0700)."""
    missing = []
    while folder != home and not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask


def write_new(path: Path, mode: int, blocks) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        for block in blocks:
            handle.write(block)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, mode)
