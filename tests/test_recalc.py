"""Batch recalculation: moving stored footprints from MEE-2022 to MEE-2023 factor data.

Factors (lca_data/electricity/cn_grid_co2_mee.csv, MEE announcements 2024 No. 33 and 2025
No. 47): Sichuan (CN-SC) 0.1404 kg CO2/kWh for 2022 and 0.1564 for 2023; Shandong (CN-SD)
0.6410 for 2022 and 0.6191 for 2023. A direct emission of 1 kg CO2_fossil is 1 kg CO2e.
"""
import csv
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from footprint.usecases import actions
from footprint.bom import parse_bom
from footprint.engine import Engine
from footprint.labels import export_trust_list, load_trust_list, verify
from footprint.labels.encoding import label_url
from footprint.recalc.keyed import KeptRows, KeyColumns, keyed_bom
from footprint.usecases.recalculation import Options, recalculate
from footprint.recalc import report
from footprint.store.db import SQLITE, dialect
from footprint.usecases import submissions as subs
from footprint.store.footprints import current_footprint
from footprint.usecases.labels import for_submission, get as get_label
from footprint.store.recalc_runs import Selection
from footprint.translog import TransparencyLog

ELECTRICITY = {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"}
DIRECT = {"emission": "CO2_fossil", "amount": 1, "unit": "kg", "stage": "raw_materials"}


pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL


@pytest.fixture(scope="session")
def engine_2022(footprint_home):
    return Engine(footprint_home, data_version="MEE-2022")


def bom(name, region="CN-SC", lines=(ELECTRICITY, DIRECT), **extra):
    return {"product": {"name": name, "category": "generic"},
            "declared_unit": {"amount": 1, "unit": "kg"}, "region": region,
            "lines": list(lines), **extra}


def submit(service, engine, body):
    """A draft submission calculated by ``engine``."""
    sub, _ = subs.create_submission(service.db, engine, service.people["orchard"], body)
    return sub["id"]


def run(service, engine, issuer=None, **options):
    return recalculate(service.db, Options(**options), engine.home, issuer=issuer)


def items(db, run_id):
    return {r["submission_id"]: r for r in
            db.query("SELECT * FROM recalc_items WHERE run_id = ?", [run_id])}


def test_a_sichuan_product_moves_exactly_as_the_factor_years_say(service, approve, issuer,
                                                                 engine_2022):
    sichuan = approve(bom("sichuan part"), issuer, engine_2022)["id"]
    pinned = approve(bom("pinned part", factor_year=2022), issuer, engine_2022)["id"]
    db = service.db
    # 100 kWh x 0.1404 + 1 kg CO2 = 14.04 + 1 = 15.04 kg CO2e under MEE-2022
    before = current_footprint(db, sichuan)
    assert before["total_kg_co2e"] == pytest.approx(15.04, rel=1e-6)
    assert before["data_version_name"] == "MEE-2022"
    old_label = for_submission(db, sichuan)
    pinned_label = for_submission(db, pinned)

    summary = run(service, engine_2022, issuer, to_version="MEE-2023", reissue=True)

    # 100 kWh x 0.1564 + 1 = 16.64 kg CO2e; the electricity line moved by 100 x 0.016 = 1.6
    after = current_footprint(db, sichuan)
    assert after["total_kg_co2e"] == pytest.approx(16.64, rel=1e-6)
    assert after["data_version_name"] == "MEE-2023"
    assert after["by_stage"]["production"] == pytest.approx(15.64, rel=1e-6)
    item = items(db, summary.run_id)[sichuan]
    assert item["status"] == "changed"
    assert item["from_total"] == pytest.approx(15.04, rel=1e-6)
    assert item["top_line"] == 0 and item["top_delta"] == pytest.approx(1.6, rel=1e-5)
    # the pinned product asks for 2022 factors, which MEE-2023 still publishes: unchanged,
    # and it keeps its label
    assert items(db, summary.run_id)[pinned]["status"] == "unchanged"
    assert current_footprint(db, pinned)["total_kg_co2e"] == pytest.approx(15.04, rel=1e-6)
    assert for_submission(db, pinned)["id"] == pinned_label["id"]
    assert get_label(db, pinned_label["id"])["superseded_by"] is None

    counts = summary.as_dict()
    assert (counts["count"], counts["changed"], counts["unchanged"], counts["failed"]) == \
        (2, 1, 1, 0)
    assert counts["reissued"] == 1
    # +1.6 / 15.04 = +10.638 %
    mover = summary.top_movers()[0]
    assert mover["submission"] == sichuan
    assert mover["change_pct"] == pytest.approx(1.6 / 15.04 * 100, rel=1e-5)
    summary.name_movers(db)
    assert summary.top_movers()[0]["input"] == "electricity (production)"
    assert counts["by_region"]["CN-SC"]["largest_change_pct"] == pytest.approx(
        1.6 / 15.04 * 100, rel=1e-5)

    # the re-issued label: signed, 16.6 (3 significant figures), linked back, logged
    new_label = for_submission(db, sichuan)
    assert new_label["id"] != old_label["id"]
    assert new_label["supersedes"] == old_label["id"]
    assert get_label(db, old_label["id"])["superseded_by"] == new_label["id"]
    trust = load_trust_list(export_trust_list(service.home))
    claims = verify(new_label["cose"], trust).claims
    assert str(claims["value"]) == "16.6" and claims["supersedes"] == old_label["id"]
    assert db["submissions"].get(sichuan)["status"] == "issued"
    log = TransparencyLog(db)
    kinds = [log.entry(i)["kind"] for i in range(log.size())]
    assert kinds[-2:] == ["issue", "supersede"]
    assert item["label_id"] == new_label["id"]
    trail = [e["action"] for e in subs.audit_trail(db, service.people["orchard"], sichuan)]
    assert trail[-1] == "reissue"

    # the scan page of the old label says it is superseded and links the new one
    page = service.app.test_client().get(
        "/" + label_url("footprint.example", old_label["cose"]).split("/", 3)[3])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and new_label["id"] in text

    # the same command again: everything already uses MEE-2023, nothing is issued twice
    again = run(service, engine_2022, issuer, to_version="MEE-2023", reissue=True)
    assert again.as_dict()["already_current"] == 2 and again.as_dict()["count"] == 0
    assert db.execute("SELECT count(*) FROM labels").fetchone()[0] == 3


def test_fast_path_agrees_with_a_full_calculation(service, engine_2022, engine):
    """Rows kept at submission, rescored under MEE-2023, equal a fresh full calculation."""
    body = bom("mixed", lines=[ELECTRICITY, DIRECT,
                               {"input": "electricity", "amount": 30, "unit": "kWh",
                                "stage": "raw_materials", "region": "CN-SD"},
                               {"input": "diesel", "amount": 2, "unit": "kg",
                                "stage": "distribution"},
                               {"input": "electricity", "amount": 10, "unit": "kWh",
                                "stage": "production", "year": 2021}])
    sid = submit(service, engine_2022, body)
    run(service, engine_2022, to_version="MEE-2023")
    full = engine.calculate(parse_bom(body))
    assert current_footprint(service.db, sid)["total_kg_co2e"] == pytest.approx(
        full["total_kg_co2e"], rel=1e-12)
    # by hand: 100 x 0.1564 + 1 + 30 x 0.6191 (CN-SD 2023) + 2 x 3.1863 + 10 x 0.1255 (2021)
    #        = 15.64 + 1 + 18.573 + 6.3726 + 1.255 = 42.8406
    assert full["total_kg_co2e"] == pytest.approx(42.8406, rel=1e-6)
    # the range is drawn again with the new kg CO2e, from the same streams as the engine's
    moved = current_footprint(service.db, sid)
    spread = full["uncertainty"]
    assert (moved["p5"], moved["p50"], moved["p95"]) == pytest.approx(
        (spread["p5"], spread["p50"], spread["p95"]), rel=1e-9)
    assert moved["p5"] < moved["total_kg_co2e"] < moved["p95"]


def test_rows_kept_without_sigmas_are_compiled_again_for_the_range(service, engine_2022,
                                                                   engine):
    """A revision kept before migration 8 has rows but no sigmas: the run compiles it again
    once, so it gets its range and keeps its sigmas for the next run."""
    sid = submit(service, engine_2022, bom("kept before"))
    service.db.execute("UPDATE compiled_boms SET spread = NULL WHERE submission_id = ?", [sid])
    service.db.execute("UPDATE footprints SET p5 = NULL, p50 = NULL, p95 = NULL "
                       "WHERE submission_id = ?", [sid])
    run(service, engine_2022, to_version="MEE-2023")
    after = current_footprint(service.db, sid)
    full = engine.calculate(parse_bom(bom("kept before")))  # 16.64 kg CO2e under MEE-2023
    assert after["p5"] == pytest.approx(full["uncertainty"]["p5"], rel=1e-9)
    assert after["p95"] == pytest.approx(full["uncertainty"]["p95"], rel=1e-9)
    assert service.db.execute("SELECT count(*) FROM compiled_boms WHERE submission_id = ? AND "
                              "spread IS NOT NULL", [sid]).fetchone()[0] == 1


def test_without_ranges_a_moved_footprint_keeps_no_stale_range(service, engine_2022):
    sid = submit(service, engine_2022, bom("no range"))
    before = current_footprint(service.db, sid)
    assert before["p5"] < before["total_kg_co2e"] < before["p95"]
    summary = run(service, engine_2022, to_version="MEE-2023", ranges=False)
    after = current_footprint(service.db, sid)
    assert after["total_kg_co2e"] > before["total_kg_co2e"]  # 16.64 > 15.04
    assert (after["p5"], after["p50"], after["p95"]) == (None, None, None)
    assert summary.ranges == 0


def recalc_benchmark():
    """benchmarks/recalc.py as a module: its realistic BOMs and sub-assemblies."""
    spec = importlib.util.spec_from_file_location(
        "bench_recalc", Path(__file__).resolve().parent.parent / "benchmarks/recalc.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_kept_rows_score_exactly_as_the_engine_does(engine):
    """Rows kept with stable keys, scored by the recalculation, give the engine's figures for
    the same BOMs to the last bit: sub-assemblies (with lines outside their own boundary),
    end-of-life lines outside the product's boundary, direct emissions."""
    bench = recalc_benchmark()
    products = bench.DictProducts(bench.sub_assembly_boms(engine.registry))
    resolved = [engine.resolve(parse_bom(b), products)
                for b in bench.realistic_boms(engine.registry, 60, seed=5)]
    assert sum(any(rl.sub for rl in r.lines) for r in resolved) > 3
    keyed = [keyed_bom(r) for r in resolved]
    ids = {key: i for i, key in enumerate(sorted({k for kb in keyed for _, _, k, _ in kb.rows}))}
    kept = KeptRows([kb.packed(ids) for kb in keyed], [kb.n_lines for kb in keyed],
                    [kb.boundary for kb in keyed])
    columns = KeyColumns(engine)
    assert (columns.update({i: key for key, i in ids.items()}) >= 0).all()
    total, by_stage = kept.totals(kept.co2e(columns.unit(engine.inventory.factors["ar6"])))
    expected = engine.score_many(resolved, "ar6")
    assert np.array_equal(total, expected.total)
    assert np.array_equal(by_stage, expected.by_stage)
    assert not np.array_equal(total, by_stage.sum(axis=1))  # some stages are outside


def test_kept_sigmas_draw_the_engines_ranges(engine):
    """Ranges drawn from kept rows and sigmas equal the engine's, sub-assemblies and lines
    outside the boundary included: the same lines, sigmas and named streams."""
    from footprint.recalc.chunk import _draw_ranges
    bench = recalc_benchmark()
    products = bench.DictProducts(bench.sub_assembly_boms(engine.registry))
    resolved = [engine.resolve(parse_bom(b), products)
                for b in bench.realistic_boms(engine.registry, 20, seed=7)]
    results = engine.calculate_many(resolved)
    keyed = [keyed_bom(r, result, engine.registry) for r, result in zip(resolved, results)]
    names = sorted({k for kb in keyed for k in kb.keys})
    ids = {key: i + 1 for i, key in enumerate(names)}
    kept = KeptRows([kb.packed(ids) for kb in keyed], [kb.n_lines for kb in keyed],
                    [kb.boundary for kb in keyed])
    columns = KeyColumns(engine)
    columns.update({i: key for key, i in ids.items()})
    co2e = kept.co2e(columns.unit(engine.inventory.factors["ar6"]))
    drawn = np.full((len(keyed), 3), np.nan)
    spreads = np.array([kb.packed_spread(ids) for kb in keyed], dtype=object)
    _draw_ranges(kept, co2e, spreads, np.ones(len(keyed), dtype=bool),
                 {i: key for key, i in ids.items()}, columns, drawn)
    expected = np.array([[r["uncertainty"][p] for p in ("p5", "p50", "p95")]
                         for r in results])
    assert np.allclose(drawn, expected, rtol=1e-12, atol=0)

def test_selection_dry_run_and_report(service, engine_2022, tmp_path):
    db = service.db
    sichuan = submit(service, engine_2022, bom("sichuan part"))
    shandong = submit(service, engine_2022, bom("shandong part", region="CN-SD"))
    before = {sid: current_footprint(db, sid) for sid in (sichuan, shandong)}

    dry = run(service, engine_2022, to_version="MEE-2023", dry_run=True,
              selection=Selection(region="CN-SD"))
    assert dry.run_id is None and dry.as_dict()["count"] == 1
    assert dry.as_dict()["changed"] == 1
    # 100 x (0.6191 - 0.6410) = -2.19 kg CO2e on 100 x 0.6410 + 1 = 65.1
    assert dry.top_movers()[0]["change_pct"] == pytest.approx(-2.19 / 65.1 * 100, rel=1e-5)
    assert {sid: current_footprint(db, sid) for sid in (sichuan, shandong)} == before
    assert db.execute("SELECT count(*) FROM recalc_runs").fetchone()[0] == 0
    path = tmp_path / "dry.csv"
    report.write(db, dry, path)
    with path.open(encoding="utf-8") as report_file:
        rows = list(csv.DictReader(report_file))
    assert [r["submission"] for r in rows] == [str(shandong)]
    assert rows[0]["from_version"] == "MEE-2022" and rows[0]["to_version"] == "MEE-2023"
    assert float(rows[0]["to_kg_co2e"]) == pytest.approx(62.91, rel=1e-6)  # 65.1 - 2.19
    assert rows[0]["moved_by"] == "electricity (production)"

    done = run(service, engine_2022, to_version="MEE-2023")
    path = tmp_path / "run.json"
    report.write(db, done, path)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["summary"]["changed"] == 2
    assert {p["submission"]: p["status"] for p in written["products"]} == \
        {sichuan: "changed", shandong: "changed"}
    with pytest.raises(Exception, match=r"\.csv or \.json"):
        report.write(db, done, tmp_path / "run.txt")


def test_the_same_command_again_keeps_the_report_of_the_run_that_did_the_work(
        service, engine_2022, run, monkeypatch, tmp_path):
    """Run once more after the run is done, `footprint recalc --report FILE` has nothing left
    to do: it refuses FILE (the first run's report) before any work, and replaces it only
    with --replace-report."""
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    db = service.db
    first, second = (submit(service, engine_2022, bom(f"part {i}")) for i in range(2))
    path = tmp_path / "recalc.csv"
    command = ("recalc", "--to-version", "MEE-2023", "--no-progress", "--report", path)
    done = run(*command)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"report: 2 products in {path}"
    written = path.read_bytes()
    rows = list(csv.DictReader(written.decode("utf-8").splitlines()))
    # 100 kWh x 0.1564 + 1 kg CO2 = 16.64 kg CO2e under MEE-2023
    assert [(int(r["submission"]), r["status"]) for r in rows] == \
        [(first, "changed"), (second, "changed")]
    assert [float(r["to_kg_co2e"]) for r in rows] == pytest.approx([16.64, 16.64], rel=1e-6)

    again = run(*command)
    assert again.exit_code == 2
    assert again.stderr.splitlines() == [
        f"error: report: {path} exists already and may be an earlier run's report: give "
        "another file, or --replace-report to replace it",
        f"错误：report：{path} 已存在，可能是之前某次运行的报告：请另给一个文件，或加 "
        "--replace-report 将其替换"]
    assert path.read_bytes() == written
    assert db.execute("SELECT count(*) FROM recalc_runs").fetchone()[0] == 1

    replaced = run(*command, "--replace-report")
    assert replaced.exit_code == 0, replaced.stderr
    assert "2 already use MEE-2023" in replaced.stdout
    assert replaced.stdout.splitlines()[-1] == f"report: 0 products in {path}"
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(report.FIELDS)]
    alone = run("recalc", "--replace-report")
    assert alone.exit_code == 2
    assert alone.stderr.splitlines() == ["error: --replace-report goes with --report FILE",
                                         "错误：--replace-report 须与 --report 文件 一起使用"]


def test_a_product_the_target_cannot_calculate_fails_and_is_left_alone(service, engine):
    db = service.db
    # factor year 2023 exists in MEE-2023 only
    sid = submit(service, engine, bom("2023 part", factor_year=2023))
    before = current_footprint(db, sid)
    summary = run(service, engine, to_version="MEE-2022")
    item = items(db, summary.run_id)[sid]
    assert item["status"] == "failed" and "2023" in item["error"]
    assert "2021, 2022" in item["error"]
    assert item["to_total"] is None and item["top_line"] is None and item["top_delta"] is None
    assert current_footprint(db, sid) == before


def test_each_product_names_the_line_that_moved_it(service, engine_2022):
    """Three products of different lengths in one chunk, each with its own moving line."""
    db = service.db
    sichuan_last = submit(service, engine_2022, bom("direct first", lines=[DIRECT, ELECTRICITY]))
    shandong = {"input": "electricity", "amount": 30, "unit": "kWh", "stage": "raw_materials",
                "region": "CN-SD"}
    sichuan_10 = {"input": "electricity", "amount": 10, "unit": "kWh", "stage": "production"}
    mixed = submit(service, engine_2022, bom("mixed", lines=[shandong, DIRECT, sichuan_10]))
    pinned = submit(service, engine_2022, bom("pinned", factor_year=2022))

    summary = run(service, engine_2022, to_version="MEE-2023")
    done = items(db, summary.run_id)
    # 1 + 100 x 0.1564 = 16.64; only line 1 (the electricity) moved: 100 x 0.016 = +1.6
    assert done[sichuan_last]["status"] == "changed"
    assert done[sichuan_last]["to_total"] == pytest.approx(16.64, rel=1e-6)
    assert done[sichuan_last]["top_line"] == 1
    assert done[sichuan_last]["top_delta"] == pytest.approx(1.6, rel=1e-5)
    # 30 x 0.6191 + 1 + 10 x 0.1564 = 18.573 + 1 + 1.564 = 21.137 (was 19.23 + 1 + 1.404 =
    # 21.634); Shandong's line moved 30 x -0.0219 = -0.657, Sichuan's 10 x 0.016 = +0.16
    assert done[mixed]["from_total"] == pytest.approx(21.634, rel=1e-6)
    assert done[mixed]["to_total"] == pytest.approx(21.137, rel=1e-6)
    assert done[mixed]["top_line"] == 0
    assert done[mixed]["top_delta"] == pytest.approx(-0.657, rel=1e-5)
    # 2022 factors under both versions: nothing moved, so the first line, by 0
    assert done[pinned]["status"] == "unchanged"
    assert done[pinned]["top_line"] == 0 and done[pinned]["top_delta"] == 0
    assert current_footprint(db, pinned)["data_version_name"] == "MEE-2023"
    # by stage: 100 x 0.1564 in production, 1 in raw materials
    assert current_footprint(db, sichuan_last)["by_stage"] == pytest.approx(
        {"raw_materials": 1.0, "production": 15.64}, rel=1e-6)
    region = summary.as_dict()["by_region"]["CN-SC"]
    assert (region["count"], region["changed"], region["unchanged"]) == (3, 2, 1)
    # the largest change in size: +1.6 / 15.04 = +10.638 % (the mixed product's is
    # -0.497 / 21.634 = -2.297 %)
    assert region["largest_change_pct"] == pytest.approx(1.6 / 15.04 * 100, rel=1e-5)


def test_chunks_take_every_status_in_id_order(service, approve, issuer, engine_2022):
    """Products in progress and issued ones interleaved: each chunk is the next ids, whatever
    their status, and an interrupted run resumes with the rest."""
    db, people = service.db, service.people
    drafted = submit(service, engine_2022, bom("draft 1"))
    submitted = submit(service, engine_2022, bom("submitted"))
    actions.act(db, people["orchard"], submitted, "submit",
                verifier_org="Sichuan Carbon Verification")
    issued = approve(bom("issued"), issuer, engine_2022)["id"]
    drafted_again = submit(service, engine_2022, bom("draft 2"))
    approved = approve(bom("approved, no label"), None, engine_2022)["id"]
    ids = [drafted, submitted, issued, drafted_again, approved]
    assert ids == sorted(ids)
    assert [db["submissions"].get(i)["status"] for i in ids] == \
        ["draft", "submitted", "issued", "draft", "approved"]

    def stop_after_one(n, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        recalculate(db, Options(to_version="MEE-2023", chunk=2), engine_2022.home,
                    progress=stop_after_one)
    assert {r[0] for r in db.execute("SELECT submission_id FROM recalc_items")} == \
        {drafted, submitted}
    sizes = []
    resumed = recalculate(db, Options(to_version="MEE-2023", chunk=2), engine_2022.home,
                          progress=lambda n, total: sizes.append(n))
    assert sizes == [2, 2, 1] and resumed.done_before == 2
    assert db.execute("SELECT count(*), count(DISTINCT submission_id) FROM recalc_items"
                      ).fetchone() == (5, 5)
    for sid in ids:  # 100 x 0.1564 + 1
        assert current_footprint(db, sid)["total_kg_co2e"] == pytest.approx(16.64, rel=1e-6)


def test_a_chunk_that_fails_to_write_leaves_nothing_of_itself(service, engine_2022,
                                                             monkeypatch):
    """The chunk written in the background fails: the run stops with that error, the chunk
    before stays done, and nothing of the failed chunk is kept; the same command resumes."""
    from footprint.store import recalc_runs

    db = service.db
    ids = [submit(service, engine_2022, bom(f"part {i}")) for i in range(5)]
    real = recalc_runs.record_staged
    calls = []

    def fail_second(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(*args)

    monkeypatch.setattr(recalc_runs, "record_staged", fail_second)
    with pytest.raises(RuntimeError, match="disk full"):
        recalculate(db, Options(to_version="MEE-2023", chunk=2), engine_2022.home)
    assert [r[0] for r in db.execute("SELECT submission_id FROM recalc_items "
                                      "ORDER BY submission_id")] == ids[:2]
    assert [current_footprint(db, sid)["data_version_name"] for sid in ids] == \
        ["MEE-2023"] * 2 + ["MEE-2022"] * 3
    monkeypatch.setattr(recalc_runs, "record_staged", real)
    resumed = recalculate(db, Options(to_version="MEE-2023", chunk=2), engine_2022.home)
    assert resumed.resumed and resumed.done_before == 2 and resumed.as_dict()["count"] == 3
    assert db.execute("SELECT count(*), count(DISTINCT submission_id) FROM recalc_items"
                      ).fetchone() == (5, 5)


def test_an_interrupted_run_resumes_without_doing_anything_twice(service, approve, issuer,
                                                                 engine_2022):
    db = service.db
    ids = [approve(bom(f"part {i}"), issuer, engine_2022)["id"] for i in range(5)]
    seen = []

    def stop_after_two(n, total):
        seen.append(n)
        if len(seen) == 2:
            raise KeyboardInterrupt  # an operator's Ctrl-C between chunks

    with pytest.raises(KeyboardInterrupt):
        recalculate(db, Options(to_version="MEE-2023", reissue=True, chunk=2),
                    engine_2022.home, issuer=issuer, progress=stop_after_two)
    done = db.execute("SELECT count(*) FROM recalc_items").fetchone()[0]
    assert done == 4  # two whole chunks of two
    resumed = recalculate(db, Options(to_version="MEE-2023", reissue=True, chunk=2),
                          engine_2022.home, issuer=issuer)
    assert resumed.resumed and resumed.done_before == 4 and resumed.as_dict()["count"] == 1
    assert db.execute("SELECT count(DISTINCT run_id) FROM recalc_items").fetchone()[0] == 1
    for sid in ids:
        labels = list(db.query("SELECT * FROM labels WHERE submission_id = ? ORDER BY rowid",
                               [sid]))
        assert len(labels) == 2 and labels[1]["supersedes"] == labels[0]["id"]


@pytest.mark.parametrize("reissue", [True, False], ids=["reissue", "background-writes"])
def test_recalc_killed_with_sigkill_resumes(service, approve, issuer, engine_2022, reissue):
    """A real kill -9 of `footprint recalc`, then the same command again. Without --reissue
    chunks are written in a thread of their own (footprint.recalc.writer), and faster: more
    products keep the kill in the middle of the run."""
    db = service.db
    if reissue:
        ids = [approve(bom(f"killed part {i}"), issuer, engine_2022)["id"] for i in range(40)]
    else:
        ids = [submit(service, engine_2022, bom(f"killed part {i}")) for i in range(200)]
    if dialect(db) == SQLITE:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    env = {**os.environ, "FOOTPRINT_HOME": str(service.home), "FOOTPRINT_ISSUER": "CN-SC"}
    command = [str(Path(sys.executable).parent / "footprint"), "recalc", "--to-version",
               "MEE-2023", *(["--reissue"] if reissue else []), "--chunk-size", "1",
               "--no-progress"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if db.execute("SELECT count(*) FROM recalc_items").fetchone()[0] >= 3:
            break
        time.sleep(0.01)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGKILL)
    process.communicate()  # reaps it and closes its pipes
    killed_at = db.execute("SELECT count(*) FROM recalc_items").fetchone()[0]
    assert 3 <= killed_at < len(ids)

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert "resuming run" in finished.stdout
    assert db.execute("SELECT count(*), count(DISTINCT submission_id) FROM recalc_items"
                      ).fetchone() == (len(ids), len(ids))
    for sid in ids:
        labels = db.execute("SELECT count(*) FROM labels WHERE submission_id = ?",
                            [sid]).fetchone()[0]
        # the approval's and exactly one re-issue; drafts have none
        assert labels == (2 if reissue else 0)
        # 100 x 0.1564 + 1 = 16.64
        assert current_footprint(db, sid)["total_kg_co2e"] == pytest.approx(16.64, rel=1e-6)
