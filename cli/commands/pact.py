"""``footprint pact clients create | list | revoke``: the buyers' systems that read this
platform's issued labels through the PACT v3 API (docs/pact.md); ``footprint pact deliver |
outbox``: the answers to their requests still to post; ``footprint pact import | fetch``: a
supplier's PACT v3 footprint as a producer's BOM input (docs/bom.md)."""
from __future__ import annotations

from pathlib import Path

import click

from footprint.errors import Message
from footprint.settings import footprint_home
from footprint.usecases import pactclients, pactevents, pactinputs, users
from footprint.usecases.database import open_database

from .. import render
from ..errors import existing_file, fail_cleanly, note
from ..language import said, say

# the outbox's two lists (footprint.usecases.pactevents.outbox_items)
OUTBOX = {"pending": Message("pending: %(count)s"), "failed": Message("failed: %(count)s")}


@click.group("pact")
def pact():
    """The PACT v3 API: clients of buyers' systems, their answers, suppliers' footprints."""


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
    client, secret = pactclients.create_client(open_database(footprint_home()), name, org)
    click.echo(f"client_id: {client['client_id']}")
    click.echo(f"client_secret: {secret}")
    note(Message("the secret is shown only now: give it to the buyer over a safe channel"))


@clients.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def list_(as_json):
    """Every client: id, name, the organisation it is limited to, created, revoked."""
    rows = pactclients.list_clients(open_database(footprint_home()))
    if as_json:
        render.dump(rows)
        return
    click.echo(render.table([[r["client_id"], r["name"], r["org_name"] or say("(all labels)"),
                              render.when(r["created_at"]), render.when(r["revoked_at"])]
                             for r in rows],
                            ["client_id", say("name"), say("organisation"),
                             render.in_zone(say("created at")),
                             render.in_zone(say("revoked at"))])
               if rows else say("no PACT clients"))


@clients.command("revoke")
@click.argument("client_id")
@fail_cleanly
def revoke(client_id):
    """Revoke CLIENT_ID: its tokens stop working at once."""
    if not pactclients.revoke_client(open_database(footprint_home()), client_id):
        raise pactclients.no_client_to_revoke(client_id)
    click.echo(say("client %(id)s revoked; its tokens no longer work", id=client_id))


# -- the outbox: answers to requests --------------------------------------------------------------

@pact.command("deliver")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10000),
              help="At most this many events in this run.")
@fail_cleanly
def deliver(limit):
    """Post the answers to PACT requests that are due, once each (for cron).
    Safe beside the web service: an event another process is posting is left to it."""
    done = pactevents.deliver_due(open_database(footprint_home()), limit=limit)
    for item in done:
        if item["delivered"]:
            state = say("delivered")
        elif item["gave_up"]:
            state = say("given up (72 h)")
        else:
            state = say("failed, next attempt %(at)s",
                        at=render.in_zone(render.when(item["next_attempt_at"])))
        click.echo(f"{item['event_id']} -> {item['url']}: {state}"
                   + (f" ({item['error']})" if item["error"] and not item["delivered"]
                      else ""))
    delivered = sum(1 for item in done if item["delivered"])
    click.echo(say("%(delivered)s of %(due)s due events delivered", delivered=delivered,
                   due=len(done)))


@pact.command("outbox")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def outbox(as_json):
    """The answers still to deliver (pending) and those given up (failed)."""
    items = pactevents.outbox_items(open_database(footprint_home()))
    if as_json:
        render.dump({state: [{k: v for k, v in row.items() if k != "event_json"}
                             for row in rows] for state, rows in items.items()})
        return
    for state in ("pending", "failed"):
        rows = items[state]
        click.echo(said(OUTBOX[state].format(count=len(rows))))
        if rows:
            click.echo(render.table(
                [[r["event_id"], r["request_event_id"] or "-", r["url"],
                  render.when(r["created_at"]), r["attempts"],
                  render.when(r["gave_up_at"] if state == "failed" else r["next_attempt_at"]),
                  (r["last_error"] or "-")[:80]] for r in rows],
                [say("event"), say("request"), "url", render.in_zone(say("created at")),
                 say("attempts"),
                 render.in_zone(say("gave up") if state == "failed" else say("next attempt")),
                 say("last error")]))


# -- suppliers' footprints as BOM inputs --------------------------------------------------------

@pact.command("import")
@click.argument("file", type=click.Path(path_type=Path), callback=existing_file)
@click.option("--user", "username", required=True,
              help="The producer whose organisation imports it (a BOM line then names it "
                   "pact:<id>).")
@fail_cleanly
def import_(file, username):
    """Import a supplier's PACT v3 footprint FILE (JSON) as a BOM input."""
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
    it as a BOM input."""
    db = open_database(footprint_home())
    producer = users.active_user_named(db, username)
    _imported(pactinputs.fetch_footprint(db, producer, host, footprint_id, client_id,
                                         client_secret))


def _imported(found) -> None:
    value, amount = format(found.value, "g"), format(found.declared_amount, "g")
    click.echo(say("imported %(company)s: %(product)s, %(value)s kg CO2e per %(amount)s "
                   "%(unit)s; use it in a BOM line as pact:%(id)s", company=found.company_name,
                   product=found.product_name, value=value, amount=amount,
                   unit=found.declared_unit, id=found.id))
