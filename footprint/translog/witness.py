"""This platform's witness key: the Ed25519 key it cosigns other platforms' checkpoints with
(footprint.translog.cosignature), made on first use and kept under FOOTPRINT_HOME::

    keys/witness/witness.pem    the private key, PKCS#8 PEM, mode 0600
    keys/witness/witness.json   {"name": ..., "public_key": base64, "created_at": ...}

It is not the issuer key: tlog-cosignature wants a key used for nothing else, and a witness
that also signed labels could be made to cosign by signing one. The name is fixed when the
key is made and published with it.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import clock
from ..errors import Message
from ..settings import keys_location
from .checkpoint import CheckpointError, check_key_name
from .cosignature import witness_key_id, witness_vkey


@dataclass(frozen=True)
class WitnessKey:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                          serialization.PublicFormat.Raw)

    def published(self) -> dict:
        """What the platform publishes: the name, the raw key, the key ID and the vkey."""
        return {"name": self.name,
                "public_key": base64.b64encode(self.public_key).decode("ascii"),
                "key_id": witness_key_id(self.name, self.public_key).hex(),
                "vkey": witness_vkey(self.name, self.public_key),
                "cosignature": "cosignature/v1 (https://c2sp.org/tlog-cosignature)"}


def _folder(home) -> Path:
    return keys_location(home) / "witness"


def _make(folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(folder, 0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:  # O_EXCL: two workers making it at once keep the first
        fd = os.open(folder / "witness.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    meta = {"name": name, "public_key": base64.b64encode(public).decode("ascii"),
            "created_at": clock.stamp()}
    tmp = folder / f".witness.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / "witness.json")


def witness_key(home, name: str) -> WitnessKey:
    """The platform's witness key, made on first use with ``name``; later the name it was
    made with."""
    folder = _folder(home)
    if not (folder / "witness.json").exists():
        _make(folder, check_key_name(name))
    meta = json.loads((folder / "witness.json").read_text(encoding="utf-8"))
    key = serialization.load_pem_private_key((folder / "witness.pem").read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(Message("%(file)s is not an Ed25519 key",
                                      file=str(folder / "witness.pem")))
    found = WitnessKey(meta["name"], key)
    if base64.b64encode(found.public_key).decode("ascii") != meta["public_key"]:
        raise CheckpointError(Message("%(file)s does not match witness.json",
                                      file=str(folder / "witness.pem")))
    return found
