"""``footprint publish DIR``: everything a static host needs to let anyone verify this
platform's labels in a browser, with no application server (docs/static-verification.md).

    DIR/L/index.html, scan.js, style.css, cborg.js   the scan page (footprint/usecases/scanpage)
    DIR/.well-known/footprint/trust-list.json       the trust list, as the service serves it
    DIR/log/tile/<L>/<N>[.p/<W>]                     C2SP tlog-tiles of the log's hashes
    DIR/log/label-index/<abc>.json                   leaf hash -> leaf index, sharded
    DIR/log/status-list                              the signed two-bit status of each leaf
    DIR/log/checkpoint                               the signed checkpoint they all describe
    DIR/publish.json                                 what was published, for the next run

A second run is incremental: full tiles never change, so those already in DIR are not
written again; only the index shards that gain a label are rewritten; the status list, the
trust list, the page and the checkpoint are small and written each time. Files are written
to a temporary name and renamed, and the checkpoint last, so a host serving DIR while it is
published never offers a checkpoint whose tiles are missing.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .. import clock
from ..errors import InvalidInput, Message, Problem
from ..files import can_write_in
from ..labels import to_b32
from ..labels.documents import sign_document
from ..labels.errors import KeyStoreError
from ..labels.keys import current_key, export_trust_list, own_issuers
from ..settings import LOOPBACK_HOSTS
from ..store import log as stored
from ..store.db import snapshot
from ..translog import labelindex, statuslist, tiles
from ..translog.log import TransparencyLog, b64
from . import transparency

PAGE_ASSETS = Path(__file__).resolve().parent / "scanpage"
PAGE_FILES = ("index.html", "scan.js", "style.css", "cborg.js", "cborg-LICENSE.txt")
PAGE_DIR = "L"
TRUST_LIST = ".well-known/footprint/trust-list.json"
CHECKPOINT = "log/checkpoint"
STATUS_LIST = "log/status-list"
STATE = "publish.json"


@dataclass
class Published:
    """What a run wrote: the log's size now and at the last run, and how many files."""

    size: int
    previous_size: int
    tiles_written: int = 0
    tiles_kept: int = 0
    shards_written: int = 0
    labels_added: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def checked_base_url(url: str) -> str:
    """Where DIR will be served, without its final "/"; InvalidInput at --base-url unless
    it is an absolute https URL, or http on this machine (127.0.0.1, localhost, ::1): the
    scan page checks signatures with the browser's WebCrypto, which a browser offers a page
    over https or from this machine only."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        parts.port  # a port that is not a number raises here
    except ValueError:
        parts = None
    host = (parts.hostname or "").lower() if parts else ""
    scheme = parts.scheme.lower() if parts else ""
    if not host or parts.query or parts.fragment or parts.username or parts.password or \
            not (scheme == "https" or (scheme == "http" and host in LOOPBACK_HOSTS)):
        raise _problem("--base-url", Message(
            '"%(url)s" is not where a browser can verify labels: give the absolute https URL '
            "DIR will be served at (e.g. https://verify.example.cn), or http only on this "
            "machine (127.0.0.1, localhost)", url=text))
    return text.rstrip("/")


def label_link(base_url: str, cose: bytes) -> str:
    """The static page's URL of a label: the label's base32 after '#', so the host serves
    the one page for every label (no rewrite rule) and never sees which label was scanned."""
    return f"{base_url.rstrip('/')}/{PAGE_DIR}/#{to_b32(cose)}"


def _problem(where: str, message: Message):
    return InvalidInput([Problem(where, message)])


def _checked_folder(directory) -> Path:
    """DIR, made if its parent exists; InvalidInput unless a file can be written in it."""
    folder = Path(directory)
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        pass  # a file in its place, no parent, no permission: can_write_in says no
    if not can_write_in(folder):
        raise _problem("DIR", Message("%(path)s is not a directory one may write in",
                                      path=str(folder)))
    return folder


def _signing_key(home: Path):
    """The key that signs the checkpoint, and so the status list: InvalidInput without one
    (publishing unsigned files would give every verifier nothing to check)."""
    issuers = own_issuers(home)
    try:
        return current_key(home, issuers[0] if issuers else None)
    except KeyStoreError:
        raise _problem("FOOTPRINT_HOME", Message(
            "no issuer key in %(home)s: run `footprint keys generate` first, or set "
            "FOOTPRINT_HOME to the platform's folder", home=str(home))) from None


def _write(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _previous_size(folder: Path, size: int) -> int:
    try:
        previous = json.loads((folder / STATE).read_text(encoding="utf-8"))["size"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return 0  # nothing published here yet (or unreadable): publish everything
    if not isinstance(previous, int) or previous < 0:
        return 0
    if previous > size:
        raise _problem("DIR", Message(
            "%(path)s holds a log of %(published)s leaves, more than this platform's "
            "%(size)s: publish into an empty directory", path=str(folder),
            published=previous, size=size))
    return previous


def _write_tiles(db, folder: Path, size: int, report: Published) -> None:
    """Every tile of the tree of ``size`` leaves: full tiles not yet in DIR, and the partial
    tile at each level's right edge."""
    log = TransparencyLog(db)
    level, count = 0, size  # count: the perfect subtrees of 256**level leaves
    while count:
        full, partial = divmod(count, tiles.TILE_WIDTH)
        for n in range(full):
            name = f"log/{tiles.tile_path(level, n)}"
            if (folder / name).exists():
                report.tiles_kept += 1
                continue
            _write(folder, name, log.tile(level, n))
            report.tiles_written += 1
        name = f"log/{tiles.tile_path(level, full, partial)}"
        if partial and (folder / name).exists():
            report.tiles_kept += 1
        elif partial:  # a partial tile is immutable too: a wider one is another file
            _write(folder, name, log.tile(level, full, partial))
            report.tiles_written += 1
        level, count = level + 1, count // tiles.TILE_WIDTH


def _write_index(db, folder: Path, previous: int, size: int, report: Published) -> None:
    """The issue leaves appended since the last run, merged into their shards."""
    issued = ((index, leaf) for index, kind, leaf in stored.kinds_from(db, previous, size)
              if kind == "issue")
    for shard, added in labelindex.group(issued).items():
        name = f"log/{labelindex.shard_path(shard)}"
        path = folder / name
        _write(folder, name, labelindex.merged(path.read_bytes() if path.exists() else None,
                                               added))
        report.shards_written += 1
        report.labels_added += len(added)


def _status_document(db, key, size: int, root: bytes) -> bytes:
    changes = [(kind, issued) for kind, _label, issued in stored.state_changes(db, size)]
    # the issuers whose labels this log holds: a page takes a label of another issuer of
    # the trust list as another platform's
    body = {"tree_size": size, "root": b64(root), "issuers": [key.entry.id],
            "bits": statuslist.BITS, "encoding": "gzip+base64",
            "status": statuslist.encode(size, changes)}
    return sign_document(statuslist.KIND, body, key)


def _copy_page(folder: Path) -> None:
    for name in PAGE_FILES:
        _write(folder, f"{PAGE_DIR}/{name}", (PAGE_ASSETS / name).read_bytes())


def publish(db, home: Path, directory) -> Published:
    """Write (or bring up to date) a static verification site in ``directory``."""
    folder = _checked_folder(directory)
    key = _signing_key(home)
    with snapshot(db):  # one state of the log for every file
        current = transparency.checkpoint(db, home)
        size = current.size
        previous = _previous_size(folder, size)
        report = Published(size, previous)
        _copy_page(folder)
        _write(folder, TRUST_LIST, (json.dumps(export_trust_list(home), ensure_ascii=False,
                                               indent=2) + "\n").encode("utf-8"))
        _write_tiles(db, folder, size, report)
        _write_index(db, folder, previous, size, report)
        _write(folder, STATUS_LIST, _status_document(db, key, size, current.root))
    _write(folder, CHECKPOINT, current.note.encode("utf-8"))  # last: all it names is there
    _write(folder, STATE, (json.dumps({"size": size, "published_at": clock.stamp()},
                                      indent=2) + "\n").encode("utf-8"))
    return report
