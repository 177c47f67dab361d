"""Transparency-log benchmark: an inclusion proof, a consistency proof and a root as the log
grows to 1,000,000 leaves, from the stored subtrees (what the service does) beside computing
them from every leaf hash (what it did before migration 21), measured in one run.

    .venv/bin/python benchmarks/log.py [--sizes 1000,10000,100000,1000000] [--rounds 50]

The leaves are record entries written straight into a temporary database (with the subtrees
their appends close, as TransparencyLog.append writes them), so filling a million takes
seconds, not a million label issuances. Each figure is the median of the rounds over random
leaves; the "all leaves" column reads every leaf hash and recomputes (fewer rounds).
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from footprint.store import connect, transaction
from footprint.store import log as stored
from footprint.store.migrations import migrate
from footprint.translog import TransparencyLog, merkle
from footprint.translog.entries import record_entry


def grow(db, start: int, stop: int) -> None:
    """Leaves start .. stop - 1, and the subtrees they close."""
    leaves = [bytes(r[0]) for r in db.execute("SELECT leaf_hash FROM log_entries ORDER BY idx")]
    rows, new = [], []
    for index in range(start, stop):
        entry = record_entry("loan-pricing", f"B{index}", index.to_bytes(8, "big"),
                             "2026-12-01T00:00:00+00:00")
        leaf = merkle.leaf_hash(entry)
        rows.append((index, "record", None, entry, leaf, "2026-12-01T00:00:00+00:00"))
        new.append(leaf)
    with transaction(db):
        db.conn.executemany("INSERT INTO log_entries (idx, kind, label_id, entry, leaf_hash, "
                            "at) VALUES (?, ?, ?, ?, ?, ?)", rows)
        stored.insert_nodes(db, list(merkle.perfect_subtrees(leaves + new, start=start)))


def median_ms(call, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    db = connect(Path(tempfile.mkdtemp(prefix="log-bench-")) / "log.db")
    migrate(db)
    log = TransparencyLog(db)
    rng = random.Random(7)
    print(f"{'leaves':>10} {'inclusion':>10} {'consistency':>12} {'root':>8} "
          f"{'inclusion, all leaves':>22} {'ratio':>7}   (median ms)")
    have = 0
    for size in sizes:
        grow(db, have, size)
        have = size
        inclusion = median_ms(lambda: log.inclusion(rng.randrange(size), size), args.rounds)
        consistency = median_ms(lambda: log.consistency(rng.randrange(1, size + 1), size),
                                args.rounds)
        root = median_ms(lambda: log.root(size), args.rounds)

        def from_all_leaves():
            leaves = log.leaf_hashes(size)
            index = rng.randrange(size)
            return merkle.root(leaves), merkle.inclusion_proof(index, leaves)
        naive = median_ms(from_all_leaves, 3)
        print(f"{size:>10,} {inclusion:>10.3f} {consistency:>12.3f} {root:>8.3f} "
              f"{naive:>22.1f} {naive / inclusion:>6.0f}x")
    assert log.root() == merkle.root(log.leaf_hashes())


if __name__ == "__main__":
    main()
