"""PACT host benchmark: a page of ListFootprints and a GetFootprint on a platform with many
issued labels, against a minimal Flask app answering a page of the same size, and against
reading every label to answer one page (the naive host), side by side in one run.

    .venv/bin/python benchmarks/pact.py [--labels 100000] [--rounds 20] [--dir DIR]

The demo's labels are issued for real (footprint.usecases.demo); the rest are copies of
them written straight into the labels table with new ids and later issue times, each with
its issue leaf in the log, so the queries run on tables of the size asked for. (The copies
share their originals' submissions, so the index allowing one current label per submission
is dropped in this throw-away database.) Requests go through Flask's test client
(no network), with a real PACT client's bearer token.
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask, jsonify

from footprint.engine import Engine
from footprint.identifiers import pact_footprint_id
from footprint.store import database_path, transaction
from footprint.store import log as stored_log
from footprint.store.migrations import migrate
from footprint.translog import TransparencyLog, merkle
from footprint.usecases import pact, pactclients
from footprint.usecases.database import connect
from footprint.usecases.demo import seed
from web import create_app

HTTPS = "https://pact.benchmark"


def fill(db, n: int) -> list[str]:
    """Copy the demo's labels until there are ``n``; the ids of all."""
    originals = list(db.query("SELECT * FROM labels WHERE superseded_by IS NULL AND "
                              "revoked_at IS NULL ORDER BY issued_at"))
    columns = list(originals[0])
    made = len(list(db.query("SELECT id FROM labels")))
    db.execute("DROP INDEX labels_submission")
    with transaction(db):
        size = TransparencyLog(db).size()
        while made < n:
            source = originals[made % len(originals)]
            row = dict(source, id=f"CN-SC-B{made:012d}",
                       issued_at=f"2027-01-01T00:00:00.{made:06d}+00:00",
                       supersedes=None, superseded_by=None, log_index=size)
            db.execute(f"INSERT INTO labels ({', '.join(columns)}) VALUES "
                       f"({', '.join('?' * len(columns))})", [row[c] for c in columns])
            cose = bytes(source["cose"])
            stored_log.insert_leaf(db, size, "issue", row["id"], cose, merkle.leaf_hash(cose))
            made, size = made + 1, size + 1
    return [row[0] for row in db.execute("SELECT id FROM labels")]


def timed(call, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def minimal_app(page: list[dict]) -> Flask:
    app = Flask("minimal")

    @app.get("/3/footprints")
    def footprints():
        return jsonify({"data": page})
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="pact-bench-", dir=args.dir))
    db = connect(database_path(home))
    migrate(db)
    engine = Engine(home=home)
    seed(db, engine, home)
    ids = fill(db, args.labels)
    client_info, secret = pactclients.create_client(db, "benchmark")
    app = create_app({"FOOTPRINT_HOME": str(home)})
    app.extensions["footprint_engine"] = engine
    web = app.test_client()
    import base64
    basic = base64.b64encode(f"{client_info['client_id']}:{secret}".encode()).decode()
    token = web.post(f"{HTTPS}/auth/token", data={"grant_type": "client_credentials"},
                     headers={"Authorization": f"Basic {basic}"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def get(path):
        answer = web.get(f"{HTTPS}{path}", headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        return answer.get_json()

    first = get("/3/footprints?limit=100")["data"]
    product = first[-1]["productIds"][-1]  # the platform's own product URN
    deep = len(ids) // 2
    some = pact_footprint_id(ids[deep])
    get(f"/3/footprints/{some}")  # the id map is built once per process, not per request
    minimal = minimal_app(first).test_client()
    client = pact.stored.client_by_client_id(db, client_info["client_id"])

    def naive_page():  # every label read and matched, then the page cut: the naive host
        found = pact._identities(db, list(pact.stored.label_rows(db)))
        found = [t for t in found if pact._matches(t[2], pact.Filters())]
        pact._built(db, found[:100], "CN-SC", HTTPS)

    cases = {
        "minimal Flask app, a page of 100": lambda: minimal.get("/3/footprints"),
        "ListFootprints, first page of 100": lambda: get("/3/footprints?limit=100"),
        f"ListFootprints, page at offset {deep:,}":
            lambda: get(f"/3/footprints?limit=100&offset={deep}"),
        "ListFootprints, productId filter, first page":
            lambda: get(f"/3/footprints?limit=100&productId={product}"),
        "GetFootprint by id": lambda: get(f"/3/footprints/{some}"),
        "naive host: every label read for one page": naive_page,
    }
    rounds = {name: (3 if name.startswith("naive") else args.rounds) for name in cases}
    medians = {name: timed(call, rounds[name]) for name, call in cases.items()}
    base = medians["minimal Flask app, a page of 100"]
    print(f"{len(ids):,} labels; medians of {args.rounds} rounds (3 for the naive host)")
    for name, seconds in medians.items():
        print(f"  {name:48s} {seconds * 1000:9.1f} ms   {seconds / base:8.1f}x minimal")
    print(f"  first page against the naive host: "
          f"{medians['naive host: every label read for one page'] / medians['ListFootprints, first page of 100']:.0f}x faster")


if __name__ == "__main__":
    main()
