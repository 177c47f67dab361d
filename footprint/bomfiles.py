"""BOM files as producers keep them: JSON (a whole BOM), or a CSV / XLSX sheet (a header block,
then the lines under a header row). The web's upload and ``footprint calc | validate`` read
files through this one module, so both accept and refuse the same files.

A sheet may start with a header block: one field a row, its name in the first cell and its
value in the next (``地区 | 四川``, ``声明单位 | 1 | kg``, ``参数.yield_kg_per_ha | 30000``). The
lines follow under their own header row (``投入 | 数量 | 单位 | 阶段 ...``), the first row that
names at least two line columns. Fields the file leaves out come from ``header`` (the upload
form's fields, or ``footprint calc --set``). Cell values pass through as written (千瓦时,
生产, 四川): footprint.bom turns the words people use into codes; only what the file format
itself defines is read here (column and field names, ``排放:`` in the input column, numbers).

Every problem is said where the producer can find it: ``row 7, column 单位`` for a line's
field, ``row 3 (地区)`` for a field of the header block.
"""
from __future__ import annotations

import dataclasses
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import sheets
from .bom import file_bytes, parse_bom
from .errors import InvalidInput, Message, Named, Problem, Text
from .schemaerrors import json_reason, not_utf8
from .sheets import at_column, at_field, at_file_position, at_row, in_sheet_order
from .suggest import unknown
from .text import typed_number

KINDS = ("json", "csv", "xlsx")
EMISSION_PREFIXES = ("emission:", "排放:", "排放：")  # an emission in the input column

# The lines' columns and the other names a sheet may give them.
COLUMNS = ("input", "emission", "amount", "unit", "stage", "region", "year", "basis", "note",
           "primary")
ALIASES = {"投入": "input", "输入": "input", "物料": "input", "排放": "emission",
           "数量": "amount", "用量": "amount", "单位": "unit", "阶段": "stage",
           "生命周期阶段": "stage", "地区": "region", "年份": "year", "因子年份": "year",
           "核算方法": "basis", "备注": "note", "一手数据": "primary", "初级数据": "primary",
           "实测": "primary"}
# The primary column's cells as people fill them in: 是 / 否, yes / no, a checked box
YES = {"是", "yes", "y", "true", "1", "✓", "√"}
NO = {"否", "no", "n", "false", "0"}

# The header block's fields: the BOM path each fills, and the names a sheet may give it.
FIELDS = {
    "product_name": ("product", "name"), "name_en": ("product", "name"),
    "name_zh": ("product", "name_zh"),
    "product_id": ("product", "id"), "category": ("product", "category"),
    "declared_unit": ("declared_unit",), "region": ("region",),
    "factor_year": ("factor_year",), "reference_year": ("reference_year",),
    "electricity_basis": ("electricity_basis",),
    "system_boundary": ("system_boundary",),
    "gtin": ("product", "gtin"), "lot": ("product", "lot"),
}
FIELD_ALIASES = {
    "product": "product_name", "name": "product_name", "产品名称": "product_name",
    "产品": "product_name", "名称": "product_name", "英文名称": "name_en",
    "english_name": "name_en", "中文名称": "name_zh", "产品中文名称": "name_zh", "id": "product_id",
    "产品编号": "product_id", "编号": "product_id", "产品类别": "category", "类别": "category",
    "声明单位": "declared_unit", "功能单位": "declared_unit", "生产地区": "region",
    "地区": "region", "因子年份": "factor_year", "参考年份": "reference_year",
    "核算年份": "reference_year", "电力核算方法": "electricity_basis",
    "电力因子类型": "electricity_basis", "系统边界": "system_boundary",
    "商品条码": "gtin", "条码": "gtin", "批次": "lot", "批号": "lot", "批次/批号": "lot",
    "batch": "lot",
}
PARAMETER_PREFIXES = ("parameters.", "parameter.", "参数.", "参数:", "参数：")
# The lines' columns as a message names them: by the sheet's Chinese heading in Chinese.
COLUMN_NAMES = {c: Text(next((a for a, n in ALIASES.items() if n == c), c), c)
                for c in COLUMNS}
NAMED_COLUMNS = {c: Named(c, name.zh, c) for c, name in COLUMN_NAMES.items()}  # as suggested


@dataclass
class BomFile:
    """A BOM read from a file, and where in the file each part of it came from."""

    bom: dict
    kind: str
    rows: list = field(default_factory=list)     # BOM line position -> the file's row number
    columns: dict = field(default_factory=dict)  # line field -> the column's heading
    fields: dict = field(default_factory=dict)   # JSON path of a header field -> where it is

    def locate(self, problem: Problem) -> Problem:
        """A core problem (at ``lines[k].unit``, ``region`` ...) said as the file's row and
        column; the problem is otherwise unchanged (whatever else it carries stays)."""
        if self.kind == "json":
            return problem
        where = self._where(problem.where)
        return problem if where is None else dataclasses.replace(problem, where=where)

    def _where(self, path: str) -> str | None:
        if path.startswith("lines["):
            index, _sep, rest = path[len("lines["):].partition("]")
            if not index.isdigit() or int(index) >= len(self.rows):
                return None
            row = self.rows[int(index)]
            key = rest.lstrip(".").partition(".")[0]
            if not key:
                return at_row(row)
            if key in ("input", "emission"):  # one column may carry both (emission:<flow>)
                key = next((k for k in (key, "input", "emission") if k in self.columns), key)
            return at_column(row, self.columns.get(key, key))
        # the header block: the field itself, or the nearest enclosing one it gave
        for known in sorted(self.fields, key=len, reverse=True):
            if path == known or path.startswith(known + ".") or path.startswith(known + "["):
                return self.fields[known]
        return None

    @contextmanager
    def located(self):
        """Around parsing and calculating this file's BOM: problems come out located."""
        try:
            yield
        except InvalidInput as exc:
            raise InvalidInput(self.located_problems(exc.problems), exc.source) from None

    def located_problems(self, problems) -> list[Problem]:
        """Core problems said as the file's rows and columns, in the order the file has them
        (the core finds a row's unknown input after another row's unknown unit)."""
        located = [self.locate(p) for p in problems]
        return located if self.kind == "json" else in_sheet_order(located,
                                                                  self.columns.values())


# -- reading ----------------------------------------------------------------------------------

def kind_of(filename: str, content: bytes) -> str | None:
    """json, csv or xlsx, from the file's name, else from its first bytes."""
    name = (filename or "").lower()
    for kind in KINDS:
        if name.endswith("." + kind):
            return kind
    if content.startswith(sheets.ZIP):
        return "xlsx"
    if content.lstrip()[:1] in (b"{", b"\xef"):
        return "json"
    return None


def read_bom_path(path: str | Path, header: dict | None = None, override: dict | None = None,
                  override_where: dict | None = None) -> BomFile:
    """The BOM in the file at ``path`` (see read_bom_bytes); a file that cannot be read at
    all is an InvalidInput naming it."""
    path = Path(path)
    content = file_bytes(path)
    try:
        return read_bom_bytes(path.name, content, header, override, override_where)
    except InvalidInput as exc:
        raise InvalidInput(exc.problems, str(path)) from None


def read_bom_bytes(filename: str, content: bytes, header: dict | None = None,
                   override: dict | None = None, override_where: dict | None = None) -> BomFile:
    """The BOM in a file's bytes. A JSON file is the whole BOM (``header`` and ``override``
    are not used); a CSV or XLSX file gives its header block and lines, ``header`` (a BOM
    dict without lines: the upload form's fields) fills in the fields the file leaves out,
    and ``override`` (header_fields, with ``override_where``) replaces the file's. Raises
    InvalidInput for a file that cannot be read as a BOM: every problem of its layout at
    once, with the shape problems of its rows when the layout allows reading them."""
    if not content:
        raise InvalidInput([Problem("file", Message("choose a JSON, CSV or XLSX file to "
                                                    "upload"))])
    kind = kind_of(filename, content)
    if kind is None:
        raise InvalidInput([Problem("file", Message(
            '"%(name)s" is not a JSON, CSV or XLSX file (.json, .csv, .xlsx)', name=filename))])
    if kind == "json":
        return BomFile(_read_json(content), "json")
    table = sheets.csv_rows(content) if kind == "csv" else sheets.xlsx_rows(content)
    found, problems = _read_sheet(table, kind)
    found.bom = _merge(_merge(header or {}, found.bom), override or {})
    found.fields.update(override_where or {})
    if problems:  # say the rows' problems in the same round, where the layout allows
        try:
            with found.located():
                parse_bom(found.bom)
        except InvalidInput as exc:
            problems += exc.problems
        raise InvalidInput(in_sheet_order(problems, found.columns.values()))
    return found


def _read_json(content: bytes) -> dict:
    try:
        text = content.decode("utf-8-sig")  # -sig: a leading byte-order mark is fine
    except UnicodeDecodeError as exc:
        raise InvalidInput([Problem("file", not_utf8(exc))]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem(at_file_position(exc.lineno, exc.colno),
                                    Message("invalid JSON: %(reason)s",
                                            reason=json_reason(exc.msg)))]) from None
    except RecursionError:
        raise InvalidInput([Problem("file", Message("JSON nested too deeply"))]) from None


# -- the sheet --------------------------------------------------------------------------------

def _column(cell) -> str:
    text = sheets.text(cell)
    return ALIASES.get(text, text.lower().replace(" ", "_"))


def _field(cell) -> str:
    text = sheets.text(cell)
    key = text.lower().replace(" ", "_")
    return FIELD_ALIASES.get(text, FIELD_ALIASES.get(key, key))


def _integer(cell):
    value = sheets.number(cell)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else sheets.text(cell)


def _is_line_header(row: list) -> bool:
    return sum(_column(c) in COLUMNS for c in row if not sheets.blank(c)) >= 2


def _read_sheet(table, kind: str) -> tuple[BomFile, list[Problem]]:
    """The header block and the lines of a sheet, and the layout's problems that still let
    its rows be read (an unknown column or field); the others are raised at once."""
    body = [(n, row) for n, row in table if not all(sheets.blank(c) for c in row)]
    if not body:
        raise InvalidInput([Problem("file", Message(
            "the file has no rows: a header row (input, amount, unit, stage, ...) and one row "
            "per BOM line"))])
    start = next((i for i, (_n, row) in enumerate(body) if _is_line_header(row)), 0)
    bom, fields, problems = _header_block(body[:start])
    header_row, header = body[start]
    columns, positions, fatal = {}, {}, []
    for position, cell in enumerate(header):
        if sheets.blank(cell):
            continue
        name, heading = _column(cell), sheets.text(cell)
        if name not in COLUMNS:
            problems.append(Problem(at_column(header_row, heading),
                                    unknown(Message("column"), heading, COLUMNS,
                                            named=NAMED_COLUMNS)))
        elif name in columns:
            problems.append(Problem(at_column(header_row, heading),
                                    Message('column "%(name)s" appears twice',
                                            name=COLUMN_NAMES[name])))
        else:
            columns[name], positions[name] = heading, position
    missing = [COLUMN_NAMES[c] for c in ("amount", "unit", "stage") if c not in columns]
    if "input" not in columns and "emission" not in columns:
        missing.insert(0, Message("%(input)s or %(emission)s", input=COLUMN_NAMES["input"],
                                  emission=COLUMN_NAMES["emission"]))
    if missing:
        fatal.append(Problem(at_row(header_row), Message(
            "the header row lacks the column(s) %(columns)s", columns=missing)))
    if len(body) - start - 1 > sheets.MAX_ROWS:
        fatal.append(Problem("file", Message("at most %(max)s lines in one file", max=sheets.MAX_ROWS)))
    elif len(body) - start == 1 and not bom.get("parameters"):
        # a category's parameters alone may make the lines (the farm-gate orange, a works)
        fatal.append(Problem("file", Message("the file has a header row but no BOM lines")))
    if fatal:
        raise InvalidInput(in_sheet_order(problems + fatal, columns.values()))
    lines, rows = [], []
    for n, row in body[start + 1:]:
        lines.append(_line({name: (row[p] if p < len(row) else None)
                            for name, p in positions.items()}))
        rows.append(n)
    return BomFile({**bom, "lines": lines}, kind, rows, columns, fields), problems


def _header_block(rows) -> tuple[dict, dict, list[Problem]]:
    """The BOM fields of the rows above the lines, where each came from, and problems."""
    entries = []
    for n, row in rows:
        cells = [c for c in row if not sheets.blank(c)]
        entries.append((cells[0], cells[1:], at_field(n, sheets.text(cells[0]))))
    return _fields(entries)


def header_fields(pairs, option: str) -> tuple[dict, dict]:
    """Header fields given as (name, value) pairs, e.g. by ``--set 地区=四川``: the BOM
    fields and where each was given; InvalidInput for an unknown name or a missing value."""
    bom, fields, problems = _fields([(key, [value] if value != "" else [], f"{option} {key}")
                                     for key, value in pairs])
    if problems:
        raise InvalidInput(problems)
    return bom, fields


def _fields(entries) -> tuple[dict, dict, list[Problem]]:
    """(name cell, value cells, where) -> the BOM fields, where each is, and problems."""
    bom, fields, problems, seen, names = {}, {}, [], {}, {}
    for cell, values, where in entries:
        key = sheets.text(cell)
        prefix = next((p for p in PARAMETER_PREFIXES if key.lower().startswith(p)), None)
        name = f"parameters.{key[len(prefix):].strip()}" if prefix else _field(cell)
        if name in seen:
            problems.append(Problem(where, Message('"%(name)s" is given twice (also %(where)s)',
                                                   name=key, where=seen[name])))
            continue
        seen[name] = where
        if prefix is None and name not in FIELDS:
            problems.append(Problem(where, Message(
                "%(problem)s; a category parameter is written parameters.<name>",
                problem=unknown(Message("field"), key, [*FIELDS, *FIELD_ALIASES]))))
            continue
        if not values:
            problems.append(Problem(where, Message("no value: write it in the next cell")))
            continue
        if len(values) > (2 if name == "declared_unit" else 1):
            problems.append(Problem(where, Message(
                '%(count)s values where one is expected (in a CSV file a value with a comma '
                'is quoted: "a, b")', count=len(values))))
            continue
        if prefix is not None:
            path = _parameter_path(name)
            if path is None:
                problems.append(Problem(where, Message(
                    "a parameter is written parameters.<name>, or "
                    "parameters.<list>.<number>.<name> for a list")))
                continue
            _put(bom, path, sheets.number(values[0]))
            fields[_json_path(path)] = where
        elif name == "declared_unit":
            amount, unit = _declared_unit(values)
            bom["declared_unit"] = {"amount": amount, **({"unit": unit} if unit else {})}
            fields["declared_unit"] = where
        else:
            value = _integer(values[0]) if name in ("factor_year", "reference_year") \
                else sheets.text(values[0])
            if name == "gtin":  # the number under the barcode, typed full-width or not
                value = typed_number(value)
            _put(bom, FIELDS[name], value)
            fields[".".join(FIELDS[name])] = where
            names[name] = (value, where)
    if "product_name" in names and "name_en" in names:
        # 产品名称 beside 英文名称: the first is the Chinese name
        value, where = names["product_name"]
        if "name_zh" in names:
            problems.append(Problem(where, Message(
                "the product has a Chinese name (中文名称) and an English name (英文名称) "
                "already")))
        else:
            bom["product"].update(name=names["name_en"][0], name_zh=value)
            fields["product.name"], fields["product.name_zh"] = names["name_en"][1], where
    return bom, fields, problems


def _declared_unit(values) -> tuple:
    """``1 | kg`` in two cells, or ``1 kg`` in one."""
    if len(values) >= 2:
        return sheets.number(values[0]), sheets.text(values[1])
    match = re.fullmatch(r"([+-]?[\d.]+)\s*(\S.*)", sheets.text(values[0]))
    if match:
        return sheets.number(match.group(1)), match.group(2).strip()
    return sheets.number(values[0]), None


def _parameter_path(name: str) -> tuple | None:
    """parameters.fertilisers.2.kg_per_ha -> ("parameters", "fertilisers", 1, "kg_per_ha"):
    list entries are numbered from 1 as people count them."""
    steps = name.split(".")
    if len(steps) < 2 or not all(steps) or steps[-1].isdigit():
        return None
    path = []
    for step in steps:
        if step.isdigit():
            if int(step) < 1 or not path:
                return None
            path.append(int(step) - 1)
        else:
            path.append(step)
    return tuple(path)


def _json_path(path) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else ("." if i else "") + s
                   for i, s in enumerate(path))


def _put(tree: dict, path, value) -> None:
    """tree[path] = value, making the dicts and lists on the way (list gaps stay empty)."""
    node = tree
    for step, following in zip(path, path[1:]):
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            node = node[step]
        else:
            node = node.setdefault(step, [] if isinstance(following, int) else {})
    last = path[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append({})
    node[last] = value


def _merge(fallback: dict, given: dict) -> dict:
    """``given`` (the file), with what it leaves out taken from ``fallback`` (the form)."""
    out = dict(fallback)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _line(cells: dict) -> dict:
    line = {}
    for name, cell in cells.items():
        if sheets.blank(cell):
            continue
        if name == "amount":
            line[name] = sheets.number(cell)
        elif name == "year":
            line[name] = _integer(cell)
        elif name == "primary":
            line[name] = _yes_no(cell)
        else:
            text = sheets.text(cell)
            prefix = next((p for p in EMISSION_PREFIXES if text.startswith(p)), None)
            if name == "input" and prefix:
                line["emission"] = text[len(prefix):].strip()
            else:
                line[name] = text
    return line


def _yes_no(cell):
    """是 / 否 (yes / no, a spreadsheet's TRUE) as a boolean; anything else passes through as
    written, for the BOM's schema to refuse at its cell."""
    if isinstance(cell, bool):
        return cell
    text = sheets.text(cell)
    word = text.strip().lower()
    return True if word in YES else False if word in NO else text
