"""Turning a validated BOM into background quantities: what each line consumes or emits.

Every name that depends on the installed plugins is checked here (inputs, regions, factor
years, units against the process's unit, sub-assemblies), and every problem is reported
with the line and field it comes from, with the nearest valid name where one is close.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..bom import Bom, Line, read_bom_file
from ..errors import InvalidInput, Problem
from ..model import ElectricityFactor
from ..suggest import unknown
from ..units import UnitError, convert, dimension

ELECTRICITY = "electricity"

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
        raise NoBasis(f'no {basis}-based electricity factor for {region_code} '
                      f'(bases available there: {", ".join(bases) or "none"})')
    chosen = max(by_year) if year is None else year
    if chosen not in by_year:
        via = f" (whose factors come from {code})" if code != region_code else ""
        raise NoYear(f"no {basis}-based electricity factor for {region_code}{via} in {year}; "
                     f"published years: {', '.join(map(str, sorted(by_year)))}")
    note = ""
    if code != region_code:
        stand_in = registry.regions[code]
        note = (f"{region.name_en} ({region_code}) has no {basis}-based factor; that of "
                f"{stand_in.name_en} ({code}) is used")
        if region.fallback_note:
            note += f" ({region.fallback_note})"
    return by_year[chosen], note


def resolve_bom(bom: Bom, registry, products: ProductResolver | None = None,
                expand: Callable[[Bom], Bom] | None = None,
                _chain: tuple[str, ...] = ()) -> ResolvedBom:
    """Resolve every line of ``bom`` (after ``expand`` models its category parameters as
    lines); raises InvalidInput listing every problem found."""
    if expand is not None:
        bom = expand(bom)
    problems: list[Problem] = []
    if bom.product["category"] not in registry.categories:
        problems.append(Problem("product.category",
                                unknown("category", bom.product["category"], registry.categories)))
    if bom.region not in registry.regions:
        problems.append(Problem("region", unknown("region", bom.region, registry.regions)))
    chain = (*_chain, _identity(bom))
    resolved = []
    for line in bom.lines:
        try:
            resolved.append(_resolve_line(line, bom, registry, products, expand, chain))
        except _LineProblems as exc:
            problems += exc.problems
    if problems:
        raise InvalidInput(problems, bom.origin or None)
    return ResolvedBom(bom, tuple(resolved))


class _LineProblems(Exception):
    def __init__(self, *problems: Problem):
        self.problems = list(problems)


def _identity(bom: Bom) -> str:
    if bom.product.get("id"):
        return f"id:{bom.product['id']}"
    return f"file:{Path(bom.origin).resolve()}" if bom.origin else f"name:{bom.product['name']}"


def _unit_to(line: Line, target_unit: str) -> float:
    try:
        return convert(line.amount, line.unit, target_unit)
    except UnitError as exc:
        raise _LineProblems(Problem(f"{line.where}.unit", str(exc))) from None


def _resolve_line(line: Line, bom: Bom, registry, products, expand, chain) -> ResolvedLine:
    is_electricity = line.input == ELECTRICITY
    misplaced = [] if is_electricity else [
        Problem(f"{line.where}.{f}", "only electricity lines take this field")
        for f in ("region", "year", "basis") if getattr(line, f) is not None]
    try:
        resolved = _resolve_kind(line, bom, registry, products, expand, chain)
    except _LineProblems as exc:  # report the line's other problems too ("electricty" + region)
        raise _LineProblems(*exc.problems, *misplaced) from None
    if misplaced:
        raise _LineProblems(*misplaced)
    return resolved


def _resolve_kind(line: Line, bom: Bom, registry, products, expand, chain) -> ResolvedLine:
    is_electricity = line.input == ELECTRICITY
    if line.emission is not None:
        if line.emission not in registry.flows:
            raise _LineProblems(Problem(f"{line.where}.emission",
                                        unknown("emission", line.emission, registry.flows)))
        return ResolvedLine(line, flow=line.emission, quantity=_unit_to(line, "kg"))
    if is_electricity:
        return _resolve_electricity(line, bom, registry)
    if line.product_ref is not None:
        return _resolve_product(line, bom, registry, products, expand, chain)
    if line.input not in registry.processes:
        choices = [*registry.processes, ELECTRICITY, "product:<id or file>"]
        raise _LineProblems(Problem(f"{line.where}.input", unknown("input", line.input, choices)))
    process = registry.processes[line.input]
    return ResolvedLine(line, process_id=process.id, quantity=_unit_to(line, process.unit))


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
                                    unknown("region", region, registry.regions)))
        raise _LineProblems(*problems)
    year = line.year if line.year is not None else bom.factor_year
    basis = line.basis if line.basis is not None else bom.electricity_basis
    try:
        factor, note = electricity_factor(registry, region, year, basis)
    except LookupError as exc:
        # Name the field that asked for what is missing: the year (or the BOM's factor_year)
        # when only the year is missing, the basis (or the BOM's electricity_basis) otherwise.
        own, bom_field = ("year", "factor_year") if isinstance(exc, NoYear) else \
            ("basis", "electricity_basis")
        if getattr(line, own) is not None:
            field, hint = own, ""
        else:
            field = "region" if line.region is not None else "input"
            hint = f" (the BOM's {bom_field})"
        problems.append(Problem(f"{line.where}.{field}", f"{exc}{hint}"))
    if problems:
        raise _LineProblems(*problems)
    return ResolvedLine(line, process_id=factor.process_id, quantity=quantity, factor=factor,
                        note=note, request=(region, year, basis))


def _resolve_product(line, bom, registry, products, expand, chain) -> ResolvedLine:
    where = f"{line.where}.input"
    if not line.product_ref:
        raise _LineProblems(Problem(where, 'write "product:<id or file>"'))
    if products is None:
        raise _LineProblems(Problem(where, "sub-assemblies cannot be looked up here"))
    try:
        sub_bom = products(line.product_ref, bom)
    except LookupError as exc:
        raise _LineProblems(Problem(where, str(exc))) from None
    except InvalidInput as exc:
        raise _LineProblems(*[Problem(where, f"in {line.product_ref}: {p}")
                              for p in exc.problems]) from None
    if _identity(sub_bom) in chain:
        cycle = " -> ".join([*chain, _identity(sub_bom)])
        raise _LineProblems(Problem(where, f"sub-assemblies form a cycle: {cycle}"))
    try:
        sub = resolve_bom(sub_bom, registry, products, expand, chain)
    except InvalidInput as exc:
        raise _LineProblems(*[Problem(where, f"in {line.product_ref}: {p}")
                              for p in exc.problems]) from None
    declared = sub_bom.declared_unit
    try:
        dimension(declared["unit"])
        quantity = convert(line.amount, line.unit, declared["unit"]) / declared["amount"]
    except UnitError as exc:
        raise _LineProblems(Problem(f"{line.where}.unit", f"{exc} (declared unit of "
                                    f"{line.product_ref})")) from None
    return ResolvedLine(line, sub=sub, quantity=quantity)


class FileProducts:
    """Sub-assemblies from files: ``product:cell.json`` is a path relative to the BOM that
    names it; ``product:cell-lfp-01`` is the BOM in the same folder whose product.id it is."""

    def __call__(self, ref: str, parent: Bom) -> Bom:
        base = Path(parent.origin).parent if parent.origin else Path.cwd()
        if ref.endswith(".json") or "/" in ref:
            path = base / ref
            if not path.is_file():
                raise LookupError(f"no BOM file {path}")
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
            raise LookupError(f'product id "{ref}" is declared by several BOMs in {base}: {names}')
        if matches:
            return matches[0]
        raise LookupError(f'no BOM with product id "{ref}" in {base}')
