"""HTTP benchmark: the service under gunicorn beside a minimal Flask app under the same
gunicorn, loaded by wrk over loopback, interleaved in one run.

    .venv/bin/python benchmarks/web_load.py [--labels 10000] [--leaves 1000000] [--duration 8]
                                        [--rounds 3] [--workers 2] [--connections 32]

What is measured (targets of docs/performance.md):

- the scan page ``/L/<b32>``, requests spread over ``--labels`` distinct labels at random,
  with the log at ``--leaves`` leaves; a second run while labels are issued beside it;
- the signed checkpoint and the trust list;
- ``POST /api/v1/submissions`` (a producer's API token, the demo's orange BOM with its first
  amount changed on every request), beside the minimal app storing one row in SQLite with
  the same durability;
- the editor's preview ``POST /producer/preview`` (a logged-in producer, one request at a
  time, the BOM changed each time as a producer types), its p95;
- then, with the servers stopped, benchmarks/cli_start.py's commands on the same platform:
  ``footprint verify`` and a warm ``footprint calc`` as whole processes beside
  ``python -c pass``.

Before the rounds every label is scanned once in turn (``--warm`` seconds at most), as the
first scans after issue would: the pages are then kept (web/pagecache.py).

The platform is the demo's (footprint.usecases.demo), its labels issued for real; the rest
are copies of them with new ids, each signed again with the platform's key and logged as an
issue leaf, then record leaves until the log holds ``--leaves``. wrk comes from Debian's
package (the Makefile's `benchmark-tools` installs it). Everything listens on 127.0.0.1 only.
Each figure is the median of ``--rounds`` rounds; a round runs the minimal app and then the
service, so both see the same machine.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

import cli_start  # benchmarks/cli_start.py, beside this file

from footprint.engine import Engine
from footprint.errors import NotFound
from footprint.labels import to_b32
from footprint.labels.claims import new_label_id
from footprint.labels.cose import sign, signed_claims
from footprint.labels.keys import current_key
from footprint.store import database_path, transaction
from footprint.store import labels as stored_labels
from footprint.store import log as stored_log
from footprint.store.migrations import migrate
from footprint.translog import TransparencyLog, merkle
from footprint.translog.entries import record_entry
from footprint.usecases.database import connect
from footprint.usecases.demo import DEMO_PASSWORD, sample, seed
from footprint.usecases.tokens import create_token, revoke_tokens

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
WRK = shutil.which("wrk")
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # what a phone's browser sends
THREADS = 2  # wrk's

# wrk's script: every request a random path of the file $PATHS (one per line); a body and
# headers from $BODY and $HEADERS (JSON) when given.
LUA = """
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local method = os.getenv("METHOD") or "GET"
local body = nil
if os.getenv("BODY") then
  local f = io.open(os.getenv("BODY"), "rb"); body = f:read("*a"); f:close()
end
local headers = {}
for name, value in string.gmatch(os.getenv("HEADERS") or "", "([^\\n:]+): ([^\\n]+)") do
  headers[name] = value
end
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
local seeded, walked, sent = false, nil, 0
local vary = os.getenv("VARY")  -- a number in the body changed every request
request = function()
  if vary then
    sent = sent + 1
    local edited = body:gsub("__VARY__", tostring(tonumber(vary) * (1 + sent / 1000)))
    return wrk.format(method, paths[1], headers, edited)
  end
  if os.getenv("WALK") then  -- each thread its own share of the paths, in order
    walked = walked and walked + tonumber(os.getenv("WALK")) or id
    return wrk.format(method, paths[walked % #paths + 1], headers, body)
  end
  if not seeded then math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)); seeded = true end
  return wrk.format(method, paths[math.random(#paths)], headers, body)
end
done = function(summary, latency, requests)
  io.write(string.format("p95 %dus\\n", latency:percentile(95)))
end
"""


@dataclass
class Load:
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int


# -- the platform ----------------------------------------------------------------------------

def copy_labels(db, home: Path, n: int, *, start: int = 0) -> list[bytes]:
    """``n`` new labels copied from the demo's current ones: new ids, signed again with the
    platform's key, stored and logged as issue leaves (in one transaction)."""
    originals = list(db.query("SELECT * FROM labels WHERE superseded_by IS NULL AND "
                              "revoked_at IS NULL ORDER BY issued_at"))
    key = current_key(home)
    log = TransparencyLog(db)
    made = []
    with transaction(db):
        for number in range(start, start + n):
            source = originals[number % len(originals)]
            claims = signed_claims(bytes(source["cose"]), source["issuer"])
            claims["id"] = new_label_id(source["issuer"])
            cose = sign(claims, key)
            record = dict(json.loads(source["claims_json"]), id=claims["id"])
            stored_labels.insert(db, claims["id"], source["submission_id"],
                                 source["product_id"], source["issuer"], bytes(source["kid"]),
                                 cose, record, source["issued_at"], source["expires_at"], None,
                                 log.size())
            log.append("issue", claims["id"], cose)
            made.append(cose)
    return made


def grow_log(db, stop: int) -> None:
    """Record leaves until the log holds ``stop`` leaves, with the subtrees they close."""
    leaves = [bytes(r[0]) for r in db.execute("SELECT leaf_hash FROM log_entries ORDER BY idx")]
    start = len(leaves)
    at = "2026-12-01T00:00:00+00:00"
    for chunk in range(start, stop, 100_000):
        rows, new = [], []
        for index in range(chunk, min(chunk + 100_000, stop)):
            entry = record_entry("loan-pricing", f"B{index}", index.to_bytes(8, "big"), at)
            leaf = merkle.leaf_hash(entry)
            rows.append((index, "record", None, entry, leaf, at))
            new.append(leaf)
        with transaction(db):
            db.conn.executemany("INSERT INTO log_entries (idx, kind, label_id, entry, "
                                "leaf_hash, at) VALUES (?, ?, ?, ?, ?, ?)", rows)
            stored_log.insert_nodes(db, list(merkle.perfect_subtrees(leaves + new,
                                                                     start=chunk)))
        leaves += new


def build(home: Path, labels: int, leaves: int) -> list[str]:
    """The demo platform grown to ``labels`` labels and ``leaves`` leaves; the scan paths."""
    db = connect(database_path(home))
    migrate(db)
    seed(db, Engine(home=home), home)
    db.execute("DROP INDEX labels_submission")  # the copies share their originals' submissions
    have = db.execute("SELECT count(*) FROM labels").fetchone()[0]
    for start in range(have, labels, 2000):
        copy_labels(db, home, min(2000, labels - start), start=start)
    grow_log(db, leaves)
    paths = [f"/L/{to_b32(bytes(row[0]))}" for row in db.execute("SELECT cose FROM labels")]
    db.close()
    return paths


def issue_beside(home: Path, stop: threading.Event, per_second: float, issued: list) -> None:
    """Issue labels at ``per_second`` until ``stop`` is set, as the service would alongside
    the scans (each signed, stored and logged in its own transaction)."""
    db = connect(database_path(home))
    number = 0
    while not stop.wait(1 / per_second):
        copy_labels(db, home, 1, start=number)
        number += 1
    db.close()
    issued.append(number)


# -- servers and load ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(args: list[str], port: int, env: dict, cwd: Path | None = None) -> subprocess.Popen:
    process = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            requests.get(f"http://{HOST}:{port}/", timeout=10)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{args[0]} did not answer on port {port}")


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(base: str, paths: list[str], work: Path, duration: float, connections: int, *,
        method: str = "GET", body: bytes | None = None, headers: dict | None = None,
        walk: bool = False, vary: float | None = None, threads: int | None = None) -> Load:
    (work / "paths").write_text("\n".join(paths) + "\n")
    (work / "load.lua").write_text(LUA)
    env = {**os.environ, "PATHS": str(work / "paths"), "METHOD": method,
           "HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())}
    if walk:
        env["WALK"] = str(THREADS)
    if vary is not None:
        env["VARY"] = repr(vary)
    if body is not None:
        (work / "body").write_bytes(body)
        env["BODY"] = str(work / "body")
    out = subprocess.run([WRK, f"-t{threads or THREADS}", f"-c{connections}", f"-d{round(duration)}s", "--latency",
                          "-s", str(work / "load.lua"), base], env=env, capture_output=True,
                         text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in latency:
        raise SystemExit(f"wrk said:\n{out}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Load(rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                p50=_ms(latency["50"]),
                p95=int(re.search(r"^p95 (\d+)us$", out, re.M).group(1)) / 1000,
                p99=_ms(latency["99"]),
                errors=errors)


def drained(at_most: int = 1000, timeout: float = 90) -> float:
    """Seconds waited until loopback holds fewer than ``at_most`` TCP connections in
    TIME_WAIT (Linux's count in /proc/net/sockstat), or ``timeout``."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        counts = Path("/proc/net/sockstat").read_text().split("TCP:")[1].split("\n")[0].split()
        if int(counts[counts.index("tw") + 1]) < at_most:
            break
        time.sleep(1)
    return time.monotonic() - began


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def varied(bom: dict) -> tuple[float, bytes]:
    """(the first line's amount, the BOM as a body whose first amount wrk changes on every
    request): every submission and preview a BOM never seen before, as real ones are."""
    template = copy.deepcopy(bom)
    amount, template["lines"][0]["amount"] = template["lines"][0]["amount"], "__VARY__"
    return amount, json.dumps(template).replace('"__VARY__"', "__VARY__").encode()


def preview_load(base: str, bom: dict, work: Path, duration: float) -> Load:
    """The editor's preview as a logged-in producer, one request at a time, each with the
    BOM's first amount changed (as a producer types: never the same BOM twice)."""
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(f"{base}/login", data={"username": "orchard", "password": DEMO_PASSWORD,
                                        "csrf_token": token})
    editor = session.get(f"{base}/producer/submissions/new").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', editor).group(1)
    headers = {"X-CSRFToken": token, "Content-Type": "application/json",
               # the session is bound to the browser that logged in (strong protection)
               "User-Agent": session.headers["User-Agent"],
               "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies)}
    amount, body = varied(bom)
    first = session.post(f"{base}/producer/preview", json=bom, headers={"X-CSRFToken": token})
    if first.status_code != 200:
        raise SystemExit(f"preview answered {first.status_code}: {first.text[:300]}")
    return wrk(base, ["/producer/preview"], work, duration, 1, method="POST", body=body,
               headers=headers, vary=amount, threads=1)


def median_load(loads: list[Load]) -> Load:
    return Load(*(statistics.median(getattr(l, f) for l in loads)
                  for f in ("rps", "p50", "p95", "p99", "errors")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--issue-rate", type=float, default=5,
                        help="labels issued a second during the second scan run")
    parser.add_argument("--warm", type=float, default=60,
                        help="seconds of scans of every label in turn before the rounds")
    parser.add_argument("--command-rounds", type=int, default=9,
                        help="rounds of benchmarks/cli_start.py's commands (0: none)")
    parser.add_argument("--platform", type=Path,
                        help="a folder to keep the built platform in and use again")
    args = parser.parse_args()
    if WRK is None:
        raise SystemExit("wrk is missing: `make benchmark-tools` installs it (Debian's wrk)")
    work = Path(tempfile.mkdtemp(prefix="web-load-"))
    home = args.platform or work / "home"
    built = home / "scan-paths.json"
    began = time.perf_counter()
    if not built.exists():
        home.mkdir(parents=True, exist_ok=True)
        built.write_text(json.dumps(build(home, args.labels, args.leaves)))
    paths = json.loads(built.read_text())
    print(f"platform: {len(paths)} labels, {args.leaves} leaves, "
          f"ready in {time.perf_counter() - began:.0f} s")
    db = connect(database_path(home))
    migrate(db)  # a platform kept from an earlier version of the code (--platform)
    # the token of an earlier run on a kept platform: one may hold at most 10
    try:
        revoke_tokens(db, username="orchard", label="benchmark")
    except NotFound:  # a new platform, or a kept one whose tokens were revoked
        pass
    token = create_token(db, "orchard", "benchmark")
    db.close()
    bom = sample("oranges_pujiang_packed")

    env = {**os.environ, "FOOTPRINT_HOME": str(home), "FOOTPRINT_INSECURE_COOKIES": "1",
           "HELLO_DATABASE": str(work / "hello.db")}
    bin_dir = Path(sys.executable).parent
    hello_port, service_port = free_port(), free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
                "--access-logfile", "-"]
    hello = start([*gunicorn, "--bind", f"{HOST}:{hello_port}", "--chdir", str(HERE),
                   "hello_app:app"], hello_port, env)
    service = start([str(bin_dir / "footprint"), "serve", "--host", HOST, "--port",
                     str(service_port), "--workers", str(args.workers)], service_port, env)
    hello_base, base = f"http://{HOST}:{hello_port}", f"http://{HOST}:{service_port}"
    amount, body = varied(bom)
    api = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    runs: dict[str, list[Load]] = {}

    def run(name: str, url: str, run_paths: list[str], connections: int = args.connections,
            **how) -> None:
        runs.setdefault(name, []).append(
            wrk(url, run_paths, work, args.duration, connections, **how))

    issued: list[int] = []
    try:
        # every label's page once, as the first scans after issue would make them
        wrk(base, paths, work, args.warm, args.connections, headers=BROWSER, walk=True)
        for _ in range(args.rounds):
            run("hello", hello_base, ["/"])
            run("scan", base, paths, headers=BROWSER)
            stop = threading.Event()
            issuer = threading.Thread(target=issue_beside,
                                      args=(home, stop, args.issue_rate, issued))
            issuer.start()
            run("scan while issuing", base, paths, headers=BROWSER)
            stop.set()
            issuer.join()
            run("checkpoint", base, ["/log/checkpoint"])
            run("trust list", base, ["/.well-known/footprint/trust-list.json"])
            run("hello insert", hello_base, ["/insert"], method="POST", body=body,
                headers={"Content-Type": "application/json"}, vary=amount)
            run("API submission create", base, ["/api/v1/submissions"], method="POST",
                body=body, headers=api, vary=amount)
        # one request at a time, each on a new connection (gunicorn's sync workers keep none
        # alive): after the loads above, loopback's ephemeral ports are taken by connections
        # in TIME_WAIT (Linux keeps a closed one 60 s; the scan runs close ~20,000 a
        # second), which slows every connect. The preview and the minimal app one request
        # at a time are measured once they have gone.
        print(f"waited {drained():.0f} s for closed connections to leave TIME_WAIT")
        for _ in range(args.rounds):
            run("hello, one at a time", hello_base, ["/"], threads=1, connections=1)
            runs.setdefault("preview", []).append(
                preview_load(base, bom, work, args.duration))
    finally:
        service.terminate()
        hello.terminate()
        service.wait()
        hello.wait()

    # the commands, on the same platform, with no server running
    commands = cli_start.measure(home, args.command_rounds) if args.command_rounds else {}
    medians = {name: median_load(loads) for name, loads in runs.items()}
    hello_rps, insert_rps = medians["hello"].rps, medians["hello insert"].rps
    alone = medians["hello, one at a time"]
    print(f"\n{args.workers} workers, {args.connections} connections, {args.duration:g} s a run, "
          f"median of {args.rounds} rounds; labels issued beside: {sum(issued)}\n")
    print(f"{'what':<24}{'rps':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'ratio':>8}")
    for name, load in medians.items():
        baseline = {"API submission create": insert_rps, "preview": alone.rps,
                    "hello, one at a time": alone.rps}.get(name, hello_rps)
        print(f"{name:<24}{load.rps:>9.0f}{load.p50:>9.2f}{load.p95:>9.2f}{load.p99:>9.2f}"
              f"{load.errors:>8.0f}{load.rps / baseline:>8.2f}")

    def target(what: str, ok: bool) -> None:
        print(f"  {'met    ' if ok else 'NOT MET'}  {what}")

    print("\ntargets:")
    for name in ("scan", "scan while issuing", "checkpoint", "trust list"):
        load = medians[name]
        target(f"{name}: >= 2,000 rps ({load.rps:.0f}), p99 < 50 ms ({load.p99:.1f}), "
               f"ratio to hello >= 0.5 ({load.rps / hello_rps:.2f})",
               load.rps >= 2000 and load.p99 < 50 and load.rps / hello_rps >= 0.5)
    create = medians["API submission create"]
    target(f"API submission create: >= 1,000 rps ({create.rps:.0f}), p99 < 100 ms "
           f"({create.p99:.1f})", create.rps >= 1000 and create.p99 < 100)
    preview = medians["preview"].p95
    target(f"preview (one at a time) p95 < 5 ms warm ({preview:.2f}; the minimal app one at "
           f"a time {alone.p95:.2f}), every answer 200",
           preview < 5 and medians["preview"].errors == 0)
    if commands:
        base_start = commands["python -c pass"][0]
        for name, limit in cli_start.TARGETS.items():
            wall = commands[name][0]
            target(f"{name} < {limit * 1000:.0f} ms as a whole process ({wall * 1000:.0f} ms; "
                   f"python -c pass {base_start * 1000:.0f} ms)", wall < limit)


if __name__ == "__main__":
    main()
