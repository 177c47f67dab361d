"""The language the command line speaks: Chinese by default, English when asked (`--lang en`
before or after the command, FOOTPRINT_LANG, or an English locale), in its help, in
click's refusals of a command line and in a calculation's text; Chinese wrapped by the
columns a terminal gives it."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from cli.helptext import columns, speak, wrap
from cli.language import from_locale
from cli.main import cli

from .test_cli import SICHUAN

NO_LANGUAGE = {"FOOTPRINT_LANG": None, "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None,
               "LANG": None}


def invoke(command, *args, **environment):
    """``command`` run with the locale and FOOTPRINT_LANG cleared, then ``environment``."""
    return CliRunner().invoke(command, [str(a) for a in args],
                              env={**NO_LANGUAGE, **environment}, prog_name="footprint")


@pytest.mark.parametrize("environ, language", [
    ({}, "zh"),                                           # no locale: the product's default
    ({"LANG": "C.UTF-8"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANGUAGE": "en:zh", "LANG": "zh_CN.UTF-8"}, "en"),  # the first variable set decides
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_MESSAGES": "en_GB", "LANG": "zh_CN.UTF-8"}, "en"),
])
def test_the_locale_names_the_language(environ, language):
    assert from_locale(environ) == language


def test_help_is_chinese_by_default_and_english_when_asked():
    chinese = invoke(cli, "--help")
    assert chinese.exit_code == 0
    lines = chinese.stdout.splitlines()
    assert lines[0] == "用法：footprint [OPTIONS] COMMAND [ARGS]..."
    assert lines[2] == "  产品碳足迹与碳标签。"
    assert "选项：" in lines and "命令：" in lines
    assert any(line.startswith("  --help") and line.endswith("显示此帮助并退出。")
               for line in lines)
    for english in (invoke(cli, "--lang", "en", "--help"),
                    invoke(cli, "--help", FOOTPRINT_LANG="en"),
                    invoke(cli, "--help", LANG="en_US.UTF-8")):
        lines = english.stdout.splitlines()
        assert lines[0] == "Usage: footprint [OPTIONS] COMMAND [ARGS]..."
        assert lines[2] == "  Product carbon footprints and carbon labels."
        assert "Options:" in lines and "Commands:" in lines


def test_the_option_beats_the_variable_and_the_variable_beats_the_locale():
    assert invoke(cli, "--lang", "zh", "--help", FOOTPRINT_LANG="en").stdout.startswith("用法")
    assert invoke(cli, "--help", FOOTPRINT_LANG="zh", LANG="en_US.UTF-8").stdout \
        .startswith("用法")
    # every command takes --lang too, after its name
    assert invoke(cli, "calc", "--lang", "en", "--help").stdout \
        .startswith("Usage: footprint calc")


def test_click_s_extras_are_said_in_chinese():
    @click.command()
    @click.option("--size", default=5, show_default=True, help="How many.")
    @click.option("--name", required=True, help="Who.")
    def sized(size, name):
        """Nothing the catalogue knows."""
    speak(sized)
    text = invoke(sized, "--help").stdout
    # a text the catalogue has no Chinese for stays as written; click's words do not
    assert "How many. [默认：5]" in text
    assert "Who. [必填]" in text
    assert "  Nothing the catalogue knows." in text


def test_a_refused_command_line_is_said_in_chinese_too():
    missing = invoke(cli, "calc")
    assert missing.exit_code == 2
    assert "Error: Missing argument 'BOM'." in missing.stderr
    assert missing.stderr.rstrip().endswith("错误：缺少参数 BOM")
    unknown = invoke(cli, "calcc")
    assert unknown.exit_code == 2
    assert "错误：没有命令 calcc" in unknown.stderr
    wrong = invoke(cli, "--lang", "fr", "--help")
    assert wrong.exit_code == 2
    assert "“fr”不在可选值中（zh、en）" in wrong.stderr
    not_a_number = invoke(cli, "calc", "--draws", "many", SICHUAN)
    assert not_a_number.exit_code == 2
    assert "错误：--draws 的值无效：“many”不是数字" in not_a_number.stderr


def test_a_path_click_refuses_is_said_in_chinese_too(tmp_path):
    folder = invoke(cli, "calc", str(tmp_path))
    assert folder.exit_code == 2
    assert f"Error: Invalid value for 'BOM': File '{tmp_path}' is a directory." in folder.stderr
    assert folder.stderr.rstrip().endswith(f"错误：BOM 的值无效：{tmp_path} 是目录：请指定一个文件")
    missing = tmp_path / "ca.pem"
    absent = invoke(cli, "verify", "x", "--ca-file", str(missing))
    assert absent.exit_code == 2
    assert absent.stderr.rstrip().endswith(f"错误：--ca-file 的值无效：没有这个文件：{missing}")


def test_a_calculation_is_said_in_chinese_and_in_english():
    # Sichuan machined part: 100 kWh x 0.1404 + 3 kg diesel x 3.1863 + 12 tkm x 0.116
    # = 24.9909 kg CO2e a piece, 25.0 to 3 significant figures; production 23.5989 -> 23.6
    chinese = invoke(cli, "calc", SICHUAN).stdout
    assert "  25.0 kg CO2e 每 1 件" in chinese
    assert "地区 四川 (CN-SC)）" in chinese and "摇篮到大门" in chinese
    assert any(line.startswith("生产") and "23.6" in line for line in chinese.splitlines())
    assert chinese.splitlines()[-1].startswith("范围（P5-P95）：")
    english = invoke(cli, "calc", SICHUAN, "--lang", "en").stdout
    assert "  25.0 kg CO2e per 1 piece" in english
    assert "cradle to gate, region Sichuan (CN-SC))" in english
    assert any(line.startswith("production") and "23.6" in line for line in english.splitlines())
    assert english.splitlines()[-1].startswith("range (P5-P95): ")


def test_chinese_is_wrapped_by_terminal_columns():
    text = "平台签发的碳标签在透明日志中可查，" * 6
    lines = wrap(text, 40)
    assert "".join(lines) == text.strip()
    assert all(columns(line) <= 40 for line in lines)
    assert not any(line.startswith("，") for line in lines)  # never before its comma
    # Latin words stay whole; a line may break before or after a Chinese character
    assert wrap("hello world 你好", 8) == ["hello", "world 你", "好"]
    assert columns("碳标签 QR") == 9


def test_the_merged_catalogue_is_kept_and_read_again_when_a_catalogue_changes(
        tmp_path, monkeypatch):
    from cli import language
    catalogues, home = tmp_path / "catalogues", tmp_path / "home"
    catalogues.mkdir()
    po = catalogues / "cli.po"
    po.write_text('msgid "stage"\nmsgstr "阶段"\n', "utf-8")
    monkeypatch.setattr(language, "CATALOGUES", catalogues)
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    read = []
    monkeypatch.setattr(language, "_read_catalogues",
                        lambda real=language._read_catalogues: read.append(1) or real())
    try:
        language._catalogue.cache_clear()
        assert language._catalogue() == {"stage": "阶段"}
        kept = home / "translations" / "cli-zh.json"
        assert kept.exists() and len(read) == 1
        language._catalogue.cache_clear()  # a second command: from the kept file
        assert language._catalogue() == {"stage": "阶段"} and len(read) == 1
        po.write_text('msgid "stage"\nmsgstr "阶段"\n\nmsgid "share"\nmsgstr "占比"\n', "utf-8")
        language._catalogue.cache_clear()  # a catalogue changed: read again, kept again
        assert language._catalogue() == {"stage": "阶段", "share": "占比"} and len(read) == 2
    finally:
        language._catalogue.cache_clear()


def test_the_language_given_before_the_command_holds_for_it():
    # FOOTPRINT_LANG=en is read by the command's own --lang too; --lang zh before it wins
    assert invoke(cli, "--lang", "zh", "calc", "--help", FOOTPRINT_LANG="en").stdout \
        .startswith("用法：footprint calc")
    assert invoke(cli, "--lang", "zh", "calc", "--lang", "en", "--help").stdout \
        .startswith("Usage: footprint calc")  # the last one given


def test_a_bracket_stays_with_what_it_holds():
    assert wrap("数量很多很多 [必填]", 14) == ["数量很多很多", "[必填]"]
    assert wrap("数量很多很多很多 [必填]", 18) == ["数量很多很多很多", "[必填]"]
    # "之前（" fits 6 columns, but "（" must not end a line: it goes down with 平台, and "）"
    # may not start one
    assert wrap("之前（平台）", 6) == ["之前", "（平台）"]


LFP_SHANDONG = SICHUAN.parent / "batteries_lfp_pack_shandong.json"
ORANGES = SICHUAN.parent / "oranges_pujiang_packed.json"
LIN_2024 = "Lin X., Meng W., Yu M."  # the whole citation of the LFP defaults, in English


def test_a_calculation_names_its_lines_gases_sources_and_battery_figures_as_the_page_does():
    """The LFP pack made in Shandong, per kWh of capacity (batteries plugin, Lin et al. 2024
    defaults, the cell plant's 37.5 kWh on Shandong's 2022 grid, 0.641 kg CO2/kWh):
      cathode 25.2878 + anode 16.67088 + other components 12.78464 = 54.74332 CO2e (not split
      by gas); electricity 37.5 x 0.641 = 24.0375 and road 1500 km x 6.25 kg / 1000 = 9.375
      tkm x 0.116 = 1.0875, both CO2: 25.125; total 79.86832 -> 79.9;
      the cathode's share 25.2878 / 79.86832 = 31.7 %, the grid's 24.0375 / 79.86832 = 30.1 %;
      Art. 7: 0.9 depth of discharge x 6000 cycles x 1 retention = 5400 kWh delivered per kWh
      of capacity, 79.86832 / 5400 = 0.01479 -> 0.0148 kg CO2e per kWh delivered, class A
      (below the provisional 0.03)."""
    chinese = invoke(cli, "calc", LFP_SHANDONG).stdout
    lines = chinese.splitlines()
    # the method without its English gloss, the region by its name
    assert lines[1] == "  79.9 kg CO2e 每 1 kWh   （IPCC AR6 GWP100，摇篮到大门，地区 山东 (CN-SD)）"
    assert "  每千瓦时交付（欧盟电池法规第 7 条）：0.0148 kg CO2e / kWh · 等级 A 领先(暂行)" in lines
    # the inputs by their registered Chinese names, electricity by its region and basis
    assert any(line.startswith("1*  磷酸铁锂正极活性材料(每千瓦时容量,默认值)  ")
               and line.endswith("1 kWh       原材料获取  25.3     31.7 %") for line in lines)
    assert any(line.startswith("4*  电网电力，山东 · 基于位置（电网平均）  ")
               and line.endswith("37.5 kWh    生产        24.0     30.1 %") for line in lines)
    assert "按气体：二氧化碳（化石）（CO₂） 25.1、温室气体（二氧化碳当量，未分气体）（CO₂e） 54.7" in lines
    # each source once, in short; the three LFP factors share one
    assert "  中华人民共和国生态环境部；国家统计局 · 中国电网电力 CO2 排放因子：全国、区域电网及各省" \
           "（基于位置） · 2022 · 可信度高 · 插件 electricity_cn：电网电力，山东 · 基于位置（电网平均）" \
        in lines
    [lin] = [line for line in lines if line.startswith("  期刊 Frontiers in Energy Research · ")]
    assert lin.endswith(" · 可信度中 · 插件 batteries：磷酸铁锂电池石墨负极材料(每千瓦时容量,默认值)、"
                        "磷酸铁锂正极活性材料(每千瓦时容量,默认值)、磷酸铁锂电池其他电芯与电池包部件"
                        "(电解液、隔膜、铜箔铝箔、壳体、电池管理系统,每千瓦时容量,默认值)")
    assert "排放因子及其来源（完整引文：--sources）：" in lines
    assert LIN_2024 not in chinese and "CarbonFootprintForBatteries" not in chinese
    assert lines[-1].endswith("（1,000 次抽样，种子 20261204；对数正态蒙特卡罗模拟，ecoinvent 谱系矩阵"
                              "（docs/data-quality.md））")
    # --sources: each whole citation once, under its source's line
    assert invoke(cli, "calc", LFP_SHANDONG, "--sources").stdout.count(LIN_2024) == 1

    english = invoke(cli, "calc", LFP_SHANDONG, "--lang", "en").stdout
    lines = english.splitlines()
    assert lines[1] == "  79.9 kg CO2e per 1 kWh   (IPCC AR6 GWP100 (default), cradle to gate, " \
                       "region Shandong (CN-SD))"
    assert "  Per kWh delivered (EU Art. 7): 0.0148 kg CO2e / kWh · class A leading " \
           "(provisional)" in lines
    assert any(line.startswith("4*    Grid electricity, Shandong · location-based (grid average)")
               for line in lines)
    assert "by gas: carbon dioxide, fossil (CO₂) 25.1, greenhouse gases as CO2e, not split by " \
           "gas (CO₂e) 54.7" in lines
    assert LIN_2024 not in english
    assert lines[-1].endswith("(1,000 draws, seed 20261204; lognormal Monte Carlo, ecoinvent "
                              "pedigree (docs/data-quality.md))")
    # printed again from the stored result: named the same, without the plugins
    assert invoke(cli, "calc", LFP_SHANDONG, "--lang", "en").stdout == english
    assert invoke(cli, "calc", LFP_SHANDONG).stdout == chinese


def test_a_plugin_s_own_figures_are_left_to_the_json():
    # Pujiang oranges, packed: N2O of the orchard's nitrogen is said by its gas's name (direct
    # 0.067496 + 0.010296, volatilised 0.006496 + 0.005045, leached 0.015667 kg CO2e:
    # 0.105000 -> 0.105); the
    # oranges plugin's hotspots and breakdown, which no page shows either, are in --json
    chinese = invoke(cli, "calc", ORANGES).stdout
    assert "插件自有数据（oranges）：见 --json" in chinese.splitlines()
    assert "、氧化亚氮（N₂O） 0.105" in chinese and "hotspots" not in chinese
    english = invoke(cli, "calc", ORANGES, "--lang", "en").stdout
    assert "the plugins' own figures (oranges): see --json" in english.splitlines()
    assert "hotspots" in invoke(cli, "calc", ORANGES, "--json").stdout


def test_a_note_names_the_datasets_it_speaks_of_by_their_titles():
    # the V2O5 BOM's slag credit takes the indicative vanadium figures, rated low and of an
    # unidentified source (FACTORS.md section 9): the notes name the dataset by its title in
    # the reader's language (the plugin's manifest: title_zh, title), its code after it for
    # `footprint data show`
    v2o5 = SICHUAN.parent / "steel_vanadium_panzhihua_v2o5.json"
    zh = "钒渣、五氧化二钒与钒电解液（指示性从摇篮到大门因子）（steel_vanadium_vanadium_indicative）"
    chinese = invoke(cli, "calc", v2o5).stdout.splitlines()
    assert f"注意：使用了低置信度数据：{zh}" in chinese
    assert any(line.startswith(f"注意：{zh} 的出处无法确认") for line in chinese)
    en = "Vanadium slag, V2O5 and vanadium electrolyte (indicative cradle-to-gate factors) " \
         "(steel_vanadium_vanadium_indicative)"
    english = invoke(cli, "calc", v2o5, "--lang", "en").stdout.splitlines()
    assert f"note: low-confidence data used: {en}" in english
    # the stored result keeps the engine's note, by code, as its seal covers it
    stored = json.loads(invoke(cli, "calc", v2o5, "--json").stdout)
    assert "low-confidence data used: steel_vanadium_vanadium_indicative" in stored["notes"]


def test_a_sub_assembly_is_named_by_its_product():
    # the gearbox takes four Chengdu gear blanks (docs/bom.md: 4 x 24.99 = 99.95 kg CO2e in
    # raw materials): the line names the blank as its own BOM does (name_zh, name), not by
    # the product id its line gives (product:gear-blank-machining-sc)
    gearbox = SICHUAN.parent / "shandong_gearbox_assembly.json"
    chinese = invoke(cli, "calc", gearbox).stdout.splitlines()
    assert any(line.startswith("1   子部件 齿轮毛坯机加工（仅加工环节），成都  4 件      原材料获取  100 ")
               for line in chinese), chinese
    english = invoke(cli, "calc", gearbox, "--lang", "en").stdout
    assert "sub-assembly Gear blank machining (processing only), Chengdu  4 piece" in english
    assert "gear-blank-machining-sc" not in english
