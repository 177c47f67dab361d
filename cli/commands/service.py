"""``footprint db | users | tokens | serve``: what an operator runs for the web service."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from footprint.settings import footprint_home, secret_key
from footprint.usecases.accounts import (create_token, create_user, generate_password,
                                         revoke_token, set_password)
from footprint.usecases.database import (connect, copy, database_location, database_named,
                                         migrate, pending)
from footprint.usecases.hosts import HostRefused, check_host
from footprint.workflow import ROLES

from ..errors import fail_cleanly
from .dbcopy import db_copy, db_verify_copy


def _db():
    return connect(database_location(footprint_home()))


@click.group()
def db():
    """The service database (FOOTPRINT_HOME/footprint.db)."""


@db.command("migrate")
def db_migrate():
    """Apply pending schema migrations (each once, in order)."""
    db = _db()
    applied = migrate(db)
    for version, name in applied:
        click.echo(f"applied migration {version}: {name}")
    click.echo(f"database {database_named(footprint_home())} is up to date")
    _check_host(db, secret=None)  # the keys only: a migration job serves no sessions


def _check_host(db, secret: str | None) -> None:
    """Exit 1, saying why in English and Chinese, when this host's keys (or ``secret``)
    are not the platform's; else say what was recorded as the platform's."""
    try:
        done = check_host(db, footprint_home(), secret)
    except HostRefused as exc:
        click.echo(f"error: {exc.both()}", err=True)
        sys.exit(1)
    for kid in done.keys:
        click.echo(f"recorded issuer key {kid} as the platform's")
    if done.secret:
        click.echo("recorded the secret key's fingerprint as the platform's")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@fail_cleanly
def db_backup(path):
    """Copy only the database to PATH (online, safe while the service runs): SQLite's
    online backup, or on PostgreSQL pg_dump's custom format.

    Not a backup a platform can restore from: the issuer keys and the secret key are left
    out, so a home rebuilt from this copy verifies none of its labels and signs no
    checkpoint. `footprint backup create FILE` backs up everything."""
    if path.exists():
        raise click.UsageError(f"{path} exists; choose a new file")
    made = copy(footprint_home(), path)
    click.echo(f"copied the database (only) to {path}: {made}")
    click.echo("note: the issuer keys and the secret key are not in it; `footprint backup "
               "create FILE` makes a backup a platform can restore", err=True)


db.add_command(db_copy)
db.add_command(db_verify_copy)


@click.group()
def users():
    """Accounts of producers, verifiers, reviewers and administrators."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "org", required=True, help="Organisation (created if new).")
@click.option("--display-name", default=None)
@click.option("--region", default=None, help="Region code of a new organisation.")
@fail_cleanly
def users_add(name, role, org, display_name, region):
    """Add a user. The password is read from standard input, or generated and printed."""
    db = _db()
    if pending(db):
        raise click.UsageError("run `footprint db migrate` first")
    password = None if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    generated = not password
    password = password or generate_password()
    user = create_user(db, name, role, org, password, display_name, region)
    click.echo(f"added {role} {user['username']} in {org}")
    if generated:
        click.echo(f"password: {password}")


@users.command("password")
@click.argument("name")
@fail_cleanly
def users_password(name):
    """Set a user's password (read from standard input, or generated and printed). Every
    session of the user ends: browsers logged in as them must log in again."""
    db = _db()
    if pending(db):
        raise click.UsageError("run `footprint db migrate` first")
    password = None if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    generated = not password
    password = password or generate_password()
    set_password(db, name, password)
    click.echo(f"password of {name} set; their sessions have ended")
    if generated:
        click.echo(f"password: {password}")


@click.group()
def tokens():
    """Bearer tokens for the JSON API."""


@tokens.command("create")
@click.argument("name")
@click.option("--label", default="cli", help="What the token is for.")
@fail_cleanly
def tokens_create(name, label):
    """Create an API token for user NAME and print it (it is shown only once)."""
    click.echo(create_token(_db(), name, label))


@tokens.command("revoke")
@click.argument("token")
def tokens_revoke(token):
    """Revoke TOKEN: API calls with it get 401 from now on."""
    if not revoke_token(_db(), token.strip()):
        click.echo("error: no such active token", err=True)
        sys.exit(1)
    click.echo("token revoked")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Serve HTTPS with this certificate (PEM); with --keyfile.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The certificate's private key (PEM).")
def serve(host, port, workers, certfile, keyfile):
    """Migrate the database, check that this host's keys and secret key are the platform's
    (docs/deployment.md), then run the web service under gunicorn."""
    if (certfile is None) != (keyfile is None):
        raise click.UsageError("--certfile and --keyfile go together")
    db = _db()
    for version, name in migrate(db):
        click.echo(f"applied migration {version}: {name}")
    _check_host(db, secret_key(footprint_home()))
    db.close()
    os.environ["FOOTPRINT_HOME"] = str(footprint_home())
    args = [sys.executable, "-m", "gunicorn", "--config", "python:web.serving",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-"]
    if certfile:
        args += ["--certfile", str(certfile), "--keyfile", str(keyfile)]
    os.execvp(args[0], [*args, "web:create_app()"])
