"""A product's rows with stable keys instead of inventory columns, so they outlive a data version.

A compiled product (footprint.engine.compiled) names columns of one unit inventory; a new
factor year brings a new inventory with other columns. Keyed rows name what each row draws
on in words that stay true across data versions:

    process|<process id>                      a background process
    flow|<flow id>                            a direct emission
    label|<label id>                          a supplier's label: quantity in kg CO2e
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

from dataclasses import dataclass

import numpy as np

from ..engine.compiled import N_STAGES, CompiledBatch, expand_rows, the_line
from ..engine.resolve import electricity_factor
from ..engine.uncertainty import line_spreads, stream_key
from ..model import STAGES
from ..store import footprints as store_footprints

# stored row layout: top-level line, stage, key id, quantity (15 bytes a row, little-endian)
ROW = np.dtype([("line", "<u2"), ("stage", "u1"), ("key", "<u4"), ("quantity", "<f8")])
# stored spread: the product's stream (32 bytes of SHA-256), then per top-level line the id of
# the key its factor's draws are shared under ("draw|<key>"; 0 outside the boundary) and its
# factor's and amount's sigmas (footprint.engine.uncertainty)
SPREAD = np.dtype([("key", "<u4"), ("sigma_factor", "<f8"), ("sigma_amount", "<f8")])
DRAW_PREFIX = "draw|"


def stable_key(resolved_line) -> str:
    if resolved_line.label is not None:  # kg CO2e as the supplier's label signs it
        return f"label|{resolved_line.label.id}"
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
    # per top-level line: (the key its factor is drawn under, sigma of the factor, sigma of
    # the amount), None outside the boundary; None for the whole when no result was at hand
    spread: tuple | None = None
    stream: str = ""  # the product's own stream (footprint.engine.uncertainty.stream_key)

    @property
    def keys(self) -> set[str]:
        """Every key the product's rows and spread name."""
        return {key for _, _, key, _ in self.rows} | {
            DRAW_PREFIX + line[0] for line in self.spread or () if line is not None}

    def packed(self, key_ids: dict[str, int]) -> bytes:
        array = np.empty(len(self.rows), dtype=ROW)
        for i, (line, stage, key, quantity) in enumerate(self.rows):
            array[i] = (line, stage, key_ids[key], quantity)
        return array.tobytes()

    def packed_spread(self, key_ids: dict[str, int]) -> bytes | None:
        if self.spread is None:
            return None
        array = np.zeros(len(self.spread), dtype=SPREAD)
        for i, line in enumerate(self.spread):
            if line is not None:
                array[i] = (key_ids[DRAW_PREFIX + line[0]], line[1], line[2])
        return bytes.fromhex(self.stream) + array.tobytes()


def keyed_bom(resolved, result: dict | None = None, registry=None) -> KeyedBom:
    """A resolved BOM's rows; with its full ``result`` (and the registry it was calculated
    under) also the sigmas a recalculation draws its range with."""
    flat: list = []
    expand_rows(flat, resolved, the_line)
    rows = [(flat[i], flat[i + 1], stable_key(flat[i + 2]), flat[i + 3])
            for i in range(0, len(flat), 4)]
    inside = resolved.bom.boundary_stages
    # grid electricity is drawn under the factor the target version picks: kept as its row key
    spread = None if result is None else tuple(
        None if line is None else (stable_key(rl) if rl.request is not None else line.factor,
                                   line.sigma_factor, line.sigma_amount)
        for rl, line in zip(resolved.lines, line_spreads(result, registry)))
    return KeyedBom(rows, len(resolved.lines),
                    sum(1 << i for i, s in enumerate(STAGES) if s in inside),
                    tuple(describe_line(rl.line) for rl in resolved.lines),
                    resolved.bom.region, resolved.bom.product["category"], spread,
                    stream_key(resolved) if result is not None else "")


def unpack_spread(blob: bytes | None):
    """(stream, SPREAD array) of a stored spread; None where none is kept."""
    if not blob:
        return None
    return blob[:32].hex(), np.frombuffer(blob, dtype=SPREAD, offset=32)


def keep(db, items) -> None:
    """Store the rows of ``items`` ((submission_id, revision, fingerprint, KeyedBom)) for
    later recalculations, numbering their keys."""
    items = list(items)
    ids = store_footprints.key_ids(db, [key for *_, keyed in items for key in keyed.keys])
    store_footprints.store_compiled(db, [
        (sid, revision, fingerprint, keyed.n_lines, keyed.boundary, keyed.packed(ids),
         keyed.lines, keyed.packed_spread(ids)) for sid, revision, fingerprint, keyed in items])


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

    def unit(self, cf: np.ndarray) -> np.ndarray:
        """kg CO2e per unit of each key id resolved so far: its background process's unit
        inventory . cf, or cf of a directly emitted flow (the same expression the engine
        scores with); 0 where the key has no column (``KeptRows.failing`` names those)."""
        per_unit = np.asarray(self.inventory.per_unit, dtype=np.float64)
        by_column = np.concatenate((per_unit @ cf, cf, (1.0,)))
        return np.where(self.columns < 0, 0.0, by_column[np.maximum(self.columns, 0)])

    def drawn_as(self, name: str) -> str:
        """The name a line's factor draws are shared under in this version: a kept
        electricity row key names the grid factor this version picks for it."""
        if not name.startswith("electricity|"):
            return name
        region, basis, year = name.removeprefix("electricity|").split("|")
        factor, _ = electricity_factor(self.registry, region, int(year) if year else None,
                                       basis)
        return factor.process_id

    def _column(self, key_id: int, key: str) -> int:
        inventory = self.inventory
        kind, _, rest = key.partition("|")
        try:
            if kind == "process":
                return inventory.row[rest]
            if kind == "flow":
                return len(inventory.process_ids) + inventory.column[rest]
            if kind == "label":  # 1 kg CO2e a unit, whatever the data version
                return len(inventory.process_ids) + len(inventory.flow_ids)
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
    only each key's kg CO2e per unit (``KeyColumns.unit``) differs between versions.

    Totals and stages are summed over the rows in the order, and with the per-unit factors,
    that the engine's scoring (footprint.engine.scoring) uses: the same figures to the last bit."""

    def __init__(self, blobs: list[bytes], n_lines: list[int], boundaries: list[int]):
        n = len(blobs)
        rows = np.frombuffer(b"".join(blobs), dtype=ROW)
        counts = np.fromiter(map(len, blobs), dtype=np.int64, count=n) // ROW.itemsize
        self.n_products = n
        self.rows, self.counts = rows, counts
        self.row_offsets = np.concatenate(([0], np.cumsum(counts)))
        self.product = np.repeat(np.arange(n), counts)
        self.keys = rows["key"].astype(np.intp)
        self.quantity = np.ascontiguousarray(rows["quantity"])
        stage = rows["stage"].astype(np.intp)
        self.product_stage = self.product * N_STAGES + stage
        self.boundaries = np.asarray(boundaries, dtype=np.int64)  # bit i: stage i inside
        self.inside = (self.boundaries[self.product] >> stage) & 1 == 1
        self.line_offsets = np.concatenate(([0], np.cumsum(np.asarray(n_lines, dtype=np.int64))))
        self.line = self.line_offsets[self.product] + rows["line"]  # index among all lines

    def failing(self, key_columns: np.ndarray) -> np.ndarray:
        """Per product: True where a row's key has no column under that version (its score is
        meaningless and must be discarded)."""
        missing = key_columns < 0
        if not missing[self.keys].any():
            return np.zeros(self.n_products, dtype=bool)
        return np.bincount(self.product[missing[self.keys]], minlength=self.n_products) > 0

    def co2e(self, unit: np.ndarray) -> np.ndarray:
        """kg CO2e of each row, given each key's kg CO2e per unit."""
        return self.quantity * unit[self.keys]

    def totals(self, co2e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(total inside each product's boundary, kg CO2e by stage). Rows outside the boundary
        add 0.0 to the total, which leaves every partial sum as it was."""
        n = self.n_products
        total = np.bincount(self.product, weights=np.where(self.inside, co2e, 0.0), minlength=n)
        by_stage = np.bincount(self.product_stage, weights=co2e, minlength=n * N_STAGES)
        return total, by_stage.reshape(n, N_STAGES)

    def line_sums(self, weights: np.ndarray) -> np.ndarray:
        """``weights`` of the rows summed per top-level line (products' lines in order)."""
        return np.bincount(self.line, weights=weights, minlength=int(self.line_offsets[-1]))

    def batch(self, key_columns: np.ndarray):
        """(CompiledBatch, ok) for the engine's full scorer: the rows mapped to ``key_columns``;
        ``ok`` is False for a product that ``failing`` names."""
        columns = key_columns[self.keys]
        table = np.zeros((len(self.rows), 4))
        table[:, 0] = self.rows["line"]
        table[:, 1] = self.rows["stage"]
        table[:, 2] = np.where(columns < 0, 0, columns)
        table[:, 3] = self.quantity
        batch = CompiledBatch.__new__(CompiledBatch)
        batch._build(table, self.counts, np.diff(self.line_offsets),
                     (self.boundaries[:, None] >> np.arange(N_STAGES)) & 1 == 1)
        return batch, ~self.failing(key_columns)


def rows_to_batch(blobs: list[bytes], n_lines: list[int], boundaries: list[int],
                  key_columns: np.ndarray):
    """``KeptRows(...).batch(key_columns)`` for rows scored under one version only."""
    return KeptRows(blobs, n_lines, boundaries).batch(key_columns)
