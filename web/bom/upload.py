"""BOM files uploaded by producers: read by footprint.bomfiles, as ``footprint calc`` reads
them, with the upload form's product fields filling in what a CSV or XLSX file leaves out.

A CSV or XLSX file holds the lines under a header row naming its columns: ``input`` or
``emission``, ``amount``, ``unit``, ``stage``, ``region``, ``year``, ``basis``, ``note`` (the
Chinese names 投入, 排放, 数量, 单位, 阶段, 地区, 年份, 核算方法, 备注 work too), and may
start with a header block (产品名称, 地区, 声明单位 ... one a row; docs/bom.md). Every
problem the core finds is reported at the file's row and column: ``row 7, column unit: unit
"kwh" unknown, did you mean "kWh"?``.
"""
from __future__ import annotations

from footprint.bomfiles import BomFile, kind_of, read_bom_bytes

from .form import header_from_form

Upload = BomFile  # what read_upload returns: .bom, .kind, .located_problems(problems)

__all__ = ["Upload", "kind_of", "read_upload"]


def read_upload(filename: str, content: bytes, form) -> Upload:
    """The BOM in an uploaded file (what a CSV/XLSX file leaves out from ``form``); raises
    InvalidInput for a file that cannot be read as a BOM."""
    return read_bom_bytes(filename, content, header_from_form(form))
