"""The result object: totals and breakdowns, what made them, and a reproducibility hash.

Headline value: kg CO2e per declared unit over the stages inside the system boundary, with
biogenic CO2 counted 0 (its mass is reported separately as ``biogenic_co2_kg``). The
reproducibility hash is SHA-256 over the canonical JSON of everything else in the result,
which includes the canonical BOM (and sub-assemblies), data version (hash and name, e.g.
"MEE-2022"), method, factors and library versions: the same inputs on the same software give
the same hash.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import math
from functools import lru_cache

from .. import jsontext
from ..errors import Figure, InvalidInput, Message, Problem, as_data
from ..model import STAGES
from .electricitybasis import basis_fields
from .scopes import STANDARD, drawn_on, line_scope, mixed_scopes_note, scope_breakdown
from .quality import line_quality

LIBRARIES = ("footprint", "bw2data", "bw2calc", "bw_processing", "numpy", "scipy")
# one key per model.FLOW_ORIGINS
ORIGIN_KEYS = {"fossil": "fossil_kg_co2e", "biogenic": "biogenic_kg_co2e",
               "other": "other_kg_co2e", "unspecified": "unspecified_kg_co2e"}


@lru_cache(maxsize=1)  # reading package metadata costs ~1 ms a library
def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def canonical_json(value) -> str:
    return jsontext.canonical(value)


def _describe_input(resolved_line) -> str:
    line = resolved_line.line
    return line.input if line.input is not None else f"emission:{line.emission}"


def _factor_record(resolved_line, registry) -> dict | None:
    if resolved_line.process_id is None:
        return None
    known = registry.known("factor record")
    key = drawn_on(resolved_line)
    if key not in known:
        known[key] = _record_of(resolved_line, registry)
    record = dict(known[key])  # its own, to add this line's note to; the parts are shared
    if resolved_line.note:
        record["note"] = str(resolved_line.note)
        if isinstance(resolved_line.note, Message):
            record["note_message"] = as_data(resolved_line.note)
    return record


def _record_of(resolved_line, registry) -> dict:
    if resolved_line.factor is not None:
        f = resolved_line.factor
        record = {"process": f.process_id, "kind": "electricity", "region": f.region,
                  "year": f.year, "basis": f.basis, "value": f.value, "flow": f.flow,
                  "unit": f"kg {f.flow}/kWh", "source": f.source.as_dict(), "plugin": f.plugin}
    else:
        p = registry.processes[resolved_line.process_id]
        record = {"process": p.id, "kind": "process", "name": p.name_en, "unit": p.unit,
                  "emissions": dict(p.emissions), "source": p.source.as_dict(),
                  "plugin": p.plugin}
    record["scope"] = line_scope(resolved_line, registry)  # footprint.engine.scopes
    return record


def _cite_sub_assembly(sub, path: str, registry, factors: dict, notes: list) -> None:
    """A parent result cites the factors and notes of its sub-assemblies, at any depth."""
    name = sub.bom.product.get("id") or sub.bom.product["name"]
    for rl in sub.lines:
        if rl.line.stage not in sub.bom.boundary_stages:
            continue
        record = _factor_record(rl, registry)
        if record:
            factors.setdefault(record["process"], record)
        where = Message("%(path)s (%(name)s) line %(number)s", path=path, name=name,
                        number=rl.line.index + 1)
        if rl.note:
            notes.append(Message("%(where)s: %(note)s", where=where, note=rl.note))
        if rl.sub is not None:
            _cite_sub_assembly(rl.sub, where, registry, factors, notes)


def build_result(resolved, scores, p: int, inventory, registry, method) -> dict:
    """The result of product ``p`` of a scored batch (see footprint.scoring)."""
    bom = resolved.bom
    cf = inventory.factors[method.id]
    inside = bom.boundary_stages
    stage_values = dict(zip(STAGES, scores.by_stage[p].tolist()))
    by_stage = {s: stage_values[s] for s in STAGES if s in inside}
    outside = {s: v for s, v in stage_values.items() if s not in inside and v}
    total = float(scores.total[p])
    by_input, factors, notes, supplier = [], {}, [], []
    for rl, co2e in zip(resolved.lines, scores.by_line[p].tolist()):
        in_boundary = rl.line.stage in inside
        entry = {"line": rl.line.index + 1, "input": _describe_input(rl),
                 "amount": rl.line.amount, "unit": rl.line.unit, "stage": rl.line.stage,
                 "kg_co2e": co2e, "in_boundary": in_boundary,
                 "share": co2e / total if total and in_boundary else 0.0}
        record = _factor_record(rl, registry)
        if record:
            entry["factor"] = record["process"]
            factors[record["process"]] = record
        if rl.line.model:
            entry["model"] = rl.line.model
            if rl.line.note:
                entry["note"] = rl.line.note
            if rl.line.note_zh:  # the model's own Chinese, for pages read in Chinese
                entry["note_zh"] = rl.line.note_zh
        line = Message("line %(number)s", number=rl.line.index + 1) \
            if rl.note or rl.label is not None or rl.sub is not None else None
        if rl.note:
            notes.append(Message("%(where)s: %(note)s", where=line, note=rl.note))
        if rl.label is not None:  # supplier primary data: the label and who stands behind it
            entry["data"] = "supplier-primary"
            entry["supplier_label"] = rl.label.as_dict()
            supplier.append(rl.label.as_dict())
            if rl.label.status == "kept-by-issuer":
                notes.append(Message("%(where)s: the status of label %(label)s is kept by "
                                     "its issuing platform %(issuer)s", where=line,
                                     label=rl.label.id, issuer=rl.label.issuer))
            if rl.label.replaces:
                notes.append(Message("%(where)s: label %(old)s was superseded; its successor "
                                     "%(label)s is used", where=line, old=rl.label.replaces,
                                     label=rl.label.id))
        if rl.sub is not None:
            entry["sub_assembly"] = rl.sub.bom.product.get("id") or rl.sub.bom.product["name"]
            _cite_sub_assembly(rl.sub, line, registry, factors, notes)
        by_input.append(entry)

    # data quality (engine/quality.py): each line's ratings, the weighted dqi, primary share
    rated, quality = line_quality(resolved, scores.by_line[p].tolist(), registry, inventory, cf)
    for entry, line_rating in zip(by_input, rated):
        entry.update(line_rating)

    mass = scores.gas_mass[p]
    by_gas_mass = {f: float(m) for f, m in zip(inventory.flow_ids, mass) if m}
    by_gas = {f: float(m * c) for f, m, c in zip(inventory.flow_ids, mass, cf) if m * c}
    by_origin = {key: 0.0 for key in ORIGIN_KEYS.values()}
    for flow_id, value in by_gas.items():
        by_origin[ORIGIN_KEYS[registry.flows[flow_id].origin]] += value
    low = sorted({r["source"]["dataset"] for r in factors.values()
                  if r["source"]["confidence"].startswith("low")})
    if low:
        notes.append(Message("low-confidence data used: %(datasets)s",
                             datasets=", ".join(low)))
    unidentified = [d for d in low if "unidentified" in _confidence_of(d, factors)]
    if unidentified:  # engine/quality.py rates such a line 5 for technological representativeness
        notes.append(Message("the source of %(datasets)s could not be identified: its figures "
                             "are indicative only and the line is rated 5 for technological "
                             "representativeness", datasets=", ".join(unidentified)))
    scopes = scope_breakdown(resolved, inventory, registry, method, total)
    notes += filter(None, [mixed_scopes_note(scopes)])
    electricity_basis = basis_fields(resolved, by_input, notes)

    result = {
        "product": bom.product,
        "declared_unit": bom.declared_unit,
        "region": bom.region,
        "system_boundary": bom.system_boundary,
        "method": {"id": method.id, "name": method.name, "source": method.source.as_dict()},
        "total_kg_co2e": total,
        "by_stage": by_stage,
        "outside_boundary": outside,
        "by_gas": by_gas,
        "by_gas_mass_kg": by_gas_mass,
        **by_origin,
        "biogenic_co2_kg": by_gas_mass.get("CO2_biogenic", 0.0),
        "by_input": by_input,
        "scopes": scopes,
        "standard": STANDARD,
        **electricity_basis,
        **quality,
        "factors": [factors[k] for k in sorted(factors)],
        "notes": [str(note) for note in notes],
        # the notes as messages, for a page to say them in its reader's language
        **({"note_messages": as_data(notes)} if notes else {}),
        "data_version": inventory.data_version,
        "data_version_name": registry.data_version_name,
        "libraries": dict(library_versions()),
        "bom": resolved.canonical(),
    }
    if supplier:  # suppliers' labels sign CO2e, not gases: by_gas leaves them out
        result["supplier_labels"] = supplier
        result["supplier_kg_co2e"] = sum(e["kg_co2e"] for e in by_input
                                         if "supplier_label" in e and e["in_boundary"])
    return result


def _confidence_of(dataset: str, factors: dict) -> str:
    return next(r["source"]["confidence"].lower() for r in factors.values()
                if r["source"]["dataset"] == dataset)


def check_finite(result: dict) -> None:
    """Refuse a result whose total or range (P5, P50, P95) is not a finite number, located at
    the line that weighs most. The BOM's bounds (bom.MAX_AMOUNT) keep every result finite;
    this is the net below them, so that no overflow is ever stored, signed or shown as a
    footprint with an empty range (1e308 kWh made a total of 1.404e307 kg and a range of
    nothing, rated "very good")."""
    spread = result.get("uncertainty") or {}
    figures = [result.get("total_kg_co2e"), *(spread.get(k) for k in ("p5", "p50", "p95")
                                              if "uncertainty" in result)]
    if all(isinstance(f, (int, float)) and math.isfinite(f) for f in figures):
        return

    def weight(entry):
        value = entry.get("kg_co2e")
        return abs(value) if isinstance(value, (int, float)) and math.isfinite(value) \
            else math.inf
    heaviest = max(result.get("by_input") or [], key=weight, default=None)
    if heaviest is None:
        where = "lines"
    elif heaviest.get("model"):
        where = "parameters"
    else:
        where = f"lines[{heaviest['line'] - 1}].amount"
    total = Figure(_three_figures(result.get("total_kg_co2e")))
    raise InvalidInput([Problem(where, Message(
        "the footprint is too large to calculate (%(total)s kg CO2e, its range beyond any "
        "number): check this amount and its unit", total=total))])


def _three_figures(value):
    """A total for a message, as a footprint is shown (3 significant figures) where it is a
    finite number."""
    finite = isinstance(value, (int, float)) and math.isfinite(value)
    return float(f"{value:.3g}") if finite else value


def seal(result: dict) -> dict:
    """Add the reproducibility hash: SHA-256 of the canonical JSON of everything else."""
    result.pop("reproducibility_hash", None)
    result["reproducibility_hash"] = hashlib.sha256(canonical_json(result).encode()).hexdigest()
    return result
