"""The footprints an enterprise carbon account counts (docs/carbon-accounts.md): a submission
with a label this platform issued whose newest label is not revoked (as the transparency log
says; a label superseded by a later year's label still counts for its own year). Its value
"as verified then" is the result its first label signed. Its year is the BOM's
``reference_year``, else the year the submission was made. Where a product has several
counted footprints for one year, the one verified last stands for that year
(``standing``); ``under_current_data`` is its value under the engine's current data version.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..store import carbonaccounts as stored
from ..store import results as store_results
from ..units import UnitError, convert
from . import labels as label_states
from .submissions import calculate


@dataclass(frozen=True)
class Footprint:
    """One verified, issued footprint of a product, as the account uses it."""

    submission_id: int
    revision: int
    product_id: int
    year: int                   # the reference year the footprint describes
    label_id: str               # the submission's newest label (not revoked)
    first_label_id: str         # the label issued when it was verified
    issued_at: str              # when it was verified and first issued
    data_version: str           # as verified then
    data_version_name: str | None
    kg_co2e: float              # per declared unit, as verified then
    declared_unit: dict         # {"amount": 1, "unit": "kg"}
    by_stage: dict
    bom: dict = field(repr=False, compare=False)
    grade: dict = field(default_factory=dict, compare=False)  # as the result graded it
    # what a lender weighs beside the figure: who vouched for it, when, how sure it is
    verifier_org_id: int | None = None  # the accounting body, as its first label signs it
    verifier_name: str | None = None
    verified_at: str | None = None
    uncertainty: dict = field(default_factory=dict, compare=False)  # p5, p95 (and draws)
    dqi: dict = field(default_factory=dict, compare=False)  # criterion -> 1 (good) .. 5

    def per_unit(self, unit: str, kg_co2e: float | None = None) -> float:
        """kg CO2e per one ``unit`` of the product (``kg_co2e`` per declared unit, default
        the value as verified)."""
        value = self.kg_co2e if kg_co2e is None else kg_co2e
        return value / convert(self.declared_unit["amount"], self.declared_unit["unit"], unit)


# -- which footprints count -----------------------------------------------------------------------

def _year_of(row: dict) -> int:
    year = row["bom"].get("reference_year")
    return int(year) if year else datetime.fromisoformat(row["created_at"]).year


def footprints(db, org_id: int) -> list[Footprint]:
    """Every footprint of the organisation that counts (module docstring), oldest first."""
    rows = stored.labelled_submissions(db, org_id)
    labels = label_states.many_as_logged(db, [i for row in rows for i in row["label_ids"]])
    out = []
    for row in rows:
        own = sorted((labels[i] for i in row["label_ids"] if i in labels),
                     key=lambda label: (label["issued_at"], label["log_index"]))
        if not own or own[-1]["revoked_at"]:
            continue
        first = own[0]
        result = store_results.signed(db, row["id"], str(
            first["record"].get("reproducibility_hash") or "")) or {}
        out.append(Footprint(
            submission_id=row["id"], revision=row["revision"], product_id=row["product_id"],
            year=_year_of(row), label_id=own[-1]["id"], first_label_id=first["id"],
            issued_at=first["issued_at"],
            data_version=result.get("data_version") or first["record"].get("data_version"),
            data_version_name=result.get("data_version_name"),
            kg_co2e=float(result.get("total_kg_co2e", first["record"]["value"])),
            declared_unit=result.get("declared_unit") or first["record"]["declared_unit"],
            by_stage=result.get("by_stage") or first["record"].get("by_stage") or {},
            bom=row["bom"], grade=result.get("grade") or {},
            verifier_org_id=_org_number(first["record"].get("verifier")),
            verifier_name=first["record"].get("verifier_name"),
            verified_at=row["verified_at"],
            uncertainty=result.get("uncertainty") or first["record"].get("uncertainty") or {},
            dqi=result.get("dqi") or {}))
    return sorted(out, key=lambda f: (f.issued_at, f.submission_id))


def _org_number(verifier) -> int | None:
    """The verifier a label signs, when it is an organisation of this platform (a number)."""
    return verifier if isinstance(verifier, int) and not isinstance(verifier, bool) else None


def standing(found: list[Footprint]) -> dict[tuple[int, int], Footprint]:
    """(product_id, year) -> the footprint verified last for that year."""
    out = {}
    for footprint in found:  # oldest first: the later one stands
        out[(footprint.product_id, footprint.year)] = footprint
    return out


# -- under the current data version -----------------------------------------------------------

def under_current_data(db, engine, org_id: int, footprint: Footprint,
                       memo: dict | None = None) -> float:
    """kg CO2e per declared unit of the footprint's BOM under the engine's data version: the
    stored value when it was verified under it, else the BOM calculated again by the engine
    (the way ``footprint recalc`` moves a footprint: the same BOM, the same resolution).
    ``memo`` keeps what one reading of an account calculated."""
    if footprint.data_version == engine.registry.data_version:
        return footprint.kg_co2e
    memo = {} if memo is None else memo
    if footprint.submission_id not in memo:
        _, result = calculate(db, engine, {"org_id": org_id, "role": "producer"},
                              footprint.bom)
        memo[footprint.submission_id] = float(result["total_kg_co2e"])
    return memo[footprint.submission_id]


# -- production ------------------------------------------------------------------------------------

def production_in(row: dict | None, unit: str) -> float | None:
    if row is None:
        return None
    try:
        return convert(row["amount"], row["unit"], unit)
    except UnitError:  # the product's declared unit changed dimension: not comparable
        return None


def product_unit(found: list[Footprint], product_id: int) -> str | None:
    """The unit a product's production and intensity are counted in: the unit of the
    declared unit of its newest footprint."""
    units = [f.declared_unit["unit"] for f in found if f.product_id == product_id]
    return units[-1] if units else None
