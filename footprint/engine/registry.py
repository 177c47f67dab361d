"""What the plugins know, gathered once: flows, methods, regions, factors, processes, categories.

For every key the first answer in pluggy's call order wins (installed plugins before the
``trylast`` defaults); later answers for the same key are kept in ``shadowed`` so an operator
can see what was overridden and by whom.

A registry is built under one data version (footprint.data.use_data_version): the plugins read
their datasets in that version, and the registry records which version of every dataset it
saw, so ``data_version`` changes with any of them. A registry does not change once built:
its hashes and name are worked out on first use and kept.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType

from ..data import (CORE_PACKAGE, VERSION_JOIN, Catalog, check_data_version, known_catalogs,
                   select_checked, selected_data_version)
from ..errors import DataError, PluginError
from ..model import (ELECTRICITY_BASES, FLOW_ORIGINS, ElectricityFactor, Flow, Method, Process,
                    ProductCategory, Region)
from ..units import UNITS

# Bumped whenever the way records become Brightway data changes, so old builds are not reused.
BACKGROUND_FORMAT = 1

HOOKS = (  # hook name, record type, attribute on the registry, key of a record
    ("register_flows", Flow, "flows", lambda r: r.id),
    ("register_methods", Method, "methods", lambda r: r.id),
    ("register_regions", Region, "regions", lambda r: r.code),
    ("register_electricity_factors", ElectricityFactor, "electricity",
     lambda r: (r.region, r.year, r.basis)),
    ("register_background", Process, "processes", lambda r: r.id),
    ("register_categories", ProductCategory, "categories", lambda r: r.id),
)


# Bumped whenever what resolution_fingerprint covers changes, so stored rows are not reused.
RESOLUTION_FORMAT = 1


@dataclass(frozen=True)
class DatasetVersion:
    """One dataset of a catalog as a registry saw it."""

    package: str
    id: str
    version: str
    sha256: str
    kind: str
    versioned: bool  # the dataset has earlier versions, so its version is part of the name


@dataclass
class Shadowed:
    hook: str
    key: object
    plugin: str
    kept_from: str


@dataclass
class Registry:
    flows: dict[str, Flow] = field(default_factory=dict)
    methods: dict[str, Method] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    electricity: dict[tuple, ElectricityFactor] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    categories: dict[str, ProductCategory] = field(default_factory=dict)
    shadowed: list[Shadowed] = field(default_factory=list)
    default_method: str = ""
    # the name it was built under (None: every dataset current), and what that selected
    selection: str | None = None
    datasets: tuple[DatasetVersion, ...] = ()

    @classmethod
    def from_plugins(cls, pm, data_version: str | None = None) -> "Registry":
        """Gather every plugin's records under ``data_version`` (a name from
        ``footprint.data.available_data_versions``; None: the selection in effect, by default
        the newest). An unknown name is InvalidInput naming the known ones."""
        name = data_version if data_version is not None else selected_data_version()
        if name is not None:
            check_data_version(name, plugin_catalogs(pm))
        with select_checked(name):
            registry = cls(selection=name)
            registry._gather(pm)
            # after the hooks: a plugin may make its catalog only when first asked for data
            registry.datasets = dataset_versions(plugin_catalogs(pm))
        return registry

    def _gather(self, pm) -> None:
        """Ask every plugin, keeping the first answer per key (pluggy's call order)."""
        for hook, record_type, attribute, key in HOOKS:
            store = getattr(self, attribute)
            for plugin_name, records in pm.call_each(hook, registry=self):
                if not isinstance(records, (list, tuple)):
                    raise PluginError(f"plugin {plugin_name!r}: {hook} must return a list of "
                                      f"{record_type.__name__}, not {type(records).__name__}")
                for record in records:
                    if not isinstance(record, record_type):
                        raise PluginError(f"plugin {plugin_name!r}: {hook} returned "
                                          f"{type(record).__name__}, expected {record_type.__name__}")
                    record = dataclasses.replace(record, plugin=plugin_name)
                    k = key(record)
                    if k in store:
                        self.shadowed.append(Shadowed(hook, k, plugin_name, store[k].plugin))
                    else:
                        store[k] = record
        # The first method marked default in call order (an installed plugin may claim it).
        self.default_method = next(
            (m.id for m in self.methods.values() if m.default), next(iter(self.methods), ""))
        self.check()

    def check(self) -> None:
        """Every reference between records resolves; a plugin's typo fails here, not mid-run."""
        problems = []
        for method in self.methods.values():
            problems += [f"method {method.id} ({method.plugin}): unknown flow {f!r}"
                         for f, _ in method.factors if f not in self.flows]
        for flow in self.flows.values():
            if flow.origin not in FLOW_ORIGINS:
                problems.append(f"flow {flow.id} ({flow.plugin}): origin {flow.origin!r} is not "
                                f"one of {', '.join(FLOW_ORIGINS)}")
        for factor in self.electricity.values():
            if factor.basis not in ELECTRICITY_BASES:
                problems.append(f"electricity factor {factor.process_id} ({factor.plugin}): basis "
                                f"{factor.basis!r} is not one of {', '.join(ELECTRICITY_BASES)}")
            if factor.region not in self.regions:
                problems.append(f"electricity factor {factor.process_id} ({factor.plugin}): "
                                f"unknown region {factor.region!r}")
            if factor.flow not in self.flows:
                problems.append(f"electricity factor {factor.process_id} ({factor.plugin}): "
                                f"unknown flow {factor.flow!r}")
        for process in self.processes.values():
            if process.unit not in UNITS:
                problems.append(f"process {process.id} ({process.plugin}): unknown unit "
                                f"{process.unit!r}")
            problems += [f"process {process.id} ({process.plugin}): unknown flow {f!r}"
                         for f, _ in process.emissions if f not in self.flows]
            problems += [f"process {process.id} ({process.plugin}): unknown input {p!r}"
                         for p, _ in process.inputs if p not in self.processes]
        for region in self.regions.values():
            problems += [f"region {region.code} ({region.plugin}): unknown fallback {r!r}"
                         for r in region.fallback if r not in self.regions]
        if not self.methods:
            problems.append("no characterisation method registered")
        if problems:
            raise DataError("inconsistent plugin data:\n  " + "\n  ".join(problems))

    # -- the background as Brightway will hold it -------------------------------------------

    def background_processes(self) -> list[Process]:
        """Registered processes plus one process per electricity factor, sorted by id."""
        electricity = [
            Process(f.process_id, f"Electricity, {f.basis}, {f.region}, {f.year}",
                    f"电力, {f.basis}, {f.region}, {f.year}", "kWh", ((f.flow, f.value),),
                    f.source, plugin=f.plugin)
            for f in self.electricity.values()
        ]
        return sorted([*self.processes.values(), *electricity], key=lambda p: p.id)

    @cached_property
    def data_version(self) -> str:
        """SHA-256 over everything that can change a number: flows, methods, background, and
        the version and hash of every dataset of the plugins' catalogs (category models read
        data while calculating that is nowhere in the registry's records)."""
        return _sha256({
            "format": BACKGROUND_FORMAT,
            "flows": sorted(f.id for f in self.flows.values()),
            "methods": {m.id: sorted(m.factors) for m in self.methods.values()},
            "processes": [[p.id, p.unit, sorted(p.emissions), sorted(p.inputs)]
                          for p in self.background_processes()],
            "datasets": sorted([d.package, d.id, d.version, d.sha256] for d in self.datasets),
        })

    @cached_property
    def data_version_name(self) -> str:
        """The versions of the datasets that have earlier versions, e.g. "MEE-2022"; several
        are joined by "+" in the order of their dataset ids. Without a selection these are
        the newest; ``Registry.from_plugins(pm, name)`` rebuilds the same selection."""
        names = [d.version for d in sorted(self.datasets, key=lambda d: (d.id, d.package))
                 if d.versioned]
        return VERSION_JOIN.join(dict.fromkeys(names))

    def data_version_record(self) -> dict:
        """What to store beside a result: the name, the hash and every dataset's version."""
        return {"name": self.data_version_name, "hash": self.data_version,
                "datasets": {d.id: d.version for d in self.datasets}}

    @cached_property
    def resolution_fingerprint(self) -> str:
        """SHA-256 over what turning a BOM into process quantities depends on, and not over
        electricity factor values or years: flow ids; the registered (non-electricity)
        processes with unit, inputs and emissions; regions with their fallbacks; categories
        with the plugin that models them; and the hash of every dataset whose manifest kind
        is not "electricity" (category models read them while expanding a BOM).

        Two registries with the same fingerprint resolve every BOM line to the same process
        or flow with the same quantity, except for which electricity factor (year and value)
        an electricity line picks. Batch recalculation relies on this to reuse the compiled
        rows of stored BOMs under another data version (e.g. MEE-2022 -> MEE-2023) and only
        re-pick electricity factors and rescore.
        """
        return _sha256({
            "format": RESOLUTION_FORMAT,
            "flows": sorted(self.flows),
            "processes": [[p.id, p.unit, sorted(p.inputs), sorted(p.emissions)]
                          for p in sorted(self.processes.values(), key=lambda p: p.id)],
            "regions": sorted([r.code, list(r.fallback)] for r in self.regions.values()),
            "categories": sorted([c.id, c.plugin] for c in self.categories.values()),
            "datasets": sorted([d.package, d.id, d.sha256] for d in self.datasets
                               if d.kind != "electricity"),
        })

    def factors_for(self, region: str, basis: str) -> dict[int, ElectricityFactor]:
        return {f.year: f for (r, _, b), f in self.electricity.items() if r == region and b == basis}

    def years_by_region(self) -> dict[str, list[int]]:
        years = defaultdict(set)
        for region, year, _ in self.electricity:
            years[region].add(year)
        return {r: sorted(y) for r, y in years.items()}


def _sha256(content) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def plugin_catalogs(pm) -> list[Catalog]:
    """The core catalog and the catalogs of the plugins' own packages: a catalog whose package
    shares its top-level package with a registered plugin (``footprint_tea.data`` of the
    plugin ``footprint_tea``). Catalogs of packages no registered plugin belongs to (a test's,
    a plugin not loaded in this manager) do not change this registry's data version."""
    owners = set()
    for _, plugin in pm.list_name_plugin():
        module = plugin.__name__ if isinstance(plugin, ModuleType) else \
            getattr(plugin, "__module__", None) or type(plugin).__module__
        owners.add(str(module).partition(".")[0])
    return [c for c in known_catalogs()
            if c.package == CORE_PACKAGE or c.package.partition(".")[0] in owners]


def dataset_versions(catalogs) -> tuple[DatasetVersion, ...]:
    """Each dataset of ``catalogs`` in the version the current selection picks."""
    return tuple(
        DatasetVersion(catalog.package, dataset_id, entry["version"], entry["sha256"],
                       str(entry.get("kind", "")), bool(current.get("history")))
        for catalog in catalogs
        for dataset_id, current in catalog.entries.items()
        for entry in [catalog.version_entry(dataset_id)])
