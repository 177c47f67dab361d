"""gunicorn's worker start (web/serving.py): the engine is built before the first request and
then kept out of the garbage collector's view with the rest of the app."""
from __future__ import annotations

import gc
import logging
from types import SimpleNamespace

import pytest

from footprint.engine import Engine
from web.serving import post_worker_init


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()  # the test process goes on collecting as before


def test_a_starting_worker_builds_the_engine_then_freezes_what_it_holds(service, footprint_home,
                                                                         unfrozen):
    # a new engine on the session's home: its background is on disk, its registry not built
    engine = Engine(home=footprint_home)
    service.app.extensions["footprint_engine"] = engine
    assert "registry" not in vars(engine) and "inventory" not in vars(engine)
    post_worker_init(SimpleNamespace(wsgi=service.app))
    assert "registry" in vars(engine) and "inventory" in vars(engine)
    assert gc.get_freeze_count() > 0
    # frozen: a full collection no longer visits the registry's records
    assert not any(obj is engine.registry.flows for obj in gc.get_objects())


class _Broken:
    @property
    def inventory(self):  # as Engine.inventory builds its registry first
        raise RuntimeError("a plugin's data does not load")


def test_a_worker_whose_engine_cannot_be_built_still_starts_and_says_why(service, caplog,
                                                                           unfrozen):
    service.app.extensions["footprint_engine"] = _Broken()
    with caplog.at_level(logging.ERROR, logger="web.serving"):
        post_worker_init(SimpleNamespace(wsgi=service.app))
    assert "the engine could not be built" in caplog.text
    assert "a plugin's data does not load" in caplog.text
    assert gc.get_freeze_count() > 0
