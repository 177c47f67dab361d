"""Committing a recalculation chunk by chunk: each chunk in one short transaction, in order.

A chunk is staged row by row in a temporary table, then moved into recalc_items and
footprints by a few statements (footprint.store.recalc_runs). Those statements are long and
SQLite releases the GIL while it runs them, so ``ChunkWriter`` runs them in a thread of its
own, on a connection of its own, while the caller scores the next chunk. Staging, like reading,
releases and retakes the GIL at every row, which is slow while another thread keeps the GIL
busy: the caller waits for it to finish rather than compete.

A run that re-issues labels writes inline instead, on the caller's connection and thread:
re-issuing calculates full results with the engines and signs labels (the ``reissue``
callable footprint.usecases.recalculation gives).

Either way a chunk's items, moved footprints, kept rows and new labels are committed together,
and the next chunk is handed over only once the previous one is committed, so an interrupted
run leaves whole chunks done: what resuming relies on. Progress is reported per committed
chunk.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..engine.compiled import N_STAGES
from ..store import recalc_runs as runs
from ..store.db import transaction
from .chunk import STATUS, Scored
from .keyed import keep


class ChunkWriter:
    """``commit(db, scored)`` each chunk in order after staging its rows, then ``report(size)``
    once it is committed. Use as a context manager: leaving waits for the chunk being written,
    even on an error."""

    def __init__(self, db, path: str, commit: Callable, report: Callable[[int], None],
                 background: bool):
        self.db, self.path, self.commit, self.report = db, path, commit, report
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="recalc-write") \
            if background else None
        self._own_db = None  # the writing thread's connection, opened there
        self._pending = None  # (future, size) of the chunk being written

    def submit(self, scored: Scored | None, size: int) -> None:
        """Write ``scored`` (None: nothing to write) after the chunk before it."""
        self._wait()
        if scored is None:
            self.report(size)
        elif self._pool is None:
            runs.stage(self.db, staged_rows(scored))
            self.commit(self.db, scored)
            self.report(size)
        else:
            staged = threading.Event()
            self._pending = (self._pool.submit(self._write_here, staged_rows(scored), scored,
                                               staged), size)
            staged.wait()

    def _write_here(self, rows: list[tuple], scored: Scored, staged: threading.Event) -> None:
        try:
            if self._own_db is None:
                self._own_db = runs.staging_connection(self.path)
            runs.stage(self._own_db, rows)
        finally:
            staged.set()
        self.commit(self._own_db, scored)

    def _wait(self) -> None:
        if self._pending is not None:
            future, size = self._pending
            self._pending = None
            future.result()
            self.report(size)

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self._pool is None:
            return
        try:
            if kind is None:
                self._wait()
            elif self._pending is not None:
                self._pending[0].exception()  # let it commit or fail; the error is already raised
        finally:
            if self._own_db is not None:
                self._pool.submit(self._own_db.close).result()
            self._pool.shutdown()


def commit_chunk(db, scored: Scored, run_id: int, to_version: str, to_version_name: str,
                 reissue: Callable | None) -> None:
    """A staged chunk's kept rows, labels re-issued by ``reissue(db, scored)`` ((label id,
    submission id) pairs), items and moved footprints, in one transaction."""
    with transaction(db):
        if scored.to_compile:
            keep(db, scored.to_compile)
        labels = reissue(db, scored) if reissue else []
        runs.record_staged(db, run_id, to_version, to_version_name)
        if labels:
            runs.label_items(db, run_id, labels)


def staged_rows(scored: Scored) -> list[tuple]:
    """footprint.store.recalc_runs.STAGED tuples, built column by column."""
    page = scored.page
    # each product's stages as one 48-byte value: footprints.stage_bytes, without a loop
    stages = np.ascontiguousarray(scored.by_stage, dtype="<f8").view(f"V{8 * N_STAGES}")
    ranges = scored.ranges.T.tolist()
    return list(zip(page.ids.tolist(), page.revisions.tolist(),
                    np.array(STATUS, dtype=object)[scored.status].tolist(),
                    page.versions.tolist(), page.totals.tolist(), scored.after.tolist(),
                    scored.top_line.tolist(), scored.top_delta.tolist(), scored.error_list(),
                    stages.ravel().tolist(), *ranges))
