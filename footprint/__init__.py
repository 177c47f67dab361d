"""footprint: product carbon footprints and carbon labels on Brightway 2.5.

The public API plugins and the web/CLI layers use. Nothing here imports Flask or click.
A plugin's messages to producers are ``Message``s with their Chinese beside the English
(``Message("must be > 0", zh="须大于 0")``); names in both languages are ``Text``s.

Names are imported when first used (PEP 562), so a command that needs only a few of them
(``footprint verify``) does not load numpy and marshmallow at start.
"""
from __future__ import annotations

import importlib

from .errors import (Conflict, DataError, FootprintError, Forbidden, InvalidInput, Message,
                     NotFound, PluginError, Problem, Text)

__version__ = "0.1.0"

# public name -> (module, name in it)
_LAZY = {
    **{name: ("data", name) for name in ("Catalog", "Dataset", "core_catalog",
                                         "processes_from_csv", "product_range",
                                         "published_range")},
    **{name: ("dataquality", name) for name in ("geography_code", "reference_year")},
    **{name: ("factortable", name) for name in ("LIBRARY_PACKAGE", "LIBRARY_PREFIX",
                                                "library_catalog", "library_name",
                                                "stored_factors")},
    "hookimpl": ("hookspecs", "hookimpl"),
    "background_catalog": ("imported", "catalog"),
    "imported_backgrounds": ("imported", "imported_backgrounds"),
    "backgrounds_in_registry": ("imported", "in_registry"),
    **{name: ("model", name) for name in (
        "CRADLE_TO_GATE", "ELECTRICITY_BASES", "GAS_SCOPES", "STAGES",
        "CharacterisationFactor", "ElectricityFactor", "Flow", "GradeBand", "Grading",
        "Method", "Process", "ProductCategory", "Region", "Source")},
    **{name: ("parameters", name) for name in ("Number", "ParameterSchema")},
    "footprint_home": ("settings", "footprint_home"),
    "shared_schema": ("schemacache", "schema"),
    "load_once": ("schemacache", "load"),
}

__all__ = ["Conflict", "DataError", "FootprintError", "Forbidden", "InvalidInput", "Message",
           "NotFound", "PluginError", "Problem", "Text", "__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attribute)
        globals()[name] = value  # the next use is a plain lookup
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
