"""A product's rows with stable keys instead of inventory columns, so they outlive a data version.

A compiled product (footprint.compiled) names columns of one unit inventory; a new factor year
brings a new inventory with other columns. Keyed rows name what each row draws on in words
that stay true across data versions:

    process|<process id>                      a background process
    flow|<flow id>                            a direct emission
    electricity|<region>|<basis>|<year>       grid electricity as the BOM line asked for it;
                                              the year is empty when the line took the newest

Under a target data version each distinct key is chosen again exactly as resolving the BOM
would choose it (``electricity_factor`` with the line's own region, year and basis), then the
rows are scored with NumPy only. Keys are few (hundreds) however many products there are, so
this costs one dictionary lookup per key, not per row.

Rows are only reused under a registry whose ``resolution_fingerprint`` equals the one they
were compiled under: then every other line resolves to the same process and quantity.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ..compiled import N_STAGES, expand_rows
from ..model import STAGES
from ..resolve import electricity_factor

# stored row layout: top-level line, stage, key id, quantity (15 bytes a row, little-endian)
ROW = np.dtype([("line", "<u2"), ("stage", "u1"), ("key", "<u4"), ("quantity", "<f8")])


def stable_key(resolved_line) -> str:
    if resolved_line.request is not None:
        region, year, basis = resolved_line.request
        return f"electricity|{region}|{basis}|{'' if year is None else year}"
    if resolved_line.process_id is not None:
        return f"process|{resolved_line.process_id}"
    return f"flow|{resolved_line.flow}"


def describe_line(line) -> str:
    """A top-level line as a report names it: its input (or emission) and stage."""
    what = line.input if line.input is not None else f"emission:{line.emission}"
    return f"{what} ({line.stage})"


@dataclass(frozen=True)
class KeyedBom:
    """One product's rows with keys as text (before the store numbers the keys)."""

    rows: list[tuple[int, int, str, float]]
    n_lines: int
    boundary: int  # bit i set: stage i is inside the product's system boundary
    lines: tuple[str, ...]  # describe_line of each top-level line
    region: str
    category: str

    def packed(self, key_ids: dict[str, int]) -> bytes:
        array = np.empty(len(self.rows), dtype=ROW)
        for i, (line, stage, key, quantity) in enumerate(self.rows):
            array[i] = (line, stage, key_ids[key], quantity)
        return array.tobytes()


def keyed_bom(resolved) -> KeyedBom:
    flat: list = []
    expand_rows(flat, resolved, stable_key)
    rows = [tuple(flat[i:i + 4]) for i in range(0, len(flat), 4)]
    inside = resolved.bom.boundary_stages
    return KeyedBom(rows, len(resolved.lines),
                    sum(1 << i for i, s in enumerate(STAGES) if s in inside),
                    tuple(describe_line(rl.line) for rl in resolved.lines),
                    resolved.bom.region, resolved.bom.product["category"])


class KeyColumns:
    """Key id -> column of one engine's unit inventory (-1 where the key cannot be resolved
    under that data version, with the reason in ``problems``)."""

    def __init__(self, engine):
        self.registry = engine.registry
        self.inventory = engine.inventory
        self.columns = np.zeros(0, dtype=np.int64)
        self.problems: dict[int, str] = {}

    def update(self, keys: dict[int, str]) -> np.ndarray:
        """Resolve the keys not seen yet; returns the column of every key id so far."""
        top = max(keys, default=-1) + 1
        if top > len(self.columns):
            grown = np.full(top, -2, dtype=np.int64)  # -2: not resolved yet
            grown[:len(self.columns)] = self.columns
            self.columns = grown
        for key_id, key in keys.items():
            if self.columns[key_id] == -2:
                self.columns[key_id] = self._column(key_id, key)
        return self.columns

    def _column(self, key_id: int, key: str) -> int:
        inventory = self.inventory
        kind, _, rest = key.partition("|")
        try:
            if kind == "process":
                return inventory.row[rest]
            if kind == "flow":
                return len(inventory.process_ids) + inventory.column[rest]
            if kind == "electricity":
                region, basis, year = rest.split("|")
                factor, _ = electricity_factor(self.registry, region,
                                               int(year) if year else None, basis)
                return inventory.row[factor.process_id]
        except KeyError as exc:
            self.problems[key_id] = f"{key}: {exc.args[0]!r} is not in data version " \
                                    f"{self.registry.data_version_name}"
            return -1
        except LookupError as exc:
            self.problems[key_id] = str(exc)
            return -1
        self.problems[key_id] = f"unknown row key {key!r}"
        return -1


class KeptRows:
    """Stored keyed rows of many products, parsed once and scored under any data version:
    only the key -> column mapping differs between versions."""

    def __init__(self, blobs: list[bytes], n_lines: list[int], boundaries: list[int]):
        from ..compiled import CompiledBatch

        n = len(blobs)
        rows = np.frombuffer(b"".join(blobs), dtype=ROW)
        counts = np.fromiter(map(len, blobs), dtype=np.int64, count=n) // ROW.itemsize
        self.keys = rows["key"].astype(np.int64)
        self.product = np.repeat(np.arange(n), counts)
        self.n_products = n
        bits = np.asarray(boundaries, dtype=np.int64)
        table = np.zeros((len(rows), 4))
        table[:, 0] = rows["line"]
        table[:, 1] = rows["stage"]
        table[:, 3] = rows["quantity"]
        self._batch = CompiledBatch.__new__(CompiledBatch)
        self._batch._build(table, counts, np.asarray(n_lines, dtype=np.int64),
                           (bits[:, None] >> np.arange(N_STAGES)) & 1 == 1)

    def batch(self, key_columns: np.ndarray):
        """(CompiledBatch, ok): the rows mapped to ``key_columns``; ``ok`` is False for a
        product with a row whose key has no column under that version (its score is
        meaningless and must be discarded)."""
        columns = key_columns[self.keys]
        ok = np.ones(self.n_products, dtype=bool)
        ok[self.product[columns < 0]] = False
        batch = copy.copy(self._batch)
        batch.column = np.where(columns < 0, 0, columns).astype(np.int32)
        return batch, ok


def rows_to_batch(blobs: list[bytes], n_lines: list[int], boundaries: list[int],
                  key_columns: np.ndarray):
    """``KeptRows(...).batch(key_columns)`` for rows scored under one version only."""
    return KeptRows(blobs, n_lines, boundaries).batch(key_columns)
