"""Units a BOM may use, grouped by dimension; conversion happens only within one dimension.

A BOM may also name a unit in Chinese, as people write it on a bill or a meter reading
(千瓦时, 度, 千克, 吨, 吨公里, 件): ``UNIT_NAMES`` maps each such name to the unit's symbol,
and the BOM's schema stores the symbol.
"""
from __future__ import annotations

from .errors import FootprintError, Message, Word
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

# Other names of the units, each of one unit only: the Chinese names (度 is the everyday name
# of a kWh on a power bill, 公斤 of a kg, 方 of a cubic metre) and the symbols with
# superscripts that text editors make of m3 and m2.
UNIT_NAMES: dict[str, str] = {
    "瓦时": "Wh", "千瓦时": "kWh", "度": "kWh", "兆瓦时": "MWh", "吉瓦时": "GWh",
    "兆焦": "MJ", "兆焦耳": "MJ", "吉焦": "GJ", "吉焦耳": "GJ",
    "克": "g", "千克": "kg", "公斤": "kg", "吨": "t",
    "千克公里": "kgkm", "吨公里": "tkm",
    "毫升": "mL", "升": "L", "立方米": "m3", "方": "m3", "m³": "m3",
    "平方米": "m2", "m²": "m2", "公顷": "ha",
    "件": "piece", "个": "piece",
}


class UnitError(FootprintError):
    pass


def of_dimension(name: str) -> list[str]:
    """The units of a dimension, in UNITS' order."""
    return [u for u, (d, _) in UNITS.items() if d == name]


def dimension(unit: str) -> str:
    try:
        return UNITS[unit][0]
    except KeyError:
        raise UnitError(unknown(Message("unit"), unit, UNITS)) from None


def convert(amount: float, from_unit: str, to_unit: str) -> float:
    """``amount`` in ``from_unit`` expressed in ``to_unit``; refuses to cross dimensions."""
    from_dim, to_dim = dimension(from_unit), dimension(to_unit)
    if from_dim != to_dim:
        raise UnitError(Message(
            'unit "%(unit)s" is %(dimension)s but "%(needed)s" (%(needed_dimension)s) is '
            "needed; use one of %(units)s", unit=Word("unit", from_unit),
            dimension=Word("dimension", from_dim), needed=Word("unit", to_unit),
            needed_dimension=Word("dimension", to_dim),
            units=[Word("unit", u) for u in of_dimension(to_dim)]))
    if from_unit == to_unit:
        return float(amount)
    return float(amount) * UNITS[from_unit][1] / UNITS[to_unit][1]
