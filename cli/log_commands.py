"""``footprint log verify | checkpoint | proof | consistency``: the label transparency log."""
from __future__ import annotations

import json

import click

from .main import fail_cleanly
from footprint.settings import footprint_home
from footprint.store import connect, database_path
from footprint.store.migrations import pending
from footprint.translog import TransparencyLog, sign_checkpoint
from footprint.translog.monitor import verify_log
from footprint.translog.signer import checkpoint_signer, missing_signer_reason


def _open_db():
    db = connect(database_path(footprint_home()))
    if pending(db):
        raise click.UsageError("run `footprint db migrate` first")
    return db


def _dump(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


origin_option = click.option("--origin", default=None,
                             help="The checkpoint's origin line (default: the key name).")


@click.group()
def log():
    """The append-only transparency log of label issuances, supersessions and revocations."""


@log.command("verify")
@origin_option
@click.option("--no-record", is_flag=True,
              help="Check only; do not remember this checkpoint as seen.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def log_verify(origin, no_record, as_json):
    """Re-derive the log from its stored entries and check it extends the last checkpoint seen.

    Exits 0 with a summary, or 1 with every problem found (an entry rewritten, entries
    removed, a history inconsistent with the checkpoint seen before)."""
    home = footprint_home()
    signer = checkpoint_signer(home)
    report = verify_log(_open_db(), signer=signer, origin=origin, record=not no_record)
    if as_json:
        _dump(report.as_dict())
        return
    kinds = ", ".join(f"{count} {kind}" for kind, count in report.kinds.items()) or "empty"
    click.echo(f"log verified: {report.size} entries ({kinds}), every leaf hash recomputed")
    click.echo(f"root: {report.as_dict()['root']}")
    if report.previous is None:
        click.echo("no checkpoint seen before: this is the first")
    else:
        click.echo(f"consistent with the checkpoint seen at size {report.previous['size']} "
                   f"on {report.previous['seen_at']}")
    if report.recorded:
        click.echo(f"recorded the checkpoint at size {report.size} as seen")
    if not report.signed:
        click.echo(f"checkpoint not signed: {missing_signer_reason(home)}")


@log.command("checkpoint")
@origin_option
@fail_cleanly
def log_checkpoint(origin):
    """Print the current signed checkpoint (C2SP signed note)."""
    home = footprint_home()
    transparency = TransparencyLog(_open_db())
    signer = checkpoint_signer(home)
    size = transparency.size()
    root = transparency.root(size)
    if signer is None:
        from footprint.translog.log import b64
        click.echo(f"error: cannot sign a checkpoint: {missing_signer_reason(home)} "
                   f"(tree size {size}, root {b64(root)})", err=True)
        raise SystemExit(1)
    name, key = signer
    click.echo(sign_checkpoint(origin or name, size, root, name, key), nl=False)


size_option = click.option("--size", "tree_size", type=int, default=None,
                           help="Tree size (default: the current size).")


@log.command("proof")
@click.argument("index", type=int)
@size_option
@fail_cleanly
def log_proof(index, tree_size):
    """Print the inclusion proof of leaf INDEX as JSON (base64 hashes)."""
    _dump(TransparencyLog(_open_db()).inclusion_json(index, tree_size))


@log.command("consistency")
@click.argument("old_size", type=int)
@click.argument("new_size", type=int, required=False)
@fail_cleanly
def log_consistency(old_size, new_size):
    """Print the consistency proof from OLD_SIZE to NEW_SIZE (default: now) as JSON."""
    _dump(TransparencyLog(_open_db()).consistency_json(old_size, new_size))
