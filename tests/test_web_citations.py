"""A factor's source read in the reader's language: the submission page's table of sources and
its lines, and the scan page's comparison (tests/test_web_scan.py), cite each factor by its
dataset's title and publisher from the manifest, ``title_zh``/``publisher_zh`` on a Chinese
page, the English on an English one (with the whole citation, which stays English: on a
Chinese page only on hover). A plugin's manifest without the Chinese fields is cited in
English; a dataset no plugin registers any more by its stored citation.

The titles and publishers below are those of lca_data/manifest.json (diesel_ipcc2006,
ipcc_ar6_gwp100) and lca_data/electricity/manifest.json (cn_grid_co2_mee)."""
from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from pathlib import Path

from flask import render_template_string

from footprint import Catalog, resultnames
from footprint.engine.registry import DatasetVersion, Registry
from footprint.resultnames import ResultNames
from footprint.usecases import submissions as subs

ROOT = Path(__file__).resolve().parent.parent
TEA = ROOT / "tests" / "example_tea" / "footprint_tea" / "data"


def bom(make_bom):
    return make_bom(lines=[
        {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"},
        {"input": "diesel", "amount": 10, "unit": "kg", "stage": "distribution"}])


def words(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def factor_rows(page: str) -> dict[str, str]:
    """The text of each row of the sources table, by its factor's process id."""
    table = re.search(r'<table id="factors">(.*?)</table>', page, re.S).group(1)
    rows = dict(re.findall(r'<tr id="source-([^"]+)">(.*?)</tr>', table, re.S))
    method = re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], re.S)
    return {**{k: words(v) for k, v in rows.items()}, "method": words(method[-1])}


def line_sources(page: str) -> dict[str, str]:
    """The publisher each line's factor names, by the factor's process id."""
    return {process: words(text) for process, text in
            re.findall(r'<a href="#source-([^"]+)">(.*?)</a>', page, re.S)}


def test_the_sources_are_cited_in_the_readers_language(service, clients, make_bom):
    sub, _ = subs.create_submission(service.db, service.app.extensions["footprint_engine"],
                                    service.people["orchard"], bom(make_bom))
    client = clients["orchard"]
    url = f"/submissions/{sub['id']}"
    zh = client.get(url).get_data(as_text=True)  # Chinese is the default
    rows = factor_rows(zh)
    assert rows["diesel"].startswith(
        "柴油燃烧 diesel 3.1863 kg CO₂/kg 柴油燃烧，CO2 · 政府间气候变化专门委员会（IPCC） "
        "[ diesel_ipcc2006 ；")  # the parts of the note apart as Chinese writes them
    assert "中国电网电力 CO2 排放因子：全国、区域电网及各省（基于位置） · " \
        "中华人民共和国生态环境部；国家统计局 [ cn_grid_co2_mee ；" \
        in rows["electricity/location/CN-SC/2022"]
    assert "IPCC 第六次评估报告（AR6）100 年全球增温潜势（GWP100，默认） · " \
        "政府间气候变化专门委员会（IPCC） [ ipcc_ar6_gwp100 ；" in rows["method"]
    # the English citation is there for an expert, on hover only
    assert re.search(r'<cite title="Intergovernmental Panel on Climate Change: IPCC 2006 '
                     r'Guidelines Vol. 2 Ch. 1: [^"]*">柴油燃烧，CO2</cite>', zh)
    shown = " ".join(rows.values())
    for english in ("Intergovernmental", "Diesel combustion", "Ministry", "Guidelines"):
        assert english not in shown, english
    assert line_sources(zh) == {"diesel": "政府间气候变化专门委员会（IPCC）",
                                "electricity/location/CN-SC/2022":
                                "中华人民共和国生态环境部；国家统计局"}

    client.get("/lang/en")
    en = client.get(url).get_data(as_text=True)
    rows = factor_rows(en)
    assert "Diesel combustion, CO2 Intergovernmental Panel on Climate Change: IPCC 2006 " \
        "Guidelines Vol. 2 Ch. 1: 20.2 kg C/GJ x 44/12 = 74.1 kg CO2/GJ;" in rows["diesel"]
    assert "China grid electricity CO2 emission factors, national, regional grids and " \
        "provinces (location-based) Ministry of Ecology and Environment of the PRC; " \
        "National Bureau of Statistics: " in rows["electricity/location/CN-SC/2022"]
    assert rows["method"].startswith("Characterisation ar6 IPCC AR6 GWP100 (default) "
                                     "Intergovernmental Panel on Climate Change: IPCC AR6")
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(rows.values()))
    assert line_sources(en) == {"diesel": "Intergovernmental Panel on Climate Change",
                                "electricity/location/CN-SC/2022":
                                "Ministry of Ecology and Environment of the PRC; "
                                "National Bureau of Statistics"}


def tea_registry() -> Registry:
    """A registry that knows one dataset of a third-party plugin's manifest, which has no
    title_zh or publisher_zh (tests/example_tea)."""
    catalog = Catalog("footprint_tea", folder="", root=TEA)
    sha256 = hashlib.sha256((TEA / "fuelwood_combustion.csv").read_bytes()).hexdigest()
    return Registry(catalogs=(catalog,), datasets=(DatasetVersion(
        "footprint_tea", "tea_fuelwood_ipcc2006", "IPCC-2006", sha256, "processes", False,
        "footprint_tea"),))


CITE = ('{% from "_cited.html" import cite with context %}'
        '{{ cite(cited_source, cited.get(cited_source.dataset), "tea/fuelwood") }}')


def test_a_manifest_without_chinese_is_cited_in_english_and_an_unknown_dataset_by_its_citation(
        service):
    registry = tea_registry()
    tea = {"dataset": "tea_fuelwood_ipcc2006",
           "citation": "Intergovernmental Panel on Climate Change: IPCC 2006 Guidelines"}
    gone = {"dataset": "a_library_since_removed", "citation": "Sichuan study 2024: Table 3"}
    result = {"factors": [{"process": "tea/fuelwood", "source": tea},
                          {"process": "lib:x/al", "source": gone}],
              "method": {"source": {"dataset": "not_registered", "citation": "AR6"}}}
    cited = resultnames.cited_datasets(result, ResultNames.of(result, registry))
    assert list(cited) == ["tea_fuelwood_ipcc2006"]
    assert "title_zh" not in cited["tea_fuelwood_ipcc2006"]
    with service.app.test_request_context(headers={"Accept-Language": "zh"}):
        chinese = [render_template_string(CITE, cited_source=s, cited=cited) for s in (tea, gone)]
    with service.app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_template_string(CITE, cited_source=tea, cited=cited)
    title = "Fuelwood (wood/wood waste) burned for drying tea, biogenic CO2"
    assert chinese == [f'<cite title="{tea["citation"]}">{title}</cite> · '
                       "Intergovernmental Panel on Climate Change",
                       "<cite>Sichuan study 2024: Table 3</cite>"]
    assert english == f'<cite>{title}</cite><br><span class="small">{tea["citation"]}</span>'
    # the line's publisher: the citation's own, in both languages
    assert resultnames.publisher(tea, registry.manifest_entry(tea["dataset"])) == {
        "name_zh": "Intergovernmental Panel on Climate Change",
        "name_en": "Intergovernmental Panel on Climate Change"}
    assert resultnames.publisher(gone, registry.manifest_entry(gone["dataset"])) == {
        "name_zh": "Sichuan study 2024", "name_en": "Sichuan study 2024"}


def test_every_shipped_dataset_has_its_title_and_publisher_in_chinese(registry):
    """Each dataset the built-in plugins register, in Chinese: a title_zh and publisher_zh
    with Chinese in them."""
    for dataset in registry.datasets:
        entry = registry.manifest_entry(dataset.id)
        for field in ("title_zh", "publisher_zh"):
            assert re.search(r"[\u4e00-\u9fff]", entry.get(field, "")), (dataset.id, field)


MATERIALS = ROOT / "lca_data" / "materials"


def test_every_note_of_the_material_library_has_its_chinese_beside_it():
    """A row's note (its caveat) is in the manifest's notes_zh under the process the row is
    registered as, and nothing else is: a Chinese page never shows a note a row lost or one
    the rows never had."""
    manifest = json.loads((MATERIALS / "manifest.json").read_text(encoding="utf-8"))
    notes = 0
    for entry in manifest["datasets"]:
        with open(MATERIALS / entry["file"], encoding="utf-8", newline="") as f:
            noted = {f"materials/{row['key']}" for row in csv.DictReader(f) if row["note"]}
        assert set(entry.get("notes_zh", {})) == noted, entry["id"]
        for chinese in entry.get("notes_zh", {}).values():
            assert re.search(r"[\u4e00-\u9fff]", chinese), (entry["id"], chinese)
        assert bool(noted) == ("notes_zh_source" in entry), entry["id"]
        notes += len(noted)
    assert notes == 41


def test_the_chinese_notes_leave_the_data_version_as_it_was(registry):
    """The notes are text beside the data, like title_zh: the data version (the hash of every
    number and of each data file) is the one docs/pact.md shows, MEE-2023 (2d3a4693c521a1ea)."""
    assert registry.data_version.startswith("2d3a4693c521a1ea")
    assert registry.data_version_name == "MEE-2023"


def test_a_chinese_page_shows_a_factors_note_in_chinese(service, clients, make_bom):
    """The PP cover of docs/materials.md (DESNZ 2025, "no China PP resin factor found"): its
    note in Chinese under its source on a Chinese page; the English page keeps it in the
    citation; the grid factor, whose manifest has no notes, shows none."""
    bom = make_bom(lines=[
        {"input": "materials/pp", "amount": 0.2, "unit": "kg", "stage": "raw_materials"},
        {"input": "electricity", "amount": 10, "unit": "kWh", "stage": "production"}])
    sub, _ = subs.create_submission(service.db, service.app.extensions["footprint_engine"],
                                    service.people["orchard"], bom)
    client = clients["orchard"]
    url = f"/submissions/{sub['id']}"
    zh = client.get(url).get_data(as_text=True)
    row = re.search(r'<tr id="source-materials/pp">(.*?)</tr>', zh, re.S).group(1)
    assert '<span class="small factor-note">备注：未找到中国的聚丙烯树脂因子</span>' in row
    assert zh.count("factor-note") == 1  # the grid factor has none
    client.get("/lang/en")
    en = client.get(url).get_data(as_text=True)
    assert "factor-note" not in en
    row = re.search(r'<tr id="source-materials/pp">(.*?)</tr>', en, re.S).group(1)
    assert "no China PP resin factor found" in row
