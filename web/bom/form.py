"""The BOM editor's form fields <-> a BOM dict, and a problem's JSON path -> its field.

Field names follow the BOM's JSON paths with ``-`` for ``.`` and ``[n]``: ``product-name``,
``declared_unit-amount``, ``lines-0-unit``, ``parameters-fertilisers-1-kg_per_ha``. A line's
``input`` select carries emissions too, as ``emission:<flow>``. Rows of lines (and of list
parameters) may be numbered with gaps (a row removed in the browser): they are read in order,
wholly blank rows are skipped, and the position each row took in the BOM is remembered so a
problem at ``lines[2].unit`` lands next to the field of the row it came from.

Nothing here validates: values are converted where they plainly are numbers and otherwise
passed on as typed, so the core reports them (``must be a number, not "abc"``) and the form
can show them again as entered.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from footprint.parameters import describe_parameters
from footprint.text import typed_number

LINE_FIELDS = ("input", "amount", "unit", "stage", "region", "year", "basis", "note", "primary")
EMISSION_PREFIX = "emission:"
NUMBER_TYPES = ("Float", "StrictFloat", "Number", "Decimal", "StrictNumber")
INTEGER_TYPES = ("Integer", "StrictInteger", "Int")


# -- converting typed text --------------------------------------------------------------------

def as_number(text: str):
    """A float if ``text`` reads as one, else the text itself (the core then says why); typed
    in full-width forms as a Chinese keyboard may (１２．５) too."""
    try:
        return float(typed_number(text))
    except ValueError:
        return text


def as_integer(text: str):
    typed = typed_number(text)
    return int(typed) if re.fullmatch(r"[+-]?[0-9]{1,9}", typed) else text


def show(value) -> str:
    """A stored value as the form shows it: 100.0 -> "100", 0.1 -> "0.1"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _text(form, name: str) -> str:
    return (form.get(name) or "").strip()


# -- form -> BOM ------------------------------------------------------------------------------

def row_indices(keys, prefix: str) -> list[int]:
    """Row numbers present in the form under ``prefix`` (``lines`` -> lines-0-*, lines-3-*)."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{1,4}})-[A-Za-z_][A-Za-z0-9_]*$")
    return sorted({int(m.group(1)) for k in keys if (m := pattern.match(k))})


def header_from_form(form) -> dict:
    """The BOM's top-level fields from the form (the editor's and the upload form's)."""
    product = {"category": _text(form, "product-category") or "generic"}
    for key in ("name", "name_zh", "id", "gtin", "lot"):
        if _text(form, f"product-{key}"):
            product[key] = _text(form, f"product-{key}")
    if "gtin" in product:  # the number under the barcode, typed full-width or not
        product["gtin"] = typed_number(product["gtin"])
    declared = {}
    if _text(form, "declared_unit-amount"):
        declared["amount"] = as_number(_text(form, "declared_unit-amount"))
    if _text(form, "declared_unit-unit"):
        declared["unit"] = _text(form, "declared_unit-unit")
    bom = {"product": product, "declared_unit": declared}
    if _text(form, "region"):
        bom["region"] = _text(form, "region")
    for key in ("factor_year", "reference_year"):
        if _text(form, key):
            bom[key] = as_integer(_text(form, key))
    for key in ("electricity_basis", "system_boundary"):
        if _text(form, key):
            bom[key] = _text(form, key)
    return bom


def line_from_values(get) -> dict | None:
    """One BOM line from a row's values (``get(field)`` -> text); None for a blank row."""
    values = {f: (get(f) or "").strip() for f in LINE_FIELDS}
    if not (values["input"] or values["amount"] or values["note"]):
        return None
    line = {}
    if values["input"].startswith(EMISSION_PREFIX):
        line["emission"] = values["input"][len(EMISSION_PREFIX):]
    elif values["input"]:
        line["input"] = values["input"]
    if values["amount"]:
        line["amount"] = as_number(values["amount"])
    for key in ("unit", "stage", "region", "basis", "note"):
        if values[key]:
            line[key] = values[key]
    if values["year"]:
        line["year"] = as_integer(values["year"])
    if values["primary"]:  # a checkbox: "true" when ticked, absent otherwise
        line["primary"] = {"true": True, "false": False}.get(values["primary"].lower(),
                                                               values["primary"])
    return line


def _parameter_value(desc: dict, text: str):
    kind = desc.get("type", "")
    if kind in NUMBER_TYPES:
        return as_number(text)
    if kind in INTEGER_TYPES:
        return as_integer(text)
    if kind == "Boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind in ("List", "Dict", "Mapping") and text[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _parameters_from_form(form, described: list[dict], prefix: str,
                          index_map: dict) -> dict:
    out = {}
    for desc in described:
        name, key = desc["name"], f"{prefix}-{desc['name']}"
        if desc.get("fields") and desc.get("type") == "List":
            rows, positions = [], {}
            for i in row_indices(form.keys(), key):
                row = _parameters_from_form(form, desc["fields"], f"{key}-{i}", index_map)
                if row:
                    positions[len(rows)] = i
                    rows.append(row)
            if rows:
                out[name] = rows
                index_map[_json_path(key)] = positions
        elif desc.get("fields"):
            nested = _parameters_from_form(form, desc["fields"], key, index_map)
            if nested:
                out[name] = nested
        elif _text(form, key):
            out[name] = _parameter_value(desc, _text(form, key))
    return out


def _json_path(form_prefix: str) -> str:
    """parameters-fertilisers-0-x -> parameters.fertilisers[0].x"""
    parts = form_prefix.split("-")
    path = parts[0]
    for part in parts[1:]:
        path += f"[{part}]" if part.isdigit() else f".{part}"
    return path


@dataclass
class FormBom:
    """A BOM read from the form, and where each of its rows came from."""

    bom: dict
    # JSON path of a list -> {position in the BOM: row number in the form}
    index_map: dict = field(default_factory=dict)

    def field_for(self, where: str) -> str:
        """The form field a problem at ``where`` (a JSON path) concerns."""
        match = re.match(r"^(lines|parameters(?:\.[A-Za-z_]\w*)+)\[(\d+)\](.*)$", where)
        if match and match.group(1) in self.index_map:
            rows = self.index_map[match.group(1)]
            position = int(match.group(2))
            where = f"{match.group(1)}[{rows.get(position, position)}]{match.group(3)}"
        return field_name(where)


def field_name(where: str) -> str:
    """lines[0].unit -> lines-0-unit; product.name -> product-name; an emission problem
    belongs to the line's input select."""
    name = re.sub(r"\[(\d+)\]", r"-\1", where).replace(".", "-")
    return re.sub(r"^(lines-\d+)-emission$", r"\1-input", name)


def bom_from_form(form, registry) -> FormBom:
    """The BOM the editor's fields describe (never raises: the core judges it)."""
    bom = header_from_form(form)
    lines, positions = [], {}
    for i in row_indices(form.keys(), "lines"):
        line = line_from_values(lambda f, i=i: form.get(f"lines-{i}-{f}"))
        if line is not None:
            positions[len(lines)] = i
            lines.append(line)
    index_map = {"lines": positions}
    category = registry.categories.get(bom["product"]["category"])
    if category is not None and category.parameters is not None:
        parameters = _parameters_from_form(form, describe_parameters(category), "parameters",
                                           index_map)
        if parameters:
            bom["parameters"] = parameters
    bom["lines"] = lines
    return FormBom(bom, index_map)


# -- BOM -> form values -----------------------------------------------------------------------

def values_from_bom(bom: dict) -> dict[str, str]:
    """The flat field values that show a stored BOM in the editor."""
    values = {}
    product, declared = bom.get("product") or {}, bom.get("declared_unit") or {}
    for key in ("name", "name_zh", "id", "category", "gtin", "lot"):
        values[f"product-{key}"] = show(product.get(key))
    values["declared_unit-amount"] = show(declared.get("amount"))
    values["declared_unit-unit"] = show(declared.get("unit"))
    for key in ("region", "factor_year", "reference_year", "electricity_basis",
                "system_boundary"):
        values[key] = show(bom.get(key))
    for i, line in enumerate(bom.get("lines") or []):
        what = line.get("input") or (EMISSION_PREFIX + line["emission"]
                                     if line.get("emission") else "")
        values[f"lines-{i}-input"] = what
        for key in LINE_FIELDS[1:]:
            values[f"lines-{i}-{key}"] = show(line.get(key))
    _flatten(bom.get("parameters") or {}, "parameters", values)
    return values


def _flatten(value, prefix: str, out: dict) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}-{key}", out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, inner in enumerate(value):
            _flatten(inner, f"{prefix}-{i}", out)
    else:
        out[prefix] = show(value)
