"""What the plugins know, gathered once: flows, methods, regions, factors, processes, categories.

For every key the first answer in pluggy's call order wins (installed plugins before the
``trylast`` defaults); later answers for the same key are kept in ``shadowed`` so an operator
can see what was overridden and by whom.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from .errors import DataError, PluginError
from .model import (ELECTRICITY_BASES, FLOW_ORIGINS, ElectricityFactor, Flow, Method, Process,
                    ProductCategory, Region)
from .units import UNITS

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

    @classmethod
    def from_plugins(cls, pm) -> "Registry":
        registry = cls()
        for hook, record_type, attribute, key in HOOKS:
            store = getattr(registry, attribute)
            for plugin_name, records in pm.call_each(hook, registry=registry):
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
                        registry.shadowed.append(Shadowed(hook, k, plugin_name, store[k].plugin))
                    else:
                        store[k] = record
        # The first method marked default in call order (an installed plugin may claim it).
        registry.default_method = next(
            (m.id for m in registry.methods.values() if m.default), next(iter(registry.methods), ""))
        registry.check()
        return registry

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

    @property
    def data_version(self) -> str:
        """SHA-256 over everything that can change a number: flows, methods and background."""
        content = {
            "format": BACKGROUND_FORMAT,
            "flows": sorted(f.id for f in self.flows.values()),
            "methods": {m.id: sorted(m.factors) for m in self.methods.values()},
            "processes": [[p.id, p.unit, sorted(p.emissions), sorted(p.inputs)]
                          for p in self.background_processes()],
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def factors_for(self, region: str, basis: str) -> dict[int, ElectricityFactor]:
        return {f.year: f for (r, _, b), f in self.electricity.items() if r == region and b == basis}

    def years_by_region(self) -> dict[str, list[int]]:
        years = defaultdict(set)
        for region, year, _ in self.electricity:
            years[region].add(year)
        return {r: sorted(y) for r, y in years.items()}
