"""`footprint publish DIR` on a large log: the first publication of a log of 1,000,000 leaves
(one label issue leaf in ten, the rest records), then a second run after 1,000 more leaves,
measured in one run.

    .venv/bin/python benchmarks/publish.py [--size 1000000] [--more 1000]

The leaves are written straight into a temporary database with the subtrees their appends
close (as TransparencyLog.append stores them), so filling a million takes seconds; the issue
leaves hold random bytes (the publication reads only their hashes and kinds).
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from footprint.labels import generate
from footprint.store import connect, transaction
from footprint.store import log as stored
from footprint.store.migrations import migrate
from footprint.translog import merkle
from footprint.translog.entries import record_entry
from footprint.usecases import publishing

AT = "2026-12-01T00:00:00+00:00"


def grow(db, leaves: list[bytes], count: int) -> None:
    """``count`` leaves more (every tenth a label's issue leaf), and the subtrees they close;
    ``leaves`` (every leaf hash so far) is extended."""
    start = len(leaves)
    rows, new = [], []
    for index in range(start, start + count):
        if index % 10 == 0:
            entry, kind, label = os.urandom(200), "issue", None  # no labels row to name
        else:
            entry = record_entry("finding", f"F{index}", index.to_bytes(8, "big"), AT)
            kind, label = "record", None
        new.append(merkle.leaf_hash(entry))
        rows.append((index, kind, label, entry, new[-1], AT))
    with transaction(db):
        db.conn.executemany("INSERT INTO log_entries (idx, kind, label_id, entry, leaf_hash, "
                            "at) VALUES (?, ?, ?, ?, ?, ?)", rows)
        stored.insert_nodes(db, list(merkle.perfect_subtrees(leaves + new, start=start)))
    leaves.extend(new)


def timed(call):
    began = time.perf_counter()
    result = call()
    return result, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--more", type=int, default=1_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="publish-bench-"))
    home = work / "home"
    home.mkdir()
    generate(home, "CN-SC", "Sichuan platform", "CN-SC")
    db = connect(work / "log.db")
    migrate(db)
    leaves: list[bytes] = []
    _, filled = timed(lambda: grow(db, leaves, args.size))
    print(f"log of {args.size:,} leaves written in {filled:.1f} s")
    site = work / "site"
    first, took = timed(lambda: publishing.publish(db, home, site))
    files = sum(len(names) for _root, _dirs, names in os.walk(site))
    print(f"first publication: {took:.1f} s, {first.tiles_written:,} tiles, "
          f"{first.labels_added:,} labels in {first.shards_written:,} index shards, "
          f"{files:,} files")
    grow(db, leaves, args.more)
    again, took = timed(lambda: publishing.publish(db, home, site))
    print(f"after {args.more:,} more leaves: {took:.2f} s, {again.tiles_written} tiles written, "
          f"{again.tiles_kept:,} kept, {again.shards_written} shards rewritten")


if __name__ == "__main__":
    main()
