"""``footprint log verify | checkpoint | proof | consistency``: the label transparency log."""
from __future__ import annotations

import click

from footprint.errors import FootprintError, Message
from footprint.settings import footprint_home
from footprint.translog.log import b64
from footprint.usecases import transparency
from footprint.usecases.database import open_database

from ..errors import fail_cleanly
from ..language import listed, said, say
from ..render import dump

# how many entries of each kind the log holds (footprint.translog.entries.KINDS)
KINDS = {"issue": Message("%(count)s issue"), "supersede": Message("%(count)s supersede"),
         "revoke": Message("%(count)s revoke"), "record": Message("%(count)s record")}


origin_option = click.option("--origin", default=None,
                             help="The checkpoint's origin line (default: the key name).")


@click.group()
def log():
    """The append-only transparency log of label issuances, supersessions and revocations."""


@log.command("verify")
@origin_option
@click.option("--witness", "witnesses", multiple=True, metavar="PATH",
              help="Also keep the checkpoints seen in PATH (a file, or a directory to hold "
                   "one) on storage that whoever can rewrite the database cannot (another "
                   "disk, another machine's mount), and hold the log to what it remembers. "
                   "Repeatable.")
@click.option("--no-record", is_flag=True,
              help="Check only; do not remember this checkpoint as seen.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def log_verify(origin, witnesses, no_record, as_json):
    """Re-derive the log from its stored entries, check that the labels table says what the
    log says, and check the log extends every checkpoint seen before.

    The checkpoints seen are kept outside the database, in FOOTPRINT_HOME/log/checkpoints-seen
    and in each --witness. Exits 0 with a summary, or 1 with every problem found (an entry
    rewritten, entries removed, a history inconsistent with a checkpoint seen before, a label
    whose revocation or supersession the table no longer shows)."""
    report = transparency.verify(open_database(footprint_home()), footprint_home(), origin=origin,
                                 record=not no_record, witnesses=witnesses)
    if as_json:
        dump(report.as_dict())
        return
    kinds = listed(said(KINDS[kind].format(count=count)) if kind in KINDS
                   else f"{count} {kind}" for kind, count in report.kinds.items())
    click.echo(say("log verified: %(size)s entries (%(kinds)s), every leaf hash recomputed",
                   size=report.size, kinds=kinds or say("empty")))
    click.echo(say("labels: %(count)s, each row as its leaves say (superseded, revoked)",
                   count=report.labels))
    click.echo(say("root: %(root)s", root=report.as_dict()["root"]))
    if report.previous is None:
        click.echo(say("no checkpoint seen before: this is the first"))
    else:
        click.echo(say("consistent with the checkpoint seen at size %(size)s on %(at)s",
                       size=report.previous["size"], at=report.previous["seen_at"]))
    for record in report.records:
        held = say("nothing yet") if record.size_before is None else \
            say("up to size %(size)s", size=record.size_before)
        added = say(", %(count)s checkpoint(s) added", count=record.added) if record.added \
            else ""
        click.echo(say("checkpoints seen in %(path)s: %(held)s%(added)s", path=str(record.path),
                       held=held, added=added))
    if report.recorded:
        click.echo(say("recorded the checkpoint at size %(size)s as seen", size=report.size))
    if not report.signed:
        click.echo(say("checkpoint not signed: %(why)s", why=transparency.NO_SIGNER))


@log.command("checkpoint")
@origin_option
@fail_cleanly
def log_checkpoint(origin):
    """Print the current signed checkpoint (C2SP signed note)."""
    current = transparency.checkpoint(open_database(footprint_home()), footprint_home(), origin)
    if current.note is None:
        raise FootprintError(Message("cannot sign a checkpoint: %(why)s (tree size %(size)s, "
                                     "root %(root)s)", why=transparency.NO_SIGNER,
                                     size=current.size, root=b64(current.root)))  # exit 1 (fail_cleanly)
    click.echo(current.note, nl=False)


size_option = click.option("--size", "tree_size", type=int, default=None,
                           help="Tree size (default: the current size).")


@log.command("proof")
@click.argument("index", type=int)
@size_option
@fail_cleanly
def log_proof(index, tree_size):
    """Print the inclusion proof of leaf INDEX as JSON (base64 hashes)."""
    dump(transparency.inclusion(open_database(footprint_home()), index, tree_size))


@log.command("consistency")
@click.argument("old_size", type=int)
@click.argument("new_size", type=int, required=False)
@fail_cleanly
def log_consistency(old_size, new_size):
    """Print the consistency proof from OLD_SIZE to NEW_SIZE (default: now) as JSON."""
    dump(transparency.consistency(open_database(footprint_home()), old_size, new_size))
