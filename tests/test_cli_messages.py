"""What the command line says when it refuses: the English line wholly English, the Chinese
line wholly Chinese (the words a message names, the place in the file, the field), exit 2
for bad input and for a thing named that is not there, 1 for a failure of the work; and
every listing's times in the platform's zone, the zone named in the heading."""
from __future__ import annotations

import json
import re
import socket
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cli.language import chinese
from footprint import clock, settings, words
from footprint.errors import DataError, Message, Word
from footprint.labels.https import network_words
from footprint.outbound import Refused
from footprint.usecases import security
from footprint.usecases.findings import VOCABULARY_OF

from .test_cli_operator import operator, refused  # noqa: F401 -- the fixture, and its check

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
ENGLISH_WORD = re.compile(r"(?<![A-Za-z])[a-z]{3,}")


def bom(tmp_path, name="bom.json", **line):
    path = tmp_path / name
    path.write_text(json.dumps({
        "product": {"id": "p1", "name": "Widget"}, "declared_unit": {"amount": 1, "unit": "kg"},
        "region": "CN-SC", "lines": [{"input": "electricity", "amount": 2, "unit": "kWh",
                                      "stage": "production", **line}]}), "utf-8")
    return path


# -- 1. the words a message names, in Chinese -------------------------------------------------

def test_every_word_a_message_names_is_said_in_chinese_by_the_command_line():
    # a Word of every vocabulary the core's messages name, said through the CLI's catalogues
    for vocabulary, table in words.WORDS.items():
        for code, word in table.items():
            said = chinese(Message("%(word)s", word=Word(vocabulary, code)))
            if isinstance(word, Message):  # a word, not a symbol (kg·km); acronyms
                # and formulas stay Latin in Chinese (按 GWP100 折算的 CO2e), words do not
                assert CJK.search(said) and not ENGLISH_WORD.search(said), (vocabulary, code)


@pytest.mark.parametrize("minutes, english, in_chinese", [
    (0, "just now", "刚刚"),
    (1, "1 minutes ago", "1 分钟前"),
    (59, "59 minutes ago", "59 分钟前"),
    (60, "1 hours ago", "1 小时前"),          # the largest unit that fits, rounded down
    (1439, "23 hours ago", "23 小时前"),     # 23 h 59 min
    (1440, "1 days ago", "1 天前"),
    (3000, "2 days ago", "2 天前"),          # 2 d 2 h
])
def test_an_age_is_said_by_the_words_the_web_and_the_command_line_share(minutes, english,
                                                                        in_chinese):
    assert words.age(minutes) == english
    assert chinese(words.age(minutes)) == in_chinese


def test_a_confidence_note_is_split_into_its_levels_and_the_dataset_s_note():
    medium, low, high = (Word("confidence", level) for level in ("medium", "low", "high"))
    assert words.confidence_note("medium (secondary, MATERIALS.md abs_ice)") == \
        [medium, " (secondary, MATERIALS.md abs_ice)"]
    assert words.confidence_note("low, unidentified source") == [low, ", unidentified source"]
    assert words.confidence_note("high") == [high]
    # a level a year: each after its year
    assert words.confidence_note("2021 medium (one secondary copy); 2022 high") == \
        ["2021 ", medium, " (one secondary copy); 2022 ", high]
    # no level named so: the note is the dataset's only; a word that merely begins with a
    # level is none, nor is a level in the middle of the note's own sentence
    assert words.confidence_note("as published") is None
    assert words.confidence_note("lower bound as stated") is None
    assert words.confidence_note("seen; high for 2022") is None
    assert words.confidence_note("") is None


def test_every_vocabulary_a_message_names_has_its_words():
    # a Word("...") the core writes names a vocabulary of footprint.words: else the CLI and
    # the pages would say its code (location, accounting_body) in a Chinese sentence
    named = set()
    for path in (ROOT / "footprint").rglob("*.py"):
        named |= set(re.findall(r'\bWord\("(\w+)"', path.read_text("utf-8")))
    named |= set(VOCABULARY_OF.values())
    assert {"basis", "dimension", "org_kind", "status"} <= named
    assert sorted(named - set(words.WORDS)) == []


def test_an_organisation_of_the_wrong_kind_is_said_by_its_chinese_kinds():
    message = Message('organisation "%(name)s" is of kind %(kind)s, not %(wanted)s',
                      name="Pujiang Co-op", kind=Word("org_kind", "enterprise"),
                      wanted=Word("org_kind", "accounting_body"))
    assert chinese(message) == "机构“Pujiang Co-op”的类型是企业，不是第三方核算机构"
    assert str(message) == ('organisation "Pujiang Co-op" is of kind enterprise, '
                            'not accounting_body')


def test_an_unknown_method_is_said_with_its_chinese_name(operator, tmp_path):  # noqa: F811
    refused(operator("calc", "--method", "ar9", bom(tmp_path)),
            'error: method: method "ar9" unknown; did you mean one of "ar5", "ar6"?',
            "错误：特征化方法：未知的特征化方法“ar9”；您是否要填以下之一：“ar5”、“ar6”？")


def test_a_unit_of_another_dimension_names_both_dimensions_in_chinese(operator,  # noqa: F811
                                                                       tmp_path):
    path = bom(tmp_path, unit="kg")
    refused(operator("calc", path),
            f'error: {path}: line 1 (lines[0].unit): unit "kg" is mass but "kWh" (energy) is '
            "needed; use one of Wh, kWh, MWh, GWh, MJ, GJ",
            f"错误：{path}：第 1 行（lines[0].unit）：计量单位“kg”属于质量，此处需要“kWh”（能量）；"
            "请用以下之一：Wh、kWh、MWh、GWh、MJ、GJ")


def test_a_missing_factor_year_names_the_basis_and_the_field_in_chinese(operator,  # noqa: F811
                                                                         tmp_path):
    path = bom(tmp_path)
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**data, "factor_year": 2019}), "utf-8")
    refused(operator("calc", path),
            f"error: {path}: factor_year: line 1: no location-based electricity factor for "
            "CN-SC in 2019; published years: 2021, 2022, 2023",
            f"错误：{path}：因子年份：第 1 行：CN-SC 没有 2019 年的基于位置（电网平均）电力排放因子；"
            "已发布年份：2021、2022、2023")


def test_why_a_peer_could_not_be_reached_is_said_in_chinese():
    private = network_words("127.0.0.1", Refused("127.0.0.1", "127.0.0.1"), 10)
    assert chinese(private) == ("127.0.0.1 解析为 127.0.0.1，这是私有网络或本机的地址；除非 "
                                "FOOTPRINT_ALLOW_PRIVATE_HOSTS 列出该主机，平台不会连接它")
    missing = network_words("nowhere.invalid", socket.gaierror(-2, "Name or service not known"),
                            10)
    assert str(missing) == "the host nowhere.invalid was not found (Name or service not known)"
    assert chinese(missing) == "找不到主机 nowhere.invalid（Name or service not known）"
    assert chinese(network_words("slow.example", TimeoutError(), 2.5)) == \
        "slow.example 在 2.5 秒内没有应答"


# -- 2. where, in Chinese ---------------------------------------------------------------------

def test_a_bom_line_and_a_file_position_are_said_in_chinese(operator, tmp_path):  # noqa: F811
    negative = bom(tmp_path, amount=-2)
    refused(operator("calc", negative),
            f"error: {negative}: line 1 (lines[0].amount): Must be greater than or equal to 0.",
            f"错误：{negative}：第 1 行（lines[0].amount）：须不小于 0。")
    broken = tmp_path / "broken.json"
    broken.write_text('{"product": x}', "utf-8")
    refused(operator("calc", broken),
            f"error: {broken}: line 1, column 13 of the file: invalid JSON: Expecting value",
            f"错误：{broken}：文件第 1 行第 13 列：JSON 格式错误：此处缺少值")


# -- 3. errors that were English only ----------------------------------------------------------

def test_a_short_password_is_refused_in_chinese_too(operator):  # noqa: F811
    refused(operator("users", "password", "orchard", input="short\n"),
            "error: password: at least 10 characters", "错误：密码：至少 10 个字符")


def test_keys_refusals_are_said_in_chinese_with_exit_2(operator, tmp_path):  # noqa: F811
    assert operator("keys", "generate", "--issuer", "CN-SC", "--name", "Sichuan").exit_code == 0
    refused(operator("keys", "generate", "--issuer", "CN-SC", "--name", "Sichuan"),
            "error: issuer: CN-SC already has a key; use `footprint keys rotate --issuer CN-SC` "
            "for a new one",
            "错误：签发方：CN-SC 已有密钥；如需新密钥，请用 `footprint keys rotate --issuer CN-SC`")
    refused(operator("keys", "generate", "--issuer", "CN SC!", "--name", "Sichuan"),
            "error: issuer: letters, digits, '.', '_' or '-' (at most 32), e.g. CN-SC",
            "错误：签发方：只能用字母、数字、“.”、“_”或“-”（最多 32 个），例如 CN-SC")
    refused(operator("keys", "rotate", "--issuer", "CN-XX"),
            "error: issuer: CN-XX has no key yet; use `footprint keys generate`",
            "错误：签发方：CN-XX 尚无密钥；请用 `footprint keys generate`")
    junk = tmp_path / "junk.json"
    junk.write_text("junk\n", "utf-8")
    refused(operator("keys", "trust", "add", junk),
            f"error: trust list: {junk}: line 1, column 1 of the file: invalid JSON: "
            "Expecting value",
            f"错误：信任列表：{junk}：文件第 1 行第 1 列：JSON 格式错误：此处缺少值")
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"issuers": "四川"}'.encode("gbk"))  # 四 is 0xcb 0xc4: the 14th byte
    refused(operator("keys", "trust", "add", gbk),
            f"error: trust list: {gbk}: not UTF-8 text: byte 14 (0xcb) does not belong in "
            "UTF-8; save the file as UTF-8",
            f"错误：信任列表：{gbk}：不是 UTF-8 文本：第 14 个字节（0xcb）不属于 UTF-8 编码；"
            "请将文件另存为 UTF-8")
    missing = tmp_path / "missing.json"
    refused(operator("keys", "trust", "add", missing),
            f"error: FILE: no such file: {missing}", f"错误：FILE：没有这个文件：{missing}")
    refused(operator("keys", "trust", "add", tmp_path),
            f"error: FILE: {tmp_path} is a directory: name a file",
            f"错误：FILE：{tmp_path} 是目录：请指定一个文件")


def test_a_missing_or_unreadable_bom_file_is_named_in_chinese(operator, tmp_path):  # noqa: F811
    missing = tmp_path / "x.csv"
    for command in ("validate", "calc"):
        refused(operator(command, missing),
                f"error: {missing}: (file): no such file: {missing}",
                f"错误：{missing}：文件：没有这个文件：{missing}")
    latin1 = tmp_path / "bom.json"
    latin1.write_bytes('{"product": "Äpfel"}'.encode("latin-1"))
    # Ä is byte 0xc4 in Latin-1, the 14th of the file: where a hex editor finds it
    refused(operator("validate", latin1),
            f"error: {latin1}: file: not UTF-8 text: byte 14 (0xc4) does not belong in "
            "UTF-8; save the file as UTF-8",
            f"错误：{latin1}：文件：不是 UTF-8 文本：第 14 个字节（0xc4）不属于 UTF-8 编码；"
            "请将文件另存为 UTF-8")


def test_a_bom_s_product_and_declared_unit_fields_are_named_in_chinese(operator, tmp_path):  # noqa: F811
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({
        "product": {"name": "x", "category": "orangez"}, "declared_unit": {"amount": 1,
                                                                            "unit": "kgg"},
        "region": "CN-SC", "lines": [{"input": "electricity", "amount": 2, "unit": "kWh",
                                      "stage": "production"}]}), "utf-8")
    refused(operator("validate", path),
            f"error: {path}: 2 problem(s) in the input",
            '  - declared_unit.unit: unit "kgg" unknown, did you mean "kg"?',
            '  - product.category: category "orangez" unknown, did you mean "Oranges (citrus '
            'fruit)"?',
            f"错误：{path}：输入有 2 个问题", "  - 声明单位：未知的计量单位“kgg”，您是否要填“kg”？",
            "  - 产品品类：未知的品类“orangez”，您是否要填“柑橘（鲜果）”？")


def test_a_missing_certificate_file_is_refused_before_anything_runs(operator,  # noqa: F811
                                                                     tmp_path):
    missing = tmp_path / "ca.pem"
    refused(operator("peers", "add", "https://peer.example", "--ca-file", missing),
            f"error: --ca-file: no such file: {missing}",
            f"错误：--ca-file：没有这个文件：{missing}")


def test_an_unknown_data_version_is_said_in_chinese(operator):  # noqa: F811
    refused(operator("recalc", "--to-version", "MEE-2099"),
            "error: data_version: unknown data version 'MEE-2099'; known: MEE-2021, MEE-2022, "
            'MEE-2023; did you mean one of "MEE-2021", "MEE-2022", "MEE-2023"?',
            "错误：数据版本：未知的数据版本“MEE-2099”；已有：MEE-2021、MEE-2022、MEE-2023；"
            "您是否要填以下之一：“MEE-2021”、“MEE-2022”、“MEE-2023”？")


# -- 4. exit codes -----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("log", "proof", "999"),
    ("tokens", "revoke", "--id", "999"),
    ("peers", "remove", "https://nowhere.example"),
])
def test_a_thing_named_that_is_not_there_exits_2(operator, args):  # noqa: F811
    result = operator(*args)
    assert result.exit_code == 2, result.stderr
    english, zh = result.stderr.splitlines()
    assert english.startswith("error: ") and zh.startswith("错误：")


# -- 5. times ----------------------------------------------------------------------------------

def test_listings_show_times_in_the_platform_s_zone_named_once(service, operator,  # noqa: F811
                                                               monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 1, 20, 30, tzinfo=timezone.utc))
    security.event(service.db, "login_failed", "nobody", "203.0.113.9")
    listed = operator("security", "events", "--limit", "1").stdout.splitlines()
    assert listed[0].split()[:3] == ["at", "(Asia/Shanghai)", "event"]
    assert listed[2].split()[:4] == ["2026-03-02", "04:30", "login_failed", "nobody"]
    monkeypatch.setenv("FOOTPRINT_TIME_ZONE", "Asia/Urumqi")  # UTC+6
    listed = operator("security", "events", "--limit", "1").stdout.splitlines()
    assert listed[0].split()[:2] == ["at", "(Asia/Urumqi)"]
    assert listed[2].split()[:2] == ["2026-03-02", "02:30"]
    stored = json.loads(operator("security", "events", "--limit", "1", "--json").stdout)
    assert stored[0]["at"] == "2026-03-01T20:30:00+00:00"  # JSON keeps what is stored


def test_a_setting_the_operator_got_wrong_is_said_in_chinese_too(monkeypatch):
    monkeypatch.setenv("FOOTPRINT_PEER_SYNC_MINUTES", "0")
    monkeypatch.setenv("FOOTPRINT_ELECTRICITY_BASIS", "green")
    with pytest.raises(DataError) as minutes:
        settings.peer_sync_minutes()
    with pytest.raises(DataError) as basis:
        settings.electricity_basis()
    assert [(str(e.value), chinese(e.value.message)) for e in (minutes, basis)] == [
        ("FOOTPRINT_PEER_SYNC_MINUTES='0' is not a whole number of minutes (at least 1)",
         "FOOTPRINT_PEER_SYNC_MINUTES='0' 不是整数分钟数（至少为 1）"),
        ("FOOTPRINT_ELECTRICITY_BASIS='green' is not one of location, market, lifecycle",
         "FOOTPRINT_ELECTRICITY_BASIS='green' 不是 location, market, lifecycle 之一")]
