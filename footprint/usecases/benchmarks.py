"""Benchmarks from verified data: per category and declared unit, the distribution of current
verified footprints (every valid label of this platform: verified by an accounting body,
approved, neither superseded, revoked nor expired), and grade bands derived from it.

Quantiles are Hyndman and Fan's type 7 (linear interpolation between order statistics; R's
default, NumPy's ``linear``, Excel's PERCENTILE.INC): for sorted values x[0..n-1] the
p-quantile is x[h] interpolated at h = (n - 1) p. Python's ``statistics.quantiles(values, n,
method="inclusive")`` computes exactly these, and needs two values at least.

When a category's and unit's benchmark counts at least the platform's threshold
(FOOTPRINT_BENCHMARK_MIN_N) the administrator may adopt bands from it: A up to P20, B up to
P40, C up to P60, D up to P80, E above. An adoption is a version (store.grade_bands), signed
as a ``grade-bands`` document and recorded in the transparency log, and every label issued
after it is graded with those bands (``grade_at_issue``) and says so.
"""
from __future__ import annotations

import dataclasses
import itertools
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import clock, display
from ..errors import Conflict, Forbidden, InvalidInput, Message, NotFound, Problem
from ..labels import current_key
from ..labels.documents import sign_document
from ..model import GradeBand, Grading
from ..settings import benchmark_threshold
from ..store import grade_bands as stored_bands
from ..store import registry as stored
from ..store.db import transaction
from ..translog import TransparencyLog
from ..translog.entries import record_entry

# said in the reader's language by the command line; JSON and the open data hold the English
QUANTILE_METHOD = Message("Hyndman-Fan type 7 (linear interpolation, (n - 1) p)")
GRADES = ("A", "B", "C", "D", "E")
# what each band of benchmark bands means: where the product stands among verified ones
BAND_NAMES = {"A": ("最低的 20%", "lowest 20 %"), "B": ("20%–40%", "20-40 %"),
              "C": ("40%–60%", "40-60 %"), "D": ("60%–80%", "60-80 %"),
              "E": ("最高的 20%", "highest 20 %")}


@dataclass(frozen=True)
class Distribution:
    category: str
    declared_unit: str
    n: int
    minimum: float
    maximum: float
    quartiles: tuple[float, float, float] | None  # Q1, median, Q3; None when n < 2
    cuts: tuple[float, float, float, float] | None  # P20, P40, P60, P80; None when n < 2

    def as_dict(self) -> dict:
        return {**asdict(self), "quantile_method": QUANTILE_METHOD}


def distribution(category: str, declared_unit: str, values: list[float]) -> Distribution:
    """The distribution of ``values`` (kg CO2e per declared unit)."""
    ordered = sorted(values)
    quartiles = cuts = None
    if len(ordered) >= 2:
        quartiles = tuple(statistics.quantiles(ordered, n=4, method="inclusive"))
        cuts = tuple(statistics.quantiles(ordered, n=5, method="inclusive"))
    return Distribution(category, declared_unit, len(ordered), ordered[0], ordered[-1],
                        quartiles, cuts)


# the last distributions worked out, by what they were worked out from
_last: dict = {}


def distributions(db) -> list[Distribution]:
    """Every category's and declared unit's distribution of current verified footprints.

    Reading every current value costs tens of milliseconds on 100,000 labels, so the last
    answer is kept while no label is issued, superseded or revoked, for the minute (a label
    that expires leaves the benchmark within a minute)."""
    now = clock.now()
    key = (stored.fingerprint(db), now.replace(second=0))
    if key not in _last:
        groups = itertools.groupby(stored.current_values(db, clock.stamp(now)),
                                   key=lambda row: (row[0], row[1]))
        _last.clear()
        _last[key] = [distribution(category, unit, [row[2] for row in rows])
                      for (category, unit), rows in groups]
    return _last[key]


def of(db, category: str, declared_unit: str) -> Distribution | None:
    values = stored.current_values_of(db, category, declared_unit, clock.stamp())
    return distribution(category, declared_unit, values) if values else None


def bands_from(found: Distribution) -> list[list]:
    """[[grade, up_to], ...]: A to D up to the cut points (inclusive) to 3 significant
    figures, as labels state footprints and pages show bounds, E above."""
    ups = [float(display.significant(cut, 3)) for cut in found.cuts]
    return [[grade, up] for grade, up in zip(GRADES, [*ups, None])]


def adopt(db, home: Path, user: dict | None, registry, category: str,
          declared_unit: str) -> dict:
    """Adopt grade bands derived from the benchmark of ``category`` and ``declared_unit``:
    an administrator (or the operator, ``user`` None) only, when the benchmark counts at
    least the threshold. Signed, logged and stored as the next version; returns it."""
    if user is not None and user["role"] != "admin":
        raise Forbidden(Message("only an administrator may adopt grade bands"))
    known = registry.categories.get(category)
    if known is None:
        raise InvalidInput([Problem("category", Message("unknown category"))])
    if known.grading is None:
        raise InvalidInput([Problem("category", Message(
            "this category is not graded, so it has no bands to replace"))])
    found = of(db, category, declared_unit)
    threshold = benchmark_threshold()
    if found is None or found.n < max(threshold, 2):
        raise Conflict(Message("the benchmark counts %(n)s verified products; bands may be "
                               "derived from it from %(threshold)s", n=found.n if found else 0,
                               threshold=threshold))
    at = clock.now()
    bands = bands_from(found)
    previous = stored_bands.current(db, category, declared_unit)
    version = previous["version"] + 1 if previous else 1
    body = {"category": category, "declared_unit": declared_unit, "version": version,
            "bands": bands, "benchmark": found.as_dict(), "as_of": at.date().isoformat()}
    document = sign_document("grade-bands", body, current_key(home), now=at)
    with transaction(db):
        index = TransparencyLog(db).append(
            "record", None,
            record_entry("grade-bands", f"{category}/{declared_unit}/{version}", document, at))
        version_id = stored_bands.insert(
            db, category, declared_unit, bands, found.n, body["as_of"], found.as_dict(),
            document, index, user["id"] if user else None, clock.stamp(at))
    return stored_bands.get(db, version_id)


def versions(db) -> list[dict]:
    """Every adoption, newest first."""
    return stored_bands.every(db)


def version(db, version_id: int) -> dict:
    found = stored_bands.get(db, version_id)
    if found is None:
        raise NotFound(Message("no such grade bands"))
    return found


def grade_of(bands: list, per_unit: float) -> str:
    for grade, up_to in bands:
        if up_to is None or per_unit <= up_to:
            return grade
    return bands[-1][0]


def grade_at_issue(db, result: dict) -> dict | None:
    """The grade a label of ``result`` gets from adopted benchmark bands, or None when none
    are adopted for its category and unit (or its category's bands do not apply to it:
    the engine then gave it no grade): {"grade", "provisional": False, "benchmark": {"id",
    "version", "n", "as_of"}}."""
    if not result.get("grade"):
        return None
    unit = result["declared_unit"]
    adopted = stored_bands.current(db, result["category"]["id"], unit["unit"])
    if adopted is None or not unit["amount"]:
        return None
    return {"grade": grade_of(adopted["bands"], result["total_kg_co2e"] / unit["amount"]),
            "provisional": False,
            "benchmark": {"id": adopted["id"], "version": adopted["version"], "n": adopted["n"],
                      "as_of": adopted["as_of"]}}


def grading_for(db, label: dict | None, category_grading: Grading | None) -> Grading | None:
    """The bands that graded ``label`` (this platform's stored label, or None): the adopted
    benchmark bands it names, else ``category_grading``."""
    adopted = ((label or {}).get("record") or {}).get("grade_bands")
    found = stored_bands.get(db, adopted["id"]) if adopted else None
    if found is None or category_grading is None:
        return category_grading
    bands = tuple(GradeBand(grade, up_to, *BAND_NAMES.get(grade, ("", "")))
                  for grade, up_to in found["bands"])
    return dataclasses.replace(
        category_grading, bands=bands, provisional=False,
        rationale=f"benchmark of {found['n']} verified products, {found['as_of']}: "
                  f"A to D up to its P20, P40, P60 and P80",
        rationale_zh=f"平台 {found['n']} 个已核查产品的基准（{found['as_of']}）："
                     f"A 至 D 的上限依次为其第 20、40、60、80 百分位")
