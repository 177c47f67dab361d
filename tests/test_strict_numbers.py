"""Strict numbers everywhere: a number written as text ("3", "0.9") is refused where a BOM,
a category's parameters (whatever fields its plugin's schema is built on), a BOM file read by
the command line or the API's body gives it, naming the line and the field; exit 2 / HTTP 400.
"""
from __future__ import annotations

import json

import pytest

from footprint import InvalidInput
from footprint.bom import parse_bom

from .test_categories_core import kiln_bom, kiln_engine  # noqa: F401 (a fixture)


def problems_of(bom) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_bom(bom)
    return {p.where: str(p.message) for p in caught.value.problems}


@pytest.mark.parametrize("change, where", [
    (lambda b: b["lines"][0].update(amount="100"), "lines[0].amount"),
    (lambda b: b["declared_unit"].update(amount="1"), "declared_unit.amount"),
    (lambda b: b.update(factor_year="2022"), "factor_year"),
    (lambda b: b["lines"][0].update(year="2022"), "lines[0].year"),
    (lambda b: b["lines"][0].update(amount=True), "lines[0].amount"),
])
def test_a_bom_refuses_text_for_a_number(make_bom, change, where):
    bom = make_bom()
    change(bom)
    found = problems_of(bom)
    assert list(found) == [where], found


def test_a_plugin_schema_of_plain_floats_refuses_text_too(kiln_engine, make_bom):  # noqa: F811
    # KilnParameters is built on marshmallow's Float, which would read "500" as 500.0
    bom = kiln_bom(make_bom, kwh_per_batch="500", ch4_g_per_batch=False)
    with pytest.raises(InvalidInput) as caught:
        kiln_engine.calculate(parse_bom(bom))
    assert sorted(p.where for p in caught.value.problems) == \
        ["parameters.ch4_g_per_batch", "parameters.kwh_per_batch"]
    # numbers as JSON writes them still calculate: 500 kWh / 200 kg x 0.1404 = 0.351
    result = kiln_engine.calculate(parse_bom(kiln_bom(make_bom)))
    assert result["total_kg_co2e"] == pytest.approx(0.351, rel=1e-6)


def test_the_command_line_exits_2_naming_line_and_field(run, write_bom, make_bom):
    bom = make_bom()
    bom["lines"][0]["amount"] = "100"
    result = run("calc", write_bom(bom))
    assert result.exit_code == 2, result.output
    assert "lines[0].amount" in result.stderr and "line 1" in result.stderr


def test_the_api_answers_400_naming_line_and_field(service, make_bom):
    from footprint.usecases.tokens import create_token

    token = create_token(service.db, "orchard", "test")
    bom = make_bom()
    bom["lines"][0]["amount"] = "100"
    response = service.app.test_client().post(
        "/api/v1/submissions", data=json.dumps(bom), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    where = [p["where"] for p in response.get_json()["problems"]]
    assert where == ["lines[0].amount"]
