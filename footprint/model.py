"""The records plugins hand to the core. Frozen, so a registered record cannot drift later.

Every record carries a ``Source`` (which dataset, which citation) and, once registered, the
name of the plugin that supplied it, so a result can say exactly where each factor came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Text

STAGES = ("raw_materials", "production", "distribution", "packaging", "end_of_life")
CRADLE_TO_GATE = STAGES[:4]
ELECTRICITY_BASES = ("location", "market", "lifecycle")
FLOW_ORIGINS = ("fossil", "biogenic", "other", "unspecified")
# What a factor covers (footprint.engine.scopes): CO2 alone; several gases as CO2e under a
# named GWP set; life-cycle CO2e including upstream. Narrowest first.
GAS_SCOPES = ("co2_only", "co2e", "lifecycle_co2e")


@dataclass(frozen=True)
class Source:
    dataset: str  # id in a data manifest, e.g. "cn_grid_co2_mee"
    citation: str
    confidence: str = ""
    # What the factor represents, for its data-quality ratings (footprint.dataquality): a
    # plugin fills them where it knows better than its dataset's manifest, which is the
    # fallback (engine/quality.py). geography: a region code (CN, CN-SC, GB, EU, GLO);
    # year: the reference year; technology: average, related or unknown.
    geography: str = ""
    year: int | None = None
    technology: str = ""
    # one of GAS_SCOPES where the plugin states it; "" = derived from the data
    # (footprint.engine.scopes)
    scope: str = ""
    # the uncertainty range the source publishes, as multiples of the value (low, high), e.g.
    # (0.8125, 1.1875) for 0.016 within 0.013-0.019; None where it publishes none
    # (footprint.engine.uncertainty reads it as a 95 % interval)
    range: tuple[float, float] | None = None

    def __post_init__(self):
        if self.scope and self.scope not in GAS_SCOPES:
            raise ValueError(f"scope {self.scope!r} is not one of {', '.join(GAS_SCOPES)}")
        if self.range is not None and not 0 < self.range[0] <= 1 <= self.range[1]:
            raise ValueError(f"range {self.range!r} must hold the value: 0 < low <= 1 <= high")

    def as_dict(self) -> dict:
        extra = {k: v for k, v in (("geography", self.geography), ("year", self.year),
                                   ("technology", self.technology), ("scope", self.scope),
                                   ("range", list(self.range or ()))) if v}
        return {"dataset": self.dataset, "citation": self.citation, "confidence": self.confidence,
                **extra}


@dataclass(frozen=True)
class Flow:
    """An elementary flow to air. ``origin`` is fossil, biogenic, other or unspecified."""

    id: str
    name_en: str
    name_zh: str
    origin: str
    unit: str = "kg"
    plugin: str = ""


@dataclass(frozen=True)
class Method:
    """A characterisation method: kg CO2e per kg of each flow."""

    id: str  # short name used on the command line, e.g. "ar6"
    name: str
    factors: tuple[tuple[str, float], ...]
    source: Source
    default: bool = False  # the method used when none is asked for
    plugin: str = ""


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2 (CN-SC), ISO 3166-1 (DE) or a grid code (CN-GRID-SW)
    name_zh: str
    name_en: str
    level: str  # country, grid, province, union
    country: str = ""
    grids: tuple[str, ...] = ()
    # Regions whose factors stand in, in order, when this one has none of a basis; the
    # note says why (e.g. Tibet has no published factor and belongs to the Southwest grid):
    # a text in English, or a Text or a Message (with zh=) that says it in Chinese too.
    fallback: tuple[str, ...] = ()
    fallback_note: str | Text = ""
    plugin: str = ""


@dataclass(frozen=True)
class ElectricityFactor:
    """kg of ``flow`` per kWh consumed in ``region`` in data year ``year`` on ``basis``."""

    region: str
    year: int
    basis: str  # location (grid average), market (residual mix), lifecycle (footprint)
    value: float
    flow: str  # "CO2_fossil" for CO2-only factors, "CO2e_aggregated" for life-cycle CO2e
    source: Source
    plugin: str = ""

    @property
    def process_id(self) -> str:
        return f"electricity/{self.basis}/{self.region}/{self.year}"


@dataclass(frozen=True)
class Process:
    """A background activity: per ``unit`` of output, direct emissions and background inputs."""

    id: str
    name_en: str
    name_zh: str
    unit: str
    emissions: tuple[tuple[str, float], ...]
    source: Source
    inputs: tuple[tuple[str, float], ...] = ()
    plugin: str = ""
    # True: ``emissions`` are already the cumulative inventory per unit (an activity of an
    # imported LCI database, solved at import), so the process takes no inputs, is never
    # written into Brightway (which rounds amounts to float32) and its row of the unit
    # inventory is ``emissions`` as given, in float64.
    cumulative: bool = False


@dataclass(frozen=True)
class CharacterisationFactor:
    """kg CO2e per kg of ``flow`` in the method ``method`` (its id, e.g. "ar6"): a factor a
    plugin adds to a method registered by another, for a flow that method does not
    characterise (e.g. a gas of an imported LCI database)."""

    method: str
    flow: str
    factor: float
    source: Source
    plugin: str = ""


@dataclass(frozen=True)
class GradeBand:
    grade: str  # e.g. "A"
    up_to: float | None  # inclusive upper bound of the metric; None for the last band
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class Grading:
    """Grade bands for a category's footprint per declared unit.

    ``provisional`` is True where no official bands exist; a label must then say so.
    ``rationale`` says to the people who read a grade what the bands are anchored on, in plain
    words, citing the published sources by name (in English; ``rationale_zh`` the same in
    Chinese); where the figures were found belongs in the dataset's manifest, not here.
    ``unit_zh`` is ``unit`` in Chinese (kg CO2e/t 粗钢); a plugin without one is read in English.
    ``published_range`` is the range of published footprints (low, high, in ``unit``) the
    bands are built on: a footprint below its low end keeps its grade and is flagged, since a
    bill of materials that leaves inputs out adds up to too little (one above it falls in the
    last band, which says so).
    """

    bands: tuple[GradeBand, ...]
    unit: str  # what the bounds are in, e.g. "kg CO2e/kg fruit"
    source: Source
    rationale: str
    provisional: bool = True
    # Grade only BOMs whose parameters take these values, e.g. {"product": ("crude_steel",)}
    # when the bands are per t crude steel and the category also has vanadium products.
    applies_when: dict = field(default_factory=dict, compare=False, hash=False)
    rationale_zh: str = ""
    published_range: tuple[float, float] | None = None
    unit_zh: str = ""

    @property
    def unit_text(self) -> Text:
        """What the bounds are in, in both languages (said in English where the plugin gives
        no Chinese)."""
        return Text(self.unit_zh, self.unit)

    def below_published_range(self, value: float) -> bool:
        return self.published_range is not None and value < self.published_range[0]

    def applies(self, parameters: dict) -> bool:
        return all(parameters.get(name) in allowed for name, allowed in self.applies_when.items())

    def grade(self, value: float) -> GradeBand:
        for band in self.bands:
            if band.up_to is None or value <= band.up_to:
                return band
        return self.bands[-1]


@dataclass(frozen=True)
class ProductCategory:
    """A product category: what a producer describes and how it becomes BOM lines.

    ``parameters`` is a marshmallow Schema class in the producer's own terms (each field's
    metadata carries ``unit``, ``help_zh`` and ``help_en`` so a form can be generated from it);
    the category's plugin turns validated parameters into lines in ``expand_bom``.
    """

    id: str
    name_zh: str
    name_en: str
    description: str = ""
    declared_units: tuple[str, ...] = ()  # units a BOM of this category may declare; () = any
    parameters: type | None = None
    grading: Grading | None = None
    stage_names: dict = field(default_factory=dict, compare=False, hash=False)  # stage -> name
    plugin: str = ""
    # what people call its products when they search (橙, orange): the public registry finds
    # the category's labels by these words and by its names
    search_words: tuple[str, ...] = ()
    description_zh: str = ""  # ``description`` in Chinese; a plugin without one is read in English

    def described(self, language: str) -> str:
        """What the category covers, in ``language`` ("zh" or "en"); in the other language
        where its plugin gives only that."""
        return Text(self.description_zh, self.description).said(language)
