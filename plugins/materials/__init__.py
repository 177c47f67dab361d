"""Starter material library: materials, fuels, utilities and transport in a Chinese context.

Each entry is a background process ``materials/<key>`` a generic BOM may use (the plugin
registers no category, so the BOM editor offers its inputs to every product). The numbers are
read from lca_data/materials/ through its manifest: GB/T 51366-2019 for Chinese materials and
transport, IPCC 2006 for combustion and process emissions, and, where no Chinese figure was
found, ICE v2.0, UK DESNZ 2025, worldsteel, IAI, FEFCO and Wei et al. 2024 as cited proxies.
CO2-only factors are emitted as fossil CO2, CO2e factors as the aggregated CO2e flow.
See docs/materials.md for every entry with its source.
"""
from __future__ import annotations

from footprint import hookimpl

from . import data


# Built-in data: trylast, so an installed plugin registering the same id takes precedence.
@hookimpl(trylast=True)
def register_datasets(registry):
    return [data.CATALOG]


@hookimpl(trylast=True)
def register_background(registry):
    return data.processes()
