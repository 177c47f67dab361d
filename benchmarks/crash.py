"""Crash test: a real `footprint serve` (gunicorn, several workers) takes concurrent API
submissions while its workers are killed with SIGKILL; every request is retried with its
Idempotency-Key until it is acknowledged. Then the database must hold every acknowledged
submission exactly once, under its key, with the body that was sent: nothing lost, nothing
duplicated.

    .venv/bin/python benchmarks/crash.py [--requests 600] [--clients 8] [--workers 3]
                                         [--kill-every 0.5] [--deadline 30]
                                         [--database-url postgresql://...] [--hosts 2]
                                         [--workflow]

With --database-url the service runs on that PostgreSQL database (empty; it is migrated
here), and --hosts starts that many `footprint serve` on one database, each on its own port
with a FOOTPRINT_HOME of its own and the keys in one shared FOOTPRINT_KEYS_DIR, as
application hosts behind a balancer: a request's retries go to the next host, so its
Idempotency-Key must hold across hosts.

With --workflow each request is a whole workflow instead of one submission: the producer
creates it, submits it, the accounting body verifies it, the platform's reviewer approves it
(the label is signed and logged), every third label is revoked, and the label is scanned;
each step through the next host, retried on the next when a worker dies under it (a retry
that finds its step done by the killed attempt, 409, reads the submission or label to see
that it was). Afterwards the log must be one sequence without gap, every acknowledged
issuance and revocation a leaf of it exactly once, no submission with two labels, the
log's root the one in each host's signed checkpoint, and every label verify against the
trust list each host publishes (the same on every host).

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


class Refused(Exception):
    """A step answered 409: the state is not the one the step starts from."""


def call(bases: list[str], index: int, method: str, path: str, token: str | None,
         deadline: float, body: dict | None = None) -> tuple[int, object]:
    """One request, sent to the next host after each failure (a dead worker, a 5xx) until
    one answers; (status, body: JSON, or text for a page). Refused on 409; other 4xx end the
    run."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        base = bases[(index + attempt) % len(bases)]
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"{base}{path}", data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                kind = response.headers.get("Content-Type", "")
                return response.status, json.loads(raw) if "json" in kind else raw.decode()
        except urllib.error.HTTPError as exc:
            if exc.code == 409:
                raise Refused(exc.read().decode(errors="replace")) from None
            if exc.code < 500:
                raise SystemExit(f"{method} {path} refused: {exc.code} {exc.read()!r}")
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
            pass  # the worker died under it: the next host
        time.sleep(min(0.05 * attempt, 0.5))
    raise TimeoutError(f"{method} {path} was never answered")


CHECKLIST = ["activity_data", "factors", "boundary"]
VERIFIER_ORG = "Crash Test Verification"


class Chain:
    """A submission taken through the whole workflow, each step on the next host."""

    def __init__(self, bases: list[str], tokens: dict[str, str], bom: dict, deadline: float):
        self.bases, self.tokens, self.deadline = bases, tokens, deadline
        self.submitter = Client(bases, tokens["maker"], bom, deadline)
        self.found_done = 0  # steps a retry found done by the attempt a kill cut off
        self.lock = threading.Lock()

    def _step(self, index: int, who: str, path: str, body: dict | None, done) -> object:
        """POST a step; on 409, ``done()`` says whether a killed attempt carried it out."""
        try:
            return call(self.bases, index, "POST", path, self.tokens[who], self.deadline,
                        body)[1]
        except Refused as refused:
            answer = done()
            if answer is None:
                raise SystemExit(f"{path}: 409 and not done: {refused}") from None
            with self.lock:
                self.found_done += 1
            return answer

    def _submission(self, index: int, sid: int) -> dict:
        return call(self.bases, index, "GET", f"/api/v1/submissions/{sid}",
                    self.tokens["approver"], self.deadline)[1]

    def _label(self, index: int, label_id: str) -> dict:
        return call(self.bases, index, "GET", f"/api/v1/labels/{label_id}", None,
                    self.deadline)[1]

    def run(self, index: int) -> dict:
        key, _, sid = self.submitter.submit(index)
        base = f"/api/v1/submissions/{sid}"

        def reached(*statuses):
            def check():
                found = self._submission(index, sid)
                return found if found["status"] in statuses else None
            return check

        self._step(index, "maker", f"{base}/submit", {"verifier_org": VERIFIER_ORG},
                   reached("submitted", "verified", "issued"))
        self._step(index, "checker", f"{base}/verify", {"checklist": CHECKLIST},
                   reached("verified", "issued"))
        approved = self._step(index, "approver", f"{base}/approve", None, reached("issued"))
        label_id = approved["label_id"]
        revoked = index % 3 == 0
        if revoked:
            def is_revoked():
                found = self._label(index, label_id)
                return found if found["status"] == "revoked" else None
            self._step(index, "approver", f"/api/v1/labels/{label_id}/revoke",
                       {"reason": "crash test: revoked on purpose"}, is_revoked)
        label = self._label(index, label_id)
        scan = "/L/" + label["url"].split("/L/", 1)[1]
        status, page = call(self.bases, index + 1, "GET", scan, None, self.deadline)
        if status != 200 or label_id not in page:
            raise SystemExit(f"the scan of {label_id} answered {status} without the label")
        return {"key": key, "index": index, "submission": sid, "label": label_id,
                "revoked": revoked, "status": label["status"]}


def check_workflow(db, chains: list[dict], bases: list[str]) -> list[str]:
    """Everything wrong with the log and the labels after the run (empty: all is well)."""
    from footprint.labels import cose
    from footprint.labels.trust import parse_trust_list
    from footprint.translog.checkpoint import verify_checkpoint
    from footprint.translog.monitor import LogRewritten, verify_log

    problems = []
    indexes = [row[0] for row in db.execute("SELECT idx FROM log_entries ORDER BY idx")]
    if indexes != list(range(len(indexes))):
        problems.append(f"the log's indexes have a gap or a repeat: {indexes[:10]} ...")
    try:
        report = verify_log(db, record=False)  # every leaf against the labels, the subtrees
    except LogRewritten as exc:
        return problems + [f"the log does not verify: {exc}"]
    leaves: dict[tuple[str, str], int] = {}
    for kind, label_id in db.execute("SELECT kind, label_id FROM log_entries"):
        leaves[kind, label_id] = leaves.get((kind, label_id), 0) + 1
    for chain in chains:
        issued = leaves.get(("issue", chain["label"]), 0)
        revoked = leaves.get(("revoke", chain["label"]), 0)
        if issued != 1 or revoked != int(chain["revoked"]):
            problems.append(f"label {chain['label']}: {issued} issue and {revoked} revoke "
                            f"leaves, expected 1 and {int(chain['revoked'])}")
        if chain["status"] != ("revoked" if chain["revoked"] else "valid"):
            problems.append(f"label {chain['label']} reads {chain['status']}")
    twice = db.execute("SELECT submission_id FROM labels GROUP BY submission_id "
                       "HAVING count(*) > 1").fetchall()
    if twice:
        problems.append(f"submissions with two labels: {[r[0] for r in twice][:10]}")
    published = {json.dumps(call([base], 0, "GET", "/.well-known/footprint/trust-list.json",
                                 None, time.monotonic() + 30)[1], sort_keys=True)
                 for base in bases}
    if len(published) != 1:
        problems.append("the hosts publish different trust lists")
    trust = parse_trust_list(json.loads(next(iter(published))))
    for base in bases:
        note = call([base], 0, "GET", "/log/checkpoint", None, time.monotonic() + 30)[1]
        signed = [e for e in trust.entries if e.id == "CN-SC"]
        checked = None
        for entry in signed:
            try:
                checked = verify_checkpoint(note, "CN-SC", entry.public_key)
                break
            except Exception:  # noqa: BLE001 (another key of the issuer: try the next)
                continue
        if checked != (report.size, report.root):
            problems.append(f"{base}'s checkpoint {checked} is not the log's "
                            f"({report.size}, {report.root.hex()})")
    for label_id, cose_bytes in db.execute("SELECT id, cose FROM labels"):
        try:
            cose.verify(bytes(cose_bytes), trust)
        except Exception as exc:  # noqa: BLE001 (each label's reason is reported)
            problems.append(f"label {label_id} does not verify: {exc}")
    return problems


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
    parser.add_argument("--workflow", action="store_true",
                        help="each request a whole workflow: create, submit, verify, approve "
                             "(a label), revoke every third, scan")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bom = json.loads(SAMPLE.read_text(encoding="utf-8"))

    with tempfile.TemporaryDirectory(prefix="footprint-crash-") as folder:
        # on PostgreSQL each host has a home of its own and the keys are shared, as a
        # platform deploys it (docs/deployment.md); SQLite's database is in the one home
        shared = bool(args.database_url)
        homes = [Path(folder) / f"host-{i}" for i in range(args.hosts)] if shared \
            else [Path(folder)]
        envs = []
        for home in homes:
            env = {**os.environ, "FOOTPRINT_HOME": str(home)}
            env.pop("FOOTPRINT_DATABASE_URL", None)
            env.pop("FOOTPRINT_KEYS_DIR", None)
            env.pop("FOOTPRINT_SECRET_KEY", None)
            if shared:
                env["FOOTPRINT_DATABASE_URL"] = args.database_url
                env["FOOTPRINT_KEYS_DIR"] = str(Path(folder) / "shared-keys")
            envs.append(env)
        env = envs[0]
        run(["db", "migrate"], env)
        people = [("maker", "producer", "Crash Test Works")]
        if args.workflow:
            people += [("checker", "verifier", VERIFIER_ORG),
                       ("approver", "reviewer", "Crash Test Platform")]
        tokens = {}
        for name, role, org in people:
            run(["users", "add", name, "--role", role, "--org", org, "--new-org"], env,
                stdin="crash test password\n")
            tokens[name] = run(["tokens", "create", name], env).strip()
        token = tokens["maker"]
        if args.workflow:
            category = bom["product"]["category"]
            run(["bodies", "qualify", VERIFIER_ORG, "--number", "CT-0001", "--categories",
                 category, "--from", "2000-01-01", "--until", "2099-12-31"], env)
            run(["keys", "generate", "--issuer", "CN-SC", "--name", "Crash test platform"], env)
        # each host's Brightway build, side by side, before the clock starts
        builds = [subprocess.Popen([FOOTPRINT, "calc", str(SAMPLE)], env=host_env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                  for host_env in envs]
        for build in builds:
            if build.wait() != 0:
                raise SystemExit(f"footprint calc failed: {build.stderr.read()!r}")
        bases, servers = [], []
        for i in range(args.hosts):
            port = free_port()
            bases.append(f"http://127.0.0.1:{port}")
            servers.append(subprocess.Popen(
                [FOOTPRINT, "serve", "--port", str(port), "--workers", str(args.workers)],
                env=envs[i % len(envs)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        try:
            for base in bases:
                wait_until_up(base, token, bom, 60)
            start = time.monotonic()
            client = Client(bases, token, bom, start + 2 * args.deadline)
            chain = Chain(bases, tokens, bom, start + 2 * args.deadline) if args.workflow \
                else None
            if chain is not None:
                client = chain.submitter  # its counts are the submissions'
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
                    if chain is not None:
                        chains = list(pool.map(chain.run, range(args.requests)))
                        acknowledged = [(c["key"], c["index"], c["submission"]) for c in chains]
                    else:
                        acknowledged = list(pool.map(client.submit, range(args.requests)))
            finally:
                done.set()
                chaos.join()
            elapsed = time.monotonic() - start
            db = connect(args.database_url or homes[0] / "footprint.db")
            rows = db.execute("SELECT s.id, s.idempotency_key, s.bom_json FROM submissions s "
                              "JOIN users u ON u.id = s.created_by WHERE u.username = 'maker'"
                              ).fetchall()
            problems = check_workflow(db, chains, bases) if chain is not None else []
            db.close()
        finally:
            for server in servers:
                server.send_signal(signal.SIGTERM)
            for server in servers:
                try:
                    server.wait(20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()

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
    if chain is not None:
        revoked = sum(c["revoked"] for c in chains)
        print(f"workflow: {len(chains)} labels issued through {args.hosts} host(s), "
              f"{revoked} revoked, {len(chains)} scanned; {chain.found_done} steps found done "
              f"by a killed attempt; log checked: {'OK' if not problems else 'FAILED'}")
        for problem in problems[:20]:
            print(f"  {problem}")
        ok = ok and not problems
    print("OK: nothing acknowledged was lost, nothing duplicated" if ok else
          f"FAILED: lost {lost[:5]}, duplicated {duplicated[:5]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
