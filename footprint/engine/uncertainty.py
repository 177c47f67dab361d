"""How uncertain a footprint is: lognormal Monte Carlo over its lines' factors and amounts.

A footprint is linear in its lines: ``total = sum_l co2e_l``, where ``co2e_l`` is the line's
amount times its factor's unit score. Each is given a lognormal multiplier with median 1
(``loc = ln(value)``, as Brightway and ecoinvent write a lognormal, ../shared/reference
QUALITY.md §4.2), so one draw of the total is

    total_d = sum_l co2e_l x exp(s_amount_l z_l,d) x exp(s_factor_l z_f(l),d)

with z standard normal. Draws of one factor are shared by every line and every product that
uses it (a grid factor that is high is high for all), draws of amounts are each line's own.

The sigmas come from the ecoinvent pedigree approach (QUALITY.md §3.4: ``sigma = sqrt(sum of
ln(U)^2) / 2`` over the basic uncertainty and the five indicators' factors, v3 table §3.2):

- a factor whose source publishes an uncertainty range (Source.range): that range, read as a
  95 % interval, with the pedigree terms of its temporal, geographical and technological
  ratings (``range_sigma``);
- any other factor: basic U by its dominant gas (§3.5: CO2 and aggregated CO2e 1.05, CH4 and
  N2O 1.5); temporal, geographical and further technological scores are the line's data-quality ratings
  (engine.quality, PACT's 1-5 read as the pedigree's 1-5); reliability and completeness from
  the factor's confidence (high 2, medium 3, low or unstated 4, the worst word its source
  uses: our mapping, documented in docs/data-quality.md).
- an amount: basic U 1.05 (demand of materials, energy, services) or 2.0 for transport in tkm
  (§3.5); reliability 2 for a primary line (measured, with evidence) else 3; the other
  indicators 1 (the amount is this product's own, now, here).

``summarise`` gives P5, P50 and P95 of a batch's results from one seeded set of draws (the
engine puts them in every result as ``uncertainty``, inside its reproducibility hash); the
same seed gives the same figures, and a product's figures do not depend on which other
products share its batch (each factor's and each product's draws come from their own seeded
streams).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..data import range_sigma_of
from ..dataquality import DRAWS, RANGE_METHOD, SEED
from .result import canonical_json

PERCENTILES = (5, 50, 95)

# ecoinvent v3 pedigree factors U (GSD^2), score 1..5 (QUALITY.md §3.2, Weidema et al. 2013)
PEDIGREE = {
    "reliability": (1.00, 1.05, 1.10, 1.20, 1.50),
    "completeness": (1.00, 1.02, 1.05, 1.10, 1.20),
    "temporal": (1.00, 1.03, 1.10, 1.20, 1.50),
    "geographical": (1.00, 1.01, 1.02, 1.05, 1.10),
    "technological": (1.00, 1.05, 1.20, 1.50, 2.00),
}
BASIC_FACTOR = {"CO2": 1.05, "CO2e": 1.05, "CH4": 1.5, "N2O": 1.5}  # §3.5, air emissions
BASIC_AMOUNT, BASIC_TRANSPORT = 1.05, 2.0  # §3.5, demand of goods and energy; transport
CONFIDENCE_SCORE = {"high": 2, "medium": 3, "low": 4}  # reliability and completeness
METHOD = str(RANGE_METHOD)  # a plain string in the result (and its hash)


def sigma(basic: float, scores: dict[str, float]) -> float:
    """The lognormal's sigma from a basic uncertainty and pedigree scores (QUALITY.md §3.4).
    A weighted score (a sub-assembly's, 2.4) reads between its neighbours' ln(U)."""
    return _sigma(basic, tuple(scores.items()))


@lru_cache(maxsize=8192)  # few distinct scores recur on every line of every BOM
def _sigma(basic: float, scores: tuple) -> float:
    logs = [math.log(basic)] + [_log_factor(PEDIGREE[k], s) for k, s in scores]
    return math.sqrt(sum(x * x for x in logs)) / 2


def _log_factor(factors: tuple, score: float) -> float:
    low = min(max(int(math.floor(score)), 1), 5)
    high = min(low + 1, 5)
    part = min(max(score - low, 0.0), 1.0)
    return (1 - part) * math.log(factors[low - 1]) + part * math.log(factors[high - 1])


@dataclass(frozen=True)
class LineUncertainty:
    co2e: float
    factor: str  # whose draws the line shares: the process, flow or label it uses
    sigma_factor: float
    sigma_amount: float


def range_sigma(published: tuple[float, float], representativeness: dict) -> float:
    """A factor whose source publishes its range: the range, read as the 2.5th-97.5th
    percentiles (IPCC's 95 % interval), is the basic uncertainty, ``ln(high/low) / (2 x 1.96)``,
    in place of the basic factor and the reliability and completeness scores it speaks for;
    the line's temporal, geographical and technological ratings still add their pedigree
    terms, as the range says nothing of how well the factor fits this product."""
    basic = range_sigma_of(published)
    pedigree = sigma(1.0, representativeness)
    return math.sqrt(basic * basic + pedigree * pedigree)


def _published_range(line: dict, registry) -> tuple[float, float] | None:
    process = registry.processes.get(line.get("factor") or "")
    return process.source.range if process is not None else None


def _dominant_gas(line: dict, registry, cf: dict) -> str:
    """The gas with the largest CO2e share of the line's factor."""
    factor = line.get("factor")
    process = registry.processes.get(factor) if factor else None
    if process is None:
        flow = registry.flows.get(line.get("input", "").removeprefix("emission:"))
        electricity = factor and factor.startswith("electricity/")
        return "CO2" if electricity or flow is None else _formula(flow)
    weighed = [(abs(amount * cf.get(flow, 0.0)), flow) for flow, amount in process.emissions]
    if not weighed:
        return "CO2e"
    return _formula(registry.flows[max(weighed)[1]])


def _formula(flow) -> str:
    """CO2_fossil -> CO2, CH4_non_fossil -> CH4, N2O; anything else counts as CO2e."""
    head = flow.id.split("_")[0]
    return head if head in BASIC_FACTOR else "CO2e"


def _confidence(line: dict, sources: dict) -> int:
    """The worst confidence word the factor's source uses ("2021 medium ...; 2022 high"
    reads medium); 4 where it says none."""
    words = set((sources.get(line.get("factor")) or "").lower().replace(";", " ").split())
    return max((s for word, s in CONFIDENCE_SCORE.items() if word in words), default=4)


def lines_of(result: dict, registry) -> list[LineUncertainty]:
    """Each in-boundary line of a result with its factor's and its amount's sigma."""
    return [line for line in line_spreads(result, registry)
            if line is not None and line.co2e]


def line_spreads(result: dict, registry) -> list[LineUncertainty | None]:
    """Per line of ``by_input``: its sigmas, None where it is outside the boundary. A
    recalculation keeps them beside the product's rows and draws again with new kg CO2e."""
    method = result["method"]["id"]
    sources = {f["process"]: (f.get("source") or {}).get("confidence", "")
               for f in result.get("factors") or []}
    # a line's sigmas follow from what it draws on and how it is rated, not its amount:
    # worked out once per such description and registry (registry.known)
    known = registry.known("line spread")
    found: list[LineUncertainty | None] = []
    for line in result["by_input"]:
        if not line.get("in_boundary", True):
            found.append(None)
            continue
        dqr = line.get("dqr") or {"technological": 5, "geographical": 5, "temporal": 5}
        label = (line.get("supplier_label") or {}).get("id")
        described = (method, label, line.get("factor"), str(line.get("input")),
                     sources.get(line.get("factor")), dqr["temporal"], dqr["geographical"],
                     dqr["technological"], line.get("unit"), bool(line.get("primary")))
        if described not in known:
            known[described] = _sigmas(line, label, dqr, sources, registry, method)
        found.append(LineUncertainty(line["kg_co2e"], *known[described]))
    return found


def _sigmas(line: dict, label, dqr: dict, sources: dict, registry,
            method: str) -> tuple[str, float, float]:
    """(whose draws the line shares, its factor's sigma, its amount's sigma)."""
    key = label or line.get("factor") or str(line.get("input"))
    reliability = 2 if label else _confidence(line, sources)
    representativeness = {"temporal": dqr["temporal"], "geographical": dqr["geographical"],
                          "technological": dqr["technological"]}
    published = None if label else _published_range(line, registry)
    if published:
        factor_sigma = range_sigma(published, representativeness)
    else:
        cf = dict(registry.methods[method].factors)
        factor_sigma = sigma(BASIC_FACTOR[_dominant_gas(line, registry, cf)], {
            "reliability": reliability, "completeness": reliability, **representativeness})
    basic = BASIC_TRANSPORT if line.get("unit") in ("tkm", "kgkm") else BASIC_AMOUNT
    amount_sigma = sigma(basic, {"reliability": 2 if line.get("primary") else 3})
    return key, factor_sigma, amount_sigma


def _stream(seed: int, key: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


@lru_cache(maxsize=4096)
def _factor_draws(seed: int, factor: str, draws: int) -> np.ndarray:
    """A factor's own draws: the same for every product and batch, so made once (a seeded
    generator costs more to start than its thousand draws)."""
    drawn = _stream(seed, f"factor:{factor}").standard_normal(draws, dtype=np.float32)
    drawn.flags.writeable = False
    return drawn


def draw_totals(batch: list[list[LineUncertainty]], keys: list[str], draws: int = DRAWS,
                seed: int = SEED) -> np.ndarray:
    """Totals of each product in each draw (products x draws). ``keys`` name the products'
    own streams (their reproducibility hashes), so a product draws the same in any batch."""
    # The multipliers are worked in float32 (7 significant digits, far finer than the Monte
    # Carlo error of a percentile; its exp is several times faster) and summed in float64.
    factors = sorted({line.factor for lines in batch for line in lines})
    shared = {f: _factor_draws(seed, f, draws) for f in factors}
    totals = np.zeros((len(batch), draws))
    # a line beyond float32 (3.4e38 kg) overflows to infinity here, quietly: the engine then
    # refuses the result with a located problem (result.check_finite) rather than a warning
    with np.errstate(over="ignore", invalid="ignore"):
        for p, (lines, key) in enumerate(zip(batch, keys)):
            if not lines:
                continue
            work = _stream(seed, f"product:{key}").standard_normal((len(lines), draws),
                                                                   dtype=np.float32)
            co2e = np.array([line.co2e for line in lines], dtype=np.float32)[:, None]
            s_amount = np.array([line.sigma_amount for line in lines],
                                dtype=np.float32)[:, None]
            s_factor = np.array([line.sigma_factor for line in lines],
                                dtype=np.float32)[:, None]
            work *= s_amount
            work += s_factor * np.stack([shared[line.factor] for line in lines])
            np.exp(work, out=work)
            work *= co2e
            totals[p] = work.sum(axis=0, dtype=np.float64)
    return totals


def summarise(results: list[dict], registry, draws: int = DRAWS, seed: int = SEED,
              keys: list[str] | None = None) -> list[dict]:
    """P5, P50 and P95 (kg CO2e per declared unit) of each result, with the draws and seed.
    ``keys`` name each product's own stream (default: its reproducibility hash)."""
    batch = [lines_of(result, registry) for result in results]
    keys = keys or [result.get("reproducibility_hash", str(i))
                    for i, result in enumerate(results)]
    return [spread(row, draws, seed) for row in draw_totals(batch, keys, draws, seed)]


def spread(totals: np.ndarray, draws: int = DRAWS, seed: int = SEED) -> dict:
    """A result's ``uncertainty`` from one product's drawn totals."""
    with np.errstate(invalid="ignore"):  # infinite draws: refused by result.check_finite
        low, mid, high = np.percentile(totals, PERCENTILES)
    return {"p5": significant(low), "p50": significant(mid), "p95": significant(high),
            "draws": draws, "seed": seed, "method": METHOD}


def significant(value: float) -> float:
    """A percentile to 6 significant digits: the draws' own precision is far coarser, and a
    result's reproducibility hash must not hang on the last bits of a vectorised exp."""
    return float(f"{value:.6g}")


def stream_key(resolved) -> str:
    """The name of a product's own stream: its resolved BOM, so its range does not depend on
    the batch it is calculated in, nor on the run that recalculates it."""
    return hashlib.sha256(canonical_json(resolved.canonical()).encode()).hexdigest()
