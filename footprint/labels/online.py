"""A label's status as its issuing platform states it: revoked, superseded or current.

    status = ask_issuer(url_text, cose_bytes, label_id)   # Online(...) or NotChecked(...)

The signature proves what a label says; only the platform knows whether it was revoked since.
The label's URL names the platform's host, and ``GET https://<host>/api/v1/labels/<id>``
(docs/api.md) answers the label's status and the names published beside its signed
identifiers. The question goes over HTTPS only, with the certificate verified (against the
system's authorities, or ``ca_file``), no redirect followed and a short timeout; an answer
counts only if it describes exactly these label bytes. Anything else is NotChecked with the
reason in words, never a guess: the caller says that revocation was not checked.

The host in a label URL is not signed: a copied label pointing at another host gets that
host's word, which is why the answer names the host it came from.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from .encoding import extract, normal_host
from .errors import LabelInvalid

STATUSES = ("valid", "superseded", "revoked", "expired")
TIMEOUT = 5.0  # seconds: a verifier at a shop counter waits no longer for an answer
MAX_ANSWER = 1 << 20


@dataclass(frozen=True)
class Online:
    """What the label's host answered about it."""

    host: str
    status: str                      # one of STATUSES
    names: dict = field(default_factory=dict)
    revoked_at: str | None = None
    revocation_reason: str | None = None
    superseded_by: str | None = None
    checked = True


@dataclass(frozen=True)
class NotChecked:
    """Why the status could not be asked, in words."""

    reason: str
    host: str | None = None
    checked = False


def host_of(text: str) -> str | None:
    """The host (and port) of a label URL, uppercased; None for bare base32 text."""
    text = (text or "").strip()
    if "://" not in text:
        return None
    try:
        return normal_host(urlsplit(text).netloc)
    except ValueError:
        return None


def ask_issuer(host: str, cose: bytes, label_id: str, *, timeout: float = TIMEOUT,
               ca_file=None) -> Online | NotChecked:
    """The status the label's host gives for these label bytes."""
    # here, not at the top: ssl, socket and urllib.request are a good part of an offline
    # `footprint verify`'s start, which never asks (footprint.labels.https)
    from .https import https_opener, network_words, socket, ssl, urllib

    url = f"https://{host.lower()}/api/v1/labels/{quote(label_id, safe='')}"
    try:
        opener = https_opener(ca_file)
    except (OSError, ssl.SSLError) as exc:
        return NotChecked(f"cannot read the certificate file {ca_file}: {exc}", host)
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "footprint-verify"})
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return NotChecked(f"{host} does not know label {label_id} (404)", host)
        return NotChecked(f"{host} answered HTTP {exc.code} {exc.reason}", host)
    except urllib.error.URLError as exc:
        return NotChecked(network_words(host, exc.reason, timeout), host)
    except (TimeoutError, socket.timeout):
        return NotChecked(f"{host} did not answer within {timeout:g} s", host)
    except (OSError, ValueError) as exc:  # a connection reset, a malformed answer ...
        return NotChecked(f"{host} could not be asked: {exc}", host)
    return _read_answer(host, body, cose, label_id)


def _read_answer(host: str, body: bytes, cose: bytes, label_id: str) -> Online | NotChecked:
    if len(body) > MAX_ANSWER:
        return NotChecked(f"{host} answered more than {MAX_ANSWER} bytes", host)
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return NotChecked(f"{host} did not answer JSON", host)
    if not isinstance(answer, dict) or answer.get("id") != label_id or \
            answer.get("status") not in STATUSES:
        return NotChecked(f"{host} answered something other than the status of {label_id}",
                          host)
    try:  # the host's record must be these very bytes, not another label under its id
        same = extract(answer.get("url") or "") == bytes(cose)
    except LabelInvalid:
        same = False
    if not same:
        return NotChecked(f"{host} holds other bytes under the id {label_id}", host)
    names = answer.get("names") if isinstance(answer.get("names"), dict) else {}
    return Online(host, answer["status"],
                  {k: v for k, v in names.items() if isinstance(v, str) and v},
                  _text(answer.get("revoked_at")), _text(answer.get("revocation_reason")),
                  _text(answer.get("superseded_by")))


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None
