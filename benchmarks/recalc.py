"""Recalculation benchmark: N synthetic products in a temporary service database, moved from
MEE-2022 to MEE-2023 factor data by `footprint recalc` exactly as an operator runs it, against
the naive one-bw2calc-LCA-per-product loop on a sample.

    .venv/bin/python benchmarks/recalc.py [--products 100000] [--naive 200] [--chunk 50000]
        [--database-url postgresql://...] [--skip-ranges]

Products: realistic BOMs of 5-30 lines over the shipped background (electricity in many
provinces, some lines pinning a region or data year, every background process the plugins
register, direct emissions, sub-assemblies, end-of-life lines inside and outside the
boundary; several categories). To generate a million in reasonable time, --templates
distinct BOMs are resolved by the engine and every product is one of them with all its
amounts scaled by its own factor; each product's BOM JSON, kept rows and MEE-2022 footprint
are written as submitting it would write them. A sample's BOM JSON is then calculated from
scratch (parse, resolve, score) and by bw2calc, and must agree with what the run stored to
1e-9.

The run is `footprint recalc --to-version MEE-2023` in a child process: reading the kept
rows, scoring them under the new and the previous data version (which line moved), writing
an item and the new footprint per product, chunk by chunk in transactions, and drawing each
changed product's range again (1,000 draws); it is run first with --no-ranges on a copy of
the database, so the cost of the draws is measured beside it. Its wall time includes
start-up; its peak RSS is the child's. Everything printed is measured in this run;
targets are reported as met or not, never assumed.

With --database-url the same runs on PostgreSQL: the benchmark makes its own database on
that server (and drops it at the end), generates the products into it with COPY
(footprint.store.bulk, as a recalculation writes its chunks) and runs `footprint recalc`
with FOOTPRINT_DATABASE_URL naming it. --skip-ranges leaves out the run with ranges (and the
copy of the database it needs).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from footprint.bom import parse_bom
from footprint.engine import Engine
from footprint.engine.reference import ReferenceCalculator
from footprint.engine.scoring import score_rows
from footprint.recalc.keyed import ROW, KeyColumns, keyed_bom, rows_to_batch
from footprint.store import connect, database_path, footprints
from footprint.store.bulk import insert_rows
from footprint.store.db import DATABASE_URL, POSTGRESQL, dialect, transaction
from footprint.store.migrations import migrate
from footprint.usecases.users import seed_user

REPO = Path(__file__).resolve().parent.parent
CATEGORIES = ("generic", "oranges", "steel_vanadium")  # categories declared per kg
STAGES4 = ("raw_materials", "production", "distribution", "packaging")
FLOWS = ("CH4_fossil", "CH4_non_fossil", "N2O", "CO2_fossil")


def sub_assembly_boms(registry) -> dict[str, dict]:
    """Shared components the synthetic products use: nested, with end-of-life lines outside
    their own cradle-to-gate boundary, and one declared cradle to grave."""
    def bom(pid, unit, amount, lines, **extra):
        return {"product": {"name": pid, "id": pid}, "declared_unit": {"amount": amount,
                "unit": unit}, "region": "CN-SC", "factor_year": 2022, "lines": lines, **extra}
    return {
        "sub-cell": bom("sub-cell", "kg", 2, [
            {"input": "electricity", "amount": 40, "unit": "kWh", "stage": "production"},
            {"emission": "N2O", "amount": 0.01, "unit": "kg", "stage": "production"},
            {"input": "diesel", "amount": 1.5, "unit": "kg", "stage": "end_of_life"}]),
        "sub-module": bom("sub-module", "piece", 1, [
            {"input": "product:sub-cell", "amount": 3000, "unit": "g", "stage": "raw_materials"},
            {"input": "diesel", "amount": 1, "unit": "kg", "stage": "production"},
            {"input": "electricity", "amount": 5, "unit": "kWh", "stage": "production",
             "region": "CN-GD", "year": 2021}], region="CN-SD"),
        "sub-grave": bom("sub-grave", "kg", 1, [
            {"input": "electricity", "amount": 12, "unit": "kWh", "stage": "production"},
            {"input": "diesel", "amount": 0.3, "unit": "kg", "stage": "end_of_life"}],
            system_boundary="cradle_to_grave"),
    }


SUB_UNITS = {"sub-cell": ("kg", 0.1, 5), "sub-module": ("piece", 1, 8), "sub-grave": ("kg", 0.1, 3)}


class DictProducts:
    """Sub-assemblies by product id from a dict of BOM dicts (each parsed once)."""

    def __init__(self, boms: dict[str, dict]):
        self.boms, self.parsed = boms, {}

    def __call__(self, ref: str, parent):
        if ref not in self.boms:
            raise LookupError(f'no product "{ref}"')
        if ref not in self.parsed:
            self.parsed[ref] = parse_bom(self.boms[ref])
        return self.parsed[ref]


def realistic_boms(registry, count: int, seed: int = 7, sub_assemblies: bool = True,
                   years=(2021, 2022, 2023)) -> list[dict]:
    """BOMs of 5-30 lines over the shipped background: electricity in many provinces and data
    years (some lines overriding region or year), every registered background process (the
    category plugins' included), direct emissions, sub-assemblies, end-of-life lines inside
    (cradle to grave) and outside (cradle to gate) the boundary; several categories."""
    rng = random.Random(seed)
    provinces = sorted(c for c, r in registry.regions.items()
                       if r.level == "province" and r.code != "CN-XZ")
    processes = list(registry.processes.values())
    boms = []
    for i in range(count):
        lines = []
        for _ in range(rng.randint(5, 30)):
            kind = rng.random()
            stage = "end_of_life" if rng.random() < 0.08 else rng.choice(STAGES4)
            if kind < 0.38:
                line = {"input": "electricity", "amount": rng.uniform(1, 500), "unit": "kWh",
                        "stage": stage}
                if rng.random() < 0.5:
                    line["region"] = rng.choice(provinces)
                if rng.random() < 0.15:
                    line["year"] = rng.choice(years)
            elif kind < 0.82:
                p = rng.choice(processes)
                line = {"input": p.id, "amount": rng.uniform(0.1, 50), "unit": p.unit,
                        "stage": stage}
            elif kind < 0.95 or not sub_assemblies:
                line = {"emission": rng.choice(FLOWS), "amount": rng.uniform(0.001, 2),
                        "unit": "kg", "stage": stage}
            else:
                ref = rng.choice(sorted(SUB_UNITS))
                unit, low, high = SUB_UNITS[ref]
                line = {"input": f"product:{ref}", "amount": rng.uniform(low, high),
                        "unit": unit, "stage": rng.choice(STAGES4)}
            lines.append(line)
        boms.append({"product": {"name": f"synthetic {i}", "id": f"syn-{i}",
                                 "category": rng.choice(CATEGORIES)},
                     "declared_unit": {"amount": 1, "unit": "kg"},
                     "region": rng.choice(provinces),
                     "factor_year": rng.choice(years),
                     "system_boundary": "cradle_to_grave" if rng.random() < 0.3
                     else "cradle_to_gate",
                     "lines": lines})
    return boms


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def scaled(bom: dict, factor: float) -> dict:
    """The BOM with every line's amount times ``factor`` (its footprint scales the same)."""
    out = dict(bom)
    out["lines"] = [{**line, "amount": line["amount"] * factor} for line in bom["lines"]]
    return out


def generate(db, old, templates: list[dict], count: int, chunk: int, seed: int = 11) -> None:
    """``count`` products (template i % T scaled) stored as submitting them under ``old``
    (the MEE-2022 engine) stores them: product, approved submission, kept rows, footprint."""
    producer = seed_user(db, "bench", "producer", "Benchmark Manufacturing Co.",
                         "benchmark password 1")
    products = DictProducts(sub_assembly_boms(old.registry))
    resolved = [old.resolve(parse(b), products) for b in templates]
    # each template's full result once, for the sigmas its products' ranges are drawn with
    keyed = [keyed_bom(r, result, old.registry)
             for r, result in zip(resolved, old.calculate_many(resolved))]
    with transaction(db):
        ids = footprints.key_ids(db, {k for kb in keyed for k in kb.keys})
        footprints.record_data_version(db, old.registry.data_version_record())
    packed = [np.frombuffer(kb.packed(ids), dtype=ROW) for kb in keyed]
    spreads = [kb.packed_spread(ids) for kb in keyed]
    lines = [json.dumps(kb.lines) for kb in keyed]
    fingerprint = old.registry.resolution_fingerprint
    version, name = old.registry.data_version, old.registry.data_version_name
    cf = old.inventory.factors[old.method_id(None)]
    columns = KeyColumns(old).update(footprints.all_keys(db))
    rng = np.random.default_rng(seed)
    now = "2026-01-01T00:00:00+00:00"
    for first in range(0, count, chunk):
        n = min(chunk, count - first)
        which = np.arange(first, first + n) % len(templates)
        factor = rng.uniform(0.5, 2.0, n)
        blobs = []
        for t, f in zip(which, factor):
            rows = packed[t].copy()
            rows["quantity"] *= f
            blobs.append(rows.tobytes())
        batch, ok = rows_to_batch(blobs, [keyed[t].n_lines for t in which],
                                  [keyed[t].boundary for t in which], columns)
        assert ok.all()
        scores = score_rows(batch, old.inventory, cf)
        sids = range(first + 1, first + n + 1)
        # SQLite: executemany; PostgreSQL: COPY (footprint.store.bulk), as a recalculation
        with transaction(db):
            insert_rows(db, "products", ("id", "org_id", "name", "category", "created_at"),
                        [(sid, producer["org_id"], f"synthetic {sid}",
                          templates[t]["product"]["category"], now)
                         for sid, t in zip(sids, which)])
            insert_rows(db, "submissions", ("id", "product_id", "org_id", "status", "bom_json",
                                            "revision", "created_by", "created_at",
                                            "updated_at"),
                        [(sid, sid, producer["org_id"], "approved",
                          json.dumps(scaled(templates[t], float(f))), 1, producer["id"], now,
                          now) for sid, t, f in zip(sids, which, factor)])
            insert_rows(db, "compiled_boms", footprints.COMPILED,
                        [(sid, 1, fingerprint, keyed[t].n_lines, keyed[t].boundary, blob,
                          lines[t], spreads[t]) for sid, t, blob in zip(sids, which, blobs)])
            insert_rows(db, "footprints", ("submission_id", "revision", "region",
                                           "data_version", "data_version_name",
                                           "total_kg_co2e", "by_stage", "updated_at"),
                        [(sid, 1, templates[t]["region"], version, name, float(total),
                          np.ascontiguousarray(stages, dtype="<f8").tobytes(), now)
                         for sid, t, total, stages in zip(sids, which, scores.total,
                                                          scores.by_stage)])
    if dialect(db) == POSTGRESQL:  # ids given, not drawn: move the sequences past them
        for table in ("products", "submissions"):
            db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ?)", [count])
        db.execute("ANALYZE")


class SqliteFile:
    """The benchmark's database as a SQLite file in the temporary home."""

    def __init__(self, home: Path):
        self.path = database_path(home)
        self.location, self.engine = self.path, "SQLite"

    def settle(self, db) -> int:
        """Bytes the database takes once written."""
        return self.path.stat().st_size

    def save(self) -> None:
        shutil.copyfile(self.path, self.path.with_suffix(".saved"))

    def restore(self) -> None:
        shutil.copyfile(self.path.with_suffix(".saved"), self.path)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def drop(self) -> None:
        pass  # the temporary home goes with it


class PostgresDatabase:
    """The benchmark's database made afresh on the PostgreSQL server ``url`` names (one this
    role may create databases on), dropped at the end (benchmarks/scratch_db.py)."""

    engine = "PostgreSQL"

    def __init__(self, url: str):
        # imported here: the tests load this file by its path, without its folder on sys.path
        from scratch_db import ScratchDatabase

        scratch = ScratchDatabase(url, "footprint_recalc_bench")
        self.location = scratch.location
        self.save, self.restore, self.drop = scratch.save, scratch.restore, scratch.drop

    def settle(self, db) -> int:
        db.execute("CHECKPOINT")
        return db.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def parse(bom: dict):
    return parse_bom(bom)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=2_000,
                        help="distinct BOMs the products are scaled from")
    parser.add_argument("--naive", type=int, default=200, help="products for the naive loop")
    parser.add_argument("--chunk", type=int, default=50_000,
                        help="products per transaction in the recalculation")
    parser.add_argument("--database-url", metavar="postgresql://...",
                        help="run on PostgreSQL: a server database (its role may create "
                             "databases); the benchmark's own is made there and dropped")
    parser.add_argument("--skip-ranges", action="store_true",
                        help="measure only the run with --no-ranges (the target's)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        os.environ["FOOTPRINT_HOME"] = str(home)

        start = time.perf_counter()
        old, new = Engine(home, data_version="MEE-2022"), Engine(home, data_version="MEE-2023")
        for engine in (old, new):
            engine.inventory
        print(f"backgrounds (Brightway projects + unit inventories for MEE-2022 and MEE-2023, "
              f"{len(new.inventory.process_ids)} processes x {len(new.inventory.flow_ids)} "
              f"flows): {time.perf_counter() - start:.1f} s")

        where = PostgresDatabase(args.database_url) if args.database_url else SqliteFile(home)
        if args.database_url:  # the recalculation's process reads it from there
            os.environ[DATABASE_URL] = where.location
        try:
            run_benchmark(args, home, where, old, new)
        finally:
            where.drop()


def run_benchmark(args, home: Path, where, old: Engine, new: Engine) -> None:
    """Generate, recalculate (twice unless --skip-ranges), check a sample, print targets."""
    db = connect(where.location)
    migrate(db)
    start = time.perf_counter()
    templates = realistic_boms(new.registry, args.templates, years=(2021, 2022))
    for i, bom in enumerate(templates):
        if i % 7:  # most follow the newest factors; every seventh pins its data year
            del bom["factor_year"]
    generate(db, old, templates, args.products, args.chunk)
    lines = sum(len(templates[i % len(templates)]["lines"]) for i in range(args.products))
    size = where.settle(db)
    print(f"generated {args.products:,} products ({lines / args.products:.1f} lines each; "
          f"{len(templates):,} distinct BOMs, amounts scaled per product) under MEE-2022 "
          f"in {time.perf_counter() - start:.1f} s; {where.engine} database "
          f"{size / 2**20:,.0f} MiB")
    db.close()

    # -- the run, as an operator starts it ------------------------------------------------
    command = [str(Path(sys.executable).parent / "footprint"), "recalc", "--to-version",
               "MEE-2023", "--chunk-size", str(args.chunk), "--no-progress"]
    # first without the ranges, on a copy of the database put back afterwards
    if not args.skip_ranges:
        where.save()
    start = time.perf_counter()
    plain = subprocess.run(command + ["--no-ranges"], capture_output=True, text=True)
    plain_wall = time.perf_counter() - start
    plain_rss = peak_rss_mb(resource.RUSAGE_CHILDREN)
    if plain.returncode != 0:
        print(plain.stdout, plain.stderr)
        sys.exit(1)
    wall = run = None
    if not args.skip_ranges:
        where.restore()
        start = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if run.returncode != 0:
            print(run.stdout, run.stderr)
            sys.exit(1)
    child_rss = peak_rss_mb(resource.RUSAGE_CHILDREN)
    shown = "" if run is None else " (with the ranges)"
    print(f"\n$ footprint recalc --to-version MEE-2023 --chunk-size {args.chunk}{shown}\n"
          + "\n".join((plain if run is None else run).stdout.splitlines()[:7]))
    if run is None:
        print(f"with --no-ranges: {plain_wall:.1f} s (on {where.engine}); the run with ranges "
              f"was skipped (--skip-ranges)")
    else:
        print(f"with ranges (1,000 draws each): {wall:.1f} s; with --no-ranges: "
              f"{plain_wall:.1f} s (on {where.engine}); the draws cost "
              f"{(wall - plain_wall) / args.products * 1e6:,.0f} us per product")

    # -- a sample from scratch and by bw2calc ---------------------------------------------
    db = connect(where.location)
    rng = random.Random(3)
    sample_ids = sorted(rng.sample(range(1, args.products + 1), min(args.naive,
                                                                    args.products)))
    products = DictProducts(sub_assembly_boms(new.registry))
    sample = [new.resolve(parse(json.loads(db.execute(
        "SELECT bom_json FROM submissions WHERE id = ?", [sid]).fetchone()[0])), products)
        for sid in sample_ids]
    stored = np.array([db.execute("SELECT total_kg_co2e FROM footprints WHERE "
                                  "submission_id = ?", [sid]).fetchone()[0]
                       for sid in sample_ids])
    fresh = new.score_many(sample).total
    reference = ReferenceCalculator(home, new.registry)
    method = new.method_id(None)
    reference.score(sample[0], method)  # Brightway's packages, loaded once
    start = time.perf_counter()
    theirs = np.array([reference.score(r, method) for r in sample])
    naive_each = (time.perf_counter() - start) / len(sample)
    worst_fresh = float(np.max(np.abs(stored - fresh) / np.abs(fresh)))
    worst_bw = float(np.max(np.abs(stored - theirs) / np.abs(theirs)))

    # -- the batch path alone: score kept rows already in memory --------------------------
    rows = db.execute("SELECT n_lines, boundary, rows FROM compiled_boms ORDER BY "
                      "submission_id LIMIT ?", [min(args.products, 100_000)]).fetchall()
    columns = KeyColumns(new).update(footprints.all_keys(db))
    batch, _ = rows_to_batch([r[2] for r in rows], [r[0] for r in rows],
                             [r[1] for r in rows], columns)
    cf = new.inventory.factors[method]
    score_rows(batch, new.inventory, cf)
    start = time.perf_counter()
    score_rows(batch, new.inventory, cf)
    score_each = (time.perf_counter() - start) / len(rows)

    print()
    print(f"naive loop (one bw2calc LCA per product, {len(sample)} products): "
          f"{naive_each * 1e3:.2f} ms/product = {1 / naive_each:,.0f} products/s")
    print(f"batch path (score kept rows, {len(rows):,} products at once): "
          f"{score_each * 1e6:.2f} us/product = {1 / score_each:,.0f} products/s, "
          f"{naive_each / score_each:,.0f}x the naive loop")
    if wall is not None:
        e2e_rate = args.products / wall
        print(f"end to end (`footprint recalc`, {args.products:,} products: start-up, read "
              f"kept rows, score under MEE-2023 and MEE-2022, write items and footprints): "
              f"{wall:.1f} s = {e2e_rate:,.0f} products/s, "
              f"{naive_each * e2e_rate:,.0f}x the naive loop")
    print(f"agreement on {len(sample)} products: stored after the run vs calculated from "
          f"BOM JSON {worst_fresh:.1e}, vs bw2calc {worst_bw:.1e} "
          f"({'OK' if max(worst_fresh, worst_bw) < 1e-9 else 'FAIL'}: limit 1e-9)")
    print(f"peak RSS of the recalculation process: {child_rss:,.0f} MiB "
          f"(this benchmark process: {peak_rss_mb():,.0f} MiB)")

    print("\ntargets (issue 6), as measured in this run:")
    ratio = naive_each / score_each
    print(f"  batch >= 1000x naive per product: {'MET' if ratio >= 1000 else 'NOT MET'} "
          f"({ratio:,.0f}x)")
    plain_rate = args.products / plain_wall
    print(f"  end to end >= 50,000 products/s (moving the footprints, --no-ranges): "
          f"{'MET' if plain_rate >= 50_000 else 'NOT MET'} ({plain_rate:,.0f}/s)")
    if wall is not None:
        print(f"  (issue 15: with the ranges drawn again, {e2e_rate:,.0f} products/s; no "
              f"target was set for it)")
    if args.products >= 1_000_000:
        ok = plain_wall < 60 and plain_rss < 2048
        with_ranges = "" if wall is None else f"; with the ranges drawn again {wall:.0f} s"
        print(f"  1,000,000 products < 60 s and < 2 GB (--no-ranges, {where.engine}): "
              f"{'MET' if ok else 'NOT MET'} ({plain_wall:.0f} s, {plain_rss:,.0f} MiB"
              f"{with_ranges})")
    else:
        print("  1,000,000 products < 60 s and < 2 GB: not run at this size (rerun with "
              "--products 1000000)")
    if max(worst_fresh, worst_bw) >= 1e-9:
        sys.exit(1)


if __name__ == "__main__":
    main()
