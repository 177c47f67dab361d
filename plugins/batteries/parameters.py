"""What a battery maker describes: chemistry, category, its own measured data, service life.

Every field carries ``label_zh``/``label_en``, ``unit``, ``help_zh`` and ``help_en`` (a form
is generated from them; a choice names its choices in both languages, ``choices``), and every
error message repeats the help, in English and Chinese, so a producer knows what the field
means.
"""
from __future__ import annotations


from footprint import Message, Number, ParameterSchema, Text, load_once
from marshmallow import ValidationError, fields, validate, validates_schema

from .data import CHEMISTRIES, COMPONENTS, default_groups

BATTERY_CATEGORIES = {  # Battery Pass code -> category of Regulation (EU) 2023/1542 Art. 3
    "ev": "electric vehicle battery",
    "lmt": "LMT battery",
    "industrial": "industrial battery",
    "stationary": "industrial battery (stationary battery energy storage system)",
}
# Each choice's name, (Chinese, English): shown by the form, accepted in a BOM.
CHEMISTRY_NAMES = {"LFP": ("磷酸铁锂（LFP）", "lithium iron phosphate (LFP)"),
                   "NMC": ("三元锂（NMC）", "nickel manganese cobalt (NMC)")}
CATEGORY_NAMES = {"ev": ("电动汽车电池", "electric vehicle battery"),
                  "lmt": ("轻型交通工具电池", "LMT battery"),
                  "industrial": ("工业电池", "industrial battery"),
                  "stationary": ("固定式储能电池", "stationary energy storage")}
# Units with words, (Chinese, English).
UNIT_WORDS = {"fraction": ("比例（0–1）", "fraction (0–1)"), "cycles/year": ("次/年", "cycles/year"),
              "years": ("年", "years"), "cycles": ("次", "cycles"),
              "kg CO2e/kWh": ("千克CO2e/千瓦时", "kg CO2e/kWh"), "kg/kWh": ("千克/千瓦时", "kg/kWh")}


def _number(help_en: str, help_zh: str, unit: str, label: tuple[str, str], *, minimum=None,
            maximum=None, min_inclusive=True, default=None, required=False) -> Number:
    low = "" if minimum is None else (f">= {minimum}" if min_inclusive else f"> {minimum}")
    high = "" if maximum is None else f"<= {maximum}"
    span = " and ".join(p for p in (low, high) if p)
    low_zh = "" if minimum is None else (f"≥ {minimum}" if min_inclusive else f"> {minimum}")
    span_zh = " 且 ".join(p for p in (low_zh, "" if maximum is None else f"≤ {maximum}") if p)
    unit_zh, unit_en = UNIT_WORDS.get(unit, (unit, unit))
    said = {"span": Text(span_zh, span), "unit": Text(unit_zh, unit),
            "help": Text(help_zh, help_en)}
    extra = {} if required else {"load_default": default, "allow_none": True}
    words = {"unit_zh": unit_zh, "unit_en": unit_en} if unit in UNIT_WORDS else {}
    return Number(
        required=required,
        validate=validate.Range(min=minimum, max=maximum, min_inclusive=min_inclusive,
                                error=Message("must be %(span)s (%(unit)s): %(help)s",
                                              zh="须%(span)s（%(unit)s）：%(help)s", **said)),
        error_messages={
            "invalid": Message("must be a number (%(unit)s): %(help)s",
                               zh="须为数字（%(unit)s）：%(help)s", **said),
            "required": Message("required (%(unit)s): %(help)s",
                                zh="必填（%(unit)s）：%(help)s", **said),
            "null": Message("must be a number (%(unit)s): %(help)s",
                            zh="须为数字（%(unit)s）：%(help)s", **said)},
        metadata={"label_zh": label[0], "label_en": label[1], "unit": unit, **words,
                  "help_en": help_en, "help_zh": help_zh}, **extra)


def _choice(choices, names: dict, help_en: str, help_zh: str,
            label: tuple[str, str]) -> fields.String:
    said = {"choices": ", ".join(choices), "help": Text(help_zh, help_en),
            "names": [Text(names[c][0], c) for c in choices]}
    return fields.String(
        required=True,
        validate=validate.OneOf(list(choices), error=Message(
            "must be one of %(choices)s: %(help)s", zh="须为以下之一：%(names)s：%(help)s",
            **said)),
        error_messages={
            "required": Message("required, one of %(choices)s: %(help)s",
                                zh="必填，须为以下之一：%(names)s：%(help)s", **said),
            "invalid": Message("must be one of %(choices)s: %(help)s",
                               zh="须为以下之一：%(names)s：%(help)s", **said)},
        metadata={"label_zh": label[0], "label_en": label[1], "unit": "", "help_en": help_en,
                  "help_zh": help_zh, "choices": names})


PrimaryComponents = type("PrimaryComponents", (ParameterSchema,), {
    name: _number(
        f"{en}: kg CO2e per kWh of battery capacity, from the supplier's verified footprint "
        "(primary data; replaces the study default)",
        f"{zh}：每千瓦时电池容量的碳足迹（千克二氧化碳当量），来自供应商经核查的碳足迹（初级数据，替代文献默认值）",
        "kg CO2e/kWh", (zh, en), minimum=0, maximum=1000)
    for name, (en, zh) in COMPONENTS.items()})


class BatteryParameters(ParameterSchema):
    chemistry = _choice(CHEMISTRIES, CHEMISTRY_NAMES, "cell chemistry: LFP (lithium iron phosphate) or NMC "
                        "(lithium nickel manganese cobalt oxide)", "电芯化学体系：LFP（磷酸铁锂）或NMC（三元）",
                        ("电芯化学体系", "cell chemistry"))
    battery_category = _choice(
        BATTERY_CATEGORIES, CATEGORY_NAMES, "battery category of Regulation (EU) 2023/1542: ev (electric vehicle), "
        "lmt (light means of transport), industrial, stationary (stationary energy storage, an "
        "industrial battery)", "欧盟电池法规类别：ev（电动汽车）、lmt（轻型交通工具）、industrial（工业）、stationary（储能）",
        ("电池类别", "battery category"))
    cell_electricity_kwh_per_kwh = _number(
        "metered electricity of cell and module manufacturing per kWh of capacity (primary data); "
        "default: the chemistry's cell-making energy (Degen et al. 2023), counted as grid electricity",
        "每千瓦时容量的电芯与模组制造用电量（实测，初级数据）；默认为文献电芯制造能耗（Degen等，2023），按电网电力计",
        "kWh", ("电芯制造用电", "cell manufacturing electricity"), minimum=0, maximum=500)
    cell_heat_kwh_per_kwh = _number(
        "metered natural gas burned for drying and dry rooms per kWh of capacity, kWh of gas at "
        "net calorific value (primary data); default 0 (the default energy is all electricity)",
        "每千瓦时容量烘干与干燥间的天然气用量（按低位热值折千瓦时，实测）；默认0（默认能耗全部计为电力）",
        "kWh", ("电芯制造用热（天然气）", "cell manufacturing heat (natural gas)"), minimum=0,
        maximum=500)
    pack_assembly_electricity_kwh_per_kwh = _number(
        "metered electricity of pack assembly per kWh of capacity (primary data); default 0: no "
        "cited separate value", "每千瓦时容量电池包组装用电量（实测）；默认0（无可引用的单列数值）",
        "kWh", ("电池包组装用电", "pack assembly electricity"), minimum=0, maximum=500,
        default=0.0)
    primary_components = fields.Nested(
        PrimaryComponents, load_default=dict,
        metadata={"label_zh": "供应商初级数据", "label_en": "supplier primary data",
                  "unit": "kg CO2e/kWh", "help_en": "supplier-declared footprints replacing the "
                  "study defaults; a default group is replaced only when every input it covers is given",
                  "help_zh": "替代文献默认值的供应商碳足迹；一个默认组须其涵盖的全部部件都给出才被替代"})
    distribution_km = _number(
        "road distance from the plant to the customer (distribution stage)", "出厂至客户的公路运输距离（分销阶段）",
        "km", ("分销运输距离", "distribution distance"), minimum=0, maximum=50000, default=0.0)
    pack_mass_kg_per_kwh = _number(
        "pack mass per kWh of capacity, needed for distribution (tkm = km x kg / 1000)",
        "每千瓦时容量的电池包质量，分销运输计算用", "kg/kWh", ("电池包单位容量质量", "pack mass per kWh"),
        minimum=0, min_inclusive=False, maximum=100)
    end_of_life_kg_co2e_per_kwh = _number(
        "end of life and recycling per kWh of capacity, from the recycler's verified footprint "
        "(primary data); no default: not modelled unless given",
        "每千瓦时容量的报废与回收碳足迹（回收商经核查数据）；无默认值，不给出则不计", "kg CO2e/kWh",
        ("报废与回收", "end of life and recycling"), minimum=0, maximum=1000)
    depth_of_discharge = _number(
        "usable share of the declared capacity per cycle (depth of discharge), Art. 7 unit",
        "每次循环可用的容量比例（放电深度），用于欧盟法规第7条单位", "fraction",
        ("放电深度", "depth of discharge"), minimum=0, min_inclusive=False, maximum=1,
        default=1.0)
    cycles_per_year = _number(
        "full equivalent charge cycles per year in the intended use, Art. 7 unit (with "
        "service_life_years)", "预期用途下每年等效满充放循环次数（与预期使用年限一起）", "cycles/year",
        ("每年循环次数", "cycles per year"), minimum=0, min_inclusive=False, maximum=10000)
    service_life_years = _number(
        "expected service life in years (e.g. the warranty period), Art. 7 unit (with cycles_per_year)",
        "预期使用年限（如质保期）", "years", ("预期使用年限", "service life"), minimum=0,
        min_inclusive=False, maximum=50)
    expected_lifetime_cycles = _number(
        "expected lifetime in full equivalent cycles, Art. 7 unit (instead of cycles_per_year x "
        "service_life_years)", "预期寿命（等效满循环次数），可代替每年循环次数x年限", "cycles",
        ("预期寿命循环次数", "expected lifetime cycles"), minimum=0, min_inclusive=False,
        maximum=100000)
    capacity_retention = _number(
        "average share of the initial usable capacity over the service life; default 1 (the draft "
        "EU method uses the initial usable energy)", "使用期内平均容量保持率；默认1（欧盟草案方法用初始可用能量）",
        "fraction", ("容量保持率", "capacity retention"), minimum=0, min_inclusive=False,
        maximum=1, default=1.0)
    pack_capacity_kwh = _number(
        "capacity of one pack, for the absolute footprint of the Battery Pass", "单个电池包容量，用于电池护照绝对碳足迹",
        "kWh", ("电池包容量", "pack capacity"), minimum=0, min_inclusive=False, maximum=1e6)
    manufacturing_facility = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200),
        metadata={"label_zh": "生产工厂", "label_en": "manufacturing facility", "unit": "",
                  "help_en": "manufacturing facility (name or identifier and address)",
                  "help_zh": "生产工厂（名称或编码及地址）"})
    carbon_footprint_study = fields.Url(
        load_default=None, allow_none=True, require_tld=False,
        error_messages={"invalid": Message(
            "must be a web address: link to the public version of the carbon footprint study "
            "(Battery Pass carbonFootprintStudy)", zh="须为网址：碳足迹研究公开版本的链接（电池护照"
                                                      " carbonFootprintStudy）")},
        metadata={"label_zh": "碳足迹研究", "label_en": "carbon footprint study", "unit": "",
                  "help_en": "link to the public version of the carbon footprint study",
                  "help_zh": "碳足迹研究公开版本的网址"})

    @validates_schema(skip_on_field_errors=True)
    def _consistent(self, data, **kwargs):
        errors: dict = {}
        if data.get("distribution_km") and data.get("pack_mass_kg_per_kwh") is None:
            errors["pack_mass_kg_per_kwh"] = [Message(
                "required when distribution_km is given (kg/kWh): pack mass per kWh of capacity, "
                "needed for distribution (tkm = km x kg / 1000)",
                zh="填写了分销运输距离时必填（千克/千瓦时）：每千瓦时容量的电池包质量，用于计算分销"
                   "运输（吨公里 = 公里 × 千克 / 1000）")]
        lifetime = data.get("expected_lifetime_cycles")
        per_year, years = data.get("cycles_per_year"), data.get("service_life_years")
        art7 = Text("欧盟电池法规第7条单位（使用期内交付的千瓦时）需要预期寿命循环次数，或每年循环"
                    "次数和预期使用年限",
                    "the Art. 7 unit (kWh delivered over the service life) needs "
                    "expected_lifetime_cycles, or cycles_per_year and service_life_years")
        if lifetime is not None and (per_year is not None or years is not None):
            errors["expected_lifetime_cycles"] = [Message(
                "give it or cycles_per_year x service_life_years, not both: %(art7)s",
                zh="此项与“每年循环次数 × 预期使用年限”只填其一：%(art7)s", art7=art7)]
        elif lifetime is None and per_year is None and years is None:
            errors["expected_lifetime_cycles"] = [Message("required: %(art7)s",
                                                          zh="必填：%(art7)s", art7=art7)]
        elif lifetime is None:
            for name in ("cycles_per_year", "service_life_years"):
                if data.get(name) is None:
                    errors[name] = [Message("required: %(art7)s", zh="必填：%(art7)s",
                                            art7=art7)]
        given = {k for k, v in (data.get("primary_components") or {}).items() if v is not None}
        for group in default_groups()[data["chemistry"]]:
            part = given & set(group.covers)
            if part and part != set(group.covers):
                missing = [c for c in group.covers if c not in given]
                errors.setdefault("primary_components", {})[sorted(part)[0]] = [Message(
                    "the %(chemistry)s default '%(group)s' covers %(covers)s together and "
                    "cannot be split; give also %(missing)s (kg CO2e/kWh, 0 where none), or none "
                    "of them", zh="%(chemistry)s 的默认值“%(group)s”同时涵盖%(covers)s，不能拆分："
                                  "请同时给出%(missing)s（千克CO2e/千瓦时，没有的填 0），或都不给",
                    chemistry=data["chemistry"], group=group.component,
                    covers=_components(group.covers), missing=_components(missing))]
        if errors:
            raise ValidationError(errors)


def _components(names) -> Text:
    return Text("、".join(COMPONENTS[n][1] for n in names), ", ".join(names))


def load(raw: dict) -> dict:
    """Validated parameters with defaults filled (raises marshmallow.ValidationError)."""
    return load_once(BatteryParameters, raw)
