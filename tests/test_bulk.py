"""Writing many rows at once (footprint.store.bulk) and a recalculation chunk staged and moved
with it, on SQLite (executemany) and on PostgreSQL (binary COPY)."""
import math

import pytest

from footprint.store import transaction
from footprint.store import recalc_runs as runs
from footprint.store.bulk import COPY_FROM, insert_rows, upsert_rows
from footprint.store.footprints import stage_bytes, stages_from_bytes
from footprint.usecases.users import seed_user

VERSIONS = ("hash", "name", "datasets_json", "first_used_at")
NOW = "2026-12-05T12:00:00+00:00"


@pytest.fixture
def db(store_db):
    """Each test runs on SQLite and on PostgreSQL."""
    return store_db


def versions(db) -> list[tuple]:
    return [tuple(r[c] for c in VERSIONS) for r in
            db.query("SELECT * FROM data_versions ORDER BY hash")]


def test_insert_rows_writes_every_row_as_given(db):
    rows = [("a1", "MEE-2022", '{"grid": "2022"}', NOW), ("b2", "MEE-2023", "{}", NOW),
            ("c3", "CN-2024 电网", "{}", NOW)]
    with transaction(db):
        insert_rows(db, "data_versions", VERSIONS, rows)
    assert versions(db) == rows


def test_as_many_rows_as_copy_takes_are_written_as_given(db):
    # COPY_FROM rows and more go by COPY on PostgreSQL; h000 ... h(n-1), names v0 ... v(n-1)
    n = COPY_FROM + 1
    rows = [(f"h{i:03}", f"v{i}", "{}" if i % 2 else '{"odd": false}', NOW) for i in range(n)]
    with transaction(db):
        insert_rows(db, "data_versions", VERSIONS, rows)
    assert versions(db) == rows  # hashes sort as written (zero-padded)


@pytest.mark.parametrize("n", [2, COPY_FROM + 1])
def test_upsert_rows_replaces_rows_with_the_same_key_and_adds_the_others(db, n):
    old = [(f"h{i:03}", "old", "{}", NOW) for i in range(n)]
    with transaction(db):
        insert_rows(db, "data_versions", VERSIONS, old)
    # every row but the first replaced in every column but its key, one added:
    # n rows + 1 = n + 1 rows
    new = [(f"h{i:03}", "new", '{"x": 1}', "2026-12-06") for i in range(1, n + 1)]
    with transaction(db):
        upsert_rows(db, "data_versions", VERSIONS, ("hash",), new)
    assert versions(db) == [old[0], *new]


def test_a_failed_transaction_leaves_no_bulk_rows(db):
    with pytest.raises(RuntimeError):
        with transaction(db):
            insert_rows(db, "data_versions", VERSIONS, [("a1", "gone", "{}", NOW)])
            raise RuntimeError("the chunk fails after its rows were written")
    assert versions(db) == []


def products(db, regions: list[str]) -> None:
    """Approved submissions 1..n (one product each) with a footprint of 10 kg CO2e times
    their number in ``regions[i]``, under data version "old"."""
    producer = seed_user(db, "orchard", "producer", "Pujiang Orchard Co-op",
                         "correct horse battery")
    ids = range(1, len(regions) + 1)
    with transaction(db):
        insert_rows(db, "products", ("id", "org_id", "name", "category", "created_at"),
                    [(i, producer["org_id"], f"product {i}", "generic", NOW) for i in ids])
        insert_rows(db, "submissions", ("id", "product_id", "org_id", "status", "bom_json",
                                        "revision", "created_by", "created_at", "updated_at"),
                    [(i, i, producer["org_id"], "approved", "{}", 1, producer["id"], NOW, NOW)
                     for i in ids])
        insert_rows(db, "footprints", ("submission_id", "revision", "region", "data_version",
                                       "data_version_name", "total_kg_co2e", "by_stage",
                                       "updated_at"),
                    [(i, 1, region, "old", "OLD", 10.0 * i,
                      stage_bytes({"production": 10.0 * i}), NOW)
                     for i, region in zip(ids, regions)])


def test_a_staged_chunk_moves_the_footprints_it_changed_and_records_every_item(db):
    products(db, ["CN-SC", "CN-SC", "CN-SC"])
    with transaction(db):
        run_id, _ = runs.start_or_resume(db, runs.Target(runs.Selection(), "new", "NEW", False))
    nan = math.nan
    # STAGED: submission_id, revision, status, from_version, from_total, to_total, top_line,
    # top_delta, error, by_stage, p5, p50, p95 (NaN and top_line -1 stored as NULL)
    runs.stage(db, [
        (1, 1, "changed", "old", 10.0, 12.5, 0, 2.5, None,
         stage_bytes({"production": 12.5}), 11.0, 12.5, 14.0),
        (2, 1, "unchanged", "old", 20.0, 20.0, -1, nan, None,
         stage_bytes({"production": 20.0}), nan, nan, nan),
        (3, 1, "failed", "old", 30.0, nan, -1, nan, "process|gone is not in NEW",
         stage_bytes({}), nan, nan, nan)])
    with transaction(db):
        runs.record_staged(db, run_id, "new", "NEW")

    items = {r["submission_id"]: r for r in db.query(
        "SELECT * FROM recalc_items WHERE run_id = ?", [run_id])}
    assert sorted(items) == [1, 2, 3]  # one item per staged product, the failed one too
    assert [items[i]["status"] for i in (1, 2, 3)] == ["changed", "unchanged", "failed"]
    assert (items[1]["top_line"], items[1]["top_delta"]) == (0, 2.5)
    assert (items[2]["top_line"], items[2]["top_delta"]) == (None, None)
    assert items[3]["to_total"] is None and items[3]["error"] == "process|gone is not in NEW"

    moved = {r["submission_id"]: r for r in db.query("SELECT * FROM footprints")}
    # 1 changed: 12.5 kg with its new range; 2 unchanged: moved to the new version, same
    # 20.0 kg, no range staged and none before, so none; 3 failed: left as it was (30.0, old)
    assert (moved[1]["data_version"], moved[1]["total_kg_co2e"], moved[1]["run_id"]) == \
        ("new", 12.5, run_id)
    assert (moved[1]["p5"], moved[1]["p50"], moved[1]["p95"]) == (11.0, 12.5, 14.0)
    assert stages_from_bytes(bytes(moved[1]["by_stage"])) == {"production": 12.5}
    assert (moved[2]["data_version"], moved[2]["total_kg_co2e"], moved[2]["p5"]) == \
        ("new", 20.0, None)
    assert (moved[3]["data_version"], moved[3]["total_kg_co2e"], moved[3]["run_id"]) == \
        ("old", 30.0, None)


def test_chunks_are_id_ranges_and_one_the_selection_empties_is_passed_over(db):
    # submissions 1 and 4 in Sichuan, 2 and 3 in Chongqing; chunks of two ids: {1, 2} and
    # {3, 4}; selecting Sichuan leaves one product in each chunk
    products(db, ["CN-SC", "CN-CQ", "CN-CQ", "CN-SC"])
    read = [[row[0] for row in chunk] for chunk in
            runs.chunks(db, runs.Selection(region="CN-SC"), 2, "no rows kept")]
    assert read == [[1], [4]]
    # chunks of one: {2} and {3} hold no Sichuan product and are passed over, not the end
    read = [[row[0] for row in chunk] for chunk in
            runs.chunks(db, runs.Selection(region="CN-SC"), 1, "no rows kept")]
    assert read == [[1], [4]]
    everything = [[row[0] for row in chunk] for chunk in
                  runs.chunks(db, runs.Selection(), 3, "no rows kept")]
    assert everything == [[1, 2, 3], [4]]


def test_a_chunk_as_large_as_copy_takes_is_staged_and_moved_whole(db):
    n = COPY_FROM + 1
    products(db, ["CN-SC"] * n)
    with transaction(db):
        run_id, _ = runs.start_or_resume(db, runs.Target(runs.Selection(), "new", "NEW", False))
    # product i: 10 i kg before, 15 i kg after (every one changed), range 14 i to 16 i
    runs.stage(db, [(i, 1, "changed", "old", 10.0 * i, 15.0 * i, 0, 5.0 * i, None,
                     stage_bytes({"production": 15.0 * i}), 14.0 * i, 15.0 * i, 16.0 * i)
                    for i in range(1, n + 1)])
    with transaction(db):
        runs.record_staged(db, run_id, "new", "NEW")
    # 101 items; totals 15 (1 + ... + 101) = 15 x 101 x 102 / 2 = 77,265 kg
    assert db.execute("SELECT count(*), sum(to_total) FROM recalc_items WHERE run_id = ?",
                      [run_id]).fetchone() == (101, 77_265.0)
    assert db.execute("SELECT count(*), sum(total_kg_co2e), sum(p95) FROM footprints "
                      "WHERE data_version = 'new'").fetchone() == (101, 77_265.0, 82_416.0)
    last = db.execute("SELECT by_stage FROM footprints WHERE submission_id = 101").fetchone()
    assert stages_from_bytes(bytes(last[0])) == {"production": 1_515.0}  # 15 x 101
