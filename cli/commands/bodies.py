"""``footprint bodies qualify | list``: qualified accounting bodies (核算机构资质): record an
accounting body's accreditation (number, the categories it may verify, the days it holds) and
list them with their standing today (docs/supervision.md)."""
from __future__ import annotations

import click

from footprint.engine import Engine
from footprint.settings import footprint_home
from footprint.usecases import qualifications
from footprint.usecases.database import open_database


from .. import render
from ..categories import named
from ..errors import fail_cleanly
from ..language import listed, say, term

# a qualification's standing today (footprint.accreditation.standing), as the supervision
# page words it


@click.group("bodies")
def bodies():
    """Qualified accounting bodies."""


@bodies.command("qualify")
@click.argument("org")
@click.option("--number", required=True, help="The accreditation number.")
@click.option("--categories", required=True,
              help="The categories it may verify, comma-separated (e.g. oranges,batteries).")
@click.option("--from", "valid_from", required=True, help="First day it holds (YYYY-MM-DD).")
@click.option("--until", "valid_until", required=True, help="Last day it holds (YYYY-MM-DD).")
@fail_cleanly
def qualify(org, number, categories, valid_from, valid_until):
    """Record the qualification of accounting body ORG (its number, credit code or name);
    audited as the operator's. Bad input exits 2 and records nothing."""
    known = Engine().registry.categories
    made = qualifications.qualify(open_database(footprint_home()), None, org, number,
                                  categories, valid_from, valid_until, known)
    click.echo(say("qualification %(id)s: %(body)s %(number)s for %(categories)s, %(start)s "
                   "to %(end)s", id=made["id"], body=made["org_name"], number=made["number"],
                   categories=listed(map(named, made["categories"])), start=made["valid_from"],
                   end=made["valid_until"]))


@bodies.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def list_(as_json):
    """Every qualification with its standing today: valid, expiring (within 30 days),
    expired, not yet valid."""
    rows = qualifications.listing(open_database(footprint_home()))
    if as_json:
        render.dump(rows)
        return
    click.echo(render.table([[r["org_name"], r["number"], listed(map(named, r["categories"])),
                              r["valid_from"], r["valid_until"], term("standing", r["standing"])]
                             for r in rows],
                            [term("org_kind", "accounting_body"), say("number"), say("categories"),
                             say("from"), say("until"), say("standing")])
               if rows else say("no qualifications recorded"))

