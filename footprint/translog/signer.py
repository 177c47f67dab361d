"""Who signs this platform's checkpoints: the issuer key, which footprint.labels manages.

footprint.labels is built separately; until it provides ``keys.checkpoint_signer(home) ->
(key name, Ed25519PrivateKey) | None``, checkpoints are not signed and the CLI says why.
"""
from __future__ import annotations

import importlib
from pathlib import Path

KEYS_MODULE = "footprint.labels.keys"
PROVIDER = "checkpoint_signer"


def _keys_module():
    try:
        return importlib.import_module(KEYS_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in ("footprint.labels", KEYS_MODULE):
            return None
        raise  # the module is there but broken: say so loudly


def checkpoint_signer(home: Path) -> tuple | None:
    """``(key name, Ed25519PrivateKey)`` of the current issuer key, or None when there is
    none yet (no footprint.labels, no provider, or no key generated)."""
    keys = _keys_module()
    provider = getattr(keys, PROVIDER, None) if keys is not None else None
    if provider is None:
        return None
    found = provider(Path(home))
    if found is None:
        return None
    name, key = found
    return name, key


def missing_signer_reason(home: Path) -> str:
    keys = _keys_module()
    if keys is None:
        return f"{KEYS_MODULE} is not installed yet, so there is no issuer key to sign with"
    if getattr(keys, PROVIDER, None) is None:
        return f"{KEYS_MODULE} does not provide {PROVIDER}(home) yet"
    return "no issuer key: run `footprint keys generate` first"
