"""Every kind of invalid BOM is refused with InvalidInput whose problems name the line and
field, suggest the nearest valid name for unknown names, and are all reported at once; the
valid cases (unit conversion, fallbacks, sub-assemblies) resolve to the quantities worked out
by hand.

Factors used below (see lca_data/manifest.json for the sources):
  Sichuan grid 2022      0.1404 kg CO2/kWh   MEE announcement 2024 No. 33 (2022 data)
  Southwest grid 2022    0.2268 kg CO2/kWh   MEE announcement 2024 No. 33 (stands in for Tibet)
  Germany 2023           381.0 g CO2e/kWh    Ember yearly electricity data 2023 (life cycle)
  diesel combustion      3.1863 kg CO2/kg    IPCC 2006 Vol. 2 Ch. 1 (74.1 kg/GJ x 43.0 GJ/t)
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from footprint.bom import parse_bom, read_bom_file
from footprint.errors import InvalidInput, Problem

SAMPLES = Path(__file__).resolve().parent.parent / "lca_data" / "samples"
REL = 1e-6  # Brightway keeps amounts as float32: ~1e-7 relative from the cited values


def close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=REL)


def line(**fields) -> dict:
    """An electricity line, 100 kWh in production, with ``fields`` replaced or added."""
    return {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production",
            **fields}


def diesel(**fields) -> dict:
    return {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production", **fields}


def problems_of(call) -> list[Problem]:
    with pytest.raises(InvalidInput) as info:
        call()
    problems = info.value.problems
    assert problems, "InvalidInput without any problem"
    assert all(isinstance(p, Problem) for p in problems)
    str(info.value)  # the message renders (every problem's location can be printed)
    return problems


def parse_problems(bom) -> list[Problem]:
    return problems_of(lambda: parse_bom(bom))


def resolve_problems(engine, bom) -> list[Problem]:
    """Problems found when resolving; the BOM's shape itself must be valid."""
    parsed = parse_bom(bom)
    return problems_of(lambda: engine.resolve(parsed))


def at(problems: list[Problem], where: str) -> str:
    """The message of the one problem located at ``where``."""
    found = [p.message for p in problems if p.where == where]
    assert len(found) == 1, f"expected one problem at {where!r}, got {problems}"
    return found[0]


def suggests(message: str, name: str) -> bool:
    """``message`` suggests ``name`` (a code, which an input or a stage is said by its name),
    itself or in the problem it wraps (a sub-assembly's)."""
    params = getattr(message, "params", {})
    if isinstance(params.get("problem"), str):
        return suggests(params["problem"], name)
    guess = params.get("guess")
    return "did you mean" in message and getattr(guess, "code", guess) == name


# -- shape: parse_bom ----------------------------------------------------------------------

@pytest.mark.parametrize("data", [[], [{"product": {"name": "x"}}], "a BOM", 42, None])
def test_not_a_json_object(data):
    problems = parse_problems(data)
    assert [p.where for p in problems] == ["(top level)"]
    assert "JSON object" in problems[0].message


def test_file_holding_a_json_array_is_not_a_bom(write_bom, make_bom):
    path = write_bom(json.dumps([make_bom()]))
    problems = problems_of(lambda: read_bom_file(path))
    assert "JSON object" in at(problems, "(top level)")


@pytest.mark.parametrize("field", ["product", "declared_unit", "region"])
def test_missing_required_field(make_bom, field):
    bom = make_bom()
    del bom[field]
    problems = parse_problems(bom)
    assert [p.where for p in problems] == [field]
    assert "Missing data" in problems[0].message


def test_empty_lines(make_bom):
    assert "at least one line" in at(parse_problems(make_bom(lines=[])), "lines")


def test_missing_lines_without_parameters(make_bom):
    bom = make_bom()
    del bom["lines"]
    assert "at least one line or category parameters" in at(parse_problems(bom), "lines")


def test_line_with_both_input_and_emission(make_bom):
    bom = make_bom(lines=[{"input": "diesel", "emission": "CH4_fossil", "amount": 1,
                           "unit": "kg", "stage": "production"}])
    assert 'exactly one of "input" or "emission"' in at(parse_problems(bom), "lines[0].input")


def test_line_with_neither_input_nor_emission(make_bom):
    bom = make_bom(lines=[line(), {"amount": 1, "unit": "kg", "stage": "production"}])
    problems = parse_problems(bom)
    assert 'exactly one of "input" or "emission"' in at(problems, "lines[1].input")
    assert [p.where for p in problems] == ["lines[1].input"]  # line 0 is fine


def test_neither_input_nor_emission_is_reported_with_the_line_s_other_problems(make_bom):
    # marshmallow skips schema validators when a field fails unless told otherwise
    problems = parse_problems(make_bom(lines=[{"amount": "1", "unit": "kg",
                                               "stage": "production"}]))
    assert "must be a number" in at(problems, "lines[0].amount")
    assert 'exactly one of "input" or "emission"' in at(problems, "lines[0].input")


@pytest.mark.parametrize("amount, expected", [
    ("100", 'must be a number, not "100"'),
    (True, "must be a number, not true"),
    (None, "may not be null"),
    ([100], "must be a number"),
    (-1, "greater than or equal to 0"),
    (-0.001, "greater than or equal to 0"),
])
def test_bad_line_amount(make_bom, amount, expected):
    problems = parse_problems(make_bom(lines=[line(amount=amount)]))
    assert expected in at(problems, "lines[0].amount")
    assert len(problems) == 1


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "9" * 400])
def test_non_finite_or_overflowing_amount_in_a_file(write_bom, make_bom, literal):
    # "9" * 400 is a JSON integer too large for a float: refused, not an OverflowError
    text = json.dumps(make_bom(lines=[line(amount=12345)])).replace("12345", literal)
    path = write_bom(text)
    problems = problems_of(lambda: read_bom_file(path))
    assert "finite number" in at(problems, "lines[0].amount")


@pytest.mark.parametrize("amount, shown", [
    (1e308, "1\u00a0×\u00a010³⁰⁸"),            # finite, but a billion billion ... times any product
    (1e9 + 1, "1,000,000,001"),      # the least amount past the limit, digit for digit
    (123456789012.0, "123,456,789,012"),
])
def test_an_amount_over_the_limit_is_refused_with_the_number_and_the_limit(make_bom, amount,
                                                                          shown):
    problems = parse_problems(make_bom(lines=[line(), diesel(amount=amount)]))
    assert [(p.where, str(p.message)) for p in problems] == [
        ("lines[1].amount", f"{shown} exceeds the limit of 1,000,000,000")]


def test_the_limits_themselves_are_amounts(make_bom):
    bom = parse_bom(make_bom(lines=[line(amount=1e9)],
                             declared_unit={"amount": 1e-9, "unit": "kg"}))
    assert bom.lines[0].amount == 1e9 and bom.declared_unit["amount"] == 1e-9
    assert parse_bom(make_bom(declared_unit={"amount": 1e9, "unit": "kg"}))


@pytest.mark.parametrize("amount, expected", [
    (1e10, "10,000,000,000 exceeds the limit of 1,000,000,000"),
    # would divide a sub-assembly's share by next to nothing
    (1e-12, "1\u00a0×\u00a010⁻¹² is below the limit of 1\u00a0×\u00a010⁻⁹"),
])
def test_a_declared_amount_beyond_the_limits_is_refused(make_bom, amount, expected):
    problems = parse_problems(make_bom(declared_unit={"amount": amount, "unit": "kg"}))
    assert [(p.where, str(p.message)) for p in problems] == [("declared_unit.amount", expected)]


def test_a_category_number_over_the_limit_is_refused_where_it_was_written(engine):
    bom = json.loads((SAMPLES / "steel_vanadium_panzhihua_crude_steel.json").read_text("utf-8"))
    bom["parameters"]["coking_coal_kg"] = 1e308
    bom["parameters"]["other_carbon_outputs"][0]["kg"] = -2e9
    problems = resolve_problems(engine, bom)
    assert sorted((p.where, str(p.message)) for p in problems) == [
        ("parameters.coking_coal_kg", "1\u00a0×\u00a010³⁰⁸ exceeds the limit of 1,000,000,000"),
        ("parameters.other_carbon_outputs[0].kg",
         "-2,000,000,000 is below the limit of -1,000,000,000")]


def test_the_engine_refuses_a_result_that_is_not_finite(engine, make_bom):
    """The net below the limits: a BOM that got past them (here made by hand, as nested
    sub-assemblies could) is refused at its heaviest line, not calculated into an overflow."""
    bom = parse_bom(make_bom(lines=[diesel(), line()]))
    huge = dataclasses.replace(bom, lines=(bom.lines[0], dataclasses.replace(
        bom.lines[1], amount=1e308)))
    problems = problems_of(lambda: engine.calculate(huge))
    # 1e308 kWh x 0.1404 kg/kWh = 1.404e307 kg: its draws overflow, its range is no number
    assert [(p.where, str(p.message)) for p in problems] == [(
        "lines[1].amount", "the footprint is too large to calculate (1.4\u00a0×\u00a010³⁰⁷ "
                           "kg CO2e, its range beyond any number): check this amount and its "
                           "unit")]
    assert engine.calculate(bom)["total_kg_co2e"] > 0  # the same BOM within bounds


def test_zero_amount_on_a_line_is_allowed(make_bom):
    assert parse_bom(make_bom(lines=[line(amount=0)])).lines[0].amount == 0


@pytest.mark.parametrize("amount, expected", [
    (0, "greater than 0"), (-1, "greater than 0"), ("1", 'must be a number, not "1"')])
def test_bad_declared_unit_amount(make_bom, amount, expected):
    problems = parse_problems(make_bom(declared_unit={"amount": amount, "unit": "kg"}))
    assert expected in at(problems, "declared_unit.amount")


@pytest.mark.parametrize("year", ["2022", 2022.5, 2022.0, True])
def test_year_must_be_an_integer(make_bom, year):
    assert "integer" in at(parse_problems(make_bom(lines=[line(year=year)])), "lines[0].year")
    assert "integer" in at(parse_problems(make_bom(factor_year=year)), "factor_year")


def test_empty_line_region_is_refused_not_silently_replaced(make_bom):
    # "" used to fall back to the BOM's region without a word
    problems = parse_problems(make_bom(lines=[line(region="")]))
    assert "length" in at(problems, "lines[0].region").lower()


@pytest.mark.parametrize("lines, where", [
    (["electricity"], "lines[0]"), ("electricity", "lines")])
def test_lines_of_the_wrong_type(make_bom, lines, where):
    problems = parse_problems(make_bom(lines=lines))
    assert [p.where for p in problems] == [where]


def test_product_of_the_wrong_type(make_bom):
    assert at(parse_problems(make_bom(product="gear")), "product")


# -- unknown names with suggestions (shape) ----------------------------------------------

def test_unknown_unit_suggests_the_right_case(make_bom):
    message = at(parse_problems(make_bom(lines=[line(unit="kwh")])), "lines[0].unit")
    assert suggests(message, "kWh")


def test_unknown_declared_unit_suggests(make_bom):
    problems = parse_problems(make_bom(declared_unit={"amount": 1, "unit": "KG"}))
    assert suggests(at(problems, "declared_unit.unit"), "kg")


def test_unknown_stage_suggests(make_bom):
    message = at(parse_problems(make_bom(lines=[line(stage="prodution")])), "lines[0].stage")
    assert suggests(message, "production")


def test_unknown_field_on_a_line_suggests(make_bom):
    bad = {"input": "diesel", "amout": 3, "unit": "kg", "stage": "production"}
    problems = parse_problems(make_bom(lines=[bad]))
    assert suggests(at(problems, "lines[0].amout"), "amount")
    assert "Missing data" in at(problems, "lines[0].amount")


@pytest.mark.parametrize("bom_field, wrong, right, where", [
    (None, "regoin", "region", "regoin"),
    ("product", "categroy", "category", "product.categroy"),
    ("declared_unit", "unti", "unit", "declared_unit.unti"),
])
def test_unknown_field_elsewhere_suggests(make_bom, bom_field, wrong, right, where):
    bom = make_bom()
    (bom[bom_field] if bom_field else bom)[wrong] = "x"
    assert suggests(at(parse_problems(bom), where), right)


@pytest.mark.parametrize("key", ["lines[x]", "lines[0]", "a.b", "re gion", ""])
def test_odd_unknown_keys_are_reported_not_crashing(make_bom, key):
    # "lines[x]" used to crash Problem.human_where (int("x")) while building the message
    problems = parse_problems(make_bom(**{key: 1}))
    assert len(problems) == 1
    assert problems[0].where == f"[{json.dumps(key)}]"
    assert f'field "{key}" unknown' in problems[0].message


@pytest.mark.parametrize("field, wrong, right", [
    ("system_boundary", "cradle_to_gat", "cradle_to_gate"),
    ("electricity_basis", "markt", "market"),
])
def test_unknown_bom_options_suggest(make_bom, field, wrong, right):
    assert suggests(at(parse_problems(make_bom(**{field: wrong})), field), right)


def test_unknown_line_basis_suggests(make_bom):
    message = at(parse_problems(make_bom(lines=[line(basis="Market")])), "lines[0].basis")
    assert suggests(message, "market")


def test_several_shape_problems_are_all_reported(make_bom):
    bom = make_bom(lines=[
        line(unit="kwh"),
        diesel(),  # fine
        diesel(amount="3", stage="prodution"),
        {"emission": "CH4_fossil", "amount": -1, "unit": "kg", "stage": "production",
         "amout": 1},
    ])
    del bom["declared_unit"]
    problems = parse_problems(bom)
    assert sorted(p.where for p in problems) == sorted([
        "declared_unit", "lines[0].unit", "lines[2].amount", "lines[2].stage",
        "lines[3].amount", "lines[3].amout"])
    assert suggests(at(problems, "lines[0].unit"), "kWh")
    assert suggests(at(problems, "lines[2].stage"), "production")
    assert suggests(at(problems, "lines[3].amout"), "amount")


def test_problem_names_line_for_people():
    assert str(Problem("lines[3].unit", "bad")) == "line 4 (lines[3].unit): bad"


# -- names that depend on the plugins: resolve ---------------------------------------------

def test_unknown_input_suggests(engine, make_bom):
    problems = resolve_problems(engine, make_bom(lines=[line(), diesel(input="disel")]))
    assert suggests(at(problems, "lines[1].input"), "diesel")
    assert len(problems) == 1


def test_unknown_emission_suggests(engine, make_bom):
    bom = make_bom(lines=[{"emission": "CH4_fosil", "amount": 1, "unit": "kg",
                           "stage": "production"}])
    assert suggests(at(resolve_problems(engine, bom), "lines[0].emission"), "CH4_fossil")


def test_unknown_bom_region_suggests(engine, make_bom):
    problems = resolve_problems(engine, make_bom(region="CN-SCC"))
    assert suggests(at(problems, "region"), "CN-SC")
    assert [p.where for p in problems] == ["region"]  # not repeated on each electricity line


def test_unknown_region_on_an_electricity_line_suggests(engine, make_bom):
    problems = resolve_problems(engine, make_bom(lines=[line(region="CN-SCC")]))
    assert suggests(at(problems, "lines[0].region"), "CN-SC")


def test_region_code_in_the_wrong_case_suggests(engine, make_bom):
    problems = resolve_problems(engine, make_bom(lines=[line(region="de")]))
    assert suggests(at(problems, "lines[0].region"), "DE")


def test_unknown_category_suggests(engine, make_bom):
    problems = resolve_problems(engine, make_bom(product={"name": "x", "category": "generc"}))
    assert suggests(at(problems, "product.category"), "generic")


def test_electricity_in_kg_says_energy_is_needed(engine, make_bom):
    message = at(resolve_problems(engine, make_bom(lines=[line(unit="kg")])), "lines[0].unit")
    assert '"kg" is mass' in message and "(energy) is needed" in message
    assert "kWh" in message and "MWh" in message


def test_diesel_in_litres_says_mass_is_needed(engine, make_bom):
    message = at(resolve_problems(engine, make_bom(lines=[diesel(unit="L")])), "lines[0].unit")
    assert '"L" is volume' in message and "(mass) is needed" in message
    assert "kg" in message


def test_emission_in_kwh_says_mass_is_needed(engine, make_bom):
    bom = make_bom(lines=[{"emission": "CH4_fossil", "amount": 1, "unit": "kWh",
                           "stage": "production"}])
    assert "(mass) is needed" in at(resolve_problems(engine, bom), "lines[0].unit")


def test_region_year_basis_only_on_electricity_lines(engine, make_bom):
    bom = make_bom(lines=[line(region="CN-SC", year=2022, basis="location"),  # fine here
                          diesel(region="CN-SC", year=2022, basis="location")])
    problems = resolve_problems(engine, bom)
    assert sorted(p.where for p in problems) == ["lines[1].basis", "lines[1].region",
                                                 "lines[1].year"]
    assert all("only electricity lines" in p.message for p in problems)


def test_misspelt_electricity_with_a_region_gets_the_suggestion(engine, make_bom):
    # used to say only "only electricity lines take this field" and hide the typo
    problems = resolve_problems(engine, make_bom(lines=[line(input="electricty",
                                                             region="CN-SC")]))
    assert suggests(at(problems, "lines[0].input"), "electricity")
    assert "only electricity lines" in at(problems, "lines[0].region")


def test_year_without_a_published_factor_lists_the_years(engine, make_bom):
    message = at(resolve_problems(engine, make_bom(lines=[line(year=2019)])), "lines[0].year")
    assert "CN-SC" in message and "2019" in message
    assert "published years: 2021, 2022, 2023" in message  # MEE: 2021, 2022, 2023 data


def test_bom_factor_year_without_a_published_factor_is_the_factor_year_s_problem(engine,
                                                                                 make_bom):
    # it was placed at lines[0].input, the one field that held nothing wrong; now at the
    # BOM's factor_year, naming each line that asked for it
    problems = resolve_problems(engine, make_bom(factor_year=1990, lines=[line(), diesel(),
                                                                          line(region="CN-SD")]))
    assert [(p.where, str(p.message)) for p in problems] == [
        ("factor_year", "line 1: no location-based electricity factor for CN-SC in 1990; "
                        "published years: 2021, 2022, 2023"),
        ("factor_year", "line 3: no location-based electricity factor for CN-SD in 1990; "
                        "published years: 2021, 2022, 2023")]


def test_a_modelled_line_is_named_at_the_factor_year(engine):
    bom = json.loads((SAMPLES / "oranges_pujiang_packed.json").read_text("utf-8"))
    bom["factor_year"] = 1990
    problems = resolve_problems(engine, bom)
    # the packhouse's own line, then the irrigation electricity the orange model adds
    assert [(p.where, str(p.message).partition(":")[0]) for p in problems] == [
        ("factor_year", "line 1"), ("factor_year", "modelled line 17")]


@pytest.fixture
def in_2026(monkeypatch):
    """The clock on 1 June 2026: factor years from 1990 to 2027."""
    from datetime import datetime, timezone

    from footprint import clock
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 1, tzinfo=timezone.utc))


RANGE = "the data year of the factors must be from 1990 to 2027"


@pytest.mark.parametrize("bom, where", [
    ({"factor_year": 1800}, "factor_year"), ({"factor_year": 1989}, "factor_year"),
    ({"factor_year": 2028}, "factor_year"),
    ({"lines": [line(year=1800)]}, "lines[0].year"), ({"lines": [line(year=2028)]},
                                                      "lines[0].year")])
def test_a_factor_year_out_of_range_is_said_at_the_year(in_2026, make_bom, bom, where):
    assert [(p.where, str(p.message)) for p in parse_problems(make_bom(**bom))] == [
        (where, RANGE)]


def test_the_ends_of_the_factor_years_are_years(in_2026, make_bom):
    for year in (1990, 2027):
        assert parse_bom(make_bom(factor_year=year, lines=[line(year=year)])).factor_year == year


def test_a_year_out_of_range_is_not_said_again_as_a_missing_factor(in_2026, engine, make_bom):
    """Read on with the BOM's other problems (keep_going), the line takes the newest year
    rather than saying 1800 has no factor at line 1."""
    with pytest.raises(InvalidInput) as raised:
        engine.resolve(parse_bom(make_bom(factor_year=1800), keep_going=True))
    assert [(p.where, str(p.message)) for p in raised.value.problems] == [
        ("factor_year", RANGE)]


def test_year_missing_for_a_fallback_region_names_the_region_asked(engine, make_bom):
    # Tibet's factors come from the Southwest grid, which MEE publishes for 2021-2023
    message = at(resolve_problems(engine, make_bom(region="CN-XZ", factor_year=2020)),
                 "factor_year")
    assert "CN-XZ" in message and "CN-GRID-SOUTHWEST" in message
    assert "published years: 2021, 2022, 2023" in message


def test_market_basis_for_germany(engine, make_bom):
    message = at(resolve_problems(engine, make_bom(lines=[line(region="DE", basis="market")])),
                 "lines[0].basis")
    assert "market" in message and "DE" in message
    assert "bases available there: location" in message  # Ember: generation intensity only
    assert "factor_year" not in message  # the year is not what is missing


def test_market_basis_for_germany_names_the_basis_not_the_year(engine, make_bom):
    # used to point at lines[0].year because the line happened to give a year
    problems = resolve_problems(engine, make_bom(lines=[line(region="DE", year=2023,
                                                             basis="market")]))
    assert [p.where for p in problems] == ["lines[0].basis"]


def test_bom_market_basis_for_germany(engine, make_bom):
    problems = resolve_problems(engine, make_bom(region="DE", factor_year=2023,
                                                 electricity_basis="market"))
    message = at(problems, "electricity_basis")
    assert message.startswith("line 1: ") and "market" in message and "DE" in message


def test_electricity_unit_and_year_problems_together(engine, make_bom):
    # the unit problem used to hide the year problem on the same line
    problems = resolve_problems(engine, make_bom(lines=[line(unit="kg", year=2019)]))
    assert "(energy) is needed" in at(problems, "lines[0].unit")
    assert "published years" in at(problems, "lines[0].year")


def test_several_resolve_problems_are_all_reported(engine, make_bom):
    bom = make_bom(
        product={"name": "x", "category": "generc"},
        lines=[line(),  # fine
               diesel(input="disel"),
               {"emission": "CH4_fosil", "amount": 1, "unit": "kg", "stage": "production"},
               line(region="CN-SCC"),
               line(year=2019),
               diesel(unit="L"),
               diesel(region="CN-SC")])
    problems = resolve_problems(engine, bom)
    assert sorted(p.where for p in problems) == sorted([
        "product.category", "lines[1].input", "lines[2].emission", "lines[3].region",
        "lines[4].year", "lines[5].unit", "lines[6].region"])
    assert suggests(at(problems, "lines[1].input"), "diesel")
    assert suggests(at(problems, "lines[2].emission"), "CH4_fossil")
    assert suggests(at(problems, "lines[3].region"), "CN-SC")


# -- files and sub-assemblies --------------------------------------------------------------

def sub_line(ref: str, amount=1, unit="kg") -> dict:
    return {"input": f"product:{ref}", "amount": amount, "unit": unit,
            "stage": "raw_materials"}


def test_missing_file(tmp_path):
    path = tmp_path / "nope.json"
    problems = problems_of(lambda: read_bom_file(path))
    assert "no such file" in at(problems, "(file)")


def test_directory_instead_of_a_file(tmp_path):
    # used to raise IsADirectoryError
    assert "cannot read" in at(problems_of(lambda: read_bom_file(tmp_path)), "(file)")


def test_file_not_utf8(tmp_path, make_bom):
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(make_bom(product={"name": "café"}),
                                ensure_ascii=False).encode("latin-1"))
    assert "UTF-8" in at(problems_of(lambda: read_bom_file(path)), "(file)")


def test_invalid_json_names_the_file_line_and_column(write_bom):
    text = ('{\n'
            '  "product": {"name": "x"},\n'
            '  "region": ,\n'
            '  "lines": []\n'
            '}\n')
    # line 3 is '  "region": ,' : 2 spaces, '"region":' in columns 3-11, a space, ',' at 13
    path = write_bom(text)
    with pytest.raises(InvalidInput) as info:
        read_bom_file(path)
    assert info.value.source == str(path)
    assert "invalid JSON" in at(info.value.problems, "line 3, column 13 of the file")


def test_empty_file_is_invalid_json(write_bom):
    problems = problems_of(lambda: read_bom_file(write_bom("")))
    assert "invalid JSON" in at(problems, "line 1, column 1 of the file")


def test_deeply_nested_json_is_refused_cleanly(write_bom):
    # used to raise RecursionError out of json.loads
    path = write_bom("[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in at(problems_of(lambda: read_bom_file(path)), "(file)")


def test_file_with_a_utf8_byte_order_mark_is_read(tmp_path, make_bom):
    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(make_bom()).encode("utf-8"))
    assert read_bom_file(path).region == "CN-SC"


def test_problems_of_a_file_carry_its_path(engine, write_bom, make_bom):
    path = write_bom(make_bom(lines=[line(unit="kwh")]))
    with pytest.raises(InvalidInput) as info:
        read_bom_file(path)
    assert info.value.source == str(path)
    assert str(path) in str(info.value) and "line 1 (lines[0].unit)" in str(info.value)


def test_sub_assembly_file_that_does_not_exist(engine, write_bom, make_bom):
    path = write_bom(make_bom(lines=[line(), sub_line("missing.json")]))
    message = at(problems_of(lambda: engine.resolve(read_bom_file(path))), "lines[1].input")
    assert "no BOM file" in message and "missing.json" in message


def test_sub_assembly_id_that_does_not_exist(engine, write_bom, make_bom):
    path = write_bom(make_bom(lines=[sub_line("no-such-id")]))
    message = at(problems_of(lambda: engine.resolve(read_bom_file(path))), "lines[0].input")
    assert 'no BOM with product id "no-such-id"' in message


def test_empty_product_reference(engine, make_bom):
    message = at(resolve_problems(engine, make_bom(lines=[sub_line("")])), "lines[0].input")
    assert "product:<id or file>" in message


def test_sub_assembly_cycle(engine, write_bom, make_bom):
    a = write_bom(make_bom(lines=[line(), sub_line("b.json")]), "a.json")
    write_bom(make_bom(lines=[sub_line("a.json")]), "b.json")
    message = at(problems_of(lambda: engine.resolve(read_bom_file(a))), "lines[1].input")
    assert "cycle" in message
    assert message.count("a.json") >= 2 and "b.json" in message  # a -> b -> a


def test_sub_assembly_that_uses_itself(engine, write_bom, make_bom):
    path = write_bom(make_bom(lines=[sub_line("self.json")]), "self.json")
    message = at(problems_of(lambda: engine.resolve(read_bom_file(path))), "lines[0].input")
    assert "cycle" in message


def test_sub_assembly_cycle_through_product_ids(engine, write_bom, make_bom):
    write_bom(make_bom(product={"name": "A", "id": "part-a"},
                       lines=[sub_line("part-b")]), "a.json")
    b = write_bom(make_bom(product={"name": "B", "id": "part-b"},
                           lines=[sub_line("part-a")]), "b.json")
    message = at(problems_of(lambda: engine.resolve(read_bom_file(b))), "lines[0].input")
    assert "cycle" in message and "id:part-a" in message and "id:part-b" in message


def test_sub_assembly_declared_unit_of_another_dimension(engine, write_bom, make_bom):
    write_bom(make_bom(declared_unit={"amount": 1, "unit": "piece"}), "part.json")
    path = write_bom(make_bom(lines=[sub_line("part.json", amount=2, unit="kg")]))
    message = at(problems_of(lambda: engine.resolve(read_bom_file(path))), "lines[0].unit")
    assert '"kg" is mass' in message and "(count) is needed" in message
    assert "part.json" in message


def test_problems_inside_a_sub_assembly_are_located(engine, write_bom, make_bom):
    write_bom(make_bom(lines=[line(unit="kwh"), diesel(input="disel")]), "part.json")
    path = write_bom(make_bom(lines=[line(), sub_line("part.json")]))
    problems = problems_of(lambda: engine.resolve(read_bom_file(path)))
    assert [p.where for p in problems] == ["lines[1].input"]
    assert "part.json" in problems[0].message and "lines[0].unit" in problems[0].message
    assert suggests(problems[0].message, "kWh")


def test_invalid_json_in_a_sub_assembly(engine, write_bom, make_bom):
    write_bom('{"product": {"name": "x"},\n "lines": [,]}', "part.json")
    # line 2 is ' "lines": [,]' : a space, '"lines":' in columns 2-9, a space, '[' 11, ',' 12
    path = write_bom(make_bom(lines=[sub_line("part.json")]))
    message = at(problems_of(lambda: engine.resolve(read_bom_file(path))), "lines[0].input")
    assert "line 2, column 12 of the file" in message and "invalid JSON" in message


# -- valid cases: conversions and lookups ----------------------------------------------------

def resolve_one(engine, bom_line, **bom_fields):
    bom = {"product": {"name": "p"}, "declared_unit": {"amount": 1, "unit": "kg"},
           "region": "CN-SC", "factor_year": 2022, "lines": [bom_line], **bom_fields}
    return engine.resolve(parse_bom(bom)).lines[0]


@pytest.mark.parametrize("amount, unit, kwh", [
    (10, "MWh", 10_000),      # 10 MWh x 1000 kWh/MWh = 10000 kWh
    (500, "Wh", 0.5),         # 500 Wh / 1000 Wh/kWh = 0.5 kWh
    (0.002, "GWh", 2_000),    # 0.002 GWh x 1e6 kWh/GWh = 2000 kWh
    (3.6, "GJ", 1_000),       # 3.6 GJ = 3.6e9 J / 3.6e6 J/kWh = 1000 kWh
    (36, "MJ", 10),           # 36 MJ = 36e6 J / 3.6e6 J/kWh = 10 kWh
    (100, "kWh", 100),
])
def test_electricity_units_convert_to_kwh(engine, amount, unit, kwh):
    resolved = resolve_one(engine, line(amount=amount, unit=unit))
    assert close(resolved.quantity, kwh)
    assert resolved.process_id == "electricity/location/CN-SC/2022"
    assert close(resolved.factor.value, 0.1404)  # MEE 2024 No. 33, Sichuan 2022


@pytest.mark.parametrize("amount, unit, kg", [
    (2000, "g", 2),       # 2000 g / 1000 g/kg = 2 kg
    (0.003, "t", 3),      # 0.003 t x 1000 kg/t = 3 kg
    (3, "kg", 3),
])
def test_diesel_units_convert_to_kg(engine, amount, unit, kg):
    resolved = resolve_one(engine, diesel(amount=amount, unit=unit))
    assert resolved.process_id == "diesel"
    assert close(resolved.quantity, kg)


def test_emission_in_grams_converts_to_kg(engine):
    resolved = resolve_one(engine, {"emission": "CH4_fossil", "amount": 500, "unit": "g",
                                    "stage": "production"})
    assert resolved.flow == "CH4_fossil"
    assert close(resolved.quantity, 0.5)  # 500 g / 1000 g/kg = 0.5 kg


def test_freight_in_kgkm_converts_to_tkm(engine):
    resolved = resolve_one(engine, {"input": "road_freight", "amount": 2000, "unit": "kgkm",
                                    "stage": "distribution"})
    assert close(resolved.quantity, 2)  # 2000 kg km / 1000 kg/t = 2 t km


def test_ten_mwh_footprint(engine, make_bom):
    result = engine.calculate(parse_bom(make_bom(lines=[line(amount=10, unit="MWh")])))
    # 10 MWh = 10000 kWh x 0.1404 kg CO2/kWh (MEE 2024 No. 33, Sichuan 2022) = 1404 kg CO2e
    assert close(result["total_kg_co2e"], 1404)


def test_diesel_in_grams_footprint(engine, make_bom):
    result = engine.calculate(parse_bom(make_bom(lines=[diesel(amount=2000, unit="g")])))
    # 2000 g = 2 kg x 3.1863 kg CO2/kg (IPCC 2006: 74.1 kg/GJ x 43.0 GJ/t) = 6.3726 kg CO2e
    assert close(result["total_kg_co2e"], 6.3726)


def test_line_region_and_year_override_the_bom(engine):
    resolved = resolve_one(engine, line(region="DE", year=2023))
    assert resolved.process_id == "electricity/location/DE/2023"
    assert close(resolved.factor.value, 0.381)  # Ember 2023: 381.0 g/kWh / 1000 = 0.381 kg


def test_no_factor_year_takes_the_latest(engine):
    resolved = resolve_one(engine, line(), factor_year=None)
    assert resolved.factor.year == 2023  # MEE's latest published data year
    assert close(resolved.factor.value, 0.1564)  # MEE 2025 No. 47, Sichuan 2023


def test_tibet_uses_the_southwest_grid_and_says_so(engine):
    resolved = resolve_one(engine, line(), region="CN-XZ")
    assert resolved.factor.region == "CN-GRID-SOUTHWEST"
    assert close(resolved.factor.value, 0.2268)  # MEE 2024 No. 33, Southwest grid 2022
    assert "Tibet" in resolved.note and "Southwest" in resolved.note



def test_tibet_on_the_market_basis_names_only_the_national_factor(engine):
    # MEE's market-basis factor is national only (national excl. market-traded non-fossil,
    # 2022 0.5856 kg CO2/kWh, MEE 2024 No. 33): the note about the Southwest grid standing in
    # belongs to the location basis, not to this one
    resolved = resolve_one(engine, line(), region="CN-XZ", electricity_basis="market")
    assert resolved.factor.region == "CN" and close(resolved.factor.value, 0.5856)
    assert "China (CN)" in str(resolved.note) and "Southwest" not in str(resolved.note)

def test_sample_tibet_diesel_in_grams(engine):
    resolved = engine.resolve(read_bom_file(SAMPLES / "tibet_yak_milk_processing.json"))
    assert close(resolved.lines[1].quantity, 2)  # 2000 g diesel / 1000 g/kg = 2 kg


def test_sub_assembly_quantity_in_its_declared_units(engine, write_bom, make_bom):
    write_bom(make_bom(declared_unit={"amount": 2, "unit": "kg"}), "part.json")
    path = write_bom(make_bom(lines=[sub_line("part.json", amount=1, unit="t")]))
    resolved = engine.resolve(read_bom_file(path))
    # 1 t = 1000 kg; the part is declared per 2 kg: 1000 / 2 = 500 declared units
    assert close(resolved.lines[0].quantity, 500)
    result = engine.calculate(read_bom_file(path))
    # the part: 100 kWh x 0.1404 (MEE 2024 No. 33, Sichuan 2022) = 14.04 kg CO2e per 2 kg;
    # 500 x 14.04 = 7020 kg CO2e
    assert close(result["total_kg_co2e"], 7020)


def test_sub_assembly_by_product_id(engine, write_bom, make_bom):
    write_bom(make_bom(product={"name": "part", "id": "part-7"}), "part.json")
    path = write_bom(make_bom(lines=[sub_line("part-7", amount=500, unit="g")]), "top.json")
    resolved = engine.resolve(read_bom_file(path))
    assert close(resolved.lines[0].quantity, 0.5)  # 500 g / (1 kg per declared unit) = 0.5
    assert resolved.lines[0].sub.bom.product["id"] == "part-7"


def test_product_id_declared_twice_is_ambiguous(engine, make_bom, write_bom):
    for name in ("a.json", "b.json"):
        write_bom(make_bom(product={"name": name, "id": "twin"}), name)
    parent = write_bom(make_bom(lines=[{"input": "product:twin", "amount": 1, "unit": "kg",
                                        "stage": "raw_materials"}]), "parent.json")
    with pytest.raises(InvalidInput) as caught:
        engine.resolve(read_bom_file(parent))
    assert caught.value.problems[0].where == "lines[0].input"
    assert "several BOMs" in caught.value.problems[0].message


# -- text people read: NFC, no invisible control characters (footprint.text) --------------

@pytest.mark.parametrize("field, value, code, name, position", [
    ("name", "Gear\u0000blank", "U+0000", "NULL", 5),
    ("name", "Gear\u202eknalb", "U+202E", "RIGHT-TO-LEFT OVERRIDE", 5),
    ("name_zh", "齿轮\u2066毛坯", "U+2066", "LEFT-TO-RIGHT ISOLATE", 3),
    ("name", "tab\there", "U+0009", "CHARACTER TABULATION", 4),
    ("name", "\u0085next line", "U+0085", "CONTROL", 1),
    ("name", "mark\u200f", "U+200F", "RIGHT-TO-LEFT MARK", 5),
    ("name", "\u061c", "U+061C", "ARABIC LETTER MARK", 1),
    ("name", "x\ud800", "U+D800", "UNPAIRED SURROGATE", 2),
])
def test_product_names_with_invisible_controls_are_refused_where_they_are(
        make_bom, field, value, code, name, position):
    product = {"name": "Gear blank", "category": "generic", field: value}
    message = at(parse_problems(make_bom(product=product)), f"product.{field}")
    assert message == (f"contains an invisible control character: {code} ({name}) at "
                       f"character {position}")


def test_every_control_of_a_name_is_counted(make_bom):
    product = {"name": "\u202ea\u0000b\u202cc\u2067d\u200ee\u0007f", "category": "generic"}
    message = at(parse_problems(make_bom(product=product)), "product.name")
    assert message.startswith("contains 6 invisible control characters: U+202E "
                              "(RIGHT-TO-LEFT OVERRIDE) at character 1, U+0000 (NULL) at "
                              "character 3, ")
    assert message.endswith("at character 9 and 1 more")


def test_a_line_note_keeps_line_breaks_but_not_controls(make_bom):
    bom = parse_bom(make_bom(lines=[line(note="meter 1\nmeter 2\tread by hand")]))
    assert bom.lines[0].note == "meter 1\nmeter 2\tread by hand"
    message = at(parse_problems(make_bom(lines=[line(note="ok\u202e")])), "lines[0].note")
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 3" in message


def test_names_are_nfc_normalised(make_bom):
    decomposed = "Cafe\u0301 cre\u0300me"  # e + combining accents, as some keyboards send
    bom = parse_bom(make_bom(product={"name": decomposed, "name_zh": "咖啡", "category":
                                      "generic"}))
    assert bom.product["name"] == "Caf\u00e9 cr\u00e8me"
    assert bom.canonical["product"]["name"] == "Caf\u00e9 cr\u00e8me"


def test_the_document_s_patterns_refuse_exactly_what_the_check_refuses():
    import re
    import unicodedata

    from footprint.text import NAME_PATTERN, TEXT_PATTERN, forbidden
    for code in list(range(0, 0x250)) + list(range(0x600, 0x620)) + \
            list(range(0x2000, 0x2070)) + [0xFEFF, 0xFFFD, 0x10000, 0x1F600]:
        char = chr(code)
        for pattern, lines in ((NAME_PATTERN, False), (TEXT_PATTERN, True)):
            accepted = re.fullmatch(pattern.rstrip("$") + r"\Z", f"a{char}b") is not None
            assert accepted == (not forbidden(f"a{char}b", lines)), (hex(code), lines)
    # surrogates are no characters to a JSON Schema validator, so the patterns leave them out;
    # the check refuses them
    for code in (0xD800, 0xDBFF, 0xDC00, 0xDFFF):
        assert forbidden(f"a{chr(code)}b") == [(2, chr(code))]
    assert unicodedata.category("\u202e") == "Cf"  # a format character, not a control


# -- what the OpenAPI document says (footprint.bom's schemas) ---------------------------

@pytest.mark.parametrize("change, where, message", [
    ({"product": {"name": "x", "gtin": ""}}, "product.gtin", "8, 12, 13 or 14 digits"),
    ({"product": {"name": "x", "gtin": " 12345670"}}, "product.gtin", "8, 12, 13 or 14 digits"),
    ({"product": {"name": "x", "gtin": "12345678"}}, "product.gtin", "check digit"),
    ({"declared_unit": {"amount": 0, "unit": "kg"}}, "declared_unit.amount", "greater than 0"),
    ({"declared_unit": {"amount": 1, "unit": ""}}, "declared_unit.unit", "unknown"),
    ({"lines": []}, "lines", "at least one line"),
    ({"region": ""}, "region", "length"),
    ({"product": {"name": "x", "category": ""}}, "product.category", "length"),
])
def test_bodies_the_document_refuses_are_refused(make_bom, change, where, message):
    problems = parse_problems(make_bom(**change))
    assert message in at(problems, where).lower() or message in at(problems, where)


def test_a_gtin_is_answered_as_gtin_14(make_bom):
    bom = parse_bom(make_bom(product={"name": "x", "gtin": "12345670"}))
    assert bom.product["gtin"] == "00000012345670"
