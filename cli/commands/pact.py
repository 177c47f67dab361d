"""``footprint pact clients create | list | revoke``: the buyers' systems that read this
platform's issued labels through the PACT v3 API (docs/pact.md); ``footprint pact deliver |
outbox``: the answers to their requests still to post; ``footprint pact import | fetch``: a
supplier's PACT v3 footprint as a producer's BOM input (docs/bom.md)."""
from __future__ import annotations

from pathlib import Path

import click

from footprint.settings import footprint_home
from footprint.usecases import pactevents, pactinputs, users
from footprint.usecases import pact as pact_usecase
from footprint.usecases.database import open_database

from .. import render
from ..errors import existing_file, fail_cleanly


@click.group("pact")
def pact():
    """The PACT v3 API: clients of buyers' systems (PACT 数据交换客户端)."""


@pact.group("clients")
def clients():
    """OAuth 2 clients that may read issued labels as PACT ProductFootprints."""


@clients.command("create")
@click.argument("name")
@click.option("--org", default=None,
              help="Only this organisation's labels (number, credit code or name); default: every "
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
                              render.when(r["created_at"]), render.when(r["revoked_at"])]
                             for r in rows],
                            ["client_id", "name", "organisation", render.in_zone("created"),
                             render.in_zone("revoked")])
               if rows else "no PACT clients")


@clients.command("revoke")
@click.argument("client_id")
@fail_cleanly
def revoke(client_id):
    """Revoke CLIENT_ID: its tokens stop working at once."""
    if not pact_usecase.revoke_client(open_database(footprint_home()), client_id):
        raise pact_usecase.no_client_to_revoke(client_id)
    click.echo(f"client {client_id} revoked; its tokens no longer work")


# -- the outbox: answers to requests --------------------------------------------------------------

@pact.command("deliver")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10000),
              help="At most this many events in this run.")
@fail_cleanly
def deliver(limit):
    """Post the answers to PACT requests that are due, once each (for cron; 投递待发送事件).
    Safe beside the web service: an event another process is posting is left to it."""
    done = pactevents.deliver_due(open_database(footprint_home()), limit=limit)
    for item in done:
        if item["delivered"]:
            state = "delivered"
        elif item["gave_up"]:
            state = "given up (72 h)"
        else:
            state = f"failed, next attempt {render.in_zone(render.when(item['next_attempt_at']))}"
        click.echo(f"{item['event_id']} -> {item['url']}: {state}"
                   + (f" ({item['error']})" if item["error"] and not item["delivered"]
                      else ""))
    delivered = sum(1 for item in done if item["delivered"])
    click.echo(f"{delivered} of {len(done)} due events delivered")


@pact.command("outbox")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def outbox(as_json):
    """The answers still to deliver (pending) and those given up (failed) (待发送与失败事件)."""
    items = pactevents.outbox_items(open_database(footprint_home()))
    if as_json:
        render.dump({state: [{k: v for k, v in row.items() if k != "event_json"}
                             for row in rows] for state, rows in items.items()})
        return
    for state, title in (("pending", "pending (待发送)"), ("failed", "failed (已放弃)")):
        rows = items[state]
        click.echo(f"{title}: {len(rows)}")
        if rows:
            click.echo(render.table(
                [[r["event_id"], r["request_event_id"] or "-", r["url"],
                  render.when(r["created_at"]), r["attempts"],
                  render.when(r["gave_up_at"] if state == "failed" else r["next_attempt_at"]),
                  (r["last_error"] or "-")[:80]] for r in rows],
                ["event", "request", "url", render.in_zone("created"), "attempts",
                 render.in_zone("gave up" if state == "failed" else "next attempt"),
                 "last error"]))


# -- suppliers' footprints as BOM inputs --------------------------------------------------------

@pact.command("import")
@click.argument("file", type=click.Path(path_type=Path), callback=existing_file)
@click.option("--user", "username", required=True,
              help="The producer whose organisation imports it (a BOM line then names it "
                   "pact:<id>).")
@fail_cleanly
def import_(file, username):
    """Import a supplier's PACT v3 footprint FILE (JSON) as a BOM input (导入供应商碳足迹)."""
    db = open_database(footprint_home())
    producer = users.active_user_named(db, username)
    _imported(pactinputs.import_footprint(db, producer, file.read_bytes(), file.name))


@pact.command("fetch")
@click.argument("host")
@click.argument("footprint_id")
@click.option("--client-id", required=True, help="The client id the supplier gave.")
@click.option("--client-secret", envvar="FOOTPRINT_PACT_CLIENT_SECRET", prompt=True,
              hide_input=True, help="Its secret (or FOOTPRINT_PACT_CLIENT_SECRET; asked "
                                    "for when not given).")
@click.option("--user", "username", required=True,
              help="The producer whose organisation imports it.")
@fail_cleanly
def fetch(host, footprint_id, client_id, client_secret, username):
    """Fetch footprint FOOTPRINT_ID from a supplier's PACT v3 HOST (https://...) and import
    it as a BOM input (从供应商 PACT 主机获取)."""
    db = open_database(footprint_home())
    producer = users.active_user_named(db, username)
    _imported(pactinputs.fetch_footprint(db, producer, host, footprint_id, client_id,
                                         client_secret))


def _imported(found) -> None:
    click.echo(f"imported {found.company_name}: {found.product_name}, {found.value:g} kg CO2e "
               f"per {found.declared_amount:g} {found.declared_unit}; "
               f"use it in a BOM line as pact:{found.id}")
