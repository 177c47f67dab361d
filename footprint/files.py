"""Files the service keeps under FOOTPRINT_HOME, written whole or not at all and, where two
processes may write at once, one at a time.

    write_atomically(path, b"...")                # bytes
    write_atomically(path, lambda f: np.savez(f, ...))   # or a writer of the open file
    with exclusive(home / "build.lock"): ...      # across processes (fcntl)
"""
from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: Path, content: bytes | Callable[[BinaryIO], object]) -> Path:
    """Write through a temporary file in the same folder, synced, then renamed into place:
    a reader never sees half a file, and a crash leaves the old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        if callable(content):
            content(tmp)
        else:
            tmp.write(content)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, path)
    return path


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Within the block, no other process holds ``lock_path`` (created if missing)."""
    lock_path = Path(lock_path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
