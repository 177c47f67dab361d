"""``footprint verify`` asks the label's platform whether the label was revoked: a live HTTPS
server (werkzeug, in a thread, on 127.0.0.1 with the demo's kind of self-signed
certificate) serves the platform; a revoked label exits 1 naming the reason, a host that
cannot be asked exits 3 saying so; and verify reads the platform's PNG, SVG and PDF labels.
"""
from __future__ import annotations

import json
import socket
import ssl
import threading

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from footprint.labels import export_trust_list, printed, qr
from footprint.labels.encoding import label_url
from footprint.usecases import labels as label_records
from footprint.usecases.demotls import demo_certificate
from footprint.usecases.revoking import revoke
from tests.conftest import free_port

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

REASON = "现场核查发现用电数据不实 falsified electricity data"
BODY = "Sichuan Carbon Verification"


@pytest.fixture
def run():
    from cli.main import cli
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args])
    return invoke


def clean(result, code):
    assert result.exit_code == code, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.fixture
def cert(tmp_path):
    return demo_certificate(tmp_path / "tls-home", ["127.0.0.1"])


@pytest.fixture
def platform(service, issuer, approve, make_bom, cert, tmp_path):
    """The service over HTTPS on a free loopback port, one label it issued, and its trust
    list in a file."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert_path, cert.key_path)
    server = make_server("127.0.0.1", 0, service.app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host = f"127.0.0.1:{server.server_port}"
        service.app.config["FOOTPRINT_PUBLIC_HOST"] = host
        approved = approve(make_bom(), issuer)
        label = label_records.for_submission(service.db, approved["id"])
        trust = tmp_path / "trust.json"
        trust.write_text(json.dumps(export_trust_list(service.home)), encoding="utf-8")
        yield {"host": host, "label": label, "trust": trust,
               "url": label_url(host, bytes(label["cose"]))}
    finally:
        server.shutdown()
        thread.join(timeout=10)


# -- revocation, asked online ----------------------------------------------------------------

def test_a_current_label_is_checked_online_and_named(run, platform, cert):
    result = run("verify", platform["url"], "--trust-list", platform["trust"],
                 "--ca-file", cert.cert_path)
    clean(result, 0)
    label = platform["label"]
    assert f"VALID label {label['id']}" in result.stdout
    assert f"checked with the platform at {platform['host']}: not revoked" in result.stdout
    # the names the platform publishes beside the signed identifiers
    assert "product               test product (No. " in result.stdout
    assert "producer              Pujiang Orchard Co-op (No. " in result.stdout
    assert f"verifier              {BODY} (No. " in result.stdout
    assert "reviewer              reviewer (No. " in result.stdout
    as_json = run("verify", platform["url"], "--trust-list", platform["trust"],
                  "--ca-file", cert.cert_path, "--json")
    clean(as_json, 0)
    out = json.loads(as_json.stdout)
    assert out["revocation_check"]["checked"] is True
    assert out["revocation_check"]["status"] == "valid"
    assert out["names"]["producer_name"] == "Pujiang Orchard Co-op"


def test_a_revoked_label_exits_1_with_the_reason(run, platform, cert, service):
    revoke(service.db, service.people["reviewer"], platform["label"]["id"], REASON)
    result = run("verify", platform["url"], "--trust-list", platform["trust"],
                 "--ca-file", cert.cert_path)
    clean(result, 1)
    assert f"NOT VALID label {platform['label']['id']}" in result.stdout
    assert "invalid label: revoked: revoked " in result.stderr
    assert REASON in result.stderr
    # offline, the same label is only "not checked": the words say so, and exit 3
    offline = run("verify", platform["url"], "--trust-list", platform["trust"], "--offline")
    clean(offline, 3)
    assert "revocation NOT CHECKED" in offline.stdout


def test_a_host_that_cannot_be_reached_exits_3_in_words(run, platform):
    closed = label_url(f"127.0.0.1:{free_port()}", bytes(platform["label"]["cose"]))
    result = run("verify", closed, "--trust-list", platform["trust"])
    clean(result, 3)
    assert f"VALID label {platform['label']['id']}" in result.stdout
    assert "revocation NOT CHECKED" in result.stdout and "may have been revoked" in result.stdout
    assert "refused the connection" in result.stderr
    assert "撤销" not in result.stdout  # English only: the Chinese when it is chosen
    chinese = run("verify", closed, "--trust-list", platform["trust"], "--lang", "zh")
    clean(chinese, 3)
    [said] = [line for line in chinese.stdout.splitlines() if "撤销状态未核验：" in line]
    assert said.endswith("该标签签发后可能已被撤销：请在线查验，或传入 --revocations FILE"
                         "（平台的已撤销标签列表）。")
    assert "拒绝" in said, said  # the network's reason, in Chinese too


def test_an_untrusted_certificate_is_not_an_answer(run, platform):
    result = run("verify", platform["url"], "--trust-list", platform["trust"])  # no --ca-file
    clean(result, 3)
    assert f"the TLS certificate of {platform['host']} is not trusted" in result.stderr


def test_a_host_that_does_not_answer_in_time(run, platform):
    with socket.socket() as silent:  # accepts connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = label_url(f"127.0.0.1:{silent.getsockname()[1]}", bytes(platform["label"]["cose"]))
        result = run("verify", url, "--trust-list", platform["trust"], "--timeout", "0.5")
    clean(result, 3)
    assert "did not answer within 0.5 s" in result.stderr


def test_a_revocation_list_is_checked_without_asking(run, platform, tmp_path):
    listed = tmp_path / "revoked.json"
    listed.write_text(json.dumps({"revoked": []}))
    result = run("verify", platform["url"], "--trust-list", platform["trust"],
                 "--revocations", listed)  # no --ca-file: asking would fail, so it did not
    clean(result, 0)
    assert f"checked with the list {listed}: not revoked" in result.stdout


# -- the platform's label files --------------------------------------------------------------

@pytest.mark.parametrize("kind", ["label.png", "label.svg", "label.pdf", "qr.png", "qr.svg"])
def test_verify_reads_the_platforms_label_files(run, platform, service, tmp_path, kind):
    client = service.app.test_client()
    response = client.get(f"/api/v1/labels/{platform['label']['id']}/{kind}")
    assert response.status_code == 200
    path = tmp_path / kind
    path.write_bytes(response.data)
    result = run("verify", path, "--trust-list", platform["trust"], "--offline")
    clean(result, 3)
    assert f"VALID label {platform['label']['id']}" in result.stdout


def test_a_pdf_label_with_the_cjk_font_missing(run, platform, monkeypatch, tmp_path):
    from footprint.labels import fonts
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    claims = {**label_records.shown(platform["label"])}
    path = tmp_path / "latin.pdf"
    path.write_bytes(printed.label_pdf(claims, platform["url"]))
    clean(run("verify", path, "--trust-list", platform["trust"], "--offline"), 3)


def test_svg_files_from_elsewhere_are_not_read(run, platform, tmp_path):
    other = tmp_path / "other.svg"
    other.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                     '<rect width="5" height="5"/></svg>')
    result = run("verify", other, "--trust-list", platform["trust"])
    clean(result, 2)
    assert "convert other SVG files to PNG" in result.stderr
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    result = run("verify", broken, "--trust-list", platform["trust"])
    clean(result, 2)
    assert f"{broken}: not a readable PDF: the file is damaged" in result.stderr
    assert f"{broken}：无法读取的 PDF：文件已损坏" in result.stderr
    # a QR code of something else in our own SVG form: read, and not a label
    elsewhere = tmp_path / "elsewhere.svg"
    elsewhere.write_text(qr.qr_svg("HTTPS://EXAMPLE.COM/NOT-A-LABEL"))
    clean(run("verify", elsewhere, "--trust-list", platform["trust"]), 1)


def test_files_that_are_no_label_are_said_without_a_library_s_english(run, platform, tmp_path):
    """What Pillow, PDFium and the XML parser say of a file is English: the command says what
    is wrong in the reader's language instead (the XML's place as numbers)."""
    text = tmp_path / "notes.png"
    text.write_text("a shopping list")
    cut = tmp_path / "cut.png"
    cut.write_bytes(qr.qr_png("HTTPS://EXAMPLE.COM/L/ABC")[:200])  # cut off in transit
    broken_svg = tmp_path / "broken.svg"
    broken_svg.write_text("<svg><path d='M0 0h1'></svg>")  # </svg> closes no <path>
    for path, english, chinese in (
            (text, "not an image, a PDF or an SVG file", "不是图片、PDF 或 SVG 文件"),
            (cut, "the image is damaged and cannot be read to its end", "图片已损坏，无法完整读取"),
            # the parser points at the name in </svg> (22 characters before its "<", "/"),
            # counted from 0 as (1, 24): column 25 as a reader counts
            (broken_svg, "not a readable SVG file: its XML has an error at line 1, column 25",
             "无法读取的 SVG 文件：其 XML 在第 1 行第 25 列处出错")):
        result = run("verify", path, "--trust-list", platform["trust"])
        clean(result, 2)
        assert f"{path}: {english}" in result.stderr
        assert f"{path}：{chinese}" in result.stderr
        assert "cannot identify" not in result.stderr and "Truncated" not in result.stderr
