"""Crash test: a real `footprint serve` (gunicorn, several workers) takes concurrent API
submissions while its workers are killed with SIGKILL; every request is retried with its
Idempotency-Key until it is acknowledged. Then the database must hold every acknowledged
submission exactly once, under its key, with the body that was sent: nothing lost, nothing
duplicated.

    .venv/bin/python benchmarks/crash.py [--requests 600] [--clients 8] [--workers 3]
                                         [--kill-every 0.5] [--deadline 30]
                                         [--database-url postgresql://...] [--hosts 2]

With --database-url the service runs on that PostgreSQL database (empty; it is migrated
here), and --hosts starts that many `footprint serve` on one database and home, each on its
own port, as application hosts behind a balancer: a request's retries go to the next host,
so its Idempotency-Key must hold across hosts.

Bounded: kills stop at --deadline seconds (then the remaining requests finish on a quiet
server) and the whole run gives up at twice that. A fresh FOOTPRINT_HOME is set up as an
operator would (`footprint db migrate`, `users add`, `tokens create`); its Brightway build is
made before the clock starts. Prints the figures and exits 1 if anything was lost or
duplicated, or a request was never acknowledged.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from footprint.store import connect

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "lca_data" / "samples" / "sichuan_machined_part.json"
FOOTPRINT = str(Path(sys.executable).parent / "footprint")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict, stdin: str | None = None) -> str:
    done = subprocess.run([FOOTPRINT, *args], env=env, input=stdin, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"footprint {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def workers_of(master: int) -> list[int]:
    """The gunicorn master's children (its workers), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == master and fields[0] != "Z":
            children.append(int(entry.name))
    return children


class Client:
    """POST one submission until acknowledged (201 created, or 200: a retry found it)."""

    def __init__(self, bases: list[str], token: str, bom: dict, deadline: float):
        self.bases, self.token, self.bom, self.deadline = bases, token, bom, deadline
        self.retries = 0
        self.replayed = 0  # acknowledged by a retry that found the first attempt's commit
        self.lock = threading.Lock()

    def submit(self, index: int) -> tuple[str, int, int]:
        key = str(uuid.uuid4())
        bom = json.loads(json.dumps(self.bom))
        bom["product"]["name"] = f"crash test part {index}"
        body = json.dumps(bom).encode("utf-8")
        attempt = 0
        while time.monotonic() < self.deadline:
            attempt += 1
            base = self.bases[(index + attempt) % len(self.bases)]  # a retry: the next host
            request = urllib.request.Request(
                f"{base}/api/v1/submissions", data=body, method="POST",
                headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": key,
                         "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = json.loads(response.read())
                    if response.status in (200, 201):
                        with self.lock:
                            self.retries += attempt - 1
                            self.replayed += response.status == 200
                        return key, index, answer["id"]
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    raise SystemExit(f"request {index} refused: {exc.code} {exc.read()!r}")
            except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
                pass  # the worker died under it (no answer, or half of one): same key again
            time.sleep(min(0.05 * attempt, 0.5))
        raise TimeoutError(f"request {index} was never acknowledged")


def wait_until_up(base: str, token: str, bom: dict, limit: float) -> None:
    """The server answers, and a submission has gone through once (the engine is loaded)."""
    end = time.monotonic() + limit
    warm = Client([base], token, bom, end)
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5).read()
            warm.submit(-1)
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=0.5,
                        help="mean seconds between SIGKILLs of a random worker")
    parser.add_argument("--deadline", type=float, default=30.0,
                        help="seconds after which workers are no longer killed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None,
                        help="a postgresql:// URL of an empty database (default: SQLite)")
    parser.add_argument("--hosts", type=int, default=1,
                        help="`footprint serve` processes on the one database")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bom = json.loads(SAMPLE.read_text(encoding="utf-8"))

    with tempfile.TemporaryDirectory(prefix="footprint-crash-") as folder:
        home = Path(folder)
        env = {**os.environ, "FOOTPRINT_HOME": str(home)}
        env.pop("FOOTPRINT_DATABASE_URL", None)
        if args.database_url:
            env["FOOTPRINT_DATABASE_URL"] = args.database_url
        run(["db", "migrate"], env)
        run(["users", "add", "maker", "--role", "producer", "--org", "Crash Test Works"], env,
            stdin="crash test password\n")
        token = run(["tokens", "create", "maker"], env).strip()
        run(["calc", str(SAMPLE)], env)  # the Brightway build, before the clock starts
        bases, servers = [], []
        for _ in range(args.hosts):
            port = free_port()
            bases.append(f"http://127.0.0.1:{port}")
            servers.append(subprocess.Popen(
                [FOOTPRINT, "serve", "--port", str(port), "--workers", str(args.workers)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        try:
            for base in bases:
                wait_until_up(base, token, bom, 60)
            start = time.monotonic()
            client = Client(bases, token, bom, start + 2 * args.deadline)
            kills, done = [], threading.Event()

            def killer():
                while not done.is_set() and time.monotonic() < start + args.deadline:
                    if done.wait(rng.expovariate(1 / args.kill_every)):
                        return
                    workers = [w for server in servers for w in workers_of(server.pid)]
                    if workers:
                        victim = rng.choice(workers)
                        try:
                            os.kill(victim, signal.SIGKILL)
                            kills.append(victim)
                        except ProcessLookupError:
                            pass

            chaos = threading.Thread(target=killer)
            chaos.start()
            try:
                with ThreadPoolExecutor(args.clients) as pool:
                    acknowledged = list(pool.map(client.submit, range(args.requests)))
            finally:
                done.set()
                chaos.join()
            elapsed = time.monotonic() - start
        finally:
            for server in servers:
                server.send_signal(signal.SIGTERM)
            for server in servers:
                try:
                    server.wait(20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()

        db = connect(args.database_url or home / "footprint.db")
        rows = db.execute("SELECT s.id, s.idempotency_key, s.bom_json FROM submissions s "
                          "JOIN users u ON u.id = s.created_by WHERE u.username = 'maker'"
                          ).fetchall()
        db.close()

    by_key: dict[str, list[tuple[int, str]]] = {}
    for sid, key, bom_json in rows:
        by_key.setdefault(key, []).append((sid, json.loads(bom_json)["product"]["name"]))
    lost = [(key, index, sid) for key, index, sid in acknowledged
            if (sid, f"crash test part {index}") not in by_key.get(key, [])]
    duplicated = [key for key, found in by_key.items() if len(found) > 1]
    sent_keys = {key for key, _, _ in acknowledged}
    stray = [key for key in by_key if key not in sent_keys]
    found = sum(len(found) for key, found in by_key.items() if key in sent_keys)
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"crash test on {engine}: {args.hosts} x footprint serve, {args.workers} gunicorn "
          f"workers each, {args.clients} concurrent clients, SIGKILL of a random worker every "
          f"~{args.kill_every} s for {args.deadline:.0f} s at most")
    print(f"requests {args.requests}, kills {len(kills)}, retries {client.retries}, "
          f"acknowledged {len(acknowledged)} ({client.replayed} by a retry that found the "
          f"killed attempt's commit), found {found}, lost {len(lost)}, duplicated "
          f"{len(duplicated)}, elapsed {elapsed:.1f} s")
    if stray:  # the warm-up's own submission, sent before the run
        print(f"(plus {len(stray)} submission(s) of the warm-up)")
    ok = (len(acknowledged) == args.requests and not lost and not duplicated
          and found == args.requests)
    print("OK: nothing acknowledged was lost, nothing duplicated" if ok else
          f"FAILED: lost {lost[:5]}, duplicated {duplicated[:5]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
