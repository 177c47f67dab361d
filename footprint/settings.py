"""Where the service keeps its state: ``FOOTPRINT_HOME`` or the user's data directory.

An engine bound to another home (a web app's configured home, a test's) enters it with
``using_home`` while it gathers the plugins' data, so a plugin reading the platform's own
datasets (its imported factor libraries) reads them from that home.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from platformdirs import user_data_dir

_home: ContextVar[Path | None] = ContextVar("footprint_home", default=None)


def footprint_home() -> Path:
    home = _home.get() or Path(os.environ.get("FOOTPRINT_HOME")
                               or user_data_dir("footprint", appauthor=False))
    home.mkdir(parents=True, exist_ok=True)
    return home


@contextmanager
def using_home(home: Path) -> Iterator[None]:
    """Within the block, ``footprint_home()`` is ``home``."""
    token = _home.set(Path(home))
    try:
        yield
    finally:
        _home.reset(token)
