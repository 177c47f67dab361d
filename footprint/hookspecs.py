"""Every hook a plugin may implement. docs/hooks.md documents each one; a test keeps it so.

``register_*`` hooks return a list of records (or None for "nothing from me"). Every hook
receives the central ``registry`` by keyword, so a plugin can look at what is already known.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("footprint")
hookimpl = pluggy.HookimplMarker("footprint")


@hookspec
def register_datasets(registry):
    """Catalogs (``footprint.Catalog``) of the datasets this plugin reads: they count in
    the data version, which follows the plugins loaded, and their earlier versions are what a
    data version may select."""


@hookspec
def register_flows(registry):
    """Elementary flows (``footprint.model.Flow``) the background and BOMs may emit."""


@hookspec
def register_methods(registry):
    """Characterisation methods (``footprint.model.Method``), e.g. IPCC AR6 GWP100."""


@hookspec
def register_characterisation_factors(registry):
    """Characterisation factors (``footprint.model.CharacterisationFactor``) added to methods
    registered by any plugin, for flows those methods do not characterise yet."""


@hookspec
def register_regions(registry):
    """Regions (``footprint.model.Region``) a BOM or an electricity line may name."""


@hookspec
def register_electricity_factors(registry):
    """Electricity factors (``footprint.model.ElectricityFactor``) by region, year and basis."""


@hookspec
def register_background(registry):
    """Background processes (``footprint.model.Process``) BOM lines may consume."""


@hookspec
def register_categories(registry):
    """Product categories (``footprint.model.ProductCategory``)."""


@hookspec(firstresult=True)
def expand_bom(category, parameters, bom, registry):
    """BOM lines (a list of line dicts, as in a BOM file) modelled from a BOM's category
    ``parameters`` (already validated by the category's schema). Asked only of the plugin
    that registered ``category``."""


@hookspec
def label_extensions(category, result, bom, registry):
    """Extra fields for the result and the label of a product of ``category`` (a dict, e.g.
    battery passport fields or an allocation note), or None. Asked of the plugin that
    registered ``category`` and of every plugin that registers no category."""


@hookspec
def register_commands(cli):
    """Add commands to the ``footprint`` click group ``cli``."""
