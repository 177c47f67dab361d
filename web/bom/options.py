"""The options of the BOM editor's selects (inputs, regions, units, stages, bases,
boundaries, categories) and the names of a result's lines, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from footprint.bom import BOUNDARIES
from footprint.model import ELECTRICITY_BASES, STAGES
from footprint.units import UNITS

from .. import vocabulary as words
from ..vocabulary import in_language, word
from .form import EMISSION_PREFIX


def choices(registry, language: str, org_products=()) -> dict:
    """Options of the editor's selects, labelled in ``language``."""
    by_plugin: dict[str, list] = {}
    for process in registry.processes.values():
        label = f"{in_language(process.name_zh, process.name_en, language)} ({process.unit})"
        by_plugin.setdefault(process.plugin, []).append((process.id, label))
    inputs = [(_("Electricity"), [("electricity", _("Electricity (grid, kWh)"))])]
    for plugin, options in sorted(by_plugin.items(),
                                  key=lambda kv: (kv[0] != "footprint.defaults", kv[0])):
        group = _("Background processes") if plugin == "footprint.defaults" else \
            _("Background processes: %(plugin)s", plugin=plugin)
        inputs.append((group, options))
    emissions = [(EMISSION_PREFIX + flow.id,
                  f"{in_language(flow.name_zh, flow.name_en, language)} ({flow.id})")
                 for flow in registry.flows.values()]
    inputs.append((_("Direct emissions"), emissions))
    if org_products:
        inputs.append((_("Sub-assemblies (your products)"),
                       [(f"product:{pid}", name) for pid, name in org_products]))
    levels = {"country": _("Countries"), "grid": _("Regional grids"),
              "province": _("Provinces"), "union": _("Unions")}
    regions: dict[str, list] = {}
    for region in registry.regions.values():
        label = f"{region.code} {region.name_zh} {region.name_en}" if language == "zh" \
            else f"{region.code} {region.name_en} {region.name_zh}"
        regions.setdefault(levels.get(region.level, region.level), []).append(
            (region.code, label))
    units: dict[str, list] = {}
    for unit, (dimension, _factor) in UNITS.items():
        units.setdefault(word(words.DIMENSIONS, dimension), []).append(
            (unit, word(words.UNITS, unit)))
    return {
        "inputs": inputs,
        "regions": list(regions.items()),
        "units": list(units.items()),
        "stages": [(s, word(words.STAGES, s)) for s in STAGES],
        "bases": [(b, word(words.BASES, b)) for b in ELECTRICITY_BASES],
        "boundaries": [(b, word(words.BOUNDARIES, b)) for b in BOUNDARIES],
        "categories": [(c.id, in_language(c.name_zh, c.name_en, language))
                       for c in registry.categories.values()],
    }


def line_label(entry: dict, registry, language: str) -> str:
    """A result's by_input entry named for people: 'Electricity (CN-SC, 2022)', 'Diesel ...'."""
    what = entry.get("input") or ""
    if what.startswith(EMISSION_PREFIX):
        flow = registry.flows.get(what[len(EMISSION_PREFIX):])
        return _("Direct emission: %(name)s",
                 name=in_language(flow.name_zh, flow.name_en, language) if flow else what)
    factor = entry.get("factor") or ""
    if what == "electricity" and factor.startswith("electricity/"):
        _kind, basis, region, year = (factor.split("/") + ["", "", "", ""])[:4]
        place = registry.regions.get(region)
        name = in_language(place.name_zh, place.name_en, language) if place else region
        return _("Electricity (%(region)s, %(year)s)", region=name, year=year)
    process = registry.processes.get(what)
    if process is not None:
        return in_language(process.name_zh, process.name_en, language)
    return what
