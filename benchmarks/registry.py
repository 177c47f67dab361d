"""The public registry on 100,000 labels: its queries and pages, side by side with a minimal
Flask page on the same machine.

    .venv/bin/python benchmarks/registry.py [--labels 100000] [--rounds 30] [--dir DIR]

A temporary FOOTPRINT_HOME in DIR is filled straight into the tables (organisations,
products, submissions, labels: one transaction, executemany; the registry's triggers keep
its read model as they do in service): 100,000 labels of 2,000 producers verified by 8
accounting bodies across 6 regions and 4 categories, with Chinese and English names, one
product in four re-issued (so superseded labels), 2 % revoked and some expired. The Pujiang
orange (蒲江柑橘) is among the first labels, so a search for it must reach the oldest rows.

Each round requests every page once through Flask's test client (the whole app: routing,
the use case, SQL, Jinja) and runs the store's queries alone; p50 and p95 in milliseconds are
printed, each beside a minimal Flask app's page (a template with one variable) measured in
the same rounds, as a ratio. Nothing is assumed: run it on the machine you care about.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import Flask, render_template_string

from footprint import clock
from footprint.labels import generate
from footprint.store import database_path
from footprint.store import registry as stored
from footprint.store.migrations import migrate
from footprint.store.registry import Filters
from footprint.usecases import benchmarks, opendata
from footprint.usecases.database import connect

REGIONS = ("CN-SC", "CN-CQ", "CN-GS", "CN-QH", "CN-XZ", "CN-SD")
CATEGORIES = {"oranges": "kg", "batteries": "kWh", "steel_vanadium": "t", "generic": "kg"}
WORDS_ZH = ("蒙顶", "绿茶", "花椒", "牦牛", "奶粉", "钢轨", "电池包", "火锅", "底料", "腊肉",
            "竹笋", "猕猴桃", "青稞", "枸杞", "白酒", "菜籽油")
WORDS_EN = ("green", "tea", "pepper", "yak", "milk", "rail", "pack", "hotpot", "base",
            "bacon", "bamboo", "kiwi", "barley", "goji", "liquor", "oil")


def fill(db, count: int, seed: int = 7) -> None:
    """``count`` labels, straight into the tables in one transaction."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = clock.stamp(now)
    db.execute("BEGIN")
    db.execute("INSERT INTO organisations (id, name, kind, region, created_at) VALUES "
               "(1, 'Platform', 'platform', 'CN-SC', ?)", [stamp])
    bodies = list(range(2, 10))
    db.conn.executemany("INSERT INTO organisations (id, name, kind, region, created_at) VALUES "
                   "(?, ?, 'accounting_body', 'CN-SC', ?)",
                   [(i, f"核算机构 {i} Accounting Body {i}", stamp) for i in bodies])
    producers = list(range(10, 2010))
    db.conn.executemany("INSERT INTO organisations (id, name, kind, region, created_at) VALUES "
                   "(?, ?, 'enterprise', ?, ?)",
                   [(i, f"企业{i} Enterprise {i} Co.", rng.choice(REGIONS), stamp)
                    for i in producers])
    db.execute("INSERT INTO users (id, username, display_name, role, org_id, password_hash, "
               "created_at) VALUES (1, 'bench', 'bench', 'reviewer', 1, 'x', ?)", [stamp])
    products, submissions, labels = [], [], []
    product_count = int(count * 0.8)  # one product in four re-issued once
    for pid in range(1, product_count + 1):
        org = rng.choice(producers)
        category = rng.choice(list(CATEGORIES))
        if pid == 3:
            zh, en, category = "蒲江柑橘(不知火/春见), 果园门口", \
                "Citrus (Buzhihuo/Chunjian), Pujiang orchard", "oranges"
        else:
            zh = "".join(rng.sample(WORDS_ZH, 2))
            en = " ".join(rng.sample(WORDS_EN, 2))
        gtin = f"{6900000000000 + pid:014d}" if pid % 3 == 0 else None
        products.append((pid, org, en, zh, category, gtin, stamp))
    issued = []  # (product, its labels in order)
    for pid in range(1, product_count + 1):
        issued.append(pid)
    issued += rng.sample(range(1, product_count + 1), count - product_count)
    last_label: dict[int, str] = {}
    start = now - timedelta(days=720)
    for n, pid in enumerate(issued, start=1):
        _, org, en, zh, category, gtin, _ = products[pid - 1]
        at = start + timedelta(seconds=int(n * 720 * 86400 / len(issued)))
        label_id = f"CN-SC-B{n:012d}"
        value = rng.lognormvariate(0, 0.6) * {"oranges": 0.2, "batteries": 80,
                                              "steel_vanadium": 2000, "generic": 10}[category]
        record = {"product_name_zh": zh, "product_name_en": en,
                  "producer_name": f"企业{org} Enterprise {org} Co.",
                  "verifier": (body := rng.choice(bodies)),
                  "verifier_name": f"核算机构 {body} Accounting Body {body}",
                  "category": category, "region": rng.choice(REGIONS),
                  "declared_unit": {"amount": 1, "unit": CATEGORIES[category]},
                  "value": value, "grade": rng.choice("ABCDE")}
        submissions.append((n, pid, org, "issued", "{}", body, 1, stamp, stamp))
        labels.append([label_id, n, pid, b"kid", b"cose",
                       json.dumps(record, ensure_ascii=False), clock.stamp(at),
                       clock.stamp(at + timedelta(days=365)), last_label.get(pid), n - 1])
        last_label[pid] = label_id
    db.conn.executemany("INSERT INTO products (id, org_id, name, name_zh, category, gtin, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", products)
    db.conn.executemany("INSERT INTO submissions (id, product_id, org_id, status, bom_json, "
                   "verifier_org_id, created_by, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", submissions)
    db.conn.executemany("INSERT INTO labels (id, submission_id, product_id, issuer, kid, cose, "
                   "claims_json, issued_at, expires_at, supersedes, log_index) "
                   "VALUES (?, ?, ?, 'CN-SC', ?, ?, ?, ?, ?, ?, ?)", labels)
    db.conn.executemany("UPDATE labels SET superseded_by = ? WHERE id = ?",
                   [(row[0], row[8]) for row in labels if row[8]])
    revoked = rng.sample(labels, count // 50)
    db.conn.executemany("UPDATE labels SET revoked_at = ?, revocation_reason = ? WHERE id = ?",
                   [(stamp, "虚报数据 falsified data", row[0]) for row in revoked])
    db.execute("COMMIT")


def minimal_app() -> Flask:
    app = Flask("minimal")

    @app.route("/")
    def index():
        return render_template_string("<!doctype html><title>{{ t }}</title><p>{{ t }}</p>",
                                      t="hello")
    return app


def timed(function, rounds: int) -> list[float]:
    function()  # warm: first compile of a template, first read of the pages
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="registry-bench-", dir=args.dir))
    db = connect(database_path(home))
    migrate(db)
    began = time.perf_counter()
    fill(db, args.labels)
    print(f"filled {args.labels:,} labels in {time.perf_counter() - began:.1f} s ({home})")
    generate(home, "CN-SC", "Benchmark platform", "CN-SC")

    from web import create_app  # noqa: PLC0415 - after FOOTPRINT_HOME is filled
    app = create_app({"FOOTPRINT_HOME": str(home), "TESTING": True})
    client = app.test_client()
    bare = minimal_app().test_client()
    oldest_seq = 40  # the last page of an unfiltered walk
    now = clock.stamp()

    def get(url):
        def request():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            response.close()
        return request

    def query(filters: Filters, before=None):
        return lambda: stored.page(db, filters, now, before, 51)

    cases = [
        ("minimal Flask page", lambda: bare.get("/").close()),
        ("page /registry (newest 50)", get("/registry")),
        ("page ?q=橙 (category word + 1-char scan)", get("/registry?q=橙")),
        ("page ?q=不知火 (trigram index)", get("/registry?q=不知火")),
        ("page ?q=tea green (2 words)", get("/registry?q=tea+green")),
        ("page ?region=CN-CQ", get("/registry?region=CN-CQ")),
        ("page ?category=batteries&state=valid", get("/registry?category=batteries&state=valid")),
        ("page ?state=revoked", get("/registry?state=revoked")),
        ("page ?grade=A&region=CN-SC", get("/registry?grade=A&region=CN-SC")),
        (f"page ?before={oldest_seq} (last page)", get(f"/registry?before={oldest_seq}")),
        ("page /registry/products/3", get("/registry/products/3")),
        ("page /registry/organisations/10", get("/registry/organisations/10")),
        ("page /registry/benchmarks", get("/registry/benchmarks")),
        ("query: newest 50", query(Filters())),
        ("query: 橙", query(Filters(terms=("橙",), term_categories=(("oranges",),)))),
        ("query: 蒲江 (2-char scan)", query(Filters(terms=("蒲江",)))),
        ("query: 不知火 (trigram)", query(Filters(terms=("不知火",)))),
        ("query: state=expired", query(Filters(state="expired"))),
        ("query: org=10", query(Filters(org_id=10))),
        ("query: benchmarks (kept for the minute)", lambda: benchmarks.distributions(db)),
        ("query: benchmark values read again", lambda: list(stored.current_values(db, now))),
    ]
    results = {name: timed(function, args.rounds) for name, function in cases}
    base = statistics.median(results["minimal Flask page"])
    print(f"\n{args.rounds} rounds each; ratio = p50 / the minimal Flask page's p50 "
          f"({base:.2f} ms)\n")
    print(f"{'':48} {'p50 ms':>9} {'p95 ms':>9} {'ratio':>8}")
    for name, times in results.items():
        p50 = statistics.median(times)
        print(f"{name:48} {p50:9.2f} {p95(times):9.2f} {p50 / base:8.1f}")
    out = home / "export"
    out.mkdir()
    began = time.perf_counter()
    manifest = opendata.export(db, home, str(out))
    sizes = ", ".join(f"{f['name']} {f['bytes'] / 1e6:.1f} MB" for f in manifest["files"])
    print(f"\nopen data of {manifest['labels']:,} labels written and signed in "
          f"{time.perf_counter() - began:.1f} s: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
