"""Asking a peer platform for its published documents: HTTPS only, the certificate verified
(the system's authorities, or the CA file given when the peer was added), no redirect
followed, a short timeout and a size limit. Whatever goes wrong is a PeerRefused with the
reason as a Message (read in Chinese or English), never a half answer.

A peer is connected to by footprint.outbound's rule, as a supplier's PACT host is: only on a
public address unless the operator names its host (FOOTPRINT_ALLOW_PRIVATE_HOSTS). An
administrator adds a peer, but the peer's name is looked up again at every sync, run by the
server on its own network every few minutes: a name that comes to resolve to the platform's
own network must not make it ask its neighbours. Platforms that peer over a private network
(a government intranet) name each other there. The reasons stay in words here: only
administrators read them.
"""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .. import outbound
from ..errors import FootprintError, InvalidInput, Message, Problem
from ..labels.https import network_words

TIMEOUT = 10.0  # seconds
MAX_ANSWER = 4 << 20


class PeerRefused(FootprintError):
    """A peer's answer that is not accepted: ``problems`` are Messages; ``evidence`` what
    proves it, for an inconsistent log (both checkpoints and the failed proof)."""

    def __init__(self, problems: list, state: str = "refused", evidence: dict | None = None):
        self.problems = list(problems)
        self.state = state
        self.evidence = evidence
        super().__init__("; ".join(str(p) for p in self.problems))


def normal_url(url: str) -> str:
    """``https://host[:port]``, lower-case, without a path: how a peer is named."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname \
            or parts.path not in ("", "/") or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise InvalidInput([Problem("url", Message(
            "a peer's address is https://host[:port] without a path, not %(url)s", url=text))])
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"https://{host}{f':{port}' if port else ''}"


class Fetcher:
    """GETs from one peer."""

    def __init__(self, url: str, ca_file=None, timeout: float = TIMEOUT):
        self.url = normal_url(url)
        self.host = urlsplit(self.url).netloc
        self.timeout = timeout
        try:
            context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise PeerRefused([Message("cannot read the certificate file %(file)s: %(why)s",
                                       file=str(ca_file), why=str(exc))]) from None
        self.opener = outbound.opener(context)

    def get(self, path: str, *, missing_ok: bool = False) -> bytes | None:
        """The body at ``path``; None for a 404 when ``missing_ok``."""
        request = urllib.request.Request(self.url + path, headers={
            "User-Agent": "footprint-peers", "Accept": "application/json, text/plain"})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and missing_ok:
                return None
            raise PeerRefused([Message("the peer answered HTTP %(status)s for %(path)s",
                                       status=exc.code, path=path)]) from None
        except urllib.error.URLError as exc:
            raise PeerRefused([Message("the peer could not be asked: %(why)s",
                                       why=network_words(self.host, exc.reason,
                                                         self.timeout))]) from None
        except OSError as exc:  # TimeoutError, a Refused address ... outside urllib's wrapping
            raise PeerRefused([Message("the peer could not be asked: %(why)s",
                                       why=network_words(self.host, exc,
                                                         self.timeout))]) from None
        except ValueError as exc:
            raise PeerRefused([Message("the peer could not be asked: %(why)s",
                                       why=str(exc) or type(exc).__name__)]) from None
        if len(body) > MAX_ANSWER:
            raise PeerRefused([Message("the peer answered more than %(n)s bytes for %(path)s",
                                       n=MAX_ANSWER, path=path)])
        return body

    def json(self, path: str, document: Message, *, missing_ok: bool = False):
        body = self.get(path, missing_ok=missing_ok)
        if body is None:
            return None
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise PeerRefused([malformed(document, Message("not JSON"))]) from None

    def text(self, path: str, document: Message, *, missing_ok: bool = False) -> str | None:
        body = self.get(path, missing_ok=missing_ok)
        if body is None:
            return None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise PeerRefused([malformed(document, Message("not UTF-8"))]) from None


def malformed(document: Message, why: str) -> Message:
    """``why`` a Message, said in the reader's language, or a text as it is."""
    return Message("the peer's %(document)s is malformed: %(why)s", document=document,
                   why=why)
