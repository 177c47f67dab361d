"""``footprint accounts show ORG`` (an organisation's carbon account, 企业碳账户) and
``footprint accounts production ORG --product ID --year Y --amount N`` (declared production,
as the platform's operator). docs/carbon-accounts.md. Bad input exits 2."""
from __future__ import annotations

import click

from footprint.display import footprint, quantity
from footprint.engine import Engine
from footprint.settings import footprint_home
from footprint.usecases import accountstatement, carbonaccounts
from footprint.usecases.database import open_database
from footprint.usecases.organisations import find_organisation

from .. import render
from ..errors import fail_cleanly


@click.group("accounts")
def accounts():
    """Enterprise carbon accounts (企业碳账户): verified footprints, production, reductions."""


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1f} %"


def _reduction_lines(name: str, found) -> list[str]:
    if found is None:
        return []
    return [f"{name} {found.base_year} -> {found.year}: like for like (同口径, "
            f"{found.data_version_name}) {_pct(found.like_for_like_pct)} "
            f"({footprint(found.intensity_before)} -> {footprint(found.intensity_after)}); "
            f"as verified then (核查时) {_pct(found.as_verified_pct)}"]


@accounts.command("show")
@click.argument("org")
@click.option("--year", type=int, default=None,
              help="Also the reduction of this year against the year before (exit 2 when "
                   "either has no verified footprints).")
@click.option("--json", "as_json", is_flag=True, help="Print the statement's JSON.")
@fail_cleanly
def show(org, year, as_json):
    """The carbon account of ORG (its number, credit code, name or a part of it)."""
    home = footprint_home()
    db = open_database(home)
    org_id = find_organisation(db, org, "ORG")["id"]
    engine = Engine(home=home)
    account = carbonaccounts.account(db, engine, org_id)
    found = carbonaccounts.reduction(db, engine, org_id, year) if year is not None else None
    if as_json:
        body = accountstatement.body(account)
        if found is not None:
            body["reduction"] = accountstatement.reduction_body(found)
        render.dump(body)
        return
    click.echo(f"{account.org_name}: carbon account (碳账户), data version "
               f"{account.data_version_name}, baseline {account.baseline_year or '-'}")
    rows = [[p.name_zh or p.name, f.year, f"{footprint(f.kg_co2e)} kg CO2e / "
             f"{quantity(f.declared_unit['amount'])} {f.declared_unit['unit']}",
             f.data_version_name or f.data_version[:12], f.label_id,
             quantity(p.production[f.year]["amount"]) if f.year in p.production else "-"]
            for p in account.products for f in p.footprints]
    click.echo(render.table(rows, ["product", "year", "footprint", "data version", "label",
                                   "production"]) if rows else "no verified footprints")
    if account.years:
        click.echo(render.table(
            [[y.year, footprint(y.total_kg_co2e) or "-", footprint(y.intensity) or "-",
              footprint(y.intensity_current) or "-"] for y in account.years],
            ["year", "total kg CO2e", "intensity as verified", "intensity, current data"]))
    for line in (_reduction_lines("since last year", account.since_last_year)
                 + _reduction_lines("since baseline", account.since_baseline)
                 + _reduction_lines("asked", found)):
        click.echo(line)
    if account.rating is not None:
        click.echo(f"rating {account.rating.year}: {account.rating.colour} "
                   f"({account.rating.points}/4)")


@accounts.command("production")
@click.argument("org")
@click.option("--product", "product_id", type=int, required=True, help="The product's number.")
@click.option("--year", required=True, help="The year produced.")
@click.option("--amount", required=True, help="How much, in the product's declared unit.")
@fail_cleanly
def production(org, product_id, year, amount):
    """Declare ORG's production of a product in a year (an audited change)."""
    db = open_database(footprint_home())
    org_id = find_organisation(db, org, "ORG")["id"]
    row = carbonaccounts.declare_production_for(db, org_id, product_id, year, amount)
    click.echo(f"declared: product {row['product_id']}, {row['year']}: "
               f"{quantity(row['amount'])} {row['unit']}")
