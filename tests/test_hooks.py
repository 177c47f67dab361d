"""Every hook, each with a test named for it: what a plugin's answer does to a footprint.

Hand calculations: Sichuan grid 2022 0.1404 kg CO2/kWh (MEE), diesel 3.1863 kg CO2/kg (IPCC
2006), AR6 GWP100: CH4 fossil 29.8, N2O 273.
"""
from __future__ import annotations

import hashlib
import json

import click
import pytest
from click.testing import CliRunner
from marshmallow import fields

from cli.commands.data import data as data_cli
from cli.language import said
from footprint import (Catalog, CharacterisationFactor, DataError, ElectricityFactor, Flow, InvalidInput, Method,
                       ParameterSchema, PluginError, Process, ProductCategory, Region, Source,
                       hookimpl)
from footprint.bom import parse_bom
from footprint.data import REQUIRED_FIELDS
from footprint.engine import Engine
from footprint.engine.dataversions import available_data_versions, build_registry
from footprint.engine.registry import Registry, Shadowed
from footprint.plugins import get_plugin_manager


def manager(**plugins):
    """The electricity_cn plugin and the defaults, plus ``plugins`` under the given names."""
    pm = get_plugin_manager(load={"electricity_cn"})
    for name, plugin in plugins.items():
        pm.register(plugin, name=name)
    pm.check_pending()
    return pm


class PerKg(ParameterSchema):
    kwh_per_kg = fields.Float(required=True)


class CategoryPlugin:
    """A category whose model and label extension answer whatever category they are given
    (no check of ``category.id``), and remember what they were asked about."""

    def __init__(self, category_id: str):
        self.category_id = category_id
        self.asked: list[tuple[str, str]] = []

    @hookimpl
    def register_categories(self, registry):
        return [ProductCategory(self.category_id, self.category_id, self.category_id,
                                declared_units=("kg",), parameters=PerKg)]

    @hookimpl
    def expand_bom(self, category, parameters, bom, registry):
        self.asked.append(("expand_bom", category.id))
        return [{"input": "electricity", "amount": parameters["kwh_per_kg"], "unit": "kWh",
                 "stage": "production", "note": f"{self.category_id} model"}]

    @hookimpl
    def label_extensions(self, category, result, bom, registry):
        self.asked.append(("label_extensions", category.id))
        return {"modelled_by": self.category_id}


class EveryProductNote:
    """A plugin with no category of its own: it adds a field to every product."""

    @hookimpl
    def label_extensions(self, category, result, bom, registry):
        return {"category_seen": category.id}


def category_bom(make_bom, category, kwh_per_kg=10):
    return make_bom(product={"name": "x", "category": category}, lines=[],
                    parameters={"kwh_per_kg": kwh_per_kg})


# -- the register_* hooks: one plugin answering each, one Brightway build for them all ----------

SOURCE = Source("test_hooks", "test fixture values", "test")


class Workshop:
    """A plugin that answers every register_* hook with one record of its own."""

    @hookimpl
    def register_flows(self, registry):
        return [Flow("SF6", "Sulphur hexafluoride", "六氟化硫", "fossil")]

    @hookimpl
    def register_methods(self, registry):
        # SF6 GWP100 per IPCC AR6 WG1 Table 7.SM.7: 25,200
        return [Method("sf6_gwp100", "SF6 and fossil CO2 only (test)",
                       (("SF6", 25200.0), ("CO2_fossil", 1.0)), SOURCE)]

    @hookimpl
    def register_regions(self, registry):
        return [Region("XT-05", "测试五", "Test five", "province", country="XT",
                       fallback=("CN-SC",), fallback_note="test: Sichuan stands in"),
                Region("XT-06", "测试六", "Test six", "province", country="XT")]

    @hookimpl
    def register_electricity_factors(self, registry):
        return [ElectricityFactor("XT-06", 2022, "location", 0.5, "CO2_fossil", SOURCE)]

    @hookimpl
    def register_background(self, registry):
        return [Process("test_widget", "Widget", "小部件", "kg", (("CO2_fossil", 2.0),), SOURCE,
                        inputs=(("diesel", 0.5),))]

    @hookimpl
    def register_categories(self, registry):
        return [ProductCategory("widgets", "小部件", "Widgets", declared_units=("piece",))]


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    return Engine(home=tmp_path_factory.mktemp("workshop"),
                  plugin_manager=manager(workshop=Workshop()))


def one_line(make_bom, line, **overrides):
    return parse_bom(make_bom(lines=[{"amount": 1, "unit": "kg", "stage": "production",
                                      **line}], **overrides))


def test_register_flows_adds_a_flow_that_boms_and_methods_may_use(workshop, make_bom):
    assert workshop.registry.flows["SF6"].plugin == "workshop"
    result = workshop.calculate(one_line(make_bom, {"emission": "SF6", "amount": 0.001}))
    assert result["by_gas_mass_kg"] == {"SF6": pytest.approx(0.001, rel=1e-6)}
    assert result["total_kg_co2e"] == 0.0  # AR6 as shipped has no factor for SF6


def test_register_methods_adds_a_method_a_calculation_may_name(workshop, make_bom):
    assert workshop.registry.methods["sf6_gwp100"].plugin == "workshop"
    assert workshop.registry.default_method == "ar6"  # not marked default: ar6 stays
    result = workshop.calculate(one_line(make_bom, {"emission": "SF6", "amount": 0.001}),
                                method="sf6_gwp100")
    # 0.001 kg SF6 x 25,200 = 25.2 kg CO2e
    assert result["total_kg_co2e"] == pytest.approx(25.2, rel=1e-6)
    assert result["method"]["id"] == "sf6_gwp100"
    assert result["fossil_kg_co2e"] == pytest.approx(25.2, rel=1e-6)


class Gwp:
    """Factors for the core's methods, as a plugin of imported gases gives them."""

    def __init__(self, *factors):
        self.factors = factors

    @hookimpl
    def register_characterisation_factors(self, registry):
        return [CharacterisationFactor(method, flow, value, SOURCE)
                for method, flow, value in self.factors]


def test_register_characterisation_factors_extends_the_core_s_method(tmp_path, make_bom):
    # SF6 GWP100: AR6 25,200 (WG1 Table 7.SM.7); the same CO2 factor again changes nothing
    engine = Engine(home=tmp_path, plugin_manager=manager(
        workshop=Workshop(), gwp=Gwp(("ar6", "SF6", 25200.0), ("ar6", "CO2_fossil", 1.0))))
    factors = dict(engine.registry.methods["ar6"].factors)
    assert factors["SF6"] == 25200.0 and factors["CO2_fossil"] == 1.0
    assert list(factors).count("CO2_fossil") == 1
    assert "SF6" not in dict(engine.registry.methods["ar5"].factors)
    result = engine.calculate(one_line(make_bom, {"emission": "SF6", "amount": 0.001}))
    assert result["total_kg_co2e"] == pytest.approx(25.2, rel=1e-6)
    plain = Registry.from_plugins(manager(workshop=Workshop()))
    assert engine.registry.data_version != plain.data_version  # the factor counts


def test_register_characterisation_factors_refuses_a_second_value():
    clash = manager(workshop=Workshop(), gwp=Gwp(("ar6", "CH4_fossil", 28.0)))
    with pytest.raises(DataError, match=r"footprint.defaults characterises CH4_fossil as "
                                        r"29.8, gwp as 28.0") as caught:
        Registry.from_plugins(clash)
    assert said(caught.value.message, "zh").splitlines() == [
        "特征化因子相互冲突：",
        "  - 方法 ar6：footprint.defaults 将 CH4_fossil 的特征化因子定为 29.8，gwp 定为 28.0"]
    two = manager(workshop=Workshop(), gwp=Gwp(("ar6", "SF6", 25200.0)),
                  other=Gwp(("ar6", "SF6", 23500.0)))
    with pytest.raises(DataError, match=r"(gwp|other) characterises SF6 as 2\d+\.0, "
                                        r"(other|gwp) as 2\d+\.0"):
        Registry.from_plugins(two)
    with pytest.raises(DataError, match="unknown method 'ar7'"):
        Registry.from_plugins(manager(workshop=Workshop(), gwp=Gwp(("ar7", "SF6", 1.0))))


def test_register_regions_adds_a_region_with_its_fallback(workshop, make_bom):
    assert workshop.registry.regions["XT-05"].plugin == "workshop"
    bom = make_bom(region="XT-05")  # 100 kWh, 2022: Sichuan's 0.1404 stands in -> 14.04
    result = workshop.calculate(parse_bom(bom))
    assert result["total_kg_co2e"] == pytest.approx(14.04, rel=1e-6)
    assert any("test: Sichuan stands in" in note for note in result["notes"])


def test_register_electricity_factors_gives_a_region_its_grid_factor(workshop, make_bom):
    factor = workshop.registry.electricity[("XT-06", 2022, "location")]
    assert (factor.plugin, factor.process_id) == ("workshop", "electricity/location/XT-06/2022")
    result = workshop.calculate(parse_bom(make_bom(region="XT-06")))  # 100 kWh x 0.5 = 50
    assert result["total_kg_co2e"] == pytest.approx(50.0, rel=1e-6)
    assert result["factors"][0]["source"]["dataset"] == "test_hooks"
    assert result["factors"][0]["plugin"] == "workshop"


def test_register_background_adds_a_process_boms_consume(workshop, make_bom):
    result = workshop.calculate(one_line(make_bom, {"input": "test_widget", "amount": 2}))
    # per kg: 2.0 kg CO2 + 0.5 kg diesel x 3.1863 = 3.59315; 2 kg -> 7.1863 kg CO2e
    assert result["total_kg_co2e"] == pytest.approx(7.1863, rel=1e-6)
    widget = next(f for f in result["factors"] if f["process"] == "test_widget")
    assert widget["plugin"] == "workshop"


def test_register_categories_adds_a_category_with_its_declared_units(workshop, make_bom):
    widgets = {"name": "widget", "category": "widgets"}
    result = workshop.calculate(parse_bom(make_bom(product=widgets,
                                                   declared_unit={"amount": 1,
                                                                  "unit": "piece"})))
    assert result["category"]["id"] == "widgets"
    assert result["category"]["plugin"] == "workshop"
    assert result["total_kg_co2e"] == pytest.approx(14.04, rel=1e-6)  # 100 kWh x 0.1404
    with pytest.raises(InvalidInput, match="declared unit for category widgets"):
        workshop.resolve(parse_bom(make_bom(product=widgets)))  # per kg: not declared


# -- register_commands ---------------------------------------------------------------------------

def test_register_commands_adds_a_command_to_the_group_it_is_given():
    class Commands:
        @hookimpl
        def register_commands(self, cli):
            @cli.command("widget-source")
            def widget_source():
                """Say where the widget factor comes from."""
                click.echo(SOURCE.citation)

    @click.group()
    def group():
        pass

    pm = manager(commands=Commands())
    pm.hook.register_commands(cli=group)
    result = CliRunner().invoke(group, ["widget-source"])
    assert result.exit_code == 0, result.output
    assert result.output == "test fixture values\n"


# -- expand_bom ----------------------------------------------------------------------------------

def test_expand_bom_is_asked_only_of_the_plugin_that_registered_the_category(tmp_path,
                                                                            make_bom):
    alpha, beta = CategoryPlugin("alpha"), CategoryPlugin("beta")
    engine = Engine(home=tmp_path, plugin_manager=manager(alpha=alpha, beta=beta))
    resolved = engine.resolve(parse_bom(category_bom(make_bom, "beta", kwh_per_kg=10)))
    assert [(rl.line.note, rl.line.model) for rl in resolved.lines] == [("beta model", "beta")]
    assert alpha.asked == [] and beta.asked == [("expand_bom", "beta")]
    # 10 kWh x 0.1404 kg CO2/kWh (Sichuan 2022) = 1.404 kg CO2e
    assert engine.calculate_resolved(resolved)["total_kg_co2e"] == pytest.approx(1.404,
                                                                                 rel=1e-6)


def test_expand_bom_follows_a_category_taken_over_by_another_plugin(make_bom):
    # the same category id from a second plugin: the first answer in pluggy's order (the
    # plugin registered last) keeps the category, and with it the model
    first, second = CategoryPlugin("alpha"), CategoryPlugin("alpha")
    engine = Engine(plugin_manager=manager(first=first, second=second))
    assert engine.registry.categories["alpha"].plugin == "second"
    resolved = engine.resolve(parse_bom(category_bom(make_bom, "alpha")))
    assert resolved.lines[0].line.model == "second"
    assert first.asked == [] and second.asked == [("expand_bom", "alpha")]


# -- label_extensions ----------------------------------------------------------------------------

def test_label_extensions_come_from_the_category_plugin_and_plugins_without_categories(
        tmp_path, make_bom):
    alpha, beta = CategoryPlugin("alpha"), CategoryPlugin("beta")
    engine = Engine(home=tmp_path, plugin_manager=manager(alpha=alpha, beta=beta,
                                                          note=EveryProductNote()))
    result = engine.calculate(parse_bom(category_bom(make_bom, "alpha")))
    assert result["extensions"] == {"alpha": {"modelled_by": "alpha"},
                                    "note": {"category_seen": "alpha"}}
    assert ("label_extensions", "alpha") in alpha.asked and beta.asked == []
    # a product of the core's own category: only the plugin without categories speaks
    generic = engine.calculate(parse_bom(make_bom()))
    assert generic["extensions"] == {"note": {"category_seen": "generic"}}
    assert [a for a in alpha.asked + beta.asked if a[1] == "generic"] == []


# -- register_datasets ---------------------------------------------------------------------------

ORANGES_DATASETS = {"oranges_field_n2o_ipcc2019", "oranges_fertiliser_chen2015",
                    "oranges_fertiliser_products", "oranges_pesticides_lal2004",
                    "oranges_corrugated_board_fefco", "oranges_grading_provisional"}


def test_register_datasets_blocking_a_plugin_takes_its_datasets_out_of_the_data_version(
        monkeypatch):
    everything = Registry.from_plugins(get_plugin_manager())
    record = everything.data_version_record()["datasets"]
    assert ORANGES_DATASETS <= set(record)
    assert {d.plugin for d in everything.datasets if d.id in ORANGES_DATASETS} == {"oranges"}
    monkeypatch.setenv("FOOTPRINT_BLOCK_PLUGINS", "oranges")
    blocked = Registry.from_plugins(get_plugin_manager())
    assert set(blocked.data_version_record()["datasets"]) == set(record) - ORANGES_DATASETS
    assert blocked.data_version != everything.data_version
    assert "oranges" not in blocked.categories  # the same plugin, gone as a whole


def test_register_datasets_decide_which_data_versions_exist():
    # the MEE releases are electricity_cn's: without it there is no version to select
    assert available_data_versions(get_plugin_manager()) == ["MEE-2021", "MEE-2022", "MEE-2023"]
    without = get_plugin_manager(block={"electricity_cn"})
    assert available_data_versions(without) == []
    with pytest.raises(InvalidInput, match="unknown data version 'MEE-2022'; known: none"):
        build_registry(without, "MEE-2022")
    result = CliRunner().invoke(data_cli, ["versions", "--json"],
                                env={"FOOTPRINT_BLOCK_PLUGINS": "electricity_cn"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_register_datasets_keeps_a_dataset_registered_twice_once():
    class Again:
        @hookimpl
        def register_datasets(self, registry):
            return [Catalog("lca_data", "oranges", datasets=("oranges_grading_provisional",))]

    registry = Registry.from_plugins(manager(again=Again(), orchard=OrangesData()))
    ids = [d.id for d in registry.datasets]
    assert ids.count("oranges_grading_provisional") == 1
    # "orchard" was registered last, so pluggy asks it first: its registration is kept
    kept = next(d for d in registry.datasets if d.id == "oranges_grading_provisional")
    assert kept.plugin == "orchard"
    assert Shadowed("register_datasets", ("lca_data", "oranges_grading_provisional"),
                    "again", "orchard") in registry.shadowed


class OrangesData:
    @hookimpl
    def register_datasets(self, registry):
        return [Catalog("lca_data", "oranges")]


@pytest.fixture
def lookalike_package(tmp_path, monkeypatch):
    """A package with a dataset called like one of the core's, biosphere_flows."""
    package = tmp_path / "footprint_lookalike"
    package.mkdir()
    (package / "__init__.py").write_text("")
    content = b'{"flows": []}'
    (package / "flows.json").write_bytes(content)
    entry = {field: "test" for field in REQUIRED_FIELDS}
    entry.update(id="biosphere_flows", file="flows.json", year=2024,
                 sha256=hashlib.sha256(content).hexdigest())
    (package / "manifest.json").write_text(json.dumps({"datasets": [entry]}))
    monkeypatch.syspath_prepend(str(tmp_path))
    return "footprint_lookalike"


def test_register_datasets_refuses_one_id_from_two_packages(lookalike_package):
    class Lookalike:
        @hookimpl
        def register_datasets(self, registry):
            return [Catalog(lookalike_package)]

    with pytest.raises(DataError, match="dataset biosphere_flows is registered from two "
                                        r"packages: footprint_lookalike \(lookalike\), "
                                        r"lca_data \(footprint.defaults\)"):
        Registry.from_plugins(manager(lookalike=Lookalike()))


def test_register_datasets_answers_are_checked():
    class Unreadable:
        @hookimpl
        def register_datasets(self, registry):
            return [Catalog("lca_data", "no_such_folder")]

    class NotACatalog:
        @hookimpl
        def register_datasets(self, registry):
            return ["lca_data/oranges"]

    with pytest.raises(DataError, match=r"plugin 'unreadable' registered Catalog\('lca_data', "
                                        r"folder='no_such_folder'\), which cannot be read"):
        Registry.from_plugins(manager(unreadable=Unreadable()))
    with pytest.raises(PluginError, match="plugin 'wrong': register_datasets returned str, "
                                          "expected Catalog"):
        Registry.from_plugins(manager(wrong=NotACatalog()))
