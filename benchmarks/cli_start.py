"""Command start-up: `footprint verify` (offline, a label URL) and `footprint --help` as whole
processes, beside `python -c pass` and `python -c "import cbor2, cryptography"` (what a label
check needs at the least), interleaved in one run.

    .venv/bin/python benchmarks/cli_start.py [--rounds 15]

A platform home with one issued label is made first (the demo's); medians are printed with
the difference to `python -c pass`.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from footprint.engine import Engine
from footprint.labels.encoding import label_url
from footprint.store import database_path
from footprint.store.migrations import migrate
from footprint.usecases.database import connect
from footprint.usecases.demo import seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="cli-bench-"))
    db = connect(database_path(home))
    migrate(db)
    seed(db, Engine(home=home), home)
    cose = bytes(next(db.query("SELECT cose FROM labels LIMIT 1"))["cose"])
    url = label_url("https://footprint.example", cose)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "FOOTPRINT_HOME": str(home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a real install keeps its bytecode
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python: import cbor2, cryptography Ed25519": [
            sys.executable, "-c", "import cbor2; from cryptography.hazmat.primitives."
                                  "asymmetric.ed25519 import Ed25519PublicKey"],
        "footprint verify URL --offline": [str(bin_dir / "footprint"), "verify", url,
                                           "--offline"],
        "footprint --help": [str(bin_dir / "footprint"), "--help"],
    }
    for command in commands.values():  # warm the bytecode and the disk cache
        subprocess.run(command, env=env, capture_output=True)
    times = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            began = time.perf_counter()
            subprocess.run(command, env=env, capture_output=True)
            times[name].append(time.perf_counter() - began)
    base = statistics.median(times["python -c pass"])
    print(f"medians of {args.rounds} interleaved rounds")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"  {name:45s} {median * 1000:7.0f} ms   (+{(median - base) * 1000:5.0f} ms "
              f"over python -c pass)")


if __name__ == "__main__":
    main()
