"""``footprint keys``: the platform's issuer keys (FOOTPRINT_KEYS_DIR, else
FOOTPRINT_HOME/keys), the trust list of recognised issuers, and the record of the keys in the
platform's database that every host is checked against (docs/deployment.md)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from footprint.errors import FootprintError, Message
from footprint.labels import keys as issuer_keys
from footprint.labels import times
from footprint.settings import footprint_home
from footprint.usecases.hosts import HostRefused, record_host, record_new_key

from ..errors import existing_file, fail_cleanly, note
from ..language import listed, said, say
from ..render import in_zone, table, when
from .labels import time_option

# what `keys trust add` did with each key of the list (footprint.labels.keys.trust_add)
TRUSTED = {"added": Message("%(count)s added"), "updated": Message("%(count)s updated"),
           "unchanged": Message("%(count)s unchanged"), "skipped": Message("%(count)s skipped")}


@click.group()
def keys():
    """Issuer keys (FOOTPRINT_KEYS_DIR, else FOOTPRINT_HOME/keys) and the trust list of
    recognised issuers."""


@keys.command("generate")
@click.option("--issuer", required=True, help="Issuer id, usually the region: CN-SC.")
@click.option("--name", required=True, help="The issuing platform's name.")
@click.option("--region", default=None, help="Region code (default: the issuer id).")
@click.option("--valid-from", default=None, help="Start of the key's window (default: now).")
@click.option("--valid-to", default=None, help="End of the key's window (default: 5 years).")
@fail_cleanly
def keys_generate(issuer, name, region, valid_from, valid_to):
    """Create the first signing key of an issuer of this platform."""
    key = issuer_keys.generate(footprint_home(), issuer, name, region,
                               time_option(valid_from), time_option(valid_to))
    entry = key.entry
    click.echo(say("generated key %(kid)s for %(issuer)s, valid %(start)s to %(end)s",
                   kid=entry.kid.hex(), issuer=entry.id, start=times.text(entry.valid_from),
                   end=times.text(entry.valid_to)))
    click.echo(say("private key: %(path)s", path=str(key.path)))
    _record(key)


def _record(key) -> None:
    """Record a new key as the platform's, so that the other hosts, reading it from the
    shared folder, may sign with it (docs/deployment.md)."""
    try:
        if record_new_key(footprint_home(), key):
            click.echo(say("recorded key %(kid)s as the platform's in its database",
                           kid=key.entry.kid.hex()))
        else:
            note(Message("no migrated database here (FOOTPRINT_DATABASE_URL, or "
                         "FOOTPRINT_HOME's file), so the key is not recorded yet: the first "
                         "host to serve or migrate records it. On a platform that is "
                         "running, run `footprint keys record` where the database is "
                         "reachable, or its hosts refuse to start again"))
    except HostRefused as exc:  # exit 1 (fail_cleanly)
        raise FootprintError(Message("the key was made but not recorded as the platform's: "
                                     "%(why)s", why=exc.args[0])) from exc


@keys.command("rotate")
@click.option("--issuer", required=True, help="Issuer id, e.g. CN-SC.")
@click.option("--valid-to", default=None, help="End of the new key's window (default: 5 years).")
@fail_cleanly
def keys_rotate(issuer, valid_to):
    """Make a new current key; the old key's window closes now (its labels still verify)."""
    key = issuer_keys.rotate(footprint_home(), issuer, valid_to=time_option(valid_to))
    click.echo(say("new key %(kid)s for %(issuer)s, valid from %(start)s; older keys now end "
                   "there", kid=key.entry.kid.hex(), issuer=issuer,
                   start=times.text(key.entry.valid_from)))
    _record(key)


@keys.command("record")
@fail_cleanly
def keys_record():
    """Make this host's keys and secret key the platform's record in the database.

    Every host compares its keys (FOOTPRINT_KEYS_DIR or FOOTPRINT_HOME/keys) and secret key
    with the record when it starts, and refuses to serve when they differ. Run this on a
    host whose keys are the right ones, after the record went wrong or the secret key was
    changed on purpose: hosts with other keys then refuse."""
    done = record_host(footprint_home())
    click.echo(say("recorded this host's keys as the platform's: %(keys)s",
                   keys=listed(done.keys) or say("none new")))
    click.echo(say("recorded this host's secret key's fingerprint") if done.secret
               else say("the secret key's fingerprint was recorded already"))


@keys.command("export")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of standard output.")
@fail_cleanly
def keys_export(output):
    """Print the trust list this platform publishes (its keys and the issuers it trusts)."""
    text = json.dumps(issuer_keys.trust_list_to_publish(footprint_home()), ensure_ascii=False,
                      indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(say("wrote %(file)s", file=str(output)), err=True)


@keys.command("list")
@fail_cleanly
def keys_list():
    """List this platform's keys and the other issuers' keys it trusts."""
    home = footprint_home()
    rows = [[whose, e.id, e.kid.hex(), when(times.text(e.valid_from)),
             when(times.text(e.valid_to)), e.name]
            for whose, entries in ((say("own"), issuer_keys.own_entries(home)),
                                   (say("trusted"), issuer_keys.trusted_entries(home)))
            for e in entries]
    click.echo(table(rows, ["", say("issuer"), "kid", in_zone(say("valid from")),
                            in_zone(say("valid to")), say("name")])
               if rows else say("no keys: run `footprint keys generate`"))


@keys.group("trust")
def keys_trust():
    """Other platforms' issuers that this platform recognises."""


@keys_trust.command("add")
@click.argument("file", type=click.Path(path_type=Path), callback=existing_file)
@click.option("--issuer", "issuers", multiple=True,
              help="Only this issuer id from the file (repeatable).")
@fail_cleanly
def keys_trust_add(file, issuers):
    """Trust the issuers in another platform's published trust list FILE."""
    report = issuer_keys.trust_add(footprint_home(), file, issuers=list(issuers) or None)
    click.echo(say("%(counts)s key(s) from %(file)s", file=str(file), counts=listed(
        said(TRUSTED[what].format(count=len(kids))) for what, kids in report.items())))
