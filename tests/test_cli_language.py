"""The language the command line speaks: Chinese by default, English when asked (`--lang en`
before or after the command, FOOTPRINT_LANG, or an English locale), in its help, in
click's refusals of a command line and in a calculation's text; Chinese wrapped by the
columns a terminal gives it."""
from __future__ import annotations

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


def test_a_calculation_is_said_in_chinese_and_in_english():
    # Sichuan machined part: 100 kWh x 0.1404 + 3 kg diesel x 3.1863 + 12 tkm x 0.116
    # = 24.9909 kg CO2e a piece, 25.0 to 3 significant figures; production 23.5989 -> 23.6
    chinese = invoke(cli, "calc", SICHUAN).stdout
    assert "  25.0 kg CO2e 每 1 件" in chinese
    assert "地区 CN-SC）" in chinese and "摇篮到大门" in chinese
    assert any(line.startswith("生产") and "23.6" in line for line in chinese.splitlines())
    assert chinese.splitlines()[-1].startswith("范围（P5-P95）：")
    english = invoke(cli, "calc", SICHUAN, "--lang", "en").stdout
    assert "  25.0 kg CO2e per 1 piece" in english
    assert "cradle to gate, region CN-SC)" in english
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
