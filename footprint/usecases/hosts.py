"""Several application hosts, one platform: a host serves only with the platform's keys.

The database records the platform's issuer keys (key id and public key) and a fingerprint
of the web's secret key (an HMAC-SHA256 under the secret, so the secret itself is never
stored) when a host first serves or migrates it (store.hosts, migration 22). Every later
start (``footprint serve``, the app factory of each worker, ``footprint db migrate``)
compares the host's keys (FOOTPRINT_KEYS_DIR or FOOTPRINT_HOME/keys) and secret with the
record and refuses, in Chinese and English, when they differ: a host with another key would
sign labels the others' trust list does not hold, and a host with another secret would log
every user out whose request it answers. Generating or rotating a key on a host records the
new key, and the other hosts read it from the shared folder (docs/deployment.md).
``footprint keys record`` makes this host's keys and secret the platform's record, for an
operator who knows they are the right ones.
"""
from __future__ import annotations

import hashlib
import hmac
import socket
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Conflict, Message, Text
from ..labels.keys import IssuerKey, keys_dir, own_entries
from ..store import hosts as recorded
from ..store.db import connect, database_location, transaction
from ..store.migrations import pending
from ..settings import secret_key
from .database import open_database

# The messages carry their Chinese beside them (as a plugin's do): a host that refuses to
# start says why in both languages on the console, where no catalogue is loaded yet.
KEYS_DIFFER = (
    "this host's issuer keys are not the platform's: the database records %(recorded)s, "
    "this host's keys (%(folder)s) are %(here)s. Point FOOTPRINT_KEYS_DIR at the folder "
    "the platform's hosts share; if this host's keys are the right ones, run `footprint "
    "keys record` on it",
    "本主机的签发密钥与平台不一致：数据库记录的密钥为 %(recorded)s，本主机的密钥"
    "（%(folder)s）为 %(here)s。请将 FOOTPRINT_KEYS_DIR 指向各主机共享的密钥目录；"
    "如确认本主机的密钥正确，请在本主机运行 `footprint keys record`。")
SECRET_DIFFERS = (
    "this host's secret key is not the platform's (its fingerprint differs from the one "
    "%(host)s recorded at %(at)s): give every host the same FOOTPRINT_SECRET_KEY, or the "
    "same secret_key file in FOOTPRINT_KEYS_DIR, so that a session made on one host is "
    "read on every other; if this host's secret is the right one, run `footprint keys "
    "record` on it",
    "本主机的会话密钥与平台不一致（其指纹与 %(host)s 于 %(at)s 记录的不同）：请为所有主机"
    "配置相同的 FOOTPRINT_SECRET_KEY，或在 FOOTPRINT_KEYS_DIR 中放置相同的 secret_key "
    "文件，使一台主机建立的会话在其他主机上同样有效；如确认本主机的密钥正确，请在本主机"
    "运行 `footprint keys record`。")
NONE = Text(zh="无", en="none")


class HostRefused(Conflict):
    """This host's keys or secret are not the platform's: it must not serve."""

    def both(self) -> str:
        """The reason in English, then in Chinese."""
        message = self.args[0]
        return f"{message.said('en')}\n{message.said('zh')}"


@dataclass
class Recorded:
    """What a check or a record wrote: key ids (hex) and whether the secret's fingerprint."""

    keys: list[str] = field(default_factory=list)
    secret: bool = False


def host_name() -> str:
    return socket.gethostname()


def secret_fingerprint(secret: str) -> str:
    """An HMAC-SHA256 under the secret of a fixed text: equal secrets give equal
    fingerprints, and the fingerprint gives nothing of the secret."""
    return hmac.new(secret.encode("utf-8"), b"footprint: the secret key's fingerprint",
                    hashlib.sha256).hexdigest()


def _keys_here(home) -> dict[str, dict]:
    return {entry.kid.hex(): {"issuer": entry.id, "public_key": entry.public_key.hex()}
            for entry in own_entries(home)}


def _listed(kids) -> str | Text:
    return ", ".join(sorted(kids)) or NONE


def _keys_differ(db_kids, here_kids, folder: Path) -> HostRefused:
    params = {"recorded": _listed(db_kids), "here": _listed(here_kids), "folder": str(folder)}
    return HostRefused(Message(KEYS_DIFFER[0], zh=KEYS_DIFFER[1], **params))


def check_host(db, home, secret: str | None = None) -> Recorded:
    """Refuse (HostRefused) when this host's keys or ``secret`` differ from the platform's
    record; record what the platform has no record of yet (the first host to serve or
    migrate). ``secret`` None: the secret is not checked (a command that serves nothing).
    Nothing is checked on a database that is behind migration 22 (it must be migrated
    first, which checks)."""
    if pending(db):
        return Recorded()
    here = _keys_here(home)
    done = Recorded()
    with transaction(db):  # the first two hosts to start record one set, not two
        known = recorded.recorded_keys(db)
        if not known:
            for kid, key in here.items():
                recorded.record_key(db, kid, key["issuer"], key["public_key"], host_name())
                done.keys.append(kid)
        elif set(known) != set(here) or any(known[k]["public_key"] != here[k]["public_key"]
                                           for k in here):
            raise _keys_differ(known, here, keys_dir(home))
        if secret is not None:
            fingerprint = secret_fingerprint(secret)
            found = recorded.recorded_secret(db)
            if found is None:
                recorded.record_secret(db, fingerprint, host_name())
                done.secret = True
            elif not hmac.compare_digest(found["fingerprint"], fingerprint):
                raise HostRefused(Message(SECRET_DIFFERS[0], zh=SECRET_DIFFERS[1],
                                          host=found["recorded_by"], at=found["recorded_at"]))
    return done


def record_new_key(home, key: IssuerKey) -> bool:
    """Record a key this host just generated or rotated to in the platform's database (the
    other hosts read the key from the shared folder and find it recorded). HostRefused when
    this host's other keys are not the platform's (a host with another folder must not add
    its key to the record); False when there is no database yet, or it is behind: the first
    host to serve or migrate records the keys."""
    location = database_location(home)
    if isinstance(location, Path) and not location.exists():
        return False
    db = connect(location)
    try:
        if pending(db):
            return False
        kid = key.entry.kid.hex()
        with transaction(db):
            known = recorded.recorded_keys(db)
            others = {k: v for k, v in _keys_here(home).items() if k != kid}
            if known and set(known) - {kid} != set(others):
                raise _keys_differ(known, others, keys_dir(home))
            recorded.record_key(db, kid, key.entry.id, key.entry.public_key.hex(),
                                host_name())
        return True
    finally:
        db.close()


def record_host(home) -> Recorded:
    """Make this host's keys and secret key the platform's record, replacing what was
    recorded (an operator's act: the hosts whose keys differ from these then refuse to
    start). Conflict when the database is behind."""
    here = _keys_here(home)
    fingerprint = secret_fingerprint(secret_key(home))
    done = Recorded()
    db = open_database(home)
    try:
        with transaction(db):
            known = recorded.recorded_keys(db)
            recorded.forget_keys(db, [kid for kid in known if kid not in here])
            for kid, key in here.items():
                if recorded.record_key(db, kid, key["issuer"], key["public_key"], host_name()):
                    done.keys.append(kid)
            found = recorded.recorded_secret(db)
            if found is None or found["fingerprint"] != fingerprint:
                recorded.record_secret(db, fingerprint, host_name())
                done.secret = True
    finally:
        db.close()
    return done
