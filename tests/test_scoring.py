"""The compiled batch scorer gives the same numbers as the row-by-row scorer it replaced."""
from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from footprint.bom import parse_bom
from footprint.engine.compiled import CompiledBatch, CompiledBom, compile_bom
from footprint.model import STAGES
from footprint.engine.resolve import ResolvedBom
from footprint.engine.reference import ReferenceCalculator
from footprint.engine.scoring import score, score_rows
from footprint.recalc.keyed import KeptRows, KeyColumns, keyed_bom

REPO = Path(__file__).resolve().parent.parent
STAGE_INDEX = {stage: i for i, stage in enumerate(STAGES)}


def legacy_score(batch: list[ResolvedBom], inventory, cf):
    """The scorer as it was: every line flattened in Python, flows as a dense row table."""
    rows = {k: [] for k in ("product", "line", "stage", "process", "flow", "quantity")}

    def add(**row):
        for key, value in row.items():
            rows[key].append(value)

    def expand(p, resolved, line=None, stage=None, scale=1.0):
        inside = resolved.bom.boundary_stages
        for rl in resolved.lines:
            if line is None:
                line_index, stage_index = rl.line.index, STAGE_INDEX[rl.line.stage]
            elif rl.line.stage not in inside:
                continue
            else:
                line_index, stage_index = line, stage
            quantity = scale * rl.quantity
            if rl.process_id is not None:
                add(product=p, line=line_index, stage=stage_index,
                    process=inventory.row[rl.process_id], flow=-1, quantity=quantity)
            elif rl.flow is not None:
                add(product=p, line=line_index, stage=stage_index, process=-1,
                    flow=inventory.column[rl.flow], quantity=quantity)
            else:
                expand(p, rl.sub, line_index, stage_index, quantity)

    for p, resolved in enumerate(batch):
        expand(p, resolved)
    product = np.array(rows["product"], dtype=np.int64)
    stage = np.array(rows["stage"], dtype=np.int64)
    process = np.array(rows["process"], dtype=np.int64)
    flow = np.array(rows["flow"], dtype=np.int64)
    quantity = np.array(rows["quantity"], dtype=np.float64)
    n_products, n_flows, n_stages = len(batch), len(inventory.flow_ids), len(STAGES)
    flows = np.zeros((len(quantity), n_flows))
    background = process >= 0
    flows[background] = inventory.per_unit[process[background]] * quantity[background, None]
    direct = np.flatnonzero(~background)
    flows[direct, flow[direct]] = quantity[direct]
    co2e = flows @ cf
    boundary = np.array([[s in r.bom.boundary_stages for s in STAGES] for r in batch])
    inside = boundary[product, stage]
    total = np.bincount(product[inside], weights=co2e[inside], minlength=n_products)
    by_stage = np.bincount(product * n_stages + stage, weights=co2e,
                           minlength=n_products * n_stages).reshape(n_products, n_stages)
    gas_mass = np.zeros((n_products, n_flows))
    np.add.at(gas_mass, product[inside], flows[inside])
    line_counts = np.array([len(r.lines) for r in batch], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(line_counts)))
    line_sums = np.bincount(offsets[product] + np.array(rows["line"], dtype=np.int64),
                            weights=co2e, minlength=int(offsets[-1]))
    return total, by_stage, gas_mass, [line_sums[offsets[p]:offsets[p + 1]]
                                       for p in range(n_products)]


def _load_recalc():
    spec = importlib.util.spec_from_file_location("bench_recalc", REPO / "benchmarks/recalc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def batch(engine):
    """Synthetic products: electricity in many provinces and years, the category plugins'
    processes, direct emissions, end-of-life lines outside (and inside) the boundary, and
    sub-assemblies (nested, with lines outside their own boundary)."""
    recalc = _load_recalc()
    boms = recalc.realistic_boms(engine.registry, 300, seed=11)
    subs = recalc.sub_assembly_boms(engine.registry)
    products = recalc.DictProducts(subs)
    resolved = [engine.resolve(parse_bom(b), products) for b in boms]
    assert sum(any(rl.sub for rl in r.lines) for r in resolved) > 20
    assert sum(any(rl.flow for rl in r.lines) for r in resolved) > 20
    assert sum(r.bom.system_boundary == "cradle_to_gate" and
               any(rl.line.stage == "end_of_life" for rl in r.lines) for r in resolved) > 10
    return resolved


def assert_same(new, old, rel=1e-12):
    total, by_stage, gas_mass, by_line = old
    scale = max(1.0, float(np.abs(total).max()))
    np.testing.assert_allclose(new.total, total, rtol=rel, atol=rel * scale)
    np.testing.assert_allclose(new.by_stage, by_stage, rtol=rel, atol=rel * scale)
    np.testing.assert_allclose(new.gas_mass, gas_mass, rtol=rel,
                               atol=rel * max(1.0, float(np.abs(gas_mass).max())))
    assert len(new.by_line) == len(by_line)
    for mine, theirs in zip(new.by_line, by_line):
        np.testing.assert_allclose(mine, theirs, rtol=rel, atol=rel * scale)


@pytest.mark.parametrize("method", ["ar6", "ar5"])
def test_same_as_row_by_row_scorer(engine, batch, method):
    cf = engine.inventory.factors[method]
    assert_same(score(batch, engine.inventory, cf), legacy_score(batch, engine.inventory, cf))
    assert_same(engine.score_many(batch, method), legacy_score(batch, engine.inventory, cf))


def test_lines_sum_to_stages_and_totals(engine, batch):
    scores = engine.score_many(batch)
    for p, resolved in enumerate(batch):
        lines = scores.by_line[p]
        assert len(lines) == len(resolved.lines)
        assert lines.sum() == pytest.approx(scores.by_stage[p].sum(), rel=1e-12, abs=1e-12)
        inside = [s in resolved.bom.boundary_stages for s in STAGES]
        assert scores.total[p] == pytest.approx(scores.by_stage[p][inside].sum(), rel=1e-12,
                                                abs=1e-12)


def test_chunks_give_the_same_numbers(engine, batch):
    cf = engine.inventory.factors["ar6"]
    whole = score(batch, engine.inventory, cf)
    chunked = score(batch, engine.inventory, cf, chunk=7)
    np.testing.assert_array_equal(chunked.total, whole.total)
    np.testing.assert_array_equal(chunked.by_stage, whole.by_stage)
    np.testing.assert_allclose(chunked.gas_mass, whole.gas_mass, rtol=1e-14)
    for a, b in zip(chunked.by_line, whole.by_line):
        np.testing.assert_array_equal(a, b)
    assert chunked.by_line[-1] is not None and len(chunked.by_line[-3:]) == 3


def test_compiled_once_and_rescored_under_new_factors(engine, batch):
    inventory = engine.inventory
    first = compile_bom(batch[0], inventory)
    assert compile_bom(batch[0], inventory) is first
    other = copy.copy(inventory)
    other.__post_init__()  # another inventory (e.g. another data version): compiled again
    assert compile_bom(batch[0], other) is not first
    compiled = CompiledBatch.from_boms(batch, inventory)
    new_cf = inventory.factors["ar6"] * np.linspace(0.8, 1.2, len(inventory.flow_ids))
    assert_same(score_rows(compiled, inventory, new_cf), legacy_score(batch, inventory, new_cf))


def test_matches_brightway_on_a_sample(engine, batch, footprint_home):
    reference = ReferenceCalculator(footprint_home, engine.registry)
    scores = engine.score_many(batch[:8])
    for p, resolved in enumerate(batch[:8]):
        assert scores.total[p] == pytest.approx(reference.score(resolved, "ar6"), rel=1e-9)


def test_empty_batch_and_product_without_rows(engine, make_bom):
    cf = engine.inventory.factors["ar6"]
    empty = score([], engine.inventory, cf)
    assert empty.total.shape == (0,) and len(empty.by_line) == 0
    only_eol = engine.resolve(parse_bom(make_bom(lines=[
        {"input": "diesel", "amount": 2, "unit": "kg", "stage": "end_of_life"}])))
    scores = score([only_eol], engine.inventory, cf)
    assert scores.total[0] == 0.0 and scores.by_stage[0][-1] > 0
    assert_same(scores, legacy_score([only_eol], engine.inventory, cf))


def test_packed_rows_score_the_same(engine, batch):
    inventory, cf = engine.inventory, engine.inventory.factors["ar5"]
    compiled = [compile_bom(r, inventory) for r in batch]
    packed = [c.pack() for c in compiled]
    assert all(np.array_equal(CompiledBom.unpack(*p).rows, c.rows) and
               CompiledBom.unpack(*p).boundary == c.boundary for p, c in zip(packed, compiled))
    again = score_rows(CompiledBatch.from_packed(packed), inventory, cf)
    whole = score_rows(CompiledBatch(compiled), inventory, cf)
    np.testing.assert_array_equal(again.total, whole.total)
    np.testing.assert_array_equal(again.by_stage, whole.by_stage)
    np.testing.assert_array_equal(again.gas_mass, whole.gas_mass)
    for a, b in zip(again.by_line, whole.by_line):
        np.testing.assert_array_equal(a, b)


def test_kept_rows_rebuilt_as_a_batch_score_to_the_last_bit(engine, batch):
    # a recalculation keeps rows with stable keys (footprint.recalc.keyed) and rebuilds a
    # CompiledBatch from them: the same rows, so the very same figures
    inventory, cf = engine.inventory, engine.inventory.factors["ar6"]
    keyed = [keyed_bom(r) for r in batch]
    key_ids = {key: i for i, key in enumerate(sorted({row[2] for kb in keyed for row in kb.rows}))}
    columns = KeyColumns(engine).update({i: key for key, i in key_ids.items()})
    rebuilt, ok = KeptRows([kb.packed(key_ids) for kb in keyed], [kb.n_lines for kb in keyed],
                           [kb.boundary for kb in keyed]).batch(columns)
    assert ok.all()
    again, whole = score_rows(rebuilt, inventory, cf), score(batch, inventory, cf)
    np.testing.assert_array_equal(again.total, whole.total)
    np.testing.assert_array_equal(again.by_stage, whole.by_stage)
    np.testing.assert_array_equal(again.gas_mass, whole.gas_mass)
    for a, b in zip(again.by_line, whole.by_line):
        np.testing.assert_array_equal(a, b)
