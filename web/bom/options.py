"""The options of the BOM editor's selects (inputs, regions, units, stages, bases,
boundaries, categories) and the names of a result's lines, in the reader's language.

A category's producer sees the inputs of its category and the generic ones (electricity, the
core's processes, those of plugins that register no category), never another category's:
an orange co-operative is not offered cathode material. Every input knows its unit and that
unit's dimension, so a line's unit select offers only units it can be converted from.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from footprint.bom import BOUNDARIES
from footprint.model import ELECTRICITY_BASES, STAGES
from footprint.units import UNITS

from .. import vocabulary as words
from ..formatting import footprint
from ..vocabulary import CO2E, in_language, word
from .form import EMISSION_PREFIX

GENERIC = "generic"
EMISSION_UNIT = "kg"  # a direct emission's amount is a mass (engine/resolve.py)


@dataclass(frozen=True)
class InputOption:
    """One choice of a line's input select."""

    value: str  # "electricity", a process id, "emission:<flow>", "product:<id>"
    label: str
    unit: str = ""  # the unit the input is measured in; "" when not known
    search: str = ""  # both languages' names and the id, lower case, for the text filter

    @property
    def dimension(self) -> str:
        return UNITS[self.unit][0] if self.unit in UNITS else ""


@dataclass
class Options:
    inputs: list  # [(group label, [InputOption])]
    known_inputs: dict  # value -> InputOption, every input of the registry (and the org's products)
    unit_groups: list  # [(dimension, dimension's word, [(unit, label)])]
    regions: list
    stages: list
    bases: list
    boundaries: list
    categories: list
    listed: set = field(default_factory=set)  # values of ``inputs``

    @property
    def units(self) -> list:
        """Every unit, grouped by dimension: [(dimension's word, [(unit, label)])]."""
        return [(label, units) for _dimension, label, units in self.unit_groups]

    def input_option(self, value: str) -> InputOption | None:
        return self.known_inputs.get(value)

    def unlisted(self, value: str) -> InputOption | None:
        """A stored line's input that this category does not list (a BOM made under another
        category, a file upload): shown with its name rather than dropped or shown as an id."""
        if not value or value in self.listed:
            return None
        return self.known_inputs.get(value)

    def units_for(self, value: str) -> list:
        """The unit groups a line with input ``value`` may use: its dimension's, or all of
        them while no input (or one of unknown unit) is chosen."""
        option = self.known_inputs.get(value)
        dimension = option.dimension if option else ""
        return [(label, units) for dim, label, units in self.unit_groups
                if not dimension or dim == dimension]


def _search(*names) -> str:
    return " ".join(n for n in names if n).lower()


def _unit_word(unit: str) -> str:
    return word(words.UNITS, unit)


def _offered(registry) -> list:
    """The processes the editor offers: not the activities of imported LCI databases
    (thousands; a producer finds one with `footprint background search` and writes its
    bg:<dataset>/<code>)."""
    return [p for p in registry.processes.values() if not p.cumulative]


def _process_options(registry, language: str, factors: dict | None) -> dict[str, InputOption]:
    """Every process as an option. Names that read alike in ``language`` (the field-N2O
    processes of each climate share their Chinese name) get what differs between them: the
    footprint of one unit, from ``factors`` (process id -> kg CO2e per unit)."""
    names = {p.id: in_language(p.name_zh, p.name_en, language)
             for p in _offered(registry)}
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name] = seen.get(name, 0) + 1
    options = {}
    for process in _offered(registry):
        name, unit = names[process.id], _unit_word(process.unit)
        label = f"{name} ({unit})"
        if seen[name] > 1 and factors and process.id in factors:
            label += f" · {footprint(factors[process.id])} {CO2E}/{unit}"
        options[process.id] = InputOption(process.id, label, process.unit,
                                          _search(process.name_zh, process.name_en, process.id))
    return options


def _input_groups(registry, category_id: str | None, processes: dict, emissions: list,
                  products: list, language: str) -> list:
    """Generic inputs first, then the category's own (every category's for a generic
    product, which may be made of anything), then direct emissions and sub-assemblies. A
    process is generic when its plugin registers no category but the generic one (the core's
    own processes, a plugin of background data)."""
    owners = {c.plugin: c for c in registry.categories.values() if c.id != GENERIC}
    generic = [InputOption("electricity", _("Electricity (grid, kWh)"), "kWh",
                           _search("电力 电网", "electricity grid", "electricity kwh"))]
    by_category: dict[str, list] = {}
    for process in _offered(registry):
        owner = owners.get(process.plugin)
        if owner is None:
            generic.append(processes[process.id])
        else:
            by_category.setdefault(owner.id, []).append(processes[process.id])
    groups = [(_("Generic inputs"), generic)]
    shown = [category_id] if category_id and category_id != GENERIC else sorted(by_category)
    for cid in shown:
        if by_category.get(cid):
            category = registry.categories[cid]
            groups.append((_("%(category)s inputs", category=in_language(
                category.name_zh, category.name_en, language)), by_category[cid]))
    groups.append((_("Direct emissions"), emissions))
    if products:
        groups.append((_("Sub-assemblies (your products)"), products))
    return groups


def choices(registry, language: str, org_products=(), category: str | None = None,
            factors: dict | None = None) -> Options:
    """Options of the editor's selects, labelled in ``language``, for a product of
    ``category`` (None or "generic": inputs of every category). ``org_products`` are
    (id, name, declared unit) of the organisation's products, offered as sub-assemblies."""
    processes = _process_options(registry, language, factors)
    emissions = [InputOption(EMISSION_PREFIX + flow.id,  # emitted gases are weighed: kg
                             f"{in_language(flow.name_zh, flow.name_en, language)} "
                             f"({_unit_word(flow.unit)})", EMISSION_UNIT,
                             _search(flow.name_zh, flow.name_en, flow.id))
                 for flow in registry.flows.values()]
    products = [InputOption(f"product:{pid}", name, unit or "", _search(name, f"product:{pid}"))
                for pid, name, unit in org_products]
    inputs = _input_groups(registry, category, processes, emissions, products, language)
    known = {o.value: o for o in [*processes.values(), *emissions, *products,
                                  *inputs[0][1]]}
    levels = {"country": _("Countries"), "grid": _("Regional grids"),
              "province": _("Provinces"), "union": _("Unions")}
    regions: dict[str, list] = {}
    for region in registry.regions.values():
        # the reader's name first (a select jumps to what is typed), the code for experts
        label = f"{in_language(region.name_zh, region.name_en, language)} ({region.code})"
        regions.setdefault(levels.get(region.level, region.level), []).append(
            (region.code, label))
    unit_groups: dict[str, list] = {}
    for unit, (dimension, _factor) in UNITS.items():
        unit_groups.setdefault(dimension, []).append((unit, _unit_word(unit)))
    categories = sorted(registry.categories.values(), key=lambda c: (
        c.id == GENERIC, in_language(c.name_zh, c.name_en, language)))
    return Options(
        inputs=inputs, known_inputs=known,
        unit_groups=[(d, word(words.DIMENSIONS, d), units) for d, units in unit_groups.items()],
        regions=list(regions.items()),
        stages=[(s, word(words.STAGES, s)) for s in STAGES],
        bases=[(b, word(words.BASES, b)) for b in ELECTRICITY_BASES],
        boundaries=[(b, word(words.BOUNDARIES, b)) for b in BOUNDARIES],
        categories=[(c.id, in_language(c.name_zh, c.name_en, language)) for c in categories],
        listed={o.value for _label, group in inputs for o in group})


def parameter_choices(desc: dict, language: str) -> list[tuple[str, str]]:
    """(value, label) of a category parameter's choices: the plugin's names in ``language``
    (``options``, from the field's ``choices`` metadata, footprint.parameters), else the other
    language's, else the value itself."""
    other = "en" if language == "zh" else "zh"
    options = {o["value"]: o for o in desc.get("options") or []}

    def named(value, lang):
        label = options.get(value, {}).get(f"label_{lang}")
        return label if label != value else None

    return [(str(value), str(named(value, language) or named(value, other) or value))
            for value in desc.get("choices") or []]


def line_label(entry: dict, registry, language: str) -> str:
    """A result's by_input entry named for people: 'Electricity (CN-SC, 2022)', 'Diesel ...'."""
    what = entry.get("input") or ""
    if what.startswith(EMISSION_PREFIX):
        flow = registry.flows.get(what[len(EMISSION_PREFIX):])
        return _("Direct emission: %(name)s",
                 name=in_language(flow.name_zh, flow.name_en, language) if flow else what)
    factor = entry.get("factor") or ""
    if what == "electricity" and factor.startswith("electricity/"):
        _kind, basis, region, year = (factor.split("/") + ["", "", "", ""])[:4]
        place = registry.regions.get(region)
        name = in_language(place.name_zh, place.name_en, language) if place else region
        return _("Electricity (%(region)s, %(year)s)", region=name, year=year)
    if what == "electricity":  # a line as stored, before a factor is chosen for it
        return _("Electricity (grid, kWh)")
    process = registry.processes.get(what)
    if process is not None:
        return in_language(process.name_zh, process.name_en, language)
    return what


def stored_line_label(line: dict, registry, language: str) -> str:
    """A line of a stored BOM named for people, as the pickers of a line show it (evidence,
    comments): its input's name, or the gas it emits."""
    emitted = line.get("emission")
    return line_label({"input": EMISSION_PREFIX + emitted if emitted else line.get("input")},
                      registry, language)
