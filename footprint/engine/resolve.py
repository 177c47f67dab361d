"""Turning a validated BOM into background quantities: what each line consumes or emits.

Every name that depends on the installed plugins is checked here (inputs, regions, factor
years, units against the process's unit, sub-assemblies), and every problem is reported
with the line and field it comes from, with the nearest valid name where one is close:
inputs of the line's dimension and regions of the same country and grid are offered first.

A region, a category and an input may be named as people name them (四川, 柑橘, 柴油燃烧):
engine.names reads the names the registry carries as their codes, in the BOM's canonical
form too, so that what is stored and everything after it sees codes. A BOM read with ``keep_going`` brings the
problems of its shape: they are reported here with those of its valid lines, in one round.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..bom import ELECTRICITY, Bom, Line, read_bom_file
from ..errors import InvalidInput, Message, Problem, Text, Word
from ..factortable import LIBRARY_PACKAGE, LIBRARY_PREFIX, dataset_id
from ..imported import split_id
from ..model import ElectricityFactor
from ..suggest import unknown
from ..units import UNITS, UnitError, convert, dimension
from .names import named_categories, named_inputs, with_codes
from .regions import unknown_region
from .supplier import LabelResolver, SupplierLabel, label_co2e, unit_problem

# A product reference ("product:<id or file>") -> its BOM. Raises LookupError if not found.
ProductResolver = Callable[[str, Bom], Bom]


@dataclass(frozen=True)
class ResolvedLine:
    line: Line
    process_id: str | None = None  # a background process ...
    flow: str | None = None  # ... or a direct emission ...
    sub: "ResolvedBom | None" = None  # ... or a sub-assembly
    quantity: float = 0.0  # in the process's unit, in kg of the flow, or declared units of sub
    factor: ElectricityFactor | None = None
    note: str = ""  # e.g. which region's factor stood in
    # electricity: what the BOM asked for, (region, year or None for the newest, basis), so a
    # recalculation under other factor data can choose again exactly as this line would
    request: tuple[str, int | None, str] | None = None
    # a supplier's label (engine.supplier): quantity is then kg CO2e, as the label signs it
    label: SupplierLabel | None = None


@dataclass(frozen=True)
class ResolvedBom:
    bom: Bom
    lines: tuple[ResolvedLine, ...]

    def canonical(self) -> dict:
        """The BOM and, nested under their lines, the sub-assemblies it was calculated with."""
        subs = {f"lines[{r.line.index}]": r.sub.canonical() for r in self.lines if r.sub}
        return {"bom": self.bom.canonical, "sub_assemblies": subs} if subs else \
            {"bom": self.bom.canonical}


class NoBasis(LookupError):
    """No factor of the asked basis for a region (nor for any of its fallbacks)."""


class NoYear(LookupError):
    """Factors of the basis exist, but none for the asked data year."""


def electricity_factor(registry, region_code: str, year: int | None, basis: str):
    """The factor for ``region_code`` (or the first fallback region that has one) and a note
    saying so when a fallback stood in. Raises LookupError (NoBasis or NoYear) with what is
    available."""
    region = registry.regions[region_code]
    for code in (region_code, *region.fallback):
        by_year = registry.factors_for(code, basis)
        if by_year:
            break
    else:
        bases = sorted({b for (r, _, b) in registry.electricity if r == region_code})
        raise NoBasis(Message("no %(basis)s-based electricity factor for %(region)s (bases "
                              "available there: %(bases)s)", basis=Word("basis", basis),
                              region=region_code,
                              bases=[Word("basis", b) for b in bases] or Message("none")))
    chosen = max(by_year) if year is None else year
    if chosen not in by_year:
        years = sorted(by_year)
        if code != region_code:
            raise NoYear(Message("no %(basis)s-based electricity factor for %(region)s (whose "
                                 "factors come from %(source)s) in %(year)s; published years: "
                                 "%(years)s", basis=Word("basis", basis), region=region_code,
                                 source=code, year=year, years=years))
        raise NoYear(Message("no %(basis)s-based electricity factor for %(region)s in "
                             "%(year)s; published years: %(years)s",
                             basis=Word("basis", basis), region=region_code, year=year,
                             years=years))
    note = ""
    if code != region_code:
        stand_in = registry.regions[code]
        said = dict(region=Text(region.name_zh, region.name_en), code=region_code,
                    basis=Word("basis", basis), stand_in=Text(stand_in.name_zh, stand_in.name_en),
                    stand_in_code=code)
        note = Message("%(region)s (%(code)s) has no %(basis)s-based factor; that of "
                       "%(stand_in)s (%(stand_in_code)s) is used", **said)
        if region.fallback_note and code == region.fallback[0]:  # why its first stand-in
            note = Message("%(region)s (%(code)s) has no %(basis)s-based factor; that of "
                           "%(stand_in)s (%(stand_in_code)s) is used (%(why)s)",
                           why=region.fallback_note, **said)
    return by_year[chosen], note


def resolve_bom(bom: Bom, registry, products: ProductResolver | None = None,
                expand: Callable[[Bom], Bom] | None = None,
                _chain: tuple[str, ...] = (), labels: LabelResolver | None = None) -> ResolvedBom:
    """Resolve every line of ``bom`` (after ``expand`` models its category parameters as
    lines); raises InvalidInput listing every problem found, the shape's a ``keep_going``
    Bom brings included."""
    problems: list[Problem] = list(bom.problems)
    bom = with_codes(bom, registry)
    refused = None
    if expand is not None:
        try:
            bom = expand(bom)
        except InvalidInput as exc:  # the parameters' problems, and the lines' below
            refused = exc
            problems += exc.problems
    category = (bom.product or {}).get("category")
    if category is not None and category not in registry.categories:
        problems.append(Problem("product.category",
                                unknown(Message("category"), category, registry.categories,
                                        named=named_categories(registry))))
    if bom.region is not None and bom.region not in registry.regions:
        problems.append(Problem("region", unknown_region(registry, bom.region)))
    chain = (*_chain, _identity(bom))
    resolved = []
    for line in bom.lines:
        try:
            resolved.append(_resolve_line(line, bom, registry, products, expand, chain,
                                          labels))
        except _LineProblems as exc:
            problems += exc.problems
    if refused is not None and problems == refused.problems:
        raise refused  # a plugin's own refusal, alone, reaches the caller as it was raised
    if problems:
        # once each: every line of a region without the BOM's factor year says it alike
        raise InvalidInput(list(dict.fromkeys(problems)), bom.origin or None)
    return ResolvedBom(bom, tuple(resolved))


class _LineProblems(Exception):
    def __init__(self, *problems: Problem):
        self.problems = list(problems)


def _identity(bom: Bom) -> str:
    product = bom.product or {}
    if product.get("id"):
        return f"id:{product['id']}"
    return f"file:{Path(bom.origin).resolve()}" if bom.origin else f"name:{product.get('name')}"


def _unit_to(line: Line, target_unit: str) -> float:
    try:
        return convert(line.amount, line.unit, target_unit)
    except UnitError as exc:
        raise _LineProblems(Problem(f"{line.where}.unit", exc.args[0])) from None


def _resolve_line(line: Line, bom: Bom, registry, products, expand, chain,
                  labels=None) -> ResolvedLine:
    is_electricity = line.input == ELECTRICITY
    misplaced = [] if is_electricity else [
        Problem(f"{line.where}.{f}", Message("only electricity lines take this field"))
        for f in ("region", "year", "basis") if getattr(line, f) is not None]
    try:
        resolved = _resolve_label(line, labels) if line.label_ref is not None else \
            _resolve_kind(line, bom, registry, products, expand, chain, labels)
    except _LineProblems as exc:  # report the line's other problems too ("electricty" + region)
        raise _LineProblems(*exc.problems, *misplaced) from None
    if misplaced:
        raise _LineProblems(*misplaced)
    return resolved


def _resolve_label(line: Line, labels: LabelResolver | None) -> ResolvedLine:
    where = f"{line.where}.input"
    if not line.label_ref:
        raise _LineProblems(Problem(where, Message('write "label:<label id>" or the '
                                                   "label's URL")))
    if labels is None:
        raise _LineProblems(Problem(where, Message("suppliers' labels cannot be checked "
                                                   "here")))
    try:
        label = labels(line.label_ref, line)
    except LookupError as exc:
        raise _LineProblems(Problem(where, exc.args[0] if exc.args else str(exc))) from None
    try:
        quantity = label_co2e(line, label)
    except UnitError as exc:
        raise _LineProblems(Problem(f"{line.where}.unit", unit_problem(exc, label))) from None
    return ResolvedLine(line, quantity=quantity, label=label)


def _resolve_kind(line: Line, bom: Bom, registry, products, expand, chain,
                  labels=None) -> ResolvedLine:
    is_electricity = line.input == ELECTRICITY
    if line.emission is not None:
        if line.emission not in registry.flows:
            raise _LineProblems(Problem(f"{line.where}.emission",
                                        unknown(Message("direct emission"), line.emission,
                                                registry.flows)))
        return ResolvedLine(line, flow=line.emission, quantity=_unit_to(line, "kg"))
    if is_electricity:
        return _resolve_electricity(line, bom, registry)
    if line.product_ref is not None:
        return _resolve_product(line, bom, registry, products, expand, chain, labels)
    if line.input not in registry.processes:
        left_out = _library_left_out(line.input, registry)
        if left_out:
            raise _LineProblems(Problem(f"{line.where}.input", left_out))
        if split_id(line.input) is not None:
            raise _LineProblems(Problem(f"{line.where}.input",
                                        _unknown_background(line.input, registry)))
        # imported activities (thousands) are named by their bg: code only, never guessed
        offered = {pid: p for pid, p in registry.processes.items() if not p.cumulative}
        choices = [*offered, ELECTRICITY, "product:<id or file>", "label:<label id>",
                   "bg:<dataset>/<code>"]
        raise _LineProblems(Problem(f"{line.where}.input", unknown(
            Message("input"), line.input, choices, _fitting(line.unit, bom, registry),
            {p.id: (p.name_en, p.name_zh) for p in offered.values()},
            named=named_inputs(registry))))
    process = registry.processes[line.input]
    return ResolvedLine(line, process_id=process.id, quantity=_unit_to(line, process.unit))


def _library_left_out(name: str, registry) -> Message | None:
    """A platform library's factor that this data version leaves out (named without the
    library): say which versions would include it rather than call the input unknown."""
    if not name.startswith(LIBRARY_PREFIX):
        return None
    library = name[len(LIBRARY_PREFIX):].partition("/")[0]
    catalog = next((c for c in registry.catalogs if c.package == LIBRARY_PACKAGE), None)
    if catalog is None or dataset_id(library) not in catalog.entries:
        return None
    versions = [v["version"] for v in catalog.versions(dataset_id(library))]
    return Message("data version %(version)s does not include library %(library)s; a data "
                   "version that names one of its versions does: %(versions)s",
                   version=registry.data_version_name or Message("(every dataset current)"),
                   library=library, versions=versions)


def _unknown_background(input_id: str, registry) -> Message:
    """An unknown ``bg:<dataset>/<code>``: the datasets imported, or the activities of the
    dataset whose code or name is close."""
    name, code = split_id(input_id)
    own = {pid: p for pid, p in registry.processes.items()
           if p.cumulative and split_id(pid) is not None and split_id(pid)[0] == name}
    if not own:
        names = sorted({split_id(pid)[0] for pid, p in registry.processes.items()
                        if p.cumulative and split_id(pid) is not None})
        return Message('no imported background dataset "%(name)s" (imported: %(names)s); '
                       'see "footprint background list"', name=name,
                       names=names or Message("none"))
    return unknown(Message("activity of %(dataset)s", dataset=name), input_id, own, (),
                   {pid: (p.name_en, pid.rpartition("/")[2]) for pid, p in own.items()})


def _fitting(unit: str, bom: Bom, registry) -> list[str]:
    """Inputs a line in ``unit`` of this product may mean, in the order they are offered:
    electricity for energy (what a line in kWh most often is), those of the product's own
    category, then the generic ones (a process of a plugin that registers no other category:
    the core's, the material library's), each measured in the unit's dimension."""
    wanted = UNITS[unit][0]
    owners = {c.plugin: c.id for c in registry.categories.values() if c.id != "generic"}
    category = (bom.product or {}).get("category")
    fitting = [(pid, owners.get(p.plugin)) for pid, p in registry.processes.items()
               if not p.cumulative and p.unit in UNITS and UNITS[p.unit][0] == wanted
               and owners.get(p.plugin, category) == category]
    own = sorted(pid for pid, owner in fitting if owner is not None)
    generic = sorted(pid for pid, owner in fitting if owner is None)
    return ([ELECTRICITY] if wanted == "energy" else []) + own + generic


def _resolve_electricity(line: Line, bom: Bom, registry) -> ResolvedLine:
    problems = []
    try:
        quantity = _unit_to(line, "kWh")
    except _LineProblems as exc:  # keep going: the factor may be missing too
        problems += exc.problems
    region = line.region if line.region is not None else bom.region
    if region not in registry.regions:
        if line.region is not None:  # else the BOM's own region is already reported
            problems.append(Problem(f"{line.where}.region",
                                    unknown_region(registry, region, bom.region)))
        raise _LineProblems(*problems)
    year = line.year if line.year is not None else bom.factor_year
    basis = line.basis if line.basis is not None else bom.electricity_basis
    if basis is None:  # the BOM's electricity_basis is wrong: reported with its shape
        raise _LineProblems(*problems)
    try:
        factor, note = electricity_factor(registry, region, year, basis)
    except LookupError as exc:
        # Name the field whose value asked for what is missing: the year (the line's, else
        # the BOM's factor_year) when only the year is missing, the basis (the line's, else
        # the BOM's electricity_basis) otherwise; at the BOM's field, the line that used it.
        own, bom_field = ("year", "factor_year") if isinstance(exc, NoYear) else \
            ("basis", "electricity_basis")
        if getattr(line, own) is not None:
            problems.append(Problem(f"{line.where}.{own}", exc.args[0]))
        else:
            problems.append(Problem(bom_field, Message(
                "%(line)s: %(problem)s", line=_line_name(line), problem=exc.args[0])))
    if problems:
        raise _LineProblems(*problems)
    return ResolvedLine(line, process_id=factor.process_id, quantity=quantity, factor=factor,
                        note=note, request=(region, year, basis))


def _line_name(line: Line) -> Message:
    """A line as people number it: line 3, or a category's modelled line 14."""
    if line.model is not None:
        return Message("modelled line %(number)s", number=line.index + 1)
    return Message("line %(number)s", number=line.index + 1)


def _resolve_product(line, bom, registry, products, expand, chain, labels=None) -> ResolvedLine:
    where = f"{line.where}.input"
    if not line.product_ref:
        raise _LineProblems(Problem(where, Message('write "product:<id or file>"')))
    if products is None:
        raise _LineProblems(Problem(where, Message("sub-assemblies cannot be looked up here")))
    try:
        sub_bom = products(line.product_ref, bom)
    except LookupError as exc:
        raise _LineProblems(Problem(where, exc.args[0] if exc.args else str(exc))) from None
    except InvalidInput as exc:
        raise _LineProblems(*_inside(where, line.product_ref, exc.problems)) from None
    if _identity(sub_bom) in chain:
        cycle = " -> ".join([*chain, _identity(sub_bom)])
        raise _LineProblems(Problem(where, Message("sub-assemblies form a cycle: %(cycle)s",
                                                   cycle=cycle)))
    try:
        sub = resolve_bom(sub_bom, registry, products, expand, chain, labels)
    except InvalidInput as exc:
        raise _LineProblems(*_inside(where, line.product_ref, exc.problems)) from None
    declared = sub_bom.declared_unit
    try:
        dimension(declared["unit"])
        quantity = convert(line.amount, line.unit, declared["unit"]) / declared["amount"]
    except UnitError as exc:
        raise _LineProblems(Problem(f"{line.where}.unit", Message(
            "%(problem)s (declared unit of %(product)s)", problem=exc.args[0],
            product=line.product_ref))) from None
    return ResolvedLine(line, sub=sub, quantity=quantity)


def _inside(where: str, ref: str, problems) -> list[Problem]:
    """A sub-assembly's problems, located at the line that names it."""
    return [Problem(where, Message("in %(product)s: %(where)s: %(problem)s", product=ref,
                                   where=p.human_where, problem=p.message)) for p in problems]


class FileProducts:
    """Sub-assemblies from files: ``product:cell.json`` is a path relative to the BOM that
    names it; ``product:cell-lfp-01`` is the BOM in the same folder whose product.id it is."""

    def __call__(self, ref: str, parent: Bom) -> Bom:
        base = Path(parent.origin).parent if parent.origin else Path.cwd()
        if ref.endswith(".json") or "/" in ref:
            path = base / ref
            if not path.is_file():
                raise LookupError(Message("no BOM file %(path)s", path=str(path)))
            return read_bom_file(path)
        matches = []
        for path in sorted(base.glob("*.json")):
            try:
                candidate = read_bom_file(path)
            except InvalidInput:
                continue  # not a BOM (or a broken one): it cannot be the product asked for
            if candidate.product.get("id") == ref:
                matches.append(candidate)
        if len(matches) > 1:
            names = ", ".join(Path(m.origin).name for m in matches)
            raise LookupError(Message('product id "%(id)s" is declared by several BOMs in '
                                      "%(folder)s: %(files)s", id=ref, folder=str(base),
                                      files=names))
        if matches:
            return matches[0]
        raise LookupError(Message('no BOM with product id "%(id)s" in %(folder)s', id=ref,
                                  folder=str(base)))
