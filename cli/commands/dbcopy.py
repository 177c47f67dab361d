"""``footprint db copy --to URL`` and ``footprint db verify-copy URL``: the platform's
database moved to the other engine, and the copy verified (docs/postgresql.md, Moving up).
Its report in the chosen language (cli.language); a refusal in English and Chinese
(cli.errors)."""
from __future__ import annotations


import click

from footprint.errors import Message
from footprint.settings import footprint_home
from footprint.usecases import dbcopy

from ..errors import fail_cleanly, failed
from ..language import said, say
from ..render import table


def _report(verification: dbcopy.Verification) -> None:
    rows = [[name, "-" if source is None else source, "-" if copy is None else copy]
            for name, source, copy in verification.counts]
    click.echo(table(rows, [say("table"), say("source rows"), say("copy rows")]))
    click.echo()
    click.echo(say("verification:"))
    for check in verification.checks:
        mark, outcome = ("✓", said(check.passed)) if check.ok else ("✗", "")
        click.echo(f"  {mark} " + say("%(check)s: %(outcome)s", check=said(check.name),
                                      outcome=outcome).rstrip())
        for problem in check.problems[:dbcopy.MAX_SHOWN]:
            click.echo(f"      - {said(problem)}")
        if len(check.problems) > dbcopy.MAX_SHOWN:
            more = len(check.problems) - dbcopy.MAX_SHOWN
            click.echo("      " + say("... and %(count)s more", count=more))
    failing = [c for c in verification.checks if not c.ok]
    if failing:
        failed(Message("the copy failed verification: %(count)s check(s) found problems",
                       count=len(failing)))
    click.echo(say("the copy is verified: the platform may move to it."))


@click.command("copy")
@click.option("--to", "to", required=True, metavar="URL",
              help="postgresql://... (moving up), or sqlite:///PATH or PATH.db (a snapshot "
                   "of a PostgreSQL platform in one file).")
@fail_cleanly
def db_copy(to):
    """Copy the platform's database to an empty database of the other engine, in one
    transaction, then verify the copy: every table's row count, the log's root against the
    checkpoint signed by the platform key, every label re-verified, ids continuing after
    the copied ones. Nothing is written when the target is not empty, the platform's
    database is not fully migrated or the URL is wrong; the platform's database is only
    read. Exit 0 when the copy is verified, 1 when refused or not verified, 2 for a wrong
    --to."""
    home = footprint_home()
    report = dbcopy.copy_platform(home, to)
    seconds = round(report.seconds, 1)
    click.echo(say("copied %(source)s to %(target)s: %(rows)s rows in %(seconds)s s",
                   source=report.source, target=report.target,
                   rows=sum(report.written.values()), seconds=seconds))
    if report.migrated:
        click.echo(say("(the target's migrations ran in the same transaction)"))
    _report(dbcopy.verify_copy_at(home, to, report.manifest))


@click.command("verify-copy")
@click.argument("copy", metavar="URL")
@fail_cleanly
def db_verify_copy(copy):
    """Verify a copy made by `footprint db copy` against the platform as it is now (the
    platform stopped since the copy, or nothing written meanwhile). Exit 0 when verified."""
    _report(dbcopy.verify_against(footprint_home(), copy))
