"""The platform's own factor libraries: a factor table imported as a named, versioned dataset.

Each test works in a home of its own: an imported library changes the data version, and the
session's home must keep the shipped one.
"""
from __future__ import annotations

import html
import io
import json
import re

import pytest
from openpyxl import Workbook

from footprint import InvalidInput
from footprint.errors import said
from footprint.engine import Engine
from footprint.engine.dataversions import build_registry
from footprint.plugins import get_plugin_manager
from footprint.settings import using_home
from footprint.factortable import read_table
from footprint.usecases import libraries

from .conftest import SAMPLES, require_shared

HEADER = ["编号", "中文名称", "英文名称", "单位", "数值", "气体", "GWP", "系统边界", "地理范围",
          "年份", "来源", "可信度", "下限", "上限", "备注"]
ROWS = [
    ["al-sheet", "铝板(川)", "Aluminium sheet, Sichuan", "kg", 8.6, "CO2e", "AR6",
     "cradle-to-gate", "CN-SC", 2023, "Sichuan aluminium study 2024, Table 3", "中", 7.9, 9.4, ""],
    ["pp-cover", "聚丙烯注塑件", "PP injection moulded part", "千克", 2.1, "二氧化碳当量",
     "AR5", "cradle-to-gate", "CN", 2022, "Plastics report 2023, p. 12", "low", "", "", ""],
    ["biogas-leak", "沼气逸散", "Biogas leakage", "m3", 0.01, "CH4", "", "gate-to-gate", "CN",
     2021, "Digester survey 2021, Table 2", "medium", "", "", "per m³ of biogas"],
]


def csv_bytes(rows, header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(f'"{c}"' if "," in str(c) else str(c) for c in row)
                                  for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([None if c == "" else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bom(*lines, **overrides):
    return {"product": {"name": "housing", "category": "generic"},
            "declared_unit": {"amount": 1, "unit": "piece"}, "region": "CN-SC",
            "lines": list(lines), **overrides}


def line(input_, amount, unit):
    return {"input": input_, "amount": amount, "unit": unit, "stage": "raw_materials"}


@pytest.fixture
def home(tmp_path):
    return tmp_path / "platform"


def imported(home, rows=ROWS, version="1", name="shop", kind="csv"):
    content = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    return libraries.import_library(home, f"factors.{kind}", content, name, version,
                                    by="test administrator")


def calculate(home, the_bom, data_version=None):
    from footprint.bom import parse_bom
    return Engine(home=home, data_version=data_version).calculate(parse_bom(the_bom))


# -- a library's factors in a footprint ----------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_imported_library_computes_a_bom_by_hand(home, kind):
    imported(home, kind=kind)
    result = calculate(home, bom(line("library/shop/al-sheet", 2, "kg"),
                                 line("聚丙烯注塑件", 500, "g"),
                                 line("library/shop/biogas-leak", 10, "m3")))
    # 2 kg x 8.6 = 17.2; 0.5 kg x 2.1 = 1.05 (the Chinese name read as the input);
    # 10 m3 x 0.01 kg CH4 = 0.1 kg CH4 x 29.8 (AR6 fossil CH4) = 2.98
    # total 17.2 + 1.05 + 2.98 = 21.23 kg CO2e
    assert result["total_kg_co2e"] == pytest.approx(21.23, rel=1e-6)
    by_line = {i["line"]: i for i in result["by_input"]}
    assert by_line[2]["factor"] == "library/shop/pp-cover"
    assert by_line[2]["kg_co2e"] == pytest.approx(1.05, rel=1e-6)
    assert result["by_gas"]["CH4_fossil"] == pytest.approx(2.98, rel=1e-6)  # in kg CO2e
    al = next(f for f in result["factors"] if f["process"] == "library/shop/al-sheet")
    assert al["plugin"] == "libraries"
    assert "Sichuan aluminium study 2024, Table 3" in al["source"]["citation"]
    assert "gas scope: CO2e (AR6 GWP100)" in al["source"]["citation"]
    assert "range 7.9–9.4 kg CO2e/kg" in al["source"]["citation"]
    assert al["source"]["confidence"] == "medium"
    assert result["data_version_name"].endswith("+shop@1")
    # cited on a Chinese page by the platform's own words for a library it was given no
    # title or publisher for
    entry = Engine(home=home).registry.manifest_entry(al["source"]["dataset"])
    assert (entry["title"], entry["title_zh"]) == ("Factor library shop", "因子库 shop")
    assert (entry["publisher"], entry["publisher_zh"]) == ("this platform", "本平台")
    # and describes it in both languages (the public page of data sources): ROWS give one
    # CO2e factor of AR6, one of AR5 and one CH4 factor
    assert (entry["gas_scope"], entry["gas_scope_zh"]) == (
        "CO2e (AR6 GWP100): 1 factor; CO2e (AR5 GWP100): 1 factor; CH4 only: 1 factor",
        "CO2e（AR6 GWP100）：1 个因子；CO2e（AR5 GWP100）：1 个因子；仅 CH4：1 个因子")
    assert (entry["licence"], entry["licence_zh"]) == ("the platform's own", "平台自有")
    assert (entry["confidence_zh"], entry["geography_zh"]) == ("以各因子所注为准", "以各因子所注为准")


def test_the_machined_part_with_a_library_housing(home):
    """The material library's machined part with its aluminium housing taken from the
    platform's library instead: only that line changes."""
    imported(home)
    sample = json.loads((SAMPLES / "machined_part_materials.json").read_text("utf-8"))
    shipped = calculate(home, sample)
    housing = next(i for i, l in enumerate(sample["lines"]) if "alumin" in l["input"])
    amount_kg = sample["lines"][housing]["amount"]
    assert sample["lines"][housing]["unit"] == "kg"
    before = next(i["kg_co2e"] for i in shipped["by_input"] if i["line"] == housing + 1)
    sample["lines"][housing]["input"] = "library/shop/al-sheet"
    changed = calculate(home, sample)
    # the housing now weighs in at amount x 8.6 kg CO2e/kg; every other line is as it was
    assert changed["total_kg_co2e"] == pytest.approx(
        shipped["total_kg_co2e"] - before + amount_kg * 8.6, rel=1e-6)


def test_the_editor_and_the_factor_list_offer_the_library(home, run, monkeypatch):
    imported(home)
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    found = json.loads(run("factors", "--search", "铝板", "--json").stdout)["processes"]
    assert "library/shop/al-sheet" in {p["id"] for p in found}
    listed = run("library", "list")
    assert listed.exit_code == 0 and "shop" in listed.stdout and "3" in listed.stdout
    shown = run("library", "show", "shop")
    assert "library/shop/pp-cover" in shown.stdout
    assert "Plastics report 2023, p. 12" in shown.stdout


# -- versions and the data version ----------------------------------------------------------

def test_versions_are_kept_and_each_result_is_recalculated_with_its_own(home):
    before = calculate(home, bom(line("materials/steel_bof", 1, "kg")))
    imported(home, version="2025.1")
    newer = [list(r) for r in ROWS]
    newer[0][4] = 9.0  # the aluminium sheet republished
    imported(home, newer, version="2025.2")
    the_bom = bom(line("library/shop/al-sheet", 2, "kg"))
    current = calculate(home, the_bom)
    assert current["total_kg_co2e"] == pytest.approx(18.0, rel=1e-6)  # 2 x 9.0
    assert current["data_version_name"].endswith("+shop@2025.2")
    name = current["data_version_name"].replace("shop@2025.2", "shop@2025.1")
    first = calculate(home, the_bom, data_version=name)
    assert first["total_kg_co2e"] == pytest.approx(17.2, rel=1e-6)  # 2 x 8.6
    # a result from before any library: its data version still builds, without the library
    again = calculate(home, bom(line("materials/steel_bof", 1, "kg")),
                      data_version=before["data_version_name"])
    assert again["data_version"] == before["data_version"]
    assert again["reproducibility_hash"] == before["reproducibility_hash"]
    with pytest.raises(InvalidInput) as refused:
        calculate(home, the_bom, data_version=before["data_version_name"])
    assert refused.value.problems[0].where == "lines[0].input"
    assert said(refused.value.problems[0].message, "en") == (
        f"data version {before['data_version_name']} does not include library shop; a data "
        "version that names one of its versions does: shop@2025.1, shop@2025.2")


def test_importing_a_library_changes_the_data_version(home):
    pm = get_plugin_manager()
    with using_home(home):
        plain = build_registry(pm)
    imported(home)
    with using_home(home):
        with_library = build_registry(pm)
    assert plain.data_version != with_library.data_version
    assert with_library.data_version_name == f"{plain.data_version_name}+shop@1"


def test_a_version_is_never_replaced(home):
    imported(home)
    manifest = (home / "libraries" / "manifest.json").read_bytes()
    changed = [list(r) for r in ROWS]
    changed[0][4] = 9.0
    with pytest.raises(InvalidInput) as refused:
        imported(home, changed)
    assert refused.value.problems[0].where == "version"
    assert (home / "libraries" / "manifest.json").read_bytes() == manifest


# -- bad files: located errors, nothing changes -------------------------------------------------

BAD = [
    ["a", "铝板", "Aluminium", "kwh", 8.6, "CO2e", "AR6", "cradle-to-gate", "CN", 2023, "",
     "medium", "", "", ""],
    ["b", "铝板", "Steel", "kg", -1, "CO2e", "AR6", "cradle-to-gate", "CN", 2023,
     "Some survey, Table 1", "medium", "", "", ""],
]


def problems_of(exc) -> set:
    return {(said(p.where, "en"), said(p.message, "en")) for p in exc.value.problems}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_bad_table_is_refused_with_located_errors_and_nothing_changes(home, kind):
    imported(home)
    kept = {p: p.read_bytes() for p in (home / "libraries").rglob("*") if p.is_file()}
    with pytest.raises(InvalidInput) as refused:
        imported(home, BAD, version="2", kind=kind)
    found = problems_of(refused)
    assert ("row 2, column 来源", "missing: every factor needs its 来源") in found
    assert ("row 2, column 单位", 'unit "kwh" unknown, did you mean "kWh"?') in found
    assert ("row 3, column 数值",
            "-1 is negative: a factor is an emission, never below 0") in found
    assert ("row 3, column 中文名称",
            '"铝板" is already the 中文名称 of row 2: each factor needs its own') in found
    assert len(found) == 4
    after = {p: p.read_bytes() for p in (home / "libraries").rglob("*") if p.is_file()}
    assert after == kept


def test_a_table_without_a_source_column_is_refused(home):
    header = [h for h in HEADER if h != "来源"]
    rows = [[c for h, c in zip(HEADER, row) if h != "来源"] for row in ROWS]
    with pytest.raises(InvalidInput) as refused:
        libraries.import_library(home, "f.csv", csv_bytes(rows, header), "shop", "1", by="t")
    assert problems_of(refused) == {("row 1", "the header row has no column source (来源)")}
    assert not (home / "libraries" / "manifest.json").exists()


def test_a_co2e_value_names_its_gwp_set_and_a_range_holds_its_value(home):
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][6] = ""  # CO2e without GWP set
    rows[1][12], rows[1][13] = 2.5, 3.0  # 2.1 outside 2.5-3.0
    with pytest.raises(InvalidInput) as refused:
        imported(home, rows)
    assert problems_of(refused) == {
        ("row 2, column GWP", "a CO2e value names its GWP set (AR6, AR5, AR4, unstated)"),
        ("row 3, column 下限", "the range 2.5–3.0 does not hold the value 2.1")}


def test_the_command_line_exits_2_naming_rows_and_leaves_the_library(home, tmp_path, run,
                                                                     monkeypatch):
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    good, bad = tmp_path / "good.csv", tmp_path / "bad.xlsx"
    good.write_bytes(csv_bytes(ROWS))
    bad.write_bytes(xlsx_bytes(BAD))
    done = run("library", "import", good, "--name", "shop", "--version", "1")
    assert done.exit_code == 0, done.stderr
    assert "3 factors" in done.stdout and "shop@1" in done.stdout
    refused = run("library", "import", bad, "--name", "shop", "--version", "2")
    assert refused.exit_code == 2
    assert "row 2, column 单位" in refused.stderr and 'did you mean "kWh"' in refused.stderr
    assert [v["version"] for v in libraries.libraries(home)[0]["versions"]] == ["1"]
    again = run("library", "import", good, "--name", "shop", "--version", "1")
    assert again.exit_code == 2 and "never replaced" in again.stderr
    assert run("library", "import", good, "--name", "Shop!", "--version", "1").exit_code == 2


# -- the administration page -----------------------------------------------------------------

def test_an_administrator_imports_a_library_on_the_page(service, clients):
    admin = clients["admin"]
    page = admin.get("/admin/")
    assert "尚未导入因子库" in page.get_data(as_text=True)
    refused = admin.post("/admin/libraries", data={
        "name": "shop", "version": "1",
        "file": (io.BytesIO(csv_bytes(BAD)), "bad.csv")}, content_type="multipart/form-data")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "第 2 行 · 单位 列" in text and "缺失：每个因子都须填写来源" in text
    assert "为负数" in text
    assert libraries.libraries(service.home) == []
    done = admin.post("/admin/libraries", data={
        "name": "shop", "version": "1", "title": "车间因子库",
        "file": (io.BytesIO(xlsx_bytes(ROWS)), "factors.xlsx")},
        content_type="multipart/form-data")
    assert done.status_code == 302
    listed = admin.get("/admin/").get_data(as_text=True)
    assert "车间因子库" in listed and "library/shop/" in listed
    imported(service.home, version="2")  # no title given: the platform's own, in two languages
    assert libraries.libraries(service.home)[0]["title_zh"] == "因子库 shop"
    assert "<td data-label=\"标题\">因子库 shop</td>" in admin.get("/admin/").get_data(as_text=True)
    english = admin.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<td data-label=\"Title\">Factor library shop</td>" in english
    # a producer's editor offers the library's factors, and a BOM calculates with them
    editor = clients["orchard"].get("/producer/submissions/new").get_data(as_text=True)
    assert "library/shop/al-sheet" in editor
    assert "铝板(川)" in editor


# a PDF's opening as a PDF writer saves it: text, then binary marks, then a binary stream
PDF = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 9 /Filter /FlateDecode >>\nstream\n"
       b"x\x9c\x03\x00\x00\x00\x00\x01\nendstream\nendobj\n%%EOF\n")


def listed_problems(page: str) -> list[str]:
    """The problems a refused form lists, as read: "place: message"."""
    found = re.search(r'<ul class="problems" role="alert">(.*?)</ul>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item))
            for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []


# a PDF written without compression: text only, which read as CSV had a column "%PDF-1.4"
TEXT_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n%%EOF\n"


@pytest.mark.parametrize("filename, content", [
    ("factors.pdf", PDF), ("factors.csv", PDF), ("factors.xlsx", PDF), ("factors.pdf", TEXT_PDF),
    ("factors.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))],  # an Excel 97 workbook
    ids=["pdf", "pdf-named-csv", "pdf-named-xlsx", "text-only-pdf", "old-xls"])
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_by_what_it_holds(service, clients,
                                                                         filename, content):
    admin = clients["admin"]
    refused = admin.post("/admin/libraries", data={
        "name": "shop", "version": "1", "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")
    assert refused.status_code == 400
    assert listed_problems(refused.get_data(as_text=True)) == [
        f"文件：“{filename}”既不是 CSV 也不是 XLSX 表格：请在 Excel 或 WPS 中另存为 .xlsx 或 .csv 文件"]
    assert libraries.libraries(service.home) == []
    assert not (service.home / "libraries").exists() or \
        not any(p.is_file() and p.name != ".lock" for p in (service.home / "libraries").rglob("*"))
    admin.set_cookie("lang", "en")
    english = admin.post("/admin/libraries", data={
        "name": "shop", "version": "1", "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")
    assert listed_problems(english.get_data(as_text=True)) == [
        f'the file: "{filename}" is neither a CSV nor an XLSX table: save it from Excel or WPS '
        "as .xlsx or .csv"]


def test_the_import_form_s_problems_are_all_said_in_chinese(service, clients):
    admin = clients["admin"]
    refused = admin.post("/admin/libraries", data={
        "name": "shop", "version": "v 1", "title": "车间\u202e因子库",
        "file": (io.BytesIO(csv_bytes(ROWS)), "factors.csv")}, content_type="multipart/form-data")
    assert refused.status_code == 400
    problems = listed_problems(refused.get_data(as_text=True))
    assert [p.split("：")[0] for p in problems] == ["标题", "版本"]
    assert problems[1] == ("版本：“v 1”不是有效版本：只能用字母、数字、“.”、“_”和“-”，"
                           "最多 32 个字符")
    # a file named .xlsx that is a damaged ZIP archive: no English reason left in the sentence
    damaged = admin.post("/admin/libraries", data={
        "name": "shop", "version": "1",
        "file": (io.BytesIO(xlsx_bytes(ROWS)[:200]), "factors.xlsx")},
        content_type="multipart/form-data")
    assert damaged.status_code == 400
    assert listed_problems(damaged.get_data(as_text=True)) == [
        "文件：不是 XLSX 工作簿：XLSX 文件是 ZIP 压缩包，此文件不是，或已损坏"]
    assert libraries.libraries(service.home) == []


def test_a_csv_is_read_as_csv_whatever_its_name_says(home):
    libraries.import_library(home, "factors.txt", csv_bytes(ROWS), "shop", "1", by="t")
    [library] = libraries.libraries(home)
    assert library["versions"][-1]["factors"] == 3
    assert (home / "libraries" / "shop" / "1.source.csv").read_bytes() == csv_bytes(ROWS)


def test_only_an_administrator_imports_a_library(service, clients):
    for who in ("orchard", "auditor", "reviewer"):
        answer = clients[who].post("/admin/libraries", data={
            "name": "shop", "version": "1",
            "file": (io.BytesIO(csv_bytes(ROWS)), "f.csv")}, content_type="multipart/form-data")
        assert answer.status_code == 403, who
    assert libraries.libraries(service.home) == []


# -- the worked example of docs/libraries.md --------------------------------------------------

WALLS = SAMPLES / "library" / "walls.csv"


def test_the_worked_example_imports_and_computes_by_hand(home):
    libraries.import_library(home, WALLS.name, WALLS.read_bytes(), "walls", "2019",
                             by="test administrator", title="墙体材料因子库")
    panel = json.loads((SAMPLES / "library" / "wall_panel.json").read_text("utf-8"))
    result = calculate(home, panel)
    # GB/T 51366-2019 表D.0.1 / 表E.0.1 as cited in the library and the material library:
    #   shale hollow brick 2.4 m3 x 204 kg CO2e/m3   = 489.6
    #   cement 150 kg x 735 kg CO2e/t / 1000         = 110.25
    #   sand (砂) 600 kg = 0.6 t x 2.51 kg CO2e/t     =   1.506
    #   slaked lime 50 kg = 0.05 t x 747 kg CO2e/t   =  37.35
    #   18 t truck 160 tkm x 0.129 kg CO2e/tkm       =  20.64
    #   total                                          659.346 kg CO2e
    assert result["total_kg_co2e"] == pytest.approx(659.346, rel=1e-6)
    assert result["by_stage"]["distribution"] == pytest.approx(20.64, rel=1e-6)
    assert result["data_version_name"].endswith("+walls@2019")
    # the title the administrator gave is the library's in every language
    entry = Engine(home=home).registry.manifest_entry("library_walls")
    assert entry["title"] == "墙体材料因子库" and "title_zh" not in entry


def test_the_worked_example_cites_each_value_as_the_reference_transcribes_it():
    """Each value of the sample library is the figure MATERIALS.md transcribes from GB/T
    51366-2019 表D.0.1, in the row the library cites."""
    rows = {}
    for text in require_shared("reference", "MATERIALS.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in text.split("|")]
        if len(cells) > 2 and re.fullmatch(r"[a-z0-9_]+", cells[1]):
            rows[cells[1]] = text
    for factor in read_table(WALLS.name, WALLS.read_bytes()):
        cited = re.search(r"row (\w+)", factor.source).group(1)
        assert cited in rows, factor.id
        assert re.search(rf"(?<![\d.]){factor.value:g}(?![\d])", rows[cited]), factor.id
        assert "GBT51366" in rows[cited] and "表D.0.1" in rows[cited]


def test_a_backup_carries_the_libraries_and_a_restore_brings_them_back(service, tmp_path):
    """Results name their library versions: a restored platform must still have them."""
    from footprint.usecases import backup, restore
    imported(service.home)
    archive = tmp_path / "platform.tar"
    passphrase = "a long enough passphrase"
    summary = backup.create(service.home, archive, passphrase)
    assert {"libraries/manifest.json", "libraries/shop/1.csv"} <= {m.path for m in
                                                                    summary.members}
    restored = tmp_path / "restored"
    restore.restore(archive, restored, passphrase)
    assert libraries.libraries(restored) == libraries.libraries(service.home)
    assert calculate(restored, bom(line("library/shop/al-sheet", 1, "kg")))[
        "total_kg_co2e"] == pytest.approx(8.6, rel=1e-6)
