"""The operator's commands (db, users, orgs, tokens, serve, demo, backup, security, accounts,
bodies, db copy) in Chinese when Chinese is chosen, in English as before when English is:
their help, their listings and summaries, their notes on stderr in both languages."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from cli.language import said
from cli.main import cli
from footprint import clock
from footprint.store import connect, database_path
from footprint.store.migrations import MIGRATIONS, migrate
from footprint.errors import Message
from footprint.store import pgdump
from footprint.usecases import backup as backups
from footprint.usecases import restore as restores
from footprint.usecases import security
from footprint.usecases.tokens import create_token

from .test_cli_operator import operator  # noqa: F401 -- the fixture
from .test_demo import demo_home  # noqa: F401 -- the fixture

# 2026-03-01 20:30 UTC is 2026-03-02 04:30 in Asia/Shanghai, the listings' zone
NOW = datetime(2026, 3, 1, 20, 30, tzinfo=timezone.utc)
PASSPHRASE = "a passphrase of some length"


def help_head(operator, *command: str, lines: int = 3) -> list[str]:  # noqa: F811
    result = operator(*command, "--help")
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()[:lines]


@pytest.fixture(scope="module")
def demo_platform(tmp_path_factory):
    """The demo seeded once (in Chinese), for the commands that only read it."""
    home = tmp_path_factory.mktemp("demo-platform")
    seeded = CliRunner().invoke(cli, ["demo", "--no-serve", "--lang", "zh"],
                                env={"FOOTPRINT_HOME": str(home)})
    assert seeded.exit_code == 0, seeded.output
    return home, seeded.stdout


def in_demo(home, *args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input,
                              env={"FOOTPRINT_HOME": str(home)})


@pytest.fixture
def home_behind(tmp_path):
    """A home whose database lacks the newest migration, as after an upgrade."""
    home = (tmp_path / "home").resolve()
    home.mkdir()
    db = connect(database_path(home))
    migrate(db)
    db.execute("DELETE FROM schema_migrations WHERE version = ?", [MIGRATIONS[-1][0]])
    db.conn.commit()
    db.close()
    return home


@pytest.mark.parametrize("command", [
    ["bodies", "list"], ["registry", "benchmarks"], ["log", "verify"], ["users", "list"],
    ["tokens", "list"], ["orgs", "list"], ["security", "events"], ["publish", "site"],
    ["recalc"], ["accounts", "show", "1"], ["peers", "list"]])
def test_a_database_behind_its_migrations_is_said_alike_by_every_command(home_behind, command):
    refused = in_demo(home_behind, *command, "--lang", "zh")
    assert refused.exit_code == 1
    newest = MIGRATIONS[-1][0]
    assert refused.stderr.splitlines() == [
        f"error: the database in {home_behind} needs migrations {newest}: run "
        "`footprint db migrate`",
        f"错误：{home_behind} 中的数据库尚需执行迁移 {newest}：请运行 `footprint db migrate`"]
    assert refused.stdout == ""


# -- users, tokens, orgs ----------------------------------------------------------------------

def test_tokens_are_listed_and_revoked_in_chinese(service, operator, monkeypatch):  # noqa: F811
    monkeypatch.setattr(clock, "now", lambda: NOW)
    create_token(service.db, "orchard", "erp")
    create_token(service.db, "orchard", "mes")
    monkeypatch.setenv("FOOTPRINT_LANG", "zh")
    revoked = operator("tokens", "revoke", "--id", 2)
    assert revoked.stdout == "已吊销 orchard 的令牌 2（标注 mes）\n"
    # 用户 is 4 columns, orchard 7; 标注 4, erp 3; a Chinese character takes two columns
    assert operator("tokens", "list").stdout.splitlines() == [
        "id  用户     标注  已创建 (Asia/Shanghai)  最近使用 (Asia/Shanghai)  状态",
        "--  -------  ----  ----------------------  ------------------------  "
        "-----------------------",
        "1   orchard  erp   2026-03-02 04:30        从未                      有效",
        "2   orchard  mes   2026-03-02 04:30        从未                      已吊销 2026-03-02 04:30",
    ]
    assert help_head(operator, "tokens", "revoke") == [
        "用法：cli tokens revoke [OPTIONS] [TOKEN]", "",
        "  吊销令牌。可按令牌文本 TOKEN、编号 --id N，或用户 --user NAME [--label L] 吊销："]
    monkeypatch.setenv("FOOTPRINT_LANG", "en")
    assert operator("tokens", "list").stdout.splitlines()[3].split()[-3:] == [
        "revoked", "2026-03-02", "04:30"]
    assert help_head(operator, "tokens", "revoke")[2] == \
        "  Revoke TOKEN (its text), the token numbered --id N, or the tokens of --user"


def test_users_are_listed_added_and_deactivated_in_chinese(service, operator,  # noqa: F811
                                                           monkeypatch):
    monkeypatch.setenv("FOOTPRINT_LANG", "zh")
    listed = operator("users", "list", "--role", "admin").stdout.splitlines()
    assert listed[0].split() == ["id", "用户名", "名称", "角色", "机构", "有效", "添加时间",
                                 "(Asia/Shanghai)"]
    assert listed[2].split()[1:5] == ["admin", "admin", "管理员", "Sichuan"]
    assert listed[2].split()[6] == "是"
    added = operator("users", "add", "x1y", "--role", "producer", "--org",
                     "Pujiang Orchard Co-op", input="a password long enough\n")
    assert added.stdout == "已将 x1y（生产企业）添加到 Pujiang Orchard Co-op\n"
    assert operator("users", "deactivate", "x1y").stdout == \
        "已停用 x1y：该用户的会话均已结束，其 API 令牌不再可用\n"
    assert operator("users", "deactivate", "x1y").stdout == "x1y 已处于停用状态\n"
    assert help_head(operator, "users") == [
        "用法：cli users [OPTIONS] COMMAND [ARGS]...", "",
        "  用户账户。生产企业、核查员、平台审核员和管理员的账户。"]
    monkeypatch.setenv("FOOTPRINT_LANG", "en")
    assert operator("users", "activate", "x1y").stdout == (
        "x1y activated: they may log in again, and their unrevoked API tokens work again\n")
    assert operator("users", "list", "--role", "admin").stdout.splitlines()[2].split()[3] == \
        "administrator"


def test_organisations_are_listed_and_corrected_in_chinese(service, operator,  # noqa: F811
                                                           monkeypatch):
    monkeypatch.setenv("FOOTPRINT_LANG", "zh")
    listed = operator("orgs", "list", "--kind", "platform").stdout.splitlines()
    assert listed[0].split() == ["id", "名称", "类型", "地区", "信用代码", "用户数"]
    # the platform's three people: reviewer, reviewer2, admin
    assert listed[2].split()[1:] == ["Sichuan", "Platform", "平台", "-", "-", "3"]
    org_id = listed[2].split()[0]
    edited = operator("orgs", "edit", org_id, "--region", "CN-SC")
    assert edited.stdout == f"机构 {org_id}：Sichuan Platform，地区 CN-SC，信用代码 -\n"
    assert operator("orgs", "edit", org_id, "--region", "四川").stdout == \
        f"机构 {org_id} Sichuan Platform：未更改\n"
    assert operator("orgs", "list", "--kind", "regulator").stdout == "没有机构\n"
    monkeypatch.setenv("FOOTPRINT_LANG", "en")
    assert operator("orgs", "list", "--kind", "regulator").stdout == "no organisations\n"
    assert operator("orgs", "edit", org_id, "--region", "CN-SC").stdout == \
        f"organisation {org_id} Sichuan Platform: unchanged\n"


def test_security_events_are_listed_in_chinese(service, operator, monkeypatch):  # noqa: F811
    monkeypatch.setattr(clock, "now", lambda: NOW)
    security.event(service.db, "login_failed", "nobody", "203.0.113.9")
    monkeypatch.setenv("FOOTPRINT_LANG", "zh")
    listed = operator("security", "events", "--limit", "1").stdout.splitlines()
    # 时间 (Asia/Shanghai) is 20 columns; the event's kind is a code, as the JSON has it
    assert listed == ["时间 (Asia/Shanghai)  事件          用户    地址         详情",
                      "--------------------  ------------  ------  -----------  ----",
                      "2026-03-02 04:30      login_failed  nobody  203.0.113.9"]
    assert help_head(operator, "security", "events") == [
        "用法：cli security events [OPTIONS]", "",
        "  列出安全事件，最新的在前。显示事件、用户（按输入原样）、来源地址和时间。"]
    monkeypatch.setenv("FOOTPRINT_LANG", "en")
    assert operator("security", "events", "--limit", "1").stdout.splitlines()[0] == \
        "at (Asia/Shanghai)  event         user    address      detail"


def test_the_database_commands_speak_chinese(service, operator, tmp_path,  # noqa: F811
                                             monkeypatch):
    monkeypatch.setenv("FOOTPRINT_LANG", "zh")
    migrated = operator("db", "migrate")
    assert migrated.stdout.splitlines()[0] == \
        f"数据库 {service.home / 'footprint.db'} 已是最新"
    copy = tmp_path / "only.db"
    copied = operator("db", "backup", copy)
    assert copied.stdout == f"已（仅）将数据库复制到 {copy}：SQLite 数据库文件\n"
    # a note on stderr: in English, then in Chinese, whichever language is chosen
    assert copied.stderr.splitlines() == [
        "note: the issuer keys and the secret key are not in it; `footprint backup create "
        "FILE` makes a backup a platform can restore",
        "注意：其中不含签发密钥和会话密钥；`footprint backup create FILE` 才能制作可用于恢复平台的备份"]
    again = operator("db", "backup", copy)
    assert again.exit_code == 2
    assert again.stderr.splitlines() == [f"error: {copy} exists; choose a new file",
                                         f"错误：{copy} 已存在；请另选一个新文件"]
    commands = help_head(operator, "db", lines=100)
    assert commands[commands.index("命令："):] == [
        "命令：", "  backup       仅把数据库复制到 PATH", "  copy         把平台数据库复制到另一种数据库引擎的空库",
        "  migrate      执行待执行的数据库迁移", "  verify-copy  核验数据库副本"]
    wrong = operator("db", "copy", "--to", "mysql://db.example/footprint")
    assert wrong.exit_code == 2 and wrong.stdout == ""
    assert wrong.stderr.splitlines()[1].startswith("错误：--to：")
    refused = operator("serve", "--certfile", copy)
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == ["error: --certfile and --keyfile go together",
                                           "错误：--certfile 与 --keyfile 须一起给出"]
    monkeypatch.setenv("FOOTPRINT_LANG", "en")
    assert operator("db", "migrate").stdout.splitlines()[0] == \
        f"database {service.home / 'footprint.db'} is up to date"
    english = tmp_path / "only-en.db"
    assert operator("db", "backup", english).stdout == \
        f"copied the database (only) to {english}: a SQLite database file\n"
    assert help_head(operator, "db", "copy")[2] == (
        "  Copy the platform's database to an empty database of the other engine, in one")


# -- the demo, its accounts, bodies and backups -----------------------------------------------

def test_the_demo_speaks_chinese(demo_platform):
    home, seeded = demo_platform
    lines = seeded.splitlines()
    assert f"演示数据已写入 {database_path(home)}：7 个机构，8 个用户，11 份申报" in lines
    assert "申报：草稿 1、已提交 1、已退回 2、已核查 1、已发放标签 3、已被取代 2、已撤销 1" in lines
    heading = lines.index("  http://127.0.0.1:8000/login") + 2
    # 用户名 6 columns under usernames up to 10 (steelworks, ruralbank ...), 密码 under
    # footprint-demo (14), 角色 under 银行客户经理 (12)
    assert lines[heading].startswith("用户名      密码            角色          机构")
    assert lines[heading + 8].startswith("admin       footprint-demo  管理员        四川绿色金融平台")
    assert "警告：以上为公开的演示密码，仅供演示，切勿用于真实数据。" in lines
    assert lines[-1] == "未启动服务（--no-serve）；再次运行 `footprint demo` 即可启动服务"
    # each migration by its Chinese name; schema_migrations keeps the English
    assert lines[:2] == ["已执行迁移 1：初始数据库结构", "已执行迁移 2：标签与透明日志"]
    assert "已执行迁移 13：银行与监管机构角色" in lines
    assert connect(database_path(home)).execute(
        "SELECT name FROM schema_migrations WHERE version = 13").fetchone() == (
        "bank and regulator roles",)
    again = in_demo(home, "demo", "--no-serve", "--lang", "en")
    assert again.stdout.splitlines()[:2] == [
        f"demo data already in {database_path(home)}; nothing added",
        "submissions: 1 draft, 1 submitted, 2 returned, 1 verified, 3 issued, 2 superseded, "
        "1 revoked"]
    assert not any("\u4e00" <= c <= "\u9fff" for line in again.stdout.splitlines()
                   if not line.startswith(("orchard", "cqbattery", "sdbattery", "steelworks",
                                           "verifier", "reviewer", "admin", "ruralbank"))
                   for c in line)  # only the organisations' own names are Chinese
    assert in_demo(home, "demo", "--lang", "zh", "--help").stdout.splitlines()[2] == \
        "  运行演示。写入演示数据（仅一次），并以演示账户运行 Web 服务。"


def test_a_phone_is_told_in_chinese_how_to_open_the_labels(demo_home, monkeypatch):  # noqa: F811
    from cli.commands import demo as demo_command

    monkeypatch.setattr(demo_command, "lan_address", lambda: "192.0.2.7")
    shown = CliRunner().invoke(cli, ["demo", "--lan", "--no-serve", "--lang", "zh"])
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    steps = lines.index("用手机扫码验证标签：")
    assert lines[steps + 1:steps + 3] == [
        "  1. 手机连接与本机相同的 Wi-Fi 或局域网。",
        "  2. 在手机浏览器中打开 https://192.0.2.7:8000/，出现自签名证书警告时接受（“高级”→“继续访问”）。"]
    assert lines[steps + 4] == f"  证书：{demo_home / 'tls' / 'demo-cert.pem'}"
    monkeypatch.setattr(demo_command, "lan_address", lambda: None)
    refused = CliRunner().invoke(cli, ["demo", "--lan", "--lang", "zh"])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "error: this machine has no network address for a phone to reach; join a network, or "
        "run the demo without --lan",
        "错误：本机未连接局域网，没有手机可访问的网络地址；请连接网络，或不带 --lan 运行演示"]


def test_a_carbon_account_is_shown_in_chinese(demo_platform):
    home, _ = demo_platform
    shown = in_demo(home, "accounts", "show", "蒲江县柑橘专业合作社", "--lang", "zh")
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("蒲江县柑橘专业合作社 Pujiang Citrus Co-operative：碳账户，数据版本 ")
    assert lines[0].endswith("，基准年 2025")
    assert lines[1].split() == ["产品", "年份", "碳足迹", "数据版本", "碳标签", "申报产量"]
    # the co-operative's two seasons, 2025 and 2026: the rating of the later one
    assert lines[-1] == "2026 年评级：深绿（4/4）"
    assert lines[-2].startswith("较基准年 2025 -> 2026：同口径（")
    english = in_demo(home, "accounts", "show", "蒲江县柑橘专业合作社", "--lang", "en")
    assert english.stdout.splitlines()[-1] == "rating 2026: dark green (4/4)"
    assert english.stdout.splitlines()[-2].startswith(
        "since baseline 2025 -> 2026: like for like (")
    bank = in_demo(home, "accounts", "show", "成都农村商业银行", "--lang", "zh").stdout
    assert bank.splitlines()[1:] == ["尚无经核查的碳足迹"]
    assert in_demo(home, "accounts", "--lang", "zh", "--help").stdout.splitlines()[2] == \
        "  企业碳账户。经核查的碳足迹、产量与减排。"


def test_qualifications_are_listed_in_chinese(demo_platform):
    home, _ = demo_platform
    listed = in_demo(home, "bodies", "list", "--lang", "zh").stdout.splitlines()
    assert listed[0].split() == ["第三方核算机构", "编号", "产品类别", "起", "止", "状态"]
    # the demo's body: every category, from a year ago for three years: in force today
    assert listed[2].split()[:3] == ["四川碳核查中心", "Sichuan", "Carbon"]
    # the categories by the names their plugins give them, not by their codes
    assert "电池（锂离子电芯与电池包）、通用产品、柑橘（鲜果）、钒钛钢铁" in listed[2]
    assert listed[2].split()[-1] == "有效"
    english = in_demo(home, "bodies", "list", "--lang", "en").stdout.splitlines()
    assert english[0].split()[:2] == ["accounting", "body"]
    assert "Batteries (lithium-ion cells and packs), Generic product, Oranges (citrus fruit), " \
        "Vanadium-titanium steel and vanadium products" in english[2]
    assert english[2].split()[-2:] == ["in", "force"]


def test_a_backup_is_made_and_checked_in_chinese(demo_platform, tmp_path):
    home, _ = demo_platform
    archive = tmp_path / "platform.tar"
    made = in_demo(home, "backup", "create", archive, "--lang", "zh", input=PASSPHRASE + "\n")
    assert made.exit_code == 0, made.output
    lines = made.stdout.splitlines()
    assert lines[0].startswith(f"已将 {home} 备份到 {archive}（") and lines[0].endswith(" 字节）")
    assert any(line.startswith("  files/keys/own/CN-SC/") and "  已加密  sha256 " in line
               for line in lines)
    assert lines[-1] == f"测试备份：footprint backup check {archive}"
    # the demo's home: the derived folders are rebuilt, so left out; the web service never
    # ran there, so it has no secret key yet
    assert "未纳入：cache/（派生数据：会重新生成）" in lines
    assert made.stderr.splitlines()[-1] == (
        "注意：FOOTPRINT_HOME 中没有 secret_key 文件（除非设置了 FOOTPRINT_SECRET_KEY，Web 服务"
        "首次启动时会写入一个）：恢复后的服务会生成新的密钥，所有会话需重新登录")
    checked = in_demo(home, "backup", "check", archive, "--lang", "zh", input=PASSPHRASE + "\n")
    assert checked.exit_code == 0, checked.output
    lines = checked.stdout.splitlines()
    # the demo's 24 migrations, 6 labels, and the log of 10 entries, all in the copy
    assert lines[1:6] == ["  通过  SQLite 完整性检查：通过", "  通过  迁移级别 24，已是最新",
                          "  通过  按恢复的信任列表核验标签，通过 6 / 6",
                          lines[4], "  通过  footprint log verify：通过"]
    assert lines[4].startswith("  通过  日志在大小 10 时的根哈希与备份一致：")
    assert lines[6] == "  通过  已用恢复的 CN-SC 密钥签署检查点"
    assert lines[-2].startswith("标签核验通过 6 / 6，日志大小 10，根哈希 ")
    assert lines[-1] == "备份可以恢复（已在临时目录中检查，该目录已删除）"
    english = in_demo(home, "backup", "check", archive, "--lang", "en", input=PASSPHRASE + "\n")
    assert english.stdout.splitlines()[1:4] == [
        "  ok    SQLite integrity check: ok", "  ok    migration level 24, current",
        "  ok    labels verified 6 of 6 against the restored trust list"]
    assert "  ok    footprint log verify: ok" in english.stdout.splitlines()
    assert english.stdout.splitlines()[-1] == \
        "the backup restores (checked in a temporary folder, since removed)"
    unset = in_demo(home, "backup", "check", archive, "--passphrase-env", "FOOTPRINT_NO_SUCH_VAR")
    assert unset.exit_code == 2
    assert unset.stderr.splitlines() == ["error: environment variable FOOTPRINT_NO_SUCH_VAR is "
                                         "not set", "错误：环境变量 FOOTPRINT_NO_SUCH_VAR 未设置"]
    assert connect(database_path(home))["labels"].count == 6


def test_a_backup_of_a_home_without_a_database_is_refused_in_english_then_chinese(tmp_path):
    home = (tmp_path / "home").resolve()
    home.mkdir()
    refused = CliRunner().invoke(
        cli, ["backup", "create", str(tmp_path / "b.tar"), "--passphrase-env", "PASSPHRASE"],
        env={"FOOTPRINT_HOME": str(home), "PASSPHRASE": PASSPHRASE, "FOOTPRINT_LANG": "zh"})
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [f"error: no database in {home}: nothing to back up",
                                           f"错误：{home} 中没有数据库：没有可备份的内容"]
    assert not (tmp_path / "b.tar").exists()


def test_a_database_failing_sqlite_s_check_is_not_backed_up_in_either_language(
        demo_platform, tmp_path, monkeypatch):
    home, _ = demo_platform
    archive = tmp_path / "platform.tar"
    # what SQLite says of a damaged index, as it says it
    damage = "row 7 missing from index labels_by_product"
    monkeypatch.setattr(backups, "integrity_problems", lambda db: [damage])
    made = in_demo(home, "backup", "create", archive, "--lang", "zh", input=PASSPHRASE + "\n")
    assert made.exit_code == 1
    assert made.stderr.splitlines() == [
        "error: the database fails SQLite's integrity check; no backup was written:",
        f"  - {damage}", "错误：数据库未通过 SQLite 完整性检查；未写入备份：", f"  - {damage}"]
    assert not archive.exists()


def test_missing_postgresql_tools_are_said_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv(pgdump.PG_BIN, str(tmp_path))
    with pytest.raises(pgdump.ToolFailed) as missing:
        pgdump.tool("pg_dump")
    assert str(missing.value) == f"FOOTPRINT_PG_BIN={tmp_path} holds no pg_dump"
    assert said(missing.value.message, "zh") == f"FOOTPRINT_PG_BIN={tmp_path} 中没有 pg_dump"
    # what a home backed up from PostgreSQL says when pg_dump refuses: its own words kept
    refused = Message("%(problem)s; no backup was written", problem=Message(
        "%(tool)s failed (exit %(code)s): %(output)s", tool="pg_dump", code=1,
        output="pg_dump: error: connection refused"))
    assert said(refused, "zh") == \
        "pg_dump 执行失败（退出码 1）：pg_dump: error: connection refused；未写入备份"


def test_a_failed_check_is_said_in_chinese(demo_platform):
    home, _ = demo_platform
    # a manifest that recorded another migration level than the copy has: the first check
    # that fails, and the last one run (nothing else can be trusted)
    report = restores.check_home(home, {"database": {"migration": 3}})
    assert report.problems == ["migration level 24, the manifest says 3"]
    assert said(report.problems[0], "zh") == "迁移级别为 24，清单记录为 3"
    assert [said(p, "zh") for p in report.passed] == ["SQLite 完整性检查：通过"]
