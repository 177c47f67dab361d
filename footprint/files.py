"""Files the service keeps under FOOTPRINT_HOME, written whole or not at all and, where two
processes may write at once, one at a time; and a file a command writes when its work is
done, checked before the work starts.

    write_atomically(path, b"...")                # bytes
    write_atomically(path, lambda f: np.savez(f, ...))   # or a writer of the open file
    with exclusive(home / "build.lock"): ...      # across processes (fcntl)
    check_writable(path, "report")                # InvalidInput at "report" if it cannot be
    check_new_file(path, "FILE")                  # ... or if something is there already
    check_file(path, "FILE")                      # InvalidInput unless a file is there to read
"""
from __future__ import annotations

import errno
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import InvalidInput, Message, Problem


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


def can_write_in(folder: Path) -> bool:
    """Whether a new file can be made in ``folder``: tried, since permission bits do not say
    it for every user or file system."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def check_writable(path, where: str) -> Path:
    """``path`` as a file a command may write when its work is done; InvalidInput at
    ``where`` unless its folder exists and takes a new file, so that the work is not done
    only to find nowhere to put it."""
    path = Path(path)
    if not can_write_in(path.parent):
        raise _refused(where, Message("%(path)s is not a directory one may write in",
                                      path=str(path.parent)))
    return path


# what the operating system says of a path, in the reader's language
OS_REASONS = {
    errno.ENAMETOOLONG: Message("the name is too long (at most 255 bytes a name)"),
    errno.EACCES: Message("no permission"), errno.EPERM: Message("no permission"),
    errno.ENOENT: Message("no such file or folder"),
    errno.ENOTDIR: Message("a part of the path is not a folder"),
    errno.EISDIR: Message("it is a folder"),
    errno.EROFS: Message("the file system is read-only"),
    errno.ENOSPC: Message("the disk is full"), errno.EDQUOT: Message("the disk is full"),
    errno.EIO: Message("a disk read or write failed"),
}
# an operating system's error that is the machine's, not the path's (exit 1, not 2)
MACHINE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO}
SHOWN_PATH = 80  # characters of a path a message shows: a name too long is cut


def os_problem(exc: OSError) -> tuple[str, Message | str]:
    """(the path, what is wrong with it) of an operating system's error on a path."""
    path = os.fsdecode(exc.filename)
    if len(path) > SHOWN_PATH:
        path = f"{path[:SHOWN_PATH // 2]}…{path[-SHOWN_PATH // 4:]}"
    return path, OS_REASONS.get(exc.errno) or exc.strerror or str(exc)


def _refused(where: str, message: Message) -> InvalidInput:
    return InvalidInput([Problem(where, message)])


def check_new_file(path, where: str) -> Path:
    """``path`` as a new file a command makes when its work is done: InvalidInput at
    ``where`` when a folder or a file is there already (none is ever overwritten) or its
    folder takes no new file, said before any work is done."""
    path = Path(path)
    if path.is_dir():
        raise _refused(where, Message("%(path)s is a directory: name a new file",
                                      path=str(path)))
    if path.exists() or path.is_symlink():
        raise _refused(where, Message("%(path)s exists; a file is never overwritten: choose "
                                      "a new name", path=str(path)))
    return check_writable(path, where)


def check_file(path, where: str) -> Path:
    """``path`` as a file a command reads: InvalidInput at ``where`` when nothing is there
    or a folder is."""
    path = Path(path)
    if path.is_dir():
        raise _refused(where, Message("%(path)s is a directory: name a file", path=str(path)))
    if not path.is_file():
        raise _refused(where, Message("no such file: %(path)s", path=str(path)))
    return path
