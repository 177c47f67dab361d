"""footprint: product carbon footprints and carbon labels on Brightway 2.5.

The public API plugins and the web/CLI layers use. Nothing here imports Flask or click.
A plugin's messages to producers are ``Message``s with their Chinese beside the English
(``Message("must be > 0", zh="须大于 0")``); names in both languages are ``Text``s.
"""
from .data import (Catalog, Dataset, core_catalog, processes_from_csv, product_range,
                   published_range)
from .dataquality import geography_code, reference_year
from .errors import (Conflict, DataError, FootprintError, Forbidden, InvalidInput, Message,
                     NotFound, PluginError, Problem, Text)
from .factortable import (LIBRARY_PACKAGE, LIBRARY_PREFIX, library_catalog, library_name,
                          stored_factors)
from .hookspecs import hookimpl
from .imported import catalog as background_catalog
from .imported import imported_backgrounds
from .imported import in_registry as backgrounds_in_registry
from .model import (CRADLE_TO_GATE, ELECTRICITY_BASES, GAS_SCOPES, STAGES,
                    CharacterisationFactor,
                    ElectricityFactor, Flow, GradeBand, Grading, Method, Process, ProductCategory,
                    Region, Source)
from .parameters import Number, ParameterSchema
from .settings import footprint_home

__version__ = "0.1.0"

__all__ = [
    "CRADLE_TO_GATE", "Catalog", "CharacterisationFactor", "Conflict", "DataError", "Forbidden", "NotFound", "Number", "ParameterSchema", "Dataset", "ELECTRICITY_BASES", "ElectricityFactor", "GAS_SCOPES",
    "Flow", "FootprintError", "GradeBand", "Grading", "InvalidInput", "Message", "Method", "PluginError", "Problem", "Process",
    "ProductCategory", "Region", "STAGES", "Source", "Text", "core_catalog", "footprint_home", "hookimpl", "imported_backgrounds", "background_catalog",
    "backgrounds_in_registry", "LIBRARY_PACKAGE", "LIBRARY_PREFIX",
    "library_catalog", "library_name", "stored_factors", "processes_from_csv", "product_range", "published_range",
    "__version__",
    "geography_code", "reference_year",
]
