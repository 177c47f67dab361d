"""footprint-tea: made tea (茶叶) as a footprint product category, from a third party.

An example of a category that lives outside the footprint project: it is installed with pip,
found through its entry point (group ``footprint``, name ``tea``), reads its own data through
``footprint.Catalog("footprint_tea.data")``, which it registers (``register_datasets``) so the
data counts in the data version, and uses only footprint's public API. Nothing in
footprint's core knows about tea.

Model, per 1 kg of made tea (成品茶), from what a tea factory knows per kg or per batch:

  tea garden (raw_materials)
    field diesel      diesel_kg x 3.1863 kg CO2/kg         (the core's ``diesel`` process)
    direct N2O        fresh leaf kg x synthetic N per kg fresh leaf x EF1 x 44/28   (IPCC 2019)
  processing (production)
    electricity       withering + rolling + drying kWh x the region's grid factor
    fuelwood          kg x 1.7472 kg CO2/kg, biogenic: reported, not in the total (IPCC 2006)

Not modelled (the producer may add ordinary lines): fertiliser manufacture, indirect N2O,
CH4 and N2O from burning wood, packaging, transport.
"""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from footprint import (Catalog, GradeBand, Grading, Message, ProductCategory, Source, Text,
                       hookimpl, processes_from_csv)

CATEGORY = "tea"
CATALOG = Catalog("footprint_tea.data")
FUELWOOD = "tea_fuelwood_combustion"  # process id, registered from the data file
N2O_PER_N2O_N = 44 / 28  # molar masses: N2O (44) per N2 (28)
EF1_ROWS = {"aggregated": "EF1_aggregated", "wet_climate_synthetic": "EF1_synthetic_wet"}
# Each choice's name, (Chinese, English): shown by a form, accepted in a BOM.
BASIS_NAMES = {"kg_made_tea": ("每公斤成品茶", "per kg of made tea"), "batch": ("每批", "per batch")}
EF1_NAMES = {"aggregated": ("综合默认值(0.01)", "aggregated default (0.01)"),
             "wet_climate_synthetic": ("湿润气候化肥氮(0.016)", "wet climate, synthetic N (0.016)")}


def _number(unit: str, help_en: str, help_zh: str, label: tuple[str, str], *,
            minimum: float = 0.0, exclusive: bool = False, maximum: float | None = None,
            **kwargs) -> fields.Float:
    """A Float parameter whose error messages, in English and Chinese, carry its unit and
    help text."""
    bound = f"more than {minimum:g}" if exclusive else f"at least {minimum:g}"
    bound_zh = f"大于 {minimum:g}" if exclusive else f"不小于 {minimum:g}"
    if maximum is not None:
        bound += f" and at most {maximum:g}"
        bound_zh += f" 且不超过 {maximum:g}"
    said = {"bound": Text(bound_zh, bound), "unit": unit,
            "help": Text(help_zh, f"{help_en} ({help_zh})")}
    return fields.Float(
        validate=validate.Range(min=minimum, max=maximum, min_inclusive=not exclusive,
                                error=Message("must be %(bound)s %(unit)s: %(help)s",
                                              zh="须%(bound)s %(unit)s：%(help)s", **said)),
        metadata={"label_zh": label[0], "label_en": label[1], "unit": unit,
                  "help_en": help_en, "help_zh": help_zh},
        error_messages={
            "required": Message("required (%(unit)s): %(help)s", zh="必填（%(unit)s）：%(help)s",
                                **said),
            "invalid": Message("must be a number (%(unit)s): %(help)s",
                               zh="须为数字（%(unit)s）：%(help)s", **said)},
        **kwargs)


class TeaParameters(Schema):
    """What a tea factory records, per kg of made tea or per batch (``quantities_per``)."""

    quantities_per = fields.String(
        load_default="kg_made_tea", validate=validate.OneOf(
            ["kg_made_tea", "batch"],
            error=Message('must be "kg_made_tea" or "batch": what the quantities below refer '
                          "to (数量基准: 每公斤成品茶 或 每批)",
                          zh="须为“每公斤成品茶”或“每批”：以下数量的基准")),
        metadata={"label_zh": "数量基准", "label_en": "quantities per", "unit": "",
                  "help_en": "what the quantities below refer to: 1 kg of made tea, or one "
                  "batch (then give made_tea_kg_per_batch)",
                  "help_zh": "以下数量的基准: 每公斤成品茶, 或每批(须填每批成品茶产量)",
                  "choices": BASIS_NAMES})
    made_tea_kg_per_batch = _number(
        "kg", "made tea one batch yields (only when quantities_per is batch)",
        "每批成品茶产量(按批填报时)", ("每批成品茶产量", "made tea per batch"), exclusive=True,
        load_default=None)
    fresh_leaf_kg = _number("kg", "fresh leaf processed", "鲜叶用量", ("鲜叶用量", "fresh leaf"),
                            exclusive=True, required=True)
    withering_kwh = _number("kWh", "electricity for withering", "萎凋用电",
                            ("萎凋用电", "withering electricity"), load_default=0.0)
    rolling_kwh = _number("kWh", "electricity for rolling and shaping", "揉捻/做形用电",
                          ("揉捻/做形用电", "rolling electricity"), load_default=0.0)
    drying_kwh = _number("kWh", "electricity for drying and fixing", "杀青/干燥用电",
                         ("杀青/干燥用电", "drying electricity"), load_default=0.0)
    fuelwood_kg = _number("kg", "fuelwood or wood biomass burned for fixing and drying, as "
                          "fired", "杀青/干燥用薪柴或木质生物质(入炉质量)", ("薪柴", "fuelwood"),
                          load_default=0.0)
    field_diesel_kg = _number("kg", "diesel for field machinery (pruning, plucking, tilling) "
                              "attributable to this fresh leaf", "茶园机械用柴油",
                              ("茶园机械柴油", "field diesel"), load_default=0.0)
    synthetic_n_kg_per_kg_fresh_leaf = _number(
        "kg N/kg fresh leaf", "synthetic fertiliser N applied per kg of fresh leaf harvested "
        "(the garden's N per year / its fresh-leaf yield per year)",
        "每公斤鲜叶对应的化肥氮施用量", ("化肥氮", "synthetic N"), maximum=0.5, load_default=0.0)
    n2o_ef1 = fields.String(
        load_default="aggregated", validate=validate.OneOf(
            list(EF1_ROWS), error=Message(
                'must be "aggregated" (EF1 0.01) or "wet_climate_synthetic" (0.016): IPCC 2019 '
                "direct N2O factor (直接N2O排放因子)",
                zh="须为“综合默认值(0.01)”或“湿润气候化肥氮(0.016)”：IPCC 2019 直接N2O排放因子")),
        metadata={"label_zh": "直接N2O排放因子", "label_en": "direct N2O factor EF1",
                  "unit": "", "help_en": "IPCC 2019 EF1: aggregated default 0.01, or the "
                  "wet-climate synthetic-N value 0.016",
                  "help_zh": "IPCC 2019 EF1: 综合默认值0.01, 或湿润气候化肥氮0.016",
                  "choices": EF1_NAMES})

    @validates_schema
    def _consistent(self, data, **kwargs):
        per_batch = data.get("quantities_per") == "batch"
        output = data.get("made_tea_kg_per_batch")
        if per_batch and output is None:
            raise ValidationError(Message(
                'required when quantities_per is "batch" (kg): made tea one batch yields '
                "(每批成品茶产量)", zh="按批填报时必填（kg）：每批成品茶产量"),
                "made_tea_kg_per_batch")
        if not per_batch and output is not None:
            raise ValidationError(Message(
                'only with quantities_per "batch": quantities are per kg of made tea already',
                zh="仅在按批填报时填写：现在的数量已是每公斤成品茶的"), "made_tea_kg_per_batch")
        leaf = data.get("fresh_leaf_kg")
        if leaf is not None and leaf < (output if per_batch else 1.0):
            raise ValidationError(Message(
                "must be at least the made tea it yields (kg): made tea is dried fresh leaf "
                "(鲜叶用量不能少于成品茶)", zh="不能少于所产成品茶（kg）：成品茶由鲜叶干燥而成"),
                "fresh_leaf_kg")


GRADING = Grading(
    bands=(GradeBand("A", 2.0, "低碳(示例)", "low carbon (example)"),
           GradeBand("B", 5.0, "较低(示例)", "below typical (example)"),
           GradeBand("C", 10.0, "一般(示例)", "typical (example)"),
           GradeBand("D", None, "较高(示例)", "high (example)")),
    unit="kg CO2e/kg made tea",
    source=Source("tea_example_bands", "footprint-tea example plugin: provisional example bands, "
                  "no official benchmark", "low (example)"),
    rationale="EXAMPLE ONLY, not an official benchmark. Published cradle-to-gate figures for "
              "made tea span about 1.2 kg CO2e/kg (Kenya; Azapagic et al. 2016, J. Clean. Prod. "
              "112:4031, about 10 % of 12.45 for cultivation and processing) to about 14.9 "
              "(Shaanxi smallholder green tea, cultivation 6.97 + processing 7.94; He et al. "
              "2023, Agronomy 13:364); the bands split that span at 2, 5 and 10.",
    provisional=True)


def _ef1(choice: str) -> tuple[float, str]:
    dataset = CATALOG.dataset("tea_n2o_ef1_ipcc2019")
    rows = {row["parameter"]: row for row in dataset.rows()}
    return float(rows[EF1_ROWS[choice]]["value"]), dataset.id


@hookimpl
def register_datasets(registry):
    return [CATALOG]


@hookimpl
def register_background(registry):
    return processes_from_csv(CATALOG.dataset("tea_fuelwood_ipcc2006"))


@hookimpl
def register_categories(registry):
    return [ProductCategory(
        CATEGORY, "茶叶(成品茶)", "Made tea",
        "Made tea (green, black, oolong ...) at the factory gate: tea garden N2O and field "
        "diesel, processing electricity and fuelwood. Example third-party category "
        "(footprint-tea).",
        declared_units=("kg",), parameters=TeaParameters, grading=GRADING,
        stage_names={"raw_materials": {"zh": "茶园种植", "en": "tea garden"},
                     "production": {"zh": "茶叶加工", "en": "processing"}})]


@hookimpl
def expand_bom(category, parameters, bom, registry):
    p = parameters
    per_batch = p["quantities_per"] == "batch"
    scale = 1 / p["made_tea_kg_per_batch"] if per_batch else 1.0
    per = f" / {p['made_tea_kg_per_batch']:g} kg made tea per batch" if per_batch else ""
    per_zh = f" ÷ 每批成品茶 {p['made_tea_kg_per_batch']:g} kg" if per_batch else ""
    lines = [{"input": "electricity", "amount": p[key] * scale, "unit": "kWh",
              "stage": "production", "note": f"{step}: {p[key]:g} kWh{per}",
              "note_zh": f"{step_zh}：{p[key]:g} kWh{per_zh}"}
             for key, step, step_zh in (("withering_kwh", "withering 萎凋", "萎凋用电"),
                                        ("rolling_kwh", "rolling 揉捻", "揉捻用电"),
                                        ("drying_kwh", "drying 干燥", "干燥用电"))]
    if p["fuelwood_kg"]:
        lines.append({"input": FUELWOOD, "amount": p["fuelwood_kg"] * scale, "unit": "kg",
                      "stage": "production",
                      "note": f"fuelwood {p['fuelwood_kg']:g} kg{per}; biogenic CO2 "
                              "1.7472 kg/kg (IPCC 2006), not in the total",
                      "note_zh": f"薪柴 {p['fuelwood_kg']:g} kg{per_zh}；生物源CO2 1.7472 kg/kg"
                                 "（IPCC 2006），不计入总量"})
    if p["field_diesel_kg"]:
        lines.append({"input": "diesel", "amount": p["field_diesel_kg"] * scale, "unit": "kg",
                      "stage": "raw_materials",
                      "note": f"field machinery diesel {p['field_diesel_kg']:g} kg{per}",
                      "note_zh": f"茶园机械柴油 {p['field_diesel_kg']:g} kg{per_zh}"})
    n_rate = p["synthetic_n_kg_per_kg_fresh_leaf"]
    if n_rate:
        ef1, _ = _ef1(p["n2o_ef1"])
        leaf = p["fresh_leaf_kg"] * scale
        n2o = leaf * n_rate * ef1 * N2O_PER_N2O_N
        lines.append({"emission": "N2O", "amount": n2o, "unit": "kg", "stage": "raw_materials",
                      "note": f"direct N2O: {leaf:g} kg fresh leaf x {n_rate:g} kg N/kg x EF1 "
                              f"{ef1:g} (IPCC 2019 Vol. 4 Ch. 11) x 44/28 = {n2o:.6g} kg",
                      "note_zh": f"直接N2O：鲜叶 {leaf:g} kg × 每公斤 {n_rate:g} kg N × EF1 "
                                 f"{ef1:g}（IPCC 2019 第4卷第11章）× 44/28 = {n2o:.6g} kg"})
    return lines


@hookimpl
def label_extensions(category, result, bom, registry):
    p = TeaParameters().load(bom.parameters) if bom.parameters is not None else None
    extension = {"example": True,
                 "note_en": "example third-party category (footprint-tea); grade bands are "
                            "provisional examples",
                 "note_zh": "第三方示例品类(footprint-tea); 等级划分为临时示例",
                 "biogenic_co2_kg_per_kg": result["biogenic_co2_kg"]}
    if p is not None:
        per_batch = p["quantities_per"] == "batch"
        output = p["made_tea_kg_per_batch"] if per_batch else 1.0
        extension["fresh_leaf_kg_per_kg_made_tea"] = p["fresh_leaf_kg"] / output
        extension["n2o_ef1"] = _ef1(p["n2o_ef1"])[0]
        if per_batch:
            extension["per_batch_kg_co2e"] = result["total_kg_co2e"] * output
    return extension
