"""Benchmarks from verified data: quartiles and P20/P40/P60/P80 by hand (Hyndman-Fan type 7),
only current verified footprints counted, bands adopted only from the threshold on (signed,
logged, versioned), and a label issued afterwards graded by them and saying so."""
from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import pytest

from footprint import clock
from footprint.errors import Conflict, Forbidden, InvalidInput
from footprint.labels import export_trust_list
from footprint.labels.documents import verify_document
from footprint.translog import TransparencyLog
from footprint.translog.entries import decode_entry
from footprint.usecases import benchmarks
from footprint.usecases.labels import for_submission
from footprint.usecases.revoking import revoke

ROOT = Path(__file__).resolve().parent.parent
PUJIANG = json.loads((ROOT / "lca_data/samples/oranges_pujiang_farm_gate.json")
                     .read_text(encoding="utf-8"))


def orange(name: str, yield_kg_per_ha: float) -> dict:
    """The Pujiang farm-gate sample under another name and yield: the orchard's inputs per
    hectare are the same, so a lower yield means more kg CO2e per kg of fruit."""
    bom = copy.deepcopy(PUJIANG)
    bom["product"] = {**bom["product"], "id": name.lower().replace(" ", "-"), "name": name,
                      "name_zh": name}
    bom["parameters"]["yield_kg_per_ha"] = yield_kg_per_ha
    return bom


def test_quartiles_and_cut_points_by_hand():
    values = [0.35, 0.10, 0.20, 0.12, 0.15]  # sorted: 0.10 0.12 0.15 0.20 0.35, n = 5
    found = benchmarks.distribution("oranges", "kg", values)
    assert found.n == 5 and found.minimum == 0.10 and found.maximum == 0.35
    # type 7: h = (n - 1) p = 4 p, then x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])
    # Q1: h = 1 -> 0.12; median: h = 2 -> 0.15; Q3: h = 3 -> 0.20
    assert found.quartiles == pytest.approx((0.12, 0.15, 0.20))
    # P20: h = 0.8 -> 0.10 + 0.8 x 0.02 = 0.116; P40: h = 1.6 -> 0.12 + 0.6 x 0.03 = 0.138
    # P60: h = 2.4 -> 0.15 + 0.4 x 0.05 = 0.170;  P80: h = 3.2 -> 0.20 + 0.2 x 0.15 = 0.230
    assert found.cuts == pytest.approx((0.116, 0.138, 0.170, 0.230))
    # the bands' bounds are the cut points to 3 significant figures (exact here)
    assert benchmarks.bands_from(found) == [["A", 0.116], ["B", 0.138], ["C", 0.17],
                                            ["D", 0.23], ["E", None]]
    uneven = benchmarks.distribution("oranges", "kg", [0.1, 0.2, 0.3, 0.4, 1.0])
    # P20 = 0.1 + 0.8 x 0.1 = 0.18; P40 = 0.2 + 0.6 x 0.1 = 0.26; P60 = 0.3 + 0.4 x 0.1 = 0.34
    # P80 = 0.4 + 0.2 x 0.6 = 0.52 (floating point: 0.52000000000000002 or so, written 0.52)
    assert [up for _, up in benchmarks.bands_from(uneven)] == [0.18, 0.26, 0.34, 0.52, None]
    thirds = benchmarks.distribution("oranges", "kg", [0.1, 0.2, 0.3, 0.4])
    # n = 4, h = 3p: P20 = 0.1 + 0.6 x 0.1 = 0.16; P40 = 0.2 + 0.2 x 0.1 = 0.22
    assert benchmarks.bands_from(thirds)[:2] == [["A", 0.16], ["B", 0.22]]


def test_two_values_are_the_fewest_with_quantiles():
    one = benchmarks.distribution("oranges", "kg", [0.2])
    assert one.n == 1 and one.quartiles is None and one.cuts is None
    two = benchmarks.distribution("oranges", "kg", [0.1, 0.3])
    # h = p: Q1 = 0.1 + 0.25 x 0.2 = 0.15, P80 = 0.1 + 0.8 x 0.2 = 0.26
    assert two.quartiles[0] == pytest.approx(0.15) and two.cuts[3] == pytest.approx(0.26)


def signed_distribution_is_exact(version: dict, low: float, mid: float, high: float) -> bool:
    """The distribution beside the bands keeps the cut points unrounded."""
    cuts = version["distribution"]["cuts"]
    return cuts[0] == pytest.approx(low + 0.4 * (mid - low)) and \
        cuts[3] == pytest.approx(mid + 0.6 * (high - mid))


@pytest.fixture
def oranges(service, issuer, approve):
    """Three verified oranges at 40, 30 and 20 t/ha; returns their labels, lowest first."""
    labels = [for_submission(service.db, approve(orange(name, yield_), issuer)["id"])
              for name, yield_ in (("Orange high yield", 40000), ("Orange mid yield", 30000),
                                   ("Orange low yield", 20000))]
    return sorted(labels, key=lambda label: label["record"]["value"])


def test_the_benchmark_counts_current_verified_footprints_only(service, oranges):
    found = benchmarks.of(service.db, "oranges", "kg")
    assert found.n == 3
    assert found.minimum == pytest.approx(oranges[0]["record"]["value"])  # per 1 kg declared
    revoke(service.db, service.people["reviewer"], oranges[2]["id"], "withdrawn by the co-op")
    assert benchmarks.of(service.db, "oranges", "kg").n == 2  # a revoked label is not counted
    assert [(d.category, d.declared_unit, d.n) for d in benchmarks.distributions(service.db)] \
        == [("oranges", "kg", 2)]


def test_adoption_below_the_threshold_is_refused(service, oranges, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_BENCHMARK_MIN_N", "4")
    registry = service.app.extensions["footprint_engine"].registry
    size = TransparencyLog(service.db).size()
    with pytest.raises(Conflict) as refused:
        benchmarks.adopt(service.db, service.home, service.people["admin"], registry,
                         "oranges", "kg")
    assert refused.value.args[0].params == {"n": 3, "threshold": 4}
    assert benchmarks.versions(service.db) == []
    assert TransparencyLog(service.db).size() == size  # nothing logged
    monkeypatch.delenv("FOOTPRINT_BENCHMARK_MIN_N")  # default 30
    with pytest.raises(Conflict):
        benchmarks.adopt(service.db, service.home, None, registry, "oranges", "kg")


def test_only_an_administrator_adopts_and_only_graded_categories(service, oranges,
                                                                 monkeypatch):
    monkeypatch.setenv("FOOTPRINT_BENCHMARK_MIN_N", "3")
    registry = service.app.extensions["footprint_engine"].registry
    with pytest.raises(Forbidden):
        benchmarks.adopt(service.db, service.home, service.people["reviewer"], registry,
                         "oranges", "kg")
    with pytest.raises(InvalidInput):
        benchmarks.adopt(service.db, service.home, None, registry, "generic", "kg")
    with pytest.raises(InvalidInput):
        benchmarks.adopt(service.db, service.home, None, registry, "no-such", "kg")


def test_adopted_bands_are_signed_logged_versioned_and_grade_later_labels(
        service, issuer, approve, oranges, monkeypatch, client):
    monkeypatch.setenv("FOOTPRINT_BENCHMARK_MIN_N", "3")
    registry = service.app.extensions["footprint_engine"].registry
    before = oranges[1]["record"]["grade"]  # graded by the category's provisional bands
    version = benchmarks.adopt(service.db, service.home, service.people["admin"], registry,
                               "oranges", "kg")
    today = clock.now().date().isoformat()
    assert (version["version"], version["n"], version["as_of"]) == (1, 3, today)
    low, mid, high = (label["record"]["value"] for label in oranges)
    # n = 3: h = 2p. P20: h = 0.4 -> low + 0.4 (mid - low); P80: h = 1.6 -> mid + 0.6 (high - mid)
    # each to 3 significant figures
    assert version["bands"][0] == ["A", float(f"{low + 0.4 * (mid - low):.3g}")]
    assert version["bands"][3] == ["D", float(f"{mid + 0.6 * (high - mid):.3g}")]
    assert version["bands"][4] == ["E", None]
    assert signed_distribution_is_exact(version, low, mid, high)

    # signed with the platform's key ...
    signed = verify_document(version["document"], export_trust_list(service.home),
                             "grade-bands")
    assert signed.body["bands"] == version["bands"] and signed.body["version"] == 1
    assert signed.body["benchmark"]["n"] == 3
    # ... and its SHA-256 recorded in the transparency log
    leaf = TransparencyLog(service.db).entry(version["log_index"])
    fields = decode_entry("record", leaf["entry"])
    assert fields["of"] == "grade-bands" and fields["id"] == "oranges/kg/1"
    assert fields["sha256"] == hashlib.sha256(version["document"]).hexdigest()

    # a copy of the lowest product is at the minimum, so at or below P20: grade A; a copy of
    # the highest is above P80 (P80 < high since mid < high): grade E
    lowest = for_submission(service.db, approve(orange("Orange copy of high yield", 40000),
                                                issuer)["id"])
    highest = for_submission(service.db, approve(orange("Orange copy of low yield", 20000),
                                                 issuer)["id"])
    assert lowest["record"]["grade"] == "A" and highest["record"]["grade"] == "E"
    assert lowest["record"]["provisional"] is False
    assert lowest["record"]["grade_bands"] == {"id": version["id"], "version": 1, "n": 3,
                                               "as_of": today}
    assert oranges[1]["record"]["grade"] == before  # labels issued before keep their grade

    # the label's JSON and its scan page say which bands graded it
    answer = client.get(f"/api/v1/labels/{lowest['id']}").get_json()
    assert answer["grade_bands"] == {"basis": "benchmark", "id": version["id"], "version": 1,
                                     "n": 3, "as_of": today}
    assert client.get(f"/api/v1/labels/{oranges[1]['id']}").get_json()["grade_bands"] == \
        {"basis": "category"}
    scan = client.get(f"/registry/labels/{lowest['id']}").headers["Location"]
    zh = client.get(scan).get_data(as_text=True)
    assert f"基于 3 个已核查产品的基准，{today}" in zh
    assert 'id="provisional"' not in zh
    en = client.get(scan, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"benchmark of 3 verified products, {today}" in en
    assert re.search(r'<span class="grade">A</span>', en)

    # adopting again is the next version; the benchmarks page lists both
    again = benchmarks.adopt(service.db, service.home, None, registry, "oranges", "kg")
    assert again["version"] == 2 and again["n"] == 5
    page = client.get("/registry/benchmarks", headers={"Accept-Language": "en"}) \
        .get_data(as_text=True)
    assert "benchmark of 5 verified products" in page and "version 2" in page
    assert 'data-category="oranges" data-unit="kg"' in page


def test_cli_adopts_bands_and_refuses_below_the_threshold(service, oranges, run,
                                                          monkeypatch):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    monkeypatch.setenv("FOOTPRINT_BENCHMARK_MIN_N", "4")
    refused = run("registry", "adopt-bands", "oranges", "kg")
    assert refused.exit_code == 1 and "counts 3 verified products" in refused.stderr
    monkeypatch.setenv("FOOTPRINT_BENCHMARK_MIN_N", "3")
    adopted = run("registry", "adopt-bands", "oranges", "kg")
    assert adopted.exit_code == 0, adopted.stderr
    assert "benchmark of 3 verified products" in adopted.output
    listed = run("registry", "benchmarks", "--json")
    assert json.loads(listed.output)["benchmarks"][0]["n"] == 3


def test_the_administrator_adopts_bands_on_the_admin_page(service, oranges, clients,
                                                          monkeypatch):
    monkeypatch.setenv("FOOTPRINT_BENCHMARK_MIN_N", "4")
    admin = clients["admin"]
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'id="grade-bands"' in page and "已核查产品尚不足" in page  # 3 of 4
    form = {"category": "oranges", "unit": "kg"}
    refused = admin.post("/admin/grade-bands", data=form, follow_redirects=True)
    assert "该基准仅含 3 个已核查产品；达到 4 个后方可据此得出等级划分" in \
        refused.get_data(as_text=True)
    assert benchmarks.versions(service.db) == []
    assert clients["reviewer"].post("/admin/grade-bands", data=form).status_code == 403
    monkeypatch.setenv("FOOTPRINT_BENCHMARK_MIN_N", "3")
    assert "采用此基准得出的等级划分" in admin.get("/admin/").get_data(as_text=True)
    adopted = admin.post("/admin/grade-bands", data=form, follow_redirects=True)
    today = clock.now().date().isoformat()
    assert f"已采用第 1 版等级划分：基于 3 个已核查产品的基准，{today}。" in \
        adopted.get_data(as_text=True)
    [version] = benchmarks.versions(service.db)
    assert version["adopted_by"] == service.people["admin"]["id"]
