"""The footprint engine: a BOM in, an explained and reproducible footprint out.

    engine = Engine()                      # plugins, registry, background: all lazy
    result = engine.calculate(bom)         # a JSON-ready dict, see footprint.result

Each step is a public method (``resolve``, ``flows``, ``calculate_resolved``) so variants can
replace one step, as bw2calc's LCA classes do.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from .background import UnitInventory, unit_inventory
from .bom import Bom
from .errors import InvalidInput, Problem
from .plugins import get_plugin_manager
from .registry import Registry
from .resolve import FileProducts, ProductResolver, ResolvedBom, ResolvedLine, resolve_bom
from .result import build_result
from .settings import footprint_home
from .suggest import unknown


class Engine:
    def __init__(self, home: Path | None = None, plugin_manager=None):
        self.home = Path(home) if home else footprint_home()
        self._plugin_manager = plugin_manager

    @cached_property
    def plugin_manager(self):
        return self._plugin_manager or get_plugin_manager()

    @cached_property
    def registry(self) -> Registry:
        return Registry.from_plugins(self.plugin_manager)

    @cached_property
    def inventory(self) -> UnitInventory:
        return unit_inventory(self.home, self.registry)

    def method_id(self, method: str | None) -> str:
        method = method or self.registry.default_method
        if method not in self.registry.methods:
            raise InvalidInput([Problem("method", unknown("method", method, self.registry.methods))])
        return method

    def resolve(self, bom: Bom, products: ProductResolver | None = None) -> ResolvedBom:
        return resolve_bom(bom, self.registry, products or FileProducts())

    def calculate(self, bom: Bom, method: str | None = None,
                  products: ProductResolver | None = None) -> dict:
        return self.calculate_resolved(self.resolve(bom, products), method)

    def calculate_resolved(self, resolved: ResolvedBom, method: str | None = None) -> dict:
        method = self.method_id(method)
        inventory = self.inventory
        line_flows = [self.line_flows(r) for r in resolved.lines]
        return build_result(resolved, line_flows, inventory, self.registry,
                            self.registry.methods[method])

    # -- inventories ---------------------------------------------------------------------

    def line_flows(self, line: ResolvedLine) -> np.ndarray:
        """kg of each flow (in ``inventory.flow_ids`` order) caused by one resolved line."""
        inventory = self.inventory
        if line.process_id is not None:
            return line.quantity * inventory.per_unit[inventory.row[line.process_id]]
        if line.flow is not None:
            flows = np.zeros(len(inventory.flow_ids))
            flows[inventory.column[line.flow]] = line.quantity
            return flows
        return line.quantity * self.product_flows(line.sub)

    def product_flows(self, resolved: ResolvedBom) -> np.ndarray:
        """kg of each flow per declared unit of a product, within its system boundary."""
        inside = resolved.bom.boundary_stages
        total = np.zeros(len(self.inventory.flow_ids))
        for line in resolved.lines:
            if line.line.stage in inside:
                total += self.line_flows(line)
        return total
