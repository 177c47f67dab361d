"""The canonical JSON a reproducibility hash is taken of (footprint.jsontext.canonical) is
spelt byte for byte as the standard library spells it, whoever writes it."""
from __future__ import annotations

import json
import random

import pytest

from footprint import jsontext
from footprint.bom import parse_bom
from footprint.usecases.demo import sample


def standard(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


TEXTS = ["", "kg", "蒲江柑橘", 'say "5e-05"', "a\\b", "line\nbreak", "tab\there",
         ":0.00005,", "[1e-6]", '{"x":0.00001}', "\u2028\u2029\ufeff", "😀", "e-5", "0.0000"]


def number(rng: random.Random) -> float | int:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randrange(-10**6, 10**6)
    if kind == 1:  # the magnitudes orjson spells otherwise: 1e-9 to 1e-4
        return rng.choice([1, -1]) * rng.uniform(1, 10) * 10.0 ** rng.randint(-9, -5)
    if kind == 2:
        return round(rng.uniform(-100, 100), rng.randint(0, 6))
    return rng.choice([1, -1]) * 10.0 ** rng.uniform(-30, 30)


def value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice(TEXTS)
    if kind in (1, 2):
        return number(rng)
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return rng.choice([0.00005, -1e-06, 5e-324, 1e16, 1e-10, 0.0001, -0.0])
    if kind == 5:
        return [value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {rng.choice(TEXTS + ["amount", "中文", "b", "a"]) + str(i): value(rng, depth + 1)
            for i in range(rng.randrange(6))}


def test_any_json_value_is_spelt_as_the_standard_library_spells_it():
    rng = random.Random(20261205)
    for _ in range(5000):
        data = value(rng)
        assert jsontext.canonical(data) == standard(data), data


@pytest.mark.parametrize("text,expected", [
    # 5e-05 is written 0.00005 by orjson and 1e-06 as 1e-6: both spelt again
    ({"amount": 0.00005}, '{"amount":5e-05}'),
    ([1e-06, -2.5e-07], "[1e-06,-2.5e-07]"),
    # the same characters inside a string are text, left as they are
    ({"note": ":0.00005,", "x": 0.00005}, '{"note":":0.00005,","x":5e-05}'),
    # a string with a backslash escape: the whole text written by the standard library
    ({"note": 'say "hi"', "x": 1e-06}, '{"note":"say \\"hi\\"","x":1e-06}'),
])
def test_the_numbers_orjson_spells_otherwise(text, expected):
    assert jsontext.canonical(text) == expected == standard(text)


def test_every_demo_result_is_spelt_as_before(engine):
    names = ["oranges_pujiang_packed", "oranges_pujiang_farm_gate", "batteries_lfp_pack_sichuan",
             "batteries_nmc_ev_pack_fujian", "steel_vanadium_panzhihua_crude_steel",
             "sichuan_machined_part"]
    for name in names:
        result = engine.calculate(parse_bom(sample(name)))
        assert jsontext.canonical(result) == standard(result), name


def test_what_orjson_will_not_write_is_written_as_before():
    class Name(str):
        pass
    big = {"n": 2 ** 70, "name": Name("蒲江")}
    assert jsontext.canonical(big) == standard(big)
    with pytest.raises(TypeError):  # not JSON for either
        jsontext.canonical({"when": object()})
