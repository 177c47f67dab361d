"""Command start-up: `footprint verify` (offline, a label URL), a warm `footprint calc` (a
demo BOM, on a home whose Brightway background is built, calculated once before) and
`footprint --help` as whole processes, beside `python -c pass` and `python -c "import cbor2,
cryptography"` (what a label check needs at the least), interleaved in one run; and
`footprint calc` with no stored result (the home's stored results removed before each run:
the plugins, the registry and the engine load, the background is read from its cache).

    .venv/bin/python benchmarks/cli_start.py [--rounds 15]

A platform home with one issued label is made first (the demo's). Medians of the wall time
are printed with the difference to `python -c pass`, and the CPU time (user + system) each
process took, which varies less when other work shares the machine; then the targets of
issue 19 (verify < 150 ms, warm calc < 250 ms, wall time) with met or not met.

Measured on the development machine (2 CPUs shared with other work, load average about 6;
medians of 15 rounds, wall time and CPU):

    before (this script run by main's .venv: main at 62c940d, setuptools' default editable
    install)
      python -c pass                         51 ms   CPU  25 ms
      footprint verify URL --offline        332 ms   CPU 145 ms   target < 150 ms: not met
      footprint calc BOM, warm            1,262 ms   CPU 671 ms   target < 250 ms: not met
    after
      python -c pass                         17 ms   CPU  11 ms
      footprint verify URL --offline        124 ms   CPU  95 ms   target < 150 ms: met
      footprint calc BOM, warm              139 ms   CPU  85 ms   target < 250 ms: met
      footprint calc BOM, nothing stored    736 ms   CPU 407 ms

Where the time went and what was done: docs/performance.md, "Command start-up".
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
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

ROOT = Path(__file__).resolve().parent.parent
BOM = ROOT / "lca_data" / "samples" / "oranges_pujiang_packed.json"
VERIFY = "footprint verify URL --offline"
WARM_CALC = "footprint calc BOM, warm"
COLD_CALC = "footprint calc BOM, nothing stored"
TARGETS = {VERIFY: 0.150, WARM_CALC: 0.250}  # seconds, whole process (issue 19, item 5)


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):  # verify --offline: 3, valid but revocation not checked
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(home: Path, rounds: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each command, interleaved, on a platform ``home`` that
    has issued labels."""
    db = connect(database_path(home))
    cose = bytes(next(db.query("SELECT cose FROM labels LIMIT 1"))["cose"])
    db.close()
    url = label_url("https://footprint.example", cose)
    footprint = str(Path(sys.executable).parent / "footprint")
    env = {**os.environ, "FOOTPRINT_HOME": str(home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a real install keeps its bytecode
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python: import cbor2, cryptography Ed25519": [
            sys.executable, "-c", "import cbor2; from cryptography.hazmat.primitives."
                                  "asymmetric.ed25519 import Ed25519PublicKey"],
        VERIFY: [footprint, "verify", url, "--offline"],
        WARM_CALC: [footprint, "calc", str(BOM)],
        COLD_CALC: [footprint, "calc", str(BOM)],
        "footprint --help": [footprint, "--help"],
    }
    stored = home / "cache" / "results"  # footprint.engine.resultcache.folder
    for command in commands.values():  # warm the bytecode, the disk cache, the stored result
        subprocess.run(command, env=env, capture_output=True)
    walls = {name: [] for name in commands}
    cpus = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            if name == COLD_CALC:
                shutil.rmtree(stored, ignore_errors=True)
            wall, cpu = timed(command, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name]))
            for name in commands}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="cli-bench-"))
    db = connect(database_path(home))
    migrate(db)
    seed(db, Engine(home=home), home)  # builds the Brightway background, issues labels
    db.close()
    medians = measure(home, args.rounds)
    base = medians["python -c pass"][0]
    print(f"medians of {args.rounds} interleaved rounds (wall time; CPU = user + system)")
    for name, (wall, cpu) in medians.items():
        print(f"  {name:45s} {wall * 1000:6.0f} ms  (+{(wall - base) * 1000:4.0f} ms over "
              f"python -c pass)   CPU {cpu * 1000:4.0f} ms")
    print("targets (issue 19: whole processes, wall time)")
    for name, target in TARGETS.items():
        wall = medians[name][0]
        verdict = "met" if wall < target else "NOT MET"
        print(f"  {name:45s} {wall * 1000:6.0f} ms  < {target * 1000:.0f} ms: {verdict}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
