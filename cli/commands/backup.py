"""``footprint backup create | restore | check``: a backup a platform can restore.

The passphrase that encrypts the issuer keys and the secret key is never a plain argument
(it would sit in the shell history and the process list): it is typed at a prompt, read
from standard input, or read from an environment variable or a file named by an option.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from footprint.errors import Figure, Message
from footprint.settings import footprint_home
from footprint.usecases import backup as backups
from footprint.usecases import restore as restores

from ..errors import fail_cleanly, failed, note, usage_exit
from ..render import width
from ..language import said, say
from .service import applied_migration

MARK_COLUMNS = 6
passphrase_env = click.option(
    "--passphrase-env", "env_name", metavar="NAME",
    help="Read the passphrase from environment variable NAME.")
passphrase_file = click.option(
    "--passphrase-file", "passphrase_path", type=click.Path(dir_okay=False, allow_dash=True),
    help="Read the passphrase from the first line of this file ('-': standard input).")


def _passphrase(env_name: str | None, path: str | None, confirm: bool) -> str:
    """From the option given, else a hidden prompt on a terminal, else standard input."""
    if env_name and path:
        usage_exit(Message("give the passphrase one way: --passphrase-env or --passphrase-file"))
    if env_name:
        if env_name not in os.environ:
            usage_exit(Message("environment variable %(name)s is not set", name=env_name))
        return os.environ[env_name]
    if path == "-" or (path is None and not sys.stdin.isatty()):
        return sys.stdin.readline().rstrip("\r\n")
    if path is not None:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.readline().rstrip("\r\n")
        except OSError as exc:
            usage_exit(Message("cannot read the passphrase file: %(problem)s", problem=exc))
    return click.prompt(say("passphrase"), hide_input=True, confirmation_prompt=confirm,
                        err=True)


@click.group()
def backup():
    """Back up everything a platform needs, and restore it into an empty home."""


@backup.command("create")
@click.argument("file", type=click.Path(path_type=Path))
@passphrase_env
@passphrase_file
@fail_cleanly
def backup_create(file, env_name, passphrase_path):
    """Back up FOOTPRINT_HOME to FILE, a new file, while the service runs.

    FILE holds the database (SQLite's online backup; on PostgreSQL, pg_dump of one
    snapshot), the issuer keys and the secret key
    (encrypted with the passphrase: scrypt, AES-256-GCM), the trusted issuers and a manifest
    with the SHA-256 of each member. Derived folders (brightway/, cache/, translations/) are
    rebuilt and left out. Keep the passphrase apart from the archive: without it the keys
    cannot be restored."""
    home = footprint_home()
    backups.check_target(home, file)
    summary = backups.create(home, file, _passphrase(env_name, passphrase_path, confirm=True))
    size = summary.path.stat().st_size
    click.echo(say("backed up %(home)s to %(path)s (%(size)s bytes)", home=home,
                   path=summary.path, size=Figure(size)))
    for member in summary.members:
        what = say("encrypted") if member.encrypted else say(
            "%(size)s bytes", size=Figure(member.size))
        click.echo(f"  {member.name}  {what}  sha256 {member.sha256[:16]}...")
    click.echo(say("database: migration %(migration)s, %(labels)s labels, log %(size)s "
                   "entries, root %(root)s", migration=summary.migration, labels=summary.labels,
                   size=summary.log_size, root=summary.log_root))
    for item in summary.left_out:
        click.echo(say("left out: %(item)s", item=item))
    for remark in summary.notes:
        note(remark)
    check = f"footprint backup check {summary.path}"
    click.echo(say("test it: %(command)s", command=check))


def _print_report(report: restores.RestoreReport) -> None:
    for check in report.passed:
        click.echo(_marked(say("ok"), said(check)))
    for problem in report.problems:
        click.echo(_marked(say("FAIL"), said(problem)), err=True)
    for remark in report.notes:
        click.echo(_marked(say("note"), said(remark)))


def _marked(mark: str, text: str) -> str:
    """A line of the checks' report: its mark in a column of six."""
    return f"  {mark}{' ' * (MARK_COLUMNS - width(mark))}{text}"


def _summary(report: restores.RestoreReport) -> str:
    expired = say(" (%(count)s expired)", count=report.labels_expired) \
        if report.labels_expired else ""
    return say("labels verified %(verified)s of %(total)s%(expired)s, log size %(size)s, "
               "root %(root)s", verified=report.labels_verified, total=report.labels_total,
               expired=expired, size=report.log_size, root=report.log_root)


def _run_checks(action):
    """Run a restore or a check; a failed check prints every check, then exits 1."""
    try:
        return action()
    except restores.RestoreFailed as exc:
        _print_report(exc.report)
        failed(Message("%(count)s check(s) failed; nothing was restored",
                       count=len(exc.report.problems)))


@backup.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--home", "home", required=True, type=click.Path(path_type=Path),
              help="The new FOOTPRINT_HOME: a folder that is empty or does not exist yet.")
@passphrase_env
@passphrase_file
@fail_cleanly
def backup_restore(file, home, env_name, passphrase_path):
    """Restore FILE into an empty HOME, then check it: SQLite's integrity check, the
    migration level, every label re-verified against the restored trust list, the log's
    root at the backed-up size, `footprint log verify`, a checkpoint signed with the
    restored key. Files are moved into HOME only when every check passes.

    A backup of a PostgreSQL platform goes with pg_restore into the empty database
    FOOTPRINT_DATABASE_URL names; when a check fails, what it made there is dropped."""
    restores.check_paths(file, home)
    passphrase = _passphrase(env_name, passphrase_path, confirm=False)
    report = _run_checks(lambda: restores.restore(file, home, passphrase))
    click.echo(say("restored %(file)s into %(home)s", file=file, home=report.home))
    _print_report(report)
    for version, name in report.migrated:
        click.echo(applied_migration(version, name))
    click.echo(_summary(report))
    home = f"FOOTPRINT_HOME={report.home}"
    click.echo(say("serve it with %(home)s and FOOTPRINT_DATABASE_URL as set: footprint serve",
                   home=home) if os.environ.get("FOOTPRINT_DATABASE_URL", "").strip() else
               say("serve it with %(home)s: footprint serve", home=home))


@backup.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@passphrase_env
@passphrase_file
@fail_cleanly
def backup_check(file, env_name, passphrase_path):
    """Test FILE: restore it into a temporary folder, run the restore's checks, remove it.

    A backup of a PostgreSQL platform needs an empty scratch database, named by
    FOOTPRINT_DATABASE_URL: restored into it, checked, and dropped from it again."""
    restores.check_paths(file)
    passphrase = _passphrase(env_name, passphrase_path, confirm=False)
    report = _run_checks(lambda: restores.check(file, passphrase))
    manifest = report.manifest
    click.echo(say("%(file)s: made %(when)s by footprint %(version)s from %(home)s", file=file,
                   when=manifest["created_at"], version=manifest["footprint_version"],
                   home=manifest["source_home"]))
    _print_report(report)
    click.echo(_summary(report))
    click.echo(say("the backup restores (checked in a temporary folder, since removed)"))
