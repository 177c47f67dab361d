"""Where the platform connects to when someone else names the host (footprint.outbound): a
producer's supplier PACT host, a PACT requester's events endpoint, a peer platform. Loopback,
private, shared, link-local, multicast, reserved and unspecified addresses are refused unless
the operator names the host (FOOTPRINT_ALLOW_PRIVATE_HOSTS); the connection goes to the
address that was checked; a producer is told one neutral sentence, whatever went wrong.

The servers here listen on 127.0.0.1 (a port that accepts and counts connections, a TLS
server with the demo's self-signed certificate, a plain HTTP one), so a test can see whether
the platform connected at all."""
from __future__ import annotations

import html
import logging
import socket
import ssl
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from footprint.errors import InvalidInput
from footprint.usecases import pactinputs

NEUTRAL_EN = ("could not fetch from that host: check its address (https://host[:port] of the "
              "supplier's PACT host) and try again later")
NEUTRAL_ZH = "无法从该主机获取：请检查地址（供应商 PACT 主机的 https://主机[:端口]），稍后再试"
# what the platform's network must not tell a producer (the raw reasons of the audit)
REVEALING = ("Errno", "refused", "Connection", "certificate", "CERTIFICATE", "WRONG_VERSION",
             "urlopen", "SSL", "timed out", "mismatch", "resolves to")


class Listener:
    """A TCP port on 127.0.0.1 that accepts connections, counts them and closes them."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        self.sock.close()


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.asked.append(self.path)
        body = b'{"hello": "world"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(tls_home=None):
    """An HTTP server on 127.0.0.1 (over TLS with the demo's certificate when ``tls_home``);
    (server, CA file or None)."""
    from footprint.usecases.demotls import demo_certificate

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    server.asked = []
    ca = None
    if tls_home is not None:
        cert = demo_certificate(tls_home, ["127.0.0.1"])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert.cert_path, cert.key_path)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        ca = cert.cert_path
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, ca


@pytest.fixture
def listener():
    port = Listener()
    yield port
    port.close()


@pytest.fixture
def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


@pytest.fixture
def no_private_hosts(monkeypatch):
    monkeypatch.delenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", raising=False)


# -- the rule --------------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10",            # loopback
    "10.1.2.3", "172.16.0.1", "192.168.1.1",  # private (RFC 1918)
    "100.64.0.1",                          # shared address space (RFC 6598, carrier NAT)
    "169.254.169.254",                     # link-local: a cloud's metadata service
    "0.0.0.0", "255.255.255.255", "240.0.0.1", "224.0.0.1",  # unspecified, broadcast,
    "::1", "::", "fe80::1", "fe80::1%1", "fc00::1", "ff02::1",  # reserved, multicast
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",  # IPv4-mapped
    "2002:7f00:1::1",                      # 6to4 carrying 127.0.0.1
    "64:ff9b::a00:1",                      # NAT64 of 10.0.0.1
])
def test_addresses_on_this_machine_or_a_private_network_are_not_public(address):
    from footprint.outbound import public
    assert not public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111",
                                     "::ffff:8.8.8.8", "2002:808:808::1"])
def test_public_addresses_are(address):
    from footprint.outbound import public
    assert public(address)


def test_a_host_written_as_a_private_address_or_this_machine_is_refused_before_lookup():
    from footprint.outbound import literal_refused
    for host in ("127.0.0.1", "LOCALHOST", "api.localhost", "[::1]", "::ffff:127.0.0.1",
                 "169.254.169.254", "10.0.0.5", "2130706433", "127.1", "0x7f.0.0.1"):
        assert literal_refused(host, frozenset()), host
    for host in ("buyer.example.cn", "8.8.8.8", "[2606:4700:4700::1111]"):
        assert not literal_refused(host, frozenset()), host  # names: judged when connected
    assert not literal_refused("127.0.0.1", frozenset({"127.0.0.1"}))
    assert not literal_refused("[::1]", frozenset({"::1"}))


def test_the_platform_does_not_connect_to_this_machine_unless_the_operator_names_it(
        listener, monkeypatch, no_private_hosts):
    from footprint import outbound

    for url in (f"https://127.0.0.1:{listener.port}/", f"https://localhost:{listener.port}/",
                f"https://[::ffff:127.0.0.1]:{listener.port}/"):
        with pytest.raises(urllib.error.URLError) as refused:
            outbound.urlopen(url, timeout=5)
        assert isinstance(refused.value.reason, outbound.Refused), url
    assert listener.accepted == 0  # not one connection
    monkeypatch.setenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", "pact.intranet.example, 127.0.0.1")
    with pytest.raises(urllib.error.URLError) as failed:
        outbound.urlopen(f"https://127.0.0.1:{listener.port}/", timeout=5)
    assert not isinstance(failed.value.reason, outbound.Refused)  # connected, then closed
    assert listener.accepted == 1
    # a caller's own list (PACT answers: FOOTPRINT_PACT_CALLBACK_HOSTS) names hosts too
    monkeypatch.delenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS")
    with pytest.raises(urllib.error.URLError):
        outbound.urlopen(f"https://localhost:{listener.port}/", timeout=5, also=["LOCALHOST"])
    assert listener.accepted == 2


def test_the_connection_goes_to_the_address_that_was_checked(listener, monkeypatch,
                                                            no_private_hosts):
    """DNS rebinding: a name that answers a public address to the check and 127.0.0.1 a
    moment later. The platform looks it up once and connects to what it checked."""
    from footprint import outbound

    lookups, connected = [], []

    def rebinding(host, port, *args, **kwargs):
        lookups.append(host)
        address = "8.8.8.8" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    class Recording(socket.socket):
        def connect(self, address):
            connected.append(address)
            if address[0] != "127.0.0.1":  # the public address: no network in a test
                raise ConnectionRefusedError(111, "refused (as a test's public host)")
            return super().connect(address)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "socket", Recording)
    with pytest.raises(urllib.error.URLError):
        outbound.urlopen(f"https://supplier.example:{listener.port}/", timeout=5)
    assert lookups == ["supplier.example"]  # once
    assert connected == [("8.8.8.8", listener.port)] and listener.accepted == 0
    # a name with a private address among its public ones is refused whole
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))])
    with pytest.raises(urllib.error.URLError) as refused:
        outbound.urlopen("https://supplier.example/", timeout=5)
    assert isinstance(refused.value.reason, outbound.Refused)
    assert refused.value.reason.address == "10.0.0.7"
    assert len(connected) == 1


def test_redirects_and_other_schemes_are_not_followed(tmp_path, monkeypatch):
    from footprint import outbound

    monkeypatch.setenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", "127.0.0.1")
    server, ca = serve(tmp_path / "tls")
    context = ssl.create_default_context(cafile=str(ca))
    try:
        base = f"https://127.0.0.1:{server.server_port}"
        with outbound.urlopen(f"{base}/hello", timeout=5, context=context) as answer:
            assert answer.read() == b'{"hello": "world"}'
        for url in ("file:///etc/passwd", f"http://127.0.0.1:{server.server_port}/",
                    "ftp://127.0.0.1/x"):
            with pytest.raises(urllib.error.URLError) as refused:
                outbound.urlopen(url, timeout=5)
            assert "unknown url type" in str(refused.value.reason), url
        assert server.asked == ["/hello"]
    finally:
        server.shutdown()
        server.server_close()


# -- a producer fetching a supplier's footprint ----------------------------------------------

def fetch_problems(service, host: str) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as refused:
        pactinputs.fetch_footprint(service.db, service.people["orchard"], host,
                                   "3f1b7c9e-2a4d-4e8f-9b6a-1c2d3e4f5a6b", "client", "secret")
    return [(p.where, str(p.message)) for p in refused.value.problems]


def test_a_producer_cannot_make_the_platform_probe_its_own_network(
        service, listener, no_private_hosts, caplog):
    """The audit's probes: loopback ports, the metadata service, localhost. None is
    connected to, each gets the same neutral sentence, and the reason is logged."""
    caplog.set_level(logging.WARNING, logger="footprint.pact")
    hosts = [f"https://127.0.0.1:{listener.port}", "https://169.254.169.254",
             f"https://localhost:{listener.port}", f"https://[::1]:{listener.port}",
             "https://10.0.0.5:8443"]
    said = [fetch_problems(service, host) for host in hosts]
    assert said == [[("host", NEUTRAL_EN)]] * len(hosts)
    assert listener.accepted == 0
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == len(hosts)
    assert "169.254.169.254" in logged[1] and "does not connect to" in logged[1]
    assert pactinputs.footprints(service.db, service.people["orchard"]) == []


def test_what_went_wrong_with_a_host_is_not_told_to_the_producer(
        service, listener, closed_port, tmp_path, monkeypatch, caplog):
    """Where the operator lets the platform reach this machine, a producer still learns
    nothing of its ports: a closed port, a port that is not TLS and a TLS server with a
    certificate nobody trusts answer alike; the log tells them apart."""
    monkeypatch.setenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", "127.0.0.1")
    caplog.set_level(logging.WARNING, logger="footprint.pact")
    plain, _ = serve()
    untrusted, _ = serve(tmp_path / "tls")
    try:
        hosts = [f"https://127.0.0.1:{closed_port}", f"https://127.0.0.1:{listener.port}",
                 f"https://127.0.0.1:{plain.server_port}",
                 f"https://127.0.0.1:{untrusted.server_port}"]
        said = [fetch_problems(service, host) for host in hosts]
    finally:
        for server in (plain, untrusted):
            server.shutdown()
            server.server_close()
    assert said == [[("host", NEUTRAL_EN)]] * 4
    logged = " | ".join(r.getMessage() for r in caplog.records)
    assert "Connection refused" in logged and "CERTIFICATE_VERIFY_FAILED" in logged
    assert "WRONG_VERSION_NUMBER" in logged or "wrong version number" in logged


def test_the_suppliers_page_says_it_neutrally_in_both_languages(service, clients, listener,
                                                               no_private_hosts):
    client = clients["orchard"]
    form = {"id": "3f1b7c9e-2a4d-4e8f-9b6a-1c2d3e4f5a6b", "client_id": "c", "secret": "s"}
    for lang, neutral in (("zh", NEUTRAL_ZH), ("en", NEUTRAL_EN)):
        client.set_cookie("lang", lang)
        for host in (f"https://127.0.0.1:{listener.port}", "https://169.254.169.254",
                     f"https://localhost:{listener.port}"):
            page = client.post("/producer/suppliers/fetch", data={**form, "host": host})
            assert page.status_code == 400
            text = html.unescape(page.get_data(as_text=True))
            assert neutral in text, (lang, host)
            assert not [word for word in REVEALING if word in text], (lang, host)
    assert listener.accepted == 0
