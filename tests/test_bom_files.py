"""BOM files (footprint/bomfiles.py) read by `footprint calc | validate` as the web's upload
reads them: CSV (UTF-8 or GB18030) and XLSX with a header block and the lines, every problem
of a file in one round at its row and column.

Factors (see tests/test_cli.py): Sichuan grid 2022 0.1404 kg CO2/kWh, diesel 3.1863 kg CO2/kg (74.1 x 43.0 / 1000),
road freight 0.116 kg CO2/tkm.
"""
from __future__ import annotations

import io
import json
import math
import random
import zipfile
from pathlib import Path

import pytest

from footprint.bom import parse_bom
from footprint.bomfiles import read_bom_bytes
from footprint.errors import InvalidInput

SAMPLES = Path(__file__).resolve().parent.parent / "lca_data" / "samples"

HEADER = ("产品名称,齿轮毛坯\n声明单位,1,piece\n地区,CN-SC\n因子年份,2022\n\n")
LINES = ("投入,数量,单位,阶段,备注\n"
         "electricity,100,kWh,production,metered\n"
         "diesel,3,kg,production,forklifts\n")
# 100 kWh x 0.1404 + 3 kg x 3.1863 = 14.04 + 9.5589
LINES_TOTAL = 23.5989


def xlsx(rows) -> bytes:
    from openpyxl import Workbook
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(content: bytes, name="bom.csv", header=None) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        read_bom_bytes(name, content, header)
    return [str(p) for p in caught.value.problems]


# -- the reader --------------------------------------------------------------------------------

def test_a_header_block_and_the_lines():
    found = read_bom_bytes("bom.csv", (HEADER + LINES).encode())
    assert found.bom == {
        "product": {"name": "齿轮毛坯"}, "declared_unit": {"amount": 1, "unit": "piece"},
        "region": "CN-SC", "factor_year": 2022,
        "lines": [{"input": "electricity", "amount": 100, "unit": "kWh",
                   "stage": "production", "note": "metered"},
                  {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production",
                   "note": "forklifts"}]}
    # the lines' header row is row 6 (row 5 is blank): the lines are rows 7 and 8
    assert found.rows == [7, 8]


def test_chinese_values_pass_through_as_written():
    content = ("地区,四川\n投入,数量,单位,阶段\n电力,100,千瓦时,生产\n"
               "排放:N2O,1,千克,生产\n").encode("gb18030")
    found = read_bom_bytes("bom.csv", content)
    assert found.bom["region"] == "四川"
    assert found.bom["lines"] == [
        {"input": "电力", "amount": 100, "unit": "千瓦时", "stage": "生产"},
        {"emission": "N2O", "amount": 1, "unit": "千克", "stage": "生产"}]


def test_the_file_wins_over_the_form_and_the_form_fills_in():
    form = {"product": {"name": "from the form", "category": "generic"},
            "declared_unit": {"amount": 5, "unit": "kg"}, "region": "CN-CQ"}
    found = read_bom_bytes("bom.csv", ("地区,CN-SC\n声明单位,2\n" + LINES).encode(), form)
    assert found.bom["region"] == "CN-SC"
    assert found.bom["product"] == {"name": "from the form", "category": "generic"}
    assert found.bom["declared_unit"] == {"amount": 2, "unit": "kg"}  # the unit from the form


def test_chinese_and_english_names_side_by_side():
    found = read_bom_bytes("b.csv", ('产品名称,"蒲江柑橘, 装箱"\n英文名称,Citrus\n' + LINES)
                           .encode())
    assert found.bom["product"] == {"name": "Citrus", "name_zh": "蒲江柑橘, 装箱"}


def test_category_parameters_in_the_header_block_make_the_sample_bom():
    """The Pujiang packed-orange sample, written as a bookkeeper's sheet, is the same BOM."""
    sample = json.loads((SAMPLES / "oranges_pujiang_packed.json").read_text(encoding="utf-8"))
    rows = [["产品名称", sample["product"]["name_zh"]], ["英文名称", sample["product"]["name"]],
            ["产品编号", sample["product"]["id"]], ["产品类别", "oranges"],
            ["声明单位", "1 kg"], ["地区", "CN-SC"], ["因子年份", 2022]]
    for name, value in sample["parameters"].items():
        if isinstance(value, list):
            for n, entry in enumerate(value, 1):
                rows += [[f"参数.{name}.{n}.{key}", v] for key, v in entry.items()]
        else:
            rows.append([f"参数.{name}", value])
    rows += [[], ["投入", "数量", "单位", "阶段", "备注"]]
    rows += [[line["input"], line["amount"], line["unit"], line["stage"], line["note"]]
             for line in sample["lines"]]
    assert read_bom_bytes("pujiang.xlsx", xlsx(rows)).bom == sample


def test_every_problem_of_a_file_in_one_round():
    content = ("产品名称,齿轮\n地区,CN-SC\nregoin,CN-SC\n声明单位,1 piece\n\n"
               "input,amount,unit,stage,remarks\n"
               "electricity,100,kwh,production,x\n"
               "diesel,abc,kg,production,\n").encode()
    found = problems(content)
    assert found[0].startswith('row 3 (regoin): field "regoin" unknown, did you mean "region"?')
    assert found[1].startswith('row 6, column remarks: column "remarks" unknown')
    assert 'row 7, column unit: unit "kwh" unknown, did you mean "kWh"?' in found
    assert 'row 8, column amount: must be a number, not "abc"' in found
    assert len(found) == 4


def test_header_block_problems_at_their_row():
    found = problems('产品名称,"a",b\n产品名称,c\n地区\n'.encode() + LINES.encode())
    assert found[:3] == [
        'row 1 (产品名称): 2 values where one is expected (in a CSV file a value with a comma '
        'is quoted: "a, b")',
        'row 2 (产品名称): "产品名称" is given twice (also row 1 (产品名称))',
        "row 3 (地区): no value: write it in the next cell"]
    # and in the same round, what the BOM then lacks
    assert "product: Missing data for required field." in found[3:]
    assert problems("参数.fertilisers.0.product,urea\n".encode() + LINES.encode())[:1] == [
        "row 1 (参数.fertilisers.0.product): a parameter is written parameters.<name>, or "
        "parameters.<list>.<number>.<name> for a list"]


def test_a_core_problem_of_a_header_field_is_said_at_its_row(engine):
    from footprint.bom import parse_bom
    found = read_bom_bytes("b.csv", ("产品名称,齿轮\n声明单位,1 piece\n地区,CN-XX\n" + LINES)
                           .encode())
    with pytest.raises(InvalidInput) as caught, found.located():
        engine.resolve(parse_bom(found.bom))
    assert [p.where for p in caught.value.problems] == ["row 3 (地区)"]


# The header block (rows 1-4), a blank row and the header row (row 6) above lines on rows 7 to
# 11: the unknown inputs on rows 8 and 10 are found when the names are resolved, a pass after
# the one that finds row 9's stage and amount and row 11's unit; the file has the stage's
# column before the amount's.
ROWS_8_TO_11 = [["产品名称", "齿轮毛坯"], ["声明单位", 1, "piece"], ["地区", "CN-SC"],
                ["因子年份", 2022], [],
                ["投入", "阶段", "数量", "单位"],
                ["electricity", "production", 100, "kWh"],
                ["gizmo", "production", 2, "kg"],
                ["diesel", "manufacture", "abc", "kg"],
                ["widget", "production", 2, "kg"],
                ["diesel", "production", 1, "kgs"]]
IN_ROW_ORDER = ["row 8, column 投入", "row 9, column 阶段", "row 9, column 数量",
                "row 10, column 投入", "row 11, column 单位"]


def rows_file(name: str, rows) -> bytes:
    if name.endswith(".xlsx"):
        return xlsx(rows)
    return "\n".join(",".join(map(str, row)) for row in rows).encode()


@pytest.mark.parametrize("name", ["bom.csv", "bom.xlsx"])
def test_a_files_problems_are_said_in_row_order_then_column_order(engine, name):
    from footprint.bom import parse_bom
    found = read_bom_bytes(name, rows_file(name, ROWS_8_TO_11))
    with pytest.raises(InvalidInput) as caught, found.located():
        engine.resolve(parse_bom(found.bom, keep_going=True))
    assert [p.where for p in caught.value.problems] == IN_ROW_ORDER


def test_layout_errors_that_stop_reading():
    assert problems(b"input,unit,stage\ndiesel,kg,production\n") == [
        "row 1: the header row lacks the column(s) amount"]
    assert problems(b"input,amount,unit,stage\n") == [
        "file: the file has a header row but no BOM lines"]
    assert problems(b"", "x.csv") == ["file: choose a JSON, CSV or XLSX file to upload"]
    assert problems("a,b\n".encode("utf-16"), "x.csv") == [
        "file: the CSV file is neither UTF-8 nor GB18030 text"]


def test_lines_ended_by_a_carriage_return_alone():
    # Excel for Mac's "CSV (Macintosh)" ends each line with \r alone
    assert read_bom_bytes("bom.csv", (HEADER + LINES).replace("\n", "\r").encode()).bom == \
        read_bom_bytes("bom.csv", (HEADER + LINES).encode()).bom
    # a line break inside a quoted cell stays in the cell
    found = read_bom_bytes("bom.csv", (LINES + 'diesel,1,kg,production,"two\r\nlines"\r\n')
                           .encode())
    assert found.bom["lines"][2]["note"] == "two\r\nlines"


def test_numbers_typed_full_width_in_a_file():
    found = read_bom_bytes("bom.csv", ("投入,数量,单位,阶段\n"
                                       "electricity,１００,kWh,production\n"
                                       "diesel,３．５,kg,production\n").encode())
    assert [line["amount"] for line in found.bom["lines"]] == [100, 3.5]


def test_a_gtin_typed_full_width_in_a_file():
    # the editor reads ０６９０１２３４５６７８９２ as 06901234567892; a file's 商品条码 cell
    # the same (GTIN-13 6901234567892 padded to 14 digits by its leading zero)
    found = read_bom_bytes("bom.csv", (HEADER.replace("\n\n", "\n商品条码,０６９０１２３４５６７８９２\n\n")
                                       + LINES).encode())
    assert parse_bom(found.bom).product["gtin"] == "06901234567892"


def test_a_quotation_mark_never_closed():
    # line 4 opens a cell it never closes: lines 4 to 6,004 (6,000 x 25 characters) run into
    # it, past the 131,072 characters Python's csv module reads in one cell
    content = LINES + 'electricity,1,kWh,production,"open\n' + "diesel,1,kg,production,x\n" * 6000
    assert problems(content.encode()) == [
        'line 4 of the file: a cell of more than 131,072 characters starts on this line: most '
        'likely a quotation mark (") opens a cell and is never closed']


def zipped(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_without_a_workbook_in_it():
    word = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"})
    tables = zipped({"lines.csv": LINES})
    for content in (word, tables):
        assert problems(content, "bom.xlsx") == [
            "file: a ZIP archive, but no Excel workbook is in it (a Word file, or other files "
            "zipped?): save the table from Excel or WPS as .xlsx"]


DAMAGED = ("file: the workbook is damaged: its first sheet cannot be read; open it in Excel or "
           "WPS and save it again as .xlsx")


def test_a_workbook_damaged_inside_its_archive():
    good = xlsx([["input", "amount", "unit", "stage"], ["electricity", 100, "kWh", "production"]])
    members = {n: zipfile.ZipFile(io.BytesIO(good)).read(n)
               for n in zipfile.ZipFile(io.BytesIO(good)).namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    cut_sheet = zipped({**members, sheet: members[sheet][:len(members[sheet]) // 2]})
    cut_workbook = zipped({**members, "xl/workbook.xml": members["xl/workbook.xml"][:100]})
    assert problems(cut_sheet, "bom.xlsx") == [DAMAGED]
    assert problems(cut_workbook, "bom.xlsx") == [DAMAGED]


def test_every_damaged_workbook_is_refused_or_read():
    """Bytes changed anywhere in a workbook, or its archive cut short: each is read or refused
    with a located problem, never an error of a library (a 500 on the web)."""
    good = xlsx([["input", "amount", "unit", "stage"]]
                + [["electricity", n, "kWh", "production"] for n in range(1, 30)])
    rng = random.Random(20261206)
    outcomes = {"read": 0, "refused": 0}
    for trial in range(300):
        damaged = bytearray(good)
        if trial % 3 == 0:
            damaged = damaged[:rng.randrange(len(good))]
        else:
            for _ in range(rng.randint(1, 6)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            read_bom_bytes("bom.xlsx", bytes(damaged), None)
            outcomes["read"] += 1
        except InvalidInput as refused:
            assert [p.where for p in refused.problems] and all(
                str(p) for p in refused.problems)
            outcomes["refused"] += 1
    assert outcomes["refused"] > 100  # the damage was real


# -- the command line ------------------------------------------------------------------------

def clean(result, code):
    assert result.exit_code == code, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_calc_reads_the_csv_the_web_reads(run, tmp_path):
    path = tmp_path / "gear.csv"
    path.write_bytes((HEADER + LINES).encode("gb18030"))  # as Excel in China saves it
    result = run("calc", path, "--json")
    clean(result, 0)
    out = json.loads(result.stdout)
    assert math.isclose(out["total_kg_co2e"], LINES_TOTAL, rel_tol=1e-6)
    assert out["product"]["name"] == "齿轮毛坯"
    valid = run("validate", path)
    clean(valid, 0)
    assert "valid (2 lines)" in valid.stdout


def test_the_chinese_csv_sample_is_the_json_sample(run):
    """The Pujiang packed orange written as a co-operative's bookkeeper would (柑橘（鲜果）, 四川,
    千克, 复合肥, 包装厂门口（含纸箱和运输）, 电力, 千瓦时, 生产) is the same BOM as the JSON sample
    in codes: the same reproducibility hash, so the same footprint."""
    answers = []
    for name in ("oranges_pujiang_packed_zh.csv", "oranges_pujiang_packed.json"):
        result = run("calc", SAMPLES / name, "--json")
        clean(result, 0)
        answers.append(json.loads(result.stdout))
    csv, json_sample = answers
    assert csv["reproducibility_hash"] == json_sample["reproducibility_hash"]
    assert csv["total_kg_co2e"] == json_sample["total_kg_co2e"]
    assert csv["category"]["id"] == "oranges" and csv["region"] == "CN-SC"

def test_names_written_with_half_width_brackets_and_commas(run, tmp_path):
    """A keyboard in half-width mode types brackets and commas as ASCII: 柑橘(鲜果) and
    电力(电网,千瓦时) are the names 柑橘（鲜果） and 电力（电网，千瓦时）, as the pages write them: the
    same BOM in codes as the JSON sample."""
    sample = (SAMPLES / "oranges_pujiang_packed_zh.csv").read_text(encoding="utf-8")
    half_width = sample.replace("产品类别,柑橘（鲜果）", "产品类别,柑橘(鲜果)").replace(
        "参数.gate,包装厂门口（含纸箱和运输）", "参数.gate,包装厂门口(含纸箱和运输)").replace(
        "\n电力,0.03", '\n"电力(电网,千瓦时)",0.03')
    assert half_width.count("(") == sample.count("(") + 3
    path = tmp_path / "oranges.csv"
    path.write_text(half_width, encoding="utf-8")
    answers = []
    for bom in (path, SAMPLES / "oranges_pujiang_packed.json"):
        result = run("calc", bom, "--json")
        clean(result, 0)
        answers.append(json.loads(result.stdout))
    assert answers[0]["reproducibility_hash"] == answers[1]["reproducibility_hash"]


def test_calc_reads_xlsx(run, tmp_path):
    path = tmp_path / "gear.xlsx"
    path.write_bytes(xlsx([["产品名称", "齿轮毛坯"], ["声明单位", 1, "piece"], ["地区", "CN-SC"],
                           ["因子年份", 2022], [],
                           ["input", "amount", "unit", "stage", "note"],
                           ["electricity", 100, "kWh", "production", None],
                           ["road_freight", 12, "tkm", "distribution", "60 km"]]))
    result = run("calc", path, "--json")
    clean(result, 0)
    # 100 x 0.1404 + 12 x 0.116 = 14.04 + 1.392
    assert math.isclose(json.loads(result.stdout)["total_kg_co2e"], 15.432, rel_tol=1e-6)


def test_set_fills_in_and_wins(run, tmp_path):
    lines = tmp_path / "lines.csv"
    lines.write_text(LINES, encoding="utf-8")
    missing = run("validate", lines)
    clean(missing, 2)
    assert "product: Missing data for required field." in missing.stderr
    given = run("calc", lines, "--json", "--set", "产品名称=齿轮毛坯", "--set",
                "声明单位=1 piece", "--set", "region=CN-SC", "--set", "factor_year=2022")
    clean(given, 0)
    assert math.isclose(json.loads(given.stdout)["total_kg_co2e"], LINES_TOTAL, rel_tol=1e-6)
    # --set wins over the file: Shandong 2022 is another grid factor than Sichuan's
    full = tmp_path / "gear.csv"
    full.write_text(HEADER + LINES, encoding="utf-8")
    moved = run("calc", full, "--json", "--set", "地区=CN-SD")
    clean(moved, 0)
    assert json.loads(moved.stdout)["region"] == "CN-SD"
    wrong = run("calc", full, "--set", "地区=CN-XX")
    clean(wrong, 2)
    assert "--set 地区" in wrong.stderr and "CN-XX" in wrong.stderr


def test_set_usage_errors(run, tmp_path):
    full = tmp_path / "gear.csv"
    full.write_text(HEADER + LINES, encoding="utf-8")
    clean(run("calc", full, "--set", "no equals sign"), 2)
    unknown = run("calc", full, "--set", "regoin=CN-SC")
    clean(unknown, 2)
    assert 'did you mean "region"?' in unknown.stderr
    json_file = run("calc", SAMPLES / "sichuan_machined_part.json", "--set", "地区=CN-SD")
    clean(json_file, 2)
    assert "--set is for CSV and XLSX files" in json_file.stderr


def test_an_amount_over_the_limit_through_the_command_line(run, tmp_path):
    path = tmp_path / "absurd.csv"
    path.write_text(HEADER + "投入,数量,单位,阶段\nelectricity,1e308,kWh,production\n",
                    encoding="utf-8")
    for command in ("calc", "validate"):
        result = run(command, path)
        clean(result, 2)
        assert "row 7, column 数量: 1\u00a0×\u00a010³⁰⁸ exceeds the limit of 1,000,000,000" in \
            result.stderr
    absurd = json.loads((SAMPLES / "sichuan_machined_part.json").read_text("utf-8"))
    absurd["lines"][0]["amount"] = 1e308
    json_file = tmp_path / "absurd.json"
    json_file.write_text(json.dumps(absurd), encoding="utf-8")
    result = run("calc", json_file)
    clean(result, 2)
    assert "line 1 (lines[0].amount): 1\u00a0×\u00a010³⁰⁸ exceeds the limit of 1,000,000,000" in \
        result.stderr


def test_problems_of_a_csv_through_the_command_line(run, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "投入,数量,单位,阶段\nelectricity,100,kwh,production\n"
                    "disel,3,kg,production\n", encoding="utf-8")
    result = run("validate", path)
    clean(result, 2)
    assert "invalid JSON" not in result.stderr
    assert 'row 7, column 单位: unit "kwh" unknown, did you mean "kWh"?' in result.stderr
    fixed = tmp_path / "typo.csv"
    fixed.write_text(HEADER + "投入,数量,单位,阶段\nelectricity,100,kWh,production\n"
                     "disel,3,kg,production\n", encoding="utf-8")
    result = run("validate", fixed)
    clean(result, 2)
    assert ('row 8, column 投入: input "disel" unknown, did you mean "Diesel, burned in '
            'machinery or a boiler"?') in result.stderr
