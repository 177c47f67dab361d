"""``footprint security events``: failed and refused log-ins, invalid tokens, password
changes, as the platform recorded them."""
from __future__ import annotations

import click

from footprint.settings import footprint_home
from footprint.usecases import security
from footprint.usecases.database import open_database

from .. import render
from ..errors import fail_cleanly
from ..language import say


@click.group("security")
def security_group():
    """Security events of the web service and the API."""


@security_group.command("events")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def events(limit, as_json):
    """The newest security events first: what, who (as typed), from where, when."""
    rows = security.events(open_database(footprint_home()), limit)
    if as_json:
        render.dump(rows)
        return
    click.echo(render.table([[render.when(r["at"]), r["kind"], r["username"] or "-",
                              r["address"] or "-", r["detail"] or ""] for r in rows],
                            [render.in_zone(say("at")), say("event"), say("user"),
                             say("address"), say("detail")])
               if rows else say("no security events recorded"))
