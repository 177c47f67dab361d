"""Bringing one's own LCI database: imported through bw2io, its greenhouse gases characterised,
its cumulative inventory solved once.

bw2io reads the file (EcoSpold2 directory, openLCA JSON-LD export, SimaPro CSV, Brightway
Excel) into the Brightway project ``footprint-lci`` under FOOTPRINT_HOME/brightway, as the
database ``<name>@<version>`` linked to ``biosphere3`` (ecoinvent 3.9's elementary flows,
created from bw2io's packaged data when missing). An exchange that links to nothing stops the
import, named, and nothing is kept.

Every elementary flow the database uses is then sorted (``classify``):

==========================================  ======================  =============================
ecoinvent flow (compartment air, kg)        footprint flow          factors
==========================================  ======================  =============================
Carbon dioxide, fossil                      CO2_fossil              the core's AR6 / AR5
Carbon dioxide, non-fossil                  CO2_biogenic            0 (reported apart)
Methane, fossil                             CH4_fossil              the core's
Methane, non-fossil                         CH4_non_fossil          the core's
Dinitrogen monoxide                         N2O                     the core's
any other flow with a factor in ecoinvent   ghg/<slug of its name>  ecoinvent's, as packaged
3.9's "IPCC 2021" or "IPCC 2013" climate                            in bw2io (``METHODS``)
change GWP100 (SF6, HFCs, CO2 from soil ..)
a flow named as one of those gases but      (listed in the report   none
without a factor (e.g. R-10 to water)       as not characterised)
anything else (water, NOx ...)              (counted: not a GHG)    -
==========================================  ======================  =============================

Then A and B are read from Brightway's processed matrices (amounts float32, as for the core's
background), B restricted to the greenhouse-gas flows (summed per footprint flow), and
``background.cumulative_inventory`` solves every activity's cumulative kg of each flow per
unit of reference product at once. footprint.imported keeps it.
"""
from __future__ import annotations

import json
import re
import tempfile
import warnings
import zipfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import clock, imported
from ..errors import InvalidInput, Message, Problem
from .background import quiet, brightway, cumulative_inventory

PROJECT = "footprint-lci"
BIOSPHERE = "biosphere3"
FORMATS = ("ecospold2", "jsonld", "simapro-csv", "excel")
LCIA_FILE = ("data", "lcia", "lcia_39_ecoinvent.zip")  # inside bw2io's package
METHODS = {  # the footprint's method id -> the ecoinvent 3.9 method (as bw2io packages it)
    "ar6": ("IPCC 2021", "climate change", "global warming potential (GWP100)"),
    "ar5": ("IPCC 2013", "climate change", "global warming potential (GWP100)"),
}
CORE = {  # ecoinvent name of a flow to air -> the core's flow
    "Carbon dioxide, fossil": "CO2_fossil",
    "Carbon dioxide, non-fossil": "CO2_biogenic",
    "Methane, fossil": "CH4_fossil",
    "Methane, non-fossil": "CH4_non_fossil",
    "Dinitrogen monoxide": "N2O",
}
UNITS = {  # Brightway's unit names (after bw2io's normalize_units) -> the project's
    "kilogram": "kg", "gram": "g", "ton": "t", "kilowatt hour": "kWh", "megajoule": "MJ",
    "gigajoule": "GJ", "watt hour": "Wh", "megawatt hour": "MWh", "cubic meter": "m3",
    "litre": "L", "liter": "L", "milliliter": "mL", "square meter": "m2", "hectare": "ha",
    "ton kilometer": "tkm", "kilogram kilometer": "kgkm", "unit": "piece", "piece": "piece",
}


def _bw2io():
    # imported here, not at the top: bw2io takes seconds to import and only an import needs
    # it; after brightway(home), which binds bw2data to FOOTPRINT_HOME before bw2io loads it
    # (the JSON-LD importer is not among bw2io's top-level names)
    import bw2io.importers.json_ld
    return bw2io


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@lru_cache(maxsize=1)
def lcia_factors(bw2io) -> dict[str, dict[str, float]]:
    """method id -> {biosphere3 code: kg CO2e/kg}, from bw2io's packaged ecoinvent LCIA."""
    with zipfile.ZipFile(Path(bw2io.__file__).parent.joinpath(*LCIA_FILE)) as archive:
        data = json.load(archive.open("data.json"))
    wanted = {tuple(m): method for method, m in METHODS.items()}
    return {wanted[tuple(m["name"])]: {e["input"][1]: float(e["amount"]) for e in m["exchanges"]}
            for m in data if tuple(m["name"]) in wanted}


def _origin(name: str) -> str:
    lowered = name.lower()
    if "non-fossil" in lowered or "biogenic" in lowered:
        return "biogenic"
    return "fossil" if "fossil" in lowered else "other"


def classify(used: list[dict], factors: dict[str, dict[str, float]],
             gas_names: set[str]) -> dict:
    """Sort the biosphere flows ``used`` (dicts: code, name, categories, unit) as the table
    above says: {code: footprint flow id} for the greenhouse gases, the new flows with their
    factors, the uncharacterised greenhouse-gas-looking flows, the count of the others."""
    mapping, new_flows, uncharacterised, other, characterised = {}, {}, [], 0, []
    by_slug = defaultdict(set)
    for flow in used:
        key = tuple(factors[m].get(flow["code"]) for m in METHODS)
        if any(v is not None for v in key):
            by_slug[slug(flow["name"])].add(key)
    for flow in sorted(used, key=lambda f: (f["name"], f["categories"], f["code"])):
        code, name, categories = flow["code"], flow["name"], tuple(flow["categories"])
        said = {"code": code, "name": name, "categories": list(categories),
                "unit": flow["unit"]}
        key = tuple(factors[m].get(code) for m in METHODS)
        if name in CORE and categories[:1] == ("air",) and flow["unit"] == "kilogram":
            mapping[code] = CORE[name]
            characterised.append({**said, "flow": CORE[name]})
        elif any(v is not None for v in key) and flow["unit"] == "kilogram":
            flow_id = f"ghg/{slug(name)}"
            if len(by_slug[slug(name)]) > 1:  # same gas, other factors by compartment
                flow_id += "/" + slug("-".join(categories))
            mapping[code] = flow_id
            characterised.append({**said, "flow": flow_id})
            entry = new_flows.setdefault(flow_id, {
                "id": flow_id, "name_en": name, "origin": _origin(name), "unit": "kg",
                "factors": {m: v for m, v in zip(METHODS, key) if v is not None},
                "biosphere3": []})
            entry["biosphere3"].append(said)
        elif name in gas_names or any(v is not None for v in key):
            uncharacterised.append({**said, "why": "a greenhouse gas's name, but no GWP100 "
                                    "factor for this compartment or unit in ecoinvent 3.9's "
                                    "IPCC 2021 and IPCC 2013 methods"})
        else:
            other += 1
    return {"mapping": mapping, "flows": list(new_flows.values()), "characterised": characterised,
            "uncharacterised": uncharacterised, "not_ghg": other}


def _simapro_migrations(bw2io) -> None:
    """The two migrations bw2io's SimaPro importer applies (units, water flows), from bw2io's
    data; not all of ``create_core_migrations``, which takes seconds more."""
    if "default-units" not in bw2io.migrations:
        bw2io.Migration("default-units").write(
            bw2io.units.get_default_units_migration_data(), "Convert to default units")
    if "simapro-water" not in bw2io.migrations:
        bw2io.Migration("simapro-water").write(
            bw2io.data.get_simapro_water_migration_data(),
            "Change SimaPro water flows to more standard names")


def _importer(bw2io, fmt: str, path: Path, db_name: str):
    if fmt == "ecospold2":  # a directory of .spold files (its parent may hold MasterData)
        # bw2io's worker processes pay off for a database, not for a handful of datasets
        many = sum(1 for _ in path.glob("*.spold")) >= 500
        return bw2io.SingleOutputEcospold2Importer(str(path), db_name, use_mp=many)
    if fmt == "jsonld":
        return bw2io.importers.json_ld.JSONLDImporter(str(path), db_name)
    if fmt == "simapro-csv":
        return bw2io.SimaProCSVImporter(str(path), name=db_name)
    return bw2io.ExcelImporter(str(path))


def _rename(importer, db_name: str) -> None:
    """Excel names its database in the workbook: the import is kept as ``db_name``."""
    old = importer.db_name
    for ds in importer.data:
        ds["database"] = db_name
        for exc in ds.get("exchanges", []):
            if exc.get("input") and exc["input"][0] == old:
                exc["input"] = (db_name, exc["input"][1])
            if exc.get("database") == old:
                exc["database"] = db_name
    importer.db_name = db_name


def _to_biosphere3(importer, biosphere3: set[str]) -> None:
    """openLCA's exports keep ecoinvent's elementary-flow UUIDs: bw2io's JSON-LD importer links
    elementary exchanges to a database of the export's own flows, which is relinked here to
    biosphere3 by UUID; a flow biosphere3 lacks is left unlinked (matched by name below, else
    named in the error), never written as a flow no method characterises."""
    import_db = {f["database"] for f in importer.biosphere_database}
    codes = {(BIOSPHERE, code) for code in biosphere3}
    for ds in importer.data:
        for exc in ds.get("exchanges", []):
            if exc.get("input") and exc["input"][0] in import_db:
                key = (BIOSPHERE, exc["input"][1])
                if key in codes:
                    exc["input"] = key
                else:
                    del exc["input"]
    importer.biosphere_database = []


def _read(bw2io, fmt: str, path: Path, db_name: str, biosphere3: set[str],
          gas_names: set[str]):
    """The importer with strategies applied and every exchange linked, else InvalidInput
    naming each exchange that links to nothing (a greenhouse gas's name said so: it would
    have counted nothing)."""
    try:
        importer = _importer(bw2io, fmt, path, db_name)
        importer.apply_strategies(verbose=False)
    except Exception as exc:  # bw2io's own errors on a file it cannot read are of any type
        raise InvalidInput([Problem("PATH", Message(
            "bw2io cannot read %(path)s as %(format)s: %(error)s", path=str(path),
            format=fmt, error=f"{type(exc).__name__}: {exc}"))]) from exc
    if fmt == "jsonld":
        _to_biosphere3(importer, biosphere3)
    if fmt != "ecospold2":  # EcoSpold2 links by UUID in its strategies
        if fmt == "excel":
            _rename(importer, db_name)
        importer.match_database(fields=("name", "unit", "location"))
        importer.match_database(BIOSPHERE, fields=("name", "unit", "categories"))
    unlinked = [(ds.get("name", "?"), exc) for ds in importer.data
                for exc in ds.get("exchanges", []) if not exc.get("input")]
    if unlinked:
        raise InvalidInput([_unlinked(activity, exc, gas_names) for activity, exc in unlinked])
    return importer


def _unlinked(activity: str, exc: dict, gas_names: set[str]) -> Problem:
    said = dict(exchange=exc.get("name", "?"), kind=exc.get("type", "?"),
                where="/".join(exc.get("categories") or ()) or exc.get("location", "-"),
                unit=exc.get("unit", "?"), activity=activity)
    if exc.get("type") == "biosphere" and exc.get("name") in gas_names:
        return Problem("PATH", Message(
            'greenhouse gas "%(exchange)s" (%(kind)s, %(where)s, %(unit)s) of activity '
            '"%(activity)s" links to no flow of biosphere3, so it could not be characterised',
            **said))
    return Problem("PATH", Message(
        'exchange "%(exchange)s" (%(kind)s, %(where)s, %(unit)s) of activity '
        '"%(activity)s" links to no flow of biosphere3 and no activity of the database',
        **said))


def _matrices(bd, db_name: str):
    # after brightway(home): bw2calc reads bw2data's directory when imported
    import bw2calc
    nodes = list(bd.Database(db_name))
    fu, data_objs, _ = bd.prepare_lca_inputs({nodes[0]: 1}, remapping=False)
    lca = bw2calc.LCA(fu, data_objs=data_objs)
    lca.load_lci_data()
    return lca, {n.id: n for n in nodes}


def import_lci(home: Path, path: Path, fmt: str, name: str, version: str) -> imported.ImportedBackground:
    """Import ``path`` as ``name`` ``version`` and keep its solved greenhouse-gas inventory
    (an openLCA export as a zip is unpacked first: bw2io reads the folder)."""
    if fmt == "jsonld" and Path(path).is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory() as folder:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(folder)
            return _import(home, Path(folder), fmt, name, version, Path(path).name)
    return _import(home, Path(path), fmt, name, version, Path(path).resolve().name)


def _import(home: Path, path: Path, fmt: str, name: str, version: str,
            source: str) -> imported.ImportedBackground:
    bd = brightway(home)
    bi = _bw2io()
    bd.projects.set_current(PROJECT, update=False)
    db_name = f"{name}@{version}"
    with warnings.catch_warnings(), quiet():
        warnings.simplefilter("ignore")  # openpyxl's and bw2io's remarks on the source file
        if BIOSPHERE not in bd.databases:
            bi.create_default_biosphere3()
        if fmt == "simapro-csv":
            _simapro_migrations(bi)
        if db_name in bd.databases:  # an earlier import of this version that was not kept
            del bd.databases[db_name]
        biosphere3 = list(bd.Database(BIOSPHERE))
        factors = lcia_factors(bi)
        gas_names = {f["name"] for f in biosphere3
                     if any(f["code"] in factors[m] for m in METHODS)}
        importer = _read(bi, fmt, Path(path), db_name, {f["code"] for f in biosphere3},
                         gas_names)
        importer.write_database()
    return solve_and_keep(home, bd, bi, db_name, {"name": name, "version": version,
                                                   "format": fmt, "source": source})


def solve_and_keep(home: Path, bd, bi, db_name: str, about: dict) -> imported.ImportedBackground:
    """Characterise and solve the Brightway database ``db_name`` (written by bw2io) and keep
    it as ``about`` (name, version, format, source) says."""
    with warnings.catch_warnings(), quiet():
        warnings.simplefilter("ignore")
        lca, nodes = _matrices(bd, db_name)
    factors = lcia_factors(bi)
    flows = {f.id: f for f in bd.Database(BIOSPHERE)}
    gas_names = {f["name"] for f in flows.values()
                 if any(f["code"] in factors[m] for m in METHODS)}
    used = [{"code": flows[i]["code"], "name": flows[i]["name"],
             "categories": list(flows[i]["categories"]), "unit": flows[i]["unit"]}
            for i in lca.dicts.biosphere]
    sorted_flows = classify(used, factors, gas_names)
    flow_ids = sorted(set(sorted_flows["mapping"].values()))
    column = {f: j for j, f in enumerate(flow_ids)}
    code_of = {i: flows[i]["code"] for i in lca.dicts.biosphere}
    biosphere = lca.biosphere_matrix.tocsr()
    rows = np.zeros((len(flow_ids), biosphere.shape[1]))
    for bw_id, row in lca.dicts.biosphere.items():
        flow = sorted_flows["mapping"].get(code_of[bw_id])
        if flow is not None:
            rows[column[flow]] += biosphere[row].toarray().ravel()
    cumulative = cumulative_inventory(lca.technosphere_matrix, rows)
    index, not_offered = _index(lca, nodes, db_name)
    report = {"ghg_flows": sorted(set(sorted_flows["mapping"].values())),
              "core_flows": sorted({f for f in sorted_flows["mapping"].values()
                                    if not f.startswith("ghg/")}),
              "new_flows": [f["id"] for f in sorted_flows["flows"]],
              "characterised": sorted_flows["characterised"],
              "uncharacterised": sorted_flows["uncharacterised"],
              "not_ghg_flows": sorted_flows["not_ghg"], "not_offered": not_offered}
    version = bi.__version__
    manifest = {**about, "imported_at": clock.stamp(),
                "bw2io": version if isinstance(version, str) else ".".join(map(str, version)),
                "lcia": {m: list(t) for m, t in METHODS.items()},
                "brightway": {"project": PROJECT, "database": db_name},
                "counts": {"activities": len(index["codes"]),
                           "offered": len(index["codes"]) - len(not_offered),
                           "biosphere_flows": len(used), "ghg_flows": len(flow_ids),
                           "uncharacterised": len(sorted_flows["uncharacterised"]),
                           "not_ghg_flows": sorted_flows["not_ghg"]},
                "flows": sorted_flows["flows"]}
    return imported.save(home, manifest, index, flow_ids, cumulative, report)


def _index(lca, nodes, db_name) -> tuple[dict[str, list], list[dict]]:
    """Per row of A (what is demanded: the activity itself, or its product node where the
    database keeps products apart, as bw2io's JSON-LD import does): code, name, product,
    units, location; those of a unit the project does not know are kept but not offered
    (listed). ``cumulative_inventory`` answers per row of A too (A^T G^T = B^T)."""
    columns = sorted(lca.dicts.product.items(), key=lambda item: item[1])
    index = {f: [] for f in imported.INDEX_FIELDS}
    not_offered = []
    producer = {}  # a product node -> the process making it (its name, unit, location)
    if any(n.get("type") == "product" for n in nodes.values()):
        for node in nodes.values():
            if node.get("type") != "product":
                for exc in node.production():
                    producer[exc.input.id] = node
    for bw_id, _ in columns:
        node = nodes[bw_id]  # only the database's own activities: it links to no other
        process = producer.get(bw_id, node)
        bw_unit = node.get("unit") or process.get("unit", "")
        unit = UNITS.get(str(bw_unit).lower(), "")
        product = node.get("name") if process is not node else node.get("reference product")
        for f, value in zip(imported.INDEX_FIELDS, (
                node["code"], process.get("name", ""), product, bw_unit, unit,
                process.get("location", ""))):
            index[f].append(str(value or ""))
        if not unit:
            not_offered.append({"code": node["code"], "name": process.get("name", ""),
                                "unit": bw_unit,
                                "why": "the project has no such unit"})
    return index, not_offered
