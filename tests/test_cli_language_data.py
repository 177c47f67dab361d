"""The commands on BOMs, factors, data, libraries, backgrounds, recalculation, the registry,
consents and loans speak the chosen language: `--lang zh` (or FOOTPRINT_LANG=zh) gives their
help, listings, summaries and their own refusals in Chinese, `--lang en` in English as
before; codes, names, paths, hashes and numbers stay as they are in both."""
from __future__ import annotations

import json
import re

import pytest

from footprint import clock
from footprint.data import Catalog
from footprint.translog import TransparencyLog

from .conftest import SAMPLES
from .test_cli_operator import operator, refused  # noqa: F401 -- the fixture, and its check
from .test_data import data_package  # noqa: F401 -- a package with one dataset
from .test_libraries import csv_bytes, ROWS
from .test_benchmarks import oranges  # noqa: F401 -- three verified oranges
from .test_loans import bank, cable, engine_2022, orchard  # noqa: F401


@pytest.fixture
def speaking(run, monkeypatch):
    """speaking(language, *args) -> the result of `footprint ARGS` with FOOTPRINT_LANG set to
    ``language``."""
    def invoke(language, *args):
        monkeypatch.setenv("FOOTPRINT_LANG", language)
        return run(*args)
    return invoke


@pytest.fixture
def operating(operator, monkeypatch):
    """``speaking`` on the service's home (test_cli_operator's ``operator``)."""
    def invoke(language, *args):
        monkeypatch.setenv("FOOTPRINT_LANG", language)
        return operator(*args)
    return invoke


def lines(result) -> list[str]:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout.splitlines()


def help_head(speaking, language, *command) -> list[str]:
    """The usage line and the command's first line of help."""
    return lines(speaking(language, *command, "--help"))[:3]


# -- calc, validate and the --set option ------------------------------------------------------

def test_a_product_its_category_does_not_grade_is_said_not_graded(speaking):
    """A V2O5 flake: the steel bands are per t crude steel, said in the chosen language."""
    flake = str(SAMPLES / "steel_vanadium_panzhihua_v2o5.json")
    assert "  未分级：钒钛钢铁 的等级划分（kg CO2e/t 粗钢）不适用于此产品，因此不评级" in lines(
        speaking("zh", "calc", flake))
    assert ("  not graded: the grade bands of Vanadium-titanium steel and vanadium products "
            "(kg CO2e/t crude steel) do not apply to this product, so it is not graded") in lines(
        speaking("en", "calc", flake))


def test_a_bom_is_validated_and_calculated_in_chinese_and_english(speaking, write_bom,
                                                                   make_bom):
    path = write_bom(make_bom())  # 100 kWh of Sichuan's 2022 electricity
    assert lines(speaking("zh", "validate", path)) == [f"{path}：有效（1 行）"]
    assert lines(speaking("en", "validate", path)) == [f"{path}: valid (1 lines)"]
    # 100 kWh x 0.1404 kg CO2/kWh (MEE 2024 No. 33, Sichuan 2022) = 14.04 -> 14.0 kg CO2e
    zh = lines(speaking("zh", "calc", path))
    assert zh[1].startswith("  14.0 kg CO2e 每 1 kg   （")
    assert zh[-1].startswith("范围（P5-P95）：") and "（1,000 次抽样，种子 20261204；" in zh[-1]
    en = lines(speaking("en", "calc", path))
    assert en[1].startswith("  14.0 kg CO2e per 1 kg   (")
    assert en[-1].startswith("range (P5-P95): ") and "(1,000 draws, seed 20261204; " in en[-1]
    # --set gives a CSV's header fields: a JSON file is a whole BOM, in both languages
    for language in ("zh", "en"):
        refused(speaking(language, "calc", path, "--set", "地区=四川"),
                f"error: {path}: a JSON file is a whole BOM; --set is for CSV and XLSX files",
                f"错误：{path}：JSON 文件是完整的物料清单；--set 只用于 CSV 和 XLSX 文件")
        refused(speaking(language, "validate", path, "--set", "四川"),
                "error: --set '四川': write FIELD=VALUE, e.g. --set 地区=四川",
                "错误：--set '四川'：请写作 字段=值，如 --set 地区=四川")


def test_calc_and_validate_help_in_chinese_and_english(speaking):
    assert help_head(speaking, "zh", "calc") == [
        "用法：cli calc [OPTIONS] BOM", "", "  核算物料清单文件的碳足迹。文件可为 JSON、CSV 或 XLSX。"]
    assert help_head(speaking, "en", "calc") == [
        "Usage: cli calc [OPTIONS] BOM", "",
        "  Calculate the footprint of a BOM file (JSON, CSV or XLSX)."]
    zh = lines(speaking("zh", "validate", "--help"))
    assert zh[2] == "  检查物料清单文件，不核算。文件可为 JSON、CSV 或 XLSX。"
    assert zh[5].startswith("  --set FIELD=VALUE  CSV 或 XLSX 文件的表头字段，名称与文件表头区一致")
    en = lines(speaking("en", "validate", "--help"))
    assert en[2] == "  Check a BOM file (JSON, CSV or XLSX) without calculating it."
    assert en[5].startswith("  --set FIELD=VALUE  A header field of a CSV or XLSX file")


# -- factors, regions, categories, plugins ----------------------------------------------------

def test_factors_in_chinese_and_english(speaking):
    # MEE 2024 No. 33: Sichuan 2022, 0.1404 kg CO2/kWh, location-based
    assert lines(speaking("zh", "factors", "--region", "CN-SC", "--year", "2022")) == [
        "地区   年份  核算基准              kg/kWh  气体        插件",
        "-----  ----  --------------------  ------  ----------  --------------",
        "CN-SC  2022  基于位置（电网平均）  0.1404  CO2_fossil  electricity_cn",
        "CN-SC 缺少某一核算基准的因子时，依次由以下地区替代：CN-GRID-SOUTHWEST、CN"]
    assert lines(speaking("en", "factors", "--region", "CN-SC", "--year", "2022")) == [
        "region  year  basis                          kg/kWh  gas         plugin",
        "------  ----  -----------------------------  ------  ----------  --------------",
        "CN-SC   2022  location-based (grid average)  0.1404  CO2_fossil  electricity_cn",
        "where CN-SC has no factor of a basis, these regions stand in, in order: "
        "CN-GRID-SOUTHWEST, CN"]
    assert lines(speaking("zh", "factors", "--region", "CN-SC", "--year", "2019"))[0] == \
        "CN-SC 没有 2019 年的因子；有因子的年份：2021、2022、2023"
    assert lines(speaking("en", "factors", "--region", "CN-SC", "--year", "2019"))[0] == \
        "no factors for CN-SC in 2019; years with factors: 2021, 2022, 2023"
    # a source in short, as calc says one: publisher, the dataset's title, the confidence
    # level, and in Chinese the factor's own note (lca_data/materials/manifest.json
    # publisher_zh, title_zh, notes_zh["materials/abs"])
    assert lines(speaking("zh", "factors", "--search", "materials/abs"))[-2:] == [
        "来源（完整引文：--sources）：",
        "  materials/abs：英国巴斯大学 · 材料：碳与能源清单（ICE）v2.0 中的金属、ABS 塑料与橡胶 · "
        "可信度中 · 未找到中国的 ABS 因子"]
    assert lines(speaking("en", "factors", "--search", "materials/abs"))[-2:] == [
        "sources (whole citations: --sources):",
        "  materials/abs: University of Bath · Materials: metals, ABS and rubber of the "
        "Inventory of Carbon and Energy v2.0 · medium confidence"]
    # --sources: the whole citation beneath, its confidence note's level in the chosen
    # language, the rest as written (this factor's note is its own, not its dataset's)
    assert lines(speaking("zh", "factors", "--search", "materials/abs", "--sources"))[-1].endswith(
        "; no China ABS factor found [可信度中 (secondary, MATERIALS.md abs_ice)]")
    assert lines(speaking("en", "factors", "--search", "materials/abs", "--sources"))[-1].endswith(
        "; no China ABS factor found [medium confidence (secondary, MATERIALS.md abs_ice)]")
    assert lines(speaking("zh", "factors", "--search", "unobtainium"))[0] == \
        "没有与 'unobtainium' 匹配的因子"
    assert lines(speaking("en", "factors", "--search", "unobtainium"))[0] == \
        "no factor matches 'unobtainium'"
    assert help_head(speaking, "zh", "factors")[2] == \
        "  列出已安装插件和平台因子库提供的全部排放因子。先列出按地区和年份的电力因子，再"
    assert help_head(speaking, "en", "factors")[2] == \
        "  List every factor the installed plugins and the platform's libraries give:"


def test_regions_categories_and_plugins_in_chinese_and_english(speaking, registry):
    zh = lines(speaking("zh", "regions"))
    assert zh[0].split() == ["代码", "中文名称", "英文名称", "级别", "电网区域", "因子年份"]
    assert next(r for r in zh if r.startswith("CN-SC ")).split() == [
        "CN-SC", "四川", "Sichuan", "省级", "CN-GRID-SOUTHWEST", "2021,2022,2023"]
    assert next(r for r in zh if r.startswith("CN-XZ ")).split()[-1] == "（替代）"
    en = lines(speaking("en", "regions"))
    assert en[0].split() == ["code", "Chinese", "name", "English", "name", "level", "grid",
                             "factor", "years"]
    assert next(r for r in en if r.startswith("CN-XZ ")).split()[-1] == "(fallback)"
    oranges = [line for line in lines(speaking("zh", "categories"))
               if line.startswith("oranges  ")]
    named = registry.categories["oranges"]  # the category's name in the chosen language
    assert oranges == [f"oranges  {named.name_zh}  [oranges]"] == ["oranges  柑橘（鲜果）  [oranges]"]
    assert [line for line in lines(speaking("en", "categories"))
            if line.startswith("oranges  ")] == [f"oranges  {named.name_en}  [oranges]"]
    # what the category covers, in the chosen language
    zh = lines(speaking("zh", "categories"))
    assert zh[zh.index("oranges  柑橘（鲜果）  [oranges]") + 1] == (
        "  每公斤鲜柑橘，至果园大门，或包装后至包装厂大门；果园投入按每公顷每年填报，土壤 N2O "
        "按 IPCC 2019 Tier 1 方法，化肥生产采用中国的因子。")
    en = lines(speaking("en", "categories"))
    assert en[en.index("oranges  Oranges (citrus fruit)  [oranges]") + 1] == (
        "  1 kg of fresh citrus fruit at the farm gate, or packed at the packhouse gate; orchard "
        "inputs per hectare and year, IPCC 2019 Tier 1 soil N2O, Chinese fertiliser "
        "manufacture factors.")
    generic = next(c for c in json.loads(speaking("zh", "categories", "--json").stdout)
                   if c["id"] == "generic")
    assert generic["description_zh"] == "任何直接以物料清单描述的产品（不使用类别模型）。"
    assert generic["description"] == \
        "Any product described directly by its bill of materials (no category model)."
    # why a region's stand-in stands in, as its plugin says it in each language
    assert lines(speaking("zh", "factors", "--region", "CN-XZ"))[-1] == (
        "CN-XZ 缺少某一核算基准的因子时，依次由以下地区替代：CN-GRID-SOUTHWEST、CN（生态环境部"
        "未发布西藏的电网排放因子，以其所属区域电网（西南电网）的因子代替）")
    assert lines(speaking("en", "factors", "--region", "CN-XZ"))[-1] == (
        "where CN-XZ has no factor of a basis, these regions stand in, in order: "
        "CN-GRID-SOUTHWEST, CN (MEE publishes no grid factor for Tibet (Xizang); the factor of "
        "its regional grid (Southwest grid) stands in)")
    tibet = next(r for r in json.loads(speaking("en", "regions", "--json").stdout)
                 if r["code"] == "CN-XZ")
    assert tibet["fallback_note_zh"] == \
        "生态环境部未发布西藏的电网排放因子，以其所属区域电网（西南电网）的因子代替"
    assert tibet["fallback_note"] == \
        "MEE publishes no grid factor for Tibet (Xizang); the factor of its regional grid " \
        "(Southwest grid) stands in"
    plugins = lines(speaking("zh", "plugins"))
    assert plugins[0].split() == ["名称", "版本", "来源", "钩子"]
    # where each came from, and its hooks listed as Chinese lists them
    oranges = next(line for line in plugins if line.startswith("oranges ")).split()
    assert oranges[2:] == ["入口点（footprint）", "expand_bom、label_extensions、register_background、"
                           "register_categories、register_datasets"]
    assert next(line for line in plugins if line.startswith("footprint.defaults ")).split()[2] \
        == "内置"
    assert next(line for line in lines(speaking("en", "plugins"))
                if line.startswith("footprint.defaults ")).split()[2:4] == ["built", "in"]
    assert lines(speaking("en", "plugins"))[0].split() == ["name", "version", "origin", "hooks"]
    assert help_head(speaking, "zh", "regions")[2] == "  列出物料清单可用的地区。"
    assert help_head(speaking, "en", "plugins")[2] == \
        "  List plugins: name, version, hooks and where each came from."


# -- data -------------------------------------------------------------------------------------

def test_data_in_chinese_and_english(speaking, data_package):  # noqa: F811
    shipped = len(Catalog("lca_data").entries)
    assert lines(speaking("zh", "data", "verify")) == [
        f"lca_data：全部 {shipped} 个数据集与清单中的哈希一致"]
    assert lines(speaking("en", "data", "verify")) == [
        f"lca_data: all {shipped} datasets match their manifest hashes"]
    name, package = data_package
    (package / "factors.csv").write_bytes(b"region,value\nCN-SC,0.0140\n")
    for language in ("zh", "en"):
        failed = speaking(language, "data", "verify", "--package", name)
        assert failed.exit_code == 1
        english, chinese = failed.stderr.splitlines()
        assert english.startswith(f"error: {name}/factors.csv does not match its manifest hash")
        # the core's own sentence (footprint.data), in Chinese after the English
        assert re.fullmatch(f"错误：{name}/factors.csv 与清单中的哈希不符（清单 [0-9a-f]{{12}}...，"
                            "文件 [0-9a-f]{12}...）：请同时更新清单条目及其来源引用", chinese)
        refused(speaking(language, "data", "verify", "--package", "no_such_package_here"),
                "error: --package: no Python package 'no_such_package_here'",
                "错误：--package：没有 Python 包 'no_such_package_here'")
    listed = lines(speaking("zh", "data", "list"))
    assert listed[0].split() == ["编号", "名称", "发布机构", "版本", "年份", "可信度"]
    # a dataset a line by its Chinese names (lca_data/manifest.json title_zh, publisher_zh),
    # its confidence levels alone: the note on how its figures were read is data show's
    road = next(line for line in listed if line.startswith("road_freight_epa "))
    assert road.split() == ["road_freight_epa", "公路货运，中型和重型卡车", "美国国家环境保护局",
                            "EPA-2024", "2024", "中"]
    # "2021 medium (provinces from one secondary copy); 2022 and 2023 high": each level with
    # the years it is given to
    grid = next(line for line in listed if line.startswith("cn_grid_co2_mee "))
    assert grid.endswith("  2021 中；2022、2023 高")
    # levels of parts of a dataset ("EF5 high (seen); FracGASF ... medium"), each once
    n2o = next(line for line in listed if line.startswith("oranges_field_n2o_ipcc2019 "))
    assert n2o.endswith("  高；中")
    # a year the manifest does not give ("not stated in the copy (ICE v2.0)")
    assert next(line for line in listed if line.startswith("materials_ice_v2 ")).split()[-2] == \
        "未注明"
    assert listed[-1] == "数据集的完整来源和可信度：footprint data show 编号"
    english = lines(speaking("en", "data", "list"))
    road = next(line for line in english if line.startswith("road_freight_epa "))
    assert "Road freight, medium and heavy trucks" in road and road.endswith("  medium")
    grid = next(line for line in english if line.startswith("cn_grid_co2_mee "))
    assert grid.endswith("  2021 medium; 2022, 2023 high")
    # one dataset whole: its confidence note and citation as the manifest writes them
    shown = lines(speaking("zh", "data", "show", "road_freight_epa"))
    assert shown[:3] == ["road_freight_epa", "  名称：公路货运，中型和重型卡车",
                         "  发布机构：美国国家环境保护局"]
    # the manifest's own descriptions as it gives them in Chinese (lca_data/manifest.json
    # geography_zh, unit_zh, gas_scope_zh, confidence_zh, licence_zh); the citation as published
    assert shown[5:10] == ["  提供的数据：投入品排放因子", "  地理范围：美国（用作中国的替代数据）",
                           "  计量单位：kg CO2/tkm", "  温室气体范围：仅 CO2（油箱到车轮）",
                           "  可信度：中（计算得出；地理替代）"]
    assert "  使用许可：美国政府作品，公有领域" in shown
    assert any(line.startswith("  来源：US EPA GHG Emission Factors Hub") for line in shown)
    assert "  数据文件：processes/road_freight_epa.csv" in shown
    english = lines(speaking("en", "data", "show", "road_freight_epa"))
    assert english[5:10] == ["  what it gives: emission factors of inputs",
                             "  geography covered: US (proxy for CN)", "  unit: kg CO2/tkm",
                            "  greenhouse gases covered: CO2 only (tank-to-wheel)",
                            "  confidence: medium (computed; geographic proxy)"]
    assert "  licence: US government work, public domain" in english
    refused(speaking("zh", "data", "show", "no_such_dataset"),
            "error: no dataset 'no_such_dataset' in lca_data (footprint data list lists them)",
            "错误：lca_data 中没有数据集 'no_such_dataset'（footprint data list 列出全部数据集）")
    assert lines(speaking("zh", "data", "versions"))[0].split() == [
        "名称", "哈希", "发布时间", "数据集", "状态"]
    assert lines(speaking("en", "data", "versions"))[0].split() == [
        "name", "hash", "published", "datasets", "status"]
    assert help_head(speaking, "zh", "data")[2] == "  随附的数据集及其来源。"
    assert help_head(speaking, "en", "data")[2] == "  Shipped datasets and their sources."


# -- library ----------------------------------------------------------------------------------

def test_a_library_is_imported_and_listed_in_chinese_and_english(speaking, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path))
    assert lines(speaking("zh", "library", "list")) == [
        "尚未导入因子库（footprint library import FILE --name N --version V）"]
    assert lines(speaking("en", "library", "list")) == [
        "no library imported yet (footprint library import FILE --name N --version V)"]
    table = tmp_path / "shop.csv"
    table.write_bytes(csv_bytes(ROWS))  # three factors
    assert lines(speaking("zh", "library", "import", table, "--name", "shop", "--version",
                          "1")) == [
        "因子库 shop：已导入版本 1，共 3 个因子；物料清单行写作 library/shop/<id> 即可使用"
        "（footprint library show shop）", "数据版本：此后核算的每个结果都写明 shop@1"]
    assert lines(speaking("en", "library", "import", table, "--name", "shop", "--version",
                          "2")) == [
        "library shop: version 2 imported, 3 factors; BOM lines use them as "
        "library/shop/<id> (footprint library show shop)",
        "data version: every result calculated from now on names shop@2"]
    zh = lines(speaking("zh", "library", "list"))
    assert zh[0].split() == ["因子库", "版本", "导入时间", "(Asia/Shanghai)", "因子数", "标题"]
    # the platform's own title (no --title given) in the chosen language
    assert zh[2].split()[-2:] == ["因子库", "shop"] and zh[3].split()[-2:] == ["因子库", "shop"]
    english = lines(speaking("en", "library", "list"))
    assert english[0].split() == [
        "library", "version", "imported", "(Asia/Shanghai)", "factors", "title"]
    assert english[2].split()[-3:] == ["Factor", "library", "shop"]
    shown = lines(speaking("zh", "library", "show", "shop"))
    assert shown[0].split() == ["投入", "中文名称", "英文名称", "数值", "计量单位", "可信度"]
    assert shown[2].split() == ["library/shop/al-sheet", "铝板(川)", "Aluminium", "sheet,",
                                "Sichuan", "8.6", "kg", "CO2e/kg", "中"]
    assert shown[5] == "来源："
    english = lines(speaking("en", "library", "show", "shop"))
    assert english[2].split()[-2:] == ["CO2e/kg", "medium"]
    assert english[5] == "sources:"
    assert help_head(speaking, "zh", "library")[2] == "  平台自有的因子库。可导入因子表并列出因子库。"
    assert help_head(speaking, "en", "library")[2] == \
        "  The platform's own factor libraries: import a factor table, list them."


# -- background -------------------------------------------------------------------------------

def test_an_lci_database_is_imported_and_searched_in_chinese_and_english(speaking, tmp_path,
                                                                         monkeypatch):
    from .test_backgrounds import HAND

    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path))  # the backgrounds plugin reads it
    assert lines(speaking("zh", "background", "list")) == [
        "尚未导入背景数据集（footprint background import PATH ...）"]
    assert lines(speaking("en", "background", "search", "widget")) == [
        "no imported activity matches 'widget'"]
    assert lines(speaking("zh", "background", "search", "widget")) == [
        "没有与 'widget' 匹配的已导入活动"]
    zh = lines(speaking("zh", "background", "import", HAND, "--format", "ecospold2", "--name",
                        "hand", "--version", "1"))
    # three activities, each offered; CO2, CH4, N2O and SF6 characterised, R-10 to water not
    assert zh[0].startswith("已从 hand-ecospold2 导入 hand 1（ecospold2，bw2io ")
    assert zh[1] == "  活动：3 个（其中 3 个可用作 bg:hand/<code>）"
    assert zh[4] == "  未特征化（1 个，按 0 计）："
    assert zh[-1] == "  报告：FOOTPRINT_HOME 下的 backgrounds/hand/1.report.json"
    en = lines(speaking("en", "background", "import", HAND, "--format", "ecospold2", "--name",
                        "hand", "--version", "2"))
    assert en[1] == "  activities: 3 (3 offered as bg:hand/<code>)"
    assert en[4] == "  NOT characterised (1, they count 0):"
    assert en[-1] == "  report: backgrounds/hand/2.report.json under FOOTPRINT_HOME"
    listed = lines(speaking("zh", "background", "list"))
    assert listed[0].split() == ["名称", "最新版本", "保留的版本", "格式", "活动数", "未特征化"]
    assert listed[2].split() == ["hand", "2", "1、2", "ecospold2", "3", "1"]
    assert listed[3] == "使用较早的版本：在数据版本中写明，如 --data-version <...>+hand@1"
    assert lines(speaking("zh", "background", "search", "", "--limit", "1"))[-1] == \
        "……另有 2 条：请缩小查找范围，或用 --limit 0"
    assert help_head(speaking, "zh", "background")[2] == \
        "  作为背景数据导入的生命周期清单（LCI）数据库。"


# -- recalc -----------------------------------------------------------------------------------

def test_a_recalculation_is_summed_up_in_chinese_and_english(service, operating, approve,
                                                             issuer, engine_2022):
    # 100 kWh of Shandong's electricity: 100 x 0.641 (MEE-2022's 2022 factor) = 64.1 kg CO2e,
    # under MEE-2023 100 x 0.6191 = 61.91: -2.19 kg, -2.19 / 64.1 = -3.42 %
    approve(cable(2025, 100), issuer, engine_2022)
    zh = operating("zh", "recalc", "--dry-run", "--no-progress")
    assert lines(zh)[1:] == [
        "  选中 1 个；重算 1 个：1 个有变化，0 个无变化，0 个失败",
        "  平均变化 -3.42 %，最大 -3.42 %",
        "  按地区：",
        "    CN-SD                    1 个产品          1 个有变化  平均    -3.42 %  最大    -3.42 %",
        "  按产品类别：",  # by its name, in 16 terminal columns (a Chinese character takes 2)
        "    通用产品" + " " * 17 + "1 个产品          1 个有变化  平均    -3.42 %  最大    -3.42 %",
        "  变化最大的产品：",
        "    #1 cable (CN-SD、通用产品): 64.1 -> 61.9 kg CO2e (-3.42 %)  主要因 电力（生产） "
        "变化（-2.19 kg CO2e）",
        "  已为 1 个产品重新抽样估算范围（P5-P95，1,000 次抽样）"]
    assert lines(zh)[0].startswith("试运行，未保存任何内容：已按 MEE-2023（")
    en = operating("en", "recalc", "--dry-run", "--no-progress")
    assert lines(en)[0].startswith("dry run, nothing stored: recalculated under MEE-2023 (")
    assert lines(en)[1:] == [
        "  selected 1; recalculated 1: 1 changed, 0 unchanged, 0 failed",
        "  mean change -3.42 %, largest -3.42 %",
        "  by region:",
        "    CN-SD                    1 products          1 changed  mean    -3.42 %  largest"
        "    -3.42 %",
        "  by category:",
        "    Generic product" + " " * 10 + "1 products          1 changed  mean    -3.42 %  "
        "largest    -3.42 %",
        "  top movers:",
        "    #1 cable (CN-SD, Generic product): 64.1 -> 61.9 kg CO2e (-3.42 %)  moved by "
        "electricity (production) (-2.19 kg CO2e)",
        "  ranges (P5-P95, 1,000 draws) drawn again for 1 products"]
    for language in ("zh", "en"):
        refused(operating(language, "recalc", "--replace-report"),
                "error: --replace-report goes with --report FILE",
                "错误：--replace-report 须与 --report 文件 一起使用")
    assert lines(operating("zh", "recalc", "--help"))[2] == "  按新的因子数据批量重算已保存的碳足迹。"
    assert lines(operating("en", "recalc", "--help"))[2] == \
        "  Recalculate stored footprints under new factor data."


# -- registry ---------------------------------------------------------------------------------

def test_the_registry_s_benchmarks_and_bands_in_chinese_and_english(service, operating, oranges,
                                                                    monkeypatch):
    low, mid, high = (label["record"]["value"] for label in oranges)
    # n = 3, type 7: the p-quantile at h = 2p between the sorted values
    quartiles = f"{low + 0.5 * (mid - low):.4g} / {mid:.4g} / {mid + 0.5 * (high - mid):.4g}"
    cuts = [low + 0.4 * (mid - low), low + 0.8 * (mid - low), mid + 0.2 * (high - mid),
            mid + 0.6 * (high - mid)]
    assert lines(operating("zh", "registry", "benchmarks")) == [
        "分位数：Hyndman–Fan 第 7 类（线性插值，(n - 1) p）；n >= 30 时可采用等级划分"
        "（FOOTPRINT_BENCHMARK_MIN_N）",
        f"柑橘（鲜果）（oranges），每 kg：n=3  Q1/中位数/Q3 {quartiles}  P20/P40/P60/P80 "
        + " / ".join(f"{c:.4g}" for c in cuts)]
    assert lines(operating("en", "registry", "benchmarks")) == [
        "quantiles: Hyndman-Fan type 7 (linear interpolation, (n - 1) p); bands may be adopted "
        "from n >= 30 (FOOTPRINT_BENCHMARK_MIN_N)",
        f"Oranges (citrus fruit) (oranges) per kg: n=3  Q1/median/Q3 {quartiles}  P20/P40/P60/P80 "
        + " / ".join(f"{c:.4g}" for c in cuts)]
    monkeypatch.setenv("FOOTPRINT_BENCHMARK_MIN_N", "3")
    today = clock.now().date().isoformat()
    bands = [f"{grade} <= {cut:.4g}" for grade, cut in zip("ABCD", cuts)]
    # the three labels are leaves 0 to 2; each adoption the next
    assert lines(operating("zh", "registry", "adopt-bands", "oranges", "kg")) == [
        f"已为 柑橘（鲜果）（oranges）（每 kg）采用第 1 版等级划分：基于 3 个已核查产品的基准，{today}："
        + "、".join(bands) + "、E 高于前一档", "已记入透明日志，为第 3 号叶子"]
    assert lines(operating("en", "registry", "adopt-bands", "oranges", "kg")) == [
        f"adopted version 2 for Oranges (citrus fruit) (oranges) per kg: benchmark of 3 verified products, {today}: "
        + ", ".join(bands) + ", E above", "logged as leaf 4 of the transparency log"]
    assert lines(operating("zh", "registry", "--help"))[2] == "  公开目录：开放数据、基准与等级划分。"


# -- consents and loans -----------------------------------------------------------------------

def test_consents_and_a_priced_loan_in_chinese_and_english(service, operating, approve, issuer,
                                                           engine_2022, bank, orchard):
    approve(cable(2025, 100), issuer, engine_2022)
    approve(cable(2026, 85), issuer)
    name, borrower = "Chengdu Rural Commercial Bank", "Pujiang Orchard Co-op"
    assert lines(operating("zh", "consents", "grant", "--org", borrower, "--bank", name)) == [
        f"{name} 现在可以查看 {borrower} 的碳账户"]
    assert lines(operating("zh", "consents", "list", "--bank", name))[0].split() == [
        "机构", "名称", "授权时间", "(Asia/Shanghai)"]
    assert lines(operating("zh", "loans", "decisions", "--bank", name)) == ["尚无已定价的贷款"]
    assert lines(operating("zh", "loans", "products", "create", "--bank", name, "--name",
                           "linked", "--base-rate", "3.0", "--base-rate-date", "2025-11-20",
                           "--preset", "target", "--preset", "coupon")) == [
        "贷款产品 1：linked，1年期LPR 1-year LPR 3.00 %，2 条规则"]
    assert lines(operating("zh", "loans", "products", "list", "--bank", name)) == [
        "编号  名称    基准利率  规则", "----  ------  --------  ------------------",
        "1     linked  3.00 %    年度减排目标、贴息"]
    assert lines(operating("en", "loans", "products", "list", "--bank", name))[2] == \
        "1   linked  3.00 %     annual reduction target, interest subsidy"
    leaf = TransparencyLog(service.db).size()  # the decision is the next leaf
    # 85 kWh against 100: 15 % >= the 10 % target: 300 - 60 = 240 bp; 10,000,000 x 0.60 % =
    # 60,000 yuan a year, and the coupon's 50 bp of the principal, capped at 50,000
    price = ("loans", "price", "--bank", name, "--borrower", borrower, "--product", "linked",
             "--principal", "10000000", "--year", "2026")
    priced = lines(operating("zh", *price))
    assert priced[:2] == ["定价结果 1：2.40 %（3.00 % 下调 60 个基点）",
                          "本金 10,000,000.00 元；每年节省利息 60,000.00；贴息 50,000.00；"
                          "合计优惠 110,000.00 元"]
    assert "  - 减排 15% 达到 10%：下调 60 个基点" in priced
    assert priced[-1] == f"已签名并记入透明日志，为第 {leaf} 号叶子"
    priced = lines(operating("en", *price))
    assert priced[:2] == ["decision 2: 2.40 % (3.00 % less 60 bp)",
                          "principal 10,000,000.00 yuan; interest saved a year 60,000.00; "
                          "subsidy 50,000.00; total benefit 110,000.00 yuan"]
    assert priced[-1] == f"signed and logged as leaf {leaf + 1} of the transparency log"
    assert lines(operating("zh", "consents", "revoke", "--org", borrower, "--bank", name)) == [
        f"{name} 已不能再查看 {borrower} 的碳账户"]
    assert lines(operating("zh", "consents", "list", "--bank", name)) == ["无"]  # none left
    assert lines(operating("en", "consents", "list", "--bank", name)) == ["none"]
    for language in ("zh", "en"):
        refused(operating(language, "loans", "decisions"),
                "error: name one of --bank and --borrower", "错误：请在 --bank 和 --borrower 中指定一个")
    assert lines(operating("zh", "loans", "--help"))[2] == "  银行贷款产品与碳足迹挂钩的贷款定价。"
    assert lines(operating("en", "consents", "--help"))[2] == \
        "  Banks' access to organisations' carbon accounts."
