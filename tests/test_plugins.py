"""The plugin host: defaults as plugins, entry points, precedence, failures, blocking,
a plugin's exceptions, and the trace switch."""
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pluggy
import pytest
from marshmallow import fields

from cli.language import said
from footprint import (ElectricityFactor, Flow, InvalidInput, Method, ParameterSchema, Problem,
                       ProductCategory, Region, Source, hookimpl)
from footprint.bom import parse_bom, read_bom_file
from footprint.engine import Engine
from footprint.errors import DataError, PluginError
from footprint import plugins
from footprint.plugins import get_plugin_manager
from footprint.engine.registry import Registry

from .conftest import SAMPLES
from .example_plugins import grid_override


def manager_with(*plugins, load=("electricity_cn", "electricity_intl")):
    pm = get_plugin_manager(load=set(load))
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


def test_defaults_are_trylast_plugins():
    pm = get_plugin_manager(load=False)
    assert pm.get_plugin("footprint.defaults") is not None
    for caller in pm.get_hookcallers(pm.get_plugin("footprint.defaults")):
        for impl in caller.get_hookimpls():
            if impl.plugin_name == "footprint.defaults":
                assert impl.trylast, caller.name


def test_builtins_come_from_entry_points():
    infos = {i.name: i for i in get_plugin_manager().describe()}
    assert infos["electricity_cn"].origin == "entry point (footprint)"
    assert "register_electricity_factors" in infos["electricity_cn"].hooks
    assert infos["footprint.defaults"].origin == "built in"


def test_installed_plugin_overrides_builtin_and_is_cited(tmp_path, make_bom):
    # the example plugin says Sichuan 2022 is 0.2: 100 kWh x 0.2 = 20 kg CO2e
    engine = Engine(home=tmp_path, plugin_manager=manager_with(grid_override))
    result = engine.calculate(parse_bom(make_bom()))
    assert result["total_kg_co2e"] == pytest.approx(20.0, rel=1e-6)
    assert result["factors"][0]["source"]["dataset"] == "example_test_grid"
    assert result["factors"][0]["plugin"].endswith("grid_override")
    shadowed = engine.registry.shadowed
    assert any(s.key == ("CN-SC", 2022, "location") and s.plugin == "electricity_cn"
               for s in shadowed)
    # a new region from the plugin: 100 kWh x 0.5 = 50
    assert engine.calculate(parse_bom(make_bom(region="XT-01")))["total_kg_co2e"] == \
        pytest.approx(50.0, rel=1e-6)


def test_data_version_follows_the_data(tmp_path):
    plain = Registry.from_plugins(manager_with())
    assert Registry.from_plugins(manager_with()).data_version == plain.data_version
    assert Registry.from_plugins(manager_with(grid_override)).data_version != plain.data_version


def test_background_built_once_per_data_version(tmp_path, make_bom):
    first = Engine(home=tmp_path, plugin_manager=manager_with())
    first.calculate(parse_bom(make_bom()))
    cache = list((tmp_path / "cache").glob("*.npz"))
    assert len(cache) == 1
    stamp = cache[0].stat().st_mtime_ns
    Engine(home=tmp_path, plugin_manager=manager_with()).calculate(parse_bom(make_bom()))
    assert cache[0].stat().st_mtime_ns == stamp  # reused, not rebuilt
    Engine(home=tmp_path, plugin_manager=manager_with(grid_override)).calculate(parse_bom(make_bom()))
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2  # new data, new build
    assert (tmp_path / "brightway").is_dir()


def make_distribution(root, name, module_source, module=None):
    """A module plus an installed-distribution record declaring it as a footprint plugin."""
    module = module or name
    (root / f"{module}.py").write_text(textwrap.dedent(module_source))
    info = root / f"{name}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[footprint]\n{name} = {module}\n")


GOOD = """
    from footprint import Region, hookimpl

    @hookimpl
    def register_regions(registry):
        return [Region("XT-02", "测试二", "Second test region", "province", country="XT")]
"""


def test_entry_point_plugin_loads_broken_ones_are_skipped(tmp_path, monkeypatch):
    make_distribution(tmp_path, "fp_good", GOOD)
    make_distribution(tmp_path, "fp_broken", "raise ImportError('missing dependency xyz')")
    make_distribution(tmp_path, "fp_misspelt", """
        from footprint import hookimpl

        @hookimpl
        def register_regoins(registry):
            return []
    """)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("FOOTPRINT_LOAD_PLUGINS")
    monkeypatch.setattr(plugins, "_said", set())  # this process may have met them before
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    plugins.loading_log.addHandler(handler)
    try:
        pm = get_plugin_manager()
        get_plugin_manager()  # a second manager meets the same failures: said once
    finally:
        plugins.loading_log.removeHandler(handler)
    logged = sorted(record.getMessage() for record in records)
    assert logged[0] == 'plugin "fp_broken" not loaded: ImportError: missing dependency xyz'
    assert logged[1].startswith('plugin "fp_misspelt" not loaded: invalid hook: ')
    assert "register_regoins" in logged[1] and len(logged) == 2
    infos = {i.name: i for i in pm.describe()}
    assert infos["fp_good"].version == "1.2.3"
    assert infos["fp_good"].origin == "entry point (fp_good)"
    assert infos["fp_broken"].error == "ImportError: missing dependency xyz"
    assert said(infos["fp_misspelt"].error, "zh").startswith("钩子无效：")
    assert pm.get_plugin("fp_misspelt") is None
    registry = Registry.from_plugins(pm)
    assert "XT-02" in registry.regions and "CN-SC" in registry.regions


def test_a_plugin_that_fails_to_load_is_one_line_on_the_command_s_stderr_in_two_languages(
        tmp_path):
    """Not Python's warning with the core's file and line: the plugin and its error, once, in
    English and Chinese; the command still works."""
    make_distribution(tmp_path, "fp_boom", "raise RuntimeError('boom at import')")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get(
        "PYTHONPATH", "")]), "FOOTPRINT_LOAD_PLUGINS": "fp_boom,electricity_cn",
        "FOOTPRINT_HOME": str(tmp_path / "home"), "PYTHONWARNINGS": "always"}
    done = subprocess.run([str(Path(sys.executable).parent / "footprint"), "plugins"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        'warning: plugin "fp_boom" not loaded: RuntimeError: boom at import',
        "警告：插件“fp_boom”未加载：RuntimeError: boom at import"]
    listed = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert listed["fp_boom"].endswith("  not loaded: RuntimeError: boom at import")
    assert "register_electricity_factors" in listed["electricity_cn"]
    done = subprocess.run([str(Path(sys.executable).parent / "footprint"), "--lang", "zh",
                           "plugins"], env=env, capture_output=True, text=True, timeout=120)
    listed = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert listed["fp_boom"].endswith("  未加载：RuntimeError: boom at import")


def test_loading_switches(tmp_path, monkeypatch):
    make_distribution(tmp_path, "fp_good", GOOD)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("FOOTPRINT_LOAD_PLUGINS", "")
    assert Registry.from_plugins(get_plugin_manager()).regions == {}
    monkeypatch.setenv("FOOTPRINT_LOAD_PLUGINS", "fp_good")
    assert set(Registry.from_plugins(get_plugin_manager()).regions) == {"XT-02"}
    monkeypatch.delenv("FOOTPRINT_LOAD_PLUGINS")
    monkeypatch.setenv("FOOTPRINT_BLOCK_PLUGINS", "fp_good, electricity_intl")
    regions = Registry.from_plugins(get_plugin_manager()).regions
    assert "XT-02" not in regions and "DE" not in regions and "CN-SC" in regions
    assert "XT-02" not in Registry.from_plugins(get_plugin_manager(block={"fp_good"})).regions


def test_misspelt_hook_in_code_fails_loudly():
    class Misspelt:
        @hookimpl
        def register_regoins(self, registry):
            return []

    pm = get_plugin_manager(load=False)
    pm.register(Misspelt())
    with pytest.raises(pluggy.PluginValidationError):
        pm.check_pending()


def test_wrong_record_type_and_dangling_reference():
    class WrongType:
        @hookimpl
        def register_regions(self, registry):
            return ["CN-SC"]

    with pytest.raises(PluginError, match="expected Region"):
        Registry.from_plugins(manager_with(WrongType()))

    class Dangling:
        @hookimpl
        def register_electricity_factors(self, registry):
            return [ElectricityFactor("ZZ-99", 2022, "location", 0.3, "CO2_fossil",
                                      Source("x", "y"))]

    with pytest.raises(DataError, match="unknown region 'ZZ-99'"):
        Registry.from_plugins(manager_with(Dangling()))


def test_plugin_answering_none_is_ignored():
    class Silent:
        @hookimpl
        def register_regions(self, registry):
            return None

    assert "CN-SC" in Registry.from_plugins(manager_with(Silent())).regions


def test_every_province_has_a_region_and_factors(registry):
    provinces = [r for r in registry.regions.values() if r.level == "province"]
    assert len(provinces) == 31  # 30 with published factors, plus Tibet
    years = registry.years_by_region()
    for region in provinces:
        if region.code == "CN-XZ":
            assert region.code not in years and region.fallback[0] == "CN-GRID-SOUTHWEST"
        else:
            assert years[region.code] == [2021, 2022, 2023], region.code
    assert registry.regions["CN-NM"].grids == ("CN-GRID-NORTH", "CN-GRID-NORTHEAST")
    assert registry.regions["CN-SC"].name_zh == "四川"
    grids = [r for r in registry.regions.values() if r.level == "grid"]
    assert len(grids) == 7
    eu = [r for r in registry.regions.values() if r.country not in ("CN",)]
    assert {"DE", "FR", "PL", "GB", "NO", "CH", "EU"} <= {r.code for r in eu}
    assert len([r for r in eu if r.level == "country"]) == 27 + 3


def test_default_method_is_explicit_not_registration_order():
    class ExtraMethod:
        @hookimpl
        def register_methods(self, registry):
            return [Method("test_gwp20", "Test method", (("CO2_fossil", 1.0),), Source("x", "y"))]

    registry = Registry.from_plugins(manager_with(ExtraMethod()))
    assert "test_gwp20" in registry.methods
    assert registry.default_method == "ar6"


@pytest.mark.parametrize("plugin, message", [
    ("wrapper", "hook wrapper"),
    ("single", "must return a list"),
    ("bad_basis", "basis 'Market'"),
    ("bad_origin", "origin 'fossile'"),
])
def test_contract_violations_are_named(plugin, message):
    class Wrapper:
        @hookimpl(wrapper=True)
        def register_regions(self, registry):
            return (yield)

    class Single:
        @hookimpl
        def register_regions(self, registry):
            return Region("XT-03", "三", "Three", "province")

    class BadBasis:
        @hookimpl
        def register_electricity_factors(self, registry):
            return [ElectricityFactor("CN-SC", 2030, "Market", 0.3, "CO2_fossil", Source("x", "y"))]

    class BadOrigin:
        @hookimpl
        def register_flows(self, registry):
            return [Flow("SF6", "Sulphur hexafluoride", "六氟化硫", "fossile")]

    chosen = {"wrapper": Wrapper, "single": Single, "bad_basis": BadBasis,
              "bad_origin": BadOrigin}[plugin]()
    with pytest.raises((PluginError, DataError), match=message):
        Registry.from_plugins(manager_with(chosen))


# -- a plugin's exception, and the trace switch -------------------------------------------------

def test_an_exception_inside_a_hook_names_the_plugin_and_the_hook():
    class Broken:
        @hookimpl
        def register_regions(self, registry):
            return [Region(row["code"], "", "", "province") for row in [{"iso": "XT-04"}]]

    pm = get_plugin_manager(load=False)
    pm.register(Broken(), name="broken_regions")
    with pytest.raises(PluginError) as raised:
        Registry.from_plugins(pm)
    assert str(raised.value) == "plugin 'broken_regions': register_regions raised KeyError: 'code'"
    assert said(raised.value.message, "zh") == \
        "插件 'broken_regions'：register_regions 出错：KeyError: 'code'"
    assert isinstance(raised.value.__cause__, KeyError)  # the original, for the traceback


def test_a_plugins_own_invalid_input_reaches_the_user_unchanged(make_bom):
    refusal = InvalidInput([Problem("parameters.kwh", "must be at most 10 kWh")])

    class Strict:
        @hookimpl
        def register_categories(self, registry):
            return [ProductCategory("strict", "严格", "Strict", parameters=StrictParameters)]

        @hookimpl
        def expand_bom(self, category, parameters, bom, registry):
            raise refusal

    engine = Engine(plugin_manager=manager_with(Strict()))
    bom = make_bom(product={"name": "x", "category": "strict"}, lines=[],
                   parameters={"kwh": 11})
    with pytest.raises(InvalidInput) as raised:
        engine.resolve(parse_bom(bom))
    assert raised.value is refusal


class StrictParameters(ParameterSchema):
    kwh = fields.Float(required=True)


def traced(caplog, monkeypatch, switch):
    """The trace records of building a registry and resolving an oranges BOM."""
    if switch is None:
        monkeypatch.delenv("FOOTPRINT_TRACE_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("FOOTPRINT_TRACE_PLUGINS", switch)
    caplog.set_level(logging.DEBUG, logger="footprint.plugins")
    engine = Engine(plugin_manager=get_plugin_manager(load={"electricity_cn", "oranges"}))
    engine.resolve(read_bom_file(SAMPLES / "oranges_pujiang_farm_gate.json"))
    return [r for r in caplog.records if r.name == "footprint.plugins"]


def test_the_trace_switch_logs_every_hook_call(caplog, monkeypatch):
    records = traced(caplog, monkeypatch, "1")
    calls = [(r.hook, r.plugin) for r in records]
    assert ("register_flows", "footprint.defaults") in calls
    assert ("register_regions", "electricity_cn") in calls
    assert ("register_background", "oranges") in calls
    assert ("expand_bom", "oranges") in calls
    flows = next(r for r in records if r.hook == "register_flows")
    assert flows.arguments == ("registry",)
    assert [f.id for f in flows.answer] == [
        "CO2_fossil", "CO2_biogenic", "CH4_fossil", "CH4_non_fossil", "N2O", "CO2e_aggregated"]
    assert 0 <= flows.seconds < 10
    assert flows.getMessage().startswith(
        "footprint.defaults: register_flows(registry) -> list of 6: [Flow(")
    expand = next(r for r in records if r.hook == "expand_bom")
    assert expand.arguments == ("category", "parameters", "bom", "registry")
    assert all(line["stage"] for line in expand.answer)


def test_without_the_trace_switch_nothing_is_logged(caplog, monkeypatch):
    assert traced(caplog, monkeypatch, None) == []
    assert traced(caplog, monkeypatch, "0") == []


def test_the_trace_names_the_plugin_whose_hook_raised(caplog, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_TRACE_PLUGINS", "1")
    caplog.set_level(logging.DEBUG, logger="footprint.plugins")

    class Broken:
        @hookimpl
        def register_regions(self, registry):
            raise RuntimeError("no network")

    pm = get_plugin_manager(load=False)
    pm.register(Broken(), name="broken_regions")
    with pytest.raises(PluginError):
        Registry.from_plugins(pm)
    last = [r for r in caplog.records if r.name == "footprint.plugins"][-1]
    assert (last.hook, last.plugin) == ("register_regions", "broken_regions")
    assert "raised RuntimeError: no network" in last.getMessage()


def test_the_trace_is_on_stderr_when_logging_is_not_configured(tmp_path):
    # `FOOTPRINT_TRACE_PLUGINS=1 footprint validate ...`: the command's own output on stdout,
    # one line per hook call on stderr
    env = {**os.environ, "FOOTPRINT_TRACE_PLUGINS": "1", "FOOTPRINT_HOME": str(tmp_path),
           "FOOTPRINT_LOAD_PLUGINS": "electricity_cn"}
    sample = SAMPLES / "sichuan_machined_part.json"
    done = subprocess.run([sys.executable, "-c", "from cli.main import cli; cli()", "validate",
                           str(sample)], env=env, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.startswith(f"{sample}: valid")
    lines = done.stderr.splitlines()
    assert "footprint.plugins: footprint.defaults: register_flows(registry) -> list of 6: " \
           "[Flow(" in "\n".join(lines)
    assert any(line.startswith("footprint.plugins: electricity_cn: register_regions(registry)"
                               " -> list of ") for line in lines)
