"""Vanadium-titanium steel (钒钛钢铁): the Panzhihua route and its vanadium products.

V-Ti magnetite -> sinter / pellets -> blast furnace (vanadium-bearing hot metal) -> converter
vanadium extraction (vanadium slag + semi-steel) -> BOF crude steel. A works describes itself per
t of crude steel (parameters); the model (``model.py``) turns that into BOM lines: direct CO2 by
the IPCC 2006 Tier 2 carbon balance, purchased electricity of the BOM's region, purchased coke,
sinter, pellets and ferroalloys (IPCC Tier 1), then shares the works' emissions between crude
steel and vanadium slag by mass, by economic value, or by system expansion (a credit for the
avoided vanadium slag). Vanadium slag is a declarable product of the same model; V2O5 and
vanadium electrolyte use indicative cradle-to-gate factors (low confidence).

Data: ``lca_data/steel_vanadium/`` (manifest with sources, confidence and hashes).
Docs: ``docs/categories/steel_vanadium.md``.
"""
from __future__ import annotations

from footprint import ProductCategory, hookimpl

from . import data
from .label import extensions
from .model import build
from .parameters import SteelVanadiumParameters

CATEGORY = "steel_vanadium"


@hookimpl
def register_datasets(registry):
    return [data.CATALOG]


@hookimpl
def register_background(registry):
    return data.processes()


@hookimpl
def register_categories(registry):
    return [ProductCategory(
        CATEGORY, "钒钛钢铁", "Vanadium-titanium steel and vanadium products",
        "Crude steel from V-Ti magnetite by the Panzhihua route (BF, converter vanadium "
        "extraction, BOF), per t; vanadium slag per t with selectable co-product allocation "
        "(mass, economic, system expansion); V2O5 and vanadium electrolyte per kg "
        "(indicative factors).",
        description_zh="以钒钛磁铁矿经攀枝花流程（高炉、转炉提钒、转炉炼钢）生产的粗钢，每吨；"
                       "钒渣每吨，副产品分配方法可选（质量、经济价值、系统扩展）；五氧化二钒和"
                       "钒电解液每公斤（参考性因子）。",
        declared_units=("t", "kg"), parameters=SteelVanadiumParameters,
        grading=data.grading(),
        stage_names={
            "raw_materials": {"zh": "外购原燃料上游（焦炭、烧结矿、球团、铁合金）",
                              "en": "purchased coke, sinter, pellets, ferroalloys"},
            "production": {"zh": "钢铁联合企业生产（碳平衡、电力、分配）",
                           "en": "works: carbon balance, electricity, allocation"},
            "distribution": {"zh": "运输", "en": "transport"},
            "packaging": {"zh": "包装", "en": "packaging"}})]


@hookimpl
def expand_bom(category, parameters, bom, registry):
    return build(parameters, bom.declared_unit).lines


@hookimpl
def label_extensions(category, result, bom, registry):
    if bom.parameters is None:
        return None  # described by its lines only: no works model to report on
    return extensions(category, result, bom)
