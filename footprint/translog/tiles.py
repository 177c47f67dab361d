"""The log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles): files any static host can serve.

A tile at level L, number N, holds the hashes of the perfect subtrees of 256**L leaves numbered
N*256 .. N*256+W-1, 32 bytes each, concatenated: W = 256 for a full tile, 1..255 for the
partial tile at the right edge (path suffix ``.p/W``). Level 0 holds the leaf hashes. An entry
bundle holds the entries of leaves N*256 .. N*256+W-1, each prefixed by its length as a
big-endian 16-bit integer. Tiles never change once written (a partial tile of width W stays
what it is; a wider one is another path), so they are cached forever.

Paths: ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``, where N is written in
groups of three digits, all but the last prefixed with ``x`` (1234067 -> ``x001/x234/067``).
"""
from __future__ import annotations

import re
import struct

from footprint.errors import FootprintError

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT


class TilePathError(FootprintError):
    """A path that is not a tile or entry bundle path."""


def index_path(n: int) -> str:
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def tile_path(level: int | str, n: int, width: int = TILE_WIDTH) -> str:
    """``tile/<level>/<N>[.p/<W>]``; level ``"entries"`` for an entry bundle."""
    partial = f".p/{width}" if width != TILE_WIDTH else ""
    return f"tile/{level}/{index_path(n)}{partial}"


_PATH = re.compile(r"tile/(entries|\d{1,2})/((?:x\d{3}/)*)(\d{3})(?:\.p/(\d{1,3}))?")


def parse_tile_path(path: str) -> tuple[int | None, int, int]:
    """(level, N, width) of a tile path, level None for an entry bundle; TilePathError
    for anything else, including the non-canonical spellings of a path."""
    match = _PATH.fullmatch(path)
    if not match:
        raise TilePathError(f"not a tile path: {path!r}")
    kind, prefix, last, width = match.groups()
    digits = [g[1:] for g in prefix.split("/") if g] + [last]
    n = int("".join(digits))
    width = int(width) if width else TILE_WIDTH
    if not 1 <= width <= TILE_WIDTH or (width == TILE_WIDTH and match[4]) or \
            tile_path(kind, n, width) != path:
        raise TilePathError(f"not a canonical tile path: {path!r}")
    return (None if kind == "entries" else int(kind)), n, width


def entry_bundle(entries) -> bytes:
    """Entries, each prefixed by its big-endian 16-bit length."""
    out = bytearray()
    for entry in entries:
        if len(entry) > 0xFFFF:
            raise ValueError("an entry longer than 65,535 bytes cannot be bundled")
        out += struct.pack(">H", len(entry)) + bytes(entry)
    return bytes(out)
