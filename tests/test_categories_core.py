"""The category mechanism: parameters validated, modelled as lines, graded, extended."""
import pytest
from marshmallow import Schema, fields, validate

from footprint import (GradeBand, Grading, InvalidInput, PluginError, ProductCategory, Source,
                       hookimpl)
from footprint.bom import parse_bom
from footprint.parameters import describe_parameters
from footprint.engine import Engine

from .test_plugins import manager_with


class KilnParameters(Schema):
    kwh_per_batch = fields.Float(required=True, validate=validate.Range(min=0),
                                 metadata={"unit": "kWh", "help_zh": "每窑耗电",
                                           "help_en": "electricity per batch"})
    kg_per_batch = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False),
                                metadata={"unit": "kg", "help_zh": "每窑产量",
                                          "help_en": "output per batch"})
    ch4_g_per_batch = fields.Float(load_default=0.0, metadata={"unit": "g"})


GRADING = Grading((GradeBand("A", 0.5, "低碳", "low"), GradeBand("B", 1.0), GradeBand("C", None)),
                  "kg CO2e/kg", Source("test", "test bands"), "test fixture", provisional=True)


class Kiln:
    """A test category: a kiln whose producer knows energy and output per batch."""

    broken = False

    @hookimpl
    def register_categories(self, registry):
        return [ProductCategory("kiln", "窑", "Kiln", declared_units=("kg",),
                                parameters=KilnParameters, grading=GRADING)]

    @hookimpl
    def expand_bom(self, category, parameters, bom, registry):
        per_kg = 1 / parameters["kg_per_batch"]
        lines = [{"input": "electricity", "amount": parameters["kwh_per_batch"] * per_kg,
                  "unit": "kWh", "stage": "production", "note": "kWh per batch / kg per batch"}]
        if parameters["ch4_g_per_batch"]:
            lines.append({"emission": "CH4_fossil", "amount": parameters["ch4_g_per_batch"] * per_kg,
                          "unit": "g", "stage": "production"})
        if self.broken:
            lines.append({"input": "electricity", "amount": -1, "unit": "kWh", "stage": "production"})
        return lines

    @hookimpl
    def label_extensions(self, category, result, bom, registry):
        return {"per_batch_kg_co2e": result["total_kg_co2e"] * bom.parameters["kg_per_batch"]}


@pytest.fixture
def kiln_engine(tmp_path):
    return Engine(home=tmp_path, plugin_manager=manager_with(Kiln()))


def kiln_bom(make_bom, **parameters):
    return make_bom(product={"name": "tiles", "category": "kiln"}, lines=[],
                    parameters={"kwh_per_batch": 500, "kg_per_batch": 200, **parameters})


def test_parameters_become_lines_grade_and_extensions(kiln_engine, make_bom):
    # 500 kWh / 200 kg = 2.5 kWh/kg x 0.1404 (Sichuan 2022) = 0.351 kg CO2e/kg -> grade A (<= 0.5)
    # + 100 g CH4 / 200 kg = 0.5 g/kg = 0.0005 kg x 29.8 = 0.0149 -> 0.3659
    result = kiln_engine.calculate(parse_bom(kiln_bom(make_bom, ch4_g_per_batch=100)))
    assert result["total_kg_co2e"] == pytest.approx(0.351 + 0.0149, rel=1e-6)
    models = {e.get("model") for e in result["by_input"]}
    assert len(result["by_input"]) == 2 and len(models) == 1 and None not in models
    assert result["by_input"][0]["note"] == "kWh per batch / kg per batch"
    assert result["grade"]["grade"] == "A" and result["grade"]["provisional"] is True
    assert result["category"]["id"] == "kiln"
    # 0.3659 kg CO2e/kg x 200 kg per batch = 73.18
    extension = next(iter(result["extensions"].values()))
    assert extension["per_batch_kg_co2e"] == pytest.approx(73.18, rel=1e-6)


def test_grade_follows_bands(kiln_engine, make_bom):
    # 1500 kWh / 200 kg = 7.5 kWh/kg x 0.1404 = 1.053 > 1.0 -> grade C
    result = kiln_engine.calculate(parse_bom(kiln_bom(make_bom, kwh_per_batch=1500)))
    assert result["total_kg_co2e"] == pytest.approx(1.053, rel=1e-6)
    assert result["grade"]["grade"] == "C"


def test_parameters_and_lines_together(kiln_engine, make_bom):
    # model: 0.351; own line: 1 kg diesel per kg = 3.1863 -> 3.5373
    bom = kiln_bom(make_bom)
    bom["lines"] = [{"input": "diesel", "amount": 1, "unit": "kg", "stage": "production"}]
    result = kiln_engine.calculate(parse_bom(bom))
    assert result["total_kg_co2e"] == pytest.approx(3.5373, rel=1e-6)
    assert "model" not in result["by_input"][0] and "model" in result["by_input"][1]


def test_bad_parameters_are_located(kiln_engine, make_bom):
    bom = make_bom(product={"name": "tiles", "category": "kiln"}, lines=[],
                   parameters={"kwh_per_batch": -5, "kg_per_batch_": 3},
                   declared_unit={"amount": 1, "unit": "piece"})
    with pytest.raises(InvalidInput) as caught:
        kiln_engine.resolve(parse_bom(bom))
    where = {p.where for p in caught.value.problems}
    assert {"parameters.kwh_per_batch", "parameters.kg_per_batch", "parameters.kg_per_batch_",
            "declared_unit.unit"} <= where


def test_parameters_for_a_category_without_a_model(engine, make_bom):
    with pytest.raises(InvalidInput, match="takes no parameters"):
        engine.resolve(parse_bom(make_bom(parameters={"x": 1})))


def test_model_making_bad_lines_is_a_plugin_error(tmp_path, make_bom):
    kiln = Kiln()
    kiln.broken = True
    engine = Engine(home=tmp_path, plugin_manager=manager_with(kiln))
    with pytest.raises(PluginError, match="expand_bom made invalid lines"):
        engine.resolve(parse_bom(kiln_bom(make_bom)))


def test_extensions_are_covered_by_the_hash(kiln_engine, make_bom):
    a = kiln_engine.calculate(parse_bom(kiln_bom(make_bom)))
    b = kiln_engine.calculate(parse_bom(kiln_bom(make_bom, kg_per_batch=201)))
    assert a["reproducibility_hash"] != b["reproducibility_hash"]


def test_describe_parameters_for_forms():
    described = {p["name"]: p for p in describe_parameters(Kiln().register_categories(None)[0])}
    assert described["kwh_per_batch"]["unit"] == "kWh"
    assert described["kwh_per_batch"]["help_zh"] == "每窑耗电"
    assert described["kwh_per_batch"]["min"] == 0 and described["kwh_per_batch"]["required"]
    assert described["ch4_g_per_batch"]["default"] == 0.0


def test_grading_applies_only_where_declared():
    bands = Grading((GradeBand("A", 1.0), GradeBand("B", None)), "kg CO2e/t", Source("t", "t"),
                    "test", applies_when={"product": ("crude_steel",)})
    assert bands.applies({"product": "crude_steel"})
    assert not bands.applies({"product": "v2o5"}) and not bands.applies({})
    assert GRADING.applies({})  # no condition: every product of the category is graded


def test_unknown_parameter_suggests_a_parameter_name(kiln_engine, make_bom):
    bom = make_bom(product={"name": "tiles", "category": "kiln"}, lines=[],
                   parameters={"kwh_per_batch": 5, "kg_per_batch": 2, "kwh_per_bacth": 1})
    with pytest.raises(InvalidInput) as caught:
        kiln_engine.resolve(parse_bom(bom))
    assert 'did you mean "kwh_per_batch"' in caught.value.problems[0].message


def test_grade_is_per_one_declared_unit(kiln_engine, make_bom):
    # model line: 2.5 kWh x 0.1404 = 0.351; own line: 0.2 kg diesel x 3.1863 = 0.63726
    # -> 0.98826 kg CO2e per declared unit of 2 kg = 0.49413 per kg -> A (<= 0.5); on 0.98826
    # it would be B
    bom = kiln_bom(make_bom)
    bom["declared_unit"] = {"amount": 2, "unit": "kg"}
    bom["lines"] = [{"input": "diesel", "amount": 0.2, "unit": "kg", "stage": "production"}]
    result = kiln_engine.calculate(parse_bom(bom))
    assert result["total_kg_co2e"] == pytest.approx(0.98826, rel=1e-6)
    assert result["grade"]["grade"] == "A"


def test_misspelt_parameter_finds_a_snake_case_name(engine, make_bom):
    bom = make_bom(product={"name": "o", "category": "oranges"}, lines=[],
                   parameters={"yeild": 30000})
    with pytest.raises(InvalidInput) as caught:
        engine.resolve(parse_bom(bom))
    assert any('did you mean "yield_kg_per_ha"' in p.message for p in caught.value.problems)
