"""Every hook, each with a test named for it: what a plugin's answer does to a footprint.

Hand calculations: Sichuan grid 2022 0.1404 kg CO2/kWh (MEE), diesel 3.185 kg CO2/kg (IPCC
2006), AR6 GWP100: CH4 fossil 29.8, N2O 273.
"""
from __future__ import annotations

import pytest
from marshmallow import fields

from footprint import ParameterSchema, ProductCategory, hookimpl
from footprint.bom import parse_bom
from footprint.engine import Engine
from footprint.plugins import get_plugin_manager


def manager(**plugins):
    """The electricity_cn plugin and the defaults, plus ``plugins`` under the given names."""
    pm = get_plugin_manager(load={"electricity_cn"})
    for name, plugin in plugins.items():
        pm.register(plugin, name=name)
    pm.check_pending()
    return pm


class PerKg(ParameterSchema):
    kwh_per_kg = fields.Float(required=True)


class CategoryPlugin:
    """A category whose model and label extension answer whatever category they are given
    (no check of ``category.id``), and remember what they were asked about."""

    def __init__(self, category_id: str):
        self.category_id = category_id
        self.asked: list[tuple[str, str]] = []

    @hookimpl
    def register_categories(self, registry):
        return [ProductCategory(self.category_id, self.category_id, self.category_id,
                                declared_units=("kg",), parameters=PerKg)]

    @hookimpl
    def expand_bom(self, category, parameters, bom, registry):
        self.asked.append(("expand_bom", category.id))
        return [{"input": "electricity", "amount": parameters["kwh_per_kg"], "unit": "kWh",
                 "stage": "production", "note": f"{self.category_id} model"}]

    @hookimpl
    def label_extensions(self, category, result, bom, registry):
        self.asked.append(("label_extensions", category.id))
        return {"modelled_by": self.category_id}


class EveryProductNote:
    """A plugin with no category of its own: it adds a field to every product."""

    @hookimpl
    def label_extensions(self, category, result, bom, registry):
        return {"category_seen": category.id}


def category_bom(make_bom, category, kwh_per_kg=10):
    return make_bom(product={"name": "x", "category": category}, lines=[],
                    parameters={"kwh_per_kg": kwh_per_kg})


# -- expand_bom ----------------------------------------------------------------------------------

def test_expand_bom_is_asked_only_of_the_plugin_that_registered_the_category(tmp_path,
                                                                            make_bom):
    alpha, beta = CategoryPlugin("alpha"), CategoryPlugin("beta")
    engine = Engine(home=tmp_path, plugin_manager=manager(alpha=alpha, beta=beta))
    resolved = engine.resolve(parse_bom(category_bom(make_bom, "beta", kwh_per_kg=10)))
    assert [(rl.line.note, rl.line.model) for rl in resolved.lines] == [("beta model", "beta")]
    assert alpha.asked == [] and beta.asked == [("expand_bom", "beta")]
    # 10 kWh x 0.1404 kg CO2/kWh (Sichuan 2022) = 1.404 kg CO2e
    assert engine.calculate_resolved(resolved)["total_kg_co2e"] == pytest.approx(1.404,
                                                                                 rel=1e-6)


def test_expand_bom_follows_a_category_taken_over_by_another_plugin(make_bom):
    # the same category id from a second plugin: the first answer in pluggy's order (the
    # plugin registered last) keeps the category, and with it the model
    first, second = CategoryPlugin("alpha"), CategoryPlugin("alpha")
    engine = Engine(plugin_manager=manager(first=first, second=second))
    assert engine.registry.categories["alpha"].plugin == "second"
    resolved = engine.resolve(parse_bom(category_bom(make_bom, "alpha")))
    assert resolved.lines[0].line.model == "second"
    assert first.asked == [] and second.asked == [("expand_bom", "alpha")]


# -- label_extensions ----------------------------------------------------------------------------

def test_label_extensions_come_from_the_category_plugin_and_plugins_without_categories(
        tmp_path, make_bom):
    alpha, beta = CategoryPlugin("alpha"), CategoryPlugin("beta")
    engine = Engine(home=tmp_path, plugin_manager=manager(alpha=alpha, beta=beta,
                                                          note=EveryProductNote()))
    result = engine.calculate(parse_bom(category_bom(make_bom, "alpha")))
    assert result["extensions"] == {"alpha": {"modelled_by": "alpha"},
                                    "note": {"category_seen": "alpha"}}
    assert ("label_extensions", "alpha") in alpha.asked and beta.asked == []
    # a product of the core's own category: only the plugin without categories speaks
    generic = engine.calculate(parse_bom(make_bom()))
    assert generic["extensions"] == {"note": {"category_seen": "generic"}}
    assert [a for a in alpha.asked + beta.asked if a[1] == "generic"] == []
