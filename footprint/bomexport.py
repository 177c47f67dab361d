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
from .bom import STAGE_NAMES
from .bomfiles import EMISSION_PREFIXES

# the header block's fields (footprint.bomfiles.FIELDS) in the order a sheet gives them,
# with the name each language writes
HEADER = (
    (("product", "name"), "产品名称", "product_name"),
    (("product", "name_zh"), "中文名称", "name_zh"),
    (("product", "id"), "产品编号", "product_id"),
    (("product", "category"), "产品类别", "category"),
    (("product", "gtin"), "商品条码", "gtin"),
    (("product", "lot"), "批次", "lot"),
    (("region",), "地区", "region"),
    (("factor_year",), "因子年份", "factor_year"),
    (("reference_year",), "参考年份", "reference_year"),
    (("electricity_basis",), "电力核算方法", "electricity_basis"),
    (("system_boundary",), "系统边界", "system_boundary"),
)
DECLARED_UNIT = {"zh": "声明单位", "en": "declared_unit"}
PARAMETER_PREFIX = {"zh": "参数.", "en": "parameters."}
# the lines' columns (footprint.bomfiles.COLUMNS; an emission goes in the input column)
COLUMNS = (("input", "投入"), ("amount", "数量"), ("unit", "单位"), ("stage", "阶段"),
           ("region", "地区"), ("year", "年份"), ("basis", "核算方法"), ("note", "备注"),
           ("primary", "一手数据"))
STAGE_WORDS = {code: name for name, code in reversed(STAGE_NAMES.items())
               if not name.isascii()}  # 生产, as the pages and the reader say it
YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}


class NotASheet(ValueError):
    """A BOM a sheet cannot hold (a parameter that is a list of plain values): offer JSON."""


def sheet_rows(bom: dict, language: str = "zh", names: dict | None = None) -> list[list]:
    """The rows of the sheet that reads back as ``bom`` (a stored, canonical BOM)."""
    chinese = language == "zh"
    names = names or {}
    rows = []
    for path, zh, en in HEADER:
        value = _at(bom, path)
        if value is None:
            continue
        if path[-1] in ("region", "category") and chinese:
            value = names.get(path[-1], {}).get(value, value)
        rows.append([zh if chinese else en, value])
    declared = bom["declared_unit"]
    product_rows = sum(1 for path, *_ in HEADER if path[0] == "product"
                       and _at(bom, path) is not None)
    rows.insert(product_rows, [DECLARED_UNIT[language], declared["amount"], declared["unit"]])
    for path, value in _parameters(bom.get("parameters") or {}):
        rows.append([PARAMETER_PREFIX[language] + ".".join(path), value])
    rows.append([])
    rows.append([zh if chinese else code for code, zh in COLUMNS])
    for line in bom.get("lines") or []:
        rows.append([_cell(line, code, language) for code, _zh in COLUMNS])
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
    if code == "stage" and language == "zh":
        return STAGE_WORDS.get(value, value)
    if code == "primary":
        return YES_NO[language][0 if value else 1]
    return value


def csv_bytes(rows: list[list]) -> bytes:
    return sheets.csv_bytes(rows)


def xlsx_bytes(rows: list[list]) -> bytes:
    return sheets.xlsx_bytes(rows, "BOM")
