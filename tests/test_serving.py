"""gunicorn's settings (web/serving.py): the engine is built before the first request and then
kept out of the garbage collector's view with the rest of the app; no forwarded header is
taken on gunicorn's word."""
from __future__ import annotations

import gc
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from footprint.engine import Engine
from web.serving import post_worker_init

ROOT = Path(__file__).resolve().parents[1]


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


# -- forwarded headers ---------------------------------------------------------------------

SCHEME_APP = '''
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["wsgi.url_scheme"].encode()]
'''


def test_gunicorn_takes_no_forwarded_scheme_from_the_same_host(tmp_path):
    """Over plain http from 127.0.0.1 (gunicorn's default trusted address), a request saying
    X-Forwarded-Proto: https stays http: only FOOTPRINT_PROXIES makes the app trust a proxy."""
    (tmp_path / "scheme_app.py").write_text(SCHEME_APP)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    env.pop("FORWARDED_ALLOW_IPS", None)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:web.serving",
                               "--bind", f"127.0.0.1:{port}", "--workers", "1",
                               "scheme_app:app"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "gunicorn stopped"
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            try:
                plain = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        assert plain == b"http"
        for header, value in (("X-Forwarded-Proto", "https"), ("X-Forwarded-Ssl", "on"),
                              ("X-Forwarded-Protocol", "ssl")):
            asked = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={header: value})
            assert urllib.request.urlopen(asked, timeout=5).read() == b"http", header
    finally:
        server.terminate()
        server.wait(timeout=30)
