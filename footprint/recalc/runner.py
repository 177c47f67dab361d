"""Recalculating stored footprints under another data version, chunk by chunk.

    summary = recalculate(db, Options(to_version="MEE-2023", reissue=True), home=home)

For each chunk of the selected submissions (ascending id) the runner

1. skips those already done by an interrupted run of the same command, and those whose
   current footprint already uses the target version;
2. reads their kept rows (footprint.recalc.keyed), or, for a revision not yet compiled under
   the target's resolution fingerprint, parses and resolves its BOM once and keeps the rows;
3. scores all rows under the target version, and again under each product's previous
   version when that version can still be loaded, which says which line moved the footprint;
4. in one short transaction: writes an item per product, moves the footprints, and with
   ``reissue`` signs a new label for every changed product that carries a current label,
   superseding the old one (the full result is calculated for those products only).

A run killed at any point leaves whole chunks done and the rest untouched; the same command
resumes it. A dry run reads the same way and writes nothing.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..bom import parse_bom
from ..engine import Engine
from ..errors import FootprintError
from ..store import footprints as store_footprints
from ..store import recalc_runs as runs
from ..store.db import transaction
from .keyed import ROW, KeptRows, KeyColumns, keyed_bom
from .summary import Summary

CHUNK = 50_000
CHANGED, UNCHANGED, FAILED = "changed", "unchanged", "failed"
RELATIVE_TOLERANCE = 1e-9  # same rows, same factors: equal to rounding


@dataclass(frozen=True)
class Options:
    selection: runs.Selection = field(default_factory=runs.Selection)
    to_version: str | None = None  # a data version name (or hash); None: the newest
    reissue: bool = False
    dry_run: bool = False
    chunk: int = CHUNK


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


@dataclass
class _Chunk:
    """The products of one chunk being recalculated, in order, with their rows."""

    rows: list[tuple]  # runs.COLUMNS
    blobs: list[bytes]
    n_lines: list[int]
    boundaries: list[int]
    to_compile: list[tuple]  # (submission_id, revision, fingerprint, KeyedBom) to keep
    errors: dict[int, str]  # submission id -> why it cannot be recalculated

    @property
    def lines(self) -> dict[int, tuple[str, ...]]:
        """Line names of the products compiled in this chunk (the others' are stored)."""
        return {sid: keyed.lines for sid, _, _, keyed in self.to_compile}


def recalculate(db, options: Options, home, plugin_manager=None, issuer=None,
                progress: Callable[[int, int], None] | None = None) -> Summary:
    engines = Engines(db, home, plugin_manager)
    target = engines.named(options.to_version)
    registry = target.registry
    method = target.method_id(None)
    cf = target.inventory.factors[method]
    columns = engines.columns(target)
    plan = runs.Target(options.selection, registry.data_version, registry.data_version_name,
                       options.reissue)
    summary = Summary(registry.data_version, registry.data_version_name, options.dry_run)
    run_id = None
    if not options.dry_run:
        with transaction(db):
            run_id, summary.resumed = runs.start_or_resume(db, plan)
            store_footprints.record_data_version(db, registry)
    summary.run_id = run_id
    summary.selected = runs.count(db, options.selection)
    keys = store_footprints.all_keys(db)
    fingerprint = registry.resolution_fingerprint
    path = _database_file(db)
    for rows, done, kept in _read_ahead(lambda: _pages(path, options, run_id, fingerprint)):
        todo = []
        for row in rows:
            if row[0] in done:
                summary.done_before += 1
            elif row[6] == summary.to_version:
                summary.already_current += 1
            else:
                todo.append(row)
        if todo:
            chunk = _read(db, todo, kept, target, keys, options.dry_run)
            _score_and_write(db, chunk, options, target, engines, columns, keys, cf, method,
                             run_id, issuer, summary)
        if progress:
            progress(len(rows), summary.selected)
    if run_id is not None:
        with transaction(db):
            runs.finish(db, run_id)
    return summary


def _pages(path: str, options: Options, run_id: int | None, fingerprint: str):
    """Each chunk of the selection with what the runner reads for it: (rows, ids this run has
    done, kept rows by (submission, revision)). Runs in the read-ahead thread, on its own
    connection: reading the next chunk overlaps scoring and writing this one."""
    from ..store.db import connect

    reader = connect(path)
    try:
        for rows in runs.chunks(reader, options.selection, options.chunk):
            first, last = rows[0][0], rows[-1][0]
            done = runs.done_in_run(reader, run_id, first, last) if run_id else set()
            kept = store_footprints.compiled_rows(reader, [first, last], fingerprint)
            yield rows, done, kept
    finally:
        reader.conn.close()


def _database_file(db) -> str:
    return next(row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main")


def _read_ahead(make_pages):
    """Iterate ``make_pages()`` one item ahead in a worker thread (SQLite and NumPy release
    the GIL while they work). The generator runs entirely in that thread, so its connection
    stays in the thread that opened it."""
    with ThreadPoolExecutor(1, thread_name_prefix="recalc-read") as pool:
        pages = make_pages()
        future = pool.submit(next, pages, None)
        try:
            while (page := future.result()) is not None:
                future = pool.submit(next, pages, None)
                yield page
        finally:
            future.cancel()
            pool.submit(pages.close).result()


def _read(db, todo: list[tuple], kept: dict, target: Engine, keys: dict[int, str],
          dry_run: bool) -> _Chunk:
    from ..store.submissions import StoredProducts

    fingerprint = target.registry.resolution_fingerprint
    chunk = _Chunk([], [], [], [], [], {})
    for row in todo:
        sid, revision, org_id = row[0], row[1], row[2]
        stored = kept.get((sid, revision))
        if stored is not None:
            n_lines, boundary, blob = stored
        else:  # first recalculation of this revision under this fingerprint: resolve once
            bom_json = db.execute("SELECT bom_json FROM submissions WHERE id = ?",
                                  [sid]).fetchone()[0]
            try:
                resolved = target.resolve(parse_bom(json.loads(bom_json)),
                                          StoredProducts(db, org_id))
            except FootprintError as exc:
                chunk.errors[sid] = str(exc)
                chunk.rows.append(row)
                chunk.blobs.append(b"")
                chunk.n_lines.append(0)
                chunk.boundaries.append(0)
                continue
            keyed = keyed_bom(resolved)
            ids = _number_keys(db, keyed, keys, dry_run)
            blob, n_lines, boundary = keyed.packed(ids), keyed.n_lines, keyed.boundary
            chunk.to_compile.append((sid, revision, fingerprint, keyed))
        chunk.rows.append(row)
        chunk.blobs.append(blob)
        chunk.n_lines.append(n_lines)
        chunk.boundaries.append(boundary)
    return chunk


def _number_keys(db, keyed, keys: dict[int, str], dry_run: bool) -> dict[str, int]:
    """Ids for a product's row keys (``keys`` is updated). A new key is numbered in row_keys
    at once, in its own short transaction: the table only names keys, so a number that no
    kept row uses yet is harmless. A dry run numbers new keys in memory only."""
    by_key = {k: i for i, k in keys.items()}
    new = {key for _, _, key, _ in keyed.rows if key not in by_key}
    if new and dry_run:
        for key in sorted(new):
            by_key[key] = max(keys, default=0) + 1
            keys[by_key[key]] = key
    elif new:
        with transaction(db):
            numbered = store_footprints.key_ids(db, new)
        by_key.update(numbered)
        keys.update((i, k) for k, i in numbered.items())
    return by_key


def _score(kept: KeptRows, engine: Engine, columns: KeyColumns, keys: dict[int, str], cf):
    batch, ok = kept.batch(columns.update(keys))
    return batch.score(engine.inventory, cf), ok


def _score_and_write(db, chunk: _Chunk, options, target, engines, columns, keys, cf, method,
                     run_id, issuer, summary: Summary) -> None:
    n = len(chunk.rows)
    kept = KeptRows(chunk.blobs, chunk.n_lines, chunk.boundaries)
    new, ok = _score(kept, target, columns, keys, cf)
    failed = ~ok
    for i, row in enumerate(chunk.rows):
        if row[0] in chunk.errors:
            failed[i] = True
    from_total = np.array([r[8] for r in chunk.rows], dtype=np.float64)
    to_total = new.total
    delta = to_total - from_total
    scale = np.maximum(np.abs(from_total), np.abs(to_total))
    changed = (np.abs(delta) > RELATIVE_TOLERANCE * scale) & ~failed

    # which line moved each product: the same rows scored under its previous version
    top_line = np.full(n, -1, dtype=np.int64)
    top_delta = np.full(n, np.nan)
    old_versions = {r[6]: r[7] for r in chunk.rows}
    for version, name in old_versions.items():
        old = engines.by_hash(version, name)
        if old is None or old.registry.resolution_fingerprint != \
                target.registry.resolution_fingerprint or old.method_id(None) != method:
            continue  # that version can no longer be loaded exactly: totals only
        members = np.array([r[6] == version for r in chunk.rows])
        old_scores, old_ok = _score(kept, old, engines.columns(old), keys,
                                    old.inventory.factors[method])
        _top_lines(new.by_line, old_scores.by_line, members & old_ok & ok, top_line, top_delta)

    version, version_name = summary.to_version, summary.to_version_name
    # as footprint.store.footprints.stage_bytes stores them: float64 in model.STAGES order
    by_stage = np.ascontiguousarray(new.by_stage, dtype="<f8")
    stages = [row.tobytes() for row in by_stage]
    sids = [r[0] for r in chunk.rows]
    revisions = [r[1] for r in chunk.rows]
    statuses = np.where(failed, FAILED, np.where(changed, CHANGED, UNCHANGED)).tolist()
    after = to_total.tolist()
    lines = [None if t < 0 else t for t in top_line.tolist()]
    line_deltas = [None if t < 0 else d for t, d in zip(top_line.tolist(), top_delta.tolist())]
    errors = [None] * n
    for i in np.flatnonzero(failed).tolist():
        errors[i] = chunk.errors.get(sids[i]) or _row_problem(chunk, i, columns)
        after[i] = lines[i] = line_deltas[i] = None
    items = list(zip([run_id] * n, sids, revisions, statuses, [r[6] for r in chunk.rows],
                     [r[8] for r in chunk.rows], after, lines, line_deltas, errors, [None] * n))
    moved = (~failed).tolist()
    moves = [(revision, version, version_name, total, stage, run_id, sid)
             for revision, total, stage, sid, keep in zip(revisions, after, stages, sids, moved)
             if keep]
    summary.add_chunk(chunk.rows, items, chunk.lines)
    if options.dry_run:
        return
    with transaction(db):
        if chunk.to_compile:
            store_footprints.store_compiled(db, chunk.to_compile)
        if options.reissue:
            items = _reissue(db, items, target, issuer, summary)
        runs.write_items(db, items)
        runs.move_footprints(db, moves)


def _top_lines(new_lines, old_lines, members, top_line, top_delta) -> None:
    """For each member product, the top-level line whose kg CO2e moved most (and by how
    much), vectorised over the chunk's line sums."""
    delta = new_lines.sums - old_lines.sums
    offsets = new_lines.offsets
    counts = np.diff(offsets)
    usable = members & (counts > 0)
    if not usable.any():
        return
    product = np.repeat(np.arange(len(counts)), counts)
    size = np.abs(delta)
    largest = np.zeros(len(counts))
    np.maximum.at(largest, product, size)
    at_max = np.flatnonzero(size == largest[product])
    first_products, first = np.unique(product[at_max], return_index=True)
    rows = at_max[first]
    chosen = usable[first_products]
    top_line[first_products[chosen]] = rows[chosen] - offsets[first_products[chosen]]
    top_delta[first_products[chosen]] = delta[rows[chosen]]


def _row_problem(chunk: _Chunk, i: int, columns: KeyColumns) -> str:
    rows = np.frombuffer(chunk.blobs[i], dtype=ROW)
    missing = [columns.problems[int(k)] for k in np.unique(rows["key"])
               if columns.columns[int(k)] < 0]
    return "; ".join(missing) or "cannot be recalculated"


def _reissue(db, items: list[tuple], target: Engine, issuer, summary: Summary) -> list[tuple]:
    """Items of changed products that carry a current label, each with its new label."""
    from ..store import labels as store_labels
    from ..store.submissions import StoredProducts, store_result

    if issuer is None:
        raise ValueError("re-issuing labels needs the platform's label issuer")
    out = []
    for item in items:
        if item[3] != CHANGED:
            out.append(item)
            continue
        label = store_labels.current_for_submission(db, item[1])
        if label is None:
            out.append(item)
            continue
        submission = db["submissions"].get(item[1])
        bom = parse_bom(json.loads(submission["bom_json"]))
        resolved = target.resolve(bom, StoredProducts(db, submission["org_id"]))
        result = target.calculate_resolved(resolved)
        store_result(db, submission["id"], submission["revision"], result, bom.region)
        new = store_labels.reissue(db, issuer, label, result,
                                   f"recalculated under {result['data_version_name']}")
        summary.reissued += 1
        out.append((*item[:10], new["id"]))
    return out

