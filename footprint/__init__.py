"""footprint: product carbon footprints and carbon labels on Brightway 2.5.

The public API plugins and the web/CLI layers use. Nothing here imports Flask or click.
A plugin's messages to producers are ``Message``s with their Chinese beside the English
(``Message("must be > 0", zh="须大于 0")``); names in both languages are ``Text``s.
"""
from .parameters import Number, ParameterSchema
from .data import Catalog, Dataset, core_catalog, processes_from_csv
from .factortable import (LIBRARY_PACKAGE, LIBRARY_PREFIX, library_catalog, library_name,
                          stored_factors)
from .settings import footprint_home
from .errors import (Conflict, DataError, FootprintError, Forbidden, InvalidInput, Message,
                     NotFound, PluginError, Problem, Text)
from .hookspecs import hookimpl
from .model import (CRADLE_TO_GATE, ELECTRICITY_BASES, GAS_SCOPES, STAGES, ElectricityFactor, Flow, GradeBand,
                    Grading, Method, Process, ProductCategory, Region, Source)

__version__ = "0.1.0"

__all__ = [
    "CRADLE_TO_GATE", "Catalog", "Conflict", "DataError", "Forbidden", "NotFound", "Number", "ParameterSchema", "Dataset", "ELECTRICITY_BASES", "ElectricityFactor", "GAS_SCOPES",
    "Flow", "FootprintError", "GradeBand", "Grading", "InvalidInput", "Message", "Method", "PluginError", "Problem", "Process",
    "ProductCategory", "Region", "STAGES", "Source", "Text", "core_catalog", "footprint_home", "hookimpl", "LIBRARY_PACKAGE", "LIBRARY_PREFIX",
    "library_catalog", "library_name", "stored_factors", "processes_from_csv", "__version__",
]
