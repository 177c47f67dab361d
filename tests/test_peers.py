"""Three regional platforms that watch each other (docs/peers.md): Sichuan (CN-SC), Chongqing
(CN-CQ) and Qinghai (CN-QH), each with its own FOOTPRINT_HOME, database, issuer key and web
app served over real HTTPS on 127.0.0.1 (werkzeug in a thread, each with the demo's kind of
self-signed certificate; the three certificates are the CA file every peer is added with).

Hand-calculated values (MEE announcement 2024 No. 33, 2022 grid factors, as
tests/test_cross_region.py; lca_data/electricity/cn_grid_co2_mee_MEE-2022.csv):
  Sichuan:   100 kWh x 0.1404 kg CO2/kWh = 14.04 kg CO2e -> signed as 14.0
  Chongqing: 100 kWh x 0.5227 kg CO2/kWh = 52.27 kg CO2e -> signed as 52.3
  Qinghai:   100 kWh x 0.1567 kg CO2/kWh = 15.67 kg CO2e -> signed as 15.7
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import ssl
import tarfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from werkzeug.serving import make_server

from footprint import clock
from footprint.labels import generate, rotate
from footprint.labels.encoding import label_url
from footprint.labels.keys import own_entries
from footprint.store import transaction
from footprint.translog import merkle, sign_checkpoint
from footprint.translog.checkpoint import CheckpointError, open_note, parse_note
from footprint.translog.cosignature import verify_cosignature
from footprint.usecases import backup, peers, peersync, revoking
from footprint.usecases.demotls import demo_certificate
from footprint.usecases.issuing import Issuer
from tests.conftest import app_on, log_in, service_copy
from tests.test_cross_region import issue as cross_region_issue
from tests.test_cross_region import scan

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

NAMES = {"CN-SC": "四川省产品碳足迹平台", "CN-CQ": "重庆市产品碳足迹平台",
         "CN-QH": "青海省产品碳足迹平台"}
SIGNED_VALUE = {"CN-SC": "14.0", "CN-CQ": "52.3", "CN-QH": "15.7"}  # worked out above
REASON = "现场核查发现用电数据不实 falsified meter readings"
VERIFIER = "Sichuan Carbon Verification"  # the organisation of the template's verifier
KEPT = ("peer_revocations", "peer_checkpoints", "peer_witnessed")


class Tamper:
    """WSGI middleware: answers a path with what a test sets (status, body), else the app."""

    def __init__(self, app):
        self.app = app
        self.answers: dict[str, tuple[int, bytes]] = {}

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] in self.answers:
            status, body = self.answers[environ["PATH_INFO"]]
            start_response(f"{status} TAMPERED", [("Content-Type", "application/json"),
                                                  ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


def make_platform(root, engine, template, region: str) -> SimpleNamespace:
    home = root / region
    home.mkdir()
    db, users = service_copy(home, template)
    people = {"producer": users["orchard"], "verifier": users["auditor"],
              "reviewer": users["reviewer"]}
    # made a day ago: a key rotated in the second it was made would tie with its successor
    generate(home, region, NAMES[region], region,
             valid_from=datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1))
    app = app_on(home, engine, TESTING=True, WTF_CSRF_ENABLED=False,
                 FOOTPRINT_SYNC_PEERS=False)  # each test syncs when it means to
    cert = demo_certificate(home, ["127.0.0.1"])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert_path, cert.key_path)
    tamper = Tamper(app)
    server = make_server("127.0.0.1", 0, tamper, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host = f"127.0.0.1:{server.server_port}"
    app.config["FOOTPRINT_PUBLIC_HOST"] = host
    return SimpleNamespace(region=region, home=home, db=db, people=people, app=app,
                           client=app.test_client(), issuer=Issuer(home, region),
                           url=f"https://{host}", cert=cert, server=server, thread=thread,
                           tamper=tamper)


@pytest.fixture
def world(tmp_path, engine, service_template):
    platforms = {}
    # the three platforms listen on this machine, where footprint.outbound connects only to
    # hosts the operator names; a patch of its own, which a test's monkeypatch.undo() keeps
    with pytest.MonkeyPatch.context() as operator:
        operator.setenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", "127.0.0.1")
        try:
            for region in NAMES:
                platforms[region] = make_platform(tmp_path, engine, service_template, region)
            bundle = tmp_path / "peers-ca.pem"
            bundle.write_text("".join(p.cert.cert_path.read_text()
                                      for p in platforms.values()))
            yield SimpleNamespace(sc=platforms["CN-SC"], cq=platforms["CN-CQ"],
                                  qh=platforms["CN-QH"], ca=bundle,
                                  all=list(platforms.values()))
        finally:
            for platform in platforms.values():
                platform.server.shutdown()
                platform.thread.join(timeout=10)
                platform.db.close()


def issue(platform, kwh=100, name_zh="测试产品") -> dict:
    return cross_region_issue(platform, kwh, name_zh, verifier_org=VERIFIER)


def counts(platform) -> dict:
    """What a refused answer must leave as it was: the rows kept of peers, each peer's
    pinned keys and accepted checkpoint, and the file of trusted keys."""
    kept = {table: platform.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in KEPT}
    kept["peers"] = [(p["url"], p["trust_entries"], p["checkpoint"], p["checkpoint_size"],
                      p["findings"], p["last_synced_at"])
                     for p in platform.db.query("SELECT * FROM peers ORDER BY id")]
    trusted = platform.home / "keys" / "trusted.json"
    kept["trusted"] = trusted.read_bytes() if trusted.exists() else None
    return kept


def mesh(world) -> None:
    for platform in world.all:
        for other in world.all:
            if other is not platform:
                added = peers.add(platform.db, platform.home, other.url, NAMES[other.region],
                                  ca_file=world.ca)
                assert added.sync.ok, added.sync.problems


def rewrite_history(platform) -> None:
    """The platform drops its log's append-only triggers and changes its first entry (the
    bytes and the leaf hash together, and the label with them), as tests/test_translog.py
    does; then it goes on issuing."""
    db = platform.db
    for table in ("log_entries", "log_nodes"):
        db.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_update")
        db.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_delete")
    first = db.execute("SELECT label_id, entry FROM log_entries WHERE idx = 0").fetchone()
    forged = bytes(first[1])[:-1] + bytes([bytes(first[1])[-1] ^ 1])
    with transaction(db):
        db.execute("UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = 0",
                   [forged, merkle.leaf_hash(forged)])
        db.execute("UPDATE labels SET cose = ? WHERE id = ?", [forged, first[0]])
        # and the stored subtrees over them, as a thorough forger would
        db.execute("DELETE FROM log_nodes")
        leaves = [bytes(r[0]) for r in db.execute("SELECT leaf_hash FROM log_entries "
                                                  "ORDER BY idx")]
        db.conn.executemany("INSERT INTO log_nodes (height, i, hash) VALUES (?, ?, ?)",
                            list(merkle.perfect_subtrees(leaves)))


# -- the three platforms ---------------------------------------------------------------------

def test_labels_of_all_three_verify_everywhere_and_a_revocation_travels(world, monkeypatch):
    labels = {p.region: issue(p, name_zh=f"{p.region} 产品") for p in world.all}
    mesh(world)
    for platform in world.all:
        for region, label in labels.items():
            verdict, text = scan(platform, label["cose"])
            if region == platform.region:
                assert verdict == "valid", (platform.region, region)
                continue
            assert verdict == "remote", (platform.region, region)
            assert re.search(rf'id="value">{re.escape(SIGNED_VALUE[region])} <', text)
            assert f"{NAMES[region]} 的撤销列表同步于 刚刚：此标签不在列表中。" in text

    # three minutes later, the page says how old the synced list is, in both languages
    later = clock.now() + timedelta(minutes=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    _, text = scan(world.sc, labels["CN-CQ"]["cose"])
    assert f"{NAMES['CN-CQ']} 的撤销列表同步于 3 分钟前：此标签不在列表中。" in text
    _, english = scan(world.sc, labels["CN-CQ"]["cose"], lang="en")
    assert f"Revocation list of {NAMES['CN-CQ']} synced 3 minutes ago: this label is not " \
           "on it." in english
    monkeypatch.undo()

    # Chongqing revokes its label: the others see it after their next sync, not before
    revoking.revoke(world.cq.db, world.cq.people["reviewer"], labels["CN-CQ"]["id"], REASON)
    assert scan(world.sc, labels["CN-CQ"]["cose"])[0] == "remote"
    for platform in (world.sc, world.qh):
        reports = peersync.sync(platform.db, platform.home)
        assert [r.state for r in reports] == ["ok", "ok"]
        from_cq = next(r for r in reports if r.url == world.cq.url)
        assert (from_cq.revocations, from_cq.new_revocations) == (1, 1)
        assert from_cq.findings == 0  # GET /api/v1/findings answers, with none final yet
        verdict, text = scan(platform, labels["CN-CQ"]["cose"])
        assert verdict == "revoked"
        assert REASON in text and "此标签已被平台撤销，请勿采信。" in text
        assert f"{NAMES['CN-CQ']} 的撤销列表同步于 刚刚：列表显示此标签已被撤销。" in text
    # Qinghai's label is untouched
    assert scan(world.sc, labels["CN-QH"]["cose"])[0] == "remote"


def test_a_peer_on_this_machine_is_refused_unless_the_operator_names_its_host(world,
                                                                             monkeypatch):
    """A peer's name is looked up at every sync: where it leads to this machine (or the
    platform's network) and the operator has not named the host, nothing is asked of it and
    nothing of it is kept (footprint.outbound)."""
    assert peers.add(world.sc.db, world.sc.home, world.cq.url, ca_file=world.ca).sync.ok
    before = counts(world.sc)
    asked = []
    real = world.cq.tamper.app
    world.cq.tamper.app = lambda environ, start: asked.append(environ["PATH_INFO"]) or \
        real(environ, start)
    monkeypatch.delenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS")
    [report] = peersync.sync(world.sc.db, world.sc.home)
    assert report.state == "refused" and asked == []
    said = " ".join(map(str, report.problems))
    assert "127.0.0.1 resolves to 127.0.0.1, an address on a private network or this " \
        "machine" in said and "FOOTPRINT_ALLOW_PRIVATE_HOSTS" in said
    assert counts(world.sc) == before
    monkeypatch.setenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", "127.0.0.1")
    assert [r.state for r in peersync.sync(world.sc.db, world.sc.home)] == ["ok"]
    assert asked  # asked again once named


def test_a_platform_that_rewrites_its_log_is_flagged_and_nothing_of_it_is_kept(world, run):
    first = issue(world.qh, name_zh="青海牦牛肉")
    for platform in (world.sc, world.cq):
        assert peers.add(platform.db, platform.home, world.qh.url, "Qinghai",
                         ca_file=world.ca).sync.ok
    seen = world.sc.db.execute("SELECT checkpoint FROM peers").fetchone()[0]
    assert seen.startswith("CN-QH\n1\n")

    rewrite_history(world.qh)
    # and the log goes on: the revocation is its second entry
    revoking.revoke(world.qh.db, world.qh.people["reviewer"], first["id"], "rewritten")

    for platform in (world.sc, world.cq):
        before = counts(platform)
        [report] = peersync.sync(platform.db, platform.home, world.qh.url)
        assert report.state == "inconsistent"
        said = str(report.problems[0])
        assert "not consistent with its checkpoint of size 1" in said
        # from size 1 (a power of two) the proof starts at the root remembered, so it is the
        # new root, over the rewritten first entry, that the proof cannot reach
        assert "the consistency proof does not lead to the new root" in said
        assert counts(platform) == before  # no revocation, no checkpoint, no key kept
        peer = platform.db.execute("SELECT state FROM peers").fetchone()
        assert peer[0] == "inconsistent"
        [row] = peers.listing(platform.db)
        evidence = row["evidence"]
        assert evidence["seen"] == seen
        assert evidence["new"].startswith("CN-QH\n2\n")  # the issue and the revocation
        assert evidence["proof"] and evidence["failure"] == \
            "the consistency proof does not lead to the new root"

    # the label scanned in Sichuan is genuine, but its platform's word is flagged
    verdict, text = scan(world.sc, first["cose"])
    assert verdict == "remote" and 'class="verdict tone-caution"' in text
    assert "警告：签发平台 Qinghai 已被标记" in text
    _, english = scan(world.sc, first["cose"], lang="en")
    assert "Warning: the issuing platform Qinghai is flagged" in english
    # and `footprint verify` will not take its list's word: revocation not checked (exit 3)
    url = label_url(world.qh.url[len("https://"):], bytes(first["cose"]))
    verified = run(world.sc.home, "verify", url)
    assert verified.exit_code == 3, (verified.stdout, verified.stderr)
    assert "Qinghai is flagged: its transparency log is not consistent" in verified.stdout

    # a flagged peer stays flagged: nothing is fetched or kept until an operator re-adds it
    before = counts(world.sc)
    [again] = peersync.sync(world.sc.db, world.sc.home)
    assert again.state == "inconsistent" and "removes it and adds it again" in \
        str(again.problems[0])
    assert counts(world.sc) == before


def test_malformed_unsigned_or_unknown_key_answers_are_refused_and_change_nothing(world,
                                                                                 tmp_path):
    label = issue(world.cq)
    assert peers.add(world.sc.db, world.sc.home, world.cq.url, ca_file=world.ca).sync.ok
    revoking.revoke(world.cq.db, world.cq.people["reviewer"], label["id"], REASON)
    assert peersync.sync(world.sc.db, world.sc.home)[0].ok

    current = world.cq.client.get("/log/checkpoint").get_data(as_text=True)
    text, _ = parse_note(current)
    stranger = generate(tmp_path / "stranger", "CN-CQ", "冒名平台", "CN-CQ")
    listed = world.cq.client.get("/.well-known/footprint/trust-list.json").get_json()
    tampers = {
        "unsigned checkpoint": ("/log/checkpoint", 200, text.encode(),
                                "no blank line before the signatures"),
        "checkpoint signed by an unknown key": (
            "/log/checkpoint", 200,
            sign_checkpoint("CN-CQ", 7, b"\x07" * 32, "CN-CQ", stranger.private_key).encode(),
            "is not signed by a key of CN-CQ in the pinned trust list"),
        "checkpoint of another log": (
            "/log/checkpoint", 200,
            sign_checkpoint("CN-XX", 1, b"\x01" * 32, "CN-CQ", stranger.private_key).encode(),
            "the checkpoint is of log CN-XX, not CN-CQ"),
        "trust list not JSON": ("/.well-known/footprint/trust-list.json", 200,
                                b"<html>maintenance</html>", "trust list is malformed"),
        "a key added without an announcement": (
            "/.well-known/footprint/trust-list.json", 200,
            json.dumps({"issuers": listed["issuers"] + [stranger.entry.as_dict()]}).encode(),
            "changed (1 key(s) added, 0 removed) without an announcement"),
        "malformed revocation list": ("/api/v1/labels/revoked", 200,
                                      b'{"revoked": [{"id": 5}]}', "revoked[0].id"),
        "a revocation taken back": ("/api/v1/labels/revoked", 200, b'{"revoked": []}',
                                    f"no longer lists label {label['id']}"),
        "malformed findings": ("/api/v1/findings", 200, b'{"findings": "none"}',
                               "public findings is malformed"),
        "an error": ("/api/v1/labels/revoked", 500, b"{}", "answered HTTP 500"),
    }
    for case, (path, status, body, words) in tampers.items():
        before = counts(world.sc)
        world.cq.tamper.answers = {path: (status, body)}
        [report] = peersync.sync(world.sc.db, world.sc.home)
        assert report.state == "refused", case
        assert words in " ".join(map(str, report.problems)), (case, report.problems)
        assert counts(world.sc) == before, case
        [row] = peers.listing(world.sc.db)
        assert row["state"] == "refused" and row["problems"], case
    # the report is there in Chinese too, on the administrator's page
    world.sc.tamper.answers = {}
    page = _admin_page(world.sc)
    assert "对方平台对 /api/v1/labels/revoked 返回 HTTP 500" in page
    assert "最近一次回答被拒绝" in page
    # and why a checkpoint is refused, the signed note's own fault included
    world.cq.tamper.answers = {"/log/checkpoint": (200, text.encode())}
    assert peersync.sync(world.sc.db, world.sc.home)[0].state == "refused"
    assert "对方平台的日志检查点格式有误：签名行前没有空行：该注记未签名" in _admin_page(world.sc)
    assert "the peer's log checkpoint is malformed: no blank line before the signatures: the " \
        "note is not signed" in _admin_page(world.sc, "en")
    world.cq.tamper.answers = {"/log/checkpoint": (200, sign_checkpoint(
        "CN-CQ", 7, b"\x07" * 32, "CN-CQ", stranger.private_key).encode())}
    assert peersync.sync(world.sc.db, world.sc.home)[0].state == "refused"
    assert "该检查点未由已固定信任列表中 CN-CQ 的密钥签名：未知密钥：该注记由 CN-CQ 以密钥 ID " \
        in _admin_page(world.sc)

    world.cq.tamper.answers = {}
    assert peersync.sync(world.sc.db, world.sc.home)[0].ok  # an honest answer is taken again

    # a peer's published findings (credit supervision) are kept and counted when each
    # carries its document signed by the peer's key; otherwise the answer is refused
    from footprint.labels.documents import sign_document
    from footprint.labels.keys import current_key

    def published(finding_id, signer, signed_id=None, state="final"):
        document = sign_document("finding", {"finding": signed_id or finding_id,
                                             "state": state}, signer)
        return {"id": finding_id, "subject": "Fuling Mustard Co.", "type": "falsified_data",
                "document": base64.urlsafe_b64encode(document).decode().rstrip("=")}

    cq_key = current_key(world.cq.home)
    finding = published(1, cq_key)
    for case, item, words in (
            ("signed by a stranger", published(2, stranger), "is not signed by the peer's"),
            ("another finding's document", published(3, cq_key, signed_id=4),
             "says other than its signed document"),
            ("a draft's document", published(5, cq_key, state="draft"),
             "says other than its signed document"),
            ("no document", {"id": 6}, "is not signed by the peer's")):
        before = counts(world.sc)
        world.cq.tamper.answers = {"/api/v1/findings": (200, json.dumps(
            {"findings": [finding, item]}).encode())}
        [report] = peersync.sync(world.sc.db, world.sc.home)
        assert report.state == "refused" and counts(world.sc) == before, case
        assert words in " ".join(map(str, report.problems)), (case, report.problems)
    world.cq.tamper.answers = {"/api/v1/findings": (200, json.dumps(
        {"findings": [finding]}).encode())}
    [report] = peersync.sync(world.sc.db, world.sc.home)
    assert report.ok and report.findings == 1
    assert json.loads(world.sc.db.execute("SELECT findings FROM peers").fetchone()[0]) == \
        [finding]


def _admin_page(platform, lang="zh") -> str:
    client = platform.app.test_client()
    client.set_cookie("lang", lang)
    log_in(client, "admin")
    response = client.get("/admin/peers")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_cosignatures_verify_against_the_witness_key(world):
    issue(world.sc)
    issue(world.cq)
    assert peers.add(world.sc.db, world.sc.home, world.cq.url, ca_file=world.ca).sync.ok
    assert peers.add(world.cq.db, world.cq.home, world.sc.url, ca_file=world.ca).sync.ok
    # Sichuan fetches Chongqing's cosignature of Sichuan's own checkpoint on its next sync
    [report] = peersync.sync(world.sc.db, world.sc.home)
    assert report.ok and report.cosigned_ours == 1

    # checked here from the published bytes alone, as C2SP tlog-cosignature says
    witness = world.cq.client.get("/.well-known/footprint/witness.json").get_json()
    assert witness["name"] == "CN-CQ/witness"
    public = base64.b64decode(witness["public_key"])
    note = world.cq.client.get("/.well-known/footprint/witness/cosignatures/CN-SC"
                               ).get_data(as_text=True)
    # an origin it has cosigned nothing of: a 404 a program reads, plain text as the notes
    missing = world.cq.client.get("/.well-known/footprint/witness/cosignatures/CN-XX")
    assert (missing.status_code, missing.mimetype) == (404, "text/plain")
    assert missing.get_data(as_text=True) == \
        "this platform has cosigned no checkpoint of CN-XX\n"
    missing = world.cq.client.get("/.well-known/footprint/witness/cosignatures/CN-XX",
                                  headers={"Accept-Language": "zh-CN"})
    assert missing.get_data(as_text=True) == "本平台未联署过 CN-XX 的任何检查点\n"
    text, lines = parse_note(note)
    assert text.startswith("CN-SC\n1\n") and [s.name for s in lines] == ["CN-SC",
                                                                         "CN-CQ/witness"]
    line = note.rstrip("\n").split("\n")[-1]
    name, blob = line[len("\u2014 "):].split(" ")
    raw = base64.b64decode(blob)
    assert len(raw) == 4 + 8 + 64
    assert raw[:4] == hashlib.sha256(name.encode() + b"\n\x04" + public).digest()[:4]
    timestamp = int.from_bytes(raw[4:12], "big")
    assert abs(timestamp - datetime.now(timezone.utc).timestamp()) < 600
    Ed25519PublicKey.from_public_bytes(public).verify(
        raw[12:], f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode())
    assert witness["vkey"] == f"CN-CQ/witness+{raw[:4].hex()}+" + \
        base64.b64encode(b"\x04" + public).decode()
    assert verify_cosignature(note, name, public) == timestamp
    # the log's own signature line is untouched by the cosignature
    open_note(note, "CN-SC", own_entries(world.sc.home, "CN-SC")[0].public_key)
    # a changed root is not what the witness signed
    forged = note.replace(text.split("\n")[2], base64.b64encode(b"\x00" * 32).decode())
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_cosignature(forged, name, public)

    page = _admin_page(world.sc)
    assert "对等平台对本平台检查点的联署" in page and "CN-CQ/witness" in page
    assert (world.sc.db.execute("SELECT size, witness_name FROM peer_witnessed").fetchall()
            == [(1, "CN-CQ/witness")])


def test_the_witness_key_is_a_secret_of_the_backup(world, tmp_path):
    witness = world.sc.client.get("/.well-known/footprint/witness.json").get_json()
    assert (world.sc.home / "keys" / "witness" / "witness.pem").stat().st_mode & 0o077 == 0
    archive = tmp_path / "sc.tar"
    backup.create(world.sc.home, archive, "granite orchard lantern seventeen")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        member = next(m for m in manifest["members"]
                      if m["path"] == "keys/witness/witness.pem")
        assert member["encrypted"] is True
        assert b"PRIVATE KEY" not in tar.extractfile(member["name"]).read()
    assert witness["name"] == "CN-SC/witness"


def test_a_rotated_key_is_taken_when_a_pinned_key_announces_it(world):
    assert peers.add(world.sc.db, world.sc.home, world.cq.url, ca_file=world.ca).sync.ok
    old_kid = json.loads(world.sc.db.execute("SELECT trust_entries FROM peers").fetchone()[0])
    rotate(world.cq.home, "CN-CQ")
    label = issue(world.cq)  # signed, and its checkpoint too, with the new key
    assert scan(world.sc, label["cose"])[0] == "unknown-issuer"
    [report] = peersync.sync(world.sc.db, world.sc.home)
    assert report.ok and report.trust_changed, report.problems
    pinned = json.loads(world.sc.db.execute("SELECT trust_entries FROM peers").fetchone()[0])
    assert len(pinned) == 2 and old_kid[0]["kid"] in {e["kid"] for e in pinned}
    assert scan(world.sc, label["cose"])[0] == "remote"


# -- the command line ------------------------------------------------------------------------

@pytest.fixture
def run(monkeypatch):
    from cli.main import cli
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()

    def invoke(home, *args):
        monkeypatch.setenv("FOOTPRINT_HOME", str(home))
        return runner.invoke(cli, [str(a) for a in args])
    return invoke


def test_the_commands_add_list_sync_and_remove_and_verify_reads_the_synced_list(world, run):
    label = issue(world.qh)
    added = run(world.sc.home, "peers", "add", world.qh.url, "--name", "青海",
                "--ca-file", world.ca)
    assert added.exit_code == 0, (added.output, added.stderr)
    kid = json.loads(world.qh.client.get("/.well-known/footprint/trust-list.json")
                     .get_data())["issuers"][0]["kid"]
    assert f"CN-QH  kid {kid}" in added.stdout
    assert "witness CN-QH/witness" in added.stdout
    assert "0 public finding(s)" in added.stdout

    again = run(world.sc.home, "peers", "add", world.qh.url + "/", "--ca-file", world.ca)
    assert again.exit_code == 1 and "already added" in again.stderr
    bad = run(world.sc.home, "peers", "add", "http://127.0.0.1:1")
    assert bad.exit_code == 2 and "https://host[:port]" in bad.stderr

    listed = run(world.sc.home, "peers", "list", "--json")
    assert listed.exit_code == 0
    [row] = json.loads(listed.stdout)
    assert (row["name"], row["state"], row["checkpoint_size"]) == ("青海", "ok", 1)

    url = label_url(world.qh.url[len("https://"):], bytes(label["cose"]))
    verified = run(world.sc.home, "verify", url)
    assert verified.exit_code == 0, (verified.output, verified.stderr)
    assert "synced just now: not revoked" in verified.stdout

    revoking.revoke(world.qh.db, world.qh.people["reviewer"], label["id"], REASON)
    synced = run(world.sc.home, "peers", "sync", "--due")
    assert synced.exit_code == 0 and "no peer is due" in synced.stdout
    synced = run(world.sc.home, "peers", "sync")
    assert synced.exit_code == 0 and "1 revocation(s) (1 new)" in synced.stdout
    revoked = run(world.sc.home, "verify", url)
    assert revoked.exit_code == 1 and REASON in revoked.stderr
    assert "according to the revocation list of 青海" in revoked.stderr
    # what verify read: the synced list kept as a file, in the published list's format
    kept = world.sc.home / "peers" / "CN-QH.json"
    listed = run(world.sc.home, "verify", url, "--revocations", kept)
    assert listed.exit_code == 1 and REASON in listed.stderr

    world.qh.tamper.answers = {"/log/checkpoint": (200, b"not a checkpoint\n")}
    refused = run(world.sc.home, "peers", "sync")
    assert refused.exit_code == 1
    assert "REFUSED: nothing it sent was stored" in refused.stderr
    assert "已拒绝" in refused.stderr

    removed = run(world.sc.home, "peers", "remove", world.qh.url)
    assert removed.exit_code == 0
    assert run(world.sc.home, "peers", "list").stdout.startswith("no peers")
    assert world.sc.db.execute("SELECT count(*) FROM peer_revocations").fetchone()[0] == 0
    assert not kept.exists()


def test_the_worked_example_of_docs_peers_md_verifies_as_printed():
    page = (Path(__file__).resolve().parent.parent / "docs" / "peers.md").read_text("utf-8")
    example = page.split("### Worked example", 1)[1]
    note = example.split("```\n", 2)[1]
    name = "sc.footprint.example.cn/witness"
    public = base64.b64decode("AiA2bfy4uRvykEKgplSqZ0LwPZSiw9SVAKGF/i2Ap5s=")
    # the seeds the page names give the keys it prints
    seed = hashlib.sha256(b"footprint example witness key").digest()
    assert Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw() == public
    log = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"footprint example log key").digest()).public_key()
    assert verify_cosignature(note, name, public) == 1764921600
    open_note(note, "CN-CQ", log)
    assert note.split("\n")[2] == base64.b64encode(hashlib.sha256(b"example root").digest()
                                                   ).decode()
    exec(example.split("```python\n", 1)[1].split("```", 1)[0], {})  # raises if it fails
    with pytest.raises(CheckpointError):
        verify_cosignature(note.replace("\n8\n", "\n9\n"), name, public)


def test_the_service_syncs_due_peers_by_itself(world, monkeypatch):
    """No cron line needed: a request to the service starts a background sync of the peers
    that are due (at most once a minute per worker), with a connection of its own."""
    label = issue(world.cq)
    assert peers.add(world.sc.db, world.sc.home, world.cq.url, ca_file=world.ca).sync.ok
    revoking.revoke(world.cq.db, world.cq.people["reviewer"], label["id"], REASON)
    world.sc.app.config["FOOTPRINT_SYNC_PEERS"] = True
    started = []
    real = peersync.sync_due_in_background
    monkeypatch.setattr(peersync, "sync_due_in_background",
                        lambda db, home: started.append(real(db, home)) or started[-1])
    world.sc.client.get("/registry")
    assert started == [None]  # just synced by `add`: not due yet
    # fifteen minutes on (the default interval), the next look starts a sync
    world.sc.db.execute("UPDATE peers SET last_attempt_at = '2000-01-01T00:00:00+00:00'")
    world.sc.db.conn.commit()
    world.sc.app.extensions.pop("peers_checked")
    world.sc.client.get("/registry")
    assert started[-1] is not None
    started[-1].join(timeout=60)
    assert peers.listing(world.sc.db)[0]["revocations"] == 1
    world.sc.client.get("/registry")  # within the minute: not looked at again
    assert len(started) == 2
