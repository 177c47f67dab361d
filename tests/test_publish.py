"""`footprint publish DIR`: the files a static host serves so that a browser verifies labels
without the service (docs/static-verification.md): what is written, what a second run leaves
alone, and how it refuses.

Hand-worked values:
  the status list packs leaf i into byte i // 4 from the most significant bits: a log of 6
    leaves with leaf 1 superseded (01) and leaf 4 revoked (10) is 00 01 00 00 | 10 00 (00 00)
    = 0x10 0x80.
  a log of 300 leaves has 300 // 256 = 1 full level-0 tile and a partial one of 300 - 256 =
    44 hashes; level 1 holds 300 // 256 = 1 subtree of 256 leaves, a partial tile of width 1.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path

import pytest

from footprint.errors import InvalidInput
from footprint.labels import export_trust_list, generate
from footprint.labels.documents import verify_document
from footprint.store import log as stored
from footprint.store import transaction
from footprint.translog import merkle, statuslist, verify_checkpoint
from footprint.translog.entries import record_entry
from footprint.usecases import publishing, transparency
from footprint.usecases.issuing import Issuer
from footprint.usecases.labels import for_submission
from footprint.usecases.revoking import revoke


def grow(db, count: int) -> None:
    """``count`` record leaves appended straight to the stored log, with the subtrees they
    close (as TransparencyLog.append stores them): a log of thousands in a second."""
    leaves = [leaf for _index, leaf in stored.leaf_hashes(db, stored.size(db))]
    start = len(leaves)
    rows, new = [], []
    for index in range(start, start + count):
        entry = record_entry("finding", f"F{index}", index.to_bytes(8, "big"),
                             "2026-12-01T00:00:00+00:00")
        new.append(merkle.leaf_hash(entry))
        rows.append((index, "record", None, entry, new[-1], "2026-12-01T00:00:00+00:00"))
    with transaction(db):
        db.conn.executemany("INSERT INTO log_entries (idx, kind, label_id, entry, leaf_hash, "
                            "at) VALUES (?, ?, ?, ?, ?, ?)", rows)
        stored.insert_nodes(db, list(merkle.perfect_subtrees(leaves + new, start=start)))


def tea_bom(make_bom, kwh=100, **product):
    return make_bom(product={"name": "Mengding green tea", "name_zh": "蒙顶绿茶",
                             "category": "generic", **product},
                    lines=[{"input": "electricity", "amount": kwh, "unit": "kWh",
                            "stage": "production"}])


@pytest.fixture
def issuer(service):
    generate(service.home, "CN-SC", "四川省碳足迹平台 Sichuan platform", "CN-SC")
    return Issuer(service.home, "CN-SC")


@pytest.fixture
def issued(service, issuer, approve, make_bom):
    """Labels in every state: superseded (first), current (second), revoked (third)."""
    first = for_submission(service.db, approve(tea_bom(make_bom), issuer)["id"])
    second = for_submission(service.db, approve(tea_bom(make_bom, kwh=90), issuer)["id"])
    third = for_submission(service.db, approve(tea_bom(make_bom, name="Oolong"), issuer)["id"])
    revoke(service.db, service.people["reviewer"], third["id"], "falsified electricity data")
    return {"superseded": first, "valid": second, "revoked": third}


def issue_leaf(db, label) -> int:
    return next(e["index"] for e in stored.entries_of(db, label["id"]) if e["kind"] == "issue")


def test_status_list_packs_two_bits_a_leaf_from_the_high_end():
    encoded = statuslist.encode(6, [("supersede", 1), ("revoke", 4), ("revoke", 9)])
    assert gzip.decompress(base64.b64decode(encoded)) == b"\x10\x80"  # leaf 9 is past the end
    assert [statuslist.state_at(encoded, i) for i in range(7)] == [0, 1, 0, 0, 2, 0, 0]


def test_publish_writes_what_a_static_host_needs(service, issued, tmp_path):
    site = tmp_path / "site"
    report = publishing.publish(service.db, service.home, site)
    size = stored.size(service.db)
    # 3 issues, 1 supersede (the second label replaces the first), 1 revoke
    assert size == 5 and report.size == 5 and report.previous_size == 0
    for name in publishing.PAGE_FILES:
        assert (site / "L" / name).read_bytes() == (publishing.PAGE_ASSETS / name).read_bytes()
    assert "cborg" in (site / "L" / "cborg.js").read_text(encoding="utf-8")

    trust = json.loads((site / ".well-known/footprint/trust-list.json").read_text("utf-8"))
    assert trust == export_trust_list(service.home)
    entry = trust["issuers"][0]
    public_key = base64.b64decode(entry["public_key"])
    note = (site / "log/checkpoint").read_text(encoding="utf-8")
    checkpoint_size, root = verify_checkpoint(note, "CN-SC", public_key)
    assert (checkpoint_size, root) == (5, transparency.checkpoint(service.db, service.home).root)

    # five leaves: one partial level-0 tile of 5 hashes, the stored leaf hashes in order
    tile = (site / "log/tile/0/000.p/5").read_bytes()
    hashes = [leaf for _i, leaf in stored.leaf_hashes(service.db, 5)]
    assert tile == b"".join(hashes) and merkle.root(hashes) == root
    assert not (site / "log/tile/1").exists()  # no level-1 subtree below 256 leaves

    # the index: the first 3 hex digits of SHA-256(0x00 || COSE) name the shard, the first 16
    # are the key, the value the issue leaf's index
    for label in issued.values():
        leaf = hashlib.sha256(b"\x00" + bytes(label["cose"])).hexdigest()
        shard = json.loads((site / f"log/label-index/{leaf[:3]}.json").read_text("ascii"))
        assert shard[leaf[:16]] == issue_leaf(service.db, label)
    assert report.labels_added == 3

    document = verify_document((site / "log/status-list").read_bytes(), trust,
                               statuslist.KIND)
    body = document.body
    assert (body["tree_size"], body["root"], body["issuers"]) == \
        (5, base64.b64encode(root).decode(), ["CN-SC"])
    states = {name: statuslist.state_at(body["status"], issue_leaf(service.db, label))
              for name, label in issued.items()}
    assert states == {"superseded": statuslist.SUPERSEDED, "valid": 0,
                      "revoked": statuslist.REVOKED}
    assert json.loads((site / "publish.json").read_text("utf-8"))["size"] == 5


def test_a_second_run_writes_only_what_changed(service, issued, tmp_path):
    grow(service.db, 295)  # 5 + 295 = 300 leaves
    site = tmp_path / "site"
    first = publishing.publish(service.db, service.home, site)
    # level 0: 1 full + 1 partial (44); level 1: 1 partial (width 1)
    assert first.tiles_written == 3 and first.tiles_kept == 0
    full = site / "log/tile/0/000"
    assert (site / "log/tile/0/001.p/44").exists() and (site / "log/tile/1/000.p/1").exists()
    hashes = [leaf for _i, leaf in stored.leaf_hashes(service.db, 300)]
    assert full.read_bytes() == b"".join(hashes[:256])
    assert (site / "log/tile/1/000.p/1").read_bytes() == merkle.root(hashes[:256])
    before = full.stat()
    shards = {p: p.stat().st_mtime_ns for p in (site / "log/label-index").iterdir()}

    again = publishing.publish(service.db, service.home, site)
    assert (again.previous_size, again.size) == (300, 300)
    assert again.tiles_written == 0 and again.tiles_kept == 3 and again.shards_written == 0

    grow(service.db, 300)  # 600 leaves: 2 full level-0 tiles and a partial of 88
    later = publishing.publish(service.db, service.home, site)
    assert later.previous_size == 300
    # written: level-0 tile 001 (now full) and 002.p/88, level-1 000.p/2; kept: 000, 001.p/44
    # and 000.p/1 of level 1 (an older partial tile stays: it is immutable too)
    assert (later.tiles_written, later.tiles_kept) == (3, 1)
    after = full.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert (site / "log/tile/0/002.p/88").exists() and (site / "log/tile/1/000.p/2").exists()
    assert {p: p.stat().st_mtime_ns for p in shards} == shards  # no label added: untouched
    assert verify_checkpoint((site / "log/checkpoint").read_text("utf-8"), "CN-SC",
                             issuer_public_key(service))[0] == 600


def issuer_public_key(service) -> bytes:
    return base64.b64decode(export_trust_list(service.home)["issuers"][0]["public_key"])


def test_a_site_of_a_longer_log_is_refused(service, issued, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "publish.json").write_text('{"size": 99}', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        publishing.publish(service.db, service.home, site)
    assert "holds a log of 99 leaves, more than this platform's 5" in str(caught.value)


def test_unwritable_dir_and_missing_key_exit_2_in_chinese_and_english(service, run,
                                                                     monkeypatch, tmp_path):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory", encoding="utf-8")
    result = run("publish", a_file)
    assert result.exit_code == 2
    # English, then Chinese, as every refusal (cli/errors.py)
    assert result.stderr.splitlines() == [
        f"error: DIR: {a_file} is not a directory one may write in",
        f"错误：DIR：{a_file} 不是可写入的目录"]

    result = run("publish", tmp_path / "site")  # no key generated in this home
    assert result.exit_code == 2
    english, chinese = result.stderr.splitlines()
    assert english.startswith(f"error: FOOTPRINT_HOME: no issuer key in {service.home}: ")
    assert "footprint keys generate" in english
    assert chinese.startswith(f"错误：FOOTPRINT_HOME：{service.home} 中没有签发密钥")
    assert not (tmp_path / "site" / "log").exists()  # nothing published


def test_the_command_says_the_url_to_use(service, issued, run, monkeypatch, tmp_path):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    result = run("publish", tmp_path / "site", "--base-url", "https://verify.example.cn/")
    assert result.exit_code == 0, result.stderr
    assert "a log of 5 leaves" in result.stdout
    assert "https://verify.example.cn/L/#<label base32>" in result.stdout
    assert publishing.label_link("https://verify.example.cn", b"\x00\x01") == \
        "https://verify.example.cn/L/#AAAQ"  # base32 of 0x00 0x01: 00000 00000 00000 1(0000)


@pytest.mark.parametrize("url", ["notaurl", "verify.example.cn", "http://verify.example.cn",
                                 "ftp://verify.example.cn", "https://", "https://a:b@x.cn",
                                 "https://verify.example.cn/?q=1", "https://x.cn:port"])
def test_a_base_url_no_browser_could_verify_at_is_refused_before_any_work(service, issued, run,
                                                                         monkeypatch, tmp_path,
                                                                         url):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    result = run("publish", tmp_path / "site", "--base-url", url)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f'error: --base-url: "{url}" is not where a browser can verify labels: give the '
        "absolute https URL DIR will be served at (e.g. https://verify.example.cn), or http "
        "only on this machine (127.0.0.1, localhost)",
        f"错误：--base-url：“{url}”不是浏览器能核验标签的地址：请给出 DIR 将被托管的完整 "
        "https 地址（如 https://verify.example.cn），http 仅限本机（127.0.0.1、localhost）"]
    assert result.stdout == ""
    assert not (tmp_path / "site").exists()  # nothing published


@pytest.mark.parametrize("url, page", [
    ("https://example.github.io/verify/", "https://example.github.io/verify/L/"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/L/"),
    ("http://localhost:8080/", "http://localhost:8080/L/")])
def test_an_https_base_url_or_http_on_this_machine_is_taken(service, issued, run, monkeypatch,
                                                           tmp_path, url, page):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    result = run("publish", tmp_path / "site", "--base-url", url)
    assert result.exit_code == 0, result.stderr
    assert f"a label's page is {page}#<label base32>" in result.stdout
