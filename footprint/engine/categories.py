"""Product categories at work: parameters -> modelled lines, and grade and label fields.

A BOM of a category may carry ``parameters`` in the producer's own terms. They are validated
by the category's marshmallow schema, then the category's plugin (hook ``expand_bom``) models
them as ordinary BOM lines, which are validated, resolved and scored like any other line.
After scoring, the category's grading bands and ``label_extensions`` add their fields to the
result.

A choice may be given by its Chinese or English name (湿润气候): the BOM keeps the value
(wet_climate), in its canonical form too. A problem of a parameter is located with the
parameter's own names (``Problem.place``: parameters · 化肥 1 · 含氮量).

A category's hooks go to the plugin that registered it (``category.plugin``), so no plugin
checks whose category it was given. ``label_extensions`` also goes to every plugin that
registered no category at all: such a plugin adds its fields to any product (an allocation
note, a reader of the data version), while a category plugin speaks only of its own.
"""
from __future__ import annotations

import dataclasses

from marshmallow import ValidationError

from ..bom import Bom, model_lines
from ..errors import InvalidInput, Message, PluginError, Problem, Text, as_data
from ..parameters import numbers_given_as_text_in, place_of, schema_fields, with_codes
from ..schemacache import load as load_parameters
from ..schemaerrors import flatten_errors
from ..suggest import unknown


def expand(bom: Bom, registry, plugin_manager) -> Bom:
    """``bom`` with its category parameters modelled as lines (unchanged if it has none). A
    Bom that carries the problems of its shape has its parameters checked, not modelled."""
    category = registry.categories.get((bom.product or {}).get("category"))
    if category is None:
        return bom  # resolve_bom reports the unknown category with a suggestion
    problems = []
    declared = (bom.declared_unit or {}).get("unit")
    if category.declared_units and declared is not None and \
            declared not in category.declared_units:
        problems.append(Problem("declared_unit.unit", unknown(
            Message("declared unit for category %(category)s",
                    category=Text(category.name_zh or category.id, category.id)),
            declared, category.declared_units)))
    if bom.parameters is None:
        if problems:
            raise InvalidInput(problems, bom.origin or None)
        return bom
    if category.parameters is None:
        raise InvalidInput([*problems, Problem("parameters", Message(
            "category %(category)s takes no parameters; describe the product with lines",
            category=category.id))], bom.origin or None)
    bom = _with_codes(bom, category)
    # strict numbers in every category, whatever fields its plugin's schema is built on
    problems += [dataclasses.replace(p, place=place_of(category.parameters, p.where)) for p in
                 numbers_given_as_text_in(category.parameters, bom.parameters)]
    try:
        parameters = load_parameters(category.parameters, bom.parameters)
    except ValidationError as exc:
        problems += [dataclasses.replace(p, place=place_of(category.parameters, p.where))
                     for p in flatten_errors(exc.messages, "parameters",
                                             lambda parent: schema_fields(category.parameters,
                                                                          parent))]
    if problems:
        raise InvalidInput(problems, bom.origin or None)
    if bom.problems:
        return bom  # the shape is wrong: resolve_bom reports it; nothing to model on
    answer = plugin_manager.call_first("expand_bom", only=_owner(category), category=category,
                                       parameters=parameters, bom=bom, registry=registry)
    if answer is None:
        raise PluginError(Message("plugin %(plugin)s registered category %(category)s with "
                                  "parameters but does not model them (expand_bom)",
                                  plugin=repr(category.plugin), category=category.id))
    plugin, lines = answer
    try:
        return model_lines(bom, list(lines), model=plugin)
    except ValueError as exc:
        raise PluginError(Message("plugin %(plugin)s: expand_bom made invalid lines: %(reason)s",
                                  plugin=repr(plugin), reason=str(exc))) from None


def _with_codes(bom: Bom, category) -> Bom:
    """The BOM with choices given by name as their values, in its canonical form too."""
    parameters = with_codes(category.parameters, bom.parameters)
    if parameters == bom.parameters:
        return bom
    canonical = {**bom.canonical, "parameters": parameters} if bom.canonical else bom.canonical
    return dataclasses.replace(bom, parameters=parameters, canonical=canonical)


def grade_range(result: dict, bom: Bom, registry) -> None:
    """When the footprint's range (P5-P95) reaches into other grade bands than its value's,
    the grade says which (``range``) and the result notes that the grade is not certain."""
    grading = registry.categories[bom.product["category"]].grading
    spread = result.get("uncertainty")
    if "grade" not in result or grading is None or not spread:
        return
    per = bom.declared_unit["amount"]
    low, high = (grading.grade(spread[k] / per).grade for k in ("p5", "p95"))
    if low == high == result["grade"]["grade"]:
        return
    result["grade"]["range"] = [low, high]
    note = Message("the footprint's range (P5-P95) spans grades %(low)s to %(high)s: its grade "
                   "%(grade)s is not certain", low=low, high=high,
                   grade=result["grade"]["grade"])
    result["notes"] = [*result["notes"], str(note)]
    result["note_messages"] = [*result.get("note_messages", []), *as_data([note])]


def category_fields(result: dict, bom: Bom, registry, plugin_manager) -> dict:
    """The category, its grade for this result, and every plugin's label extensions."""
    category = registry.categories[bom.product["category"]]
    fields = {"category": {"id": category.id, "name_zh": category.name_zh,
                           "name_en": category.name_en, "plugin": category.plugin}}
    if category.stage_names:
        fields["category"]["stage_names"] = dict(category.stage_names)
    grading = category.grading
    if grading is not None and not grading.applies(_parameters_with_defaults(category, bom)):
        note = Message("the grade bands of %(category)s (%(unit)s) do not apply to this "
                       "product, so it is not graded",
                       category=Text(category.name_zh, category.name_en or category.id),
                       unit=grading.unit_text)
        fields["grade_note"], fields["grade_note_message"] = str(note), as_data(note)
    elif grading is not None:
        # Bands are per one declared unit (kg CO2e per kg fruit), whatever amount a BOM declares.
        per_unit = result["total_kg_co2e"] / bom.declared_unit["amount"]
        band = grading.grade(per_unit)
        fields["grade"] = {"grade": band.grade, "label_zh": band.label_zh,
                           "label_en": band.label_en, "unit": grading.unit,
                           "unit_zh": grading.unit_text.said("zh"),
                           "provisional": grading.provisional, "rationale": grading.rationale,
                           "rationale_zh": grading.rationale_zh,
                           "source": grading.source.as_dict(),
                           "bands": [[b.grade, b.up_to] for b in grading.bands]}
        if grading.published_range is not None:
            # the grade stands; the pages say it may flatter a BOM that leaves inputs out
            fields["grade"].update(published_range=list(grading.published_range),
                                   below_published_range=grading.below_published_range(
                                       per_unit))
    extensions = {}
    for plugin, extra in plugin_manager.call_each("label_extensions",
                                                  only=_extenders(category, registry,
                                                                  plugin_manager),
                                                  category=category, result=result, bom=bom,
                                                  registry=registry):
        if not isinstance(extra, dict):
            raise PluginError(Message("plugin %(plugin)s: label_extensions must return a dict",
                                      plugin=repr(plugin)))
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
        return load_parameters(category.parameters, bom.parameters or {})
    except ValidationError:
        return {}  # a BOM without (complete) parameters: conditional bands cannot apply
