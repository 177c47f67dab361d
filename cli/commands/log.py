"""``footprint log verify | checkpoint | proof | consistency``: the label transparency log."""
from __future__ import annotations

import click

from footprint.settings import footprint_home
from footprint.translog.log import b64
from footprint.usecases import transparency
from footprint.usecases.database import connect, database_location, pending

from ..errors import fail_cleanly
from ..render import dump


def _open_db():
    db = connect(database_location(footprint_home()))
    if pending(db):
        raise click.UsageError("run `footprint db migrate` first")
    return db


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
    report = transparency.verify(_open_db(), footprint_home(), origin=origin,
                                 record=not no_record, witnesses=witnesses)
    if as_json:
        dump(report.as_dict())
        return
    kinds = ", ".join(f"{count} {kind}" for kind, count in report.kinds.items()) or "empty"
    click.echo(f"log verified: {report.size} entries ({kinds}), every leaf hash recomputed")
    click.echo(f"labels: {report.labels}, each row as its leaves say (superseded, revoked)")
    click.echo(f"root: {report.as_dict()['root']}")
    if report.previous is None:
        click.echo("no checkpoint seen before: this is the first")
    else:
        click.echo(f"consistent with the checkpoint seen at size {report.previous['size']} "
                   f"on {report.previous['seen_at']}")
    for record in report.records:
        held = "nothing yet" if record.size_before is None else \
            f"up to size {record.size_before}"
        added = f", {record.added} checkpoint(s) added" if record.added else ""
        click.echo(f"checkpoints seen in {record.path}: {held}{added}")
    if report.recorded:
        click.echo(f"recorded the checkpoint at size {report.size} as seen")
    if not report.signed:
        click.echo(f"checkpoint not signed: {transparency.NO_SIGNER}")


@log.command("checkpoint")
@origin_option
@fail_cleanly
def log_checkpoint(origin):
    """Print the current signed checkpoint (C2SP signed note)."""
    current = transparency.checkpoint(_open_db(), footprint_home(), origin)
    if current.note is None:
        click.echo(f"error: cannot sign a checkpoint: {transparency.NO_SIGNER} "
                   f"(tree size {current.size}, root {b64(current.root)})", err=True)
        raise SystemExit(1)
    click.echo(current.note, nl=False)


size_option = click.option("--size", "tree_size", type=int, default=None,
                           help="Tree size (default: the current size).")


@log.command("proof")
@click.argument("index", type=int)
@size_option
@fail_cleanly
def log_proof(index, tree_size):
    """Print the inclusion proof of leaf INDEX as JSON (base64 hashes)."""
    dump(transparency.inclusion(_open_db(), index, tree_size))


@log.command("consistency")
@click.argument("old_size", type=int)
@click.argument("new_size", type=int, required=False)
@fail_cleanly
def log_consistency(old_size, new_size):
    """Print the consistency proof from OLD_SIZE to NEW_SIZE (default: now) as JSON."""
    dump(transparency.consistency(_open_db(), old_size, new_size))
