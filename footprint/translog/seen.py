"""The monitor's record of the checkpoints it has seen, kept in files outside the database it
checks: ``FOOTPRINT_HOME/log/checkpoints-seen``, and any witness the operator keeps elsewhere
(a file on another disk, a directory on another machine's mount).

Someone who can rewrite the database can also rewrite a table in it, so a record of what
was seen kept there proves nothing: deleting the last leaves together with the rows that
remember them would pass. A file beside the database raises the bar to someone who can write
both; a witness on storage the database's host cannot write raises it further.

One checkpoint a line, as JSON, after a comment line that says what the file is::

    {"size": 8, "root": "<base64>", "seen_at": "2026-03-01T08:00:00+00:00",
     "checkpoint": "<the checkpoint note, signed when the platform has a key>"}

A record only grows. It is rewritten whole, under a lock, through a temporary file beside it
that is flushed to disk and renamed over it, so a crash leaves the old record or the new one,
never half a line.
"""
from __future__ import annotations

import base64
import binascii
import fcntl
import json
import os
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..errors import FootprintError, InvalidInput, Message, Problem
from .merkle import HASH_SIZE

RECORD_NAME = "checkpoints-seen"
HEADER = ("# checkpoints of the transparency log seen by `footprint log verify`, one JSON "
          "object a line (size, root, seen_at, checkpoint); it only grows: keep it, never "
          "edit it\n")


class SeenRecordError(FootprintError):
    """A record of checkpoints seen that cannot be read or written: which file, and why."""


@dataclass(frozen=True)
class Seen:
    """One checkpoint seen: its tree size and root, when, and the checkpoint note itself."""

    size: int
    root: bytes
    seen_at: str
    note: str

    def line(self) -> str:
        return json.dumps({"size": self.size, "root": base64.b64encode(self.root).decode(),
                           "seen_at": self.seen_at, "checkpoint": self.note},
                          ensure_ascii=False) + "\n"


def _parse(line: str, where: Message) -> Seen:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise SeenRecordError(Message("%(where)s: not a JSON object (%(reason)s)", where=where,
                                      reason=exc.msg)) from None
    if not isinstance(item, dict) or set(item) != {"size", "root", "seen_at", "checkpoint"}:
        raise SeenRecordError(Message("%(where)s: a checkpoint seen is an object of exactly "
                                      "size, root, seen_at and checkpoint", where=where))
    size = item["size"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise SeenRecordError(Message("%(where)s: size %(size)s is not a tree size",
                                      where=where, size=repr(size)))
    try:
        root = base64.b64decode(item["root"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        root = b""
    if len(root) != HASH_SIZE:
        raise SeenRecordError(Message("%(where)s: root %(root)s is not the base64 of a "
                                      "%(bytes)s-byte hash", where=where,
                                      root=repr(item["root"]), bytes=HASH_SIZE))
    if not isinstance(item["seen_at"], str) or not isinstance(item["checkpoint"], str):
        raise SeenRecordError(Message("%(where)s: seen_at and checkpoint are text",
                                      where=where))
    return Seen(size, root, item["seen_at"], item["checkpoint"])


class SeenRecord:
    """One file of checkpoints seen. ``create_folder``: the home's ``log/`` folder is made on
    the first write; a witness's folder must already exist (a missing mount is an error, not
    a fresh start)."""

    def __init__(self, path: Path, create_folder: bool = False):
        self.path = Path(path)
        self.create_folder = create_folder

    def __str__(self) -> str:
        return str(self.path)

    @classmethod
    def in_home(cls, home: Path) -> "SeenRecord":
        """``FOOTPRINT_HOME/log/checkpoints-seen``."""
        return cls(Path(home) / "log" / RECORD_NAME, create_folder=True)

    @classmethod
    def witness(cls, path, option: str = "--witness") -> "SeenRecord":
        """A record the operator keeps elsewhere: a file, or a directory that holds one named
        ``checkpoints-seen``. Its directory must exist."""
        path = Path(path).expanduser()
        if path.is_dir():
            path = path / RECORD_NAME
        if not path.parent.is_dir():
            raise InvalidInput([Problem(option, Message(
                "%(folder)s is not a directory: give a file in an existing directory, or a "
                "directory (is the disk mounted?)", folder=str(path.parent)))])
        if path.exists() and not path.is_file():
            raise InvalidInput([Problem(option, Message("%(path)s is not a file",
                                                        path=str(path)))])
        return cls(path)

    # -- reading -----------------------------------------------------------------------------

    def _text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as exc:
            raise SeenRecordError(Message("cannot read the record of checkpoints seen "
                                          "%(path)s: %(error)s", path=str(self.path),
                                          error=str(exc))) from None

    def read(self) -> list[Seen]:
        """Every checkpoint recorded, in file order; nothing if the file does not exist yet.
        A line that is not a checkpoint seen raises SeenRecordError naming the file and line."""
        return self._parse(self._text())

    def _parse(self, text: str) -> list[Seen]:
        seen = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                seen.append(_parse(line, Message("%(file)s line %(number)s",
                                                 file=str(self.path), number=number)))
        if text and not text.endswith("\n"):
            raise SeenRecordError(Message("%(path)s ends in the middle of a line: it was cut "
                                          "short", path=str(self.path)))
        return seen

    # -- writing -----------------------------------------------------------------------------

    @contextmanager
    def _locked(self):
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another monitor run waits for this one
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add(self, checkpoints: Iterable[Seen]) -> list[Seen]:
        """Append the checkpoints the record does not hold yet (same size and root); every
        byte it has stays as it was. Returns those added."""
        try:
            if self.create_folder:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._locked():
                text = self._text()  # again, under the lock: another run may have added some
                known = {(s.size, s.root) for s in self._parse(text)}
                added = []
                for seen in checkpoints:
                    if (seen.size, seen.root) not in known:
                        known.add((seen.size, seen.root))
                        added.append(seen)
                if added:
                    self._replace((text or HEADER) + "".join(s.line() for s in added))
                return added
        except OSError as exc:
            raise SeenRecordError(Message("cannot write the record of checkpoints seen "
                                          "%(path)s: %(error)s", path=str(self.path),
                                          error=str(exc))) from None

    def _replace(self, text: str) -> None:
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(temporary, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        finally:
            temporary.unlink(missing_ok=True)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power cut
        finally:
            os.close(folder)


def now_seen(size: int, root: bytes, note: str) -> Seen:
    """The checkpoint a monitor run saw, stamped now."""
    return Seen(size, bytes(root), clock.stamp(), note)
