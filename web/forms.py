"""A form's fields, said once: the label a page shows beside each field, and the paths by which
a use case's problems name it, so that a problem is shown by the field's own label in the
reader's language, next to the field, rather than by the path ("rules[0].cut_bp: ..." read as
"年度减排目标达成 · 优惠(基点): ...").

    PRODUCT = Form(Field("name", _l("Name of the loan product")),
                   Field("use_target", _l("Annual reduction target met ..."), "target",
                         blank=TICK),
                   Field("target_cut_bp", _l("Cut (bp)"), "target.cut_bp",
                         within="use_target"), ...)

    {{ form["name"].label }}                     the label, in the template
    form.shown(problems, request.form, renamed)  the problems as the page shows them

``renamed`` maps a path the use case made up to the form's own: the bank's rules are a list of
the ticked ones only, so the view says which rule ``rules[1]`` is ({"rules[1]": "subsidy"}).
A field left blank is told so (``blank``: fill it in, choose one, tick one) rather than quoted
("须为 2000 至 2100 的年份，而不是 "); a problem of no field of the form keeps the place
web.problems gives it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l

from .problems import SEPARATOR, Shown, shown

ENTER = _l("enter a value")
CHOOSE = _l("choose one")
TICK = _l("tick at least one")
_LAST_STEP = re.compile(r"(?:\.[^.\[]+|\[\d+\])$")  # lines[0].unit -> lines[0] -> lines


@dataclass(frozen=True)
class Field:
    """One field: its ``name`` in the form (its input's id is f-<name>), the ``label`` the page
    shows, the ``paths`` a use case's problems name it by (its name unless given), the field
    whose label heads it (``within``: a rule's box), and what a blank one is told (None: a
    blank says nothing, as of files sent beside the form or a group of boxes)."""

    name: str
    label: str
    paths: tuple[str, ...] | str = ()
    within: str | None = None
    blank: str | None = ENTER  # None: a field a blank does not explain (files, a group)
    entry: str | None = None  # an entry of a list the field holds: "band %(number)s"

    def __post_init__(self):
        paths = (self.paths,) if isinstance(self.paths, str) else tuple(self.paths)
        object.__setattr__(self, "paths", paths or (self.name,))


class Form:
    """The fields of one form, by name (for the template) and by path (for problems)."""

    def __init__(self, *fields: Field):
        self.by_name = {f.name: f for f in fields}
        self.by_path = {path: f for f in fields for path in f.paths}
        self.order = {name: i for i, name in enumerate(self.by_name)}

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    def field_for(self, where: str, renamed: Mapping[str, str] = {}) -> tuple:
        """The field a problem at ``where`` concerns (its path, else the nearest path above
        it: labels[1] is the labels field) and the entry of the field's list it is about
        (table.bands[1].cut_bp: 1), else None; a path ``renamed`` begins with is said the
        form's way first."""
        for made, own in renamed.items():
            if where == made or where.startswith((made + ".", made + "[")):
                where = own + where[len(made):]
                break
        path = where
        while path:
            if path in self.by_path:
                entry = re.match(r"\[(\d+)\]", where[len(path):])
                return self.by_path[path], int(entry.group(1)) if entry else None
            shorter = _LAST_STEP.sub("", path)
            if shorter == path:
                break
            path = shorter
        return None, None

    def shown(self, problems, values: Mapping, renamed: Mapping[str, str] = {}) -> list[Shown]:
        """``problems`` as the page shows them, in the order of the form's fields: at the
        field each concerns, by its label (under the label of the field it sits in), a blank
        field told it is wanted; the others, first, as web.problems says them."""
        out = []
        for problem in problems or ():
            (field, entry), said = self.field_for(problem.where, renamed), shown(problem)
            if field is not None:
                steps = [self.by_name[field.within].label] if field.within else []
                steps.append(field.label)
                if entry is not None and field.entry:
                    steps.append(field.entry % {"number": entry + 1})
                blank = field.blank is not None and _blank(values, field.name)
                message = field.blank if blank else said.message
                said = replace(said, place=SEPARATOR.join(str(s) for s in steps),
                               message=str(message), field=field.name)
            out.append(said)
        return sorted(out, key=lambda p: self.order.get(p.field, -1))


def _blank(values: Mapping, name: str) -> bool:
    """Whether the form sent nothing for ``name``: no value, only spaces, no box ticked."""
    if hasattr(values, "getlist"):
        given = [v for v in values.getlist(name) if str(v).strip()]
        return not given
    value = values.get(name)
    if isinstance(value, (list, tuple)):
        return not [v for v in value if str(v).strip()]
    return value is None or not str(value).strip()


def errors_at(problems: list[Shown]) -> dict[str, list[str]]:
    """Each field's messages, for the slot beside it."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field:
            found.setdefault(problem.field, []).append(problem.message)
    return found
