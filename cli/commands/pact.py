"""``footprint pact clients create | list | revoke``: the buyers' systems that read this
platform's issued labels through the PACT v3 API (docs/pact.md)."""
from __future__ import annotations

import sys

import click

from footprint.settings import footprint_home
from footprint.usecases import pact as pact_usecase
from footprint.usecases.database import open_database

from .. import render
from ..errors import fail_cleanly


@click.group("pact")
def pact():
    """The PACT v3 API: clients of buyers' systems (PACT 数据交换客户端)."""


@pact.group("clients")
def clients():
    """OAuth 2 clients that may read issued labels as PACT ProductFootprints."""


@clients.command("create")
@click.argument("name")
@click.option("--org", default=None,
              help="Only this organisation's labels (its name or number); default: every "
                   "label this platform issued.")
@fail_cleanly
def create(name, org):
    """Create a client; its id and secret are printed once (only a hash is kept)."""
    client, secret = pact_usecase.create_client(open_database(footprint_home()), name, org)
    click.echo(f"client_id: {client['client_id']}")
    click.echo(f"client_secret: {secret}")
    click.echo("the secret is shown only now: give it to the buyer over a safe channel "
               "(密钥仅显示一次)", err=True)


@clients.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def list_(as_json):
    """Every client: id, name, the organisation it is limited to, created, revoked."""
    rows = pact_usecase.list_clients(open_database(footprint_home()))
    if as_json:
        render.dump(rows)
        return
    click.echo(render.table([[r["client_id"], r["name"], r["org_name"] or "(all labels)",
                              r["created_at"], r["revoked_at"] or "-"] for r in rows],
                            ["client_id", "name", "organisation", "created", "revoked"])
               if rows else "no PACT clients")


@clients.command("revoke")
@click.argument("client_id")
@fail_cleanly
def revoke(client_id):
    """Revoke CLIENT_ID: its tokens stop working at once."""
    if not pact_usecase.revoke_client(open_database(footprint_home()), client_id):
        click.echo("error: no such client that is not revoked already", err=True)
        sys.exit(1)
    click.echo(f"client {client_id} revoked; its tokens no longer work")
