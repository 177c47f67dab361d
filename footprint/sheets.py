"""Spreadsheets people keep data in: CSV (UTF-8 or GB18030, any of Excel's separators) and
XLSX, read as numbered rows of cells, and the places in them a message names ("row 7, column
单位", said 第 7 行 · 单位 列 on a page). BOM files (footprint.bomfiles) and factor tables
(footprint.factortable) are both read through here, so both accept the same files; a BOM
written back as a sheet (footprint.bomexport) is written here too.
"""
from __future__ import annotations

import csv
import io
import math
import re
import zipfile

from .errors import Figure, InvalidInput, Message, Problem
from .text import typed_number

MAX_ROWS = 5000
ZIP = b"PK\x03\x04"  # an XLSX workbook is a ZIP archive: its first bytes
# characters no text table holds (tab, line breaks and form feeds aside): a file with any is
# no CSV, whatever its name says
NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
LONGEST_CELL = csv.field_size_limit()  # Python's csv module refuses a longer cell
# A workbook damaged inside its archive: a member cut short or altered makes openpyxl, zipfile,
# zlib or the XML parsers raise any of a dozen kinds of error (invalid distance too far, Bad
# CRC-32, unclosed token, unsupported compression method, no worksheet at all); each is the
# same fault to the person who uploaded it.
DAMAGED = Message("the workbook is damaged: its first sheet cannot be read; open it in Excel or "
                  "WPS and save it again as .xlsx")


# Where in a sheet: a problem's ``where`` reads "row 7, column unit" and, being a Message, is
# said in the reader's language on a page (第 7 行 · unit 列).
def at_row(row: int) -> Message:
    return Message("row %(row)s", row=row)


def at_column(row: int, heading: str) -> Message:
    return Message("row %(row)s, column %(column)s", row=row, column=heading)


def at_field(row: int, name: str) -> Message:
    return Message("row %(row)s (%(name)s)", row=row, name=name)


def at_file_line(line: int) -> Message:
    return Message("line %(line)s of the file", line=line)


def at_file_position(line: int, column: int) -> Message:
    return Message("line %(line)s, column %(column)s of the file", line=line, column=column)


def in_sheet_order(problems, headings=()) -> list:
    """``problems`` as a reader goes through the sheet: row by row and, in a row, column by
    column in the order of ``headings`` (the header row's); those of no row (the whole file, a
    field the file leaves out) after them. Problems at one place keep their order."""
    order = {heading: n for n, heading in enumerate(headings)}

    def place(problem):
        params = getattr(problem.where, "params", {})
        row = params.get("row")
        if not isinstance(row, int):
            return (math.inf, 0)
        return (row, order.get(params.get("column"), -1))
    return sorted(problems, key=place)


def table_rows(filename: str, content: bytes) -> list[tuple[int, list]]:
    """The rows of a table that is a CSV or an XLSX file, told apart by what it holds (its
    name may say anything); InvalidInput naming the file for anything else (a PDF, a
    picture, an old .xls), before a row of it is read as a table."""
    if content.startswith(ZIP):
        return xlsx_rows(content)
    decoded = _text(content)
    if decoded is None or decoded.startswith("%PDF-") or NOT_TEXT.search(decoded):
        raise InvalidInput([Problem("file", Message(
            '"%(name)s" is neither a CSV nor an XLSX table: save it from Excel or WPS as .xlsx '
            "or .csv", name=filename))])
    return _csv_rows(decoded)


def _text(content: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_rows(content: bytes) -> list[tuple[int, list]]:
    decoded = _text(content)
    if decoded is None:
        raise InvalidInput([Problem("file", Message("the CSV file is neither UTF-8 nor GB18030 "
                                                    "text"))])
    return _csv_rows(decoded)


def _csv_rows(decoded: str) -> list[tuple[int, list]]:
    # The row with the most separators decides: Excel writes ";" or tabs in some locales, and
    # the header block's rows hold fewer cells than the lines' header row.
    widest = max(decoded.splitlines() or [""], key=lambda line: max(map(line.count, ",;\t")))
    delimiter = max(",;\t", key=widest.count) if any(d in widest for d in ",;\t") else ","
    # newline="": a record ends at \r\n, \n or a lone \r (Excel for Mac's "CSV (Macintosh)"),
    # and a line break inside a quoted cell stays in the cell
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)
    rows, first_line = [], 1
    try:
        for n, row in enumerate(reader, 1):
            rows.append((n, row))
            first_line = reader.line_num + 1
    except csv.Error as exc:
        if str(exc).startswith("field larger than field limit"):
            # no BOM's cell is that long: a quotation mark opened a cell and never closed it,
            # and the rest of the file ran into that cell
            raise InvalidInput([Problem(at_file_line(first_line), Message(
                "a cell of more than %(limit)s characters starts on this line: most likely a "
                'quotation mark (") opens a cell and is never closed',
                limit=Figure(LONGEST_CELL)))]) from None
        raise InvalidInput([Problem("file", Message("not a readable CSV file: %(reason)s",
                                                    reason=str(exc)))]) from None
    return rows


def _openpyxl():
    # openpyxl takes ~0.4 s to import: only XLSX files pay for it, not every start
    import openpyxl
    return openpyxl


def xlsx_rows(content: bytes) -> list[tuple[int, list]]:
    try:
        workbook = _openpyxl().load_workbook(io.BytesIO(content), read_only=True,
                                             data_only=True)
    except zipfile.BadZipFile:  # its reason is English ("File is not a zip file")
        raise InvalidInput([Problem("file", Message(
            "not an XLSX workbook: an XLSX file is a ZIP archive, and this file is none or a "
            "damaged one"))]) from None
    except (KeyError, OSError):
        # a ZIP without a workbook in it ("There is no item named '[Content_Types].xml'",
        # "File contains no valid workbook part"): a Word file, a ZIP of other files
        raise InvalidInput([Problem("file", Message(
            "a ZIP archive, but no Excel workbook is in it (a Word file, or other files "
            "zipped?): save the table from Excel or WPS as .xlsx"))]) from None
    except Exception:  # noqa: BLE001 (see DAMAGED)
        raise InvalidInput([Problem("file", DAMAGED)]) from None
    try:
        rows = []
        for n, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
            rows.append((n, list(row)))
            if n > MAX_ROWS + 100:
                break
        return rows
    except Exception:  # noqa: BLE001 (see DAMAGED); read-only mode reads the sheet as it goes
        raise InvalidInput([Problem("file", DAMAGED)]) from None
    finally:
        workbook.close()


# -- cells -------------------------------------------------------------------------------------

def text(cell) -> str:
    """A cell as text: 100.0 -> "100", None -> ""."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    return str(cell).strip()


def blank(cell) -> bool:
    return text(cell) == ""


def number(cell):
    """A number where the cell holds one, else its text (the core then says why not)."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return cell
    written = text(cell)
    typed = typed_number(written)
    if re.fullmatch(r"[+-]?[0-9]{1,15}", typed):
        return int(typed)
    try:
        return float(typed)
    except ValueError:
        return written


# -- writing ----------------------------------------------------------------------------------

def csv_bytes(rows: list[list]) -> bytes:
    """Rows as a CSV file: UTF-8 with a byte-order mark, as Excel in China opens it; numbers
    as a person writes them (1, not 1.0)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else _written(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list], title: str) -> bytes:
    """Rows as a one-sheet workbook; a text stays a text (a GTIN keeps its leading zero)."""
    workbook = _openpyxl().Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _written(value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)
