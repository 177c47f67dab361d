"""The footprint engine: a BOM in, an explained and reproducible footprint out.

    engine = Engine()                      # plugins, registry, background: all lazy
    result = engine.calculate(bom)         # a JSON-ready dict, see footprint.result

Each step is a public method (``resolve``, ``score_many``, ``calculate_many``) so variants can
replace one step, as bw2calc's LCA classes do.

    Engine(data_version="MEE-2022")        # the factors as published up to that release

An engine holds one data version: its registry is built under it, and its steps run under it
too, so a category model that reads a dataset while expanding or grading a BOM reads the same
version as the registry did.
"""
from __future__ import annotations

from functools import cached_property, partial
from pathlib import Path

from .. import categorynames
from ..bom import Bom
from ..data import selecting
from ..errors import InvalidInput, Message, Problem
from ..plugins import get_plugin_manager
from ..settings import footprint_home, using_home
from ..suggest import unknown
from .background import UnitInventory, unit_inventory
from .categories import category_fields, expand, grade_range
from .dataversions import build_registry
from .registry import Registry
from .resolve import FileProducts, ProductResolver, ResolvedBom, resolve_bom
from .supplier import LabelResolver
from .result import build_result, check_finite, seal
from .scoring import Scores, score
from .uncertainty import stream_key, summarise


class Engine:
    def __init__(self, home: Path | None = None, plugin_manager=None,
                 data_version: str | None = None):
        """``data_version``: a name from ``footprint.engine.dataversions
        .available_data_versions`` (None: the selection in effect when the registry is built,
        by default the newest)."""
        self.home = Path(home) if home else footprint_home()
        self._plugin_manager = plugin_manager
        self._data_version = data_version

    @cached_property
    def plugin_manager(self):
        return self._plugin_manager or get_plugin_manager()

    @cached_property
    def registry(self) -> Registry:
        with using_home(self.home):  # the platform's own datasets are this home's
            registry = build_registry(self.plugin_manager, self._data_version)
        if self._data_version is None:  # the platform as it stands: verify names by it
            categorynames.keep(self.home, registry.categories)
        return registry

    def _in_version(self):
        """The selection the registry was built under, for data read while calculating."""
        return selecting(self.registry.selection)

    @cached_property
    def inventory(self) -> UnitInventory:
        return unit_inventory(self.home, self.registry)

    def method_id(self, method: str | None) -> str:
        method = method or self.registry.default_method
        if method not in self.registry.methods:
            raise InvalidInput([Problem("method", unknown(Message("method"), method,
                                                          self.registry.methods))])
        return method

    def expand(self, bom: Bom) -> Bom:
        """Model the BOM's category parameters as lines (footprint.categories)."""
        with self._in_version():
            return expand(bom, self.registry, self.plugin_manager)

    def resolve(self, bom: Bom, products: ProductResolver | None = None,
                labels: LabelResolver | None = None) -> ResolvedBom:
        """``labels`` checks the suppliers' labels lines name (engine.supplier); without
        it such a line is refused."""
        with self._in_version():
            # sub-assemblies are expanded as the BOM is, inside the version entered here
            model = partial(expand, registry=self.registry, plugin_manager=self.plugin_manager)
            return resolve_bom(bom, self.registry, products or FileProducts(), model,
                               labels=labels)

    def calculate(self, bom: Bom, method: str | None = None,
                  products: ProductResolver | None = None,
                  labels: LabelResolver | None = None) -> dict:
        return self.calculate_resolved(self.resolve(bom, products, labels), method)

    def calculate_resolved(self, resolved: ResolvedBom, method: str | None = None, *,
                           sealed: bool = True) -> dict:
        return self.calculate_many([resolved], method, sealed=sealed)[0]

    def calculate_many(self, batch: list[ResolvedBom], method: str | None = None, *,
                       sealed: bool = True) -> list[dict]:
        """Full results (breakdowns, factors, hash) for a batch of resolved BOMs; without
        ``sealed``, no reproducibility hash (a preview, which neither shows nor keeps it, is
        spared the canonical JSON of the whole result)."""
        method = self.method_id(method)
        scores = self.score_many(batch, method)
        results = []
        with self._in_version():
            for p, resolved in enumerate(batch):
                result = build_result(resolved, scores, p, self.inventory, self.registry,
                                      self.registry.methods[method])
                result.update(category_fields(result, resolved.bom, self.registry,
                                              self.plugin_manager))
                results.append(result)
        # each product draws from its own stream, named by its BOM, so its range does not
        # depend on the batch it was calculated in
        keys = [stream_key(r) for r in batch]
        for result, spread, resolved in zip(results, summarise(results, self.registry,
                                                               keys=keys), batch):
            result["uncertainty"] = spread
            check_finite(result)  # before anything reads it: a caller stores none of it
            grade_range(result, resolved.bom, self.registry)
        return [seal(result) for result in results] if sealed else results

    def score_many(self, batch: list[ResolvedBom], method: str | None = None) -> Scores:
        """Totals and breakdowns as arrays, without building result objects."""
        method = self.method_id(method)
        with self._in_version():
            return score(batch, self.inventory, self.inventory.factors[method])
