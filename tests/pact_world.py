"""Issued labels for the PACT tests: two producers, a superseded label, a revoked one, a
battery pack with its passport extension, and PACT clients.

    orchard (Pujiang Orchard Co-op, credit code USCC):
        oranges  GTIN_ORANGES  label "old" superseded by label "current" (CN-SC)
        juice    GTIN_JUICE    label revoked
    steelworks (Panzhihua Steel, no credit code):
        battery  GTIN_BATTERY  LFP pack (CN-SD) with the batteries extension
"""
from __future__ import annotations

import json
from types import SimpleNamespace

from tests.conftest import SAMPLES, app_on, approved, service_copy

USCC = "91510100MA6CN7RX5X"
GTIN_ORANGES = "06901234567892"
GTIN_JUICE = "06901234567908"
GTIN_BATTERY = "06901234567915"


def _gtin(body13: str) -> str:
    from footprint.gs1 import check_digit
    return body13 + str(check_digit(body13))


def build(db, engine, issuer, people) -> SimpleNamespace:
    """The labels and clients above in ``db``; returns their ids and the clients' secrets."""
    from footprint.identifiers import pact_footprint_id
    from footprint.usecases import pactclients, revoking
    from footprint.usecases.labels import for_submission
    from footprint.usecases.organisations import set_credit_code

    assert _gtin(GTIN_ORANGES[:-1]) == GTIN_ORANGES
    assert _gtin(GTIN_JUICE[:-1]) == GTIN_JUICE
    assert _gtin(GTIN_BATTERY[:-1]) == GTIN_BATTERY
    set_credit_code(db, people["orchard"]["org_id"], USCC)

    def approve(producer, bom):
        return for_submission(db, approved(db, engine, people, bom, issuer, producer)["id"])

    def oranges(amount, season):
        return {"product": {"name": "Navel oranges, packed", "name_zh": "脐橙(包装)",
                            "category": "generic", "gtin": GTIN_ORANGES},
                "declared_unit": {"amount": 1, "unit": "kg"}, "region": "CN-SC",
                "factor_year": 2022, "reference_year": season,
                "lines": [{"input": "electricity", "amount": amount, "unit": "kWh",
                           "stage": "production"}]}

    old = approve("orchard", oranges(100, 2024))
    current = approve("orchard", oranges(80, 2025))
    juice = approve("orchard", {
        "product": {"name": "Orange juice", "name_zh": "橙汁", "category": "generic",
                    "gtin": GTIN_JUICE},
        "declared_unit": {"amount": 1, "unit": "L"}, "region": "CN-SC", "factor_year": 2022,
        "lines": [{"input": "electricity", "amount": 2, "unit": "kWh",
                   "stage": "production"}]})
    revoking.revoke(db, people["reviewer"], juice["id"], "the juice was calculated with "
                    "the wrong electricity")
    battery_bom = json.loads((SAMPLES / "batteries_lfp_pack_sichuan.json").read_text())
    battery_bom["product"]["gtin"] = GTIN_BATTERY
    battery_bom["region"] = "CN-SD"
    battery = approve("steelworks", battery_bom)

    everything, all_secret = pactclients.create_client(db, "Buyer with every label")
    orchard_only, orchard_secret = pactclients.create_client(db, "Buyer of the orchard",
                                                             org="Pujiang Orchard Co-op")
    revoked, revoked_secret = pactclients.create_client(db, "A revoked buyer")
    return SimpleNamespace(
        old=old["id"], current=current["id"], juice=juice["id"], battery=battery["id"],
        pf={name: pact_footprint_id(label["id"]) for name, label in
            (("old", old), ("current", current), ("juice", juice), ("battery", battery))},
        clients={"all": (everything["client_id"], all_secret),
                 "orchard": (orchard_only["client_id"], orchard_secret),
                 "revoked": (revoked["client_id"], revoked_secret)})


def schemas():
    """The PACT v3 OpenAPI document's components, and a validator of one of its schemas
    (JSON Schema 2020-12, formats checked)."""
    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    from tests.conftest import require_shared

    document = yaml.safe_load(require_shared("reference", "pact", "openapi_v3_0.yaml")
                              .read_text(encoding="utf-8"))
    registry = Registry().with_resource(
        "urn:pact", Resource.from_contents({"$schema":
                                            "https://json-schema.org/draft/2020-12/schema",
                                            **document}))

    def validator(name: str):
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$ref": f"urn:pact#/components/schemas/{name}"}
        return Draft202012Validator(schema, registry=registry,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator


def make_service(home, engine, service_template):
    """A copy of the template database in ``home``, an issuer key, the world above, and an
    app on it (as tests/conftest.py's ``service``, for a whole module)."""
    from footprint.labels import generate
    from footprint.usecases import pactclients
    from footprint.usecases.issuing import Issuer

    home.mkdir(parents=True, exist_ok=True)
    db, people = service_copy(home, service_template)
    generate(home, "CN-SC", "四川省碳足迹平台 Sichuan carbon footprint platform", "CN-SC")
    world = build(db, engine, Issuer(home, "CN-SC"), people)
    pactclients.revoke_client(db, world.clients["revoked"][0])
    app = app_on(home, engine, TESTING=True, WTF_CSRF_ENABLED=False)
    return SimpleNamespace(app=app, db=db, people=people, home=home, world=world)
