"""Regions as people name them (四川, 四川省, Sichuan) and as the registry knows them (CN-SC):
a name read as its code, and what is said of a region the registry does not know. Apart from
engine.names (which reads a whole BOM's names) so that an organisation's region is checked
without loading the BOM's schemas."""
from __future__ import annotations

from ..errors import Message
from ..suggest import unknown
from ..text import name_key

# What follows a province's or region's name in full ("四川省", "Sichuan Province"); the name
# without it is the registered one.
ADMINISTRATIVE = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市",
                  " autonomous region", " province", " municipality")


def _region_key(name: str) -> str:
    key = name_key(name)
    for suffix in ADMINISTRATIVE:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[:-len(suffix)]
    return key


def _names_of(region) -> list[str]:
    """A region's names: Chinese, English, and each part of an English name with another in
    brackets ("Tibet (Xizang)")."""
    english = region.name_en or ""
    head, _, rest = english.partition(" (")
    return [n for n in (region.name_zh, english, head, rest.rstrip(")")) if n]


def region_names(registry) -> dict[str, list[str]]:
    return {code: _names_of(region) for code, region in registry.regions.items()}


def region_code(registry, name: str | None) -> str | None:
    """The code of the region ``name`` names: a code as it is, else the one region whose
    Chinese or English name it is (case and "省", "自治区", "Province" aside); else None."""
    if name is None or name in registry.regions:
        return name
    found = {code for code, names in region_names(registry).items()
             if _region_key(name) in {_region_key(n) for n in names}}
    return found.pop() if len(found) == 1 else None


def unknown_region(registry, word: str, near: str | None = None) -> Message:
    """What is said of a region ``word`` the registry does not know: the nearest by code or
    by name, those of the country its code begins with ("CN-...") and those sharing a grid
    with ``near`` (a BOM's own region) offered first."""
    prefix = str(word).partition("-")[0].upper() if "-" in str(word) else None
    neighbours = set()
    if near in registry.regions:
        home = registry.regions[near]
        grids = {near, *home.grids, *home.fallback[:1]}
        neighbours = {code for code, r in registry.regions.items()
                      if grids & {code, *r.grids, *r.fallback[:1]}}
    same_country = sorted(code for code in registry.regions
                          if code in neighbours or (prefix and code.partition("-")[0] == prefix))
    return unknown(Message("region"), word, registry.regions, same_country,
                   region_names(registry))
