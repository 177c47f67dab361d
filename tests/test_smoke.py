from footprint.bom import parse_bom


def test_hundred_kwh_in_sichuan_2022(engine, make_bom):
    # 100 kWh x 0.1404 kg CO2/kWh (MEE 2024 No. 33, Sichuan, 2022 data) = 14.04 kg CO2e
    result = engine.calculate(parse_bom(make_bom()))
    assert abs(result["total_kg_co2e"] - 14.04) / 14.04 < 1e-6
