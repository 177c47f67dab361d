"""A demo a phone can scan: `footprint demo --lan` serves HTTPS on the machine's network
address with a self-signed certificate made on first run, and the labels' QR codes name that
address. Requests go to 127.0.0.1 only."""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import ssl
import stat
import subprocess
import sys
import time
from contextlib import closing
import urllib.request

import click
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from footprint.usecases.demotls import demo_certificate

from .conftest import free_port, stop_server
from .test_labels import decode_png

LAN = "192.0.2.7"  # a documentation address (RFC 5737): nothing is ever sent to it


def load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_certificate_is_for_the_lan_address_and_tls_servers_only(tmp_path):
    now = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
    made = demo_certificate(tmp_path, [LAN], now=now)
    assert made.created and made.cert_path == tmp_path / "tls" / "demo-cert.pem"
    cert = load(made.cert_path)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == [LAN, "127.0.0.1"]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature
    assert not (usage.value.key_cert_sign or usage.value.crl_sign or
                usage.value.key_encipherment)
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
        [ExtendedKeyUsageOID.SERVER_AUTH]
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert cert.issuer == cert.subject  # self-signed
    # valid a year from now; from 5 minutes before, for a phone whose clock runs late
    assert cert.not_valid_before_utc == now - dt.timedelta(minutes=5)
    assert cert.not_valid_after_utc == dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    assert stat.S_IMODE(made.key_path.stat().st_mode) == 0o600
    assert len(made.fingerprint.split(":")) == 32


def test_the_certificate_is_kept_until_the_address_or_the_year_changes(tmp_path):
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    first = demo_certificate(tmp_path, [LAN], now=now)
    again = demo_certificate(tmp_path, [LAN], now=now + dt.timedelta(days=300))
    assert not again.created and again.fingerprint == first.fingerprint
    moved = demo_certificate(tmp_path, ["192.0.2.8"], now=now + dt.timedelta(days=300))
    assert moved.created and moved.fingerprint != first.fingerprint
    # 359 days after it was made, 6 days are left: less than a week, so a new one
    late = demo_certificate(tmp_path, ["192.0.2.8"],
                            now=now + dt.timedelta(days=300 + 359))
    assert late.created


@pytest.fixture
def demo_home(tmp_path, monkeypatch):
    home = tmp_path / "demo-home"
    home.mkdir()
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    for name in ("FOOTPRINT_INSECURE_COOKIES", "FOOTPRINT_PUBLIC_HOST"):
        monkeypatch.setenv(name, "unset by the test")  # restored to unset afterwards
        monkeypatch.delenv(name)
    return home


def test_demo_lan_serves_https_with_the_labels_on_the_lan_address(demo_home, monkeypatch):
    from cli.commands import demo as demo_command
    from cli.main import cli

    calls = []

    @click.command()
    @click.option("--host")
    @click.option("--port", type=int)
    @click.option("--certfile")
    @click.option("--keyfile")
    def fake_serve(host, port, certfile, keyfile):
        calls.append((host, port, certfile, keyfile, os.environ.get("FOOTPRINT_PUBLIC_HOST"),
                      os.environ.get("FOOTPRINT_INSECURE_COOKIES")))

    monkeypatch.setattr(demo_command, "serve", fake_serve)
    monkeypatch.setattr(demo_command, "lan_address", lambda: LAN)
    result = CliRunner().invoke(cli, ["demo", "--lan", "--port", "8123"])
    assert result.exit_code == 0, result.output
    tls = demo_home / "tls"
    # every interface (the phone comes over the LAN), the LAN address in the labels' URLs,
    # and the session cookies left Secure
    assert calls == [("0.0.0.0", 8123, str(tls / "demo-cert.pem"), str(tls / "demo-key.pem"),
                      f"{LAN}:8123", None)]
    out = result.output
    assert f"https://{LAN}:8123/login" in out
    assert "Join the phone to the same Wi-Fi" in out and "手机连接" not in out
    assert "self-signed certificate" in out
    assert f"SHA-256 {demo_certificate(demo_home, [LAN]).fingerprint}" in out


def test_demo_lan_without_a_network_says_so(demo_home, monkeypatch):
    from cli.commands import demo as demo_command
    from cli.main import cli

    monkeypatch.setattr(demo_command, "lan_address", lambda: None)
    monkeypatch.setattr(demo_command, "serve", None)  # never reached
    result = CliRunner().invoke(cli, ["demo", "--lan"])
    assert result.exit_code == 1
    assert "no network address" in result.output and "本机未连接局域网" in result.output


# -- a real server --------------------------------------------------------------------------

def test_the_served_demo_answers_over_https(tmp_path):
    """`footprint demo --tls` under gunicorn: the login page over HTTPS with the generated
    certificate, a Secure session cookie, and label QR codes naming the served address,
    which `footprint verify` then asks about the label."""
    home, port = tmp_path / "home", free_port()
    env = {**os.environ, "FOOTPRINT_HOME": str(home)}
    env.pop("FOOTPRINT_PUBLIC_HOST", None)
    server = subprocess.Popen([sys.executable, "-c", "from cli.main import cli; cli()", "demo",
                               "--tls", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        cert = home / "tls" / "demo-cert.pem"
        context = None
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "the demo did not answer within 120 s"
            if cert.exists():
                context = context or ssl.create_default_context(cafile=str(cert))
                try:
                    page = urllib.request.urlopen(f"https://127.0.0.1:{port}/login",
                                                  context=context, timeout=5)
                    break
                except OSError:
                    pass
            time.sleep(0.5)
        assert page.status == 200
        assert "Secure" in page.headers["Set-Cookie"]
        with closing(sqlite3.connect(home / "footprint.db")) as db:  # a current demo label
            (label_id,) = db.execute("SELECT id FROM labels WHERE revoked_at IS NULL AND "
                                     "superseded_by IS NULL ORDER BY id LIMIT 1").fetchone()
        png = urllib.request.urlopen(
            f"https://127.0.0.1:{port}/api/v1/labels/{label_id}/qr.png", context=context,
            timeout=10).read()
        (text,) = decode_png(png)
        assert text.startswith(f"HTTPS://127.0.0.1:{port}/L/")
        checked = subprocess.run(
            [sys.executable, "-c", "from cli.main import cli; cli()", "verify", text,
             "--ca-file", str(cert)], env=env, capture_output=True, text=True, timeout=120)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert f"checked with the platform at 127.0.0.1:{port}: not revoked" in checked.stdout
    finally:
        stop_server(server)
