"""Where the platform connects to when someone else names the host: the one rule for outbound
addresses.

A producer names its supplier's PACT host (usecases.pactinputs), a PACT client names where
the answer to its request goes (usecases.pactevents), an administrator names a peer platform
(usecases.peerfetch): each time the platform opens a connection from inside its own network
to a host it did not choose. So the host is resolved once and refused if any of its
addresses is loopback, private, shared (100.64/10), link-local, multicast, reserved or
unspecified, in IPv4 or IPv6 (an IPv4-mapped IPv6 address is judged by the IPv4 address it
carries, a 6to4 or Teredo one by those it embeds as well), unless the operator names the host:

- FOOTPRINT_ALLOW_PRIVATE_HOSTS (comma-separated host names or addresses as they appear in
  URLs, e.g. ``127.0.0.1`` for peers and suppliers run on one machine in tests, or
  ``pact.intranet.example`` for a supplier on the platform's own network): any connection;
- a caller's own list besides (PACT answers: FOOTPRINT_PACT_CALLBACK_HOSTS, and loopback when
  FOOTPRINT_PACT_LOOPBACK_HTTP_CALLBACKS=1).

The connection then goes to an address that was checked, not to the name resolved again,
so a name that answers a public address to the check and a private one a moment later (DNS
rebinding) is never followed there; the certificate is still verified for the name. Every
redirect is refused (it would name another host, or leave HTTPS), proxies in the environment
are not used (a proxy resolves the name itself, past this check), and only http(s) URLs open.

``footprint verify`` asking a label's platform (labels.online) is not held to this rule: it
runs on its user's own machine, which can reach whatever that user can.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.request
from collections.abc import Iterable
from functools import partial

from .settings import PRIVATE_HOSTS_VARIABLE, private_hosts_allowed


class Refused(OSError):
    """The host resolves to an address the platform does not connect to (``address``)."""

    def __init__(self, host: str, address: str):
        self.host, self.address = host, address
        super().__init__(f"{host} resolves to {address}, an address on a private network or "
                         f"this machine, which the platform does not connect to unless "
                         f"{PRIVATE_HOSTS_VARIABLE} names the host")


def allowed_hosts(also: Iterable[str] = ()) -> frozenset[str]:
    """The hosts the platform may reach on any address: those the operator names
    (settings.private_hosts_allowed) and ``also`` (a caller's own list), lower-case, IPv6
    without brackets."""
    return frozenset(_host_name(h) for h in [*private_hosts_allowed(), *also] if h.strip())


def _host_name(host: str) -> str:
    return host.strip().lower().removeprefix("[").removesuffix("]")


def _one_public(address) -> bool:
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified)


def public(address: str) -> bool:
    """Whether the platform may connect to ``address`` (an IP address, IPv6 with or without
    a zone) without the operator naming its host."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return _one_public(ip.ipv4_mapped)  # ::ffff:a.b.c.d connects to a.b.c.d
    carried = [ip.sixtofour, *(ip.teredo or ())] if ip.version == 6 else []
    return _one_public(ip) and all(_one_public(c) for c in carried if c is not None)


def literal_refused(host: str, allowed: frozenset[str]) -> bool:
    """Whether ``host`` is refused as it is written, before any name is looked up: an IP
    address that is not public (in the older IPv4 forms the resolver reads too: 2130706433,
    127.1, 0x7f.0.0.1), or a name of this machine (localhost, *.localhost, RFC 6761), unless
    ``allowed`` names it. Other names are judged when connected to."""
    name = _host_name(host)
    if name in allowed:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return not public(name)
    except ValueError:  # not an address as ipaddress writes one
        pass
    try:
        return not public(socket.inet_ntoa(socket.inet_aton(name)))
    except OSError:  # a name
        return False


def checked_addresses(host: str, port: int, allowed: frozenset[str]) -> list[tuple]:
    """``host`` resolved once: getaddrinfo's (family, type, proto, sockaddr) for each of its
    addresses; Refused if any of them is not public and ``allowed`` does not name the host
    (socket.gaierror when it has none)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if _host_name(host) not in allowed:
        for *_rest, sockaddr in found:
            if not public(sockaddr[0]):
                raise Refused(host, sockaddr[0])
    return [(family, kind, proto, sockaddr) for family, kind, proto, _name, sockaddr in found]


def _connect_checked(address: tuple[str, int], timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
                     source_address=None, *, allowed: frozenset[str]) -> socket.socket:
    """socket.create_connection to one of the addresses checked for ``address``'s host, in
    the order the resolver gave them."""
    host, port = address
    failure: OSError | None = None
    for family, kind, proto, sockaddr in checked_addresses(host, port, allowed):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            failure = exc
            sock.close()
    raise failure or OSError(f"{host} has no address")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, allowed: frozenset[str], **kwargs):
        super().__init__(*args, **kwargs)
        # http.client connects through this attribute (its own seam for it): the checked
        # addresses instead of the name resolved again
        self._create_connection = partial(_connect_checked, allowed=allowed)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, allowed: frozenset[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = partial(_connect_checked, allowed=allowed)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext, allowed: frozenset[str]):
        super().__init__(context=context)
        self.allowed = allowed

    def https_open(self, req):
        return self.do_open(partial(_CheckedHTTPSConnection, allowed=self.allowed), req,
                            context=self._context)


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allowed: frozenset[str]):
        super().__init__()
        self.allowed = allowed

    def http_open(self, req):
        return self.do_open(partial(_CheckedHTTPConnection, allowed=self.allowed), req)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead off HTTPS or to another host: it is refused, not followed (the
    3xx answers as an HTTPError)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def opener(context: ssl.SSLContext | None = None, also: Iterable[str] = (), *,
           plain_http: bool = False) -> urllib.request.OpenerDirector:
    """An opener that connects only as this module says: HTTPS with ``context`` (the system's
    authorities by default), plain http too when ``plain_http``; hosts ``allowed_hosts(also)``
    names may be on any address."""
    allowed = allowed_hosts(also)
    built = urllib.request.OpenerDirector()
    handlers = [urllib.request.ProxyHandler({}), urllib.request.UnknownHandler(),
                urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor(),
                NoRedirect(), _CheckedHTTPSHandler(context or ssl.create_default_context(),
                                                   allowed)]
    if plain_http:
        handlers.append(_CheckedHTTPHandler(allowed))
    for handler in handlers:
        built.add_handler(handler)
    return built


def urlopen(request, timeout: float, context: ssl.SSLContext | None = None, *,
            also: Iterable[str] = (), plain_http: bool = False):
    """``urllib.request.urlopen(request, timeout=..., context=...)`` by this module's rule."""
    return opener(context, also, plain_http=plain_http).open(request, timeout=timeout)
