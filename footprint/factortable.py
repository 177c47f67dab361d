"""A platform's own factor table: the CSV or XLSX an administrator imports as a factor library.

One row per factor, under a header row whose columns may be named in English or Chinese:

    id | name_zh | name_en | unit | value | gas | gwp | boundary | geography | year | source
    编号 | 中文名称 | 英文名称 | 单位 | 数值 | 气体 | GWP | 系统边界 | 地理范围 | 年份 | 来源
    | confidence | low | high | note
    | 可信度 | 下限 | 上限 | 备注

``value`` is kg of ``gas`` per ``unit`` of the material or service (e.g. 8.6 kg CO2e per kg).
A CO2e value names the GWP set it was worked out with (AR6, AR5, AR4, or "unstated" where the
publication does not say); CO2, CH4 and N2O are characterised by the platform's method. Every
row names its source (publication with table or page), system boundary, reference year and
confidence; ``low`` and ``high`` give the source's uncertainty range where it gives one.

``read_table`` checks the whole file and raises InvalidInput listing every problem at its row
and column (``row 7, column 单位``), so an administrator fixes the file in one round and
nothing is stored from a file with a problem. ``canonical_csv`` writes the rows back in the
English columns: what the platform keeps and its plugin reads.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from . import sheets
from .clock import now
from .data import MANIFEST, Catalog, Dataset
from .errors import InvalidInput, Message, Problem
from .sheets import at_column, at_row
from .suggest import unknown
from .units import UNIT_NAMES, UNITS

COLUMNS = ("id", "name_zh", "name_en", "unit", "value", "gas", "gwp", "boundary", "geography",
           "year", "source", "confidence", "low", "high", "note")
REQUIRED = ("unit", "value", "gas", "boundary", "year", "source", "confidence")
ALIASES = {
    "编号": "id", "代码": "id", "中文名称": "name_zh", "名称": "name_zh", "英文名称": "name_en",
    "单位": "unit", "数值": "value", "排放因子": "value", "因子": "value", "气体": "gas",
    "温室气体": "gas", "全球变暖潜势": "gwp", "系统边界": "boundary", "边界": "boundary",
    "地理范围": "geography", "地区": "geography", "年份": "year", "参考年份": "year",
    "来源": "source", "数据来源": "source", "出处": "source", "可信度": "confidence",
    "数据质量": "confidence", "下限": "low", "上限": "high", "备注": "note",
}
# each column's Chinese heading as the docs and the administration page name it
CHINESE_HEADINGS = {column: next((a for a, n in ALIASES.items() if n == column), column)
                    for column in COLUMNS}
# gas as written -> (the flow it is booked as, the gas's symbol)
GASES = {"CO2e": ("CO2e_aggregated", "CO2e"), "CO2": ("CO2_fossil", "CO2"),
         "CH4": ("CH4_fossil", "CH4"), "N2O": ("N2O", "N2O")}
GAS_NAMES = {"二氧化碳当量": "CO2e", "二氧化碳": "CO2", "甲烷": "CH4", "氧化亚氮": "N2O",
             "co2e": "CO2e", "co2-eq": "CO2e", "co2eq": "CO2e", "co2": "CO2", "ch4": "CH4",
             "n2o": "N2O"}
GWP_SETS = ("AR6", "AR5", "AR4", "unstated")
GWP_NAMES = {"未说明": "unstated", "未注明": "unstated", "ar6": "AR6", "ar5": "AR5", "ar4": "AR4"}
CONFIDENCE = ("high", "medium", "low")
CONFIDENCE_NAMES = {"高": "high", "中": "medium", "低": "low"}
ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Factor:
    """One row of a factor table, checked."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    value: float
    gas: str
    gwp: str
    boundary: str
    geography: str
    year: int
    source: str
    confidence: str
    low: float | None
    high: float | None
    note: str

    @property
    def flow(self) -> str:
        return GASES[self.gas][0]

    def citation(self) -> str:
        """The row's source with what a certifier checks beside it."""
        scope = f"CO2e ({self.gwp} GWP100)" if self.gas == "CO2e" else f"{self.gas} only"
        parts = [self.source, f"boundary: {self.boundary}", f"gas scope: {scope}",
                 f"reference year: {self.year}"]
        if self.geography:
            parts.append(f"geography: {self.geography}")
        if self.low is not None:
            parts.append(f"range {self.low:g}–{self.high:g} kg {self.gas}/{self.unit}")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


def read_table(filename: str, content: bytes) -> list[Factor]:
    """The factors of a CSV or XLSX factor table; InvalidInput lists every problem found."""
    rows = [(n, cells) for n, cells in sheets.table_rows(filename, content)
            if not all(sheets.blank(c) for c in cells)]
    if not rows:
        raise InvalidInput([Problem("file", Message("the table is empty: a header row and at "
                                                    "least one factor are needed"))])
    header_row, header = rows[0]
    headings = [sheets.text(c) for c in header]
    columns = [ALIASES.get(h, h.lower().replace(" ", "_")) for h in headings]
    problems = _header_problems(header_row, headings, columns)
    if problems:
        raise InvalidInput(problems)
    body = rows[1:]
    if not body:
        raise InvalidInput([Problem("file", Message("the table has a header row but no "
                                                    "factors"))])
    if len(body) > sheets.MAX_ROWS:
        raise InvalidInput([Problem("file", Message("at most %(max)s factors in one table",
                                                    max=sheets.MAX_ROWS))])
    factors, seen = [], {}
    for n, cells in body:
        row = {column: cells[i] if i < len(cells) else None for i, column in enumerate(columns)}
        heading = {column: headings[i] for i, column in enumerate(columns)}
        problems += _repeated(n, row, heading, seen)
        factor, found = _factor(n, row, heading)
        problems += found
        if factor is not None:
            factors.append(factor)
    if problems:
        raise InvalidInput(problems)
    return factors


def _repeated(n: int, row: dict, heading: dict, seen: dict) -> list[Problem]:
    """An id or a name an earlier row already has (``seen`` remembers them, case-blind)."""
    problems = []
    for key in ("id", "name_zh", "name_en"):
        value = sheets.text(row.get(key))
        if not value:
            continue
        if (key, value.casefold()) in seen:
            problems.append(Problem(at_column(n, heading.get(key, key)), Message(
                '"%(name)s" is already the %(column)s of row %(row)s: each factor needs its '
                "own", name=value, column=heading.get(key, key),
                row=seen[(key, value.casefold())])))
        else:
            seen[(key, value.casefold())] = n
    return problems


def _header_problems(row: int, headings: list[str], columns: list[str]) -> list[Problem]:
    problems = []
    for i, column in enumerate(columns):
        if headings[i] and column not in COLUMNS:
            problems.append(Problem(at_column(row, headings[i]), unknown(
                Message("column"), headings[i], COLUMNS)))
        elif column and columns.index(column) != i:
            problems.append(Problem(at_column(row, headings[i]), Message(
                'column "%(name)s" appears twice', name=headings[i])))
    missing = [c for c in REQUIRED if c not in columns]
    if "name_zh" not in columns and "name_en" not in columns:
        missing.insert(0, "name_zh")
    problems += [Problem(at_row(row), Message(
        "the header row has no column %(column)s (%(heading)s)", column=c,
        heading=CHINESE_HEADINGS[c])) for c in missing]
    return problems


def _factor(n: int, row: dict, heading: dict) -> tuple[Factor | None, list[Problem]]:
    problems: list[Problem] = []

    def text(column: str) -> str:
        return sheets.text(row.get(column))

    def problem(column: str, message: Message) -> None:
        problems.append(Problem(at_column(n, heading.get(column, column)), message))

    def number(column: str, required: bool) -> float | None:
        cell = sheets.number(row.get(column))
        if isinstance(cell, (int, float)):
            if cell < 0:
                problem(column, Message("%(value)s is negative: a factor is an emission, never "
                                        "below 0", value=sheets.text(row.get(column))))
                return None
            return float(cell)
        if cell != "":
            problem(column, Message('"%(value)s" is not a number', value=cell))
        elif required:
            problem(column, Message("missing: every factor needs its %(column)s",
                                    column=heading.get(column, column)))
        return None

    for column in REQUIRED:
        if column not in ("value",) and not text(column):
            problem(column, Message("missing: every factor needs its %(column)s",
                                    column=heading.get(column, column)))
    name_zh, name_en = text("name_zh"), text("name_en")
    if not name_zh and not name_en:
        problem("name_zh" if "name_zh" in heading else "name_en",
                Message("missing: every factor needs a name (name_zh or name_en)"))
    unit = UNIT_NAMES.get(text("unit"), text("unit"))
    if unit and unit not in UNITS:
        problem("unit", unknown(Message("unit"), text("unit"), UNITS))
    value = number("value", required=True)
    gas = text("gas")
    gas = GAS_NAMES.get(gas, GAS_NAMES.get(gas.casefold(), gas))
    if gas and gas not in GASES:
        problem("gas", unknown(Message("gas"), text("gas"), GASES))
    gwp = text("gwp")
    gwp = GWP_NAMES.get(gwp, GWP_NAMES.get(gwp.casefold(), gwp))
    if gas == "CO2e" and not gwp:
        problem("gwp", Message("a CO2e value names its GWP set (%(sets)s)", sets=GWP_SETS))
    elif gwp and gas and gas != "CO2e":
        problem("gwp", Message("only a CO2e value has a GWP set; %(gas)s is characterised by "
                               "the platform's method", gas=gas))
    elif gwp and gwp not in GWP_SETS:
        problem("gwp", unknown(Message("GWP set"), text("gwp"), GWP_SETS))
    year = sheets.number(row.get("year"))
    year = int(year) if isinstance(year, float) and year.is_integer() else year
    if text("year") and not (isinstance(year, int) and 1900 <= year <= now().year + 1):
        problem("year", Message('"%(value)s" is not a year', value=text("year")))
    confidence = CONFIDENCE_NAMES.get(text("confidence"), text("confidence").lower())
    if confidence and confidence not in CONFIDENCE:
        problem("confidence", unknown(Message("confidence level"), text("confidence"), CONFIDENCE))
    low, high = number("low", required=False), number("high", required=False)
    if (low is None) != (high is None) and not problems:
        problem("low" if low is None else "high",
                Message("an uncertainty range needs both its low and its high value"))
    elif low is not None and value is not None and not low <= value <= high:
        problem("low", Message("the range %(low)s–%(high)s does not hold the value %(value)s",
                               low=text("low"), high=text("high"), value=text("value")))
    key = text("id").lower() or _slug(name_en)
    if text("id") and not ID.match(key):
        problem("id", Message('"%(value)s" is not an id: lower-case letters, digits, ".", "_" '
                              'and "-", at most 64', value=text("id")))
    elif not key:
        key = name_zh  # a Chinese-only row without id: its name, which stays when rows move
    if problems:
        return None, problems
    return Factor(key, name_zh, name_en, unit, value, gas, gwp if gas == "CO2e" else "",
                  text("boundary"), text("geography"), year, text("source"), confidence, low,
                  high, text("note")), []


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64]


def canonical_csv(factors: list[Factor]) -> bytes:
    """The factors in the English columns, UTF-8: the file the platform keeps."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for factor in factors:
        row = asdict(factor)
        row["value"] = repr(factor.value)
        row["low"] = "" if factor.low is None else repr(factor.low)
        row["high"] = "" if factor.high is None else repr(factor.high)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


# -- where a platform keeps its libraries ------------------------------------------------------

# Under FOOTPRINT_HOME: a manifest.json in the format of the shipped ones (each library one
# dataset, its earlier versions in its history) and <name>/<version>.csv beside it.
LIBRARY_FOLDER = "libraries"
LIBRARY_PACKAGE = "platform-libraries"  # the catalog's name, the same on every host
LIBRARY_PREFIX = "library/"  # process ids: library/<name>/<factor id>


def library_catalog(home) -> Catalog | None:
    """The catalog of the libraries kept under ``home`` (None before the first import)."""
    root = Path(home) / LIBRARY_FOLDER
    if not (root / MANIFEST).is_file():
        return None
    return Catalog(LIBRARY_PACKAGE, folder="", root=root)


def dataset_id(name: str) -> str:
    return f"library_{name}"


def library_name(dataset: str) -> str:
    return dataset[len("library_"):]


def stored_factors(dataset: Dataset) -> list[Factor]:
    """The factors of a kept library version (written by ``canonical_csv``)."""
    return read_table(dataset.entry["file"], dataset.raw)
