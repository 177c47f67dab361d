"""Public answers that a browser, a proxy or this host may keep: ETags, 304 Not Modified,
and rendered pages kept by what they depend on.

A page is kept under its key (what the request asked: the label's bytes, the language, the
lot) with its *basis* (what the answer depends on that can change: a label's state, the trust
list, the year). It is served again only while a fresh look at the basis finds it unchanged,
and for a day at most (KEPT_SECONDS): the log's size and root it shows are those it was
checked against when made, which stay true (the log only grows, as its checkpoints prove) but
should not grow old.

Pages are kept gzip-compressed in FOOTPRINT_HOME/cache/pages.db, shared by the host's workers
(one renders a page, all serve it, with one ETag) and kept across restarts. It is derived
data: deleting it costs a render per page, nothing else, so it is written without syncing
and a write that would wait for another worker is skipped. A client that does not take gzip
gets the page inflated.

Every key also holds the program that made the page (``program()``: the files of the
service's code, templates and translations as they are on disk): after an upgrade, pages
are made again by the new program rather than served as the old one drew them.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import random
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask import Response, request

KEPT_SECONDS = 86400  # at most; each page a random part less, so they age apart
MAX_PAGES = 200_000   # beyond this, the pages that would age out first are dropped
VARY = "Accept-Encoding, Accept-Language, Cookie"  # the language comes from these
WAIT_SECONDS = 0.05   # for another worker's write, before a page is served unkept

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    key BLOB PRIMARY KEY,   -- sha256 of what the request asked
    subject TEXT NOT NULL,  -- what the page is of (a label's id)
    basis BLOB NOT NULL,    -- sha256 of what the page depended on when made
    etag TEXT NOT NULL,
    mimetype TEXT NOT NULL,
    gzipped BLOB NOT NULL,
    until REAL NOT NULL     -- epoch seconds after which it is made again
);
CREATE INDEX IF NOT EXISTS pages_until ON pages (until);
"""


PROGRAM_FOLDERS = ("web", "footprint", "plugins")  # beside this file's folder


def _program() -> bytes:
    """A digest of the program's files as this process found them: each file's path, size
    and modification time under PROGRAM_FOLDERS (a stat each, no reading)."""
    root = Path(__file__).resolve().parents[1]
    seen = []
    for folder in PROGRAM_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".po", ".css", ".js", ".json", ".csv"):
                stat = path.stat()
                seen.append((path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns))
    return _digest(seen)


_PROGRAM: list[bytes] = []


def program() -> bytes:
    """The program's digest, worked out once a process."""
    if not _PROGRAM:
        _PROGRAM.append(_program())
    return _PROGRAM[0]


def etag_of(*parts) -> str:
    """A strong ETag for an answer made from ``parts`` (their reprs)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def _digest(value) -> bytes:
    return hashlib.sha256(repr(value).encode()).digest()


def conditional(body: str | bytes, mimetype: str) -> Response:
    """``body`` with an ETag of it, or 304 when the client holds it."""
    return _response(*text_answer(body, request.headers.get("If-None-Match")), mimetype)


def text_answer(body: str | bytes, if_none_match: str | None) -> tuple:
    """What ``conditional`` answers, as (status, body, its own headers), for a client that
    sent ``if_none_match`` (web.front answers so before Flask)."""
    etag = etag_of(body)
    return (304, b"", [("ETag", etag)]) if etag in asked_etags(if_none_match) else \
        (200, body, [("ETag", etag)])


def _response(status: int, body, headers: list, mimetype: str) -> Response:
    response = Response(status=304) if status == 304 else Response(body, mimetype=mimetype)
    for name, value in headers:
        response.headers[name] = value
    return response


def asked_etags(if_none_match: str | None) -> set[str]:
    """The ETags an If-None-Match header names (the client holds those answers)."""
    return {tag.strip() for tag in (if_none_match or "").split(",") if tag.strip()}


@dataclass
class Page:
    etag: str
    gzipped: bytes
    mimetype: str


@dataclass
class Kept:
    subject: str
    basis: bytes  # the digest of what it was made on
    page: Page

    def made_on(self, basis: tuple | None) -> bool:
        return basis is not None and _digest(basis) == self.basis


class PageCache:
    """The host's kept pages in ``path`` (one connection per thread and process)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._threads = threading.local()
        self._puts = 0

    def _db(self) -> sqlite3.Connection:
        held = getattr(self._threads, "db", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=WAIT_SECONDS, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")  # derived: a lost page is rendered again
        db.executescript(SCHEMA)
        self._threads.db = (os.getpid(), db)
        return db

    def get(self, key: tuple) -> Kept | None:
        """The page kept under ``key``, unless it is too old; the caller asks
        ``kept.made_on(basis)`` with the basis of ``kept.subject`` now before serving it."""
        row = self._db().execute(
            "SELECT subject, basis, etag, mimetype, gzipped, until FROM pages WHERE key = ?",
            [_digest((program(), key))]).fetchone()
        if row is None or row[5] <= time.time():
            return None
        return Kept(row[0], row[1], Page(row[2], row[4], row[3]))

    def put(self, key: tuple, subject: str, basis: tuple, body: str, mimetype: str) -> Page:
        gzipped = gzip.compress(body.encode(), compresslevel=6, mtime=0)
        page = Page(etag_of(program(), key, basis, hashlib.sha256(gzipped).digest()), gzipped,
                    mimetype)
        until = time.time() + KEPT_SECONDS * random.uniform(0.5, 1.0)
        try:
            db = self._db()
            db.execute("INSERT OR REPLACE INTO pages (key, subject, basis, etag, mimetype, "
                       "gzipped, until) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [_digest((program(), key)), subject, _digest(basis), page.etag,
                        mimetype, gzipped, until])
            self._puts += 1
            if self._puts % 1000 == 0:
                self._prune(db)
        except sqlite3.OperationalError:
            pass  # another worker is writing: this page is served, and kept next time
        return page

    def _prune(self, db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM pages WHERE until <= ?", [time.time()])
        db.execute("DELETE FROM pages WHERE key IN (SELECT key FROM pages ORDER BY until "
                   "DESC LIMIT -1 OFFSET ?)", [MAX_PAGES])

    def __len__(self) -> int:
        return self._db().execute("SELECT count(*) FROM pages").fetchone()[0]


def respond(page: Page, cache_control: str) -> Response:
    """The kept page: 304 when the client holds it, gzip when it takes gzip."""
    response = _response(*kept_answer(page, request.headers.get("If-None-Match"),
                                      bool(request.accept_encodings["gzip"])), page.mimetype)
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = VARY
    return response


def kept_answer(page: Page, if_none_match: str | None, takes_gzip: bool) -> tuple:
    """What ``respond`` answers, as (status, body, its own headers): 304 when the client holds
    the page, its gzip bytes when the client takes gzip, else the page inflated (web.front
    answers so before Flask)."""
    own = [("ETag", page.etag)]
    if page.etag in asked_etags(if_none_match):
        return 304, b"", own
    if takes_gzip:
        return 200, page.gzipped, [*own, ("Content-Encoding", "gzip")]
    return 200, zlib.decompress(page.gzipped, 16 + zlib.MAX_WBITS), own
