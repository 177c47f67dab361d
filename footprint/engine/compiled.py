"""Resolved BOMs compiled once into NumPy rows, so scoring them again costs only NumPy work.

A product's rows are its lines with sub-assemblies expanded (a sub-assembly's lines inside its
own boundary, scaled by how much of it is used, counted for its parent's line and stage), in
the order ``scoring`` has always used. Each row is ``(line, stage, column, quantity)`` where
``column`` is a background process's row in the unit inventory, ``processes + flow`` for a
direct emission, or ``processes + flows`` (1 kg CO2e a unit) for a supplier's label. The
compiled rows are cached on the ResolvedBom itself (it is immutable), tied to the unit
inventory they were compiled against; ``CompiledBatch`` concatenates many products'
rows into a few flat arrays, which a recalculation under new factors can keep and score again
(the arithmetic is ``footprint.engine.scoring``'s; this module only compiles).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import STAGES
from .resolve import ResolvedBom

STAGE_INDEX = {stage: i for i, stage in enumerate(STAGES)}
N_STAGES = len(STAGES)
_CACHE = "_footprint_compiled"
_NO_ROWS = np.zeros((0, 4))


@dataclass(frozen=True)
class CompiledBom:
    rows: np.ndarray  # (rows, 4) float64: line, stage, column, quantity
    n_lines: int  # top-level lines
    boundary: tuple[bool, ...]  # per stage: inside the product's system boundary

    def pack(self) -> tuple[bytes, int, int]:
        """(rows as bytes, top-level lines, boundary as a bit mask) for storing; the columns
        are those of the unit inventory compiled against, so store its data version too."""
        return (self.rows.tobytes(), self.n_lines,
                sum(1 << i for i, inside in enumerate(self.boundary) if inside))

    @classmethod
    def unpack(cls, rows: bytes, n_lines: int, boundary: int) -> "CompiledBom":
        return cls(np.frombuffer(rows, dtype=np.float64).reshape(-1, 4), n_lines,
                   tuple(bool(boundary >> i & 1) for i in range(N_STAGES)))


def expand_rows(out: list, resolved: ResolvedBom, target, line=None, stage=None,
                scale=1.0) -> None:
    """Append the rows of ``resolved`` to ``out`` flat: line, stage, target, quantity, ...
    where ``target(resolved_line)`` names what a background or emission line draws on (a
    column of the unit inventory here; a stable key in ``footprint.recalc.keyed``)."""
    append = out.extend
    if line is None:  # a product's own lines (1.0 x quantity is the quantity, exactly)
        stage_index = STAGE_INDEX
        for rl in resolved.lines:
            source = rl.line
            if rl.sub is None:
                append((source.index, stage_index[source.stage], target(rl), rl.quantity))
            else:
                expand_rows(out, rl.sub, target, source.index, stage_index[source.stage],
                            rl.quantity)
        return
    inside = resolved.bom.boundary_stages
    for rl in resolved.lines:
        if rl.line.stage not in inside:
            continue  # outside the sub-assembly's own boundary
        quantity = scale * rl.quantity
        if rl.sub is None:
            append((line, stage, target(rl), quantity))
        else:
            expand_rows(out, rl.sub, target, line, stage, quantity)


def the_line(resolved_line):
    """``target`` for expand_rows: the resolved line itself, for a caller that names what
    each row draws on its own way (footprint.recalc.keyed)."""
    return resolved_line


def inventory_column(inventory):
    """``target`` for expand_rows: a background process's row in the unit inventory, or
    ``processes + flow`` for a direct emission."""
    row, column, n_processes = inventory.row, inventory.column, len(inventory.process_ids)
    co2e_column = n_processes + len(inventory.flow_ids)  # a supplier's label: 1 kg CO2e

    def target(rl):
        if rl.label is not None:
            return co2e_column
        if rl.process_id is not None:
            return row[rl.process_id]
        return n_processes + column[rl.flow]
    return target


def _cached(resolved: ResolvedBom, inventory) -> "CompiledBom | None":
    cached = resolved.__dict__.get(_CACHE)
    if cached is not None and cached[0] is inventory.row and cached[1] is inventory.column:
        return cached[2]
    return None


def _store(resolved: ResolvedBom, inventory, compiled: "CompiledBom") -> None:
    # ResolvedBom is a frozen dataclass: the cache is not one of its fields (so equality,
    # hashing and canonical() are unchanged) and holds the inventory's maps so their ids
    # cannot be reused by another inventory while the cache lives.
    object.__setattr__(resolved, _CACHE, (inventory.row, inventory.column, compiled))


def compile_many(batch, inventory) -> list["CompiledBom"]:
    """``compile_bom`` for each of ``batch``: those not yet compiled share one array."""
    found = [_cached(r, inventory) for r in batch]
    todo = [i for i, c in enumerate(found) if c is None]
    if not todo:
        return found
    target = inventory_column(inventory)
    flat: list = []
    ends = []
    for i in todo:
        expand_rows(flat, batch[i], target)
        ends.append(len(flat) // 4)
    rows = np.array(flat, dtype=np.float64).reshape(-1, 4)
    start = 0
    for i, end in zip(todo, ends):
        resolved = batch[i]
        inside = resolved.bom.boundary_stages
        compiled = CompiledBom(rows[start:end], len(resolved.lines),
                               tuple(s in inside for s in STAGES))
        _store(resolved, inventory, compiled)
        found[i] = compiled
        start = end
    return found


def compile_bom(resolved: ResolvedBom, inventory) -> CompiledBom:
    """The rows of ``resolved`` against ``inventory``; compiled once, then read from a cache."""
    return compile_many([resolved], inventory)[0]


class CompiledBatch:
    """Many products' rows as flat arrays (row order: product by product, as compiled)."""

    def __init__(self, compiled: list[CompiledBom]):
        n = len(compiled)
        self._build(np.concatenate([c.rows for c in compiled]) if compiled else _NO_ROWS,
                    np.fromiter((len(c.rows) for c in compiled), dtype=np.int64, count=n),
                    np.fromiter((c.n_lines for c in compiled), dtype=np.int64, count=n),
                    np.array([c.boundary for c in compiled], dtype=bool).reshape(n, N_STAGES))

    def _build(self, rows, counts, line_counts, boundary) -> None:
        self.n_products = len(counts)
        self.product = np.repeat(np.arange(self.n_products, dtype=np.int32), counts)
        self.line = rows[:, 0].astype(np.int32)
        self.stage = rows[:, 1].astype(np.int8)
        self.column = rows[:, 2].astype(np.int32)
        self.quantity = np.ascontiguousarray(rows[:, 3])
        self.line_offsets = np.concatenate(([0], np.cumsum(line_counts)))
        self.boundary = boundary
        self.inside = self.boundary[self.product, self.stage]

    @classmethod
    def from_packed(cls, packed: list[tuple[bytes, int, int]]) -> "CompiledBatch":
        """From ``CompiledBom.pack()`` tuples (e.g. read back from a database) in one go."""
        batch = cls.__new__(cls)
        n = len(packed)
        blobs = [p[0] for p in packed]
        rows = np.frombuffer(b"".join(blobs), dtype=np.float64).reshape(-1, 4)
        counts = np.fromiter(map(len, blobs), dtype=np.int64, count=n) // 32
        line_counts = np.fromiter((p[1] for p in packed), dtype=np.int64, count=n)
        bits = np.fromiter((p[2] for p in packed), dtype=np.int64, count=n)
        boundary = (bits[:, None] >> np.arange(N_STAGES)) & 1 == 1
        batch._build(rows, counts, line_counts, boundary)
        return batch

    @classmethod
    def from_boms(cls, batch: list[ResolvedBom], inventory) -> "CompiledBatch":
        return cls(compile_many(batch, inventory))

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.product, self.line, self.stage, self.column,
                                      self.quantity, self.line_offsets, self.boundary,
                                      self.inside))
