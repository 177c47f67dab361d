"""A stored BOM written as the sheet a producer keeps (CSV or XLSX), in the layout
footprint.bomfiles reads: a header block, one field a row, then the lines under their header
row. Read back, the file is the same BOM (the same reproducibility hash): a producer
downloads last year's, changes it in Excel or WPS and uploads it again.

    sheet_rows(bom, "zh", names)   [["产品名称", "..."], ..., [], ["投入", "数量", ...], ...]
    csv_bytes(rows)                UTF-8 with a byte-order mark, as Excel in China opens it
    xlsx_bytes(rows)               one sheet named BOM (footprint.sheets writes both)

In Chinese the headings, stages and yes/no are Chinese, and a region and a category are
written by the names ``names`` gives (the registry's: 四川, 柑橘（鲜果）); inputs, units and
parameters keep their codes, which read back whatever the language. In English, codes
throughout.
"""
from __future__ import annotations

from . import sheets
from .bom import NAMED_STAGES
from .bomfiles import COLUMN_NAMES, COLUMNS, EMISSION_PREFIXES, FIELDS

# the header block's fields (footprint.bomfiles.FIELDS) in the order a sheet gives them, by
# the name a Chinese sheet writes (the reader takes either)
HEADER = (("product_name", "产品名称"), ("name_zh", "中文名称"), ("product_id", "产品编号"),
          ("category", "产品类别"), ("gtin", "商品条码"), ("lot", "批次"),
          ("declared_unit", "声明单位"), ("region", "地区"), ("factor_year", "因子年份"),
          ("reference_year", "参考年份"), ("electricity_basis", "电力核算方法"),
          ("system_boundary", "系统边界"))
PARAMETER_PREFIX = {"zh": "参数.", "en": "parameters."}
LINE_COLUMNS = tuple(c for c in COLUMNS if c != "emission")  # an emission: in the input column
YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}


class NotASheet(ValueError):
    """A BOM a sheet cannot hold (a parameter that is a list of plain values): offer JSON."""


def sheet_rows(bom: dict, language: str = "zh", names: dict | None = None) -> list[list]:
    """The rows of the sheet that reads back as ``bom`` (a stored, canonical BOM)."""
    chinese = language == "zh"
    names = names or {}
    rows = []
    for field, zh in HEADER:
        path = FIELDS[field]
        value = _at(bom, path)
        if value is None:
            continue
        if field == "declared_unit":
            value = [value["amount"], value["unit"]]
        elif field in ("region", "category") and chinese:
            value = [names.get(field, {}).get(value, value)]
        else:
            value = [value]
        rows.append([zh if chinese else field, *value])
    for path, value in _parameters(bom.get("parameters") or {}):
        rows.append([PARAMETER_PREFIX[language] + ".".join(path), value])
    rows.append([])
    rows.append([COLUMN_NAMES[code].said(language) for code in LINE_COLUMNS])
    for line in bom.get("lines") or []:
        rows.append([_cell(line, code, language) for code in LINE_COLUMNS])
    return rows


def _at(bom: dict, path: tuple):
    node = bom
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    return node


def _parameters(value, path: tuple = ()):
    """(path, value) of each plain value, lists of entries numbered from 1 as people count."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _parameters(inner, (*path, key))
    elif isinstance(value, list):
        if not all(isinstance(entry, dict) for entry in value):
            raise NotASheet(".".join(path))
        for number, entry in enumerate(value, 1):
            yield from _parameters(entry, (*path, str(number)))
    elif value is not None:
        yield path, ("true" if value else "false") if isinstance(value, bool) else value


def _cell(line: dict, code: str, language: str):
    if code == "input" and line.get("emission"):
        return EMISSION_PREFIXES[0 if language != "zh" else 1] + line["emission"]
    value = line.get(code)
    if value is None:
        return ""
    if code == "stage" and language == "zh" and value in NAMED_STAGES:
        return NAMED_STAGES[value].zh  # 生产, as the pages and the reader say it
    if code == "primary":
        return YES_NO[language][0 if value else 1]
    return value


def csv_bytes(rows: list[list]) -> bytes:
    return sheets.csv_bytes(rows)


def xlsx_bytes(rows: list[list]) -> bytes:
    return sheets.xlsx_bytes(rows, "BOM")
