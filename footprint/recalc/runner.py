"""Recalculating stored footprints under another data version, chunk by chunk.

    summary = recalculate(db, Options(to_version="MEE-2023", reissue=True), home=home,
                          reissue=reissue)

For each chunk of the selected submissions (ascending id) the runner

1. skips those already done by an interrupted run of the same command, and those whose
   current footprint already uses the target version;
2. reads their kept rows (footprint.recalc.keyed), or, for a revision not yet compiled under
   the target's resolution fingerprint, parses and resolves its BOM once and keeps the rows;
3. scores all rows under the target version, and the change of every row against each
   product's previous version when that version can still be loaded, which says which line
   moved the footprint (footprint.recalc.chunk);
4. in one short transaction: writes an item per product, moves the footprints, and with
   ``Options.reissue`` hands the chunk to ``reissue(db, scored, run)``, which signs a new
   label for every changed product that carries a current label, superseding the old one
   (footprint.usecases.recalculation gives it) (footprint.recalc.writer).

Reading and scoring a chunk overlaps writing the one before, which SQLite does in another
thread with the GIL released (footprint.recalc.writer). A run killed at any point leaves whole
chunks done and the rest untouched; the same command resumes it. A dry run reads the same way
and writes nothing. One run at a time writes, on any host (footprint.recalc.lease).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from ..engine import Engine
from ..engine.regions import unknown_region
from ..errors import FootprintError, InvalidInput, Message, Problem
from ..store import footprints as store_footprints
from ..store import recalc_runs as runs
from ..store.db import database_file, transaction
from ..suggest import unknown
from . import chunk
from .keyed import KeyColumns
from .lease import Lease, exclusive
from .summary import Summary
from .writer import ChunkWriter, commit_chunk

CHUNK = 50_000


@dataclass(frozen=True)
class Options:
    selection: runs.Selection = field(default_factory=runs.Selection)
    to_version: str | None = None  # a data version name (or hash); None: the newest
    reissue: bool = False
    dry_run: bool = False
    chunk: int = CHUNK
    ranges: bool = True  # draw a changed footprint's range (P5-P95) again


class Engines:
    """One engine per data version, made when first needed. ``by_hash`` finds the version a
    stored footprint names, or None when it cannot be loaded exactly any more."""

    def __init__(self, db, home, plugin_manager=None):
        self.db, self.home, self.plugin_manager = db, home, plugin_manager
        self._by_name: dict[str | None, Engine] = {}
        self._by_hash: dict[str, Engine | None] = {}
        self._columns: dict[int, KeyColumns] = {}

    def columns(self, engine: Engine) -> KeyColumns:
        """The key -> column map of an engine, kept for the whole run."""
        if id(engine) not in self._columns:
            self._columns[id(engine)] = KeyColumns(engine)
        return self._columns[id(engine)]

    def named(self, name: str | None) -> Engine:
        if name not in self._by_name:
            engine = Engine(self.home, self.plugin_manager, data_version=name)
            engine.registry  # an unknown name fails here, before any work
            self._by_name[name] = engine
        return self._by_name[name]

    def by_hash(self, version: str, name: str | None) -> Engine | None:
        if version not in self._by_hash:
            name = name or store_footprints.data_version_name(self.db, version)
            engine = None
            if name:
                try:
                    candidate = self.named(name)
                except FootprintError:
                    candidate = None
                if candidate is not None and candidate.registry.data_version == version:
                    engine = candidate
            self._by_hash[version] = engine
        return self._by_hash[version]


@dataclass(frozen=True)
class Run:
    """A run as a chunk's commit sees it."""

    run_id: int
    target: Engine  # the engine of the target data version
    summary: Summary


def recalculate(db, options: Options, home, plugin_manager=None,
                reissue: Callable | None = None,
                progress: Callable[[int, int], None] | None = None) -> Summary:
    """Run (or resume) a recalculation. With ``options.reissue``, ``reissue(db, scored,
    run)`` re-issues the labels of a chunk's changed products inside its transaction and
    returns (label id, submission id) pairs."""
    if options.reissue and reissue is None:
        raise ValueError("re-issuing labels needs the platform's label issuer")
    engines = Engines(db, home, plugin_manager)
    target = engines.named(options.to_version)
    check_selection(db, options.selection, target.registry)  # before the lease, and any work
    if options.dry_run:  # writes nothing: runs beside anything
        return _recalculate(db, options, engines, target, reissue, progress, None)
    what = f"footprint recalc to {options.to_version or 'the newest data version'}" + \
        (" --reissue" if options.reissue else "")
    with exclusive(db, what) as held:
        return _recalculate(db, options, engines, target, reissue, progress, held)


def check_selection(db, selection: runs.Selection, registry) -> None:
    """InvalidInput, before any work, for a region, category or organisation the selection
    names that does not exist, with the nearest valid names (a typo would otherwise select
    nothing and finish as a run of 0)."""
    problems = []
    if selection.region and selection.region not in registry.regions:
        problems.append(Problem("region", unknown_region(registry, selection.region)))
    if selection.category and selection.category not in registry.categories:
        problems.append(Problem("category", unknown(Message("category"), selection.category,
                                                    registry.categories)))
    if selection.org:
        try:
            runs.organisation_id(db, selection.org)
        except InvalidInput as exc:
            problems += exc.problems
    if problems:
        raise InvalidInput(problems)


def _recalculate(db, options: Options, engines: Engines, target: Engine, reissue, progress,
                 held: Lease | None) -> Summary:
    registry = target.registry
    plan = runs.Target(options.selection, registry.data_version, registry.data_version_name,
                       options.reissue)
    summary = Summary(registry.data_version, registry.data_version_name, options.dry_run)
    run_id = None
    if not options.dry_run:
        with transaction(db):
            run_id, summary.resumed = runs.start_or_resume(db, plan)
            store_footprints.record_data_version(db, registry.data_version_record())
    summary.run_id = run_id
    summary.selected = runs.count(db, options.selection)
    keys = store_footprints.all_keys(db)
    run = Run(run_id, target, summary)
    chunk_reissue = partial(reissue, run=run) if options.reissue else None

    def report(size: int) -> None:
        if progress:
            progress(size, summary.selected)

    fingerprint = registry.resolution_fingerprint
    # labels are signed in this thread (see footprint.recalc.writer)
    background = not (options.reissue or options.dry_run)
    commit = partial(commit_chunk, run_id=run_id, to_version=summary.to_version,
                     to_version_name=summary.to_version_name, reissue=chunk_reissue)
    with ChunkWriter(db, database_file(db), commit, report, background) as writer:
        for rows in runs.chunks(db, options.selection, options.chunk, fingerprint):
            page = chunk.Page.from_rows(rows)
            done = runs.done_in_run(db, run_id, rows[0][0], rows[-1][0]) if run_id else set()
            was_done = np.isin(page.ids, np.fromiter(done, dtype=np.int64, count=len(done)))
            current = (page.versions == summary.to_version) & ~was_done
            summary.done_before += int(was_done.sum())
            summary.already_current += int(current.sum())
            todo = ~(was_done | current)
            scored = None
            if todo.any():
                scored = chunk.score(db, page if todo.all() else page.take(todo), target,
                                     engines, keys, options.dry_run, options.ranges)
                summary.add_chunk(scored)
            writer.submit(None if options.dry_run else scored, len(page))
            if held is not None:
                held.keep(db)
    if run_id is not None:
        with transaction(db):
            runs.finish(db, run_id)
    return summary
