"""``footprint accounts show ORG`` (an organisation's carbon account, 企业碳账户) and
``footprint accounts production ORG --product ID --year Y --amount N`` (declared production,
as the platform's operator). docs/carbon-accounts.md. Bad input exits 2."""
from __future__ import annotations

import click

from footprint.display import footprint, quantity
from footprint.engine import Engine
from footprint.settings import footprint_home
from footprint.usecases import accountdeclarations, accountstatement, carbonaccounts, reductions
from footprint.usecases.accountstatement import COLOURS_ZH
from footprint.usecases.database import open_database
from footprint.usecases.organisations import find_organisation

from .. import render
from ..errors import fail_cleanly
from ..language import chosen, say, term


@click.group("accounts")
def accounts():
    """Enterprise carbon accounts: verified footprints, production, reductions."""


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1f} %"


def _reduction_line(since: str, found) -> str:
    """A reduction in a line; ``since`` says from when ("since last year")."""
    return say("%(since)s %(before)s -> %(after)s: like for like (%(version)s) %(pct)s "
               "(%(intensity_before)s -> %(intensity_after)s); as verified then "
               "%(as_verified)s", since=since, before=found.base_year, after=found.year,
               version=found.data_version_name, pct=_pct(found.like_for_like_pct),
               intensity_before=footprint(found.intensity_before),
               intensity_after=footprint(found.intensity_after),
               as_verified=_pct(found.as_verified_pct))


def _colour(colour: str) -> str:
    """A rating's colour (accountrating.COLOURS) in the chosen language: 深绿, dark green."""
    return COLOURS_ZH[colour] if chosen() == "zh" else colour.replace("_", " ")


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
    found = reductions.reduction(db, engine, org_id, year) if year is not None else None
    if as_json:
        body = accountstatement.body(account)
        if found is not None:
            body["reduction"] = accountstatement.reduction_body(found)
        render.dump(body)
        return
    click.echo(say("%(org)s: carbon account, data version %(version)s, baseline %(baseline)s",
                   org=account.org_name, version=account.data_version_name,
                   baseline=account.baseline_year or "-"))
    rows = [[p.name_zh or p.name, f.year, f"{footprint(f.kg_co2e)} kg CO2e / "
             f"{quantity(f.declared_unit['amount'])} {term('unit', f.declared_unit['unit'])}",
             f.data_version_name or f.data_version[:12], f.label_id,
             quantity(p.production[f.year]["amount"]) if f.year in p.production else "-"]
            for p in account.products for f in p.footprints]
    click.echo(render.table(rows, [say("product"), say("year"), say("footprint"),
                                   say("data version"), say("carbon label"),
                                   say("declared production")])
               if rows else say("no verified footprints"))
    if account.years:
        click.echo(render.table(
            [[y.year, footprint(y.total_kg_co2e) or "-", footprint(y.intensity) or "-",
              footprint(y.intensity_current) or "-"] for y in account.years],
            [say("year"), say("total kg CO2e"), say("intensity as verified"),
             say("intensity, current data")]))
    for since, reduction in ((say("since last year"), account.since_last_year),
                             (say("since baseline"), account.since_baseline),
                             (say("asked"), found)):
        if reduction is not None:
            click.echo(_reduction_line(since, reduction))
    if account.rating is not None:
        click.echo(say("rating %(year)s: %(colour)s (%(points)s/4)", year=account.rating.year,
                       colour=_colour(account.rating.colour), points=account.rating.points))


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
    row = accountdeclarations.declare_production_for(db, org_id, product_id, year, amount)
    click.echo(say("declared: product %(product)s, %(year)s: %(amount)s %(unit)s",
                   product=row["product_id"], year=row["year"], amount=quantity(row["amount"]),
                   unit=term("unit", row["unit"])))
