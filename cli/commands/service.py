"""``footprint db | users | tokens | serve``: what an operator runs for the web service.

The operator at the command line acts with every right an administrator has (they hold the
database): users are listed, added, deactivated and activated again through the same use
cases as the administration page, and tokens listed and revoked by their text, number or
user. What these commands do to accounts is recorded as security events (`footprint
security events`), not printed as log lines among their answers."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from footprint import engine as engines
from footprint.errors import Message
from footprint.settings import footprint_home, secret_key
from footprint.usecases.database import (connect, copy, database_location, database_named,
                                         migrate, open_database)
from footprint.usecases.hosts import HostRefused, check_host
from footprint.usecases.organisations import (NewOrganisation, edit_organisation, find_organisation,
                                              list_organisations, organisation)
from footprint.usecases.tokens import TOKEN_PREFIX, create_token, list_tokens, revoke_tokens
from footprint.usecases.users import (create_user, generate_password, list_users, set_password,
                                      set_user_active, user_named)
from footprint.workflow import ORG_KINDS, ROLES

from .. import render
from ..errors import existing_file, fail_cleanly, note, usage_exit
from ..language import said, say, term
from .dbcopy import db_copy, db_verify_copy

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
# the security log's events are in the database already: without a handler of its own,
# logging's last resort would print each on the operator's terminal
_IN_THE_DATABASE = logging.NullHandler()


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
        click.echo(applied_migration(version, name))
    click.echo(say("database %(name)s is up to date", name=database_named(footprint_home())))
    _check_host(db, secret=None)  # the keys only: a migration job serves no sessions


def applied_migration(version: int, name: str) -> str:
    return say("applied migration %(version)s: %(name)s", version=version, name=name)


def _check_host(db, secret: str | None) -> None:
    """Exit 1, saying why in English and Chinese, when this host's keys (or ``secret``)
    are not the platform's; else say what was recorded as the platform's."""
    try:
        done = check_host(db, footprint_home(), secret)
    except HostRefused as exc:
        click.echo(f"error: {exc.both()}", err=True)
        sys.exit(1)
    for kid in done.keys:
        click.echo(say("recorded issuer key %(kid)s as the platform's", kid=kid))
    if done.secret:
        click.echo(say("recorded the secret key's fingerprint as the platform's"))


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
        usage_exit(Message("%(path)s exists; choose a new file", path=path))
    made = copy(footprint_home(), path)
    click.echo(say("copied the database (only) to %(path)s: %(made)s", path=path, made=made))
    note(Message("the issuer keys and the secret key are not in it; `footprint backup "
                      "create FILE` makes a backup a platform can restore"))


db.add_command(db_copy)
db.add_command(db_verify_copy)


def _accounts_db():
    """The database for a command on accounts, migrated; the security log kept off the
    terminal."""
    security_log = logging.getLogger("footprint.security")
    if _IN_THE_DATABASE not in security_log.handlers:
        security_log.addHandler(_IN_THE_DATABASE)
    return open_database(footprint_home())


@click.group()
def users():
    """Accounts of producers, verifiers, reviewers and administrators."""


@users.command("list")
@click.option("--role", type=click.Choice(ROLES), default=None, help="Only users of this role.")
@click.option("--org", default=None,
              help="Only users of this organisation (number, credit code or name).")
@json_option
@fail_cleanly
def users_list(role, org, as_json):
    """Every user: number, username, name, role, organisation, active or not, when added."""
    rows = list_users(_accounts_db(), role, org)
    if as_json:
        render.dump(rows)
        return
    click.echo(render.table(
        [[r["id"], r["username"], r["display_name"], term("role", r["role"]), r["org_name"],
          say("yes") if r["active"] else say("no"), render.when(r["created_at"])]
         for r in rows],
        ["id", say("username"), say("name"), say("role"), say("organisation"), say("active"),
         render.in_zone(say("added"))]) if rows else say("no users"))


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "org", required=True,
              help="The user's organisation: its number, unified social credit code, name, "
                   "or the Chinese or English part of its name (`footprint orgs list`).")
@click.option("--display-name", default=None)
@click.option("--new-org", is_flag=True,
              help="Make ORG a new organisation (refused if a name or code finds one).")
@click.option("--kind", type=click.Choice(ORG_KINDS), default=None,
              help="The new organisation's kind (with --new-org; default: the role's).")
@click.option("--region", default=None,
              help="The new organisation's region, e.g. CN-SC or 四川 (with --new-org).")
@click.option("--credit-code", default=None,
              help="The new organisation's unified social credit code (with --new-org).")
@fail_cleanly
def users_add(name, role, org, display_name, new_org, kind, region, credit_code):
    """Add a user NAME (3 to 64 letters, digits, dots, underscores or hyphens, unlike any
    other user's name but for case) to the organisation ORG names; with --new-org, to a new
    organisation ORG. The password is read from standard input, or generated and printed."""
    described = [o for o, v in (("--kind", kind), ("--region", region),
                                ("--credit-code", credit_code)) if v is not None]
    if described and not new_org:
        usage_exit(Message("%(options)s: only with --new-org, for a new organisation (to "
                           "correct an existing one: footprint orgs edit)", options=described))
    db = _accounts_db()
    password = None if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    generated = not password
    password = password or generate_password()
    # the registry (and the pipeline it comes with) only to check a region
    registry = engines.Engine(footprint_home()).registry if region else None
    user = create_user(db, name, role, org, password, display_name,
                       new_org=NewOrganisation(kind, region, credit_code) if new_org else None,
                       registry=registry)
    made = organisation(db, user["org_id"])
    added = {"user": user["username"], "role": term("role", role), "org": made["name"]}
    click.echo(say("added %(user)s (%(role)s) to %(org)s (a new organisation)", **added)
               if new_org else say("added %(user)s (%(role)s) to %(org)s", **added))
    if generated:
        click.echo(said_password(password))


@users.command("password")
@click.argument("name")
@fail_cleanly
def users_password(name):
    """Set a user's password (read from standard input, or generated and printed). Every
    session of the user ends: browsers logged in as them must log in again."""
    db = _accounts_db()
    password = None if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    generated = not password
    password = password or generate_password()
    set_password(db, name, password)
    click.echo(say("password of %(user)s set; their sessions have ended", user=name))
    if generated:
        click.echo(said_password(password))


def said_password(password: str) -> str:
    return say("password: %(password)s", password=password)


def _set_active(name: str, active: bool) -> None:
    db = _accounts_db()
    user = user_named(db, name)
    if bool(user["active"]) == active:
        click.echo(say("%(user)s is active already", user=name) if active else
                   say("%(user)s is deactivated already", user=name))
        return
    set_user_active(db, None, user["id"], active)
    click.echo(say("%(user)s activated: they may log in again, and their unrevoked API tokens "
                   "work again", user=name) if active else
               say("%(user)s deactivated: their sessions have ended and their API tokens no "
                   "longer work", user=name))


@users.command("deactivate")
@click.argument("name")
@fail_cleanly
def users_deactivate(name):
    """Deactivate user NAME: they cannot log in, their sessions end and their API tokens stop
    working (as on the administration page). `users activate NAME` undoes it."""
    _set_active(name, False)


@users.command("activate")
@click.argument("name")
@fail_cleanly
def users_activate(name):
    """Activate user NAME again: they may log in, and their tokens not revoked work again."""
    _set_active(name, True)


@click.group()
def orgs():
    """Organisations: listed, and their name, region or credit code corrected."""


@orgs.command("list")
@click.option("--kind", type=click.Choice(ORG_KINDS), default=None,
              help="Only organisations of this kind.")
@json_option
@fail_cleanly
def orgs_list(kind, as_json):
    """Every organisation: number, name, kind, region, unified social credit code, users."""
    rows = list_organisations(_accounts_db(), kind)
    if as_json:
        render.dump(rows)
        return
    click.echo(render.table(
        [[r["id"], r["name"], term("org_kind", r["kind"]), r["region"] or "-",
          r["credit_code"] or "-", r["users"]] for r in rows],
        ["id", say("name"), say("kind"), say("region"), say("credit code"), say("users")])
        if rows else say("no organisations"))


@orgs.command("edit")
@click.argument("org")
@click.option("--name", default=None, help="Its new name (e.g. 中文名 English Name).")
@click.option("--region", default=None, help='Its region, e.g. CN-SC or 四川 ("" for none).')
@click.option("--credit-code", default=None,
              help='Its unified social credit code ("" for none).')
@fail_cleanly
def orgs_edit(org, name, region, credit_code):
    """Correct the name, region or unified social credit code of the organisation ORG names
    (its number, credit code, name or a part of it), as the administration page does. Labels
    issued before keep the name and code they signed; labels issued from now on sign the
    new ones. A security event (`footprint security events`); bad input exits 2 and changes
    nothing."""
    if name is None and region is None and credit_code is None:
        usage_exit(Message("name what to change: --name, --region or --credit-code"))
    db = _accounts_db()
    found = find_organisation(db, org)
    # the registry (and the pipeline it comes with) only to check a region
    registry = engines.Engine(footprint_home()).registry if region else None
    edited = edit_organisation(db, None, found["id"], name=name, region=region,
                               credit_code=credit_code, registry=registry)
    if all(edited[k] == found[k] for k in ("name", "region", "credit_code")):
        click.echo(say("organisation %(id)s %(name)s: unchanged", id=found["id"],
                       name=found["name"]))
        return
    click.echo(say("organisation %(id)s: %(name)s, region %(region)s, credit code %(code)s",
                   id=edited["id"], name=edited["name"], region=edited["region"] or "-",
                   code=edited["credit_code"] or "-"))


@click.group()
def tokens():
    """Bearer tokens for the JSON API."""


@tokens.command("create")
@click.argument("name")
@click.option("--label", default="cli", help="What the token is for.")
@fail_cleanly
def tokens_create(name, label):
    """Create an API token for user NAME and print it (it is shown only once: only its
    SHA-256 is kept)."""
    click.echo(create_token(_accounts_db(), name, label))


@tokens.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
@json_option
@fail_cleanly
def tokens_list(username, as_json):
    """Every API token: number, user, label, when made, when last used (recorded at most
    once an hour: a request records it when the one recorded is over an hour old), when
    revoked (or that its user is deactivated, so it does not work). Never the token
    itself, which is not kept: revoke one by its number or its user."""
    rows = list_tokens(_accounts_db(), username)
    if as_json:
        render.dump(rows)
        return
    click.echo(render.table(
        [[r["id"], r["username"], r["name"], render.when(r["created_at"]),
          render.when(r["last_used_at"], say("never")), _token_state(r)] for r in rows],
        # "created": the vocabulary's word for the event (an audit trail's "created")
        ["id", say("user"), say("label"), render.in_zone(term("event", "create")),
         render.in_zone(say("last used")), say("state")]) if rows else say("no tokens"))


def _token_state(token: dict) -> str:
    """Whether a token works: revoked (when), active, or its user deactivated."""
    if token["revoked_at"]:
        return say("revoked %(when)s", when=render.when(token["revoked_at"]))
    return say("active") if token["user_active"] else say("user deactivated")


@tokens.command("revoke")
@click.argument("token", required=False)
@click.option("--id", "token_id", type=click.IntRange(min=1), default=None,
              help="The token numbered N (`footprint tokens list` shows the numbers).")
@click.option("--user", "username", default=None,
              help="Every active token of this user (with --label, only those so labelled).")
@click.option("--label", default=None, help="With --user: only the tokens with this label.")
@fail_cleanly
def tokens_revoke(token, token_id, username, label):
    """Revoke TOKEN (its text), the token numbered --id N, or the tokens of --user NAME
    [--label L]: API calls with them get 401 from now on."""
    if sum(way is not None for way in (token, token_id, username)) != 1:
        usage_exit(Message("give one of TOKEN, --id N or --user NAME [--label L]"))
    if label is not None and username is None:
        usage_exit(Message("--label goes with --user"))
    token = token.strip() if token is not None else None
    if token is not None and not token.startswith(TOKEN_PREFIX):
        usage_exit(Message('"%(token)s" is no token (a token begins %(prefix)s): `footprint '
                           "tokens list` shows each token's number, user and label; revoke by "
                           "--id N or --user NAME --label LABEL", token=token,
                           prefix=TOKEN_PREFIX))
    for row in revoke_tokens(_accounts_db(), token=token, token_id=token_id,
                             username=username, label=label):
        click.echo(say("revoked token %(id)s of %(user)s (label %(label)s)", id=row["id"],
                       user=row["username"], label=row["name"]))


def served_address(host: str, port: int) -> str:
    """host:port as a URL names it; every interface (0.0.0.0, ::) names no host: localhost."""
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--certfile", type=click.Path(), default=None, callback=existing_file,
              help="Serve HTTPS with this certificate (PEM); with --keyfile.")
@click.option("--keyfile", type=click.Path(), default=None, callback=existing_file,
              help="The certificate's private key (PEM).")
def serve(host, port, workers, certfile, keyfile):
    """Migrate the database, check that this host's keys and secret key are the platform's
    (docs/deployment.md), then run the web service under gunicorn."""
    if (certfile is None) != (keyfile is None):
        usage_exit(Message("--certfile and --keyfile go together"))
    db = _db()
    for version, name in migrate(db):
        click.echo(applied_migration(version, name))
    _check_host(db, secret_key(footprint_home()))
    db.close()
    os.environ["FOOTPRINT_HOME"] = str(footprint_home())
    # where no request header may name the platform (PACT footprints and links) and no
    # FOOTPRINT_PUBLIC_HOST is set, the address the operator chose (web.labels.served_host)
    os.environ["FOOTPRINT_SERVED_ADDRESS"] = served_address(host, port)
    args = [sys.executable, "-m", "gunicorn", "--config", "python:web.serving",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-"]
    if certfile:
        args += ["--certfile", str(certfile), "--keyfile", str(keyfile)]
    os.execvp(args[0], [*args, "web:create_app()"])
