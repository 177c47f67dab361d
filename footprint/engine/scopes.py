"""Gas scopes: which gases and which part of the life cycle each factor covers, and how much
of a footprint each scope makes up.

A grid factor of CO2 at the plant and a life-cycle CO2e factor are not like for like, yet both
end up in one total. So every factor is classified here, in one place, into one of
``model.GAS_SCOPES``:

- ``co2_only``: CO2 alone (combustion, process or consumption-side grid CO2), other gases and
  upstream left out;
- ``co2e``: several gases as CO2e under a named GWP set (the result's method for gases the
  engine characterises; "as published" for an aggregated CO2e whose source does not say it
  covers the life cycle);
- ``lifecycle_co2e``: life-cycle CO2e including upstream (supply chain, manufacturing).

A plugin may state a factor's scope on its ``Source`` (``scope``); otherwise it is derived
from what the data already says: the flows the factor emits and, for an aggregated CO2e, the
dataset's manifest ``gas_scope`` and the citation (life cycle, cradle to gate, upstream).
A supplier's label is a product footprint, so life-cycle CO2e.
"""
from __future__ import annotations

import numpy as np

from ..errors import Message
from ..model import GAS_SCOPES, STAGES, Source
from .compiled import expand_rows, inventory_column, the_line

STANDARD = "GB/T 24067-2024 / ISO 14067:2018"
CO2_FLOWS = frozenset({"CO2_fossil", "CO2_biogenic"})
AGGREGATED = "CO2e_aggregated"
AS_PUBLISHED = "as published by the source"
# Words a source uses when its CO2e covers the supply chain, not the point of emission only
# ("no upstream" says the opposite, so "upstream" alone is not one of them).
LIFE_CYCLE_WORDS = ("life cycle", "life-cycle", "lifecycle", "cradle to", "cradle-to",
                    "including upstream", "well-to")


def _says_life_cycle(*texts: str) -> bool:
    text = " ".join(texts).lower()
    return any(word in text for word in LIFE_CYCLE_WORDS)


def _manifest_gas_scope(dataset_id: str, registry) -> str:
    for catalog in registry.catalogs:
        entry = catalog.entries.get(dataset_id)
        if entry is not None:
            return str(entry.get("gas_scope", ""))
    return ""


def _process_flows(process_id: str, registry, seen=()) -> set[str]:
    """Every flow a background process emits, through its background inputs too."""
    process = registry.processes[process_id]
    flows = {flow for flow, _ in process.emissions}
    for input_id, _ in process.inputs:
        if input_id in registry.processes and input_id not in seen:
            flows |= _process_flows(input_id, registry, (*seen, process_id))
    return flows


def classify(flows: set[str], source: Source | None, registry) -> str:
    """The gas scope of a factor emitting ``flows``, cited by ``source``."""
    if source is not None and source.scope:
        return source.scope
    if flows and flows <= CO2_FLOWS:
        return "co2_only"
    if flows == {AGGREGATED} and source is not None and _says_life_cycle(
            _manifest_gas_scope(source.dataset, registry), source.citation):
        return "lifecycle_co2e"
    return "co2e"


def line_scope(resolved_line, registry) -> str:
    """The scope of what one resolved (leaf) line draws on."""
    if resolved_line.label is not None:
        return "lifecycle_co2e"
    key = drawn_on(resolved_line)
    known = registry.known("scope")
    if key not in known:
        known[key] = _scope_of(resolved_line, registry)
    return known[key]


def drawn_on(resolved_line):
    """What a line that is not a supplier's label draws on, as a key of registry.known:
    its grid factor, its process or its flow."""
    if resolved_line.factor is not None:
        return resolved_line.factor
    if resolved_line.process_id is not None:
        return ("process", resolved_line.process_id)
    return ("flow", resolved_line.flow)


def _scope_of(resolved_line, registry) -> str:
    if resolved_line.factor is not None:
        factor = resolved_line.factor
        return classify({factor.flow}, factor.source, registry)
    if resolved_line.process_id is not None:
        process = registry.processes[resolved_line.process_id]
        return classify(_process_flows(process.id, registry), process.source, registry)
    return classify({resolved_line.flow}, None, registry)


def gwp_sets(resolved_line, registry, method) -> set[str]:
    """The GWP sets behind a ``co2e`` line: the method's for gases the engine characterises,
    the source's own for an aggregated CO2e."""
    if resolved_line.factor is not None:
        flows = {resolved_line.factor.flow}
    elif resolved_line.process_id is not None:
        flows = _process_flows(resolved_line.process_id, registry)
    else:
        flows = {resolved_line.flow}
    named = {method.name} if flows - CO2_FLOWS - {AGGREGATED} else set()
    return named | ({AS_PUBLISHED} if AGGREGATED in flows else set())


def scope_breakdown(resolved, inventory, registry, method, total: float) -> dict:
    """Per scope (in GAS_SCOPES order, those present): kg CO2e and share of the total, over
    every row inside the product's boundary (sub-assemblies expanded, as scoring does)."""
    rows: list = []
    expand_rows(rows, resolved, the_line)
    column = inventory_column(inventory)
    cf = np.asarray(inventory.factors[method.id], dtype=np.float64)
    per_unit = inventory.per_unit
    n_processes = len(inventory.process_ids)
    inside_stages = {i for i, stage in enumerate(STAGES) if stage in resolved.bom.boundary_stages}
    sums: dict[str, float] = {}
    gwp: dict[str, set] = {}
    for i in range(0, len(rows), 4):
        _, stage, leaf, quantity = rows[i:i + 4]
        if stage not in inside_stages:
            continue
        j = column(leaf)
        if leaf.label is not None:
            unit = 1.0
        elif j < n_processes:
            unit = float(np.asarray(per_unit[j], dtype=np.float64) @ cf)
        else:
            unit = float(cf[j - n_processes])
        scope = line_scope(leaf, registry)
        sums[scope] = sums.get(scope, 0.0) + quantity * unit
        if scope == "co2e":
            gwp.setdefault(scope, set()).update(gwp_sets(leaf, registry, method))
    out = {}
    for scope in GAS_SCOPES:
        if scope in sums and sums[scope]:
            out[scope] = {"kg_co2e": sums[scope], "share": sums[scope] / total if total else 0.0}
            if scope in gwp:
                out[scope]["gwp"] = sorted(gwp[scope])
    return out


def mixed_scopes_note(scopes: dict) -> Message | None:
    """A note when the total adds up factors of different scopes, which are not like for like."""
    if len(scopes) < 2:
        return None
    return Message("the total adds up factors of different gas scopes, which are not like for "
                   "like")
