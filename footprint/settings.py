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

from .errors import DataError
from .model import ELECTRICITY_BASES

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


def electricity_basis() -> str:
    """The platform's default electricity basis (FOOTPRINT_ELECTRICITY_BASIS, one of
    model.ELECTRICITY_BASES; location, the grid average, unless the operator chooses): what
    a BOM that names none is calculated on, and what a result compares a BOM's choice with."""
    basis = os.environ.get("FOOTPRINT_ELECTRICITY_BASIS") or "location"
    if basis not in ELECTRICITY_BASES:
        raise DataError(f"FOOTPRINT_ELECTRICITY_BASIS={basis!r} is not one of "
                        f"{', '.join(ELECTRICITY_BASES)}")
    return basis


def pact_callback_hosts() -> frozenset[str] | None:
    """The hosts the PACT host may post events back to (FOOTPRINT_PACT_CALLBACK_HOSTS,
    comma-separated, e.g. ``erp.buyer.example,pact.other.example``); None when unset: any
    https host a RequestCreatedEvent names as its source."""
    hosts = os.environ.get("FOOTPRINT_PACT_CALLBACK_HOSTS", "").strip()
    if not hosts:
        return None
    return frozenset(h.strip().lower() for h in hosts.split(",") if h.strip())
