"""The service on both engines: API writes and scans on SQLite and on PostgreSQL, each served
by one and by two application processes, loaded by wrk over loopback, in one run.

    .venv/bin/python benchmarks/engines.py [--database-url postgresql://...] [--duration 4]
                                           [--connections 16] [--workers 1]

For each engine the demo platform is made (footprint.usecases.demo: its own FOOTPRINT_HOME,
its labels issued for real; PostgreSQL: a database of its own on the server, dropped at the
end). Then for one and for two application processes (`footprint serve` on one port each,
``--workers`` gunicorn workers each, every one on the same database and home, as hosts
behind a balancer):

- writes: ``POST /api/v1/submissions`` with a producer's API token, the demo's orange BOM
  with its first amount changed on every request (every submission a BOM never seen);
- scans: ``/L/<b32>`` spread at random over every label of the demo, after one short run
  that renders each label's page once (web/pagecache.py keeps it, as after the first scans
  of a real label).

With two processes the connections are split between them: one wrk per port, side by
side; rps is their sum, p50 the mean of the two weighted by requests, p99 the larger of the
two. wrk and its Lua script, ``start`` and ``free_port`` are benchmarks/web_load.py's.
Without --database-url a throwaway cluster is started (tests/pgcluster.py: Unix socket only,
fsync off). Everything listens on 127.0.0.1 only; each load lasts ``--duration`` seconds.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scratch_db import ScratchDatabase, scratch_server  # benchmarks/, beside this file
from web_load import BROWSER, HOST, WRK, Load, free_port, start, varied, wrk

from footprint.engine import Engine
from footprint.labels import to_b32
from footprint.store import connect, database_path
from footprint.store.db import DATABASE_URL
from footprint.store.migrations import migrate
from footprint.usecases.demo import sample, seed
from footprint.usecases.tokens import create_token

ENGINES = ("SQLite", "PostgreSQL")


def make_platform(home: Path, location) -> tuple[list[str], str]:
    """The demo seeded into the database at ``location``: (its scan paths, an API token)."""
    home.mkdir(parents=True)
    db = connect(location)
    migrate(db)
    seed(db, Engine(home=home), home)
    paths = [f"/L/{to_b32(bytes(row[0]))}" for row in db.execute("SELECT cose FROM labels")]
    token = create_token(db, "orchard", "benchmark")
    db.close()
    return paths, token


def split_load(bases: list[str], work: Path, duration: float, connections: int,
               paths: list[str], **how) -> Load:
    """wrk on every base URL at once, the connections shared out; the loads combined."""
    share = max(1, connections // len(bases))

    def one(i: int) -> Load:
        folder = work / f"wrk-{i}"  # each wrk its own script, paths and body files
        folder.mkdir(exist_ok=True)
        return wrk(bases[i], paths, folder, duration, share, **how)

    with ThreadPoolExecutor(len(bases)) as pool:
        loads = list(pool.map(one, range(len(bases))))
    rps = sum(load.rps for load in loads)
    return Load(rps=rps, p50=sum(load.p50 * load.rps for load in loads) / rps,
                p95=max(load.p95 for load in loads), p99=max(load.p99 for load in loads),
                errors=sum(load.errors for load in loads))


def measure(env: dict, paths: list[str], token: str, processes: int, args,
            work: Path) -> dict[str, Load]:
    """Writes and scans with ``processes`` `footprint serve` on the platform."""
    ports = [free_port() for _ in range(processes)]
    footprint = str(Path(sys.executable).parent / "footprint")
    servers = []
    try:
        for port in ports:
            servers.append(start([footprint, "serve", "--host", HOST, "--port", str(port),
                                  "--workers", str(args.workers)], port, env))
        bases = [f"http://{HOST}:{port}" for port in ports]
        amount, body = varied(sample("oranges_pujiang_packed"))
        api = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        loads = {}
        loads["API writes"] = split_load(bases, work, args.duration, args.connections,
                                         ["/api/v1/submissions"], method="POST", body=body,
                                         headers=api, vary=amount)
        split_load(bases, work, 1, args.connections, paths, headers=BROWSER)  # pages made
        loads["scans"] = split_load(bases, work, args.duration, args.connections, paths,
                                    headers=BROWSER)
        return loads
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", metavar="postgresql://...",
                        help="a PostgreSQL server database whose role may create databases "
                             "(default: a throwaway cluster)")
    parser.add_argument("--duration", type=float, default=4, help="seconds of each load")
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk's connections, shared out between the processes")
    parser.add_argument("--workers", type=int, default=1,
                        help="gunicorn workers of each `footprint serve`")
    args = parser.parse_args()
    if WRK is None:
        raise SystemExit("wrk is missing: `make benchmark-tools` installs it (Debian's wrk)")

    results: dict[tuple[str, int], dict[str, Load]] = {}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="engines-") as tmp, \
            scratch_server(args.database_url) as server:
        work = Path(tmp)
        for engine in ENGINES:
            home = work / engine / "home"
            env = {**os.environ, "FOOTPRINT_HOME": str(home), "FOOTPRINT_INSECURE_COOKIES": "1"}
            env.pop(DATABASE_URL, None)
            scratch = None
            location = database_path(home)
            if engine == "PostgreSQL":
                scratch = ScratchDatabase(server, "footprint_engines_bench")
                location = env[DATABASE_URL] = scratch.location
            try:
                paths, token = make_platform(home, location)
                for processes in (1, 2):
                    results[engine, processes] = measure(env, paths, token, processes, args,
                                                         work / engine)
            finally:
                if scratch is not None:
                    scratch.drop()

    print(f"\n{args.connections} connections shared out, {args.workers} gunicorn worker(s) "
          f"a process, {args.duration:g} s a load; the demo's {len(paths)} labels; "
          f"{time.perf_counter() - began:.0f} s in all\n")
    print(f"{'engine':<12}{'processes':>10}  {'what':<12}{'rps':>8}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}")
    for (engine, processes), loads in results.items():
        for what, load in loads.items():
            print(f"{engine:<12}{processes:>10}  {what:<12}{load.rps:>8.0f}{load.p50:>9.1f}"
                  f"{load.p99:>9.1f}{load.errors:>8.0f}")


if __name__ == "__main__":
    main()
