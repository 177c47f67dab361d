"""The data versions a plugin manager can load, each with its hash.

A data version is named after the release of a dataset that has earlier versions ("MEE-2022",
see footprint.data); its hash is the ``data_version`` of the registry built under it, the
hash every result records. A stored result names either, so either finds the version again:
``find_data_version`` accepts a name, a full hash or a prefix of at least 8 hex digits.
"""
from __future__ import annotations

import re

from ..data import data_versions, unknown_data_version
from ..errors import InvalidInput, Problem
from .registry import Registry, plugin_catalogs

MIN_PREFIX = 8  # 32 bits: a prefix this long names one of a few versions without doubt


def version_registries(pm) -> dict[str, Registry]:
    """The registry of every data version ``pm``'s plugins know, oldest first."""
    return {v.name: Registry.from_plugins(pm, v.name) for v in data_versions(plugin_catalogs(pm))}


def describe_data_versions(pm) -> list[dict]:
    """Name, hash, publication date and dataset versions of each data version, oldest first;
    the newest (the default) is marked current."""
    versions = data_versions(plugin_catalogs(pm))
    registries = version_registries(pm)
    described = []
    for i, version in enumerate(versions):
        registry = registries[version.name]
        record = registry.data_version_record()
        described.append({
            "name": version.name,
            "hash": record["hash"],
            "published": version.published,
            "current": i == len(versions) - 1,
            "versioned_datasets": {d.id: d.version for d in registry.datasets if d.versioned},
            "datasets": record["datasets"],
        })
    return described


def find_data_version(pm, text: str, where: str = "data_version") -> str:
    """The name of the data version ``text`` names: a name, or a full hash or a prefix of at
    least MIN_PREFIX hex digits of a version's hash. InvalidInput (located at ``where``)
    names the known versions when nothing, or more than one version, matches."""
    names = [v.name for v in data_versions(plugin_catalogs(pm))]
    if text in names:
        return text
    if not re.fullmatch(rf"[0-9a-fA-F]{{{MIN_PREFIX},64}}", text):
        short = re.fullmatch(r"[0-9a-fA-F]+", text) is not None
        hint = f"; a hash prefix needs at least {MIN_PREFIX} hex digits" if short else ""
        raise InvalidInput([Problem(where, unknown_data_version(text, names) + hint)])
    hashes = {name: registry.data_version for name, registry in version_registries(pm).items()}
    matches = [name for name, digest in hashes.items() if digest.startswith(text.lower())]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f"{name} ({digest[:16]})" for name, digest in hashes.items())
    if matches:
        message = f"hash prefix {text!r} matches {', '.join(matches)}: give more digits"
    else:
        message = f"no data version has a hash starting {text!r}; known: {known}"
    raise InvalidInput([Problem(where, message)])
