"""Unit-score build of a large background: the footprint's one solve against bw2calc's own
factorisation of the same technosphere.

    .venv/bin/python benchmarks/background_build.py [--activities 20000] [--inputs 10]
                                                    [--flows 30] [--seed 7]

A synthetic technosphere shaped like ecoinvent 3.x (about 20,000 activities, a fifth of them
markets, about 10 technosphere inputs per transforming activity bought mostly from a few hub
markets, loops through markets holding over half of the activities in one strongly connected
group; each column's inputs sum to less than its output, so A is diagonally dominant), and a
biosphere of ``--flows`` greenhouse-gas flows emitted by a tenth of the activities each.
(A first try that drew suppliers uniformly at random, with no hubs, took minutes in SuperLU on
both sides: fill-in follows the graph's shape, and real LCI databases have hubs.)

Each side runs in a process of its own, so each peak memory (ru_maxrss) is its own:

- footprint: ``background.cumulative_inventory(A, B)``, every activity's cumulative kg of every
  flow at once (one sparse LU of A^T, all flows as right-hand sides), then the unit scores
  ``G @ cf``, as an import (footprint.engine.lci) builds them;
- engine: the solved inventory kept as an imported database (footprint.imported.save) in an
  empty FOOTPRINT_HOME, then what a first calculation with a ``bg:`` line pays for it: the
  registry with 20,000 more processes (and their hash), the unit inventory (the core's
  Brightway build plus the imported rows appended) and the calculation;
- import: the same database written into Brightway as bw2io would write it (biosphere3 from
  bw2io's data, the B rows as 30 of its greenhouse-gas flows), then what ``footprint
  background import`` does after bw2io: ``engine.lci.solve_and_keep`` (Brightway's matrices,
  the gases characterised, the one solve, the .npz and manifest); the write is timed apart;
- bw2calc: an ``LCA`` on the same matrices (an in-memory bw_processing datapackage, float64),
  ``load_lci_data`` and then ``decompose_technosphere`` (its factorisation, timed alone) and
  one demand solved with it: what bw2calc does for one activity's score.

Targets for the footprint side on the development machine: under 10 s and under 2 GB.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

MARKET_SHARE = 0.2  # ecoinvent: about a fifth of the activities are markets


def synthetic(n: int, inputs: float, flows: int, seed: int):
    """(A, B): A with 1 on the diagonal and -inputs off it (Brightway's sign convention),
    B flows x activities.

    Shaped like ecoinvent's supply graph: transforming activities buy from markets (on
    average ``inputs`` of them), and a few markets are hubs that nearly everything buys from
    (electricity, transport, heat: popularity falling as 1/rank^1.1); each market buys its
    product from 1 to 5 producers and transport from a hub market. Producers buying from
    markets that buy from producers close loops: the largest strongly connected group holds
    over half of the activities, as in ecoinvent 3.x."""
    rng = np.random.default_rng(seed)
    m = int(n * MARKET_SHARE)  # markets are 0 .. m-1, transforming activities m .. n-1
    producers = np.arange(m, n)
    popularity = 1.0 / np.arange(1, m + 1) ** 1.1
    popularity /= popularity.sum()
    rows, cols = [], []
    for j in range(n):
        if j < m:
            suppliers = np.concatenate([rng.choice(producers, rng.integers(1, 6)),
                                        rng.choice(m, 1, p=popularity)])
        else:
            suppliers = rng.choice(m, max(1, rng.poisson(inputs)), p=popularity)
        suppliers = np.unique(suppliers[suppliers != j])
        rows.append(suppliers)
        cols.append(np.full(len(suppliers), j))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    amounts = rng.uniform(0.01, 1.0, len(rows))
    column_sum = np.bincount(cols, weights=amounts, minlength=n)
    amounts *= 0.8 / column_sum[cols]  # inputs of each column sum to 0.8 of its output
    A = sp.csc_matrix((np.concatenate([np.ones(n), -amounts]),
                       (np.concatenate([np.arange(n), rows]),
                        np.concatenate([np.arange(n), cols]))), shape=(n, n))
    B = sp.random(flows, n, density=0.1, format="csr", random_state=seed,
                  data_rvs=lambda size: rng.uniform(1e-6, 2.0, size))
    return A, B


def largest_loop(A) -> int:
    """Activities in the largest strongly connected group of the supply graph."""
    from scipy.sparse.csgraph import connected_components
    _, labels = connected_components(A, directed=True, connection="strong")
    return int(np.bincount(labels).max())


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def run_footprint(A, B) -> dict:
    from footprint.engine.background import cumulative_inventory
    cf = np.random.default_rng(1).uniform(0, 300, B.shape[0])
    base = peak_mb()
    started = time.perf_counter()
    G = cumulative_inventory(A, B)
    solved = time.perf_counter() - started
    scores = G @ cf
    total = time.perf_counter() - started
    check = np.abs(A.T @ G - B.T.toarray()).max()
    return {"solve_s": solved, "total_s": total, "peak_mb": peak_mb(), "before_mb": base,
            "residual": float(check), "scores": int(len(scores))}


def run_bw2calc(A, B) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bw2calc's advice to install pypardiso
        import bw2calc
        import bw_processing as bwp
    package = bwp.create_datapackage(sequential=True)
    coo, bio = A.tocoo(), B.tocoo()
    n = A.shape[0]
    package.add_persistent_vector(
        matrix="technosphere_matrix", name="technosphere",
        indices_array=np.array(list(zip(coo.row, coo.col)), dtype=bwp.INDICES_DTYPE),
        data_array=np.abs(coo.data), flip_array=coo.data < 0)
    package.add_persistent_vector(
        matrix="biosphere_matrix", name="biosphere",
        indices_array=np.array(list(zip(bio.row + n, bio.col)), dtype=bwp.INDICES_DTYPE),
        data_array=bio.data)
    base = peak_mb()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({0: 1.0}, data_objs=[package])
        started = time.perf_counter()
        lca.load_lci_data()
        loaded = time.perf_counter()
        lca.decompose_technosphere()
        factorised = time.perf_counter()
        lca.build_demand_array()
        lca.lci_calculation()
        solved = time.perf_counter()
    return {"load_s": loaded - started, "factorise_s": factorised - loaded,
            "one_demand_s": solved - factorised, "umfpack": _has_umfpack(),
            "peak_mb": peak_mb(), "before_mb": base}


def run_engine(A, B) -> dict:
    """The solved inventory as an import keeps it, then a first calculation with it."""
    import os
    import tempfile
    from pathlib import Path

    from footprint import imported
    from footprint.bom import parse_bom
    from footprint.engine import Engine
    from footprint.engine.background import cumulative_inventory

    home = Path(tempfile.mkdtemp())
    os.environ["FOOTPRINT_HOME"] = str(home)
    n, flows = A.shape[0], ["CO2_fossil", "CH4_fossil", "N2O"] + \
        [f"ghg/gas-{i}" for i in range(B.shape[0] - 3)]
    G = cumulative_inventory(A, B)
    codes = [f"{i:08x}" for i in range(n)]
    index = {"codes": codes, "names": [f"activity {i}" for i in range(n)],
             "products": [f"product {i}" for i in range(n)], "bw_units": ["kilogram"] * n,
             "units": ["kg"] * n, "locations": ["GLO"] * n}
    manifest = {"name": "synthetic", "version": "1", "format": "benchmark", "source": "-",
                "imported_at": "2026-01-01T00:00:00+00:00", "bw2io": "-",
                "lcia": {"ar6": ["-"], "ar5": ["-"]},
                "flows": [{"id": f, "name_en": f, "origin": "other", "unit": "kg",
                           "factors": {"ar6": 100.0, "ar5": 90.0}} for f in flows[3:]]}
    imported.save(home, manifest, index, flows, G, {})
    started = time.perf_counter()
    engine = Engine(home=home)
    registry = engine.registry
    version = registry.data_version
    built = time.perf_counter()
    engine.inventory
    inventory = time.perf_counter()
    bom = parse_bom({"product": {"name": "x"}, "declared_unit": {"amount": 1, "unit": "kg"},
                     "region": "CN", "lines": [{"input": f"bg:synthetic/{codes[i]}",
                                                "amount": 1, "unit": "kg",
                                                "stage": "production"} for i in (0, n - 1)]})
    total = engine.calculate(bom)["total_kg_co2e"]
    done = time.perf_counter()
    return {"registry_s": built - started, "inventory_s": inventory - built,
            "calculate_s": done - inventory, "processes": len(registry.processes),
            "version": version[:12], "total": total, "peak_mb": peak_mb()}


def run_import(A, B) -> dict:
    """The database written into Brightway, then characterised, solved and kept."""
    import tempfile
    import warnings
    from pathlib import Path

    from footprint.engine import lci
    from footprint.engine.background import _quiet, brightway

    home = Path(tempfile.mkdtemp())
    bd = brightway(home)
    bi = lci._bw2io()
    bd.projects.set_current(lci.PROJECT, update=False)
    with warnings.catch_warnings(), _quiet():
        warnings.simplefilter("ignore")
        bi.create_default_biosphere3()
    codes = sorted(set(lci.lcia_factors(bi)["ar6"]))[:B.shape[0]]
    n, name = A.shape[0], "synthetic@1"
    data = {(name, f"{j:08x}"): {"name": f"activity {j}", "reference product": f"product {j}",
                                 "unit": "kilogram", "location": "GLO", "exchanges": []}
            for j in range(n)}
    keys = list(data)
    coo, bio = A.tocoo(), B.tocoo()
    for i, j, v in zip(coo.row, coo.col, coo.data):
        data[keys[j]]["exchanges"].append(
            {"input": keys[i], "amount": float(abs(v)),
             "type": "production" if i == j else "technosphere"})
    for i, j, v in zip(bio.row, bio.col, bio.data):
        data[keys[j]]["exchanges"].append({"input": ("biosphere3", codes[i]),
                                           "amount": float(v), "type": "biosphere"})
    started = time.perf_counter()
    with warnings.catch_warnings(), _quiet():
        warnings.simplefilter("ignore")
        bd.Database(name).write(data)
    written = time.perf_counter()
    kept = lci.solve_and_keep(home, bd, bi, name, {"name": "synthetic", "version": "1",
                                                   "format": "benchmark", "source": "-"})
    done = time.perf_counter()
    return {"write_s": written - started, "solve_and_keep_s": done - written,
            "ghg_flows": kept.manifest["counts"]["ghg_flows"], "peak_mb": peak_mb()}


def _has_umfpack() -> bool:
    """Whether scipy's factorized (which bw2calc calls) uses UMFPACK rather than SuperLU."""
    try:
        import scikits.umfpack  # noqa: F401
        return True
    except ImportError:
        return False


def child(side: str, args) -> None:
    A, B = synthetic(args.activities, args.inputs, args.flows, args.seed)
    result = {"footprint": run_footprint, "bw2calc": run_bw2calc,
              "engine": run_engine, "import": run_import}[side](A, B)
    result["nnz"] = int(A.nnz)
    if side == "footprint":
        result["largest_loop"] = largest_loop(A)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=20000)
    parser.add_argument("--inputs", type=float, default=10.0, help="mean inputs per activity")
    parser.add_argument("--flows", type=int, default=30, help="greenhouse-gas flows in B")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--side", choices=("footprint", "bw2calc", "engine", "import"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        child(args.side, args)
        return
    found = {}
    for side in ("footprint", "bw2calc", "engine", "import"):
        out = subprocess.run([sys.executable, __file__, "--side", side,
                              "--activities", str(args.activities), "--inputs", str(args.inputs),
                              "--flows", str(args.flows), "--seed", str(args.seed)],
                             check=True, capture_output=True, text=True).stdout
        found[side] = json.loads(out.strip().splitlines()[-1])
    f, b, e, i = (found[k] for k in ("footprint", "bw2calc", "engine", "import"))
    print(f"synthetic background: {args.activities} activities, {f['nnz']} nonzeros in A, "
          f"largest loop {f['largest_loop']} activities, {args.flows} GHG flows")
    print(f"footprint cumulative_inventory, all {args.flows} flows, one LU: {f['solve_s']:.2f} s "
          f"(with unit scores {f['total_s']:.2f} s), peak {f['peak_mb']:.0f} MB "
          f"(before solving {f['before_mb']:.0f} MB); max |A^T G - B^T| {f['residual']:.1e}")
    print(f"bw2calc: load_lci_data {b['load_s']:.2f} s, decompose_technosphere "
          f"{b['factorise_s']:.2f} s ({'UMFPACK' if b['umfpack'] else 'SuperLU'}), one demand "
          f"{b['one_demand_s']:.3f} s, peak "
          f"{b['peak_mb']:.0f} MB")
    print(f"ratio: footprint's all-flows solve / bw2calc's factorisation = "
          f"{f['solve_s'] / b['factorise_s']:.2f}")
    print(f"engine with it imported ({e['processes']} processes): registry {e['registry_s']:.2f}"
          f" s, unit inventory {e['inventory_s']:.2f} s (the core's Brightway build included),"
          f" first calculation {e['calculate_s']:.2f} s, peak {e['peak_mb']:.0f} MB")
    print(f"import after bw2io: Brightway write {i['write_s']:.1f} s (bw2io's write_database does "
          f"this), solve_and_keep {i['solve_and_keep_s']:.1f} s ({i['ghg_flows']} GHG flows "
          f"characterised), peak {i['peak_mb']:.0f} MB")
    verdict = "met" if f["total_s"] < 10 and f["peak_mb"] < 2048 else "NOT met"
    print(f"target (< 10 s, < 2 GB): {verdict}")


if __name__ == "__main__":
    main()
