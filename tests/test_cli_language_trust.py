"""The trust commands in the chosen language: ``footprint verify``, ``keys``, ``log``,
``peers``, ``publish`` and ``pact`` say their help, listings and summaries in Chinese when
Chinese is chosen and exactly as before in English; their own warnings and refusals go to
stderr in English, then in Chinese (cli/errors.py's rule); and ``footprint --lang en
verify`` never reads the catalogues (its start-up: docs/performance.md)."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from cli import language
from cli.commands import labels as labels_command
from cli.commands import log
from cli.main import cli
from footprint import categorynames, clock
from footprint.engine import pipeline
from footprint.labels import keys
from footprint.labels.encoding import label_url

from .test_label_cli import AT, clean_exit, home, platform, signed  # noqa: F401 -- fixtures
from .test_peers import world  # noqa: F401 -- three platforms on this machine
from .test_peers import issue as issue_on
from .test_publish import tea_bom


def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2 mixes them unless told not to
    except TypeError:
        return CliRunner()


@pytest.fixture
def speak(monkeypatch):
    """speak(language, *args, home=None) -> `footprint ARGS` with FOOTPRINT_LANG=language
    (the environment's choice, as an operator's shell would make it)."""
    def invoke(chosen, *args, home=None, input=None):
        monkeypatch.setenv("FOOTPRINT_LANG", chosen)
        if home is not None:
            monkeypatch.setenv("FOOTPRINT_HOME", str(home))
        return runner().invoke(cli, [str(a) for a in args], input=input,
                                prog_name="footprint")
    return invoke


def first_lines(result, count: int) -> list[str]:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout.splitlines()[:count]


# -- verify --------------------------------------------------------------------------------

def _claims_zh(signed) -> list[str]:  # noqa: F811
    """What the test label of test_label_cli says, in Chinese: headings in a column 10
    columns wide (平台审核员 and 可复现哈希: five characters, two columns each), then two
    spaces; the category by the name its plugin registers beside its signed code;
    0.41234 signed to 3 significant figures; stages 3:1 as 750 and 250 per mille."""
    kid = signed["key"].entry.kid.hex()
    return [
        f"  签署方      CN-SC（CN-SC platform），密钥 {kid}，签署有效期 2026-01-01 至 2031-01-01",
        "  产品        CN-SC 平台编号 42",
        "  生产企业    统一社会信用代码 93510131MA6CP0001H",
        "  品类        柑橘（鲜果）（oranges）",
        "  碳足迹      0.412 kg CO2e 每 1 kg",
        "  等级        A（暂定）",
        "  各阶段      原材料获取 75.0 %、生产 25.0 %",
        "  地区        CN-SC",
        "  核查员      CN-SC 平台编号 3",
        "  平台审核员  CN-SC 平台编号 17",
        "  签发时间    2026-03-01T08:00:00Z",
        "  有效期至    2028-03-01T00:00:00Z",
        "  数据版本    " + "ab" * 8,
        "  可复现哈希  " + "cd" * 16,
    ]


def _claims_en(signed) -> list[str]:  # noqa: F811
    """The same in English, as `footprint verify` has always said it: headings 20 wide."""
    kid = signed["key"].entry.kid.hex()
    return [
        f"  signed by             CN-SC (CN-SC platform), key {kid}, may sign 2026-01-01 to "
        "2031-01-01",
        "  product               No. 42 at CN-SC",
        "  producer              credit code 93510131MA6CP0001H",
        "  category              Oranges (citrus fruit) (oranges)",
        "  footprint             0.412 kg CO2e per 1 kg",
        "  grade                 A (provisional)",
        "  stages                raw materials 75.0 %, production 25.0 %",
        "  region                CN-SC",
        "  verifier              No. 3 at CN-SC",
        "  reviewer              No. 17 at CN-SC",
        "  issued at             2026-03-01T08:00:00Z",
        "  expires               2028-03-01T00:00:00Z",
        "  data version          " + "ab" * 8,
        "  reproducibility hash  " + "cd" * 16,
    ]


def test_verify_says_the_label_in_chinese_and_in_english(speak, signed):  # noqa: F811
    args = ("verify", signed["url"], "--trust-list", signed["trust"], "--at", AT, "--offline")
    chinese = speak("zh", *args)
    clean_exit(chinese, 3)
    assert chinese.stdout.splitlines() == [
        f"有效标签 {signed['id']}（已核验签名和日期；撤销状态未核验）", *_claims_zh(signed),
        "  撤销状态未核验：--offline：未询问签发平台。该标签签发后可能已被撤销：请在线查验，"
        "或传入 --revocations FILE（平台的已撤销标签列表）。"]
    assert chinese.stderr.splitlines() == [
        "revocation not checked: --offline: the platform was not asked",
        "警告：撤销状态未核验：--offline：未询问签发平台"]

    english = speak("en", *args)
    clean_exit(english, 3)
    assert english.stdout.splitlines() == [
        f"VALID label {signed['id']} (signature and dates; revocation NOT CHECKED)",
        *_claims_en(signed),
        "  revocation NOT CHECKED: --offline: the platform was not asked. The label may have "
        "been revoked since it was issued: check it online, or pass --revocations FILE (the "
        "platform's list of revoked labels)."]
    assert english.stderr.splitlines() == [
        "revocation not checked: --offline: the platform was not asked"]
    # --json is for programs: English whatever the choice
    as_json = speak("zh", *args, "--json")
    assert json.loads(as_json.stdout)["revocation_check"] == {
        "checked": False, "why": "--offline: the platform was not asked"}


def test_verify_against_a_list_and_a_revoked_label_in_chinese(speak, signed,  # noqa: F811
                                                              tmp_path):
    revocations = tmp_path / "revoked.json"
    revocations.write_text(json.dumps({"revoked": []}))
    args = ("verify", signed["url"], "--trust-list", signed["trust"], "--at", AT,
            "--revocations", revocations)
    checked = speak("zh", *args)
    clean_exit(checked, 0)
    assert checked.stdout.splitlines() == [
        f"有效标签 {signed['id']}", *_claims_zh(signed),
        f"  撤销状态    已核验（依据：列表 {revocations}）：未撤销"]
    english = speak("en", *args)
    assert english.stdout.splitlines()[-1] == \
        f"  revocation            checked with the list {revocations}: not revoked"

    revocations.write_text(json.dumps({"revoked": [
        {"id": signed["id"], "reason": "核查发现用电数据不实", "revoked_at": "2026-05-01T00:00:00Z"}]}))
    revoked = speak("zh", *args)
    clean_exit(revoked, 1)
    assert revoked.stdout.splitlines() == [f"无效标签 {signed['id']}", *_claims_zh(signed)]
    assert revoked.stderr.splitlines() == [
        "invalid label: revoked: revoked 2026-05-01T00:00:00Z: 核查发现用电数据不实",
        "错误：标签无效：标签已于 2026-05-01T00:00:00Z 撤销：核查发现用电数据不实"]
    # a refusal is said in both languages whatever the choice, English first
    assert speak("en", *args).stderr.splitlines() == revoked.stderr.splitlines()

    expired = speak("zh", "verify", signed["url"], "--trust-list", signed["trust"], "--at",
                    "2029-01-01")
    clean_exit(expired, 1)
    assert expired.stderr.splitlines() == [
        "invalid label: expired: expired 2028-03-01T00:00:00Z", "错误：标签无效：此标签已过期。"]


def test_verify_says_why_a_label_fails_as_the_scan_page_does(speak, signed, tmp_path):  # noqa: F811
    other = tmp_path / "gs"
    platform(other, "CN-GS")
    trust = tmp_path / "gs.json"
    trust.write_text(json.dumps(keys.export_trust_list(other)))
    args = ("verify", signed["url"], "--trust-list", trust, "--at", AT)
    refused = speak("zh", *args)
    clean_exit(refused, 1)
    # the scan page's sentence (footprint.labels.errors.EXPLAINED), the core's detail in English
    assert refused.stderr.splitlines() == [
        "invalid label: unknown-issuer: key id "
        f"{signed['key'].entry.kid.hex()} is not in the trust list",
        "错误：标签无效：签署此标签的密钥不在本平台的信任列表中：本平台认可的平台均未签发此标签。"]
    assert speak("en", *args).stderr.splitlines() == refused.stderr.splitlines()
    assert not hasattr(labels_command, "REASONS")  # no second wording of the reasons


def test_a_file_that_holds_no_label_is_refused_in_english_then_chinese(speak, signed,  # noqa: F811
                                                                         tmp_path):
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>', "utf-8")
    refused = speak("zh", "verify", svg)
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        f"error: {svg}: no QR code of this platform's labels in the SVG (only the labels and QR "
        "codes footprint draws are read; convert other SVG files to PNG)",
        f"错误：{svg}：该 SVG 文件中没有本平台标签的二维码（只能读取 footprint 绘制的标签和二维码；"
        "其他 SVG 文件请先转换为 PNG）"]
    junk = tmp_path / "label.png"
    junk.write_text("not a picture", "utf-8")
    chinese = speak("zh", "verify", junk).stderr.splitlines()[1]
    # said whole, without Pillow's English reason after it
    assert chinese == f"错误：{junk}：不是图片、PDF 或 SVG 文件"


def test_verify_in_english_reads_no_catalogue(speak, signed):  # noqa: F811
    args = ("verify", signed["url"], "--trust-list", signed["trust"], "--at", AT, "--offline")
    language._catalogue.cache_clear()
    clean_exit(speak("en", *args), 3)
    assert language._catalogue.cache_info().misses == 0  # never read
    clean_exit(speak("zh", *args), 3)
    assert language._catalogue.cache_info().misses == 1


def test_verify_names_the_category_as_this_platform_knows_it(speak, signed, home,  # noqa: F811
                                                            monkeypatch):
    args = ("verify", signed["url"], "--trust-list", signed["trust"], "--at", AT, "--offline")
    # nothing calculated here yet: verify builds the plugins' registry once, which keeps the
    # categories' names for the verifications after it
    assert categorynames.read(home) is None
    clean_exit(speak("en", *args), 3)
    assert categorynames.read(home)["oranges"] == {"name_zh": "柑橘（鲜果）",
                                                   "name_en": "Oranges (citrus fruit)"}
    # kept: the names are read without loading a plugin
    monkeypatch.setattr(pipeline, "get_plugin_manager",
                        lambda *a, **k: pytest.fail("verify loaded the plugins"))
    assert "  category              Oranges (citrus fruit) (oranges)" in \
        speak("en", *args).stdout.splitlines()
    assert "  品类        柑橘（鲜果）（oranges）" in speak("zh", *args).stdout.splitlines()
    # a platform whose plugins register no such category: the signed code, as it is
    (home / categorynames.NAMES).write_text(json.dumps(
        {"generic": {"name_zh": "通用产品", "name_en": "Generic product"}}), "utf-8")
    assert "  品类        oranges" in speak("zh", *args).stdout.splitlines()
    assert "  category              oranges" in speak("en", *args).stdout.splitlines()


def test_a_synced_list_is_said_with_its_age_in_chinese_and_in_english(speak, world):  # noqa: F811
    label = issue_on(world.qh)
    clean_exit(speak("en", "peers", "add", world.qh.url, "--name", "青海", "--ca-file",
                     world.ca, home=world.sc.home), 0)
    url = label_url(world.qh.url[len("https://"):], bytes(label["cose"]))
    by = f"青海（{world.qh.url}）的撤销列表"
    assert speak("zh", "verify", url).stdout.splitlines()[-1] == \
        f"  撤销状态    已核验（依据：{by}（同步于 刚刚））：未撤销"
    # 150 minutes later: two whole hours, by the words the web's pages say an age with
    later = (clock.now() + timedelta(minutes=150)).isoformat()
    assert speak("zh", "verify", url, "--at", later).stdout.splitlines()[-1] == \
        f"  撤销状态    已核验（依据：{by}（同步于 2 小时前））：未撤销"
    assert speak("en", "verify", url, "--at", later).stdout.splitlines()[-1] == (
        f"  revocation            checked with the revocation list of 青海 ({world.qh.url}) "
        "synced 2 hours ago: not revoked")


def test_verify_help_in_chinese_and_in_english(speak):
    assert first_lines(speak("zh", "verify", "--help"), 4) == [
        "用法：footprint verify [OPTIONS] LABEL", "", "  核验碳标签。", ""]
    assert first_lines(speak("en", "verify", "--help"), 4) == [
        "Usage: footprint verify [OPTIONS] LABEL", "",
        "  Verify a carbon label: LABEL is a QR image, a printed label (PNG, SVG or PDF),",
        "  a label URL or base32 text."]
    listed = speak("zh", "--help").stdout.splitlines()
    assert "  verify      核验碳标签" in listed
    assert "  keys        签发密钥与信任列表" in listed
    assert "  log         只追加的透明日志：记录标签的签发、取代和撤销" in listed
    assert "  peers       对等平台互相监督" in listed
    assert "  publish     发布静态核验站点" in listed
    assert "  pact        PACT v3 数据交换：买方客户端、答复与供应商碳足迹" in listed


# -- keys ----------------------------------------------------------------------------------

def test_keys_in_chinese_and_in_english(speak, home, tmp_path):  # noqa: F811
    made = speak("zh", "keys", "generate", "--issuer", "CN-SC", "--name", "四川省平台",
                 "--valid-from", "2026-01-01", "--valid-to", "2031-01-01")
    clean_exit(made, 0)
    kid = re.fullmatch(r"已为 CN-SC 生成密钥 ([0-9a-f]{16})，有效期 2026-01-01T00:00:00Z 至 "
                       r"2031-01-01T00:00:00Z", made.stdout.splitlines()[0])[1]
    assert made.stdout.splitlines()[1] == \
        f"私钥：{home / 'keys' / 'own' / 'CN-SC' / f'{kid}.pem'}"
    # no database in this home: a note, in English then in Chinese (cli.errors.note)
    note, chinese_note = made.stderr.splitlines()
    assert note.startswith("note: no migrated database here (FOOTPRINT_DATABASE_URL")
    assert chinese_note.startswith("注意：此处没有已迁移的数据库（FOOTPRINT_DATABASE_URL 或 "
                                   "FOOTPRINT_HOME 中的文件），密钥尚未登记")

    # 2026-01-01T00:00Z is 08:00 in Asia/Shanghai; 本平台 is two characters, four columns
    assert speak("zh", "keys", "list").stdout.splitlines() == [
        "        签发方  kid               生效时间 (Asia/Shanghai)  失效时间 (Asia/Shanghai)"
        "  名称",
        "------  ------  ----------------  ------------------------  ------------------------"
        "  ----------",
        f"本平台  CN-SC   {kid}  2026-01-01 08:00          2031-01-01 08:00          四川省平台"]
    assert speak("en", "keys", "list").stdout.splitlines() == [
        "     issuer  kid               valid from (Asia/Shanghai)  valid to (Asia/Shanghai)"
        "  name",
        "---  ------  ----------------  --------------------------  ------------------------"
        "  ----------",
        f"own  CN-SC   {kid}  2026-01-01 08:00            2031-01-01 08:00          四川省平台"]

    other = tmp_path / "gs"
    speak("en", "keys", "generate", "--issuer", "CN-GS", "--name", "甘肃省平台", home=other)
    published = tmp_path / "gs.json"
    exported = speak("zh", "keys", "export", "--output", published, home=other)
    assert exported.stderr.splitlines() == [f"已写入 {published}"]
    added = speak("zh", "keys", "trust", "add", published, home=home)
    clean_exit(added, 0)
    assert added.stdout.splitlines() == [
        f"已从 {published} 读取密钥：新增 1 个、更新 0 个、未变 0 个、跳过 0 个"]
    again = speak("en", "keys", "trust", "add", published)
    assert again.stdout.splitlines() == [
        f"0 added, 0 updated, 1 unchanged, 0 skipped key(s) from {published}"]
    assert speak("zh", "keys", "list").stdout.splitlines()[3].startswith("已信任  CN-GS")
    assert first_lines(speak("zh", "keys", "rotate", "--help"), 6) == [
        "用法：footprint keys rotate [OPTIONS]", "", "  轮换密钥：生成新的当前密钥。", "",
        "  旧密钥的有效期即刻结束（用旧密钥签发的标签仍可核验）。", ""]


def test_the_key_store_s_refusals_are_said_in_chinese_too(speak, home, tmp_path):  # noqa: F811
    empty = (tmp_path / "empty").resolve()
    empty.mkdir()
    refused = speak("zh", "keys", "export", home=empty)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        f"error: no issuer keys in {empty} (FOOTPRINT_HOME): nothing to export. Set "
        "FOOTPRINT_HOME to the platform's folder, or create its key with `footprint keys "
        "generate`",
        f"错误：{empty}（FOOTPRINT_HOME）中没有签发密钥：没有可导出的内容。请将 FOOTPRINT_HOME "
        "设为平台的目录，或用 `footprint keys generate` 创建平台的密钥"]
    clean_exit(speak("en", "keys", "generate", "--issuer", "CN-SC", "--name", "四川省平台",
                     "--valid-from", "2026-01-01", "--valid-to", "2031-01-01", home=home), 0)
    pem = next((home / "keys" / "own" / "CN-SC").glob("*.pem"))
    pem.chmod(0o644)
    with pytest.raises(keys.KeyStoreError) as readable:
        keys.current_key(home, "CN-SC", now=AT)
    assert str(readable.value) == f"{pem} is readable by others; chmod 600 it"
    assert language.said(readable.value.message, "zh") == f"{pem} 可被其他用户读取；请对其执行 chmod 600"
    keys.generate(home, "CN-GS", "甘肃省平台")  # a second issuer of this platform's own
    with pytest.raises(keys.KeyStoreError) as several:
        keys.current_key(home, now=AT)
    assert str(several.value) == "several issuers (CN-GS, CN-SC): name one"
    assert language.said(several.value.message, "zh") == "有多个签发方（CN-GS、CN-SC）：请指定其中一个"


# -- log and publish -----------------------------------------------------------------------

@pytest.fixture
def one_label(service, issuer, approve, make_bom):
    """One label issued on the service's platform: one leaf in its log."""
    return approve(tea_bom(make_bom), issuer)


def test_a_log_that_fails_verification_is_said_in_chinese_too(speak, service, one_label,
                                                               tmp_path):
    seen = tmp_path / "seen"
    seen.write_text("garbage\n", "utf-8")  # a witness's record that is not one
    failed = speak("zh", "log", "verify", "--witness", seen, "--no-record", home=service.home)
    assert failed.exit_code == 1
    # the monitor's sentences in each language, the record's reading error too (JSON's own
    # reason as json wrote it)
    assert failed.stderr.splitlines() == [
        "error: the transparency log failed verification (1 problem(s)):",
        f"  - the record of checkpoints seen cannot be read: {seen} line 1: not a JSON object "
        "(Expecting value)",
        "错误：透明日志未通过核验（1 个问题）：",
        f"  - 无法读取已见检查点的记录：{seen} 第 1 行：不是 JSON 对象（Expecting value）"]


def test_log_and_publish_in_chinese_and_in_english(speak, service, one_label, tmp_path):
    home = service.home
    verified = speak("zh", "log", "verify", "--no-record", home=home)
    clean_exit(verified, 0)
    lines = verified.stdout.splitlines()
    assert lines[:2] == ["日志已核验：共 1 条（签发 1 条），每个叶子哈希均已重新计算",
                         "标签：1 个，每行均与其日志叶子一致（已取代、已撤销）"]
    assert re.fullmatch(r"根哈希：[A-Za-z0-9+/]{43}=", lines[2])
    assert lines[3:] == ["此前没有见过检查点：这是第一个",
                         f"{home / 'log' / 'checkpoints-seen'} 中所见的检查点：尚无"]
    english = speak("en", "log", "verify", "--no-record").stdout.splitlines()
    assert english[:2] == ["log verified: 1 entries (1 issue), every leaf hash recomputed",
                           "labels: 1, each row as its leaves say (superseded, revoked)"]
    assert english[3:] == ["no checkpoint seen before: this is the first",
                           f"checkpoints seen in {home / 'log' / 'checkpoints-seen'}: nothing yet"]
    assert first_lines(speak("zh", "log", "proof", "--help"), 6) == [
        "用法：footprint log proof [OPTIONS] INDEX", "", "  输出收录证明。", "",
        "  以 JSON 输出第 INDEX 号叶子的收录证明（哈希为 base64）。", ""]

    site = tmp_path / "site"
    published = speak("zh", "publish", site, "--base-url", "https://verify.example.cn")
    clean_exit(published, 0)
    assert published.stdout.splitlines() == [
        f"已将 1 个叶子的日志发布到 {site}（此前为 0 个）",
        "日志瓦片：新写入 1 个，已有 0 个；标签索引：1 个标签，分 1 个分片",
        "将 DIR 作为静态文件托管即可（任何静态文件服务器，无需改写规则）；标签核验页为 "
        "https://verify.example.cn/L/#<标签 base32 编码>"]
    again = speak("en", "publish", site)
    assert again.stdout.splitlines() == [
        f"published a log of 1 leaves into {site} (previously 1)",
        "tiles: 0 written, 1 already there; label index: 0 labels in 0 shards",
        "serve DIR as static files; a label's page is <where DIR is served>/L/#<label base32>"]
    assert speak("zh", "publish", site).stdout.splitlines()[2] == \
        "将 DIR 作为静态文件托管即可（任何静态文件服务器，无需改写规则）；标签核验页为 " \
        "<DIR 的托管地址>/L/#<标签 base32 编码>"


def test_a_checkpoint_without_a_key_is_refused_in_english_then_chinese(speak, service):
    refused = speak("zh", "log", "checkpoint", home=service.home)
    assert refused.exit_code == 1
    english, chinese = refused.stderr.splitlines()
    assert re.fullmatch(r"error: cannot sign a checkpoint: no issuer key: run `footprint keys "
                        r"generate` first \(tree size 0, root \S+\)", english)
    assert re.fullmatch(r"错误：无法签署检查点：没有签发密钥：请先运行 `footprint keys "
                        r"generate`（树大小 0，根哈希 \S+）", chinese)


# -- pact ----------------------------------------------------------------------------------

def test_pact_clients_and_outbox_in_chinese_and_in_english(speak, service):
    assert speak("zh", "pact", "clients", "list", home=service.home).stdout.splitlines() == [
        "尚无 PACT 客户端"]
    assert speak("en", "pact", "clients", "list").stdout.splitlines() == ["no PACT clients"]
    created = speak("zh", "pact", "clients", "create", "buyer")
    clean_exit(created, 0)
    client_id = re.fullmatch(r"client_id: (\S+)", created.stdout.splitlines()[0])[1]
    assert created.stderr.splitlines() == [
        "note: the secret is shown only now: give it to the buyer over a safe channel",
        "注意：密钥仅显示这一次：请通过安全渠道交给买方"]
    listed = speak("zh", "pact", "clients", "list").stdout.splitlines()
    assert listed[0].split() == ["client_id", "名称", "机构", "创建时间", "(Asia/Shanghai)",
                                 "吊销时间", "(Asia/Shanghai)"]
    assert listed[2].split()[:3] == [client_id, "buyer", "（全部标签）"]
    english = speak("en", "pact", "clients", "list").stdout.splitlines()
    assert english[0].split() == ["client_id", "name", "organisation", "created", "at",
                                  "(Asia/Shanghai)", "revoked", "at", "(Asia/Shanghai)"]
    assert english[2].split()[:4] == [client_id, "buyer", "(all", "labels)"]

    revoked = speak("zh", "pact", "clients", "revoke", client_id)
    assert revoked.stdout.splitlines() == [f"客户端 {client_id} 已吊销，其令牌已失效"]
    assert speak("zh", "pact", "outbox").stdout.splitlines() == ["待发送：0", "已放弃：0"]
    assert speak("en", "pact", "outbox").stdout.splitlines() == ["pending: 0", "failed: 0"]
    assert speak("zh", "pact", "deliver").stdout.splitlines() == ["到期事件 0 个，已投递 0 个"]
    assert speak("en", "pact", "deliver").stdout.splitlines() == [
        "0 of 0 due events delivered"]
    helped = first_lines(speak("zh", "pact", "deliver", "--help"), 7)
    assert helped[:4] == ["用法：footprint pact deliver [OPTIONS]", "", "  投递到期的 PACT 事件。",
                          ""]
    # the paragraph wrapped to the terminal, Chinese joined without spaces
    assert "".join(line.strip() for line in helped[4:helped.index("", 4)]) == \
        "将到期的 PACT 请求答复各投递一次（供 cron 使用）。可与网站服务同时运行：其他进程正在" \
        "投递的事件由该进程处理。"


# -- peers ---------------------------------------------------------------------------------

def test_peers_in_chinese_and_in_english(speak, world):  # noqa: F811
    home = world.sc.home
    assert speak("zh", "peers", "list", home=home).stdout.splitlines() == [
        "尚无对等平台：可用 `footprint peers add https://HOST` 添加"]
    assert speak("en", "peers", "list").stdout.splitlines() == [
        "no peers: add one with `footprint peers add https://HOST`"]
    issue_on(world.qh)
    added = speak("zh", "peers", "add", world.qh.url, "--name", "青海", "--ca-file", world.ca)
    clean_exit(added, 0)
    lines = added.stdout.splitlines()
    assert re.fullmatch(rf"已添加 青海（{re.escape(world.qh.url)}），日志来源 \S+", lines[0])
    assert lines[1] == "已固定的密钥：请通过其他渠道与对方运维人员核对："
    assert re.fullmatch(r"  CN-QH  kid \S+  公钥 \S+  检查点密钥 ID [0-9a-f]{8}  "
                        r"有效期 \S+ \.\. \S+", lines[2])
    assert re.fullmatch(r"  见证密钥 CN-QH/witness  公钥 \S+", lines[3])
    assert lines[4] == (f"青海（{world.qh.url}）：正常，大小为 1 的检查点已核验、与此前一致"
                        "并已联署；撤销 0 条（新增 0 条）；公开的监管结论 0 条")

    listed = speak("zh", "peers", "list").stdout.splitlines()
    assert listed[0].split() == ["名称", "url", "状态", "最近同步", "(Asia/Shanghai)", "距今",
                                 "日志条目数", "已撤销", "监管结论"]
    assert listed[2].split()[:3] == ["青海", world.qh.url, "通过"]
    assert listed[2].split()[5:] == ["刚刚", "1", "0", "0"]  # the web's words for an age
    english = speak("en", "peers", "list").stdout.splitlines()
    assert english[0].split() == ["name", "url", "state", "last", "synced", "(Asia/Shanghai)",
                                  "age", "log", "size", "revoked", "findings"]
    assert english[2].split()[5:] == ["just", "now", "1", "0", "0"]
    assert speak("zh", "peers", "sync", "--due").stdout.splitlines() == [
        "没有到期需同步的对等平台"]

    world.qh.tamper.answers = {"/log/checkpoint": (200, b"not a checkpoint\n")}
    refused = speak("zh", "peers", "sync")
    assert refused.exit_code == 1
    said = refused.stderr.splitlines()
    assert said[0] == f"青海 ({world.qh.url}): REFUSED: nothing it sent was stored"
    chinese = said.index(f"错误：青海（{world.qh.url}）：已拒绝：该平台的回答未通过核验，"
                         "本平台未存储其中任何内容")
    assert chinese == 1 + (len(said) - 1) // 2  # English problems, then as many in Chinese
    assert all(line.startswith("  - ") for line in said[1:chinese] + said[chinese + 1:])

    # the list shows the refused peer, and warns of its last answer's problems in both
    warned = speak("zh", "peers", "list")
    assert warned.stdout.splitlines()[2].split()[2] == "已拒绝"
    problems = (len(said) - 2) // 2
    english_warnings = warned.stderr.splitlines()[0::2]
    chinese_warnings = warned.stderr.splitlines()[1::2]
    assert english_warnings == [f"warning: 青海: {line[4:]}" for line in said[1:1 + problems]]
    assert chinese_warnings == [f"警告：青海：{line[4:]}" for line in said[chinese + 1:]]

    removed = speak("zh", "peers", "remove", world.qh.url)
    assert removed.stdout.splitlines() == [
        f"已移除 青海（{world.qh.url}）；其密钥仍在信任列表中（`footprint keys list`）"]
    assert first_lines(speak("zh", "peers", "sync", "--help"), 6) == [
        "用法：footprint peers sync [OPTIONS]", "", "  同步对等平台。", "",
        "  获取并核验每个对等平台的信任列表、撤销列表、监管结论和检查点。", ""]


def test_the_log_says_the_cores_sentence_on_a_missing_key(speak, service):
    # one sentence, the core's transparency.NO_SIGNER, said in the chosen language
    assert not hasattr(log, "NO_SIGNER")
    assert speak("zh", "log", "verify", home=service.home).stdout.splitlines()[-1] == \
        "检查点未签名：没有签发密钥：请先运行 `footprint keys generate`"
    assert speak("en", "log", "verify", home=service.home).stdout.splitlines()[-1] == \
        "checkpoint not signed: no issuer key: run `footprint keys generate` first"
