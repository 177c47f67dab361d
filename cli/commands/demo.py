"""``footprint demo``: migrate, seed the demo data once, print the logins, run the service:
on loopback over http, or with ``--lan`` over HTTPS on this machine's network address so a
phone on the same network opens the labels' QR codes (footprint/usecases/demotls.py)."""
from __future__ import annotations

import os

import click

from footprint.engine import Engine
from footprint.errors import Conflict, Message
from footprint.settings import footprint_home
from footprint.usecases import demo as demo_data
from footprint.usecases.database import connect, database_location, database_named, migrate
from footprint.usecases.demotls import demo_certificate, lan_address

from ..errors import fail_cleanly
from ..language import listed, say, term
from ..render import table
from .service import applied_migration, serve

# the submissions' statuses in the order a submission goes through them
STATUSES = ("draft", "submitted", "returned", "verified", "approved", "issued", "superseded",
            "revoked")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def logins_table() -> str:
    return table([[p.username, p.password, term("role", p.role), p.org.name]
                  for p in demo_data.PEOPLE],
                 [say("username"), say("password"), say("role"), say("organisation")])


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--lan", is_flag=True,
              help="Serve HTTPS on every interface (not --host) with a self-signed "
                   "certificate, the labels' QR codes naming this machine's network address, "
                   "so a phone on the same network opens them.")
@click.option("--tls", is_flag=True, help="Serve HTTPS on --host (self-signed certificate).")
@click.option("--no-serve", is_flag=True, help="Seed and print the logins, then stop.")
@click.pass_context
@fail_cleanly
def demo(ctx, host, port, lan, tls, no_serve):
    """Seed demo data (once) and run the web service with demo logins."""
    home = footprint_home()
    public = host
    if lan:
        public = lan_address()
        if public is None:
            raise Conflict(Message("this machine has no network address for a phone to "
                                   "reach; join a network, or run the demo without --lan"))
        host = "0.0.0.0"
    db = connect(database_location(home))
    for version, name in migrate(db):
        click.echo(applied_migration(version, name))
    result = demo_data.seed(db, Engine(home=home))
    if result.created:
        click.echo(say("seeded demo data into %(database)s: %(organisations)s organisations, "
                       "%(users)s users, %(submissions)s submissions",
                       database=database_named(home), organisations=result.organisations,
                       users=result.users, submissions=len(result.submissions)))
    else:
        click.echo(say("demo data already in %(database)s; nothing added",
                       database=database_named(home)))
    counts = demo_data.status_counts(db)
    db.close()
    by_status = [say("%(count)s %(status)s", count=counts[s], status=term("status", s))
                 for s in STATUSES if s in counts]
    click.echo(say("submissions: %(counts)s", counts=listed(by_status)))

    cert = demo_certificate(home, [public]) if lan or tls else None
    scheme = "https" if cert else "http"
    click.echo("")
    click.echo(click.style(f"  {scheme}://{_url_host(public)}:{port}/login", bold=True))
    click.echo("")
    click.echo(logins_table())
    click.echo("")
    click.echo(click.style(say("warning: these passwords are published for the demonstration "
                               "only; never use them for real data."), fg="yellow"))
    if cert is not None:
        click.echo("")
        click.echo(phone_steps(f"{_url_host(public)}:{port}", cert) if lan else
                   certificate_note(cert))
    if no_serve:
        click.echo(say("not serving (--no-serve); run `footprint demo` again to start the "
                       "service"))
        return
    if host not in LOOPBACK:
        click.echo(click.style(say("warning: the demo, with its published passwords, is open "
                                   "to the network on port %(port)s.", port=port), fg="red"))
    if cert is None:
        # Sessions over plain http: for this local demo server only. `footprint serve` keeps
        # the cookies Secure (HTTPS) because this variable is set here, in the process that
        # becomes the demo's gunicorn, and nowhere else.
        os.environ["FOOTPRINT_INSECURE_COOKIES"] = "1"
        click.echo(click.style(say("note: local demo setting FOOTPRINT_INSECURE_COOKIES=1: "
                                   "session cookies go over plain http; `footprint serve` "
                                   "behind HTTPS keeps them secure."), fg="yellow"))
    else:
        # The QR codes are drawn when a page asks for them, with this host: every label
        # printed from now on opens this service over HTTPS, whichever address the page was
        # opened at (labels printed before keep the host they were printed with).
        os.environ["FOOTPRINT_PUBLIC_HOST"] = f"{_url_host(public)}:{port}"
    click.echo(say("Ctrl+C stops the service."))
    tls = {"certfile": str(cert.cert_path), "keyfile": str(cert.key_path)} if cert else {}
    ctx.invoke(serve, host=host, port=port, **tls)


def _url_host(host: str) -> str:
    return "localhost" if host in ("::1", "0.0.0.0") else host


def certificate_note(cert) -> str:
    return "\n".join([
        say("HTTPS with a self-signed certificate (%(path)s); the browser warns once: accept "
            "it.", path=cert.cert_path),
        f"  SHA-256 {cert.fingerprint}"])


def phone_steps(address: str, cert) -> str:
    """What a phone user does to open the demo's labels."""
    url = f"https://{address}/"
    return "\n".join([
        click.style(say("To scan the labels with a phone:"), bold=True),
        "  1. " + say("Join the phone to the same Wi-Fi or network as this computer."),
        "  2. " + say("Open %(url)s in the phone's browser and accept the warning about the "
                      "self-signed certificate (Advanced → Proceed).", url=url),
        "  3. " + say("On this computer, log in (e.g. as reviewer), open a submission with an "
                      "issued label and show the label; scan its QR code, on the screen or "
                      "printed, with the phone's camera: the code's URL leads to this "
                      "computer."),
        "  " + say("certificate: %(path)s", path=cert.cert_path),
        f"  SHA-256 {cert.fingerprint}",
        "  " + say("Nothing opens? Let the port through this computer's firewall."),
    ])
