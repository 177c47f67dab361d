"""BOM files from producers: JSON (a whole BOM), or CSV / XLSX (its lines, one per row).

A CSV or XLSX file holds the lines under a header row naming its columns: ``input`` or
``emission``, ``amount``, ``unit``, ``stage``, ``region``, ``year``, ``basis``, ``note`` (the
Chinese names 投入, 排放, 数量, 单位, 阶段, 地区, 年份, 核算方法, 备注 work too). The product,
declared unit, region and factor year come from the upload form. Every problem the core finds
in a line is reported at the file's row and column: ``row 7, column unit: unit "kwh" unknown,
did you mean "kWh"?``.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field

from footprint.errors import InvalidInput, Problem
from footprint.suggest import unknown

from .form import EMISSION_PREFIX, as_integer, as_number, header_from_form, show

COLUMNS = ("input", "emission", "amount", "unit", "stage", "region", "year", "basis", "note")
ALIASES = {"投入": "input", "输入": "input", "物料": "input", "排放": "emission",
           "数量": "amount", "用量": "amount", "单位": "unit", "阶段": "stage",
           "生命周期阶段": "stage", "地区": "region", "年份": "year", "因子年份": "year",
           "核算方法": "basis", "备注": "note"}
MAX_ROWS = 5000
KINDS = ("json", "csv", "xlsx")


@dataclass
class Upload:
    """A BOM read from a file, and where in the file each of its lines came from."""

    bom: dict
    kind: str
    rows: list = field(default_factory=list)  # BOM line position -> the file's row number
    columns: dict = field(default_factory=dict)  # BOM field -> the column's heading

    def locate(self, problem: Problem) -> Problem:
        """A core problem at lines[k].field, said as the file's row and column."""
        if self.kind == "json" or not problem.where.startswith("lines["):
            return problem
        index, _sep, rest = problem.where[len("lines["):].partition("]")
        if not index.isdigit() or int(index) >= len(self.rows):
            return problem
        row = self.rows[int(index)]
        key = rest.lstrip(".").partition(".")[0]
        if not key:
            return Problem(f"row {row}", problem.message)
        if key in ("input", "emission"):  # one column may carry both (emission:<flow>)
            heading = self.columns.get(key) or self.columns.get("input") or \
                self.columns.get("emission") or key
        else:
            heading = self.columns.get(key, key)
        return Problem(f"row {row}, column {heading}", problem.message)


def kind_of(filename: str, content: bytes) -> str | None:
    name = (filename or "").lower()
    for kind in KINDS:
        if name.endswith("." + kind):
            return kind
    if content[:4] == b"PK\x03\x04":
        return "xlsx"
    if content.lstrip()[:1] in (b"{", b"\xef"):
        return "json"
    return None


def read_upload(filename: str, content: bytes, form) -> Upload:
    """The BOM in an uploaded file (header fields of CSV/XLSX from ``form``); raises
    InvalidInput for a file that cannot be read at all."""
    if not content:
        raise InvalidInput([Problem("file", "choose a JSON, CSV or XLSX file to upload")])
    kind = kind_of(filename, content)
    if kind is None:
        raise InvalidInput([Problem("file", f'"{filename}" is not a JSON, CSV or XLSX file '
                                    "(.json, .csv, .xlsx)")])
    if kind == "json":
        return Upload(_read_json(content), "json")
    table = _csv_rows(content) if kind == "csv" else _xlsx_rows(content)
    upload = _lines_from_table(table, kind)
    upload.bom = {**header_from_form(form), "lines": upload.bom["lines"]}
    return upload


def _read_json(content: bytes) -> dict:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput([Problem("file", f"not UTF-8 text: {exc}")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem(f"line {exc.lineno}, column {exc.colno} of the file",
                                    f"invalid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InvalidInput([Problem("file", "JSON nested too deeply")]) from None


def _csv_rows(content: bytes) -> list[tuple[int, list]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput([Problem("file", "the CSV file is neither UTF-8 nor GB18030 text")])
    # The header row decides the delimiter: Excel writes ";" or tabs in some locales.
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=header.count) if any(d in header for d in ",;\t") else ","
    try:
        return list(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1))
    except csv.Error as exc:
        raise InvalidInput([Problem("file", f"not a readable CSV file: {exc}")]) from None


def _xlsx_rows(content: bytes) -> list[tuple[int, list]]:
    # openpyxl takes ~0.4 s to import: only XLSX uploads pay for it, not every worker start
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput([Problem("file", f"not a readable XLSX workbook: {exc}")]) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for n, row in enumerate(sheet.iter_rows(values_only=True), 1):
            rows.append((n, list(row)))
            if n > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _heading(cell) -> str:
    text = str(cell if cell is not None else "").strip()
    return ALIASES.get(text, text.lower().replace(" ", "_"))


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _lines_from_table(table: list[tuple[int, list]], kind: str) -> Upload:
    body = [(n, row) for n, row in table if not all(_blank(c) for c in row)]
    if not body:
        raise InvalidInput([Problem("file", "the file has no rows: a header row (input, "
                                    "amount, unit, stage, ...) and one row per BOM line")])
    header_row, header = body[0]
    problems, columns, positions = [], {}, {}
    for position, cell in enumerate(header):
        if _blank(cell):
            continue
        name = _heading(cell)
        if name not in COLUMNS:
            problems.append(Problem(f"row {header_row}, column {str(cell).strip()}",
                                    unknown("column", str(cell).strip(), COLUMNS)))
        elif name in columns:
            problems.append(Problem(f"row {header_row}, column {str(cell).strip()}",
                                    f'column "{name}" appears twice'))
        else:
            columns[name] = str(cell).strip()
            positions[name] = position
    missing = [c for c in ("amount", "unit", "stage") if c not in columns]
    if "input" not in columns and "emission" not in columns:
        missing.insert(0, "input or emission")
    if missing:
        problems.append(Problem(f"row {header_row}", "the header row lacks the column(s) "
                                + ", ".join(missing)))
    if len(body) - 1 > MAX_ROWS:
        problems.append(Problem("file", f"at most {MAX_ROWS} lines in one file"))
    if problems:
        raise InvalidInput(problems)
    lines, rows = [], []
    for n, row in body[1:]:
        cells = {name: (row[p] if p < len(row) else None) for name, p in positions.items()}
        lines.append(_line(cells))
        rows.append(n)
    if not lines:
        raise InvalidInput([Problem("file", "the file has a header row but no BOM lines")])
    return Upload({"lines": lines}, kind, rows, columns)


def _line(cells: dict) -> dict:
    line = {}
    for name, cell in cells.items():
        if _blank(cell):
            continue
        if name == "amount":
            line[name] = cell if isinstance(cell, (int, float)) and not isinstance(cell, bool) \
                else as_number(str(cell).strip())
        elif name == "year":
            line[name] = int(cell) if isinstance(cell, (int, float)) and \
                not isinstance(cell, bool) and float(cell).is_integer() \
                else as_integer(show(cell).strip())
        else:
            text = show(cell).strip()
            if name == "input" and text.startswith(EMISSION_PREFIX):
                line["emission"] = text[len(EMISSION_PREFIX):]
            else:
                line[name] = text
    return line
