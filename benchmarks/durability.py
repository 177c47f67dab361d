"""Durability benchmark: what synchronous=FULL costs per commit against NORMAL (WAL mode),
on the service's own write paths, measured side by side in one run.

    .venv/bin/python benchmarks/durability.py [--rounds 30] [--dir DIR]

A temporary FOOTPRINT_HOME in DIR (default: the system's temporary folder; put it on the
disk the service's database lives on, fsync costs differ by device) with a producer, an
accounting body, a reviewer and the platform's issuer key. Each round runs, for NORMAL and
FULL in a shuffled order:

- a bare commit: one row inserted in a scratch table (the fsync alone);
- a submission created through the API's use case (parse, calculate, store: one commit);
- an approval that issues the label (sign, store, log: one commit), after an untimed submit
  and verify.

Each arm sets the connection's level for the whole round (the service's is FULL,
footprint.store.db). Medians per arm and their ratio are printed; nothing is assumed.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from footprint.engine import Engine
from footprint.labels import generate
from footprint.store import database_path
from footprint.store import db as store_db
from footprint.store.migrations import migrate
from footprint.usecases import actions
from footprint.usecases import submissions as subs
from footprint.usecases.database import connect
from footprint.usecases.demo import sample
from footprint.usecases.issuing import Issuer
from footprint.usecases.users import seed_user

LEVELS = {"NORMAL": store_db.NORMAL, "FULL": store_db.FULL}
OPERATIONS = ("bare commit", "submission create", "approve and issue")


def setup(home: Path):
    db = connect(database_path(home))
    migrate(db)
    people = {name: seed_user(db, name, role, org, "benchmark password 1")
              for name, role, org in [("maker", "producer", "Benchmark Works"),
                                      ("auditor", "verifier", "Benchmark Verification"),
                                      ("reviewer", "reviewer", "Benchmark Platform")]}
    generate(home, "CN-SC", "Benchmark platform", "CN-SC")
    db.execute("CREATE TABLE scratch (x INTEGER)")
    return db, people, Issuer(home, "CN-SC")


def one_round(db, engine, people, issuer, level_name: str, bom: dict, times: dict) -> None:
    level = LEVELS[level_name]
    db.execute(f"PRAGMA synchronous={level}")
    start = time.perf_counter()
    with store_db.transaction(db):
        db.execute("INSERT INTO scratch VALUES (1)")
    times["bare commit"][level_name].append(time.perf_counter() - start)

    start = time.perf_counter()
    created, _ = subs.create_submission(db, engine, people["maker"], bom)
    times["submission create"][level_name].append(time.perf_counter() - start)

    actions.act(db, people["maker"], created["id"], "submit",
                verifier_org="Benchmark Verification")
    actions.act(db, people["auditor"], created["id"], "verify", checklist=actions.VERIFY_CHECKLIST)
    start = time.perf_counter()
    approved = actions.act(db, people["reviewer"], created["id"], "approve", issuer=issuer)
    times["approve and issue"][level_name].append(time.perf_counter() - start)
    assert approved["status"] == "issued"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the temporary database goes (its disk is measured)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footprint-durability-", dir=args.dir) as folder:
        home = Path(folder)
        db, people, issuer = setup(home)
        engine = Engine(home=home)
        bom = sample("sichuan_machined_part")
        subs.create_submission(db, engine, people["maker"], bom)  # warm: registry, caches
        times = {op: {name: [] for name in LEVELS} for op in OPERATIONS}
        rng = random.Random(12)
        for _ in range(args.rounds):
            for level_name in rng.sample(sorted(LEVELS), len(LEVELS)):
                one_round(db, engine, people, issuer, level_name, bom, times)
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        db.close()
    print(f"durability: SQLite synchronous NORMAL vs FULL, journal_mode={journal}, "
          f"{args.rounds} interleaved rounds, database in {args.dir or tempfile.gettempdir()}, "
          f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}")
    print("median per commit      NORMAL      FULL   FULL/NORMAL   FULL - NORMAL")
    for op in OPERATIONS:
        normal = statistics.median(times[op]["NORMAL"]) * 1000
        full = statistics.median(times[op]["FULL"]) * 1000
        print(f"{op:<20} {normal:8.2f} ms {full:7.2f} ms {full / normal:10.2f}x "
              f"{full - normal:+11.2f} ms")


if __name__ == "__main__":
    main()
