"""Public answers that a browser, a proxy or this worker may keep: ETags, 304 Not Modified,
and rendered pages kept per worker by what they depend on.

A page is kept under its key (what the request asked: the label's bytes, the language, the
lot) with its *basis* (what the answer depends on that can change: a label's state, the trust
list, the year). It is served again only while a fresh look at the basis finds it unchanged,
and for a day at most (KEPT_SECONDS): the log's size and root it shows are those it was
checked against when made, which stay true (the log only grows, as its checkpoints prove) but
should not grow old. Pages are kept gzip-compressed, most recently used first, within MAX_BYTES
per worker; a client that does not take gzip gets them inflated.
"""
from __future__ import annotations

import gzip
import hashlib
import random
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass

from flask import Response, request

MAX_BYTES = 96 * 1024 * 1024  # per worker: 10,000 labels' scan pages in two languages
KEPT_SECONDS = 86400          # at most; each page a random part less, so they age apart
VARY = "Accept-Encoding, Accept-Language, Cookie"  # the language comes from these


def etag_of(*parts) -> str:
    """A strong ETag for an answer made from ``parts`` (their reprs)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def conditional(body: str | bytes, mimetype: str) -> Response:
    """``body`` with an ETag of it, or 304 when the client holds it."""
    etag = etag_of(body)
    if etag in _asked_etags():
        response = Response(status=304)
    else:
        response = Response(body, mimetype=mimetype)
    response.headers["ETag"] = etag
    return response


def _asked_etags() -> set[str]:
    asked = request.headers.get("If-None-Match", "")
    return {tag.strip() for tag in asked.split(",") if tag.strip()}


@dataclass
class Page:
    basis: tuple
    etag: str
    gzipped: bytes
    mimetype: str
    until: float  # time.monotonic() after which it is rendered again


class PageCache:
    """Rendered pages of one worker, by key, least recently used dropped first."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[tuple, Page] = OrderedDict()

    def get(self, key: tuple) -> Page | None:
        page = self._pages.get(key)
        if page is None:
            return None
        if time.monotonic() >= page.until:
            self._drop(key)
            return None
        self._pages.move_to_end(key)
        return page

    def put(self, key: tuple, basis: tuple, body: str, mimetype: str) -> Page:
        gzipped = gzip.compress(body.encode(), compresslevel=6, mtime=0)
        page = Page(basis, etag_of(key, basis, hashlib.sha256(gzipped).digest()), gzipped,
                    mimetype, time.monotonic() + KEPT_SECONDS * random.uniform(0.5, 1.0))
        if key in self._pages:
            self._drop(key)
        self._pages[key] = page
        self.size += len(gzipped)
        while self.size > self.max_bytes and self._pages:
            self._drop(next(iter(self._pages)))
        return page

    def forget(self, key: tuple) -> None:
        if key in self._pages:
            self._drop(key)

    def _drop(self, key: tuple) -> None:
        self.size -= len(self._pages.pop(key).gzipped)

    def __len__(self) -> int:
        return len(self._pages)


def respond(page: Page, cache_control: str) -> Response:
    """The kept page: 304 when the client holds it, gzip when it takes gzip."""
    if page.etag in _asked_etags():
        response = Response(status=304)
    elif request.accept_encodings["gzip"]:
        response = Response(page.gzipped, mimetype=page.mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(zlib.decompress(page.gzipped, 16 + zlib.MAX_WBITS),
                            mimetype=page.mimetype)
    response.headers["ETag"] = page.etag
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = VARY
    return response
