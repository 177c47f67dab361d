"""Versioned factor data: every dataset names its release, earlier releases stay loadable, a
calculation selects one, and every result records which one it used.

Hand calculations use the MEE/NBS table (lca_data/electricity/cn_grid_co2_mee.csv, row CN-SC):
ef_2021 0.1255, ef_2022 0.1404, ef_2023 0.1564 kg CO2/kWh. MEE-2021 is the table as it stood
after announcement 2024 No. 12 (2021 only), MEE-2022 after 2024 No. 33 (2021 and 2022),
MEE-2023 the current table. Results are compared at 1e-6: Brightway stores float32.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import types

import pytest
from click.testing import CliRunner

from cli.language import said
from footprint import InvalidInput, Process, Source, hookimpl
from footprint.engine.background import cache_path
from footprint.bom import parse_bom
from footprint.data import Catalog, selected_data_version
from footprint.engine.dataversions import (available_data_versions, build_registry,
                                           find_data_version, use_data_version)
from footprint.engine import Engine
from footprint.errors import DataError
from footprint.plugins import get_plugin_manager
from footprint.engine.registry import Registry

VERSIONS = ["MEE-2021", "MEE-2022", "MEE-2023"]
SHIPPED = Catalog("lca_data")  # every manifest in lca_data
ELECTRICITY = Catalog("lca_data", "electricity")


@pytest.fixture(scope="module")
def engines(footprint_home):
    """One engine per data version, all in the session's home: each builds its own
    Brightway project and cache, keyed by its data version hash."""
    return {name: Engine(home=footprint_home, data_version=name) for name in VERSIONS}


def sichuan_100_kwh(make_bom):
    """100 kWh in Sichuan without a factor_year: the latest year of the selected release."""
    bom = make_bom()
    del bom["factor_year"]
    return parse_bom(bom)


# -- hand-calculated results per data version --------------------------------------------------

@pytest.mark.parametrize("name, year, expected", [
    ("MEE-2021", 2021, 12.55),  # 100 kWh x 0.1255 kg CO2/kWh = 12.55 kg CO2e
    ("MEE-2022", 2022, 14.04),  # 100 kWh x 0.1404 kg CO2/kWh = 14.04 kg CO2e
    ("MEE-2023", 2023, 15.64),  # 100 kWh x 0.1564 kg CO2/kWh = 15.64 kg CO2e
])
def test_the_latest_year_of_the_selected_release_is_used(engines, make_bom, name, year,
                                                         expected):
    result = engines[name].calculate(sichuan_100_kwh(make_bom))
    assert result["total_kg_co2e"] == pytest.approx(expected, rel=1e-6)
    assert result["data_version_name"] == name
    assert result["data_version"] == engines[name].registry.data_version
    assert [(f["process"], f["year"]) for f in result["factors"]] == \
        [(f"electricity/location/CN-SC/{year}", year)]


def test_the_default_is_the_newest_release(engine, engines, make_bom):
    # no data version given: MEE-2023, 100 kWh x 0.1564 = 15.64 kg CO2e
    result = engine.calculate(sichuan_100_kwh(make_bom))
    assert result["total_kg_co2e"] == pytest.approx(15.64, rel=1e-6)
    assert result["data_version_name"] == "MEE-2023"
    assert result["data_version"] == engines["MEE-2023"].registry.data_version


def test_a_year_the_release_had_not_published_is_an_error(engines, make_bom):
    with pytest.raises(InvalidInput) as raised:
        engines["MEE-2022"].resolve(parse_bom(make_bom(factor_year=2023)))
    message = str(raised.value)
    assert "factor_year" in message
    assert "no location-based electricity factor for CN-SC in 2023" in message
    assert "published years: 2021, 2022" in message
    # the same BOM under MEE-2023: 100 kWh x 0.1564 = 15.64 kg CO2e
    assert engines["MEE-2023"].calculate(parse_bom(make_bom(factor_year=2023)))[
        "total_kg_co2e"] == pytest.approx(15.64, rel=1e-6)


def test_an_earlier_year_is_the_same_number_in_every_release(engines, make_bom):
    # factor_year 2021 everywhere: 100 kWh x 0.1255 = 12.55 kg CO2e; the releases differ in
    # which years they hold, never in a value once published
    for engine in engines.values():
        result = engine.calculate(parse_bom(make_bom(factor_year=2021)))
        assert result["total_kg_co2e"] == pytest.approx(12.55, rel=1e-6)


def test_two_versions_in_one_process_keep_their_own_background(engines, make_bom,
                                                                footprint_home):
    bom = sichuan_100_kwh(make_bom)
    # interleaved, so neither reuses the other's Brightway project or cache:
    # 100 x 0.1404 = 14.04 and 100 x 0.1255 = 12.55, twice each
    for _ in range(2):
        assert engines["MEE-2022"].calculate(bom)["total_kg_co2e"] == \
            pytest.approx(14.04, rel=1e-6)
        assert engines["MEE-2021"].calculate(bom)["total_kg_co2e"] == \
            pytest.approx(12.55, rel=1e-6)
    for name in ("MEE-2021", "MEE-2022"):
        digest = engines[name].registry.data_version
        assert cache_path(footprint_home, digest).is_file()
        assert engines[name].inventory.data_version == digest
    assert "electricity/location/CN-SC/2023" not in engines["MEE-2022"].inventory.row
    assert "electricity/location/CN-SC/2023" in engines["MEE-2023"].inventory.row


def test_data_read_while_calculating_comes_from_the_engines_version(make_bom, footprint_home):
    """A category model that reads a dataset only when a result is built (not while the
    registry is gathered) still reads the engine's version, not the newest."""
    lazy = types.ModuleType("lazy_reader")

    @hookimpl
    def label_extensions(category, result, bom, registry):
        return {"grid_release": ELECTRICITY.dataset("cn_grid_co2_mee").version}

    lazy.label_extensions = label_extensions
    pm = get_plugin_manager(load={"electricity_cn"})
    pm.register(lazy, name="lazy_reader")
    engine = Engine(home=footprint_home, plugin_manager=pm, data_version="MEE-2021")
    result = engine.calculate(sichuan_100_kwh(make_bom))
    assert result["extensions"]["lazy_reader"] == {"grid_release": "MEE-2021"}
    assert selected_data_version() is None  # the selection does not outlive the call


# -- registries -------------------------------------------------------------------------------

def test_each_release_has_its_own_hash_and_one_resolution_fingerprint(engines):
    registries = [engines[name].registry for name in VERSIONS]
    assert [r.data_version_name for r in registries] == VERSIONS
    assert len({r.data_version for r in registries}) == 3
    assert all(re.fullmatch(r"[0-9a-f]{64}", r.data_version) for r in registries)
    assert len({r.resolution_fingerprint for r in registries}) == 1


def test_the_fingerprint_follows_what_resolution_depends_on():
    pm = get_plugin_manager(load={"electricity_cn"})
    plain = Registry.from_plugins(pm)
    override = types.ModuleType("diesel_override")

    @hookimpl
    def register_background(registry):
        return [Process("diesel", "Diesel", "柴油", "kg", (("CO2_fossil", 3.0),),
                        Source("mine", "my own measurement", "high"))]

    override.register_background = register_background
    pm.register(override, name="diesel_override")
    changed = Registry.from_plugins(pm)
    assert changed.resolution_fingerprint != plain.resolution_fingerprint


def test_the_record_names_every_datasets_version(engines):
    record = engines["MEE-2022"].registry.data_version_record()
    assert record["name"] == "MEE-2022"
    assert record["hash"] == engines["MEE-2022"].registry.data_version
    assert record["datasets"]["cn_grid_co2_mee"] == "MEE-2022"
    assert record["datasets"]["ember_2023_europe"] == "Ember-2023"  # no history: current
    assert record["datasets"]["ipcc_ar6_gwp100"] == "AR6"
    assert set(record["datasets"]) == set(SHIPPED.entries)


def test_the_name_rebuilds_the_same_registry(engines):
    pm = get_plugin_manager()
    for name in VERSIONS:
        registry = engines[name].registry
        again = build_registry(pm, registry.data_version_name)
        assert again.data_version == registry.data_version


def test_a_registry_under_an_unknown_name_is_refused():
    with pytest.raises(InvalidInput) as raised:
        build_registry(get_plugin_manager(), "MEE-2020")
    problem = raised.value.problems[0]
    assert problem.where == "data_version"
    assert problem.message.startswith(
        "unknown data version 'MEE-2020'; known: MEE-2021, MEE-2022, MEE-2023")
    assert "did you mean" in problem.message


def test_the_selection_in_effect_is_honoured():
    with use_data_version("MEE-2022"):
        registry = Registry.from_plugins(get_plugin_manager(load={"electricity_cn"}))
    assert registry.data_version_name == "MEE-2022"
    assert registry.years_by_region()["CN-SC"] == [2021, 2022]


# -- the shipped releases ---------------------------------------------------------------------

def test_names_are_listed_oldest_first():
    assert available_data_versions() == VERSIONS


def test_each_earlier_release_is_the_current_table_cut_after_its_year():
    catalog = ELECTRICITY
    current = catalog.dataset("cn_grid_co2_mee").rows()
    for name, last in (("MEE-2021", 2021), ("MEE-2022", 2022)):
        dataset = catalog.dataset("cn_grid_co2_mee", version=name)
        assert dataset.version == name
        assert dataset.entry["data_years"] == list(range(2021, last + 1))
        kept = ["level", "iso_3166_2", "name_zh", "name_en", "grid_zh",
                *(f"ef_{year}" for year in range(2021, last + 1))]
        assert dataset.rows() == [{k: row[k] for k in kept} for row in current]
    assert catalog.dataset("cn_grid_co2_mee").version == "MEE-2023"


def test_history_is_dated_and_cites_its_announcement():
    entry = ELECTRICITY.entries["cn_grid_co2_mee"]
    assert entry["published"] == "2025-12-31"
    assert [(h["version"], h["published"], h["file"]) for h in entry["history"]] == [
        ("MEE-2021", "2024-04-12", "electricity/cn_grid_co2_mee_MEE-2021.csv"),
        ("MEE-2022", "2024-12-20", "electricity/cn_grid_co2_mee_MEE-2022.csv")]
    assert "2024 No. 12" in entry["history"][0]["source"]
    assert "2024 No. 33" in entry["history"][1]["source"]


def test_every_shipped_dataset_names_its_version():
    for dataset_id, entry in SHIPPED.entries.items():
        assert isinstance(entry["version"], str) and entry["version"].strip(), dataset_id


# -- catalogs with a history (a package made for the test) ------------------------------------

OLD = b"region,value\nCN-SC,0.1404\n"
NEW = b"region,value\nCN-SC,0.1564\n"


@pytest.fixture
def versioned_package(tmp_path, monkeypatch, request):
    """A package with one dataset in two versions, "Test-2022" (history) and "Test-2023"."""
    name = "footprint_versions_" + re.sub(r"\W", "_", request.node.name)
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "factors_2022.csv").write_bytes(OLD)
    (package / "factors.csv").write_bytes(NEW)
    entry = {"id": "factors", "file": "factors.csv", "title": "test factors",
             "source": "test source 2023", "publisher": "test", "year": 2024,
             "geography": "CN", "unit": "kg CO2/kWh", "gas_scope": "CO2",
             "confidence": "test", "licence": "test", "version": "Test-2023",
             "published": "2024-06-01", "sha256": hashlib.sha256(NEW).hexdigest(),
             "history": [{"version": "Test-2022", "file": "factors_2022.csv",
                          "sha256": hashlib.sha256(OLD).hexdigest(),
                          "published": "2023-06-01", "source": "test source 2022"}]}
    (package / "manifest.json").write_text(json.dumps({"datasets": [entry]}))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name, package


def rewrite_manifest(package, change):
    manifest = json.loads((package / "manifest.json").read_text())
    change(manifest["datasets"][0])
    (package / "manifest.json").write_text(json.dumps(manifest))


def registering(catalog):
    """The installed plugins and one that registers ``catalog``."""
    plugin = types.ModuleType("test_data_plugin")

    @hookimpl
    def register_datasets(registry):
        return [catalog]

    plugin.register_datasets = register_datasets
    pm = get_plugin_manager()
    pm.register(plugin, name="test_data_plugin")
    return pm


def test_a_selection_reaches_every_catalog(versioned_package):
    name, _ = versioned_package
    catalog = Catalog(name)
    pm = registering(catalog)  # registered, so its versions are known
    # by publication date: Test-2022 2023-06-01, MEE-2021 2024-04-12, Test-2023 2024-06-01 ...
    assert available_data_versions(pm) == ["Test-2022", "MEE-2021", "Test-2023", "MEE-2022",
                                           "MEE-2023"]
    assert catalog.dataset("factors").rows() == [{"region": "CN-SC", "value": "0.1564"}]
    with use_data_version("Test-2022", pm):
        old = catalog.dataset("factors")
        # a dataset without a version of that name stays current
        assert ELECTRICITY.dataset("cn_grid_co2_mee").version == "MEE-2023"
    assert (old.version, old.rows()) == ("Test-2022", [{"region": "CN-SC", "value": "0.1404"}])
    assert old.entry["source"] == "test source 2022"  # the history item's own citation
    assert old.entry["title"] == "test factors"  # the rest is the current entry's
    with use_data_version("MEE-2022", pm):
        assert catalog.dataset("factors").version == "Test-2023"
    assert catalog.dataset("factors", version="Test-2022").version == "Test-2022"
    with pytest.raises(DataError, match=r"has no version 'Test-2021'; versions: "
                                        r"Test-2022, Test-2023") as caught:
        catalog.dataset("factors", version="Test-2021")
    assert said(caught.value.message, "zh").endswith(
        "中的数据集 'factors' 没有版本 'Test-2021'；已有版本：Test-2022、Test-2023")


def test_a_tampered_history_file_is_refused(versioned_package):
    name, package = versioned_package
    (package / "factors_2022.csv").write_bytes(b"region,value\nCN-SC,0.0140\n")
    catalog = Catalog(name)
    pm = registering(catalog)
    assert catalog.dataset("factors").version == "Test-2023"  # the current file is intact
    with pytest.raises(DataError, match=rf"{name}/factors_2022.csv does not match its "
                                        "manifest hash"):
        catalog.dataset("factors", version="Test-2022")
    with use_data_version("Test-2022", pm), pytest.raises(DataError, match="factors_2022.csv"):
        catalog.dataset("factors")
    assert [p for p in catalog.verify() if "factors_2022.csv" in p] == catalog.verify()
    assert len(catalog.verify()) == 1


def test_a_missing_version_is_named(versioned_package):
    name, package = versioned_package
    rewrite_manifest(package, lambda entry: entry.pop("version"))
    with pytest.raises(DataError, match=rf"{name}/manifest.json: dataset 'factors' lacks "
                                        r"version \(version: a short name of the publication"):
        Catalog(name).entries
    with pytest.raises(DataError) as caught:
        Catalog(name).entries
    assert said(caught.value.message, "zh") == (
        f"{name}/manifest.json：数据集 'factors' 缺少 version（version：出版物的简称，例如“MEE-2023”）")


@pytest.mark.parametrize("change, message", [
    (lambda e: e["history"][0].pop("sha256"), r"history\[0\] lacks sha256"),
    (lambda e: e.pop("published"), r"its current version needs \"published\""),
    (lambda e: e["history"][0].update(published="2025-01-01"), "history must be oldest first"),
    (lambda e: e["history"][0].update(published="2023-13-01"), "is not an ISO date"),
    (lambda e: e["history"][0].update(version="Test-2023"), "'Test-2023' is listed twice"),
    (lambda e: e["history"][0].update(unit="g"), r"history\[0\] may not restate unit"),
])
def test_a_malformed_history_is_named(versioned_package, change, message):
    name, package = versioned_package
    rewrite_manifest(package, change)
    broken = Catalog(name)
    with pytest.raises(DataError, match=message):
        broken.entries
    # selects nothing, and does not stop versions being selected elsewhere
    assert available_data_versions() == VERSIONS


def test_an_earlier_version_says_its_own_confidence_in_chinese_or_none(versioned_package):
    name, package = versioned_package
    rewrite_manifest(package, lambda e: e.update(
        confidence="high (seen)", confidence_zh="高（见于原文）",
        history=[{**e["history"][0], "confidence": "medium (recalled)"}]))
    catalog = Catalog(name)
    old, current = catalog.versions("factors")
    assert (current["confidence"], current["confidence_zh"]) == ("high (seen)", "高（见于原文）")
    # restated in English only: the current Chinese note would say "high", so it has none
    assert old["confidence"] == "medium (recalled)" and "confidence_zh" not in old
    rewrite_manifest(package, lambda e: e["history"][0].update(confidence_zh="中（凭记忆转录）"))
    assert Catalog(name).version_entry("factors", "Test-2022")["confidence_zh"] == "中（凭记忆转录）"


@pytest.mark.parametrize("change, fields", [
    (lambda e: e.update(gas_scope_zh=""), ("gas_scope_zh", "gas_scope_zh")),
    (lambda e: e.update(unit_zh=["千克"], licence_zh="  "),
     ("unit_zh, licence_zh", "unit_zh、licence_zh")),
    (lambda e: e["history"][0].update(confidence_zh=None), ("confidence_zh", "confidence_zh")),
])
def test_a_chinese_field_that_is_not_text_is_named(versioned_package, change, fields):
    name, package = versioned_package
    rewrite_manifest(package, change)
    with pytest.raises(DataError) as caught:
        Catalog(name).entries
    assert str(caught.value) == (
        f"{name}/manifest.json: dataset 'factors': {fields[0]} must be text in Chinese (or "
        "left out: the English is shown)")
    assert said(caught.value.message, "zh") == (
        f"{name}/manifest.json：数据集 'factors'：{fields[1]} 须为中文文本（或不填：届时显示英文）")


def test_an_unknown_selection_is_refused_with_a_suggestion():
    with pytest.raises(InvalidInput, match=r"unknown data version 'MEE-2O22'; known: "
                                           r"MEE-2021, MEE-2022, MEE-2023.*did you mean"):
        with use_data_version("MEE-2O22"):
            pass  # pragma: no cover
    with pytest.raises(InvalidInput, match="both versions of dataset 'cn_grid_co2_mee'"):
        with use_data_version("MEE-2021+MEE-2022"):
            pass  # pragma: no cover


# -- naming a version by its hash -------------------------------------------------------------

def test_a_version_is_found_by_name_hash_or_prefix(engines):
    pm = get_plugin_manager()
    digest = engines["MEE-2022"].registry.data_version
    assert find_data_version(pm, "MEE-2022") == "MEE-2022"
    assert find_data_version(pm, digest) == "MEE-2022"
    assert find_data_version(pm, digest[:8].upper()) == "MEE-2022"
    with pytest.raises(InvalidInput, match="at least 8 hex digits"):
        find_data_version(pm, digest[:7])
    with pytest.raises(InvalidInput, match="no data version has a hash starting"):
        find_data_version(pm, "0" * 64)


# -- the command line -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli():
    # imported here, not at the top: importing it loads the plugins, which must follow
    # conftest's FOOTPRINT_LOAD_PLUGINS, set when the session starts (after collection)
    from cli.main import cli
    return cli


@pytest.fixture
def sichuan_file(make_bom, write_bom):
    bom = make_bom()
    del bom["factor_year"]
    return write_bom(bom)


def test_cli_calc_under_a_named_version(cli, sichuan_file, engines):
    result = CliRunner().invoke(cli, ["calc", str(sichuan_file), "--data-version", "MEE-2022",
                                      "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total_kg_co2e"] == pytest.approx(14.04, rel=1e-6)  # 100 x 0.1404
    assert data["data_version_name"] == "MEE-2022"
    assert data["data_version"] == engines["MEE-2022"].registry.data_version
    text = CliRunner().invoke(cli, ["calc", str(sichuan_file), "--data-version", "MEE-2022"])
    assert text.exit_code == 0, text.output
    assert f"data version MEE-2022 {data['data_version'][:16]}" in text.stdout


def test_cli_calc_under_a_hash_prefix(cli, sichuan_file, engines):
    prefix = engines["MEE-2021"].registry.data_version[:10]
    result = CliRunner().invoke(cli, ["calc", str(sichuan_file), "--data-version", prefix,
                                      "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total_kg_co2e"] == pytest.approx(12.55, rel=1e-6)  # 100 x 0.1255
    assert data["data_version_name"] == "MEE-2021"


def test_cli_calc_without_a_version_uses_the_newest(cli, sichuan_file):
    result = CliRunner().invoke(cli, ["calc", str(sichuan_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total_kg_co2e"] == pytest.approx(15.64, rel=1e-6)  # 100 x 0.1564
    assert data["data_version_name"] == "MEE-2023"


def test_cli_calc_unknown_version_exits_2_with_a_suggestion(cli, sichuan_file):
    result = CliRunner().invoke(cli, ["calc", str(sichuan_file), "--data-version", "mee-2022x"])
    assert result.exit_code == 2
    assert "--data-version: unknown data version 'mee-2022x'" in result.stderr
    assert "known: MEE-2021, MEE-2022, MEE-2023" in result.stderr
    assert "did you mean 'MEE-2022'?" in result.stderr
    assert result.stdout == ""


def test_cli_data_versions_json(cli, engines):
    result = CliRunner().invoke(cli, ["data", "versions", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(v["name"], v["published"], v["current"]) for v in listed] == [
        ("MEE-2021", "2024-04-12", False), ("MEE-2022", "2024-12-20", False),
        ("MEE-2023", "2025-12-31", True)]
    for version in listed:
        registry = engines[version["name"]].registry
        assert version["hash"] == registry.data_version
        assert version["versioned_datasets"] == {"cn_grid_co2_mee": version["name"]}
        assert version["datasets"] == registry.data_version_record()["datasets"]


def test_cli_data_versions_table(cli, engines):
    result = CliRunner().invoke(cli, ["data", "versions"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert list(rows) == VERSIONS
    for name, line in rows.items():
        assert engines[name].registry.data_version[:16] in line
        assert f"cn_grid_co2_mee {name}" in line
    assert rows["MEE-2023"].rstrip().endswith("current")
    assert "current" not in rows["MEE-2022"]


def test_cli_data_list_shows_versions(cli):
    result = CliRunner().invoke(cli, ["data", "list"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("cn_grid_co2_mee "))
    assert "MEE-2023" in row


def test_shipped_history_files_are_plain_csv():
    # the earlier releases keep the current file's form (UTF-8, CRLF), so a diff shows columns
    for name in ("MEE-2021", "MEE-2022"):
        raw = ELECTRICITY.dataset("cn_grid_co2_mee", version=name).raw
        assert raw.count(b"\r\n") == raw.count(b"\n")
        assert list(csv.reader(io.StringIO(raw.decode("utf-8"))))[0][-1] == \
            f"ef_{name[-4:]}"
