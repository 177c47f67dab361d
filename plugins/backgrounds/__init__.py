"""Imported LCI databases as background processes: ``bg:<name>/<code>``.

``footprint background import`` (footprint.engine.lci) keeps each imported database's solved
cumulative greenhouse-gas inventory under FOOTPRINT_HOME/backgrounds (footprint.imported).
This plugin registers their catalog and offers the version of each that the data version in
effect includes (the newest, unless a data version names another): every activity of a unit the project knows is
a ``cumulative`` process (its emissions are the whole supply chain's, per unit of reference
product), the gases the core does not know are flows, and their ecoinvent GWP100 factors are
added to the core's AR6 and AR5 methods. What it registers counts in the data version (the
processes' emissions and the methods' factors are hashed), so importing changes it.
"""
from __future__ import annotations

from footprint import (CharacterisationFactor, DataError, Flow, Process, Source,
                       background_catalog, backgrounds_in_registry, footprint_home,
                       geography_code, hookimpl)


def _backgrounds(registry):
    """The versions the registry's data version includes (register_datasets comes first)."""
    return backgrounds_in_registry(footprint_home(), registry.datasets)


# Built-in data: trylast, so an installed plugin registering the same id takes precedence.
@hookimpl(trylast=True)
def register_datasets(registry):
    catalog = background_catalog(footprint_home())
    return [catalog] if catalog is not None else []


def _citation(background) -> str:
    m = background.manifest
    return (f"{m['name']} {m['version']}: {m['source']} ({m['format']}) imported with bw2io "
            f"{m['bw2io']} on {m['imported_at']}; cumulative inventory solved at import "
            f"(SHA-256 {m['sha256'][:16]}...)")


def _factor_source(method: tuple) -> str:
    return (f"ecoinvent 3.9 LCIA implementation as packaged in bw2io, method "
            f"{' / '.join(method)}")


@hookimpl(trylast=True)
def register_flows(registry):
    flows = {}
    for background in _backgrounds(registry):
        for f in background.manifest["flows"]:
            flows.setdefault(f["id"], Flow(f["id"], f["name_en"], f["name_en"], f["origin"],
                                           f["unit"]))
    return list(flows.values())


@hookimpl(trylast=True)
def register_characterisation_factors(registry):
    factors = {}
    for background in _backgrounds(registry):
        methods = background.manifest["lcia"]
        source = Source(f"background_{background.name}", "")
        for f in background.manifest["flows"]:
            for method, value in f["factors"].items():
                cf = CharacterisationFactor(method, f["id"], value, Source(
                    source.dataset, _factor_source(methods[method])))
                if factors.setdefault((method, f["id"]), cf).factor != value:
                    raise DataError(f"imported backgrounds disagree on the {method} factor of "
                                    f"{f['id']}: {factors[(method, f['id'])].factor}, {value}")
    return list(factors.values())


@hookimpl(trylast=True)
def register_background(registry):
    processes = []
    for background in _backgrounds(registry):
        citation = _citation(background)
        sources = {}  # one per location: an activity's geography rates its data quality
        name = background.name
        for a in background.activities():
            if not a["unit"]:
                continue  # a unit the project does not know: listed in the import's report
            title = f"{a['name']} [{a['location']}]" if a["location"] else a["name"]
            source = sources.setdefault(a["location"], Source(
                f"background_{background.name}", citation, "",
                geography=geography_code(a["location"])))
            processes.append(Process(
                f"bg:{name}/{a['code']}", title, title, a["unit"],
                tuple(sorted(a["flows"].items())), source, cumulative=True))
    return processes
