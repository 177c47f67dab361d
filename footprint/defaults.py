"""Built-in data of the core, supplied through the same hooks any plugin uses.

Marked ``trylast`` so an installed plugin that registers the same id takes precedence.
"""
from __future__ import annotations

from .data import core_catalog, processes_from_csv
from .hookspecs import hookimpl
from .model import Flow, Method, ProductCategory

METHOD_DATASETS = ("ipcc_ar6_gwp100", "ipcc_ar5_gwp100")  # the first is the default method
PROCESS_DATASETS = ("diesel_ipcc2006", "road_freight_epa", "rail_freight_cn")


@hookimpl(trylast=True)
def register_datasets(registry):
    return [core_catalog()]


@hookimpl(trylast=True)
def register_flows(registry):
    data = core_catalog().dataset("biosphere_flows").json()
    return [Flow(f["id"], f["name_en"], f["name_zh"], f["origin"], f["unit"]) for f in data["flows"]]


@hookimpl(trylast=True)
def register_methods(registry):
    methods = []
    for dataset_id in METHOD_DATASETS:
        dataset = core_catalog().dataset(dataset_id)
        factors = tuple((row["flow"], float(row["factor"])) for row in dataset.rows())
        methods.append(Method(dataset.entry["method"], dataset.entry["title"], factors,
                              dataset.source(), default=dataset_id == METHOD_DATASETS[0]))
    return methods


@hookimpl(trylast=True)
def register_background(registry):
    return [process for dataset_id in PROCESS_DATASETS
            for process in processes_from_csv(core_catalog().dataset(dataset_id))]


@hookimpl(trylast=True)
def register_categories(registry):
    return [ProductCategory(
        "generic", "通用产品", "Generic product",
        "Any product described directly by its bill of materials (no category model).",
        description_zh="任何直接以物料清单描述的产品（不使用类别模型）。",
    )]
