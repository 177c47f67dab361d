"""A BOM line that uses a supplier's carbon label: ``label:<label id>``, ``label:<base32>`` or
the label's QR URL (``HTTPS://host/L/<base32>``); or a supplier's PACT v3 footprint the
producer imported, ``pact:<footprint id>`` (footprint.pactinput), taken the same way.

The engine never reads labels itself (it imports neither footprint.labels nor the store): the
use case hands it a ``LabelResolver`` that has already verified the signature against the
trust list and the label's status, and returns a ``SupplierLabel``. The engine only turns
the signed footprint into kg CO2e for the line:

    kg CO2e = amount (in the declared unit's unit) / declared amount x signed value

A supplier's footprint is a CO2e total, not a list of gases, so its rows draw on one extra
column of the scoring table whose value is 1 kg CO2e per unit (``CO2E_COLUMN``): the same
under every data version and method, since the supplier's value is what its label signs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from ..bom import Line
from ..errors import Message
from ..units import UnitError, convert, dimension


@dataclass(frozen=True)
class SupplierLabel:
    """A supplier's label as the use case checked it."""

    id: str
    issuer: str  # the issuing platform's issuer id (CN-SC)
    issuer_name: str
    verifier: str  # the accounting body as signed (a credit code, or "No. 12")
    value: float  # kg CO2e per declared unit, as signed
    declared_amount: float
    declared_unit: str
    product: str  # the product's name as signed
    own: bool  # issued by this platform (its status read from this platform's log)
    status: str  # "valid" (this platform's log says so) or "kept-by-issuer"
    data_quality: str  # "verified" or "provisional", as the label signs
    b32: str = ""  # the signed bytes, so a recalculation can find the label again
    replaces: str | None = None  # the superseded label this one stands in for
    # a supplier's PACT footprint (id "pact:<uuid>"): the data-quality ratings it states,
    # and the company and product ids it names
    dqr: dict | None = None
    company_ids: tuple[str, ...] | None = None

    def as_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()
                if v is not None and k != "b32"}


# (the label reference as written, the line) -> SupplierLabel; raises LookupError(Message)
LabelResolver = Callable[[str, Line], SupplierLabel]


def label_co2e(line: Line, label: SupplierLabel) -> float:
    """kg CO2e of ``line`` from the label's signed value per declared unit; raises UnitError
    when the line's unit is not of the declared unit's dimension."""
    dimension(label.declared_unit)
    return convert(line.amount, line.unit, label.declared_unit) / label.declared_amount \
        * label.value


def unit_problem(exc: UnitError, label: SupplierLabel) -> Message:
    return Message("%(problem)s (declared unit of label %(label)s)", problem=exc.args[0],
                   label=label.id)
