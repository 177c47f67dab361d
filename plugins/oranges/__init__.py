"""Product category plugin: oranges (柑橘), 1 kg of fruit at the farm or packhouse gate.

The producer describes the orchard per hectare and year (fertiliser products, manure N,
pesticides, diesel, irrigation electricity, yield) and, for a packed product, the corrugated
board per kg and the distance to the packhouse. ``expand_bom`` turns that into lines per kg of
fruit: fertiliser manufacture (Chen, Lu, Wang 2015), soil N2O and urea CO2 (IPCC 2019
Refinement Tier 1), pesticide manufacture (Lal 2004), diesel, grid electricity of the BOM's
region, corrugated board (FEFCO 2021) and road freight. Every factor is a registered process
read from lca_data/oranges/ through its manifest. See docs/categories/oranges.md.
"""
from __future__ import annotations

from footprint import InvalidInput, Message, ProductCategory, Problem, hookimpl

from . import data, label, model
from .parameters import OrangeParameters

CATEGORY = "oranges"
STAGE_NAMES = {
    "raw_materials": {"zh": "农资生产（化肥、农药）",
                      "en": "farm inputs (fertiliser, pesticide manufacture)"},
    "production": {"zh": "果园种植（田间N2O、尿素CO2、柴油、灌溉用电）",
                   "en": "orchard (field N2O, urea CO2, diesel, irrigation)"},
    "distribution": {"zh": "运往包装厂", "en": "transport to the packhouse"},
    "packaging": {"zh": "包装（瓦楞纸箱）", "en": "packaging (corrugated board)"},
    "end_of_life": {"zh": "废弃处置", "en": "end of life"},
}


# Built-in data: trylast, so an installed plugin registering the same id takes precedence.
@hookimpl(trylast=True)
def register_datasets(registry):
    return [data.CATALOG]


@hookimpl(trylast=True)
def register_background(registry):
    return data.processes()


@hookimpl(trylast=True)
def register_categories(registry):
    return [ProductCategory(
        CATEGORY, "柑橘（鲜果）", "Oranges (citrus fruit)",
        "1 kg of fresh citrus fruit at the farm gate, or packed at the packhouse gate; orchard "
        "inputs per hectare and year, IPCC 2019 Tier 1 soil N2O, Chinese fertiliser "
        "manufacture factors.",
        description_zh="每公斤鲜柑橘，至果园大门，或包装后至包装厂大门；果园投入按每公顷每年"
                       "填报，土壤 N2O 按 IPCC 2019 Tier 1 方法，化肥生产采用中国的因子。",
        declared_units=("kg",), parameters=OrangeParameters, grading=data.grading(),
        stage_names=STAGE_NAMES,
        # citrus as shoppers name it: oranges (橙, 脐橙), mandarins (橘, 桔), tangors such as
        # Buzhihuo and Chunjian (杂柑, 橘橙, 丑橘, 耙耙柑)
        search_words=("橙", "橘", "桔", "柑", "杂柑", "丑橘", "耙耙柑", "orange", "citrus",
                      "mandarin", "tangor"))]


@hookimpl(trylast=True)
def expand_bom(category, parameters, bom, registry):
    amount = bom.declared_unit["amount"]
    if amount != 1:
        # The grade bands are per kg of fruit and the core grades the total per declared unit.
        raise InvalidInput([Problem("declared_unit.amount", Message(
            "the oranges category is declared per 1 kg of fruit (its grade bands are in kg "
            'CO2e/kg), not %(amount)s kg: use {"amount": 1, "unit": "kg"}',
            zh="柑橘品类按每 1 千克果品申报（其等级按千克二氧化碳当量/千克划分），不是 "
               "%(amount)s 千克：请把声明数量填为 1、单位填为 kg", amount=f"{amount:g}"))],
            bom.origin or None)
    return model.lines(parameters)


@hookimpl
def label_extensions(category, result, bom, registry):
    return label.extensions(result, bom)
