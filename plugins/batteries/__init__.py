"""Product category plugin: lithium-ion batteries (电池), LFP and NMC cells and packs.

Declared unit: 1 kWh of capacity. The category's parameters (see ``parameters.py``) become BOM
lines per kWh (``model.py``): per-chemistry component defaults computed from published studies,
each replaceable by the producer's primary data, and cell-manufacturing energy as an electricity
line in the BOM's region. The label extension (``passport.py``) adds the EU Battery Regulation's
Art. 7 unit (per kWh delivered over the service life), the Annex II stages, the Battery Pass
CarbonFootprintForBatteries fields, a provisional performance class and the primary-data share.
Documentation: docs/categories/batteries.md.
"""
from __future__ import annotations

from footprint import InvalidInput, Message, ProductCategory, Problem, hookimpl

from . import data
from .model import plan
from .parameters import BatteryParameters
from .passport import STAGE_NAMES, extension

CATEGORY = "batteries"


@hookimpl(trylast=True)
def register_datasets(registry):
    return [data.CATALOG]


@hookimpl(trylast=True)
def register_background(registry):
    return data.processes()


@hookimpl(trylast=True)
def register_categories(registry):
    return [ProductCategory(
        CATEGORY, "电池（锂离子电芯与电池包）", "Batteries (lithium-ion cells and packs)",
        "LFP and NMC lithium-ion cells and packs per kWh of capacity, cradle to gate; label with "
        "the EU Battery Regulation Art. 7 figure per kWh delivered over the service life and the "
        "Battery Pass carbon footprint fields.",
        description_zh="磷酸铁锂（LFP）与三元（NMC）锂离子电芯和电池包，按每千瓦时容量计，"
                       "从摇篮到大门；标签给出欧盟电池法规第 7 条规定的、按使用寿命内每千瓦时"
                       "交付电量计的碳足迹，以及电池护照的碳足迹字段。",
        declared_units=("kWh",), parameters=BatteryParameters,
        grading=data.capacity_grading(), stage_names=dict(STAGE_NAMES))]


@hookimpl(trylast=True)
def expand_bom(category, parameters, bom, registry):
    if float(bom.declared_unit["amount"]) != 1.0:
        raise InvalidInput([Problem("declared_unit.amount", Message(
            "a battery BOM with parameters declares 1 kWh of capacity "
            '({"amount": 1, "unit": "kWh"}); give the pack size as parameters.pack_capacity_kwh',
            zh="带参数的电池物料清单按 1 千瓦时容量申报（声明数量 1、单位 kWh）；电池包容量请填在"
               "参数“电池包容量”中"))], bom.origin or None)
    return [item.line for item in plan(parameters)]


@hookimpl(trylast=True)
def label_extensions(category, result, bom, registry):
    return extension(result, bom, registry)
