"""The textbook Brightway calculation, one bw2calc ``LCA`` per product.

The engine's answers are checked against this, and the benchmarks time it as the naive
path. The product (and each sub-assembly) becomes a foreground activity in an in-memory
bw_processing datapackage, kept at float64 so the BOM's own amounts are not rounded, linked to
the background processes Brightway holds; bw2calc builds the matrices and solves.
"""
from __future__ import annotations

import warnings

import numpy as np

from .background import BACKGROUND_DB, BIOSPHERE_DB, METHOD_NAMESPACE, brightway, ensure_project
from .resolve import ResolvedBom

FOREGROUND_FIRST_ID = 1000  # Brightway's own ids are snowflakes around 1e17: no collision


class ReferenceCalculator:
    def __init__(self, home, registry):
        ensure_project(home, registry)
        self.bd = brightway(home)
        # imported here, not at the top: only the reference checks and benchmarks use them,
        # and after brightway(home), which points bw2data at this home first
        import bw2calc
        import bw_processing
        self.bc, self.bwp = bw2calc, bw_processing
        self.process_id = {a["code"]: a.id for a in self.bd.Database(BACKGROUND_DB)}
        self.flow_id = {f["code"]: f.id for f in self.bd.Database(BIOSPHERE_DB)}
        # imported activities (engine.lci) are not in Brightway: their cumulative emissions
        # enter the product's own column, as the engine appends them to its unit inventory
        self.cumulative = {p.id: p.emissions for p in registry.processes.values()
                           if p.cumulative}
        self._background = {}

    def background_packages(self, method: str):
        """Brightway's datapackages for the background, biosphere and ``method``."""
        if method not in self._background:
            any_process = self.bd.get_node(id=next(iter(self.process_id.values())))
            _, packages, _ = self.bd.prepare_lca_inputs({any_process: 1},
                                                        method=(METHOD_NAMESPACE, method))
            self._background[method] = packages
        return self._background[method]

    def foreground(self, resolved: ResolvedBom):
        """A datapackage with one activity per product and sub-assembly; the root's id."""
        technosphere, biosphere = [], []

        def add(product: ResolvedBom) -> int:
            me = FOREGROUND_FIRST_ID + len([t for t in technosphere if t[0] == t[1]])
            technosphere.append((me, me, 1.0, False))  # produces one declared unit
            for line in product.lines:
                if line.line.stage not in product.bom.boundary_stages:
                    continue
                if line.process_id in self.cumulative:
                    biosphere.extend((self.flow_id[flow], me, line.quantity * amount)
                                     for flow, amount in self.cumulative[line.process_id])
                elif line.process_id is not None:
                    technosphere.append((self.process_id[line.process_id], me, line.quantity, True))
                elif line.flow is not None:
                    biosphere.append((self.flow_id[line.flow], me, line.quantity))
                else:
                    technosphere.append((add(line.sub), me, line.quantity, True))
            return me

        root = add(resolved)
        package = self.bwp.create_datapackage(sequential=True)
        package.add_persistent_vector(
            matrix="technosphere_matrix", name="foreground-technosphere",
            indices_array=np.array([(r, c) for r, c, _, _ in technosphere],
                                   dtype=self.bwp.INDICES_DTYPE),
            data_array=np.array([a for _, _, a, _ in technosphere], dtype=np.float64),
            flip_array=np.array([f for _, _, _, f in technosphere], dtype=bool))
        if biosphere:
            package.add_persistent_vector(
                matrix="biosphere_matrix", name="foreground-biosphere",
                indices_array=np.array([(r, c) for r, c, _ in biosphere],
                                       dtype=self.bwp.INDICES_DTYPE),
                data_array=np.array([a for _, _, a in biosphere], dtype=np.float64))
        return package, root

    def score(self, resolved: ResolvedBom, method: str) -> float:
        """kg CO2e per declared unit, by one plain bw2calc LCA."""
        package, root = self.foreground(resolved)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lca = self.bc.LCA({root: 1.0}, data_objs=[*self.background_packages(method), package])
            lca.lci()
            lca.lcia()
        return float(lca.score)
