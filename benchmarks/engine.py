"""Engine benchmark: cold start of `footprint calc`, and warm per-product time of the engine
against the naive path (one plain bw2calc LCA per product), measured side by side.

    .venv/bin/python benchmarks/engine.py [--products 2000] [--naive 100]

Prints ratios, not absolute targets: machines differ, ratios measured in one run do not.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from footprint.bom import parse_bom
from footprint.engine import Engine
from footprint.engine.reference import ReferenceCalculator

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "lca_data" / "samples" / "sichuan_machined_part.json"


def timed_cli(home: Path) -> float:
    env = {**os.environ, "FOOTPRINT_HOME": str(home)}
    footprint = Path(sys.executable).parent / "footprint"
    start = time.perf_counter()
    subprocess.run([str(footprint), "calc", str(SAMPLE)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def synthetic_boms(registry, count: int, seed: int = 7) -> list[dict]:
    """BOMs of 5-30 lines over the shipped background in several regions and years."""
    rng = random.Random(seed)
    provinces = sorted(c for c, r in registry.regions.items()
                       if r.level == "province" and r.code != "CN-XZ")
    processes = [p for p in registry.processes.values()]
    flows = ["CH4_fossil", "CH4_non_fossil", "N2O", "CO2_fossil"]
    boms = []
    for i in range(count):
        lines = []
        for _ in range(rng.randint(5, 30)):
            kind = rng.random()
            stage = rng.choice(["raw_materials", "production", "distribution", "packaging"])
            if kind < 0.4:
                lines.append({"input": "electricity", "amount": rng.uniform(1, 500), "unit": "kWh",
                              "stage": stage, "region": rng.choice(provinces)})
            elif kind < 0.85:
                p = rng.choice(processes)
                lines.append({"input": p.id, "amount": rng.uniform(0.1, 50), "unit": p.unit,
                              "stage": stage})
            else:
                lines.append({"emission": rng.choice(flows), "amount": rng.uniform(0.001, 2),
                              "unit": "kg", "stage": stage})
        boms.append({"product": {"name": f"synthetic {i}"}, "declared_unit": {"amount": 1,
                     "unit": "kg"}, "region": rng.choice(provinces),
                     "factor_year": rng.choice([2021, 2022, 2023]), "lines": lines})
    return boms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2000, help="products for the engine")
    parser.add_argument("--naive", type=int, default=100, help="products for the naive loop")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        cold = timed_cli(home)
        warm_cli = min(timed_cli(home) for _ in range(3))
        print(f"footprint calc, cold (empty FOOTPRINT_HOME, builds Brightway project): {cold:.2f} s")
        print(f"footprint calc, warm (background cached):                            {warm_cli:.2f} s")

        os.environ["FOOTPRINT_HOME"] = str(home)

        engine = Engine(home=home)
        boms = synthetic_boms(engine.registry, args.products)
        resolved = [engine.resolve(parse_bom(b)) for b in boms]
        engine.calculate_resolved(resolved[0])  # load the cached background once
        reference = ReferenceCalculator(home, engine.registry)
        reference.score(resolved[0], "ar6")  # and Brightway's packages

        start = time.perf_counter()
        scores = engine.score_many(resolved)
        score_each = (time.perf_counter() - start) / len(resolved)

        start = time.perf_counter()
        results = engine.calculate_many(resolved)
        result_each = (time.perf_counter() - start) / len(resolved)

        sample = resolved[: args.naive]
        start = time.perf_counter()
        theirs = [reference.score(r, "ar6") for r in sample]
        naive_each = (time.perf_counter() - start) / len(sample)

        worst = max(max(abs(scores.total[i] - b), abs(results[i]["total_kg_co2e"] - b)) / abs(b)
                    for i, b in enumerate(theirs) if b)
        print(f"naive loop:     {naive_each * 1e3:8.3f} ms per product "
              f"({len(sample)} products, one bw2calc LCA each, total only)")
        print(f"engine scoring: {score_each * 1e3:8.3f} ms per product "
              f"({len(resolved)} products in one batch; total, stages, gases, lines)  "
              f"speed-up {naive_each / score_each:,.0f}x")
        print(f"engine results: {result_each * 1e3:8.3f} ms per product "
              f"(the same plus full result objects with citations and hash)  "
              f"speed-up {naive_each / result_each:,.0f}x")
        print(f"largest relative difference engine vs bw2calc: {worst:.1e} "
              f"({'OK' if worst < 1e-9 else 'FAIL'}: limit 1e-9)")
        if worst >= 1e-9:
            sys.exit(1)


if __name__ == "__main__":
    main()
