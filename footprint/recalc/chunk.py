"""One chunk of a recalculation: its products as columns, scored under the target version.

A ``Page`` holds what the store read for a chunk of the selection (one NumPy array per
column). ``score`` turns the products still to do into a ``Scored`` chunk: new totals and
stages, the status of each, and, where the product's previous version can still be loaded
exactly, the top-level line that moved it most. Everything is whole-array NumPy work except
for products whose rows are not kept yet, which are parsed and resolved one by one.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..bom import parse_bom
from ..errors import FootprintError
from ..store import footprints as store_footprints
from ..store import submissions as store_submissions
from ..store.db import transaction
from ..engine.uncertainty import PERCENTILES, LineUncertainty, draw_totals, significant
from .keyed import DRAW_PREFIX, KeptRows, keyed_bom, unpack_spread

CHANGED, UNCHANGED, FAILED = 0, 1, 2  # status codes, named as stored by STATUS
STATUS = ("changed", "unchanged", "failed")
RELATIVE_TOLERANCE = 1e-9  # same rows, same factors: equal to rounding


@dataclass
class Page:
    """Products of one chunk (footprint.store.recalc_runs.COLUMNS), one array per column."""

    ids: np.ndarray  # submission ids, ascending
    revisions: np.ndarray
    org_ids: np.ndarray
    products: np.ndarray  # names, for top movers and reports
    categories: np.ndarray
    regions: np.ndarray
    versions: np.ndarray  # data version (hash) of the current footprint
    version_names: np.ndarray
    totals: np.ndarray  # current total, kg CO2e
    n_lines: np.ndarray  # kept rows under the target's fingerprint: None where there are none
    boundaries: np.ndarray
    blobs: np.ndarray
    spreads: np.ndarray  # kept sigmas of each product's lines (keyed.SPREAD), None: none kept
    p5: np.ndarray  # the current footprint's P5; NaN where it has no range

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> Page:
        types = [np.int64, np.int64, np.int64] + [object] * 5 + [np.float64] + [object] * 4 \
            + [np.float64]
        return cls(*(np.array(column, dtype=t) for column, t in zip(zip(*rows), types)))

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, which: np.ndarray) -> Page:
        return Page(*(getattr(self, f.name)[which] for f in fields(self)))

    def row(self, i: int) -> tuple:
        """Product ``i`` as footprint.store.recalc_runs.COLUMNS (reports of dry runs)."""
        return tuple(getattr(self, f.name)[i:i + 1].tolist()[0] for f in fields(self))


@dataclass
class Scored:
    """A chunk's products recalculated under the target version, in the page's order."""

    page: Page
    status: np.ndarray  # CHANGED, UNCHANGED or FAILED
    after: np.ndarray  # new total; NaN where failed
    by_stage: np.ndarray  # (products, stages) new kg CO2e by stage
    top_line: np.ndarray  # the top-level line that moved most; -1 where not known
    top_delta: np.ndarray  # by how much (kg CO2e); NaN where not known
    errors: dict[int, str]  # position -> why that product cannot be recalculated
    to_compile: list[tuple]  # (submission_id, revision, fingerprint, KeyedBom) to keep
    ranges: np.ndarray  # (products, 3): new P5, P50, P95; NaN where none was drawn

    @property
    def lines(self) -> dict[int, tuple[str, ...]]:
        """Line names of the products compiled in this chunk (the others' are stored)."""
        return {sid: keyed.lines for sid, _, _, keyed in self.to_compile}

    def error_list(self) -> list[str | None]:
        errors = [None] * len(self.page)
        for i, error in self.errors.items():
            errors[i] = error
        return errors

    def items(self) -> list[tuple]:
        """(row, item) per product as a dry run's report reads them: the row as
        footprint.store.recalc_runs.COLUMNS, the item as its ITEM_COLUMNS (no run)."""
        out = []
        errors = self.error_list()
        for i in range(len(self.page)):
            row = self.page.row(i)
            known = self.top_line[i] >= 0
            after = None if self.status[i] == FAILED else float(self.after[i])
            out.append((row, (None, row[0], row[1], STATUS[self.status[i]], row[6], row[8],
                              after, int(self.top_line[i]) if known else None,
                              float(self.top_delta[i]) if known else None, errors[i], None)))
        return out


def score(db, page: Page, target, engines, keys: dict[int, str], dry_run: bool,
          ranges: bool = True) -> Scored:
    """Recalculate ``page`` under ``target`` (an Engine); ``engines`` (runner.Engines) finds
    each product's previous version; ``keys`` (row key ids) grows with new products' keys.
    With ``ranges``, a changed product's range (or one that has none yet) is drawn again."""
    if ranges:  # rows kept before their sigmas were: compiled again, once, with them
        page.n_lines[np.array([s is None for s in page.spreads.tolist()], dtype=bool)] = None
    errors, to_compile = _compile_missing(db, page, target, keys, dry_run)
    kept = KeptRows(page.blobs.tolist(), page.n_lines.tolist(), page.boundaries.tolist())
    columns = engines.columns(target)
    method = target.method_id(None)
    key_columns = columns.update(keys)
    unit = columns.unit(target.inventory.factors[method])
    failed = kept.failing(key_columns)
    for i in errors:
        failed[i] = True
    for i in np.flatnonzero(failed).tolist():
        errors.setdefault(i, _row_problem(kept, i, columns))

    co2e = kept.co2e(unit)
    after, by_stage = kept.totals(co2e)
    before = page.totals
    scale = np.maximum(np.abs(before), np.abs(after))
    changed = (np.abs(after - before) > RELATIVE_TOLERANCE * scale) & ~failed
    status = np.where(failed, FAILED, np.where(changed, CHANGED, UNCHANGED)).astype(np.int8)
    after[failed] = np.nan
    drawn = np.full((len(page), 3), np.nan)
    if ranges:
        wanted = ~failed & ((status == CHANGED) | np.isnan(page.p5))
        _draw_ranges(kept, co2e, page.spreads, wanted, keys, columns, drawn)

    # which line moved each product: the rows' change in kg CO2e between its previous version
    # and the target, summed per top-level line
    top_line = np.full(len(page), -1, dtype=np.int64)
    top_delta = np.full(len(page), np.nan)
    for version, name in dict(zip(page.versions.tolist(), page.version_names.tolist())).items():
        old = engines.by_hash(version, name)
        if old is None or old.method_id(None) != method or \
                old.registry.resolution_fingerprint != target.registry.resolution_fingerprint:
            continue  # that version can no longer be loaded exactly: totals only
        old_columns = engines.columns(old)
        old_key_columns = old_columns.update(keys)
        old_unit = old_columns.unit(old.inventory.factors[method])
        members = (page.versions == version) & ~failed & ~kept.failing(old_key_columns)
        delta = kept.line_sums(kept.co2e(unit - old_unit))
        _top_lines(delta, kept.line_offsets, members, top_line, top_delta)
    return Scored(page, status, after, by_stage, top_line, top_delta, errors, to_compile,
                  drawn)


def _draw_ranges(kept: KeptRows, co2e: np.ndarray, spreads, wanted, keys: dict[int, str],
                 columns, drawn: np.ndarray) -> None:
    """P5, P50 and P95 of the ``wanted`` products that kept their sigmas, drawn as the engine
    draws them (footprint.engine.uncertainty): each line's new kg CO2e with the sigmas of the
    product's last full calculation, from the same named streams."""
    by_line = kept.line_sums(co2e)
    names: dict[int, str] = {}  # key id -> the name its draws are shared under
    batch, streams, which = [], [], []
    for i in np.flatnonzero(wanted).tolist():
        stored = unpack_spread(spreads[i])
        if stored is None:
            continue
        stream, spread = stored
        first = int(kept.line_offsets[i])
        lines = []
        for n, (key, sigma_factor, sigma_amount) in enumerate(spread.tolist()):
            if key and by_line[first + n]:
                if key not in names:
                    names[key] = columns.drawn_as(keys[key][len(DRAW_PREFIX):])
                lines.append(LineUncertainty(float(by_line[first + n]), names[key],
                                             sigma_factor, sigma_amount))
        batch.append(lines)
        streams.append(stream)
        which.append(i)
    if not batch:
        return
    totals = draw_totals(batch, streams)
    found = np.percentile(totals, PERCENTILES, axis=1).T
    drawn[which] = [[significant(v) for v in row] for row in found.tolist()]


def _compile_missing(db, page: Page, target, keys: dict[int, str], dry_run: bool):
    """Rows for the products of ``page`` that have none kept under the target's fingerprint:
    each revision parsed and resolved once (a product that cannot be is an error)."""
    errors: dict[int, str] = {}
    to_compile = []
    fingerprint = target.registry.resolution_fingerprint
    for i in np.flatnonzero(page.n_lines == None).tolist():  # noqa: E711 (elementwise)
        sid = int(page.ids[i])
        try:
            resolved = target.resolve(parse_bom(store_submissions.bom(db, sid)),
                                      store_submissions.StoredProducts(db, int(page.org_ids[i])))
        except FootprintError as exc:
            errors[i] = str(exc)
            page.blobs[i], page.n_lines[i], page.boundaries[i] = b"", 0, 0
            continue
        # the full result, once, for the sigmas its range is drawn with from now on
        keyed = keyed_bom(resolved, target.calculate_resolved(resolved), target.registry)
        ids = _number_keys(db, keyed, keys, dry_run)
        page.blobs[i], page.n_lines[i] = keyed.packed(ids), keyed.n_lines
        page.boundaries[i], page.spreads[i] = keyed.boundary, keyed.packed_spread(ids)
        to_compile.append((sid, int(page.revisions[i]), fingerprint, keyed))
    return errors, to_compile


def _number_keys(db, keyed, keys: dict[int, str], dry_run: bool) -> dict[str, int]:
    """Ids for a product's row keys (``keys`` is updated). A new key is numbered in row_keys
    at once, in its own short transaction: the table only names keys, so a number that no
    kept row uses yet is harmless. A dry run numbers new keys in memory only."""
    by_key = {k: i for i, k in keys.items()}
    new = {key for key in keyed.keys if key not in by_key}
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


def _top_lines(delta, offsets, members, top_line, top_delta) -> None:
    """For each member product, the first top-level line whose change is largest in size (and
    that change), from the change of every line (products' lines in order)."""
    counts = np.diff(offsets)
    with_lines = np.flatnonzero(counts > 0)
    chosen = members[with_lines]
    if not chosen.any():
        return
    size = np.abs(delta)
    starts = offsets[with_lines]
    largest = np.repeat(np.maximum.reduceat(size, starts), counts[with_lines])
    first = np.minimum.reduceat(np.where(size == largest, np.arange(len(size)), len(size)),
                                starts)
    products = with_lines[chosen]
    top_line[products] = first[chosen] - offsets[products]
    top_delta[products] = delta[first[chosen]]


def _row_problem(kept: KeptRows, i: int, columns) -> str:
    rows = kept.rows[kept.row_offsets[i]:kept.row_offsets[i + 1]]
    missing = [columns.problems[int(k)] for k in np.unique(rows["key"])
               if columns.columns[int(k)] < 0]
    return "; ".join(missing) or "cannot be recalculated"
