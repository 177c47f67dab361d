"""The submission page as a certifier's worksheet: what web/submissions.py gives its template.

Pure functions of a stored BOM, its result and the registry's names. No Flask and no
messages here: the template says the words in the reader's language (every name is handed
on as a record with ``name_zh`` and ``name_en`` for the ``named`` filter). A result's lines
and sources are named by footprint.resultnames, as ``footprint calc`` names them.

    stage_rows(result)                            the stages, with their shares and bars
    ranked_lines(result, bom, registry, by_line)  the result's lines, biggest share first, each
                                                  with the input's and the factor's names, the
                                                  factor's source, the model's note, the line's
                                                  evidence, comments and data-quality notes
    parameter_table(described, given)             category parameters as labelled rows
    bom_changes(before, after, described, registry)  what a new revision changed in the BOM
"""
from __future__ import annotations

import re
from collections import defaultdict

from footprint import resultnames
from footprint.resultnames import ResultNames, names

from .formatting import width_class

TOP = 5  # contributors the summary names
LINE_FIELDS = ("amount", "unit", "region", "year", "basis", "note", "primary")  # as compared
SETTINGS = ("declared_unit", "region", "factor_year", "electricity_basis", "system_boundary")
# the engine's notes about a line start so, in English or Chinese (web.problems.said_result)
LINE_NOTE = re.compile(r"^(?:line (\d+)\b|第 (\d+) 行)")
CJK = re.compile(r"[\u3400-\u9fff]")


# -- the summary -----------------------------------------------------------------------------

def _stage_name(text) -> dict | None:
    """A category's name for a stage: {"zh": ..., "en": ...} as plugins give it; results
    stored before that hold one text, "中文 / English" or "English (中文)", split here."""
    if not text:
        return None
    if isinstance(text, dict):
        return names(text.get("name_zh") or text.get("zh"), text.get("name_en") or text.get("en"))
    if " / " in text:
        zh, _, en = text.partition(" / ")
        return names(zh, en)
    outer, _, inner = text.rstrip(")").partition(" (")
    if inner and CJK.search(inner) and not CJK.search(outer):
        return names(inner, outer)
    if inner and CJK.search(outer) and not CJK.search(inner):
        return names(outer, inner)
    return names(text, text)


def stage_rows(result: dict) -> list[dict]:
    """Each stage inside the boundary: its kg CO2e, share of the total and bar."""
    stages = dict(result.get("by_stage") or {})
    whole = sum(abs(v) for v in stages.values())
    total = result.get("total_kg_co2e") or 0
    stage_names = (result.get("category") or {}).get("stage_names") or {}
    return [{"stage": stage, "kg": kg, "share": kg / total if total else None,
             "width": width_class(kg, whole), "category_name": _stage_name(stage_names.get(stage))}
            for stage, kg in stages.items()]


# -- the lines -------------------------------------------------------------------------------

def _region(code: str | None, registry) -> dict | None:
    if code is None:
        return None
    region = registry.regions.get(code)
    return {"code": code, **(names(region.name_zh, region.name_en) if region else
                             names(code, code))}


def _line_notes(notes: list) -> tuple[dict[int, list], list]:
    """The result's notes about one line (by line number) and the others."""
    by_line, general = defaultdict(list), []
    for note in notes or []:
        match = LINE_NOTE.match(note) if isinstance(note, str) else None
        if match:
            by_line[int(match.group(1) or match.group(2))].append(note)
        else:
            general.append(note)
    return by_line, general


def ranked_lines(result: dict, bom: dict, registry, by_line: dict,
                 result_names: ResultNames | None = None) -> list[dict]:
    """The result's lines, the biggest contribution first (lines outside the system boundary
    last). ``by_line``: line number -> {"evidence": [...], "comments": [...]} of the BOM's own
    lines (a category's modelled lines come after them and have none)."""
    records = {f["process"]: f for f in result.get("factors") or []}
    result_names = result_names or ResultNames.of(result, registry)
    own_lines = bom.get("lines") or []
    notes, _ = _line_notes(result.get("notes"))
    entries = list(result.get("by_input") or [])
    whole = sum(abs(e.get("kg_co2e") or 0) for e in entries if e.get("in_boundary", True))
    rows = []
    for entry in entries:
        factor = resultnames.factor(records.get(entry.get("factor")), result_names)
        kind, name = resultnames.input_name(entry, factor, result_names)
        number = entry["line"]
        own = own_lines[number - 1] if number <= len(own_lines) else None
        extra = by_line.get(number, {}) if own is not None else {}
        rows.append({
            **entry, "kind": kind, "name": name, "factor": factor,
            "kg": entry.get("kg_co2e") or 0.0,
            "width": width_class(entry.get("kg_co2e") or 0, whole),
            "model_note": {"name_zh": entry.get("note_zh") or entry.get("note") or "",
                           "name_en": entry.get("note_en") or entry.get("note") or ""}
            if entry.get("model") else None,
            "own_note": own.get("note") if own else None,
            "evidence": extra.get("evidence", []), "comments": extra.get("comments", []),
            "quality": notes.get(number, [])})
    rows.sort(key=lambda r: (not r.get("in_boundary", True), -r["kg"], r["line"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def general_notes(result: dict) -> list:
    """The result's notes that are not about one line (low-confidence data, ...)."""
    return _line_notes(result.get("notes"))[1]


def contributors(rows: list[dict], count: int = TOP) -> list[dict]:
    """The ``count`` biggest contributions inside the system boundary."""
    return [r for r in rows if r.get("in_boundary", True) and r["kg"] > 0][:count]


# -- the category parameters -----------------------------------------------------------------

def _label(field: dict) -> dict:
    """A parameter's name in both languages: its label where the plugin gives one, else its
    help text (never its key)."""
    return names(field.get("label_zh") or field.get("help_zh"),
                 field.get("label_en") or field.get("help_en"))


def _choice(field: dict, value) -> dict | None:
    """The zh/en names of a choice where the plugin gives them (the field's ``options``,
    footprint.parameters, as the BOM editor shows them); None where it names it in neither."""
    for option in field.get("options") or []:
        if option["value"] == value:
            zh, en = option.get("label_zh"), option.get("label_en")
            zh, en = (zh if zh != value else None), (en if en != value else None)
            return names(zh, en) if zh or en else None
    return None


def _cell(field: dict, given: dict) -> dict | None:
    """A parameter's value as given, else its default (marked so); None if neither."""
    if given.get(field["name"]) is not None:
        value, default = given[field["name"]], False
    elif field.get("default") is not None:
        value, default = field["default"], True
    else:
        return None
    return {"value": value, "default": default, "choice": _choice(field, value),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "unit": names(field.get("unit_zh") or field.get("unit"),
                          field.get("unit_en") or field.get("unit"))
            if field.get("unit") or field.get("unit_zh") or field.get("unit_en") else None}


def parameter_table(described: list[dict], given: dict) -> dict:
    """{"rows": [...], "lists": [...]}: each scalar parameter with its label, value and unit;
    each list of entries (fertilisers, ...) as a table with a column per field."""
    rows, lists = [], []
    for field in described:
        if field.get("fields"):
            entries = given.get(field["name"]) or []
            if entries:
                columns = [f for f in field["fields"]
                           if any(_cell(f, entry) for entry in entries)]
                lists.append({"name": _label(field), "key": field["name"],
                              "columns": [_label(f) for f in columns],
                              "rows": [[_cell(f, entry) for f in columns]
                                       for entry in entries]})
            continue
        cell = _cell(field, given)
        if cell is not None:
            rows.append({"name": _label(field), "key": field["name"], **cell})
    return {"rows": rows, "lists": lists}


# -- what a revision changed -----------------------------------------------------------------

def _line_key(line: dict) -> tuple:
    return (line.get("input") or f"emission:{line.get('emission')}", line.get("stage"))


def bom_line(line: dict, registry) -> dict:
    """A line of a BOM as people read it: what it brings in by name (a registered process by
    its names; electricity, a direct emission or a sub-assembly by kind), its amount and
    stage."""
    shown = {"amount": line.get("amount"), "unit": line.get("unit"), "stage": line.get("stage"),
             "region": _region(line.get("region"), registry), "year": line.get("year"),
             "basis": line.get("basis"), "note": line.get("note"),
             "primary": bool(line.get("primary"))}
    given = line.get("input")
    if given is None:
        flow = registry.flows.get(line.get("emission"))
        return {**shown, "kind": "emission", "name": names(flow.name_zh, flow.name_en) if flow
                else names(line.get("emission"), line.get("emission"))}
    if given == "electricity":
        return {**shown, "kind": "electricity", "name": None}
    process = registry.processes.get(given)
    if process is not None:
        return {**shown, "kind": "process", "name": names(process.name_zh, process.name_en)}
    return {**shown, "kind": "other", "name": names(given, given)}


def _line_changes(before: list[dict], after: list[dict], registry) -> list[dict]:
    """Lines added, removed and changed: a line is the same line in both revisions when it
    brings in the same input at the same stage (in order among equals)."""
    waiting = defaultdict(list)
    for number, line in enumerate(before, 1):
        waiting[_line_key(line)].append((number, line))
    changes = []
    for number, line in enumerate(after, 1):
        matches = waiting[_line_key(line)]
        if not matches:
            changes.append({"kind": "line_added", "line": number,
                            "after": bom_line(line, registry)})
            continue
        old_number, old = matches.pop(0)
        fields = [(f, old.get(f), line.get(f)) for f in LINE_FIELDS if old.get(f) != line.get(f)]
        if fields:
            changes.append({"kind": "line_changed", "line": number, "before_line": old_number,
                            "before": bom_line(old, registry),
                            "after": bom_line(line, registry), "fields": fields})
    for matches in waiting.values():
        changes += [{"kind": "line_removed", "line": number,
                     "before": bom_line(line, registry)} for number, line in matches]
    return changes


def _parameter_changes(described: list[dict], before: dict, after: dict) -> list[dict]:
    changes = []
    for field in described:
        if field.get("fields"):
            old_entries = before.get(field["name"]) or []
            new_entries = after.get(field["name"]) or []
            for index in range(max(len(old_entries), len(new_entries))):
                old = old_entries[index] if index < len(old_entries) else None
                new = new_entries[index] if index < len(new_entries) else None
                for sub in field["fields"]:
                    was = _cell(sub, old) if old is not None else None
                    now = _cell(sub, new) if new is not None else None
                    if (was and was["value"]) != (now and now["value"]):
                        changes.append({"kind": "parameter", "name": _label(field),
                                        "entry": index + 1, "field": _label(sub),
                                        "before": was, "after": now})
            continue
        was, now = _cell(field, before), _cell(field, after)
        if (was and was["value"]) != (now and now["value"]):
            changes.append({"kind": "parameter", "name": _label(field), "entry": None,
                            "field": None, "before": was, "after": now})
    return changes


def bom_changes(before: dict, after: dict, described: list[dict], registry) -> list[dict]:
    """What the producer changed from ``before`` to ``after`` (canonical BOMs): settings
    (declared unit, region, factor year, electricity basis, system boundary), category
    parameters (by their labels) and lines."""
    changes = [{"kind": "setting", "field": name, "before": _setting(name, before, registry),
                "after": _setting(name, after, registry)}
               for name in SETTINGS if before.get(name) != after.get(name)]
    changes += _parameter_changes(described, before.get("parameters") or {},
                                  after.get("parameters") or {})
    return changes + _line_changes(before.get("lines") or [], after.get("lines") or [],
                                   registry)


def _setting(name: str, bom: dict, registry):
    """A BOM's setting as shown: a region by its names, anything else as it is."""
    return _region(bom.get(name), registry) if name == "region" else bom.get(name)
