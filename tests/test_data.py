"""The shipped datasets: listed, hashed, documented, and equal to the reference figures."""
from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.commands.data import data as data_cli
from cli.language import said
from footprint.data import REQUIRED_FIELDS, SAID_IN_CHINESE, Catalog
from footprint.datadocs import render_markdown
from footprint.engine.registry import registered_catalogs
from footprint.errors import DataError
from footprint.plugins import get_plugin_manager

from .conftest import require_shared

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(str(resources.files("lca_data")))
NOT_DATASETS = {"__init__.py", "manifest.json"}
SHIPPED = Catalog("lca_data")  # every manifest in lca_data, as `footprint data` reads it


def reference_file(name: str) -> Path:
    return require_shared("reference", name)


# -- manifest and files -----------------------------------------------------------------------

def test_every_data_file_is_in_the_manifest():
    on_disk = {path.relative_to(DATA_DIR).as_posix() for path in DATA_DIR.rglob("*")
               if path.is_file() and path.name not in NOT_DATASETS
               and path.relative_to(DATA_DIR).parts[0] not in ("samples", "__pycache__")}
    catalog = SHIPPED
    listed = {version["file"] for dataset_id in catalog.entries
              for version in catalog.versions(dataset_id)}  # earlier versions' files too
    assert on_disk == listed


def test_every_manifest_hash_matches():
    assert SHIPPED.verify() == []


@pytest.mark.parametrize("dataset_id", list(SHIPPED.entries))
def test_every_dataset_has_all_required_fields(dataset_id):
    entry = SHIPPED.entries[dataset_id]
    empty = [f for f in REQUIRED_FIELDS if entry.get(f) in (None, "", [])]
    assert empty == []
    assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])


@pytest.fixture
def data_package(tmp_path, monkeypatch, request):
    """A package like lca_data with one dataset, importable under a name unique to the test."""
    name = "footprint_testdata_" + re.sub(r"\W", "_", request.node.name)
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    content = b"region,value\nCN-SC,0.1404\n"
    (package / "factors.csv").write_bytes(content)
    entry = {field: f"test {field}" for field in REQUIRED_FIELDS}
    entry.update(id="factors", file="factors.csv", year=2022,
                 sha256=hashlib.sha256(content).hexdigest())
    (package / "manifest.json").write_text(json.dumps({"datasets": [entry]}))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name, package


def test_a_tampered_file_is_refused(data_package):
    name, package = data_package
    assert Catalog(name).dataset("factors").rows() == [{"region": "CN-SC", "value": "0.1404"}]
    (package / "factors.csv").write_bytes(b"region,value\nCN-SC,0.0140\n")
    with pytest.raises(DataError, match="does not match its manifest hash"):
        Catalog(name).dataset("factors")
    assert len(Catalog(name).verify()) == 1


def test_a_missing_file_is_reported(data_package):
    name, package = data_package
    (package / "factors.csv").unlink()
    assert Catalog(name).verify() == [f"no such file: {name}/factors.csv"]
    assert said(Catalog(name).verify()[0], "zh") == f"没有这个文件：{name}/factors.csv"


# -- docs/data.md -----------------------------------------------------------------------------

def builtin_catalogs():
    """What the built-in plugins register (conftest loads exactly those)."""
    return registered_catalogs(get_plugin_manager())


def test_data_md_is_generated_from_the_manifest():
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert text == render_markdown(builtin_catalogs()), \
        "docs/data.md is stale: run `footprint data docs > docs/data.md`"


def test_every_shipped_dataset_is_registered_by_one_builtin_plugin():
    # so the page of what the plugins register is the page of the package, which
    # `footprint data docs` prints, and no shipped file is outside every data version
    registered = [(c.package, dataset_id) for c in builtin_catalogs() for dataset_id in c.entries]
    assert sorted(registered) == sorted(("lca_data", dataset_id) for dataset_id in SHIPPED.entries)
    assert render_markdown(builtin_catalogs()) == render_markdown(SHIPPED)


def test_data_md_describes_every_dataset():
    text = render_markdown(builtin_catalogs())
    assert "footprint data docs > docs/data.md" in text  # says how to regenerate itself
    for entry in SHIPPED.entries.values():
        section = text.split(f"## {entry['title']}\n", 1)[1].split("\n## ", 1)[0]
        for key in ("id", "file", "source", "publisher", "geography", "unit", "gas_scope",
                    "confidence", "licence"):
            assert entry[key] in section, (entry["id"], key)
        assert f"Year published: {entry['year']}" in section
        assert f"Version: {entry['version']}" in section
        for earlier in entry.get("history", []):
            assert f"  - {earlier['version']}, published {earlier['published']}: " \
                   f"`{earlier['file']}`, SHA-256 `{earlier['sha256'][:12]}`" in section
        assert f"`{entry['sha256'][:12]}`" in section
        if "data_years" in entry:
            assert "Data years: " + ", ".join(map(str, entry["data_years"])) in section


def test_render_keeps_table_cells_intact(data_package):
    name, package = data_package
    manifest = json.loads((package / "manifest.json").read_text())
    manifest["datasets"][0]["title"] = "grid | market"
    (package / "manifest.json").write_text(json.dumps(manifest))
    text = render_markdown(Catalog(name))
    assert "| `factors` | grid \\| market |" in text
    assert f"footprint data docs --package {name}" in text


# -- the shipped numbers against the reference figures ----------------------------------------

def test_cn_grid_csv_equals_the_reference_row_for_row():
    with reference_file("cn_grid_co2_factors_mee.csv").open(encoding="utf-8", newline="") as f:
        reference = list(csv.reader(f))
    shipped = SHIPPED.dataset("cn_grid_co2_mee").raw.decode("utf-8")
    assert list(csv.reader(shipped.splitlines())) == reference


def test_cn_grid_factors_reach_the_registry(registry):
    """What the electricity_cn plugin registers is what the announcement table says."""
    rows = SHIPPED.dataset("cn_grid_co2_mee").rows()
    provinces = [r for r in rows if r["level"] == "province"]
    assert len(provinces) == 31
    for row in provinces:
        for year in (2021, 2022, 2023):
            factor = registry.electricity.get((row["iso_3166_2"], year, "location"))
            if row[f"ef_{year}"]:
                assert factor.value == float(row[f"ef_{year}"]), (row["iso_3166_2"], year)
                assert factor.flow == "CO2_fossil"
            else:
                assert factor is None  # Tibet: nothing published, the grid stands in
    assert registry.electricity[("CN-SC", 2022, "location")].value == 0.1404
    assert registry.electricity[("CN-SD", 2023, "location")].value == 0.6191
    assert registry.electricity[("CN", 2022, "market")].value == 0.5856
    assert registry.electricity[("CN-GRID-SOUTHWEST", 2022, "location")].value == 0.2268
    assert registry.regions["CN-XZ"].fallback[0] == "CN-GRID-SOUTHWEST"


def _factors_md() -> str:
    return reference_file("FACTORS.md").read_text(encoding="utf-8")


def _section(text: str, number: int) -> str:
    return text.split(f"\n## {number}.", 1)[1].split("\n## ", 1)[0]


def test_ember_values_equal_the_reference():
    section = _section(_factors_md(), 3)
    expected = {code: float(value)
                for code, value in re.findall(r"\b([A-Z]{2}) (\d+\.\d)\b", section)}
    expected["EU"] = float(re.search(r"EU average (\d+\.\d)", section).group(1))
    expected["GB"] = expected.pop("UK")
    shipped = {row["iso_3166_1"]: float(row["g_co2e_per_kwh"])
               for row in SHIPPED.dataset("ember_2023_europe").rows()}
    assert len(expected) == 31
    assert shipped == expected
    # the corrected section 3: Ember's intensities are life-cycle CO2e, and so is the manifest
    assert "life-cycle" in section.lower() or "lifecycle" in section.lower()
    assert SHIPPED.entries["ember_2023_europe"]["unit"] == "g CO2e/kWh"


def test_gwp100_values_equal_the_reference():
    section = _section(_factors_md(), 4)
    rows = {cells[0]: cells[1:] for cells in
            ([c.strip() for c in line.strip("|").split("|")] for line in section.splitlines()
             if line.startswith("| ") and not line.startswith("| gas"))}
    flows = {"CO2": "CO2_fossil", "CH4 fossil": "CH4_fossil", "CH4 non-fossil": "CH4_non_fossil",
             "N2O": "N2O"}
    for column, dataset_id in ((0, "ipcc_ar5_gwp100"), (1, "ipcc_ar6_gwp100")):
        shipped = {row["flow"]: float(row["factor"])
                   for row in SHIPPED.dataset(dataset_id).rows()}
        for gas, flow in flows.items():
            expected = float(rows[gas][column].split()[0])  # "30 (recalled)" -> 30
            assert shipped[flow] == expected, (dataset_id, gas)
        assert shipped["CO2_biogenic"] == 0  # counted 0 in the headline, reported beside it


def test_cn_electricity_footprint_equals_the_reference():
    section = _section(_factors_md(), 2)
    expected = {int(y): float(v) for y, v in re.findall(r"^\| (\d{4}) \| (\d\.\d+) \|", section,
                                                        re.MULTILINE)}
    shipped = {int(row["year"]): float(row["kg_co2e_per_kwh"])
               for row in SHIPPED.dataset("cn_electricity_footprint").rows()}
    assert expected == {2023: 0.6205, 2024: 0.5777}
    assert shipped == expected


# -- footprint data ... -----------------------------------------------------------------------

def test_cli_data_list():
    result = CliRunner().invoke(data_cli, ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for entry in SHIPPED.entries.values():
        row = next(line for line in lines if line.startswith(entry["id"] + " "))
        assert entry["title"] in row and entry["publisher"] in row
        # the whole citation and confidence note, one dataset at a time
        shown = CliRunner().invoke(data_cli, ["show", entry["id"]])
        assert shown.exit_code == 0, shown.output
        assert f"  source: {entry['source']}" in shown.stdout.splitlines()
        assert f"  confidence: {entry['confidence']}" in shown.stdout.splitlines()


def test_every_shipped_dataset_describes_itself_in_chinese_too():
    """What a Chinese reader of `data show` and of a page's confidence note is shown: each
    description the manifest gives in English, in Chinese beside it (the citation stays as
    published), every version's; a translation keeps every figure of the English."""
    def figures(text):
        return Counter(re.findall(r"\d+(?:\.\d+)?", str(text)))
    for entry in SHIPPED.entries.values():
        for version in SHIPPED.versions(entry["id"]):
            for name in SAID_IN_CHINESE:
                english, chinese = version[name], version.get(f"{name}_zh")
                where = (entry["id"], version["version"], name, chinese)
                # Chinese (its words or its punctuation: "CO2、CH4、N2O"), or a unit written
                # alike in both ("kg CO2/tkm")
                assert chinese and (re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]",
                                              chinese) or
                                    chinese == english), where
                if name not in ("title", "publisher"):  # a name: 五氧化二钒 for V2O5
                    assert not figures(english) - figures(chinese), where


def test_cli_data_list_json():
    result = CliRunner().invoke(data_cli, ["list", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [e["id"] for e in listed] == list(SHIPPED.entries)
    assert {e["id"]: (e["source"], e["confidence"]) for e in listed} == \
        {i: (e["source"], e["confidence"]) for i, e in SHIPPED.entries.items()}


def test_cli_data_verify_passes_on_the_shipped_data():
    result = CliRunner().invoke(data_cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert f"all {len(SHIPPED.entries)} datasets match" in result.stdout
    assert result.stderr == ""


def test_cli_data_verify_fails_on_a_tampered_file(data_package):
    name, package = data_package
    ok = CliRunner().invoke(data_cli, ["verify", "--package", name])
    assert ok.exit_code == 0, ok.output
    (package / "factors.csv").write_bytes(b"region,value\nCN-SC,0.0140\n")
    result = CliRunner().invoke(data_cli, ["verify", "--package", name])
    assert result.exit_code == 1
    assert f"{name}/factors.csv does not match its manifest hash" in result.stderr
    assert result.stdout == ""


def test_cli_data_verify_unknown_package_is_a_usage_error():
    result = CliRunner().invoke(data_cli, ["verify", "--package", "no_such_package_here"])
    assert result.exit_code == 2
    assert "no Python package" in result.stderr


def test_cli_data_docs_prints_the_page():
    result = CliRunner().invoke(data_cli, ["docs"])
    assert result.exit_code == 0, result.output
    assert result.stdout == render_markdown(SHIPPED)


def test_data_group_is_part_of_the_footprint_command():
    # imported here, not at the top: importing it loads the plugins, which must follow
    # conftest's FOOTPRINT_LOAD_PLUGINS, set when the session starts (after collection)
    from cli.main import cli
    result = CliRunner().invoke(cli, ["data", "verify"])
    assert result.exit_code == 0, result.output
