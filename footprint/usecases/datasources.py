"""The datasets every footprint on this platform is calculated from, for the public page that
lists them (/registry/data): each registered dataset's manifest entry in the version the
engine uses, how many factors it gives, the plugin that registered it, and the data version
they make together with the earlier ones a calculation may still name.

Nothing here is stored: it is the engine's registry, which does not change once built.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..engine.dataversions import data_versions


@dataclass(frozen=True)
class DataSources:
    name: str          # the data version in effect, e.g. "MEE-2023" ("" with no versioned data)
    hash: str          # its SHA-256 (footprint.engine.registry.Registry.data_version)
    datasets: list     # manifest entries, each with "factors" and "plugin"
    versions: list     # {"name", "published"} of every data version, oldest first


def data_sources(engine) -> DataSources:
    registry = engine.registry
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
    return DataSources(registry.data_version_name, registry.data_version, datasets, versions)
