"""The command line: results and listings as worked out by hand from the cited factors, bad
input exits 2 with the problem on stderr (never a traceback), unknown options exit 2.

Factors used below (see lca_data/manifest.json for the sources):
  Sichuan grid 2022      0.1404 kg CO2/kWh    MEE announcement 2024 No. 33 (2022 data)
  Shandong grid 2023     0.6191 kg CO2/kWh    MEE announcement 2025 No. 47 (2023 data)
  Southwest grid 2022    0.2268 kg CO2/kWh    MEE announcement 2024 No. 33 (stands in for Tibet)
  China market 2022      0.5856 kg CO2/kWh    MEE 2024 No. 33, national excl. market non-fossil
  Hungary 2023           204.2 g CO2e/kWh     Ember yearly electricity data 2023 (life cycle)
  diesel combustion      3.1863 kg CO2/kg     IPCC 2006 Vol. 2 Ch. 1 (74.1 kg/GJ x 43.0 GJ/t / 1000)
  road freight           0.116 kg CO2/tkm     US EPA GHG Emission Factors Hub
  rail freight (China)   0.049 kg CO2e/tkm    FACTORS.md section 6 (indicative)
  CH4 fossil GWP100      29.8 (AR6 Table 7.15), 30 (AR5 Table 8.7)
"""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "lca_data" / "samples"
SICHUAN = SAMPLES / "sichuan_machined_part.json"
SHANDONG = SAMPLES / "shandong_gearbox_assembly.json"
REL = 1e-6  # Brightway keeps amounts as float32: ~1e-7 relative from the cited values

# Sichuan machined part, per piece (cradle to gate, AR6):
#   100 kWh x 0.1404 = 14.04;  3 kg diesel x 3.1863 = 9.5589;  12 tkm road x 0.116 = 1.392
#   production 14.04 + 9.5589 = 23.5989;  total 23.5989 + 1.392 = 24.9909 kg CO2e
SICHUAN_TOTAL = 24.9909

# The 31 provinces of the MEE table: 30 with factors, Tibet (CN-XZ) without.
PROVINCES = {
    "CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-NM", "CN-LN", "CN-JL", "CN-HL", "CN-SH", "CN-JS",
    "CN-ZJ", "CN-AH", "CN-FJ", "CN-JX", "CN-SD", "CN-HA", "CN-HB", "CN-HN", "CN-GD", "CN-GX",
    "CN-HI", "CN-CQ", "CN-SC", "CN-GZ", "CN-YN", "CN-SN", "CN-GS", "CN-QH", "CN-NX", "CN-XJ",
    "CN-XZ",
}


def close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=REL)


def assert_clean_failure(result, code=2):
    """Exit ``code`` through sys.exit, message on stderr, no traceback anywhere."""
    assert result.exit_code == code, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.stderr.strip()
    assert result.stdout == ""


def test_runner_separates_stderr(run, tmp_path):
    result = run("calc", tmp_path / "missing.json")
    assert result.stderr and result.stderr in result.output
    assert result.stdout == ""


# -- calc ------------------------------------------------------------------------------------

def test_calc_text_shows_the_total(run):
    result = run("calc", SICHUAN)
    assert result.exit_code == 0, result.output
    # 24.9909 kg CO2e to 3 significant figures, as a label signs it: 25.0
    assert "25.0 kg CO2e per 1 piece" in result.stdout
    assert "IPCC AR6" in result.stdout  # the default method
    # the factor's source in short, as the submission page's line names it: publisher, what,
    # year, confidence, plugin; its whole citation only with --sources
    assert "  Ministry of Ecology and Environment of the PRC; National Bureau of Statistics · " \
           "China grid electricity CO2 emission factors, national, regional grids and " \
           "provinces (location-based) · 2022 · high confidence · plugin electricity_cn: " \
           "Grid electricity, Sichuan · location-based (grid average)\n" in result.stdout
    assert "MEE announcement 2024 No. 33" not in result.stdout
    assert result.stderr == ""
    whole = run("calc", "--sources", SICHUAN).stdout
    assert "\n    Ministry of Ecology and Environment of the PRC; National Bureau of Statistics: " \
           "MEE announcement 2024 No. 33 (2024-12-20), 2022 data\n" in whole


def test_calc_text_prints_no_number_to_16_digits(run):
    # the NMC pack's label fields nest floats (the Art. 7 footprint 71.714946 / 1900 =
    # 0.0377447..., the primary share 9.314946 / 71.714946 = 0.129888...): by the display
    # rule, never a float's 16-digit repr
    result = run("calc", SAMPLES / "batteries_nmc_ev_pack_fujian.json")
    assert result.exit_code == 0, result.output
    assert re.findall(r"\d\.\d{8,}", result.stdout) == []  # 0.0377447: 6 figures, 7 decimals
    # the Art. 7 figure as the pages show it, to 3 significant figures like every footprint;
    # the primary share 12.9 % on the data-quality line; the rest of the extension in --json
    assert "  Per kWh delivered (EU Art. 7): 0.0377 kg CO2e / kWh · class B good " \
           "(provisional)\n" in result.stdout
    assert "primary data 12.9 %" in result.stdout
    assert "batteryCarbonFootprint" not in result.stdout


def test_calc_text_names_the_scopes_and_the_standard(run):
    # Hungary 80 kWh x 0.2042 = 16.336 life-cycle CO2e (57.1 % of 28.628); the Chinese market
    # electricity 11.712 and the truck 0.58 are CO2 only: 12.292 (42.9 %)
    result = run("calc", SAMPLES / "hungary_module_assembly_market.json")
    assert "gas scopes: CO2 only 12.3 (42.9 %), life-cycle CO2e with upstream 16.3 (57.1 %); " \
           "standard " \
           "GB/T 24067-2024 / ISO 14067:2018" in result.stdout
    assert "note: the total adds up factors of different gas scopes" in result.stdout


def test_calc_json(run):
    result = run("calc", "--json", SICHUAN)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"total_kg_co2e", "by_stage", "by_gas", "by_input", "method", "data_version",
            "reproducibility_hash"} <= set(data)
    assert close(data["total_kg_co2e"], SICHUAN_TOTAL)
    assert close(data["by_stage"]["production"], 23.5989)  # 14.04 + 9.5589
    assert close(data["by_stage"]["distribution"], 1.392)  # 12 tkm x 0.116
    assert data["by_stage"]["raw_materials"] == 0 and data["by_stage"]["packaging"] == 0
    assert set(data["by_gas"]) == {"CO2_fossil"}  # all three factors are CO2-only
    assert close(data["by_gas"]["CO2_fossil"], SICHUAN_TOTAL)
    by_line = {e["line"]: e for e in data["by_input"]}
    assert close(by_line[1]["kg_co2e"], 14.04)   # 100 kWh x 0.1404
    assert close(by_line[2]["kg_co2e"], 9.5589)  # 3 kg x 3.1863
    assert close(by_line[3]["kg_co2e"], 1.392)   # 12 tkm x 0.116
    assert data["method"]["id"] == "ar6"
    assert len(data["data_version"]) == 64 and len(data["reproducibility_hash"]) == 64


def test_calc_json_is_reproducible(run):
    first = json.loads(run("calc", "--json", SICHUAN).stdout)
    second = json.loads(run("calc", "--json", SICHUAN).stdout)
    assert first["reproducibility_hash"] == second["reproducibility_hash"]


@pytest.mark.parametrize("sample, total", [
    # 4 gear blanks x 24.9909 = 99.9636; 200 tkm rail x 0.049 = 9.8;
    # 0.5 MWh = 500 kWh x 0.6191 (Shandong 2023) = 309.55; 0.5 kg CH4 x 29.8 = 14.9
    # 99.9636 + 9.8 + 309.55 + 14.9 = 434.2136
    ("shandong_gearbox_assembly.json", 434.2136),
    # 50 kWh x 0.2268 (Southwest grid for Tibet, 2022) = 11.34; 2000 g = 2 kg x 3.1863 = 6.3726;
    # 30 tkm x 0.116 = 3.48;  11.34 + 6.3726 + 3.48 = 21.1926
    ("tibet_yak_milk_processing.json", 21.1926),
    # 80 kWh x 0.2042 (Hungary 2023, the latest year) = 16.336;
    # 20 kWh Sichuan market 2022: no market factor for Sichuan or the Southwest grid, China's
    # market factor 0.5856 stands in: 20 x 0.5856 = 11.712;  5 tkm x 0.116 = 0.58
    # 16.336 + 11.712 + 0.58 = 28.628
    ("hungary_module_assembly_market.json", 28.628),
    ("sichuan_machined_part.json", SICHUAN_TOTAL),
])
def test_calc_every_sample(run, sample, total):
    result = run("calc", "--json", SAMPLES / sample)
    assert result.exit_code == 0, result.output
    assert close(json.loads(result.stdout)["total_kg_co2e"], total)


def test_ar5_and_ar6_differ_by_the_methane_line_only(run):
    ar6 = json.loads(run("calc", "--json", SHANDONG).stdout)
    ar5 = json.loads(run("calc", "--json", "--method", "ar5", SHANDONG).stdout)
    assert ar6["method"]["id"] == "ar6" and ar5["method"]["id"] == "ar5"
    # 0.5 kg CH4 fossil x 29.8 (AR6) = 14.9;  x 30 (AR5) = 15.0;  difference 0.5 x 0.2 = 0.1
    assert close(ar6["by_gas"]["CH4_fossil"], 14.9)
    assert close(ar5["by_gas"]["CH4_fossil"], 15.0)
    # totals 434.2136 (AR6) and 434.3136 (AR5): compared at 1e-6 of the total, as the totals are
    assert close(ar5["total_kg_co2e"], ar6["total_kg_co2e"] + 0.1)
    assert close(ar5["total_kg_co2e"], 434.3136)
    assert {g: v for g, v in ar5["by_gas"].items() if g != "CH4_fossil"} == \
        {g: v for g, v in ar6["by_gas"].items() if g != "CH4_fossil"}
    ar5_lines = {e["line"]: e["kg_co2e"] for e in ar5["by_input"]}
    ar6_lines = {e["line"]: e["kg_co2e"] for e in ar6["by_input"]}
    assert [n for n in ar6_lines if ar5_lines[n] != ar6_lines[n]] == [4]  # the CH4 line
    assert close(ar5_lines[4], 15.0) and close(ar6_lines[4], 14.9)


def test_unknown_method_exits_2(run):
    result = run("calc", "--method", "ar7", SICHUAN)
    assert_clean_failure(result)
    assert 'method "ar7" unknown' in result.stderr and '"ar6"' in result.stderr


def test_missing_file_exits_2(run, tmp_path):
    result = run("calc", tmp_path / "nope.json")
    assert_clean_failure(result)
    assert "no such file" in result.stderr and "nope.json" in result.stderr


def test_directory_exits_2(run, tmp_path):
    result = run("calc", tmp_path)  # click refuses it (dir_okay=False)
    assert result.exit_code == 2 and "directory" in result.stderr
    assert "Traceback" not in result.output


# -- validate --------------------------------------------------------------------------------

@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.json")))
def test_validate_every_sample(run, sample):
    result = run("validate", SAMPLES / sample)
    assert result.exit_code == 0, result.output
    bom = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    assert f"valid ({len(bom.get('lines', []))} lines" in result.stdout
    if bom.get("parameters"):
        assert "modelled from the category parameters" in result.stdout


def test_there_are_samples():
    assert len(list(SAMPLES.glob("*.json"))) >= 4


def write(tmp_path, name, bom):
    path = tmp_path / name
    path.write_text(bom if isinstance(bom, str) else json.dumps(bom, ensure_ascii=False),
                    encoding="utf-8")
    return path


def bom(lines=None, **fields):
    return {"product": {"name": "p", "category": "generic"},
            "declared_unit": {"amount": 1, "unit": "kg"}, "region": "CN-SC",
            "factor_year": 2022,
            "lines": lines if lines is not None else [
                {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"}],
            **fields}


def test_validate_bad_unit(run, tmp_path):
    path = write(tmp_path, "bad.json", bom([{"input": "electricity", "amount": 100,
                                             "unit": "kwh", "stage": "production"}]))
    result = run("validate", path)
    assert_clean_failure(result)
    assert "line 1 (lines[0].unit)" in result.stderr
    assert 'did you mean "kWh"?' in result.stderr
    assert str(path) in result.stderr


def test_validate_bad_input_and_year_together(run, tmp_path):
    path = write(tmp_path, "bad.json", bom([
        {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"},
        {"input": "disel", "amount": 3, "unit": "kg", "stage": "production"},
        {"input": "electricity", "amount": 1, "unit": "kWh", "stage": "production",
         "year": 2019}]))
    result = run("validate", path)
    assert_clean_failure(result)
    assert "2 problem(s)" in result.stderr
    assert "line 2 (lines[1].input)" in result.stderr
    assert '"Diesel, burned in machinery or a boiler"' in result.stderr
    assert "line 3 (lines[2].year)" in result.stderr
    assert "2021, 2022, 2023" in result.stderr


def test_validate_sub_assembly_cycle(run, tmp_path):
    a = write(tmp_path, "a.json", bom([{"input": "product:b.json", "amount": 1, "unit": "kg",
                                        "stage": "raw_materials"}]))
    write(tmp_path, "b.json", bom([{"input": "product:a.json", "amount": 1, "unit": "kg",
                                    "stage": "raw_materials"}]))
    result = run("validate", a)
    assert_clean_failure(result)
    assert "line 1 (lines[0].input)" in result.stderr and "cycle" in result.stderr


def test_validate_invalid_json(run, tmp_path):
    path = write(tmp_path, "bad.json", '{"product": {"name": "p"},\n "lines": [,]}')
    # line 2 is ' "lines": [,]' : a space, '"lines":' in columns 2-9, a space, '[' 11, ',' 12
    result = run("validate", path)
    assert_clean_failure(result)
    assert "line 2, column 12 of the file" in result.stderr


# -- bad BOMs never produce a traceback ------------------------------------------------------

LINE = {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"}
BAD_BOMS = {
    "empty": "",
    "not json": "product: x",
    "truncated": '{"product": {"name": "p"},',
    "array": "[]",
    "string": '"a BOM"',
    "null": "null",
    "number": "42",
    "nan amount": json.dumps(bom([{**LINE, "amount": 1}])).replace(
        '"amount": 1,', '"amount": NaN,'),
    "huge amount": json.dumps(bom([{**LINE, "amount": 1}])).replace(
        '"amount": 1,', '"amount": ' + "9" * 400 + ","),
    "deep": "[" * 50_000 + "]" * 50_000,
    "no product": {k: v for k, v in bom().items() if k != "product"},
    "no lines": {k: v for k, v in bom().items() if k != "lines"},
    "empty lines": bom([]),
    "lines not a list": bom("electricity"),
    "line not an object": bom(["electricity", 1, None]),
    "product a string": bom(product="p"),
    "declared unit 0": bom(declared_unit={"amount": 0, "unit": "kg"}),
    "amount string": bom([{**LINE, "amount": "100"}]),
    "amount bool": bom([{**LINE, "amount": True}]),
    "amount negative": bom([{**LINE, "amount": -5}]),
    "amount object": bom([{**LINE, "amount": {"value": 1}}]),
    "both kinds": bom([{**LINE, "emission": "CH4_fossil"}]),
    "neither kind": bom([{"amount": 1, "unit": "kg", "stage": "production"}]),
    "unit lower": bom([{**LINE, "unit": "kwh"}]),
    "unit number": bom([{**LINE, "unit": 3}]),
    "electricity in kg": bom([{**LINE, "unit": "kg"}]),
    "diesel in L": bom([{"input": "diesel", "amount": 1, "unit": "L", "stage": "production"}]),
    "stage typo": bom([{**LINE, "stage": "prodution"}]),
    "input typo": bom([{**LINE, "input": "disel", "unit": "kg"}]),
    "emission typo": bom([{"emission": "CH4_fosil", "amount": 1, "unit": "kg",
                           "stage": "production"}]),
    "field typo": bom([{"input": "diesel", "amout": 1, "unit": "kg", "stage": "production"}]),
    "odd keys": bom(**{"lines[x]": 1, "": 2, "a.b": 3}),
    "odd line key": bom([{**LINE, "lines[0]": 1}]),
    "region typo": bom(region="CN-SCC"),
    "line region typo": bom([{**LINE, "region": "CN-SCC"}]),
    "region number": bom(region=86),
    "empty line region": bom([{**LINE, "region": ""}]),
    "year 2019": bom([{**LINE, "year": 2019}]),
    "factor year 2019": bom(factor_year=2019),
    "factor year string": bom(factor_year="2022"),
    "market DE": bom([{**LINE, "region": "DE", "basis": "market"}]),
    "basis typo": bom(electricity_basis="markt"),
    "boundary typo": bom(system_boundary="cradle_to_gat"),
    "region on diesel": bom([{"input": "diesel", "amount": 1, "unit": "kg",
                              "stage": "production", "region": "CN-SC", "year": 2022}]),
    "category typo": bom(product={"name": "p", "category": "generc"}),
    "empty product ref": bom([{"input": "product:", "amount": 1, "unit": "kg",
                               "stage": "raw_materials"}]),
    "missing sub-assembly": bom([{"input": "product:missing.json", "amount": 1, "unit": "kg",
                                  "stage": "raw_materials"}]),
    "sub-assembly is a folder": bom([{"input": "product:sub/", "amount": 1, "unit": "kg",
                                      "stage": "raw_materials"}]),
    "self cycle": bom([{"input": "product:self cycle.json", "amount": 1, "unit": "kg",
                        "stage": "raw_materials"}]),
}


@pytest.mark.parametrize("name", sorted(BAD_BOMS))
def test_bad_bom_through_calc_exits_2_without_traceback(run, tmp_path, name):
    (tmp_path / "sub").mkdir()
    path = write(tmp_path, f"{name}.json", BAD_BOMS[name])
    result = run("calc", path)
    assert_clean_failure(result)
    assert result.stderr.startswith("error: ")


def test_bad_bytes_through_calc(run, tmp_path):
    for name, data in {"latin1.json": json.dumps(bom(product={"name": "café"}),
                                                  ensure_ascii=False).encode("latin-1"),
                       "utf16.json": json.dumps(bom()).encode("utf-16"),
                       "binary.json": bytes(range(256))}.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = run("calc", path)
        assert_clean_failure(result)


def test_bad_boms_in_a_real_process(tmp_path):
    """Outside CliRunner too: a real interpreter prints no traceback and exits 2."""
    for name in ("deep", "huge amount", "odd keys", "self cycle", "input typo"):
        path = write(tmp_path, f"{name}.json", BAD_BOMS[name])
        proc = subprocess.run([sys.executable, "-c", "from cli.main import cli; cli()",
                               "calc", str(path)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2, (name, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")
        assert proc.stdout == ""


# -- factors, regions, plugins ---------------------------------------------------------------

def test_factors_sichuan_2022(run):
    result = run("factors", "--region", "CN-SC", "--year", "2022", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1  # Sichuan has location-based factors only
    row = rows[0]
    assert (row["region"], row["year"], row["basis"]) == ("CN-SC", 2022, "location")
    assert close(row["value"], 0.1404)  # MEE 2024 No. 33, Sichuan, 2022 data
    assert row["plugin"] == "electricity_cn"
    assert "MEE announcement 2024 No. 33" in row["source"]["citation"]
    assert row["source"]["dataset"] == "cn_grid_co2_mee"


def test_factors_text(run):
    result = run("factors", "--region", "CN-SC")
    assert result.exit_code == 0, result.output
    for value in ("0.1255", "0.1404", "0.1564"):  # MEE: Sichuan 2021, 2022, 2023
        assert value in result.stdout
    assert "electricity_cn" in result.stdout


def test_factors_germany_in_kg(run):
    rows = json.loads(run("factors", "--region", "DE", "--json").stdout)
    assert [(r["year"], r["basis"]) for r in rows] == [(2023, "location")]
    assert close(rows[0]["value"], 0.381)  # Ember 2023: 381.0 g/kWh / 1000 = 0.381 kg/kWh
    assert rows[0]["plugin"] == "electricity_intl"


def test_factors_search_finds_processes_by_chinese_name(run):
    found = json.loads(run("factors", "--search", "铝", "--json").stdout)
    assert found["electricity"] == []  # no region's name holds 铝
    rows = found["processes"]
    ids = {r["id"] for r in rows}
    assert {"materials/aluminium_primary_cn", "materials/aluminium_primary_world",
            "materials/aluminium_recycled", "materials/aluminium_sheet"} <= ids
    assert all("铝" in r["name_zh"] or "铝" in r["name_en"] or "铝" in r["id"] for r in rows)
    primary = next(r for r in rows if r["id"] == "materials/aluminium_primary_cn")
    # GB/T 51366-2019 表D.0.1: 20300 kg CO2e/t / 1000 = 20.3 kg CO2e/kg
    assert (primary["unit"], primary["plugin"]) == ("kg", "materials")
    assert close(primary["emissions"]["CO2e_aggregated"], 20.3)
    assert "GB/T 51366-2019 附录D 表D.0.1" in primary["source"]["citation"]
    assert primary["source"]["confidence"].startswith("medium (secondary")


def test_factors_search_in_english_and_as_text(run):
    result = run("factors", "--search", "Diesel")
    assert result.exit_code == 0, result.output
    # the core's diesel (IPCC 3.1863 kg CO2/kg) and the library's per-GJ diesel entries
    assert "materials/diesel_combustion " in result.stdout and "3.1863" in result.stdout
    assert "74.1" in result.stdout  # IPCC Table 2.2: 74 100 kg CO2/TJ / 1000 = 74.1 kg/GJ
    assert "2006 IPCC Guidelines Vol. 2 Ch. 2 Table 2.2" not in result.stdout  # --sources'
    assert "2006 IPCC Guidelines Vol. 2 Ch. 2 Table 2.2" in run(
        "factors", "--search", "Diesel", "--sources").stdout
    assert "materials/steel_bof" not in result.stdout
    sichuan = run("factors", "--search", "四川")  # electricity by the region's name
    assert "CN-SC   2023  location-based (grid average)  0.1564" in sichuan.stdout, \
        sichuan.stdout
    everything = json.loads(run("factors", "--json").stdout)
    assert {f["region"] for f in everything["electricity"]} >= {"CN-SC", "DE"}
    assert {"diesel", "materials/steel_bof"} <= {p["id"] for p in everything["processes"]}
    nothing = run("factors", "--search", "unobtainium")
    assert nothing.exit_code == 0 and "no factor matches 'unobtainium'" in nothing.stdout


def test_factors_processes_lists_every_process(run, registry):
    rows = json.loads(run("factors", "--processes", "--json").stdout)
    assert sorted(r["id"] for r in rows) == sorted(registry.processes)


def test_factors_search_with_a_region_is_refused(run):
    result = run("factors", "--search", "铝", "--region", "CN-SC")
    assert_clean_failure(result)
    assert "--region" in result.stderr


def test_factors_unknown_region(run):
    result = run("factors", "--region", "XX")
    assert_clean_failure(result)
    assert "--region" in result.stderr and 'region "XX" unknown' in result.stderr
    assert "valid: " in result.stderr  # nothing is close to "XX": the valid codes are listed


def test_factors_region_typo_suggests(run):
    result = run("factors", "--region", "CN-SCC")
    assert_clean_failure(result)
    assert 'did you mean "CN-SC"?' in result.stderr


def test_regions(run):
    result = run("regions", "--json")
    assert result.exit_code == 0, result.output
    regions = {r["code"]: r for r in json.loads(result.stdout)}
    sichuan = regions["CN-SC"]
    assert (sichuan["name_zh"], sichuan["name_en"]) == ("四川", "Sichuan")
    assert sichuan["factor_years"] == [2021, 2022, 2023]
    tibet = regions["CN-XZ"]
    assert tibet["fallback"] == ["CN-GRID-SOUTHWEST", "CN"]
    assert tibet["factor_years"] == [] and "Tibet" in tibet["fallback_note"]
    for code in ("DE", "GB", "NO", "CH"):
        assert regions[code]["factor_years"] == [2023]  # Ember 2023
        assert regions[code]["plugin"] == "electricity_intl"
    provinces = {c for c, r in regions.items() if r["level"] == "province"}
    assert provinces == PROVINCES and len(provinces) == 31
    with_factors = {c for c in provinces if regions[c]["factor_years"] == [2021, 2022, 2023]}
    assert with_factors == PROVINCES - {"CN-XZ"}  # 30 provinces with MEE factors


def test_regions_text(run):
    result = run("regions")
    assert result.exit_code == 0, result.output
    assert "四川" in result.stdout and "Sichuan" in result.stdout and "(fallback)" in result.stdout


def test_plugins(run):
    result = run("plugins", "--json")
    assert result.exit_code == 0, result.output
    plugins = {p["name"]: p for p in json.loads(result.stdout)}
    for name in ("electricity_cn", "electricity_intl"):
        assert plugins[name]["hooks"] == ["register_datasets", "register_electricity_factors",
                                          "register_regions"]
        assert plugins[name]["origin"].startswith("entry point")
        assert "error" not in plugins[name]
    assert plugins["footprint.defaults"]["origin"] == "built in"


def test_factors_for_tibet_explains_the_stand_in():
    from click.testing import CliRunner
    from cli.main import cli
    result = CliRunner().invoke(cli, ["factors", "--region", "CN-XZ"])
    assert result.exit_code == 0
    assert "no factors for CN-XZ" in result.output
    assert "CN-GRID-SOUTHWEST" in result.output


def test_factors_for_a_year_without_data_lists_the_years():
    from click.testing import CliRunner
    from cli.main import cli
    result = CliRunner().invoke(cli, ["factors", "--region", "CN-SC", "--year", "2019"])
    assert result.exit_code == 0
    assert "2021, 2022, 2023" in result.output
