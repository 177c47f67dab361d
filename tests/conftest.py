"""Shared fixtures. One FOOTPRINT_HOME (and so one Brightway build) per test session.

Only the built-in entry-point plugins load, so a plugin installed on the machine cannot change
what the tests compute; tests that exercise plugin loading build their own managers.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

BUILTIN_PLUGINS = "electricity_cn,electricity_intl,oranges,batteries,steel_vanadium"
SAMPLES = Path(__file__).resolve().parent.parent / "lca_data" / "samples"


@pytest.fixture(scope="session", autouse=True)
def footprint_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("footprint-home")
    saved = {k: os.environ.get(k) for k in ("FOOTPRINT_HOME", "FOOTPRINT_LOAD_PLUGINS",
                                            "FOOTPRINT_BLOCK_PLUGINS")}
    os.environ["FOOTPRINT_HOME"] = str(home)
    os.environ["FOOTPRINT_LOAD_PLUGINS"] = BUILTIN_PLUGINS
    os.environ.pop("FOOTPRINT_BLOCK_PLUGINS", None)
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def engine(footprint_home):
    from footprint.engine import Engine
    return Engine(home=footprint_home)


@pytest.fixture(scope="session")
def registry(engine):
    return engine.registry


@pytest.fixture
def make_bom():
    """A valid BOM dict built from keyword overrides; ``lines`` replaces the default lines."""
    def make(lines=None, **overrides):
        bom = {"product": {"name": "test product", "category": "generic"},
               "declared_unit": {"amount": 1, "unit": "kg"},
               "region": "CN-SC", "factor_year": 2022,
               "lines": lines if lines is not None else [
                   {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"}]}
        bom.update(overrides)
        return bom
    return make


@pytest.fixture
def write_bom(tmp_path):
    """Write a BOM (dict or raw text) to a file and return its path."""
    def write(bom, name="bom.json"):
        path = tmp_path / name
        path.write_text(bom if isinstance(bom, str) else json.dumps(bom, ensure_ascii=False),
                        encoding="utf-8")
        return path
    return write
