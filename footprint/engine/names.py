"""Names people write in a BOM for what the registry knows by code: regions (四川, 四川省,
Sichuan: engine.regions reads them), categories (柑橘, 柑橘(鲜果), Oranges) and inputs (柴油燃烧,
Diesel, 电力), as the BOM editor shows them. A name counts only when it names one thing: a name several inputs share (ten
field-N2O processes read alike in Chinese) stays unknown and gets suggestions instead.

Each record is known by its full Chinese and English names and by their heads, the part
before a bracket ("柑橘" of "柑橘(鲜果)"), where a head names one record only.
"""
from __future__ import annotations

import dataclasses
import re

from ..bom import ELECTRICITY, Bom
from ..errors import Named
from ..text import name_key
from .regions import region_code

# Electricity is no registered process: the words the form and a power bill use for it.
ELECTRICITY_NAMES = ("电力", "电", "用电", "电网电力", "电力（电网，千瓦时）", "grid electricity",
                     "electricity (grid, kwh)")
HEAD = re.compile(r"\s*[(（]")


def _index(records: dict) -> dict[str, str]:
    """name -> code for every full name and head that names one record only."""
    owners: dict[str, set[str]] = {}
    for code, record in records.items():
        for name in (record.name_zh, record.name_en):
            if name:
                for variant in {name, HEAD.split(name)[0]}:
                    owners.setdefault(name_key(variant), set()).add(code)
    return {name: codes.pop() for name, codes in owners.items() if len(codes) == 1 and name}


def _code(index: dict[str, str], known, name):
    if name is None or not isinstance(name, str) or name in known:
        return name
    return index.get(name_key(name), name)


# registry id -> (the registry, its categories' index, its inputs' index): a registry does not
# change once built, and indexing its names on every BOM was a tenth of a preview
_INDEXES: dict[int, tuple] = {}
INDEXES_KEPT = 4


def _indexes(registry) -> tuple[dict, dict]:
    kept = _INDEXES.get(id(registry))
    if kept is not None and kept[0] is registry:
        return kept[1], kept[2]
    # imported activities (bg:<dataset>/<code>) are named by code only: thousands of names
    # from another database would make everyday words mean one of them
    named = {pid: p for pid, p in registry.processes.items() if not p.cumulative}
    inputs = {**_index(named), **{name_key(n): ELECTRICITY for n in ELECTRICITY_NAMES}}
    if len(_INDEXES) >= INDEXES_KEPT:
        _INDEXES.clear()
    _INDEXES[id(registry)] = (registry, _index(registry.categories), inputs)
    return _INDEXES[id(registry)][1], inputs


def _named(records: dict, index: dict[str, str]) -> dict[str, Named]:
    """Each record as a problem suggests it: by its Chinese and English names where ``index``
    reads that name as this record alone (so what is suggested is what may be written), else
    by its code."""
    def own(code, name):
        return name if name and index.get(name_key(name)) == code else ""
    return {code: Named(code, own(code, r.name_zh), own(code, r.name_en))
            for code, r in records.items()}


def named_inputs(registry) -> dict[str, Named]:
    """The inputs a BOM may name (imported activities aside: those are written by code) by
    the names the form shows and the file may hold: 电力, 柴油燃烧, Diesel, burned in ..."""
    _categories, inputs = _indexes(registry)
    named = _named({pid: p for pid, p in registry.processes.items() if not p.cumulative},
                   inputs)
    return {**named, ELECTRICITY: Named(ELECTRICITY, ELECTRICITY_NAMES[0], ELECTRICITY)}


def named_categories(registry) -> dict[str, Named]:
    """The categories by their names (柑橘(鲜果), Oranges (citrus fruit))."""
    return _named(registry.categories, _indexes(registry)[0])


def with_codes(bom: Bom, registry) -> Bom:
    """``bom`` with the regions, category and inputs it names as their codes, in its
    canonical form too; names that name nothing (or several things) are left as written."""
    region = region_code(registry, bom.region) or bom.region
    categories, inputs = _indexes(registry)
    category = _code(categories, registry.categories, (bom.product or {}).get("category"))
    lines = tuple(dataclasses.replace(
        line, region=region_code(registry, line.region) or line.region,
        input=_code(inputs, registry.processes, line.input))
        for line in bom.lines)
    product = {**bom.product, "category": category} if bom.product and "category" in \
        bom.product else bom.product
    if region == bom.region and lines == bom.lines and product == bom.product:
        return bom
    canonical = bom.canonical
    if canonical:
        canonical = {**canonical, "region": region, "lines": [
            {**raw, **{field: getattr(lines[i], field) for field in ("region", "input")
                       if field in raw}}
            for i, raw in enumerate(canonical.get("lines", []))]}
        if "product" in canonical and "category" in canonical["product"]:
            canonical["product"] = {**canonical["product"], "category": category}
    return dataclasses.replace(bom, region=region, product=product, lines=lines,
                               canonical=canonical)
