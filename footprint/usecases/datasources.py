"""The datasets every footprint on this platform is calculated from, for the public page that
lists them (/registry/data) and the API (GET /api/v1/datasets): each registered dataset's
manifest entry in the version the engine uses, how many factors it gives, the plugin that
registered it, and the data version they make together with the others a calculation may
name. A label's page links to the data version it was calculated with
(``data_sources(engine, version)``: its name or its hash, as a label signs it).

Nothing here is stored: it is the engine's registry, which does not change once built.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..engine import Engine
from ..engine.dataversions import data_versions, named_by_hash, version_registries
from ..errors import Message, NotFound
from ..settings import using_home


@dataclass(frozen=True)
class DataSources:
    name: str          # the data version, e.g. "MEE-2023" ("" with no versioned data)
    hash: str          # its SHA-256 (footprint.engine.registry.Registry.data_version)
    datasets: list     # manifest entries, each with "factors" and "plugin"
    versions: list     # {"name", "published"} of every data version, oldest first
    current: bool = True  # the data version calculations use now


def data_sources(engine, version: str | None = None) -> DataSources:
    """The datasets of the data version calculations use now, or of ``version`` (a name, or
    a hash or its first MIN_PREFIX or more hex digits: a label signs 16); NotFound for one
    this platform cannot name."""
    registry = engine.registry
    name = None if version is None else _named(engine, version)
    if name is not None:
        registry = _version_engine(engine, name).registry
    # the factors each dataset gives: processes, grid electricity, characterisation factors
    given = Counter(p.source.dataset for p in registry.processes.values())
    given.update(f.source.dataset for f in registry.electricity.values())
    given.update({m.source.dataset: len(m.factors) for m in registry.methods.values()})
    datasets = []
    for dataset in registry.datasets:
        entry = registry.manifest_entry(dataset.id)
        datasets.append({**entry, "factors": given[dataset.id], "plugin": dataset.plugin})
    versions = [{"name": v.name, "published": v.published}
                for v in data_versions(registry.catalogs)]
    return DataSources(registry.data_version_name, registry.data_version, datasets, versions,
                       current=registry.data_version == engine.registry.data_version)


def _named(engine, version: str) -> str | None:
    """The name of the data version ``version`` names (its name, or its hash or the first
    MIN_PREFIX or more hex digits of it: a label signs the first 16); None for the one in
    effect, which may have no name (no dataset with earlier versions)."""
    current = engine.registry
    if version == current.data_version_name or \
            named_by_hash({current.data_version_name: current.data_version}, version):
        return None
    if version in {v.name for v in data_versions(current.catalogs)}:
        return version
    named = named_by_hash(_hashes(engine), version)
    if len(named) != 1:
        raise NotFound(Message("no data version %(version)s on this platform",
                               version=repr(version)))
    return named[0]


@lru_cache(maxsize=8)
def _hashes(engine) -> dict[str, str]:
    """{name: hash} of every data version: each one's registry built once per worker's
    engine, to know its hash."""
    with using_home(engine.home):  # the platform's own datasets are its home's
        return {name: registry.data_version
                for name, registry in version_registries(engine.plugin_manager).items()}


@lru_cache(maxsize=8)
def _version_engine(engine, name: str) -> Engine:
    # an earlier data version's registry, built once per worker's engine (a new engine, after
    # an import, builds its own)
    return Engine(engine.home, engine.plugin_manager, data_version=name)
