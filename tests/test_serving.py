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
from contextlib import contextmanager
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


@contextmanager
def gunicorn(tmp_path, **env):
    """The app of SCHEME_APP under gunicorn with web/serving.py's settings, on a free port of
    127.0.0.1, once it answers: yields its URL."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "scheme_app.py").write_text(SCHEME_APP)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]), **env}
    env.pop("FORWARDED_ALLOW_IPS", None)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:web.serving",
                               "--bind", f"127.0.0.1:{port}", "--workers", "1",
                               "scheme_app:app"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "gunicorn stopped"
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_takes_no_forwarded_scheme_from_the_same_host(tmp_path):
    """Over plain http from 127.0.0.1 (gunicorn's default trusted address), a request saying
    X-Forwarded-Proto: https stays http: only FOOTPRINT_PROXIES makes the app trust a proxy."""
    with gunicorn(tmp_path) as url:
        assert urllib.request.urlopen(url, timeout=5).read() == b"http"
        for header, value in (("X-Forwarded-Proto", "https"), ("X-Forwarded-Ssl", "on"),
                              ("X-Forwarded-Protocol", "ssl")):
            asked = urllib.request.Request(url, headers={header: value})
            assert urllib.request.urlopen(asked, timeout=5).read() == b"http", header


def test_an_instance_makes_no_control_socket_another_would_share(tmp_path):
    """gunicorn's control socket is one path per user (~/.gunicorn/gunicorn.ctl without
    XDG_RUNTIME_DIR): every `footprint serve` and `demo` of a user would share it, and the
    first to stop would delete it under the others. The service makes none."""
    home = tmp_path / "user"
    home.mkdir()
    environment = {"HOME": str(home), "XDG_RUNTIME_DIR": str(tmp_path / "no-runtime-dir")}
    with gunicorn(tmp_path / "first", **environment), \
            gunicorn(tmp_path / "second", **environment):
        assert list(home.rglob("*")) == []
