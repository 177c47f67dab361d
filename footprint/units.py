"""Units a BOM may use, grouped by dimension; conversion happens only within one dimension."""
from __future__ import annotations

from .errors import FootprintError
from .suggest import unknown

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "Wh": ("energy", 1e-3),
    "kWh": ("energy", 1.0),
    "MWh": ("energy", 1e3),
    "GWh": ("energy", 1e6),
    "MJ": ("energy", 1 / 3.6),
    "GJ": ("energy", 1e3 / 3.6),
    "g": ("mass", 1e-3),
    "kg": ("mass", 1.0),
    "t": ("mass", 1e3),
    "kgkm": ("transport", 1e-3),
    "tkm": ("transport", 1.0),
    "mL": ("volume", 1e-6),
    "L": ("volume", 1e-3),
    "m3": ("volume", 1.0),
    "m2": ("area", 1.0),
    "ha": ("area", 1e4),
    "piece": ("count", 1.0),
}

BASE_UNITS = {"energy": "kWh", "mass": "kg", "transport": "tkm", "volume": "m3", "area": "m2",
              "count": "piece"}


class UnitError(FootprintError):
    pass


def dimension(unit: str) -> str:
    try:
        return UNITS[unit][0]
    except KeyError:
        raise UnitError(unknown("unit", unit, UNITS)) from None


def convert(amount: float, from_unit: str, to_unit: str) -> float:
    """``amount`` in ``from_unit`` expressed in ``to_unit``; refuses to cross dimensions."""
    from_dim, to_dim = dimension(from_unit), dimension(to_unit)
    if from_dim != to_dim:
        raise UnitError(
            f'unit "{from_unit}" is {from_dim} but "{to_unit}" ({to_dim}) is needed; '
            f"use one of {', '.join(u for u, (d, _) in UNITS.items() if d == to_dim)}"
        )
    if from_unit == to_unit:
        return float(amount)
    return float(amount) * UNITS[from_unit][1] / UNITS[to_unit][1]
