"""gunicorn's settings for `footprint serve` (read with ``--config python:web.serving``).

A worker is done with most of the objects it will ever hold once the app is made: the
engine's registry and background, the templates, the plugins. ``gc.freeze()`` moves them out
of the collector's view, so the collections that run while requests are answered walk only
what requests made, and a request no longer stalls on a walk over the whole app
(docs/performance.md).
"""
from __future__ import annotations

import gc


def post_worker_init(worker) -> None:
    gc.freeze()
