"""The producer's terms for an orange orchard (per hectare and year), as marshmallow schemas.

Every field carries ``label_zh``/``label_en``, ``unit``, ``help_zh`` and ``help_en`` in its
metadata (a form is generated from them; a choice field names its choices in both languages,
``choices``), and every error message, in English and Chinese, repeats the help text, so a
producer reading ``parameters.yield_kg_per_ha: must be > 0 ...`` knows what was asked.

Nutrient contents of fertiliser products default to the cited values in
``lca_data/oranges/fertiliser_products.csv`` (read through the manifest); products without a
cited default (compound fertiliser, ammonium bicarbonate, single superphosphate) need the
grade the producer bought.
"""
from __future__ import annotations


from footprint import Message, Number, ParameterSchema, Text, load_once
from marshmallow import ValidationError, fields, validate, validates_schema

from . import data

EF1_CHOICES = ("aggregated", "wet_climate")
EF4_CHOICES = ("wet_climate", "aggregated", "dry_climate")
GATES = ("farm_gate", "packhouse_gate")
CLIMATES = tuple(data.CLIMATE_KEYS)
# Each choice's name, (Chinese, English): shown by the form, accepted in a BOM.
EF1_NAMES = {"aggregated": ("综合默认值（0.010）", "aggregated default (0.010)"),
             "wet_climate": ("湿润气候分解值", "wet climate, by N source")}
EF4_NAMES = {"wet_climate": ("湿润气候（0.014）", "wet climate (0.014)"),
             "aggregated": ("综合默认值（0.010）", "aggregated default (0.010)"),
             "dry_climate": ("干旱气候（0.005）", "dry climate (0.005)")}
CLIMATE_NAMES = {"wet": ("湿润气候", "wet climate"),
                 "aggregated": ("综合默认值", "aggregated defaults")}
GATE_NAMES = {"farm_gate": ("果园门口", "farm gate"),
              "packhouse_gate": ("包装厂门口（含纸箱和运输）", "packhouse gate (packed)")}


def _help(unit: str, help_en: str, help_zh: str) -> Text:
    """The help a message repeats: in English with the Chinese beside it, as it always read,
    and in Chinese with its unit."""
    english = f"{help_en} ({help_zh}), in {unit}" if unit else f"{help_en} ({help_zh})"
    return Text(f"{help_zh}（单位：{unit}）" if unit else help_zh, english)


AI_PER_HA = ("千克有效成分/公顷", "kg active ingredient/ha")


def _names(choices, names) -> list[Text]:
    """The choices as a message lists them: by their Chinese names in Chinese."""
    return [Text(names[c][0], c) for c in choices]


def number(unit: str, help_en: str, help_zh: str, label: tuple[str, str], *,
           minimum: float = 0.0, min_inclusive: bool = True, maximum: float | None = None,
           unit_words: tuple[str, str] | None = None, **kwargs) -> Number:
    """A number field whose metadata and error messages carry its label, unit and help;
    ``unit_words`` name a unit that has words ("kg a.i./ha") in Chinese and English."""
    text = _help(unit, help_en, help_zh)
    low = ">=" if min_inclusive else ">"
    limits = Text(("≥ " if min_inclusive else "> ") + f"{minimum:g}"
                  + (f" 且 ≤ {maximum:g}" if maximum is not None else ""),
                  f"{low} {minimum:g}" + (f" and <= {maximum:g}" if maximum is not None else ""))
    words = {"unit_zh": unit_words[0], "unit_en": unit_words[1]} if unit_words else {}
    return Number(
        validate=validate.Range(min=minimum, max=maximum, min_inclusive=min_inclusive,
                                error=Message("must be %(limits)s (got %(input)s): %(help)s",
                                              zh="须%(limits)s（填的是 %(input)s）：%(help)s",
                                              limits=limits, help=text)),
        metadata={"label_zh": label[0], "label_en": label[1], "unit": unit, **words,
                  "help_zh": help_zh, "help_en": help_en},
        error_messages={
            "required": Message("required: %(help)s", zh="必填：%(help)s", help=text),
            "invalid": Message("must be a JSON number: %(help)s", zh="须为数字：%(help)s",
                               help=text),
            "null": Message("must be a number, not null: %(help)s",
                            zh="须为数字，不能为空：%(help)s", help=text)},
        **kwargs)


def choice(choices, names: dict, default: str | None, help_en: str, help_zh: str,
           label: tuple[str, str]) -> fields.String:
    text = _help("", help_en, help_zh)
    return fields.String(
        load_default=default, allow_none=default is None,
        validate=validate.OneOf(choices, error=Message(
            "must be one of %(choices)s (got %(input)s): %(help)s",
            zh="须为以下之一：%(names)s（填的是 %(input)s）：%(help)s",
            names=_names(choices, names), help=text)),
        metadata={"label_zh": label[0], "label_en": label[1], "unit": "", "help_zh": help_zh,
                  "help_en": help_en, "choices": names},
        error_messages={"invalid": Message("must be a string: %(help)s", zh="须为文字：%(help)s",
                                           help=text)})


PRODUCT_NAMES = {p.id: (p.name_zh, p.name_en) for p in data.products().values()}


class FertiliserParameters(ParameterSchema):
    product = fields.String(
        required=True,
        validate=validate.OneOf(data.PRODUCT_IDS, error=Message(
            "must be one of %(choices)s (got %(input)s): fertiliser product (化肥品种); "
            "compound = 复合肥 with its stated N-P2O5-K2O grade",
            zh="须为以下之一：%(names)s（填的是 %(input)s）：化肥品种；复合肥须填写包装上标明的"
               "氮磷钾含量", names=_names(data.PRODUCT_IDS, PRODUCT_NAMES))),
        metadata={"label_zh": "化肥品种", "label_en": "fertiliser product", "unit": "",
                  "help_zh": "化肥品种", "help_en": "fertiliser product",
                  "choices": PRODUCT_NAMES},
        error_messages={"required": Message(
            "required: fertiliser product (化肥品种), one of %(choices)s",
            zh="必填：化肥品种，须为以下之一：%(names)s", choices=", ".join(data.PRODUCT_IDS),
            names=_names(data.PRODUCT_IDS, PRODUCT_NAMES))})
    kg_per_ha = number("kg/ha", "product applied per hectare and year, as bought (not as N)",
                       "每公顷每年施用的商品量（实物量）", ("施用量", "amount applied"),
                       required=True)
    n_pct = number("%", "N content of the product; default for urea 46, DAP 18, MAP 11",
                   "产品含氮量（N）", ("含氮量", "N content"), maximum=100, load_default=None,
                   allow_none=True)
    p2o5_pct = number("%", "P2O5 content of the product; default for DAP 46, MAP 52",
                      "产品含磷量（P2O5）", ("含磷量", "P2O5 content"), maximum=100,
                      load_default=None, allow_none=True)
    k2o_pct = number("%", "K2O content of the product; default for KCl 60, K2SO4 50",
                     "产品含钾量（K2O）", ("含钾量", "K2O content"), maximum=100,
                     load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def grade_is_known(self, values, **kwargs):
        """A content the product lacks is refused; a content without a cited default must be
        stated (the model uses the stated content, else the cited default)."""
        product = data.products()[values["product"]]
        named = Text(product.name_zh, product.name_en)
        errors = {}
        for nutrient, key in data.NUTRIENT_FIELDS.items():
            default = product.contents[nutrient]
            given = values.get(key)
            if default == data.ABSENT and given not in (None, 0):
                errors[key] = [Message("%(product)s carries no %(nutrient)s; leave %(key)s out",
                                       zh="%(product)s不含%(nutrient)s，请不要填写此项",
                                       product=named, nutrient=nutrient, key=key)]
            elif default is None and given is None:
                errors[key] = [Message(
                    "required for %(product)s: state its %(nutrient)s content in %% "
                    "(%(source)s)", zh="%(product)s必填：请填写其%(nutrient)s含量（%%），"
                                       "见包装标注", product=named, nutrient=nutrient,
                    source=product.content_source)]
        stated = sum(values.get(k) or 0 for k in data.NUTRIENT_FIELDS.values())
        if stated > 100:
            errors["n_pct"] = [Message("n_pct + p2o5_pct + k2o_pct = %(stated)s %% exceeds "
                                       "100 %%", zh="含氮量、含磷量与含钾量之和 %(stated)s%% "
                                                    "超过 100%%", stated=f"{stated:g}")]
        if errors:
            raise ValidationError(errors)


class OrangeParameters(ParameterSchema):
    """An orange orchard's inputs per hectare and year, and the gate of the product."""

    yield_kg_per_ha = number("kg/ha", "marketable fruit harvested per hectare and year",
                             "每公顷年产量（商品果）", ("商品果产量", "marketable yield"), min_inclusive=False,
                             maximum=200000, required=True)
    fertilisers = fields.List(
        fields.Nested(FertiliserParameters), load_default=list,
        metadata={"label_zh": "化肥", "label_en": "fertilisers", "item_zh": "化肥",
                  "item_en": "fertiliser", "unit": "", "help_zh": "化肥施用（每种产品一行）",
                  "help_en": "synthetic fertilisers applied, one entry per product"},
        error_messages={"invalid": Message(
            "must be a list of fertiliser entries: synthetic fertilisers applied (化肥施用)",
            zh="须为化肥施用的列表（每种产品一行）")})
    manure_n_kg_per_ha = number("kg N/ha", "nitrogen in manure, compost or other organic "
                                "fertiliser applied per hectare and year",
                                "每公顷每年有机肥（粪肥、堆肥）带入的氮", ("有机肥氮", "manure N"),
                                unit_words=("千克氮/公顷", "kg N/ha"), load_default=0.0)
    herbicide_kg_ai_per_ha = number("kg a.i./ha", "herbicide active ingredient per hectare and "
                                    "year", "除草剂有效成分用量", ("除草剂", "herbicide"),
                                    unit_words=AI_PER_HA, load_default=0.0)
    insecticide_kg_ai_per_ha = number("kg a.i./ha", "insecticide (and acaricide) active "
                                      "ingredient per hectare and year", "杀虫（螨）剂有效成分用量",
                                      ("杀虫（螨）剂", "insecticide"), unit_words=AI_PER_HA,
                                      load_default=0.0)
    fungicide_kg_ai_per_ha = number("kg a.i./ha", "fungicide active ingredient per hectare and "
                                    "year", "杀菌剂有效成分用量", ("杀菌剂", "fungicide"),
                                    unit_words=AI_PER_HA, load_default=0.0)
    diesel_kg_per_ha = number("kg/ha", "diesel burned in orchard machinery and pumps per hectare "
                              "and year", "每公顷每年农机和水泵柴油用量", ("柴油", "diesel"),
                              load_default=0.0)
    irrigation_kwh_per_ha = number("kWh/ha", "grid electricity for irrigation per hectare and "
                                   "year (the BOM's region and factor year apply)",
                                   "每公顷每年灌溉用电", ("灌溉用电", "irrigation electricity"),
                                   load_default=0.0)
    # The orchard's climate sets EF1 and EF4 together (IPCC 2019 Vol. 4 Ch. 11, Tables 11.1
    # and 11.3); wet by default: China's citrus regions are humid, and FracLEACH-(H) is
    # already the wet-climate (or irrigated) value (docs/categories/oranges.md).
    climate = choice(CLIMATES, CLIMATE_NAMES, "wet", "the orchard's climate, which sets both "
                     "EF1 and EF4: wet (default; EF1 0.016 synthetic N and 0.006 organic N, "
                     "EF4 0.014) or the aggregated defaults (EF1 0.010, EF4 0.010)",
                     "果园气候，同时决定EF1和EF4：湿润（默认）或综合默认值",
                     ("气候", "climate"))
    # Either factor set by hand instead of by the climate (then the result says when the two
    # follow different climates); empty: the climate's.
    ef1 = choice(EF1_CHOICES, EF1_NAMES, None, "direct N2O factor EF1 instead of the climate's: "
                 "aggregated 0.010 for all N, or the wet-climate values 0.016 (synthetic N) and "
                 "0.006 (organic N)",
                 "直接排放因子EF1（不填则按气候）：综合默认值或湿润气候分解值",
                 ("直接N2O排放因子EF1", "direct N2O factor EF1"))
    ef4 = choice(EF4_CHOICES, EF4_NAMES, None, "N2O factor for volatilised N, EF4, instead of "
                 "the climate's: wet climate 0.014, aggregated 0.010 or dry climate 0.005",
                 "挥发氮的N2O排放因子EF4（不填则按气候）：湿润、综合或干旱气候",
                 ("挥发氮N2O排放因子EF4", "volatilised N factor EF4"))
    gate = choice(GATES, GATE_NAMES, "farm_gate", "where the declared kg of fruit is delivered: "
                  "farm_gate, or packhouse_gate (adds corrugated board and transport to the "
                  "packhouse)", "产品交付点：果园门口或包装厂门口（计入纸箱和运往包装厂的运输）",
                  ("交付点", "gate"))
    corrugated_board_kg_per_kg = number("kg/kg fruit", "corrugated board per kg of packed fruit "
                                        "(packhouse_gate only)", "每千克装箱果品的瓦楞纸箱重量",
                                        ("瓦楞纸箱", "corrugated board"),
                                        unit_words=("千克/千克果品", "kg/kg fruit"), maximum=1,
                                        load_default=None, allow_none=True)
    packhouse_distance_km = number("km", "road distance from the orchard to the packhouse "
                                   "(packhouse_gate only)", "果园到包装厂的公路距离",
                                   ("到包装厂距离", "distance to the packhouse"),
                                   maximum=5000, load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def packing_fits_the_gate(self, values, **kwargs):
        packed = values["gate"] == "packhouse_gate"
        errors = {}
        for key in ("corrugated_board_kg_per_kg", "packhouse_distance_km"):
            meta = self.fields[key].metadata
            if packed and values.get(key) is None:
                errors[key] = [Message("required when gate is packhouse_gate: %(help)s",
                                       zh="交付点为包装厂门口时必填：%(help)s",
                                       help=Text(meta["help_zh"], meta["help_en"]))]
            elif not packed and values.get(key) is not None:
                errors[key] = [Message("only for gate packhouse_gate (a farm-gate product has "
                                       "no packaging or transport to the packhouse)",
                                       zh="仅在交付点为包装厂门口时填写（果园门口交付的产品没有"
                                          "包装和运往包装厂的运输）")]
        if errors:
            raise ValidationError(errors)


def load(raw: dict) -> dict:
    """Validated parameters with defaults filled (raises marshmallow.ValidationError)."""
    return load_once(OrangeParameters, raw)
