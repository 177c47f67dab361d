"""What a V-Ti steel works records, per t of crude steel: the parameters of the category.

Every field carries ``label_zh``/``label_en``, ``unit``, ``help_zh`` and ``help_en`` in its
metadata (a choice names its choices in both languages, ``choices``) and repeats the help in
its error messages, in English and Chinese, since the message is what a producer reads.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from footprint import Message, Number, ParameterSchema, Text

from .model import carbon_balance
from .products import ALLOCATIONS, PLANT_PRODUCTS, PRODUCTS


UNIT_WORDS = {"kg C/kg": ("千克碳/千克", "kg C/kg"), "CNY/t": ("元/吨", "CNY/t")}
PRODUCT_NAMES = {"crude_steel": ("粗钢（每吨）", "crude steel (per t)"),
                 "vanadium_slag": ("钒渣（每吨）", "vanadium slag (per t)"),
                 "v2o5": ("五氧化二钒（每千克）", "V2O5 (per kg)"),
                 "vanadium_electrolyte": ("钒电解液（每千克）", "vanadium electrolyte (per kg)")}
ALLOCATION_NAMES = {"mass": ("按质量", "by mass"), "economic": ("按经济价值", "by economic value"),
                    "system_expansion": ("系统扩展", "system expansion")}


def number(unit: str, help_en: str, help_zh: str, *, label: tuple[str, str],
           minimum: float = 0.0, exclusive: bool = False, maximum: float | None = None,
           **kwargs) -> Number:
    """A number parameter whose error messages carry its unit and help text."""
    bound = f"more than {minimum:g}" if exclusive else f"at least {minimum:g}"
    bound_zh = f"大于 {minimum:g}" if exclusive else f"不小于 {minimum:g}"
    if maximum is not None:
        bound += f" and at most {maximum:g}"
        bound_zh += f" 且不超过 {maximum:g}"
    unit_zh, unit_en = UNIT_WORDS.get(unit, (unit, unit))
    said = {"bound": Text(bound_zh, bound), "unit": Text(unit_zh, unit),
            "help": Text(help_zh, f"{help_en} ({help_zh})")}
    words = {"unit_zh": unit_zh, "unit_en": unit_en} if unit in UNIT_WORDS else {}
    return Number(
        validate=validate.Range(min=minimum, max=maximum, min_inclusive=not exclusive,
                                error=Message("must be %(bound)s %(unit)s: %(help)s",
                                              zh="须%(bound)s %(unit)s：%(help)s", **said)),
        metadata={"label_zh": label[0], "label_en": label[1], "unit": unit, **words,
                  "help_en": help_en, "help_zh": help_zh},
        error_messages={
            "required": Message("required (%(unit)s): %(help)s", zh="必填（%(unit)s）：%(help)s",
                                **said),
            "invalid": Message("must be a number (%(unit)s): %(help)s",
                               zh="须为数字（%(unit)s）：%(help)s", **said),
            "null": Message("must be a number (%(unit)s), not null: %(help)s",
                            zh="须为数字（%(unit)s），不能为空：%(help)s", **said)},
        **kwargs)


def choice(choices, names: dict, help_en: str, help_zh: str, *, label: tuple[str, str],
           **kwargs) -> fields.String:
    said = {"listed": ", ".join(f'"{c}"' for c in choices),
            "names": [Text(names[c][0], c) for c in choices],
            "help": Text(help_zh, f"{help_en} ({help_zh})")}
    return fields.String(
        validate=validate.OneOf(list(choices), error=Message(
            "must be one of %(listed)s: %(help)s", zh="须为以下之一：%(names)s：%(help)s",
            **said)),
        metadata={"label_zh": label[0], "label_en": label[1], "unit": "", "help_en": help_en,
                  "help_zh": help_zh, "choices": names},
        error_messages={"invalid": Message("must be a string, one of %(listed)s: %(help)s",
                                           zh="须为文字，以下之一：%(names)s", **said)},
        **kwargs)


class CarbonFlow(ParameterSchema):
    """Another carbon-bearing input or output, in the producer's terms."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"label_zh": "名称", "label_en": "name", "unit": "",
                                   "help_en": "what it is (e.g. coal tar sold)",
                                   "help_zh": "名称（如外售焦油）"},
                         error_messages={"required": Message("required: what it is (名称)",
                                                             zh="必填：名称")})
    kg = number("kg", "amount per t crude steel", "每吨粗钢的数量", label=("数量", "amount"), required=True)
    carbon_fraction = number("kg C/kg", "carbon content (the works' assay)", "含碳量（企业化验值）",
                             maximum=1, label=("含碳量", "carbon content"), required=True)


class SteelVanadiumParameters(ParameterSchema):
    """Per t of crude steel, for the whole works (coke ovens, sinter, blast furnace, vanadium
    extraction converter, BOF): what crosses the works' fence."""

    product = choice(
        list(PRODUCTS), PRODUCT_NAMES, "the declared product: crude_steel (per t), vanadium_slag (per t), "
        "v2o5 (per kg) or vanadium_electrolyte (per kg)",
        "申报产品：粗钢（每吨）、钒渣（每吨）、五氧化二钒（每公斤）或钒电解液（每公斤）",
        label=("申报产品", "declared product"), load_default="crude_steel")
    allocation = choice(
        ALLOCATIONS, ALLOCATION_NAMES, "how the works' emissions are shared between crude steel and vanadium "
        "slag: by mass, by economic value (give both prices), or system expansion (steel "
        "carries all and is credited with the avoided vanadium slag)",
        "粗钢与钒渣的分配方法：质量、经济价值（须填两种价格）或系统扩展（钢承担全部并扣减钒渣替代量）",
        label=("分配方法", "allocation"), load_default="mass")
    # carbon in
    coking_coal_kg = number("kg", "coking coal charged to the works' own coke ovens, per t crude "
                            "steel (leave the coke they make out)", "自有焦炉入炉炼焦煤（每吨粗钢）",
                            label=("炼焦煤", "coking coal"), load_default=0.0)
    purchased_coke_kg = number("kg", "coke bought from outside the works, per t crude steel",
                               "外购焦炭（每吨粗钢）", label=("外购焦炭", "purchased coke"), load_default=0.0)
    injection_coal_kg = number("kg", "coal injected into the blast furnace (PCI) and other coal "
                               "burned, per t crude steel", "高炉喷吹煤及其他燃煤（每吨粗钢）",
                               label=("喷吹煤及其他燃煤", "injected coal"), load_default=0.0)
    natural_gas_kg = number("kg", "natural gas, per t crude steel (m3 x the supplier's density)",
                            "天然气（每吨粗钢，按供气方密度由立方米折算）", label=("天然气", "natural gas"), load_default=0.0)
    limestone_kg = number("kg", "limestone used as flux or calcined on site, per t crude steel",
                          "熔剂用及自产石灰用石灰石（每吨粗钢）", label=("石灰石", "limestone"), load_default=0.0)
    dolomite_kg = number("kg", "dolomite used as flux or calcined on site, per t crude steel",
                         "熔剂用及自产轻烧白云石用白云石（每吨粗钢）", label=("白云石", "dolomite"), load_default=0.0)
    other_carbon_inputs = fields.List(
        fields.Nested(CarbonFlow), load_default=list,
        metadata={"label_zh": "其他含碳输入", "label_en": "other carbon inputs",
                  "item_zh": "含碳输入", "item_en": "carbon input", "unit": "",
                  "help_en": "other fossil carbon inputs (electrodes, carburiser, "
                  "petroleum coke ...) with their carbon content",
                  "help_zh": "其他含碳输入（电极、增碳剂、石油焦等）及其含碳量"})
    # carbon out
    steel_carbon_fraction = number("kg C/kg", "carbon content of the crude steel (default: IPCC "
                                   "2006 Table 4.3, 0.01)", "粗钢含碳量（默认 IPCC 2006 表 4.3：0.01）",
                                   maximum=0.021, label=("粗钢含碳量", "carbon in crude steel"), load_default=None)
    vanadium_slag_kg = number("kg", "vanadium slag made, per t crude steel",
                              "每吨粗钢产钒渣量", label=("钒渣产量", "vanadium slag made"), load_default=0.0)
    vanadium_slag_carbon_fraction = number(
        "kg C/kg", "carbon content of the vanadium slag (the works' assay; default 0, no IPCC "
        "default exists)", "钒渣含碳量（企业化验值；默认 0，IPCC 无默认值）", maximum=1,
        label=("钒渣含碳量", "carbon in vanadium slag"), load_default=0.0)
    pig_iron_sold_kg = number("kg", "pig iron or hot metal leaving the works without becoming "
                              "steel, per t crude steel", "外售生铁（未炼钢部分，每吨粗钢）",
                              label=("外售生铁", "pig iron sold"), load_default=0.0)
    exported_bf_gas_kg = number("kg", "blast furnace gas transferred off site, per t crude "
                                "steel", "外供高炉煤气（每吨粗钢）", label=("外供高炉煤气", "BF gas exported"), load_default=0.0)
    other_carbon_outputs = fields.List(
        fields.Nested(CarbonFlow), load_default=list,
        metadata={"label_zh": "其他含碳输出", "label_en": "other carbon outputs",
                  "item_zh": "含碳输出", "item_en": "carbon output", "unit": "",
                  "help_en": "other carbon leaving in products (coal tar, benzol, "
                  "exported coke oven gas ...) with their carbon content",
                  "help_zh": "随其他产品离开的碳（焦油、粗苯、外供焦炉煤气等）及其含碳量"})
    # other inputs
    electricity_kwh = number("kWh", "electricity bought from the grid, per t crude steel (not "
                             "what the works' own power plant makes)", "外购电网电力（每吨粗钢，"
                             "不含自备电厂发电）", label=("外购电力", "purchased electricity"), load_default=0.0)
    purchased_sinter_kg = number("kg", "sinter bought from outside the works, per t crude steel",
                                 "外购烧结矿（每吨粗钢）", label=("外购烧结矿", "purchased sinter"), load_default=0.0)
    purchased_pellet_kg = number("kg", "pellets bought from outside the works, per t crude "
                                 "steel", "外购球团矿（每吨粗钢）", label=("外购球团矿", "purchased pellets"), load_default=0.0)
    ferrosilicon_kg = number("kg", "ferrosilicon (75 % Si) for deoxidation, per t crude steel",
                             "脱氧用硅铁（每吨粗钢）", label=("硅铁", "ferrosilicon"), load_default=0.0)
    silicomanganese_kg = number("kg", "silicomanganese for deoxidation and alloying, per t "
                                "crude steel", "脱氧合金化用硅锰（每吨粗钢）", label=("硅锰", "silicomanganese"), load_default=0.0)
    # economic allocation
    steel_price_cny_per_t = number("CNY/t", "price of crude steel (economic allocation)",
                                   "粗钢价格（经济价值分配）", exclusive=True, label=("粗钢价格", "crude steel price"), load_default=None)
    vanadium_slag_price_cny_per_t = number("CNY/t", "price of vanadium slag (economic "
                                           "allocation)", "钒渣价格（经济价值分配）",
                                           exclusive=True, label=("钒渣价格", "vanadium slag price"), load_default=None)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _consistent(self, data, original_data, **kwargs):
        if "product" not in data or "allocation" not in data:
            return  # a bad choice is reported already
        product, allocation = data["product"], data["allocation"]
        original = original_data if isinstance(original_data, dict) else {}
        errors = {}
        if product not in PLANT_PRODUCTS:
            for key in original:
                if key in self.fields and key != "product":
                    errors[key] = [Message(
                        'not used for product "%(product)s": its indicative cradle-to-gate '
                        "factor already covers the whole chain; describe own transport or "
                        "packaging as ordinary lines",
                        zh="申报产品为“%(product)s”时不填此项：其摇篮到大门指示值已涵盖整个链条；"
                           "自己的运输或包装请作为普通清单行填写",
                        product=Text(PRODUCT_NAMES[product][0], product))]
            if errors:
                raise ValidationError(errors)
            return
        if allocation == "economic":
            for key in ("steel_price_cny_per_t", "vanadium_slag_price_cny_per_t"):
                if data.get(key) is None:
                    meta = self.fields[key].metadata
                    errors[key] = [Message(
                        "required when allocation is economic (CNY/t): %(help)s",
                        zh="按经济价值分配时必填（元/吨）：%(help)s",
                        help=Text(meta["help_zh"], f"{meta['help_en']} ({meta['help_zh']})"))]
        if product == "vanadium_slag" and not data.get("vanadium_slag_kg"):
            errors["vanadium_slag_kg"] = [Message(
                "must be more than 0 kg for product vanadium_slag: vanadium slag made per t "
                "crude steel (每吨粗钢产钒渣量)", zh="申报产品为钒渣时须大于 0 kg：每吨粗钢产钒渣量")]
        if errors:
            raise ValidationError(errors)
        if any(key in self.fields and key not in data for key in original):
            return  # a field was refused: the balance would be judged on partial data
        try:
            balance = carbon_balance(data)
        except (KeyError, TypeError):
            return  # a nested carbon flow was refused: reported already
        if balance.carbon_in <= 0:
            raise ValidationError(Message(
                "the carbon balance needs at least one carbon input per t crude steel "
                "(coking_coal_kg, purchased_coke_kg, injection_coal_kg, natural_gas_kg, "
                "limestone_kg, dolomite_kg or other_carbon_inputs) (碳平衡至少需要一项含碳输入)",
                zh="碳平衡至少需要一项含碳输入（每吨粗钢）：炼焦煤、外购焦炭、喷吹煤、天然气、石灰石、"
                   "白云石或其他含碳输入"), "coking_coal_kg")
        if balance.carbon_out > balance.carbon_in:
            biggest = max(balance.outputs, key=lambda item: item[2])[0]
            raise ValidationError(Message(
                "carbon leaving in products (%(out)s kg C per t crude steel) exceeds carbon "
                "brought in (%(in)s kg C): check the outputs and their carbon contents "
                "(产品带出碳量不能大于输入碳量)",
                zh="产品带出碳量（每吨粗钢 %(out)s kg C）大于输入碳量（%(in)s kg C）：请检查各项"
                   "输出及其含碳量", out=f"{balance.carbon_out:.6g}",
                **{"in": f"{balance.carbon_in:.6g}"}), biggest)
