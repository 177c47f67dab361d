"""Issuer keys and the trust list, kept under FOOTPRINT_HOME/keys/ (or FOOTPRINT_KEYS_DIR,
the folder a platform's hosts share: footprint.settings.keys_location).

    keys/own/<issuer>/<kid hex>.pem    the private key, PKCS#8 PEM, mode 0600
    keys/own/<issuer>/<kid hex>.json   its public trust-list entry (+ created_at)
    keys/trusted.json                  other platforms' keys added with trust_add

A platform usually has one issuer (its region, e.g. CN-SC). ``rotate`` makes a new key the
current one and closes the old key's window at the rotation time; the old key stays in the
trust list, so the labels it signed inside its window keep verifying.
"""
from __future__ import annotations

import itertools
import json
import os
import stat
import time
from dataclasses import dataclass, field
from functools import cache
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from footprint.errors import InvalidInput, Message, Problem
from footprint.settings import keys_location

from . import times
from .claims import ISSUER_ID
from .errors import KeyStoreError
from .trust import (TrustEntry, TrustList, kid_of, load_trust_list, parse_entry,  # noqa: F401
                    parse_trust_list)

KEY_YEARS = 5  # default validity of a new key

# where a problem with the issuer id is (a Message: 签发方 in Chinese)
ISSUER = Message("issuer")


@cache
def _serialization():
    """cryptography's key serialisation, for private keys: loaded when one is made, written or
    read. Checking a label reads public keys only, and this module (with its SSH formats) is a
    twentieth of an offline ``footprint verify``'s start."""
    # here, not at the top: see the docstring
    from cryptography.hazmat.primitives import serialization
    return serialization


@dataclass(frozen=True)
class IssuerKey:
    """A private issuer key with its public trust entry."""

    entry: TrustEntry
    private_key: Ed25519PrivateKey
    path: Path | None = None

    def private_bytes(self) -> bytes:
        formats = _serialization()
        return self.private_key.private_bytes(formats.Encoding.Raw, formats.PrivateFormat.Raw,
                                              formats.NoEncryption())


def keys_dir(home) -> Path:
    return keys_location(home)


def _own_dir(home) -> Path:
    return keys_dir(home) / "own"


def _trusted_path(home) -> Path:
    return keys_dir(home) / "trusted.json"


def _check_issuer(issuer_id: str) -> str:
    if not isinstance(issuer_id, str) or not ISSUER_ID.fullmatch(issuer_id):
        raise InvalidInput([Problem(ISSUER, Message(
            "letters, digits, '.', '_' or '-' (at most 32), e.g. CN-SC"))])
    return issuer_id


def _add_years(seconds: int, years: int) -> int:
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    try:
        later = moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        later = moment.replace(year=moment.year + years, day=28)
    return int(later.timestamp())


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    _KEPT.clear()  # this process sees its own key writes at once


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)


# -- own keys --------------------------------------------------------------------------------

def own_issuers(home) -> list[str]:
    root = _own_dir(home)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and ISSUER_ID.fullmatch(p.name) and any(p.glob("*.json")))


def own_entries(home, issuer_id: str | None = None) -> list[TrustEntry]:
    """This platform's keys (all issuers, or one), oldest first."""
    entries = []
    for issuer in ([issuer_id] if issuer_id else own_issuers(home)):
        folder = _own_dir(home) / issuer
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            problems: list[Problem] = []
            entry = parse_entry(json.loads(path.read_text(encoding="utf-8")), path.name, problems)
            if entry is None:
                raise InvalidInput(problems, source=str(path))
            entries.append(entry)
    return sorted(entries, key=lambda e: (e.id, e.valid_from, e.kid))


def _store(home, entry: TrustEntry, private_key: Ed25519PrivateKey | None) -> Path:
    folder = _own_dir(home) / entry.id
    _private_dir(keys_dir(home))
    _private_dir(_own_dir(home))
    _private_dir(folder)
    pem_path = folder / f"{entry.kid.hex()}.pem"
    if private_key is not None:
        formats = _serialization()
        pem = private_key.private_bytes(formats.Encoding.PEM, formats.PrivateFormat.PKCS8,
                                        formats.NoEncryption())
        fd = os.open(pem_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        if os.name == "posix":
            os.chmod(pem_path, 0o600)
    record = entry.as_dict()
    record["created_at"] = times.text(times.now())
    meta_path = folder / f"{entry.kid.hex()}.json"
    if meta_path.exists():  # keep when the key was made; only the window changes
        record["created_at"] = json.loads(meta_path.read_text(encoding="utf-8")).get(
            "created_at", record["created_at"])
    _write_json(meta_path, record)
    return pem_path


def _new_entry(issuer_id, name, region, valid_from: int, valid_to: int):
    private_key = Ed25519PrivateKey.generate()
    formats = _serialization()
    public = private_key.public_key().public_bytes(formats.Encoding.Raw,
                                                   formats.PublicFormat.Raw)
    entry = TrustEntry(issuer_id, name, region, kid_of(public), public, valid_from, valid_to)
    return entry, private_key


def generate(home, issuer_id: str, name: str, region: str | None = None, valid_from=None,
             valid_to=None, *, now=None) -> IssuerKey:
    """The first key of an issuer of this platform; its window is [valid_from, valid_to]
    (default: from now, for KEY_YEARS years). An issuer that has keys rotates instead."""
    _check_issuer(issuer_id)
    problems = []
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("name", Message("the issuer's name is required")))
    region = region or issuer_id
    if problems:
        raise InvalidInput(problems)
    if own_entries(home, issuer_id):
        raise InvalidInput([Problem(ISSUER, Message(
            "%(issuer)s already has a key; use `footprint keys rotate --issuer %(issuer)s` for "
            "a new one", issuer=issuer_id))])
    if issuer_id in {e.id for e in trusted_entries(home)}:
        raise InvalidInput([Problem(ISSUER, Message(
            "%(issuer)s is another platform's issuer in the trust list", issuer=issuer_id))])
    start = times.epoch(valid_from) if valid_from is not None else \
        (times.epoch(now) if now is not None else times.now())
    end = times.epoch(valid_to) if valid_to is not None else _add_years(start, KEY_YEARS)
    if end <= start:
        raise InvalidInput([Problem("valid_to", Message("must be after valid_from"))])
    entry, private_key = _new_entry(issuer_id, name.strip(), region, start, end)
    path = _store(home, entry, private_key)
    return IssuerKey(entry, private_key, path)


def rotate(home, issuer_id: str, *, now=None, valid_to=None) -> IssuerKey:
    """A new current key for the issuer, valid from now (for KEY_YEARS years unless
    ``valid_to``); every older key's window is closed at now, and they stay listed."""
    _check_issuer(issuer_id)
    old = own_entries(home, issuer_id)
    if not old:
        raise InvalidInput([Problem(ISSUER, Message(
            "%(issuer)s has no key yet; use `footprint keys generate`", issuer=issuer_id))])
    moment = times.epoch(now) if now is not None else times.now()
    end = times.epoch(valid_to) if valid_to is not None else _add_years(moment, KEY_YEARS)
    if end <= moment:
        raise InvalidInput([Problem("valid_to", Message("must be after the rotation time"))])
    latest = max(old, key=lambda e: (e.valid_from, e.kid))
    entry, private_key = _new_entry(issuer_id, latest.name, latest.region, moment, end)
    path = _store(home, entry, private_key)
    for previous in old:
        if previous.valid_to > moment:
            closed = TrustEntry(previous.id, previous.name, previous.region, previous.kid,
                                previous.public_key, previous.valid_from,
                                max(moment, previous.valid_from))
            _store(home, closed, None)
    return IssuerKey(entry, private_key, path)


def _load_private(home, entry: TrustEntry) -> IssuerKey:
    path = _own_dir(home) / entry.id / f"{entry.kid.hex()}.pem"
    try:
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            raise KeyStoreError(Message("%(path)s is readable by others; chmod 600 it",
                                        path=str(path)))
        key = _serialization().load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyStoreError(Message("the private key of %(issuer)s %(kid)s is missing "
                                    "(%(path)s)", issuer=entry.id, kid=entry.kid.hex(),
                                    path=str(path))) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreError(Message("%(path)s is not an Ed25519 key", path=str(path)))
    formats = _serialization()
    public = key.public_key().public_bytes(formats.Encoding.Raw, formats.PublicFormat.Raw)
    if public != entry.public_key:
        raise KeyStoreError(Message("%(path)s does not belong to key %(kid)s", path=str(path),
                                    kid=entry.kid.hex()))
    return IssuerKey(entry, key, path)


def current_key(home, issuer_id: str | None = None, *, now=None) -> IssuerKey:
    """The key the issuer signs with now: the newest whose window covers now. Without
    ``issuer_id``, the platform's only issuer."""
    if issuer_id is None:
        issuers = own_issuers(home)
        if len(issuers) != 1:
            raise KeyStoreError(
                Message("no issuer key: run `footprint keys generate` first") if not issuers
                else Message("several issuers (%(issuers)s): name one", issuers=list(issuers)))
        issuer_id = issuers[0]
    _check_issuer(issuer_id)
    moment = times.epoch(now) if now is not None else times.now()
    entries = own_entries(home, issuer_id)
    if not entries:
        raise KeyStoreError(Message("%(issuer)s has no key: run `footprint keys generate` first",
                                    issuer=issuer_id))
    live = [e for e in entries if e.covers(moment)]
    if not live:
        raise KeyStoreError(Message("no key of %(issuer)s is valid at %(moment)s: run "
                                    "`footprint keys rotate --issuer %(issuer)s`",
                                    issuer=issuer_id, moment=times.text(moment)))
    # In the rotation's own second both windows cover now (labels the old key signed then
    # stay valid); the new key is the one whose window runs on, so it wins the tie.
    return _load_private(home, max(live, key=lambda e: (e.valid_from, e.valid_to, e.kid)))


def held_keys(home, issuer_id: str) -> list[IssuerKey]:
    """Every key of the issuer whose private part is at hand, rotated ones too, oldest
    first: they announce the issuer's trust-list entries to peers that pinned an older key."""
    held = []
    for entry in own_entries(home, issuer_id):
        try:
            held.append(_load_private(home, entry))
        except KeyStoreError:
            continue
    return held


def checkpoint_signer(home) -> tuple | None:
    """(key name, Ed25519PrivateKey) for signing log checkpoints: the issuer id and its
    current key (the first issuer by id if there are several); None without a usable key.
    Kept while the key files are unchanged and no key window opens or closes."""
    kept = _kept(home)
    moment = times.now()
    if kept.signer_until is not None and moment < kept.signer_until:
        return kept.signer
    edges = [edge for entry in own_entries(home)
             for edge in (entry.valid_from, entry.valid_to) if edge > moment]
    kept.signer, kept.signer_until = _checkpoint_signer(home), min(edges, default=None)
    return kept.signer


def _checkpoint_signer(home) -> tuple | None:
    for issuer in own_issuers(home):
        try:
            key = current_key(home, issuer)
        except KeyStoreError:
            continue
        return issuer, key.private_key
    return None


# -- the trust list --------------------------------------------------------------------------

def trusted_entries(home) -> list[TrustEntry]:
    path = _trusted_path(home)
    if not path.exists():
        return []
    return list(load_trust_list(path))


def export_trust_list(home) -> dict:
    """The trust list this platform publishes: its own keys (rotated ones included), then
    the other platforms' keys it recognises. A copy: the caller may change it."""
    return json.loads(published_trust_list(home))


def published_trust_list(home) -> str:
    """export_trust_list as the JSON text the platform serves, kept as trust_list is."""
    kept = _kept(home)
    if kept.text is None:
        kept.text = json.dumps(kept.exported, ensure_ascii=False, indent=2) + "\n"
    return kept.text


def trust_list_to_publish(home) -> dict:
    """export_trust_list for an operator to hand out: a home without any key (usually
    FOOTPRINT_HOME not set to the platform's folder) is an error, not an empty list that
    would make every label of the platform fail for whoever trusts it."""
    exported = export_trust_list(home)
    if not exported["issuers"]:
        raise KeyStoreError(Message("no issuer keys in %(home)s (FOOTPRINT_HOME): nothing to "
                                    "export. Set FOOTPRINT_HOME to the platform's folder, or "
                                    "create its key with `footprint keys generate`",
                                    home=str(Path(home))))
    return exported


# What the key files gave, per home, while they stay unchanged: parsing and checking every key
# on every scan was a third of the scan page's time, and stating every key file a tenth.
RECHECK_SECONDS = 1.0  # another process's key writes are seen within this


@dataclass
class _Kept:
    state: tuple            # the key files' state they were read in
    checked: float          # time.monotonic() of the last look at the files
    trust: TrustList
    kids: frozenset
    exported: dict                      # export_trust_list's answer
    signer: tuple | None = None         # checkpoint_signer's answer ...
    signer_until: int | None = None     # ... until this epoch second (a window's edge)
    text: str | None = None             # published_trust_list's answer
    generation: int = field(default_factory=lambda: next(_GENERATIONS))


_KEPT: dict[str, _Kept] = {}
_GENERATIONS = itertools.count()


def _key_files_state(home) -> tuple:
    """What the trust list is read from, as the file system says it is now: the trusted
    keys' file and every own key's record, each by inode, size and modification time (a key
    written, rotated or trusted replaces a file, so its state changes)."""
    paths = [_trusted_path(home), _own_dir(home)]
    if _own_dir(home).is_dir():
        for folder in sorted(_own_dir(home).iterdir()):
            paths.append(folder)
            if folder.is_dir():
                paths.extend(sorted(folder.glob("*.json")))
    state = []
    for path in paths:
        try:
            st = path.stat()
            state.append((str(path), st.st_ino, st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            state.append((str(path), None))
    return tuple(state)


def _kept(home) -> _Kept:
    kept = _KEPT.get(str(home))
    moment = time.monotonic()
    if kept is not None and moment - kept.checked < RECHECK_SECONDS:
        return kept
    state = _key_files_state(home)
    if kept is not None and kept.state == state:
        kept.checked = moment
        return kept
    own = own_entries(home)
    kids = {e.kid for e in own}
    exported = TrustList(own + [e for e in trusted_entries(home) if e.kid not in kids]).to_dict()
    kept = _KEPT[str(home)] = _Kept(state, moment, parse_trust_list(exported), frozenset(kids),
                                    exported)
    return kept


def trust_list(home) -> TrustList:
    """The trust list (this platform's keys and those it recognises), parsed once and kept
    while the key files are unchanged. Treat it as read-only: it is shared."""
    return _kept(home).trust


def trust_list_generation(home) -> int:
    """A number that changes whenever trust_list(home) is read again: what was concluded
    from one trust list holds while it is the same."""
    return _kept(home).generation


def own_kids(home) -> frozenset:
    """The key ids of this platform's own keys, kept as trust_list is."""
    return _kept(home).kids


def trust_add(home, file, issuers=None) -> dict:
    """Recognise another platform's keys: ``file`` is its published trust list (path or
    dict). The whole file is refused if any entry is malformed (InvalidInput), or if it
    claims one of this platform's issuer ids with a key this platform did not make. Our own
    keys in the file (the other platform recognising us) are skipped; ``issuers`` limits the
    import to those issuer ids. A key already trusted is updated (e.g. its window closed
    after a rotation). Returns the kids (hex) added, updated, unchanged and skipped."""
    incoming = load_trust_list(file)
    own = {e.kid: e for e in own_entries(home)}
    own_ids = set(own_issuers(home))
    problems = []
    for i, entry in enumerate(incoming):
        if entry.kid in own and own[entry.kid].public_key == entry.public_key:
            continue
        if entry.id in own_ids:
            problems.append(Problem(f"issuers[{i}]", Message(
                "claims this platform's issuer %(issuer)s with a key it did not make",
                issuer=entry.id)))
    if problems:
        raise InvalidInput(problems, source=str(file) if not isinstance(file, dict) else None)
    trusted = {e.kid: e for e in trusted_entries(home)}
    report = {"added": [], "updated": [], "unchanged": [], "skipped": []}
    for entry in incoming:
        if entry.kid in own or (issuers and entry.id not in issuers):
            report["skipped"].append(entry.kid.hex())
        elif entry.kid not in trusted:
            report["added"].append(entry.kid.hex())
        elif trusted[entry.kid] != entry:
            report["updated"].append(entry.kid.hex())
        else:
            report["unchanged"].append(entry.kid.hex())
        if entry.kid not in own and not (issuers and entry.id not in issuers):
            trusted[entry.kid] = entry
    _private_dir(keys_dir(home))
    ordered = sorted(trusted.values(), key=lambda e: (e.id, e.valid_from, e.kid))
    _write_json(_trusted_path(home), TrustList(ordered).to_dict())
    return report
