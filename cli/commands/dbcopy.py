"""``footprint db copy --to URL`` and ``footprint db verify-copy URL``: the platform's
database moved to the other engine, and the copy verified (docs/postgresql.md, Moving up).
Chinese by default, English with ``--lang en``."""
from __future__ import annotations

import sys

import click

from footprint import FootprintError, InvalidInput
from footprint.settings import footprint_home
from footprint.usecases import dbcopy

from ..language import language_option, said
from ..render import table

# what only these commands say, in both languages (the core's Messages come from the
# catalogue: cli.language)
WORDS = {
    "table": ("表", "table"),
    "source": ("源库行数", "source rows"),
    "copy": ("副本行数", "copy rows"),
    "copied": ("已复制：%(source)s → %(target)s，%(rows)s 行，%(seconds).1f 秒",
               "copied %(source)s to %(target)s: %(rows)s rows in %(seconds).1f s"),
    "migrated": ("（目标库的迁移已在同一事务中执行）",
                 "(the target's migrations ran in the same transaction)"),
    "checks": ("核验：", "verification:"),
    "ok": ("副本核验通过：可切换到副本。", "the copy is verified: the platform may move to it."),
    "failed": ("副本核验未通过：%(count)s 项检查发现问题。",
               "the copy failed verification: %(count)s check(s) found problems."),
    "more": ("……另有 %(count)s 个问题", "... and %(count)s more"),
    "error": ("错误：", "error: "),
}


def _word(key: str, language: str, **params) -> str:
    zh, en = WORDS[key]
    text = zh if language == "zh" else en
    return text % params if params else text


def _fail(exc: FootprintError, language: str) -> None:
    """The error in the chosen language; exit 2 for bad input, 1 for a refusal."""
    if isinstance(exc, InvalidInput):
        for problem in exc.problems:
            click.echo(f"{_word('error', language)}{problem.where}: "
                       f"{said(problem.message, language)}", err=True)
        sys.exit(2)
    click.echo(f"{_word('error', language)}{said(exc.message, language)}", err=True)
    sys.exit(1)


def _report(verification: dbcopy.Verification, language: str) -> None:
    rows = [[name, "-" if source is None else source, "-" if copy is None else copy]
            for name, source, copy in verification.counts]
    click.echo(table(rows, [_word(k, language) for k in ("table", "source", "copy")]))
    click.echo()
    click.echo(_word("checks", language))
    for check in verification.checks:
        mark, said_of = ("✓", said(check.passed, language)) if check.ok else ("✗", "")
        colon = "：" if language == "zh" else ": "
        click.echo(f"  {mark} {said(check.name, language)}{colon}{said_of}".rstrip())
        for problem in check.problems[:dbcopy.MAX_SHOWN]:
            click.echo(f"      - {said(problem, language)}")
        if len(check.problems) > dbcopy.MAX_SHOWN:
            more = len(check.problems) - dbcopy.MAX_SHOWN
            click.echo(f"      {_word('more', language, count=more)}")
    failed = [c for c in verification.checks if not c.ok]
    if failed:
        click.echo(_word("failed", language, count=len(failed)), err=True)
        sys.exit(1)
    click.echo(_word("ok", language))


@click.command("copy")
@click.option("--to", "to", required=True, metavar="URL",
              help="postgresql://... (moving up), or sqlite:///PATH or PATH.db (a snapshot "
                   "of a PostgreSQL platform in one file).")
@language_option
def db_copy(to, language):
    """Copy the platform's database to an empty database of the other engine, in one
    transaction, then verify the copy: every table's row count, the log's root against the
    checkpoint signed by the platform key, every label re-verified, ids continuing after
    the copied ones. Nothing is written when the target is not empty, the platform's
    database is not fully migrated or the URL is wrong; the platform's database is only
    read. Exit 0 when the copy is verified, 1 when refused or not verified, 2 for a wrong
    --to."""
    home = footprint_home()
    try:
        report = dbcopy.copy_platform(home, to)
        click.echo(_word("copied", language, source=report.source, target=report.target,
                         rows=sum(report.written.values()), seconds=report.seconds))
        if report.migrated:
            click.echo(_word("migrated", language))
        verification = dbcopy.verify_copy_at(home, to, report.manifest)
    except FootprintError as exc:
        _fail(exc, language)
    _report(verification, language)


@click.command("verify-copy")
@click.argument("copy", metavar="URL")
@language_option
def db_verify_copy(copy, language):
    """Verify a copy made by `footprint db copy` against the platform as it is now (the
    platform stopped since the copy, or nothing written meanwhile). Exit 0 when verified."""
    try:
        verification = dbcopy.verify_against(footprint_home(), copy)
    except FootprintError as exc:
        _fail(exc, language)
    _report(verification, language)
