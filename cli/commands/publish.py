"""``footprint publish DIR``: a static verification site (the scan page, trust list, log
tiles, label index, status list and checkpoint) that any static host can serve."""
from __future__ import annotations

import click

from footprint.settings import footprint_home
from footprint.usecases import publishing
from footprint.usecases.database import open_database

from ..errors import fail_cleanly
from ..language import say
from ..render import dump


@click.command()
@click.argument("directory", metavar="DIR")
@click.option("--base-url", default=None, metavar="URL",
              help="Where DIR will be served (e.g. https://verify.example.cn; http only for "
                   "127.0.0.1 or localhost): the command then prints the full URL of the page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def publish(directory, base_url, as_json):
    """Write into DIR everything a static host needs to verify this platform's labels in a
    browser: the scan page, the trust list, the log's tiles, the label index, the signed
    status list and the signed checkpoint (docs/static-verification.md). A second run
    writes only what changed. Exits 2 when DIR cannot be written, --base-url is no https URL
    or there is no issuer key."""
    if base_url is not None:  # before DIR is written, not after
        base_url = publishing.checked_base_url(base_url)
    home = footprint_home()
    db = open_database(home)
    report = publishing.publish(db, home, directory)  # refused input: exit 2, else 1
    if as_json:
        page = f"{base_url}/{publishing.PAGE_DIR}/" if base_url else \
            f"<where DIR is served>/{publishing.PAGE_DIR}/"
        dump({**report.as_dict(), "url": f"{page}#<label base32>"})
        return
    click.echo(say("published a log of %(size)s leaves into %(directory)s (previously "
                   "%(previous)s)", size=report.size, directory=directory,
                   previous=report.previous_size))
    click.echo(say("tiles: %(written)s written, %(kept)s already there; label index: "
                   "%(labels)s labels in %(shards)s shards", written=report.tiles_written,
                   kept=report.tiles_kept, labels=report.labels_added,
                   shards=report.shards_written))
    page = f"{base_url}/{publishing.PAGE_DIR}/" if base_url else \
        say("<where DIR is served>") + f"/{publishing.PAGE_DIR}/"
    click.echo(say("serve DIR as static files; a label's page is %(page)s#<label base32>",
                   page=page))
