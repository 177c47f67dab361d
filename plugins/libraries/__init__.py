"""The platform's own factor libraries, as background processes every BOM may use.

An administrator imports a factor table (``footprint library import``, or the administration
page); it is kept under FOOTPRINT_HOME/libraries with a manifest like the shipped datasets'.
This plugin registers that catalog and, for each library the data version in effect includes,
one process ``library/<name>/<id>`` per factor: per unit, ``value`` kg of the factor's gas
(a CO2e value as the aggregated CO2e flow; CO2, CH4 and N2O as those gases, characterised by
the platform's method), citing the factor's own publication with its boundary, gas scope,
reference year, geography and range. It registers no category, so the BOM editor offers the
libraries' factors to every producer.
"""
from __future__ import annotations

from footprint import (LIBRARY_PACKAGE, LIBRARY_PREFIX, Process, Source, footprint_home,
                       geography_code, hookimpl, library_catalog, library_name, published_range,
                       stored_factors)


@hookimpl(trylast=True)
def register_datasets(registry):
    catalog = library_catalog(footprint_home())
    return [catalog] if catalog is not None else []


@hookimpl(trylast=True)
def register_background(registry):
    catalog = next((c for c in registry.catalogs if c.package == LIBRARY_PACKAGE), None)
    if catalog is None:
        return []
    processes = []
    for dataset in registry.datasets:  # only the libraries the data version includes
        if dataset.package != LIBRARY_PACKAGE:
            continue
        read = catalog.dataset(dataset.id)
        name = library_name(dataset.id)
        for factor in stored_factors(read):
            processes.append(Process(
                f"{LIBRARY_PREFIX}{name}/{factor.id}", factor.name_en or factor.name_zh,
                factor.name_zh or factor.name_en, factor.unit, ((factor.flow, factor.value),),
                Source(dataset.id, f"{read.entry['title']} ({read.version}): "
                                   f"{factor.citation()}", factor.confidence,
                       geography=geography_code(factor.geography),
                       year=factor.year if isinstance(factor.year, int) else None,
                       range=published_range(factor.low and {
                           "low": factor.low, "value": factor.value, "high": factor.high}))))
    return processes
