"""Product categories at work: parameters -> modelled lines, and grade and label fields.

A BOM of a category may carry ``parameters`` in the producer's own terms. They are validated
by the category's marshmallow schema, then the category's plugin (hook ``expand_bom``) models
them as ordinary BOM lines, which are validated, resolved and scored like any other line.
After scoring, the category's grading bands and ``label_extensions`` add their fields to the
result.

A category's hooks go to the plugin that registered it (``category.plugin``), so no plugin
checks whose category it was given. ``label_extensions`` also goes to every plugin that
registered no category at all: such a plugin adds its fields to any product (an allocation
note, a reader of the data version), while a category plugin speaks only of its own.
"""
from __future__ import annotations

from marshmallow import ValidationError

from ..bom import Bom, flatten_errors, model_lines
from ..errors import InvalidInput, PluginError, Problem
from ..parameters import schema_fields
from ..suggest import unknown


def expand(bom: Bom, registry, plugin_manager) -> Bom:
    """``bom`` with its category parameters modelled as lines (unchanged if it has none)."""
    category = registry.categories.get(bom.product["category"])
    if category is None:
        return bom  # resolve_bom reports the unknown category with a suggestion
    problems = []
    if category.declared_units and bom.declared_unit["unit"] not in category.declared_units:
        problems.append(Problem("declared_unit.unit", unknown(
            f"declared unit for category {category.id}", bom.declared_unit["unit"],
            category.declared_units)))
    if bom.parameters is None:
        if problems:
            raise InvalidInput(problems, bom.origin or None)
        return bom
    if category.parameters is None:
        raise InvalidInput([*problems, Problem("parameters", f"category {category.id} takes no "
                                               "parameters; describe the product with lines")],
                           bom.origin or None)
    try:
        parameters = category.parameters().load(bom.parameters)
    except ValidationError as exc:
        problems += flatten_errors(exc.messages, "parameters",
                                   lambda parent: schema_fields(category.parameters, parent))
    if problems:
        raise InvalidInput(problems, bom.origin or None)
    answer = plugin_manager.call_first("expand_bom", only=_owner(category), category=category,
                                       parameters=parameters, bom=bom, registry=registry)
    if answer is None:
        raise PluginError(f"plugin {category.plugin!r} registered category {category.id} "
                          "with parameters but does not model them (expand_bom)")
    plugin, lines = answer
    try:
        return model_lines(bom, list(lines), model=plugin)
    except ValueError as exc:
        raise PluginError(f"plugin {plugin!r}: expand_bom made invalid lines: {exc}") from None


def category_fields(result: dict, bom: Bom, registry, plugin_manager) -> dict:
    """The category, its grade for this result, and every plugin's label extensions."""
    category = registry.categories[bom.product["category"]]
    fields = {"category": {"id": category.id, "name_zh": category.name_zh,
                           "name_en": category.name_en, "plugin": category.plugin}}
    if category.stage_names:
        fields["category"]["stage_names"] = dict(category.stage_names)
    grading = category.grading
    if grading is not None and not grading.applies(_parameters_with_defaults(category, bom)):
        fields["grade_note"] = (f"the grade bands of {category.id} ({grading.unit}) do not apply "
                                "to this product, so it is not graded")
    elif grading is not None:
        # Bands are per one declared unit (kg CO2e per kg fruit), whatever amount a BOM declares.
        band = grading.grade(result["total_kg_co2e"] / bom.declared_unit["amount"])
        fields["grade"] = {"grade": band.grade, "label_zh": band.label_zh,
                           "label_en": band.label_en, "unit": grading.unit,
                           "provisional": grading.provisional, "rationale": grading.rationale,
                           "source": grading.source.as_dict(),
                           "bands": [[b.grade, b.up_to] for b in grading.bands]}
    extensions = {}
    for plugin, extra in plugin_manager.call_each("label_extensions",
                                                  only=_extenders(category, registry,
                                                                  plugin_manager),
                                                  category=category, result=result, bom=bom,
                                                  registry=registry):
        if not isinstance(extra, dict):
            raise PluginError(f"plugin {plugin!r}: label_extensions must return a dict")
        extensions[plugin] = extra
    if extensions:
        fields["extensions"] = extensions
    return fields


def _owner(category) -> set[str]:
    """Only the plugin that registered ``category`` (the one whose record the registry kept)."""
    return {category.plugin}


def _extenders(category, registry, plugin_manager) -> set[str]:
    """The category's own plugin, and every plugin that registered no category (kept or
    shadowed): ``label_extensions`` of a category plugin is about its own categories only."""
    with_categories = {c.plugin for c in registry.categories.values()} | {
        s.plugin for s in registry.shadowed if s.hook == "register_categories"}
    every = {name for name, _ in plugin_manager.list_name_plugin()}
    return {category.plugin} | (every - with_categories)


def _parameters_with_defaults(category, bom: Bom) -> dict:
    if category.parameters is None:
        return {}
    try:
        return category.parameters().load(bom.parameters or {})
    except ValidationError:
        return {}  # a BOM without (complete) parameters: conditional bands cannot apply
