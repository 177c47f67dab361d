"""The static scan page in headless Chromium (Debian's /usr/bin/chromium, installed by `make
test`), served by a plain static file server and no application server: labels issued in a
fresh platform, `footprint publish DIR`, then the page's verdict for a valid, a forged, a
revoked, a superseded, an expired label, one from a key not in the trust list and one from a
platform the trust list recognises.

The log is grown past 65,536 leaves (2^16) around the labels, so the page reads tiles of
levels 0, 1 and 2 and hashes subtrees up inside them; it must read only O(log n) of them.
"""
from __future__ import annotations

import functools
import re
import threading
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from footprint.labels import export_trust_list, generate, sign, to_b32, trust_add
from footprint.usecases import publishing
from footprint.usecases.issuing import Issuer
from footprint.usecases.labels import for_submission
from footprint.usecases.revoking import revoke

# Chromium as the other browser tests start it; their module skips when Debian's chromium is
# missing, and fails instead under CI, so this one does the same
from .test_browser import browser  # noqa: F401 (a fixture)
from .test_publish import grow, issue_leaf, tea_bom


class Files(SimpleHTTPRequestHandler):
    """A plain static file server that remembers the paths asked of it."""

    asked: list[str]

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.asked.append(self.path)
        super().do_GET()


@pytest.fixture
def static_host(tmp_path):
    """(base URL, the paths asked) of a static file server over tmp_path/site."""
    site = tmp_path / "site"
    site.mkdir()
    asked: list[str] = []
    handler = functools.partial(type("Handler", (Files,), {"asked": asked}),
                                directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site, f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def stranger_label(home, issuer_id: str) -> bytes:
    key = generate(home, issuer_id, f"platform {issuer_id}")
    return sign({"id": f"{issuer_id}-AAAAAAAAAAAAA", "issuer": issuer_id,
                 "issued_at": datetime.now(timezone.utc),
                 "expires_at": datetime.now(timezone.utc) + timedelta(days=30),
                 "product": 1, "producer": 1, "category": "counterfeit_tea",
                 "declared_unit": {"amount": 1, "unit": "kg"}, "value": 0.001,
                 "by_stage": {"production": 0.001}, "region": "CN-SC",
                 "data_version": "ab" * 8, "reproducibility_hash": "cd" * 16, "verifier": 1,
                 "reviewer": 1}, key)


def scan(browser, base, cose: bytes, locale="zh-CN", viewport=(390, 844), at=None):
    """(verdict, the verdict box's text, the page) of the static page for a label."""
    context = browser.new_context(locale=locale,
                                  viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    if at is not None:
        page.clock.install(time=at)
    page.goto(f"{base}/L/#{to_b32(cose)}")
    page.wait_for_selector("#scan:not([data-verdict='checking'])", timeout=20000)
    return page.get_attribute("#scan", "data-verdict"), page.inner_text("#verdict"), page


def test_the_static_page_verifies_and_refuses_with_only_a_file_server(
        service, approve, make_bom, static_host, browser, tmp_path):
    site, base, asked = static_host
    generate(service.home, "CN-SC", "四川省碳足迹平台 Sichuan platform", "CN-SC")
    issuer = Issuer(service.home, "CN-SC")
    db = service.db

    def label(bom):
        return for_submission(db, approve(bom, issuer)["id"])

    superseded = label(tea_bom(make_bom))
    grow(db, 40_000)
    current = label(tea_bom(make_bom, kwh=90))  # supersedes the first
    revoked = label(tea_bom(make_bom, name="Oolong"))
    revoke(db, service.people["reviewer"], revoked["id"], "falsified electricity data")
    grow(db, 30_000)
    last = label(tea_bom(make_bom, name="Jasmine"))
    assert issue_leaf(db, superseded) == 0 and 65_536 < issue_leaf(db, last)
    # another platform this one recognises, and one it does not
    neighbour = stranger_label(tmp_path / "neighbour", "CN-CQ")
    trust_add(service.home, export_trust_list(tmp_path / "neighbour"))
    stranger = stranger_label(tmp_path / "stranger", "CN-XX")

    report = publishing.publish(db, service.home, site)
    assert report.size > 70_000 and (site / "log/tile/2").is_dir()

    verdict, text, page = scan(browser, base, bytes(current["cose"]))
    assert verdict == "valid" and "✓ 有效" in text and "此碳标签真实有效。" in text
    checks = page.inner_text("#checks")
    assert "签名有效" in checks and f"第 {issue_leaf(db, current)} 号叶子" in checks
    assert current["id"] in page.inner_text("#scan")
    # O(log n) tiles: at most two a level for each side of the path, three levels
    tiles = [p for p in asked if p.startswith("/log/tile/")]
    assert 0 < len(set(tiles)) <= 8, tiles
    assert {p for p in asked if not p.startswith("/log/")} <= {
        "/L/", "/L/scan.js", "/L/cborg.js", "/L/style.css", "/favicon.ico",
        "/.well-known/footprint/trust-list.json"}  # files only: no application's path
    page.screenshot(path=str(tmp_path / "valid-phone.png"), full_page=True)

    verdict, text, _ = scan(browser, base, bytes(last["cose"]), locale="en-GB",
                            viewport=(1280, 900))
    assert verdict == "valid" and "This carbon label is genuine and currently valid." in text

    forged = bytearray(current["cose"])
    forged[-1] ^= 0x01  # the last byte of the Ed25519 signature
    verdict, text, page = scan(browser, base, bytes(forged))
    assert verdict == "forged" and "警告：此标签不是真实标签。" in text
    assert "签名与标签内容不符" in text and page.locator("#figures").count() == 0
    # cut short (base32 still, its CBOR not): a scan to do again, not a forgery
    for locale, gentle, alarm in (("zh-CN", "请重新扫描产品上的二维码", ("伪造", "举报", "警告")),
                                  ("en-GB", "Scan the QR code on the product again",
                                   ("Forged", "not genuine", "report"))):
        verdict, text, page = scan(browser, base, bytes(current["cose"])[:-6], locale=locale)
        assert verdict == "malformed" and gentle in text, text
        assert not [w for w in alarm if w in text] and "CBOR" not in text, text
        assert page.locator("#ask").is_visible()  # the box to paste it again

    verdict, text, _ = scan(browser, base, bytes(revoked["cose"]))
    assert verdict == "revoked" and "此标签已被平台撤销，请勿采信。" in text
    verdict, text, _ = scan(browser, base, bytes(revoked["cose"]), locale="en-GB")
    assert "This label has been revoked by the platform. Do not rely on it." in text

    verdict, text, _ = scan(browser, base, bytes(superseded["cose"]))
    assert verdict == "superseded" and "已被同一产品的新标签取代" in text

    verdict, text, _ = scan(browser, base, stranger)
    assert verdict == "unknown-issuer" and "未知签发方" in text

    verdict, text, _ = scan(browser, base, neighbour, locale="en-GB")
    assert verdict == "remote" and "platform CN-CQ" in text

    # the label's own expiry (a year after issue, docs/label-format.md) seen from later
    expires = datetime.fromisoformat(current["expires_at"])
    verdict, text, _ = scan(browser, base, bytes(current["cose"]),
                            at=expires + timedelta(days=1))
    assert verdict == "expired" and "已于" in text and "过期" in text


def test_a_label_the_log_does_not_hold_and_a_tampered_site(service, approve, make_bom,
                                                           static_host, browser):
    site, base, _asked = static_host
    generate(service.home, "CN-SC", "四川省碳足迹平台 Sichuan platform", "CN-SC")
    issuer = Issuer(service.home, "CN-SC")
    first = for_submission(service.db, approve(tea_bom(make_bom), issuer)["id"])
    approve(tea_bom(make_bom, name="Jasmine"), issuer)  # its leaf is the first one's sibling
    publishing.publish(service.db, service.home, site)
    # issued after the publication: signed with our key, not in the published log
    later = for_submission(service.db, approve(tea_bom(make_bom, name="Oolong"), issuer)["id"])
    verdict, text, _ = scan(browser, base, bytes(later["cose"]))
    assert verdict == "unrecorded" and "不在本平台的公开日志中" in text

    # the page without a code asks for one; a pasted label URL (as its QR code holds it) works
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{base}/L/")
    page.wait_for_selector("#scan[data-verdict='none']")
    page.fill("#code", f"HTTPS://FOOTPRINT.EXAMPLE.CN/L/{to_b32(bytes(first['cose']))}")
    page.click("#ask button[type=submit]")
    page.wait_for_selector("#scan[data-verdict='valid']", timeout=20000)
    page.click("#lang")  # to Chinese, and the verdict said again in it
    page.wait_for_selector("#scan[data-verdict='valid'] >> text=此碳标签真实有效。", timeout=20000)

    # a host that swaps the level-0 tile cannot make the page vouch for anything (the
    # sibling's hash read from it no longer leads to the signed root)
    tile = next(p for p in (site / "log/tile/0").rglob("*") if p.is_file())
    tile.write_bytes(bytes(32) * (tile.stat().st_size // 32))
    verdict, _text, _ = scan(browser, base, bytes(first["cose"]))
    assert verdict == "unrecorded"

    # nor can one that edits the checkpoint
    note = (site / "log/checkpoint").read_text(encoding="utf-8")
    (site / "log/checkpoint").write_text(re.sub(r"\n\d+\n", "\n7\n", note, count=1),
                                         encoding="utf-8")
    verdict, text, _ = scan(browser, base, bytes(first["cose"]))
    assert verdict == "unavailable" and "无法" in text


def test_the_static_page_shows_the_range_the_submission_page_shows(
        service, approve, make_bom, static_host, browser, tmp_path):
    """The submission of RANGED_BOM (tests/test_uncertainty.py): 35.1 kg CO2e, P5 29.1151 and
    P95 42.4485, 29.1-42.4 on the submission page; its label signs 29.1 and 42.4 (claim 20)
    and the static page reads them so. A label issued before claim 20, here a recognised
    platform's with claim 19 [829, 1210] of 35.1, reads as it signs: 35.1 x 0.829 = 29.0979
    -> 29.1 and 35.1 x 1.210 = 42.471 -> 42.5 (half away from zero, as the service)."""
    from .test_uncertainty import RANGED_BOM
    site, base, _asked = static_host
    generate(service.home, "CN-SC", "四川省碳足迹平台 Sichuan platform", "CN-SC")
    issuer = Issuer(service.home, "CN-SC")
    label = for_submission(service.db, approve(make_bom(**RANGED_BOM), issuer)["id"])
    publishing.publish(service.db, service.home, site)
    for locale, said in (("zh-CN", "不确定性范围（P5–P95）：29.1–42.4 kg CO₂e"),
                         ("en-GB", "Range P5–P95: 29.1–42.4 kg CO₂e")):
        verdict, _text, page = scan(browser, base, bytes(label["cose"]), locale=locale)
        assert verdict == "valid"
        assert page.inner_text("#value").startswith("35.1 ")
        assert page.inner_text("#range") == said
        page.screenshot(path=str(tmp_path / f"range-{locale}.png"), full_page=True)

    key = generate(tmp_path / "neighbour", "CN-CQ", "platform CN-CQ")
    trust_add(service.home, export_trust_list(tmp_path / "neighbour"))
    publishing.publish(service.db, service.home, site)

    def older(value, permille):
        return sign({"id": "CN-CQ-AAAAAAAAAAAAA", "issuer": "CN-CQ",
                     "issued_at": datetime.now(timezone.utc),
                     "expires_at": datetime.now(timezone.utc) + timedelta(days=30),
                     "product": 1, "producer": 1, "category": "generic",
                     "declared_unit": {"amount": 1, "unit": "kg"}, "value": value,
                     "by_stage": {"production": value}, "region": "CN-CQ",
                     "data_version": "ab" * 8, "reproducibility_hash": "cd" * 16,
                     "verifier": 1, "reviewer": 1, "range": permille}, key)
    verdict, _text, page = scan(browser, base, older(35.1, [829, 1210]), locale="en-GB")
    assert verdict == "remote" and page.inner_text("#range") == \
        "Range P5–P95: 29.1–42.5 kg CO₂e"
    # a value of four figures is grouped as the service's pages group it: 2061.8 is signed
    # as 2,060, and 2060 x 0.873 = 1798.38 -> 1,800, 2060 x 1.214 = 2500.84 -> 2,500
    _verdict, _text, page = scan(browser, base, older(2061.8, [873, 1214]), locale="en-GB")
    assert page.inner_text("#value").startswith("2,060 ")
    assert page.inner_text("#range") == "Range P5–P95: 1,800–2,500 kg CO₂e"
