"""Bringing one's own LCI database (footprint background import | search; bg:<name>/<code>
lines): imported through bw2io, characterised, solved once, and calculated with as bw2calc
does.

Two real databases are imported once for the module, into a FOOTPRINT_HOME of its own (so the
rest of the session's data version is untouched):

- tests/data/lci/hand-ecospold2: three EcoSpold2 datasets written by hand to the EcoSpold2
  schema (elementary flows by ecoinvent 3.9 UUID), as ``hand`` version 1;
- tests/data/lci/hand-jsonld: the same three activities as an openLCA JSON-LD export written
  by hand to the openLCA schema (units by unit group: the billet's electricity given in MJ),
  as ``handld`` version 1;
- tests/data/lci/hand-simapro.csv: the same three again as a SimaPro CSV export written by hand
  (SimaPro's flow names and compartments, linked by bw2io's SimaPro strategies), as
  ``handsp`` version 1;
- bw2io's packaged example.xlsx (three US LCI activities), as ``uslci`` version 1.

Hand calculation of the EcoSpold2 file (per unit of reference product):

  A steel billet (kg):  0.5 kWh of B; 1.2 kg CO2 fossil, 0.01 kg CH4 fossil, 0.003 kg NOx
  B electricity (kWh):  0.02 kg of A; 0.9 kg CO2 fossil, 0.0001 kg N2O, 1e-6 kg SF6
  C widget (unit):      2 kg of A, 3 kWh of B; 0.5 kg CO2 non-fossil, 0.001 kg R-10 to water

  The loop A <-> B: for 1 kg of A, sA = 1 + 0.02 sB and sB = 0.5 sA, so sA = 1/0.99 and
  sB = 0.5/0.99; for 1 kWh of B, sB = 1/0.99 and sA = 0.02/0.99.
  1 widget = 2 x (1 kg of A) + 3 x (1 kWh of B), so per widget:
    CO2 fossil  (2 x (1.2 + 0.9 x 0.5) + 3 x (0.9 + 1.2 x 0.02)) / 0.99 = 6.072 / 0.99
    CH4 fossil  (2 x 0.01 + 3 x 0.01 x 0.02) / 0.99                  = 0.0206 / 0.99
    N2O         (2 x 0.0001 x 0.5 + 3 x 0.0001) / 0.99               = 0.0004 / 0.99
    SF6         (2 x 1e-6 x 0.5 + 3 x 1e-6) / 0.99                   = 4e-6 / 0.99
    CO2 non-fossil 0.5 (C's own; biogenic: 0 in the total), R-10 to water: no GWP100 factor
  AR6 (the core's CH4 fossil 29.8, N2O 273; ecoinvent 3.9's SF6 25,200):
    (6.072 + 29.8 x 0.0206 + 273 x 0.0004 + 25200 x 4e-6) / 0.99
    = (6.072 + 0.61388 + 0.1092 + 0.1008) / 0.99 = 6.89588 / 0.99 kg CO2e per widget
Brightway keeps amounts as float32, so the hand figures hold to about 1e-7.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from footprint import InvalidInput, imported
from footprint.bom import parse_bom
from footprint.engine import Engine
from footprint.engine.background import brightway
from footprint.engine.lci import PROJECT
from footprint.usecases.backgrounds import import_background, list_backgrounds, search

HAND = Path(__file__).resolve().parent / "data" / "lci" / "hand-ecospold2"
HAND_JSONLD = HAND.parent / "hand-jsonld"
HAND_SIMAPRO = HAND.parent / "hand-simapro.csv"
# bw2io's packaged example, found without importing bw2io (which would bind bw2data's
# directory before brightway(home) does)
EXAMPLE = Path(importlib.util.find_spec("bw2io").origin).parent / "data" / "examples" / \
    "example.xlsx"
WIDGET_AR6 = 6.89588 / 0.99


@pytest.fixture(scope="module")
def lci(tmp_path_factory):
    home = tmp_path_factory.mktemp("lci-home")
    saved = os.environ["FOOTPRINT_HOME"]
    os.environ["FOOTPRINT_HOME"] = str(home)  # the backgrounds plugin reads FOOTPRINT_HOME
    try:
        before = Engine(home=home).registry.data_version
        started = time.perf_counter()
        hand = import_background(HAND, "ecospold2", "hand", "1", home=home)
        example = import_background(EXAMPLE, "excel", "uslci", "1", home=home)
        jsonld = import_background(HAND_JSONLD, "jsonld", "handld", "1", home=home)
        simapro = import_background(HAND_SIMAPRO, "simapro-csv", "handsp", "1", home=home)
        seconds = time.perf_counter() - started
        print(f"\nbiosphere3 and four LCI imports: {seconds:.1f} s")
        yield SimpleNamespace(home=home, hand=hand, example=example, jsonld=jsonld,
                              simapro=simapro, before=before,
                              seconds=seconds, engine=Engine(home=home))
    finally:
        os.environ["FOOTPRINT_HOME"] = saved


def code_of(home, name: str, text: str) -> str:
    (row,) = [r for r in search(text, name, home=home) if text in r["name"]]
    return row["id"]


def bom(lines):
    return parse_bom({"product": {"name": "test", "category": "generic"},
                      "declared_unit": {"amount": 1, "unit": "piece"}, "region": "CN",
                      "lines": [{"stage": "raw_materials", **line} for line in lines]})


def test_imports_are_quick_and_kept_with_their_manifest(lci):
    assert lci.seconds < 30  # biosphere3 from bw2io's packaged flows, then both databases
    for manifest in (lci.hand, lci.example, lci.jsonld, lci.simapro):
        kept = imported.current(lci.home, manifest["name"])
        assert kept.version == "1" and kept.manifest["sha256"] == manifest["sha256"]
        assert kept.manifest["bw2io"].startswith("0.9")
        assert kept.manifest["counts"]["activities"] == 3
    assert lci.hand["format"] == "ecospold2" and lci.hand["source"] == "hand-ecospold2"


@pytest.mark.parametrize("name", ["hand", "handld", "handsp"])
def test_a_widget_scores_as_the_hand_calculation(lci, name):
    widget = code_of(lci.home, name, "widget")
    result = lci.engine.calculate(bom([{"input": widget, "amount": 2, "unit": "piece"}]))
    assert result["total_kg_co2e"] == pytest.approx(2 * WIDGET_AR6, rel=1e-6)
    mass = result["by_gas_mass_kg"]
    assert mass["CO2_fossil"] == pytest.approx(2 * 6.072 / 0.99, rel=1e-6)
    assert mass["CH4_fossil"] == pytest.approx(2 * 0.0206 / 0.99, rel=1e-6)
    assert mass["N2O"] == pytest.approx(2 * 0.0004 / 0.99, rel=1e-6)
    assert mass["ghg/sulfur-hexafluoride"] == pytest.approx(2 * 4e-6 / 0.99, rel=1e-6)
    assert result["biogenic_co2_kg"] == pytest.approx(1.0, rel=1e-6)
    assert result["by_gas"]["ghg/sulfur-hexafluoride"] == pytest.approx(
        25200 * 2 * 4e-6 / 0.99, rel=1e-6)
    (factor,) = result["factors"]
    assert factor["plugin"] == "backgrounds" and "bw2io" in factor["source"]["citation"]
    # cited on a Chinese page by the platform's own words for an imported database
    entry = lci.engine.registry.manifest_entry(factor["source"]["dataset"])
    assert (entry["title_zh"], entry["publisher_zh"]) == (
        f"导入的生命周期清单数据库 {name}", "本平台导入")
    assert (entry["kind"], entry["gas_scope_zh"], entry["confidence_zh"]) == (
        "background", "数据库中的全部温室气体，按平台的特征化方法（AR6、AR5）折算", "以数据库所述为准")


def test_the_gases_are_sorted_and_the_uncharacterised_listed(lci):
    assert lci.jsonld["report"]["uncharacterised"] == lci.hand["report"]["uncharacterised"]
    assert lci.simapro["report"]["uncharacterised"] == lci.hand["report"]["uncharacterised"]
    report = lci.hand["report"]
    assert report["core_flows"] == ["CH4_fossil", "CO2_biogenic", "CO2_fossil", "N2O"]
    assert report["new_flows"] == ["ghg/sulfur-hexafluoride"]
    (sf6,) = lci.hand["flows"]
    assert sf6["factors"] == {"ar6": 25200.0, "ar5": pytest.approx(23506.82, rel=1e-6)}
    (r10,) = report["uncharacterised"]
    assert (r10["name"], r10["categories"]) == ("Methane, tetrachloro-, R-10", ["water"])
    assert report["not_ghg_flows"] == 1  # nitrogen oxides
    on_disk = json.loads(imported.current(lci.home, "hand").path.with_suffix(".report.json")
                         .read_text(encoding="utf-8"))
    assert on_disk["uncharacterised"] == report["uncharacterised"]
    registry = lci.engine.registry
    assert dict(registry.methods["ar6"].factors)["ghg/sulfur-hexafluoride"] == 25200.0
    assert registry.flows["ghg/sulfur-hexafluoride"].plugin == "backgrounds"


def _bw2calc_score(home, node_code: str, database: str, amount: float, registry) -> float:
    """A plain bw2calc LCA of the imported activity in Brightway's own project, with a method
    written with the footprint's AR6 factors for every flow the import characterised."""
    bd = brightway(home)
    # after brightway(home), which points bw2data at this home first
    import bw2calc
    bd.projects.set_current(PROJECT, update=False)
    factors = dict(registry.methods["ar6"].factors)
    report = imported.current(home, database.split("@")[0]).manifest["report"]
    method = bd.Method(("footprint tests", database, "ar6"))
    method.register(unit="kg CO2e")
    method.write([(("biosphere3", f["code"]), factors[f["flow"]])
                  for f in report["characterised"]])
    node = bd.get_node(database=database, code=node_code)
    fu, data_objs, _ = bd.prepare_lca_inputs({node: amount}, method=method.name)
    lca = bw2calc.LCA(fu, data_objs=data_objs)
    lca.lci()
    lca.lcia()
    return float(lca.score)


@pytest.mark.parametrize("name, text, amount, unit", [
    ("hand", "widget", 2.0, "piece"), ("hand", "steel billet", 3.0, "kg"),
    ("hand", "electricity", 10.0, "kWh"), ("handld", "widget", 2.0, "piece"),
    ("handld", "electricity", 10.0, "kWh"), ("handsp", "widget", 2.0, "piece"),
    ("uslci", "Acetic acid", 2.0, "kg")])
def test_an_imported_activity_scores_as_bw2calc_does(lci, name, text, amount, unit):
    process = code_of(lci.home, name, text)
    result = lci.engine.calculate(bom([{"input": process, "amount": amount, "unit": unit}]))
    expected = _bw2calc_score(lci.home, process.rpartition("/")[2], f"{name}@1", amount,
                              lci.engine.registry)
    assert expected > 0
    assert result["total_kg_co2e"] == pytest.approx(expected, rel=1e-9)


def test_search_finds_by_name_product_location_and_chinese(lci):
    assert [(r["dataset"], r["name"]) for r in search("小部件", home=lci.home)] == [
        ("hand", "widget assembly 小部件装配"), ("handld", "widget assembly 小部件装配")]
    (power,) = search("cn-sc", "hand", home=lci.home)
    assert power["product"] == "electricity, medium voltage" and power["unit"] == "kWh"
    widget = search("WIDGET", "hand", home=lci.home)[0]
    assert widget["kg_co2e_per_unit"] == pytest.approx(WIDGET_AR6, rel=1e-6)
    assert widget["id"].startswith("bg:hand/")
    assert {r["dataset"] for r in search("", home=lci.home)} == {"hand", "handld", "handsp", "uslci"}
    with pytest.raises(InvalidInput, match='no imported background dataset "nope"'):
        search("x", "nope", home=lci.home)


def test_the_data_version_follows_the_imports(lci):
    assert lci.engine.registry.data_version != lci.before
    assert any(p.cumulative for p in lci.engine.registry.processes.values())


def test_an_unknown_code_or_dataset_is_a_located_error_with_suggestions(lci, run,
                                                                        write_bom):
    widget = code_of(lci.home, "hand", "widget")
    typo = widget[:-1] + ("0" if widget[-1] != "0" else "1")
    path = write_bom({"product": {"name": "x"}, "declared_unit": {"amount": 1, "unit": "piece"},
                      "region": "CN", "lines": [
                          {"input": typo, "amount": 1, "unit": "piece", "stage": "production"},
                          {"input": "bg:nope/abc", "amount": 1, "unit": "kg",
                           "stage": "production"},
                          {"input": widget, "amount": 1, "unit": "kg",
                           "stage": "production"}]})
    result = run("calc", path)
    assert result.exit_code == 2, result.output
    assert f'lines[0].input): activity of hand "{typo}" unknown, did you mean ' \
           f'"{widget}"?' in result.stderr
    assert 'lines[1].input): no imported background dataset "nope" (imported: hand, handld, handsp, uslci)' \
        in result.stderr
    assert "lines[2].unit" in result.stderr  # a widget is counted, not weighed


def test_the_cli_imports_a_new_version_beside_the_old(lci, run):
    result = run("background", "import", HAND, "--format", "ecospold2", "--name", "hand",
                 "--version", "2")
    assert result.exit_code == 0, result.output
    assert "NOT characterised (1, they count 0)" in result.output
    assert "Methane, tetrachloro-, R-10 (water, kilogram)" in result.output
    assert imported.versions(lci.home, "hand") == ["1", "2"]
    assert imported.current(lci.home, "hand").version == "2"
    again = run("background", "import", HAND, "--format", "ecospold2", "--name", "hand",
                "--version", "2")
    assert again.exit_code == 2 and "hand 2 is already imported" in again.stderr
    listed = run("background", "list")
    assert "hand" in listed.output and "1, 2" in listed.output
    found = run("background", "search", "widget", "--dataset", "hand", "--json")
    assert json.loads(found.output)[0]["version"] == "2"  # the newest unless a version is named
    few = run("background", "search", "", "--limit", "2")
    assert few.exit_code == 0
    assert [line[:3] for line in few.output.splitlines()].count("bg:") == 2
    # four datasets of three activities each (hand's newest version): 12, 2 shown
    assert "... and 10 more: narrow the search, or --limit 0" in few.output


def test_an_exchange_that_links_to_nothing_stops_the_import(lci, tmp_path, run):
    broken = tmp_path / "broken"
    shutil.copytree(HAND, broken)
    spold = next(broken.glob("c3*.spold"))
    spold.write_text(spold.read_text(encoding="utf-8").replace(
        "9a366c85-61a0-48bd-8af0-a2a96b327bc1", "00000000-dead-4000-8000-000000000000"),
        encoding="utf-8")
    result = run("background", "import", broken, "--format", "ecospold2", "--name", "broken")
    assert result.exit_code == 2
    # a gas's name: said to be a greenhouse gas that could not have been characterised
    assert 'greenhouse gas "Methane, tetrachloro-, R-10" (biosphere' in result.stderr
    assert 'of activity "widget assembly 小部件装配" links to no flow of biosphere3, so it ' \
           "could not be characterised" in result.stderr
    nox = tmp_path / "nox"
    shutil.copytree(HAND, nox)
    spold = next(nox.glob("a1*.spold"))
    spold.write_text(spold.read_text(encoding="utf-8").replace(
        "c1b91234-6f24-417b-8309-46111d09c457", "00000000-dead-4000-8000-000000000001"),
        encoding="utf-8")
    result = run("background", "import", nox, "--format", "ecospold2", "--name", "nox")
    assert result.exit_code == 2
    assert 'exchange "Nitrogen oxides" (biosphere, -, kilogram) of activity "steel billet ' \
           'production" links to no flow of biosphere3 and no activity' in result.stderr
    assert imported.versions(lci.home, "broken") == []
    bad = run("background", "import", tmp_path / "missing", "--format", "ods", "--name", "a b")
    assert bad.exit_code == 2
    for where in ("PATH", "--format", "--name"):
        assert f"{where}:" in bad.stderr or where in bad.stderr


def test_the_bom_editor_does_not_offer_imported_activities(lci):
    from flask import Flask
    from flask_babel import Babel

    from web.bom.options import choices
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        options = choices(lci.engine.registry, "en")
    offered = {o.value for _label, group in options.inputs for o in group}
    assert "diesel" in offered
    assert not any(value.startswith("bg:") for value in offered)


def test_the_benchmark_s_background_is_solved_in_one_go_as_a_dense_solve_would():
    spec = importlib.util.spec_from_file_location(
        "bench_background", Path(__file__).resolve().parent.parent /
        "benchmarks" / "background_build.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    A, B = bench.synthetic(600, 10, 7, seed=3)
    assert bench.largest_loop(A) > 100  # markets and producers buy from each other
    from footprint.engine.background import cumulative_inventory
    import numpy as np
    G = cumulative_inventory(A, B)
    dense = np.linalg.solve(A.toarray().T, B.toarray().T)  # G^T = (A^T)^-1 B^T
    assert G.shape == (600, 7)
    assert np.allclose(G, dense, rtol=1e-10, atol=1e-14)
    assert bench.run_footprint(A, B)["residual"] < 1e-10


def test_the_reference_calculation_takes_imported_lines_too(lci):
    from footprint.engine.reference import ReferenceCalculator
    widget, billet = (code_of(lci.home, "hand", text) for text in ("widget", "steel billet"))
    resolved = lci.engine.resolve(bom([
        {"input": widget, "amount": 2, "unit": "piece"},
        {"input": billet, "amount": 500, "unit": "g"},
        {"input": "diesel", "amount": 1, "unit": "kg"}]))
    expected = ReferenceCalculator(lci.home, lci.engine.registry).score(resolved, "ar6")
    total = lci.engine.calculate_resolved(resolved)["total_kg_co2e"]
    assert expected > 2 * WIDGET_AR6
    assert total == pytest.approx(expected, rel=1e-9)


def test_each_version_is_part_of_the_data_version(lci):
    """A result names the database version it used; naming version 1 calculates with it after
    version 2 was imported, and a data version from before the import calculates without it."""
    widget = code_of(lci.home, "hand", "widget")
    newest = Engine(home=lci.home)
    result = newest.calculate(bom([{"input": widget, "amount": 1, "unit": "piece"}]))
    name = result["data_version_name"]
    assert "hand@2" in name.split("+")
    older = Engine(home=lci.home, data_version=name.replace("hand@2", "hand@1"))
    again = older.calculate(bom([{"input": widget, "amount": 1, "unit": "piece"}]))
    # the same activities in both versions: the same footprint, under another data version
    assert again["total_kg_co2e"] == pytest.approx(WIDGET_AR6, rel=1e-6)
    assert "hand@1" in again["data_version_name"].split("+")
    assert again["data_version"] != result["data_version"]
    # a data version naming no version of any import: none of the imported activities
    plain = "+".join(p for p in name.split("+") if "@" not in p)
    before = Engine(home=lci.home, data_version=plain)
    assert before.registry.data_version == lci.before
    with pytest.raises(InvalidInput) as refused:
        before.calculate(bom([{"input": widget, "amount": 1, "unit": "piece"}]))
    assert refused.value.problems[0].where == "lines[0].input"


def test_an_imported_activity_rates_by_its_own_location(lci):
    """The activity's location is its geography (CN in a CN BOM rates 1), and the database's
    reference year is not read at import (temporal 5: not stated)."""
    widget = code_of(lci.home, "hand", "widget")
    (row,) = [r for r in search("widget", "hand", home=lci.home) if r["id"] == widget]
    result = Engine(home=lci.home).calculate(bom([{"input": widget, "amount": 1,
                                                   "unit": "piece"}]))
    dqr = result["by_input"][0]["dqr"]
    assert row["location"] == "CN" and dqr["geographical"] == 1
    assert dqr["temporal"] == 5


def test_an_imported_file_changed_after_its_import_is_refused_in_both_languages(lci, tmp_path):
    """A .npz that no longer has the SHA-256 its manifest kept is not calculated with: the
    refusal says which file and what to do, in Chinese too."""
    from cli.language import chinese
    from footprint.errors import DataError

    shutil.copytree(imported.folder(lci.home), imported.folder(tmp_path))
    kept = imported.current(tmp_path, "hand")
    with open(kept.path, "ab") as npz:
        npz.write(b"\0")  # one byte more: another SHA-256
    with pytest.raises(DataError) as refused:
        kept.arrays
    english, in_chinese = str(refused.value), chinese(refused.value.message)
    # the newest version, whichever the module's tests have imported by now
    assert english.startswith(f"imported background hand {kept.version}: {kept.path} has "
                              "SHA-256 ")
    assert english.endswith(f"its manifest says {kept.manifest['sha256']}: the file changed "
                            "after the import; import it again")
    assert in_chinese.startswith(f"导入的背景数据库 hand {kept.version}：{kept.path} 的 SHA-256 为 ")
    assert in_chinese.endswith("文件在导入后被改动，请重新导入")

