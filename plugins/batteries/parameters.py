"""What a battery maker describes: chemistry, category, its own measured data, service life.

Every field carries ``unit``, ``help_zh`` and ``help_en`` (a form is generated from them), and
every error message repeats the help, so a producer knows what the field means.
"""
from __future__ import annotations


from footprint import ParameterSchema
from marshmallow import ValidationError, fields, validate, validates_schema

from .data import CHEMISTRIES, COMPONENTS, default_groups

BATTERY_CATEGORIES = {  # Battery Pass code -> category of Regulation (EU) 2023/1542 Art. 3
    "ev": "electric vehicle battery",
    "lmt": "LMT battery",
    "industrial": "industrial battery",
    "stationary": "industrial battery (stationary battery energy storage system)",
}


def _number(help_en: str, help_zh: str, unit: str, *, minimum=None, maximum=None,
            min_inclusive=True, default=None, required=False) -> fields.Float:
    low = "" if minimum is None else (f">= {minimum}" if min_inclusive else f"> {minimum}")
    high = "" if maximum is None else f"<= {maximum}"
    span = " and ".join(p for p in (low, high) if p)
    extra = {} if required else {"load_default": default, "allow_none": True}
    return fields.Float(
        required=required,
        validate=validate.Range(min=minimum, max=maximum, min_inclusive=min_inclusive,
                                error=f"must be {span} ({unit}): {help_en}"),
        error_messages={"invalid": f"must be a number ({unit}): {help_en}",
                        "required": f"required ({unit}): {help_en}",
                        "null": f"must be a number ({unit}): {help_en}"},
        metadata={"unit": unit, "help_en": help_en, "help_zh": help_zh}, **extra)


def _choice(choices, help_en: str, help_zh: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(list(choices), error=f"must be one of {', '.join(choices)}: {help_en}"),
        error_messages={"required": f"required, one of {', '.join(choices)}: {help_en}",
                        "invalid": f"must be one of {', '.join(choices)}: {help_en}"},
        metadata={"unit": "", "help_en": help_en, "help_zh": help_zh})


PrimaryComponents = type("PrimaryComponents", (ParameterSchema,), {
    name: _number(
        f"{en}: kg CO2e per kWh of battery capacity, from the supplier's verified footprint "
        "(primary data; replaces the study default)",
        f"{zh}:每千瓦时电池容量的碳足迹(千克二氧化碳当量),来自供应商经核查的碳足迹(初级数据,替代文献默认值)",
        "kg CO2e/kWh", minimum=0, maximum=1000)
    for name, (en, zh) in COMPONENTS.items()})


class BatteryParameters(ParameterSchema):
    chemistry = _choice(CHEMISTRIES, "cell chemistry: LFP (lithium iron phosphate) or NMC "
                        "(lithium nickel manganese cobalt oxide)", "电芯化学体系:LFP(磷酸铁锂)或NMC(三元)")
    battery_category = _choice(
        BATTERY_CATEGORIES, "battery category of Regulation (EU) 2023/1542: ev (electric vehicle), "
        "lmt (light means of transport), industrial, stationary (stationary energy storage, an "
        "industrial battery)", "欧盟电池法规类别:ev(电动汽车)、lmt(轻型交通工具)、industrial(工业)、stationary(储能)")
    cell_electricity_kwh_per_kwh = _number(
        "metered electricity of cell and module manufacturing per kWh of capacity (primary data); "
        "default: the chemistry's cell-making energy (Degen et al. 2023), counted as grid electricity",
        "每千瓦时容量的电芯与模组制造用电量(实测,初级数据);默认为文献电芯制造能耗(Degen等,2023),按电网电力计",
        "kWh", minimum=0, maximum=500)
    cell_heat_kwh_per_kwh = _number(
        "metered natural gas burned for drying and dry rooms per kWh of capacity, kWh of gas at "
        "net calorific value (primary data); default 0 (the default energy is all electricity)",
        "每千瓦时容量烘干与干燥间的天然气用量(按低位热值折千瓦时,实测);默认0(默认能耗全部计为电力)",
        "kWh", minimum=0, maximum=500)
    pack_assembly_electricity_kwh_per_kwh = _number(
        "metered electricity of pack assembly per kWh of capacity (primary data); default 0: no "
        "cited separate value", "每千瓦时容量电池包组装用电量(实测);默认0(无可引用的单列数值)",
        "kWh", minimum=0, maximum=500, default=0.0)
    primary_components = fields.Nested(
        PrimaryComponents, load_default=dict,
        metadata={"unit": "kg CO2e/kWh", "help_en": "supplier-declared footprints replacing the "
                  "study defaults; a default group is replaced only when every input it covers is given",
                  "help_zh": "替代文献默认值的供应商碳足迹;一个默认组须其涵盖的全部部件都给出才被替代"})
    distribution_km = _number(
        "road distance from the plant to the customer (distribution stage)", "出厂至客户的公路运输距离(分销阶段)",
        "km", minimum=0, maximum=50000, default=0.0)
    pack_mass_kg_per_kwh = _number(
        "pack mass per kWh of capacity, needed for distribution (tkm = km x kg / 1000)",
        "每千瓦时容量的电池包质量,分销运输计算用", "kg/kWh", minimum=0, min_inclusive=False, maximum=100)
    end_of_life_kg_co2e_per_kwh = _number(
        "end of life and recycling per kWh of capacity, from the recycler's verified footprint "
        "(primary data); no default: not modelled unless given",
        "每千瓦时容量的报废与回收碳足迹(回收商经核查数据);无默认值,不给出则不计", "kg CO2e/kWh",
        minimum=0, maximum=1000)
    depth_of_discharge = _number(
        "usable share of the declared capacity per cycle (depth of discharge), Art. 7 unit",
        "每次循环可用的容量比例(放电深度),用于欧盟法规第7条单位", "fraction", minimum=0,
        min_inclusive=False, maximum=1, default=1.0)
    cycles_per_year = _number(
        "full equivalent charge cycles per year in the intended use, Art. 7 unit (with "
        "service_life_years)", "预期用途下每年等效满充放循环次数(与service_life_years一起)", "cycles/year",
        minimum=0, min_inclusive=False, maximum=10000)
    service_life_years = _number(
        "expected service life in years (e.g. the warranty period), Art. 7 unit (with cycles_per_year)",
        "预期使用年限(如质保期)", "years", minimum=0, min_inclusive=False, maximum=50)
    expected_lifetime_cycles = _number(
        "expected lifetime in full equivalent cycles, Art. 7 unit (instead of cycles_per_year x "
        "service_life_years)", "预期寿命(等效满循环次数),可代替每年循环次数x年限", "cycles",
        minimum=0, min_inclusive=False, maximum=100000)
    capacity_retention = _number(
        "average share of the initial usable capacity over the service life; default 1 (the draft "
        "EU method uses the initial usable energy)", "使用期内平均容量保持率;默认1(欧盟草案方法用初始可用能量)",
        "fraction", minimum=0, min_inclusive=False, maximum=1, default=1.0)
    pack_capacity_kwh = _number(
        "capacity of one pack, for the absolute footprint of the Battery Pass", "单个电池包容量,用于电池护照绝对碳足迹",
        "kWh", minimum=0, min_inclusive=False, maximum=1e6)
    manufacturing_facility = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200),
        metadata={"unit": "", "help_en": "manufacturing facility (name or identifier and address)",
                  "help_zh": "生产工厂(名称或编码及地址)"})
    carbon_footprint_study = fields.Url(
        load_default=None, allow_none=True, require_tld=False,
        error_messages={"invalid": "must be a web address: link to the public version of the "
                        "carbon footprint study (Battery Pass carbonFootprintStudy)"},
        metadata={"unit": "", "help_en": "link to the public version of the carbon footprint study",
                  "help_zh": "碳足迹研究公开版本的网址"})

    @validates_schema(skip_on_field_errors=True)
    def _consistent(self, data, **kwargs):
        errors: dict = {}
        if data.get("distribution_km") and data.get("pack_mass_kg_per_kwh") is None:
            errors["pack_mass_kg_per_kwh"] = [
                "required when distribution_km is given (kg/kWh): pack mass per kWh of capacity, "
                "needed for distribution (tkm = km x kg / 1000)"]
        lifetime = data.get("expected_lifetime_cycles")
        per_year, years = data.get("cycles_per_year"), data.get("service_life_years")
        art7 = ("the Art. 7 unit (kWh delivered over the service life) needs "
                "expected_lifetime_cycles, or cycles_per_year and service_life_years")
        if lifetime is not None and (per_year is not None or years is not None):
            errors["expected_lifetime_cycles"] = [f"give it or cycles_per_year x service_life_years, not both: {art7}"]
        elif lifetime is None and per_year is None and years is None:
            errors["expected_lifetime_cycles"] = [f"required: {art7}"]
        elif lifetime is None:
            for name in ("cycles_per_year", "service_life_years"):
                if data.get(name) is None:
                    errors[name] = [f"required: {art7}"]
        given = {k for k, v in (data.get("primary_components") or {}).items() if v is not None}
        for group in default_groups()[data["chemistry"]]:
            part = given & set(group.covers)
            if part and part != set(group.covers):
                missing = [c for c in group.covers if c not in given]
                errors.setdefault("primary_components", {})[sorted(part)[0]] = [
                    f"the {data['chemistry']} default '{group.component}' covers "
                    f"{', '.join(group.covers)} together and cannot be split; give also "
                    f"{', '.join(missing)} (kg CO2e/kWh, 0 where none), or none of them"]
        if errors:
            raise ValidationError(errors)


def load(raw: dict) -> dict:
    """Validated parameters with defaults filled (raises marshmallow.ValidationError)."""
    return BatteryParameters().load(raw)
