"""The Brightway background and its unit inventories.

Brightway 2.5 holds the background (flows, methods, processes) in a project of its own under
``FOOTPRINT_HOME/brightway``, named after the data version, so it is built once per content
hash and never touches the user's global Brightway directory.

From it we take, once per data version, the unit inventory of every background process: the
cumulative elementary flows per unit of output, ``G = B A^-1``, found with one sparse LU
factorisation of the transposed technosphere ``A^T G^T = B^T`` (all flows at once). A BOM
line's flows are then ``amount x G[process]`` and its score a dot product with the method's
characterisation factors, so one product and a million share the same code path. A, B and the
factors are read from Brightway's own processed matrices (which hold amounts as float32), so the
engine agrees with a plain bw2calc ``LCA`` to rounding error; the result is cached as .npz.

Processes marked ``cumulative`` (activities of an imported LCI database, engine.lci, whose
inventory was solved at import with the same ``cumulative_inventory``) are not written into
Brightway: their emissions are their rows, appended in float64.
"""
from __future__ import annotations

import io
import logging
import os
import sys
import warnings
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import exclusive, write_atomically

BIOSPHERE_DB = "footprint-biosphere"
BACKGROUND_DB = "footprint-background"
METHOD_NAMESPACE = "footprint"
COMPLETE_MARK = "footprint_complete"


@dataclass
class UnitInventory:
    data_version: str
    process_ids: list[str]
    flow_ids: list[str]
    per_unit: np.ndarray  # (processes x flows) kg of each flow per unit of each process
    factors: dict[str, np.ndarray]  # method id -> kg CO2e per kg of each flow

    def __post_init__(self):
        self.row = {pid: i for i, pid in enumerate(self.process_ids)}
        self.column = {fid: j for j, fid in enumerate(self.flow_ids)}

    def save(self, path: Path) -> None:
        # written whole: readers never see a half-written cache
        write_atomically(path, lambda f: np.savez(
            f, data_version=self.data_version, process_ids=np.array(self.process_ids),
            flow_ids=np.array(self.flow_ids), per_unit=self.per_unit,
            method_ids=np.array(list(self.factors)),
            factors=np.array(list(self.factors.values()))))

    @classmethod
    def load(cls, path: Path) -> "UnitInventory":
        with np.load(path) as npz:
            return cls(str(npz["data_version"]), npz["process_ids"].tolist(),
                       npz["flow_ids"].tolist(), npz["per_unit"],
                       dict(zip(npz["method_ids"].tolist(), npz["factors"])))


def cache_path(home: Path, data_version: str) -> Path:
    return home / "cache" / f"background-{data_version}.npz"


def project_name(data_version: str) -> str:
    return f"footprint-{data_version}"


@contextmanager
def quiet():
    with redirect_stderr(io.StringIO()), redirect_stdout(io.StringIO()):
        yield


def build_lock(home: Path):
    """Two processes starting at once build the project once, not twice over each other."""
    return exclusive(home / "build.lock")


def brightway(home: Path):
    """bw2data bound to ``home/brightway``. Imported lazily: most runs only read the cache."""
    directory = (home / "brightway").absolute()
    directory.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
    already = "bw2data" in sys.modules
    os.environ["BRIGHTWAY2_DIR"] = str(directory)  # read by bw2data at import
    with warnings.catch_warnings(), quiet():
        warnings.simplefilter("ignore")  # bw2calc's advice to install pypardiso
        # imported here, not at the top: Brightway costs seconds to import, runs that find the
        # cache never need it, and bw2data reads BRIGHTWAY2_DIR (set above) when imported
        import bw2calc  # noqa: F401
        import bw2data
    logging.getLogger("brightway-stdout-feedback").setLevel(logging.WARNING)
    if already and Path(bw2data.projects._base_data_dir).absolute() != directory:
        bw2data.projects.change_base_directories(directory, update=False)
    return bw2data


def ensure_project(home: Path, registry) -> str:
    """The Brightway project holding ``registry``'s background, built if missing."""
    bd = brightway(home)
    name = project_name(registry.data_version)
    if name in bd.projects:
        bd.projects.set_current(name, update=False)
        if bd.databases.get(BACKGROUND_DB, {}).get(COMPLETE_MARK):
            return name
        bd.projects.delete_project(name, delete_dir=True)  # an interrupted build
    bd.projects.set_current(name, update=False)
    with quiet():  # Brightway draws progress bars while writing
        _write_background(bd, registry)
    return name


def _write_background(bd, registry) -> None:
    bd.Database(BIOSPHERE_DB).write({
        (BIOSPHERE_DB, f.id): {"name": f.name_en, "unit": f.unit, "type": "emission",
                               "categories": ("air",), "origin": f.origin}
        for f in registry.flows.values()
    }, process=True)
    activities = {}
    for p in registry.background_processes():
        if p.cumulative:
            continue  # already solved (engine.lci): appended to the unit inventory as it is
        exchanges = [{"input": (BACKGROUND_DB, p.id), "amount": 1.0, "type": "production"}]
        exchanges += [{"input": (BIOSPHERE_DB, flow), "amount": amount, "type": "biosphere"}
                      for flow, amount in p.emissions]
        exchanges += [{"input": (BACKGROUND_DB, pid), "amount": amount, "type": "technosphere"}
                      for pid, amount in p.inputs]
        activities[(BACKGROUND_DB, p.id)] = {
            "name": p.name_en, "unit": p.unit, "location": "GLO", "exchanges": exchanges,
            "source": p.source.as_dict(), "plugin": p.plugin}
    bd.Database(BACKGROUND_DB).write(activities)
    for method in registry.methods.values():
        bw_method = bd.Method((METHOD_NAMESPACE, method.id))
        bw_method.register(unit="kg CO2e", description=method.name)
        bw_method.write([((BIOSPHERE_DB, flow), cf) for flow, cf in method.factors])
    bd.databases[BACKGROUND_DB] = {**bd.databases[BACKGROUND_DB], COMPLETE_MARK: True}


def cumulative_inventory(technosphere, biosphere_rows) -> np.ndarray:
    """Cumulative flows per unit of each activity, ``(B A^-1)^T``: activities x flows.

    ``technosphere`` is A (square, sparse), ``biosphere_rows`` the rows of B to follow (flows x
    activities, sparse or dense). One sparse LU factorisation of ``A^T`` and one solve with all
    the flows as right-hand sides, ``A^T G^T = B^T``: the cost of one demand vector, whatever
    the number of flows.

    ``A^T`` is factorised, not ``A`` with a transposed solve: in an LCI database a few
    suppliers (electricity, transport, heat markets) are inputs to nearly everything, dense rows
    of A; as dense columns of A^T, SuperLU's COLAMD ordering puts them last and the fill stays
    small (benchmarks/background_build.py, 20,000 activities: 7.8 million nonzeros in L + U and
    about 3 s, against 64 million and 100 s for A itself)."""
    # imported here, not at the top: only a build or an import solves, and scipy's sparse
    # solver costs start-up time every other run would pay for nothing
    from scipy.sparse.linalg import splu

    rows = biosphere_rows.toarray() if hasattr(biosphere_rows, "toarray") else \
        np.asarray(biosphere_rows)
    rhs = np.ascontiguousarray(rows.T, dtype=np.float64)
    if rhs.size == 0:
        return np.zeros((technosphere.shape[0], rows.shape[0]))
    return splu(technosphere.T.tocsc().astype(np.float64)).solve(rhs)


def solve_unit_inventory(home: Path, registry) -> UnitInventory:
    """Build (if needed) the Brightway project and solve every process's unit inventory once;
    cumulative processes' rows are appended as registered."""
    ensure_project(home, registry)
    bd = brightway(home)
    # after brightway(home), which points bw2data at this home before bw2calc imports it
    import bw2calc as bc

    process_of = {a.id: a["code"] for a in bd.Database(BACKGROUND_DB)}
    flow_of = {f.id: f["code"] for f in bd.Database(BIOSPHERE_DB)}
    any_process = bd.get_node(database=BACKGROUND_DB, code=next(iter(process_of.values())))
    default = next(iter(registry.methods))
    fu, data_objs, _ = bd.prepare_lca_inputs({any_process: 1},
                                             method=(METHOD_NAMESPACE, default))
    lca = bc.LCA(fu, data_objs=data_objs)
    lca.load_lci_data()

    process_ids = [None] * len(lca.dicts.activity)
    for bw_id, col in lca.dicts.activity.items():
        process_ids[col] = process_of[bw_id]
    flow_ids = sorted(registry.flows)
    rows = {flow_of[bw_id]: row for bw_id, row in lca.dicts.biosphere.items()}
    # B restricted to flows that occur in the background; other flows' rows stay zero.
    biosphere = np.zeros((len(flow_ids), len(process_ids)))
    matrix = lca.biosphere_matrix.tocsr()
    for j, flow in enumerate(flow_ids):
        if flow in rows:
            biosphere[j, :] = matrix[rows[flow], :].toarray().ravel()
    per_unit = cumulative_inventory(lca.technosphere_matrix, biosphere)

    cumulative = sorted((p for p in registry.processes.values() if p.cumulative),
                        key=lambda p: p.id)
    if cumulative:
        column = {flow: j for j, flow in enumerate(flow_ids)}
        extra = np.zeros((len(cumulative), len(flow_ids)))
        for i, process in enumerate(cumulative):
            for flow, amount in process.emissions:
                extra[i, column[flow]] += amount
        process_ids += [p.id for p in cumulative]
        per_unit = np.vstack([per_unit, extra])

    factors = {m: _characterisation(bd, m, flow_of, flow_ids) for m in registry.methods}
    return UnitInventory(registry.data_version, process_ids, flow_ids, per_unit, factors)


def _characterisation(bd, method_id, flow_of, flow_ids) -> np.ndarray:
    """CFs exactly as Brightway stored them (float32 values), aligned to ``flow_ids``."""
    package = bd.Method((METHOD_NAMESPACE, method_id)).datapackage()
    group = next(r["group"] for r in package.resources if r["kind"] == "data")
    indices, _ = package.get_resource(f"{group}.indices")
    data, _ = package.get_resource(f"{group}.data")
    by_flow = {flow_of[int(i["row"])]: float(v) for i, v in zip(indices, data)}
    return np.array([by_flow.get(flow, 0.0) for flow in flow_ids])


def unit_inventory(home: Path, registry) -> UnitInventory:
    """The cached unit inventory of ``registry``'s data version, solved on first use."""
    path = cache_path(home, registry.data_version)
    if not path.exists():
        with build_lock(home):
            if not path.exists():
                solve_unit_inventory(home, registry).save(path)
    return UnitInventory.load(path)
