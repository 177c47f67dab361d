"""``footprint peers add | list | sync | remove``: other regions' platforms this one watches
(docs/peers.md). ``sync`` exits 0 when every peer's answer was accepted, 1 when one was
refused or a peer is flagged inconsistent (for cron to alert on); ``add`` exits 2 when the
peer's first answer is refused (nothing is stored)."""
from __future__ import annotations

import sys

import click

from footprint import words
from footprint.errors import Message
from footprint.settings import footprint_home
from footprint.usecases import peers as peers_usecase
from footprint.usecases import peersync
from footprint.usecases.database import open_database

from .. import render
from ..errors import existing_file, fail_cleanly, warn
from ..language import chinese, said, say, term

# a peer's state (footprint.usecases.peersync.SyncReport.state) in a listing
STATES = {"ok": Message("ok"), "refused": Message("refused"),
          "inconsistent": Message("inconsistent")}
# a sync whose answer was not stored, by the state it left the peer in
NOT_STORED = {
    "refused": Message("%(name)s (%(url)s): REFUSED: nothing it sent was stored"),
    "inconsistent": Message("%(name)s (%(url)s): INCONSISTENT: nothing it sent was stored"),
}


@click.group("peers")
def peers():
    """Peer platforms: their trust lists, revocations, findings and log."""


def _say(report) -> None:
    if report.ok:
        findings = say("publishes no findings") if report.findings is None \
            else say("%(count)s public finding(s)", count=report.findings)
        trust = say("; trust list changed (announced by a pinned key)") \
            if report.trust_changed else ""
        cosigned = say("; it cosigned our checkpoint of size %(size)s",
                       size=report.cosigned_ours) if report.cosigned_ours is not None else ""
        click.echo(say("%(name)s (%(url)s): ok, checkpoint of size %(size)s verified, "
                       "consistent and cosigned; %(revocations)s revocation(s) (%(new)s new); "
                       "%(findings)s%(trust)s%(cosigned)s", name=report.name, url=report.url,
                       size=report.size, revocations=report.revocations,
                       new=report.new_revocations, findings=findings, trust=trust,
                       cosigned=cosigned))
        return
    refused = NOT_STORED[report.state].format(name=report.name, url=report.url)
    click.echo(refused, err=True)
    for problem in report.problems:
        click.echo(f"  - {problem}", err=True)
    click.echo(f"错误：{chinese(refused)}", err=True)
    for problem in report.problems:
        click.echo(f"  - {chinese(problem) or problem}", err=True)


@peers.command("add")
@click.argument("url")
@click.option("--name", default=None, help="What to call the peer (default: its issuer id).")
@click.option("--ca-file", type=click.Path(), default=None, callback=existing_file,
              help="Trust this certificate authority for the peer's HTTPS (a test or an "
                   "internal CA); default: the system's.")
@fail_cleanly
def add(url, name, ca_file):
    """Add the platform at URL (https://host[:port]): fetch and pin its trust list, show its
    key ids to compare out of band, then sync it."""
    home = footprint_home()
    added = peers_usecase.add(open_database(home), home, url, name, ca_file)
    peer = added.peer
    click.echo(say("added %(name)s (%(url)s), log origin %(origin)s", name=peer["name"],
                   url=peer["url"], origin=peer["origin"]))
    click.echo(say("pinned keys: compare them with the peer's operator over another channel:"))
    for entry, note_id in zip(added.keys, added.checkpoint_key_ids):
        click.echo("  " + say("%(issuer)s  kid %(kid)s  public key %(key)s  checkpoint key ID "
                              "%(note)s  valid %(start)s .. %(end)s", issuer=entry["id"],
                              kid=entry["kid"], key=entry["public_key"], note=note_id,
                              start=entry["valid_from"], end=entry["valid_to"]))
    if added.witness:
        click.echo("  " + say("witness %(name)s  public key %(key)s",
                              name=added.witness["name"], key=added.witness["public_key"]))
    else:
        click.echo("  " + say("the peer publishes no witness key"))
    _say(added.sync)


@peers.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def list_(as_json):
    """Every peer: state, last sync, checkpoint size, revocations, findings, problems."""
    rows = peers_usecase.listing(open_database(footprint_home()))
    if as_json:
        render.dump([{**r, "problems": [str(p) for p in r["problems"]]} for r in rows])
        return
    if not rows:
        click.echo(say("no peers: add one with `footprint peers add https://HOST`"))
        return
    click.echo(render.table(
        [[r["name"], r["url"], said(STATES.get(r["state"], r["state"])),
          render.when(r["last_synced_at"], say("never")),
          "-" if r["synced_minutes_ago"] is None else said(words.age(r["synced_minutes_ago"])),
          r["checkpoint_size"] if r["checkpoint_size"] is not None else "-",
          r["revocations"], say("none published") if r["findings"] is None else r["findings"]]
         for r in rows],
        [say("name"), "url", say("state"), render.in_zone(say("last synced")), say("age"),
         say("log size"), term("status", "revoked"), say("findings")]))
    for row in rows:  # the last answer's problems
        for problem in row["problems"]:
            warn(Message("%(peer)s: %(problem)s", peer=row["name"], problem=problem))


@peers.command("sync")
@click.option("--peer", "url", default=None, help="Only the peer at this URL.")
@click.option("--due", is_flag=True,
              help="Only peers not tried for FOOTPRINT_PEER_SYNC_MINUTES (default 15): for "
                   "a cron line or systemd timer that runs every few minutes.")
@fail_cleanly
def sync(url, due):
    """Fetch and check every peer's trust list, revocations, findings and checkpoint."""
    home = footprint_home()
    reports = peersync.sync(open_database(home), home, url, due_only=due)
    for report in reports:
        _say(report)
    if not reports:
        click.echo(say("no peer is due") if due else say("no peers"))
    if any(not r.ok for r in reports):
        sys.exit(1)


@peers.command("remove")
@click.argument("url")
@fail_cleanly
def remove(url):
    """Forget the peer at URL and what was synced of it (the reports stay)."""
    home = footprint_home()
    peer = peers_usecase.remove(open_database(home), home, url)
    click.echo(say("removed %(name)s (%(url)s); its keys stay in the trust list "
                   "(`footprint keys list`)", name=peer["name"], url=peer["url"]))
