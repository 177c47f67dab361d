"""``footprint peers add | list | sync | remove``: other regions' platforms this one watches
(docs/peers.md). ``sync`` exits 0 when every peer's answer was accepted, 1 when one was
refused or a peer is flagged inconsistent (for cron to alert on); ``add`` exits 2 when the
peer's first answer is refused (nothing is stored)."""
from __future__ import annotations

import sys

import click

from footprint.settings import footprint_home
from footprint.usecases import peers as peers_usecase
from footprint.usecases.database import open_database

from .. import render
from ..errors import existing_file, fail_cleanly

SAID_ZH = {"refused": "已拒绝：该平台的回答未通过核验，本平台未存储其中任何内容。",
           "inconsistent": "日志不一致：该平台改写了其透明日志，已被标记，本平台未存储其回答的任何内容。"}


@click.group("peers")
def peers():
    """Peer platforms: their trust lists, revocations, findings and log (对等平台互相监督)."""


def _say(report) -> None:
    if report.ok:
        findings = ("publishes no findings" if report.findings is None
                    else f"{report.findings} public finding(s)")
        click.echo(f"{report.name} ({report.url}): ok, checkpoint of size {report.size} "
                   f"verified, consistent and cosigned; {report.revocations} revocation(s) "
                   f"({report.new_revocations} new); {findings}"
                   + ("; trust list changed (announced by a pinned key)"
                      if report.trust_changed else "")
                   + (f"; it cosigned our checkpoint of size {report.cosigned_ours}"
                      if report.cosigned_ours is not None else ""))
        return
    click.echo(f"{report.name} ({report.url}): {report.state.upper()}: nothing it sent "
               f"was stored", err=True)
    for problem in report.problems:
        click.echo(f"  - {problem}", err=True)
    click.echo(f"  {SAID_ZH[report.state]}", err=True)


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
    click.echo(f"added {peer['name']} ({peer['url']}), log origin {peer['origin']}")
    click.echo("pinned keys: compare them with the peer's operator over another channel "
               "(请通过其他渠道与对方核对密钥):")
    for entry, note_id in zip(added.keys, added.checkpoint_key_ids):
        click.echo(f"  {entry['id']}  kid {entry['kid']}  public key {entry['public_key']}  "
                   f"checkpoint key ID {note_id}  valid {entry['valid_from']} .. "
                   f"{entry['valid_to']}")
    if added.witness:
        click.echo(f"  witness {added.witness['name']}  public key "
                   f"{added.witness['public_key']}")
    else:
        click.echo("  the peer publishes no witness key")
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
        click.echo("no peers: add one with `footprint peers add https://HOST`")
        return
    click.echo(render.table(
        [[r["name"], r["url"], r["state"], render.when(r["last_synced_at"], "never"),
          "-" if r["synced_minutes_ago"] is None else f"{r['synced_minutes_ago']} min ago",
          r["checkpoint_size"] if r["checkpoint_size"] is not None else "-",
          r["revocations"], "none published" if r["findings"] is None else r["findings"]]
         for r in rows],
        ["name", "url", "state", render.in_zone("last synced"), "age", "log size", "revoked",
         "findings"]))
    for row in rows:
        for problem in row["problems"]:
            click.echo(f"{row['name']}: {problem}", err=True)


@peers.command("sync")
@click.option("--peer", "url", default=None, help="Only the peer at this URL.")
@click.option("--due", is_flag=True,
              help="Only peers not tried for FOOTPRINT_PEER_SYNC_MINUTES (default 15): for "
                   "a cron line or systemd timer that runs every few minutes.")
@fail_cleanly
def sync(url, due):
    """Fetch and check every peer's trust list, revocations, findings and checkpoint."""
    home = footprint_home()
    reports = peers_usecase.sync(open_database(home), home, url, due_only=due)
    for report in reports:
        _say(report)
    if not reports:
        click.echo("no peer is due" if due else "no peers")
    if any(not r.ok for r in reports):
        sys.exit(1)


@peers.command("remove")
@click.argument("url")
@fail_cleanly
def remove(url):
    """Forget the peer at URL and what was synced of it (the reports stay)."""
    home = footprint_home()
    peer = peers_usecase.remove(open_database(home), home, url)
    click.echo(f"removed {peer['name']} ({peer['url']}); its keys stay in the trust list "
               f"(`footprint keys list`)")
