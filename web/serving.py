"""gunicorn's settings for `footprint serve` (read with ``--config python:web.serving``).

A worker is done with most of the objects it will ever hold once the app is made and its
engine built: the engine's registry and background, the templates, the plugins. The engine
is built here, before the worker takes its first request (it would otherwise be built by
that request, and stay in the collector's view); then ``gc.freeze()`` moves all of it out of
the collector's view, so the collections that run while requests are answered walk only
what requests made, and a request no longer stalls on a walk over the whole app
(docs/performance.md).

gunicorn itself trusts no forwarded header: by default it takes X-Forwarded-Proto (and
X-Forwarded-Ssl ...) from 127.0.0.1 as the scheme, so anything on the same host, or a proxy
there that passes the client's headers on, could make a plain-http request count as HTTPS
(the PACT API answers only over HTTPS). The proxies in front are the app's to trust, as many
as FOOTPRINT_PROXIES says (web.security), and none without it.

No control socket: see ``control_socket_disable`` below.
"""
from __future__ import annotations

import gc
import logging

from .db import get_engine

log = logging.getLogger(__name__)

forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
# gunicorn >= 25.1 opens a control socket for `gunicornc` at one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl), shared by every `footprint
# serve` and `demo` that user runs: stopping one removed it while the others ran. The service
# is managed by signals (HUP reloads, TERM stops), never through that socket, so it has none.
# (Older gunicorn ignores a setting it does not know.)
control_socket_disable = True


def post_worker_init(worker) -> None:
    app = worker.wsgi
    try:
        with app.app_context():
            get_engine().inventory  # and the registry it is built on
    except Exception:  # the first request that needs it builds it, and says what is wrong
        log.exception("the engine could not be built as the worker started")
    gc.freeze()
