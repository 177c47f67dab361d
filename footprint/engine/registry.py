"""What the plugins know, gathered once: datasets, flows, methods, regions, factors, processes,
categories.

For every key the first answer in pluggy's call order wins (installed plugins before the
``trylast`` defaults); later answers for the same key are kept in ``shadowed`` so an operator
can see what was overridden and by whom.

A registry is built under the data version selected when it is built (footprint.data.selecting,
checked by footprint.engine.dataversions): the plugins read their datasets in that version,
and the registry records which version of every dataset the plugins registered, so
``data_version`` changes with any of them and with which plugins are loaded. A registry does
not change once built: its hashes and name are worked out on first use and kept.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from ..data import VERSION_JOIN, Catalog, is_versioned, named_in, selected_data_version
from ..errors import DataError, Message, PluginError, bulleted
from ..model import (ELECTRICITY_BASES, FLOW_ORIGINS, CharacterisationFactor, ElectricityFactor,
                    Flow, Method, Process, ProductCategory, Region)
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
    """One registered dataset as a registry saw it."""

    package: str
    id: str
    version: str
    sha256: str
    kind: str
    versioned: bool  # the dataset has earlier versions, so its version is part of the name
    plugin: str = ""  # the plugin that registered it


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
    # the name it was built under (None: every dataset current), the catalogs the plugins
    # registered, and the version of each of their datasets that the name selected
    selection: str | None = None
    catalogs: tuple[Catalog, ...] = ()
    datasets: tuple[DatasetVersion, ...] = ()
    # what the engine works out from these records alone (a factor's gas scope, its
    # record in a result, a line's uncertainty sigmas), by kind then key: kept with the
    # registry, which does not change once built, instead of worked out again for every
    # line of every BOM
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    def known(self, kind: str) -> dict:
        """The ``derived`` figures of one kind, to read and add to."""
        return self.derived.setdefault(kind, {})

    @classmethod
    def from_plugins(cls, pm) -> "Registry":
        """Gather every plugin's records under the data version selected now (None: every
        dataset current). The selection is taken as checked: footprint.engine.dataversions
        builds a registry under a name (``build_registry``) after checking it against the
        datasets these plugins register."""
        registry = cls(selection=selected_data_version())
        registry.register_datasets(pm)
        registry._gather(pm)
        return registry

    def register_datasets(self, pm) -> None:
        """Ask every plugin for the catalogs of the datasets it reads (hook
        ``register_datasets``); each dataset is kept once, from the first plugin to register
        it, in the version the selection picks, and listed in manifest order."""
        catalogs, datasets, positions = [], {}, {}
        for plugin_name, answer in pm.call_each("register_datasets", registry=self):
            for catalog in _records(plugin_name, "register_datasets", answer, Catalog):
                try:
                    entries = catalog.entries
                except (DataError, ImportError, OSError, KeyError, ValueError) as exc:
                    raise DataError(Message(
                        "plugin %(plugin)s registered %(catalog)s, which cannot be read: "
                        "%(error)s", plugin=repr(plugin_name), catalog=repr(catalog),
                        error=_error_text(exc))) from exc
                catalogs.append(catalog)
                for dataset_id, current in entries.items():
                    key = (catalog.package, dataset_id)
                    if not named_in(current, self.selection):
                        continue  # an imported dataset the selected data version predates
                    if key in datasets:
                        self.shadowed.append(Shadowed("register_datasets", key, plugin_name,
                                                      datasets[key].plugin))
                        continue
                    entry = catalog.version_entry(dataset_id)
                    positions[key] = catalog.position(dataset_id)
                    datasets[key] = DatasetVersion(
                        catalog.package, dataset_id, entry["version"], entry["sha256"],
                        str(entry.get("kind", "")), is_versioned(current), plugin_name)
        self.catalogs = tuple(catalogs)
        self.datasets = tuple(datasets[key] for key in sorted(datasets, key=positions.get))

    def manifest_entry(self, dataset_id: str) -> dict:
        """The manifest entry of a registered dataset in the version registered ({} when no
        plugin registered it): its provenance, and its title and publisher in English and
        (``title_zh``, ``publisher_zh``, where its manifest gives them) Chinese, and its
        factors' notes in Chinese by process id (``notes_zh``)."""
        entries = self.known("manifest entry")
        if dataset_id not in entries:
            entries[dataset_id] = next(
                (catalog.version_entry(dataset_id, dataset.version)
                 for dataset in self.datasets if dataset.id == dataset_id
                 for catalog in self.catalogs
                 if catalog.package == dataset.package and dataset_id in catalog.entries), {})
        return entries[dataset_id]

    def _gather(self, pm) -> None:
        """Ask every plugin, keeping the first answer per key (pluggy's call order)."""
        for hook, record_type, attribute, key in HOOKS:
            store = getattr(self, attribute)
            for plugin_name, records in pm.call_each(hook, registry=self):
                for record in _records(plugin_name, hook, records, record_type):
                    record = dataclasses.replace(record, plugin=plugin_name)
                    k = key(record)
                    if k in store:
                        self.shadowed.append(Shadowed(hook, k, plugin_name, store[k].plugin))
                    else:
                        store[k] = record
        self._add_factors(pm)
        # The first method marked default in call order (an installed plugin may claim it).
        self.default_method = next(
            (m.id for m in self.methods.values() if m.default), next(iter(self.methods), ""))
        self.check()

    def _add_factors(self, pm) -> None:
        """Factors plugins add to registered methods (hook ``register_characterisation_
        factors``), each for a flow the method does not characterise yet. The same value
        again is harmless; another value for a flow already characterised is a conflict no
        precedence can settle (the method's numbers would depend on load order)."""
        added: dict[str, dict[str, tuple[float, str]]] = defaultdict(dict)
        problems = []
        for plugin_name, records in pm.call_each("register_characterisation_factors",
                                                 registry=self):
            for cf in _records(plugin_name, "register_characterisation_factors", records,
                               CharacterisationFactor):
                method = self.methods.get(cf.method)
                if method is None:
                    problems.append(f"characterisation factor of {cf.flow} ({plugin_name}): "
                                    f"unknown method {cf.method!r}")
                    continue
                own = dict(method.factors)
                earlier = added[cf.method].get(cf.flow)
                if cf.flow in own and own[cf.flow] != cf.factor:
                    problems.append(_characterised(cf, (own[cf.flow], method.plugin),
                                                   plugin_name))
                elif earlier is not None and earlier[0] != cf.factor:
                    problems.append(_characterised(cf, earlier, plugin_name))
                elif cf.flow not in own and earlier is None:
                    added[cf.method][cf.flow] = (float(cf.factor), plugin_name)
        if problems:
            raise DataError(Message("conflicting characterisation factors:%(problems)s",
                                    problems=bulleted(problems)))
        for method_id, factors in added.items():
            method = self.methods[method_id]
            self.methods[method_id] = dataclasses.replace(method, factors=(
                *method.factors, *((flow, value) for flow, (value, _) in factors.items())))

    def check(self) -> None:
        """Every reference between records resolves; a plugin's typo fails here, not mid-run."""
        problems = []
        for method in self.methods.values():
            problems += [Message("method %(id)s (%(plugin)s): unknown flow %(flow)s",
                                 id=method.id, plugin=method.plugin, flow=repr(f))
                         for f, _ in method.factors if f not in self.flows]
        for flow in self.flows.values():
            if flow.origin not in FLOW_ORIGINS:
                problems.append(Message("flow %(id)s (%(plugin)s): origin %(origin)s is not one "
                                        "of %(origins)s", id=flow.id, plugin=flow.plugin,
                                        origin=repr(flow.origin), origins=list(FLOW_ORIGINS)))
        for factor in self.electricity.values():
            where = dict(id=factor.process_id, plugin=factor.plugin)
            if factor.basis not in ELECTRICITY_BASES:
                problems.append(Message("electricity factor %(id)s (%(plugin)s): basis "
                                        "%(basis)s is not one of %(bases)s", **where,
                                        basis=repr(factor.basis),
                                        bases=list(ELECTRICITY_BASES)))
            if factor.region not in self.regions:
                problems.append(Message("electricity factor %(id)s (%(plugin)s): unknown "
                                        "region %(region)s", **where, region=repr(factor.region)))
            if factor.flow not in self.flows:
                problems.append(Message("electricity factor %(id)s (%(plugin)s): unknown flow "
                                        "%(flow)s", **where, flow=repr(factor.flow)))
        for process in self.processes.values():
            where = dict(id=process.id, plugin=process.plugin)
            if process.unit not in UNITS:
                problems.append(Message("process %(id)s (%(plugin)s): unknown unit %(unit)s",
                                        **where, unit=repr(process.unit)))
            problems += [Message("process %(id)s (%(plugin)s): unknown flow %(flow)s", **where,
                                 flow=repr(f))
                         for f, _ in process.emissions if f not in self.flows]
            problems += [Message("process %(id)s (%(plugin)s): unknown input %(input)s", **where,
                                 input=repr(p))
                         for p, _ in process.inputs if p not in self.processes]
            if process.cumulative and process.inputs:
                problems.append(Message("process %(id)s (%(plugin)s): a cumulative inventory "
                                        "takes no inputs", **where))
        for region in self.regions.values():
            problems += [Message("region %(code)s (%(plugin)s): unknown fallback %(fallback)s",
                                 code=region.code, plugin=region.plugin, fallback=repr(r))
                         for r in region.fallback if r not in self.regions]
        if not self.methods:
            problems.append(Message("no characterisation method registered"))
        packages = defaultdict(set)
        for dataset in self.datasets:
            packages[dataset.id].add((dataset.package, dataset.plugin))
        problems += [Message("dataset %(id)s is registered from two packages: %(packages)s",
                             id=dataset_id, packages=[f"{package} ({plugin})"
                                                      for package, plugin in sorted(found)])
                     for dataset_id, found in packages.items()
                     if len({package for package, _ in found}) > 1]
        if problems:
            raise DataError(Message("inconsistent plugin data:%(problems)s",
                                    problems=bulleted(problems)))

    # -- the background as Brightway will hold it -------------------------------------------

    def background_processes(self) -> list[Process]:
        """Registered processes plus one process per electricity factor, sorted by id."""
        electricity = [
            Process(f.process_id, f"Electricity, {f.basis}, {f.region}, {f.year}",
                    f"电力，{f.basis}，{f.region}，{f.year}", "kWh", ((f.flow, f.value),),
                    f.source, plugin=f.plugin)
            for f in self.electricity.values()
        ]
        return sorted([*self.processes.values(), *electricity], key=lambda p: p.id)

    @cached_property
    def data_version(self) -> str:
        """SHA-256 over everything that can change a number: flows, methods, background, and
        the version and hash of every dataset the plugins registered (category models read
        data while calculating that is nowhere in the registry's records)."""
        return _sha256({
            "format": BACKGROUND_FORMAT,
            "flows": sorted(f.id for f in self.flows.values()),
            "methods": {m.id: sorted(m.factors) for m in self.methods.values()},
            # a cumulative process is marked (only those, so other hashes stay as they were)
            "processes": [[p.id, p.unit, sorted(p.emissions), sorted(p.inputs),
                           *(["cumulative"] if p.cumulative else [])]
                          for p in self.background_processes()],
            "datasets": sorted([d.package, d.id, d.version, d.sha256] for d in self.datasets),
        })

    @cached_property
    def data_version_name(self) -> str:
        """The versions of the datasets that have earlier versions, e.g. "MEE-2022"; several
        are joined by "+" in the order of their dataset ids. Without a selection these are
        the newest; ``footprint.engine.dataversions.build_registry(pm, name)`` rebuilds the
        same selection."""
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
        """The region's factors of that basis by data year (every BOM with electricity asks)."""
        by_region = self.known("electricity by region and basis")
        if not by_region:
            for (r, _, b), f in self.electricity.items():
                by_region.setdefault((r, b), {})[f.year] = f
        return dict(by_region.get((region, basis), {}))

    def years_by_region(self) -> dict[str, list[int]]:
        years = defaultdict(set)
        for region, year, _ in self.electricity:
            years[region].add(year)
        return {r: sorted(y) for r, y in years.items()}


def _sha256(content) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _records(plugin_name: str, hook: str, answer, record_type) -> list:
    """A register_* hook's answer, checked: a list of ``record_type``."""
    if not isinstance(answer, (list, tuple)):
        raise PluginError(Message("plugin %(plugin)s: %(hook)s must return a list of "
                                  "%(expected)s, not %(got)s", plugin=repr(plugin_name),
                                  hook=hook, expected=record_type.__name__,
                                  got=type(answer).__name__))
    for record in answer:
        if not isinstance(record, record_type):
            raise PluginError(Message("plugin %(plugin)s: %(hook)s returned %(got)s, expected "
                                      "%(expected)s", plugin=repr(plugin_name), hook=hook,
                                      got=type(record).__name__,
                                      expected=record_type.__name__))
    return list(answer)


def _characterised(cf, first: tuple, plugin_name: str) -> Message:
    """Two plugins that characterise one flow of a method differently: ``first`` the
    (factor, plugin) the method already holds."""
    return Message("method %(method)s: %(first)s characterises %(flow)s as %(factor)s, "
                   "%(plugin)s as %(other)s", method=cf.method, first=first[1], flow=cf.flow,
                   factor=first[0], plugin=plugin_name, other=cf.factor)


def _error_text(exc: Exception):
    """A catalog's reading error: its own Message (a DataError), or as Python says it."""
    if isinstance(exc, DataError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def registered_catalogs(pm) -> tuple[Catalog, ...]:
    """The catalogs ``pm``'s plugins register (hook ``register_datasets``), in call order."""
    registry = Registry()
    registry.register_datasets(pm)
    return registry.catalogs
