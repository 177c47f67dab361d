"""The BOM editor's state: the values shown, the rows of each list, and the problems next to
their fields; rows are added and removed by the form's own buttons, so the editor works
without JavaScript."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from footprint.parameters import describe_parameters

from ..i18n import problem_text
from .form import FormBom, field_name, row_indices


@dataclass
class Editor:
    values: dict  # field name -> text as entered (or as stored)
    rows: dict  # row prefix ("lines", "parameters-fertilisers") -> row numbers shown
    errors: dict = field(default_factory=dict)  # field name -> messages
    problems: list = field(default_factory=list)  # every problem, for the summary

    def value(self, name) -> str:
        return self.values.get(name, "")

    def next_row(self, prefix: str) -> int:
        return max(self.rows.get(prefix) or [-1]) + 1


def editor_from_values(values: dict, registry, new_rows: int = 1) -> Editor:
    """An editor showing ``values``; lists get ``new_rows`` blank rows when they have none."""
    rows = {"lines": row_indices(values.keys(), "lines") or list(range(new_rows))}
    category = registry.categories.get(values.get("product-category") or "generic")
    if category is not None:
        for desc in describe_parameters(category):
            if desc.get("fields") and desc.get("type") == "List":
                prefix = f"parameters-{desc['name']}"
                rows[prefix] = row_indices(values.keys(), prefix)
    return Editor(dict(values), rows)


def apply_row_action(editor: Editor, action: str) -> bool:
    """'add:<prefix>' adds a blank row, 'remove:<prefix>-<n>' removes row n. True if done."""
    verb, _sep, target = action.partition(":")
    if verb == "add" and target in editor.rows:
        editor.rows[target] = editor.rows[target] + [editor.next_row(target)]
        return True
    match = re.fullmatch(r"(.+)-(\d+)", target)
    if verb == "remove" and match and match.group(1) in editor.rows:
        prefix, row = match.group(1), int(match.group(2))
        editor.rows[prefix] = [r for r in editor.rows[prefix] if r != row]
        stem = f"{prefix}-{row}-"
        editor.values = {k: v for k, v in editor.values.items() if not k.startswith(stem)}
        return True
    return False


def attach_problems(editor: Editor, problems, form_bom: FormBom | None = None) -> None:
    """Put each problem next to its field (and all of them in the summary)."""
    for problem in problems:
        name = form_bom.field_for(problem.where) if form_bom else field_name(problem.where)
        message = problem_text(problem)  # in the reader's language where the web has it
        editor.errors.setdefault(name, []).append(message)
        editor.problems.append({"where": problem.where, "human_where": problem.human_where,
                                "message": message, "field": name})


def with_category_defaults(values: dict, category) -> dict:
    """``values`` with a declared unit the category allows (its first, the one its plugin
    names first) when they hold none it allows; a category that allows any unit changes
    nothing."""
    units = tuple(category.declared_units) if category is not None else ()
    if units and values.get("declared_unit-unit") not in units:
        values = {**values, "declared_unit-unit": units[0]}
    return values


# -- what is still missing --------------------------------------------------------------------

def _steps(where: str) -> list:
    """lines[2].unit -> ["lines", 2, "unit"]"""
    steps = []
    for name, index in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", where):
        steps.append(int(index) if index else name)
    return steps


def _blank(value) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not
                             (value.strip() if isinstance(value, str) else value))


def is_missing(problem, bom, form=None, form_bom: FormBom | None = None) -> bool:
    """True if ``problem`` is about a value not given at all (a blank field, a missing key,
    an empty list) rather than a wrong one: whatever the core's wording, a problem at a place
    where nothing was typed can only mean that something is needed there."""
    if problem.where == "(top level)":
        return False
    value = bom
    for step in _steps(problem.where):
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return True
    if _blank(value):
        return True
    if form is not None and form_bom is not None:  # a row with a note but no input
        name = form_bom.field_for(problem.where)
        return name in form and _blank(form.get(name))
    return False
