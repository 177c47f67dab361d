"""``footprint publish DIR``: a static verification site (the scan page, trust list, log
tiles, label index, status list and checkpoint) that any static host can serve."""
from __future__ import annotations

import sys

import click

from footprint import FootprintError, InvalidInput
from footprint.settings import footprint_home
from footprint.usecases import publishing
from footprint.usecases.database import connect, database_path, pending

from ..language import chinese as said_in_chinese
from ..render import dump


def _refuse(exc: InvalidInput) -> None:
    """Every problem in Chinese, then in English; exit 2."""
    for problem in exc.problems:
        chinese = said_in_chinese(problem.message)
        if chinese and chinese != str(problem.message):
            click.echo(f"错误：{chinese}", err=True)
        click.echo(f"error: {problem.where}: {problem.message}", err=True)
    sys.exit(2)


@click.command()
@click.argument("directory", metavar="DIR")
@click.option("--base-url", default=None, metavar="URL",
              help="Where DIR will be served (e.g. https://verify.example.cn; http only for "
                   "127.0.0.1 or localhost): the command then prints the full URL of the page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def publish(directory, base_url, as_json):
    """Write into DIR everything a static host needs to verify this platform's labels in a
    browser: the scan page, the trust list, the log's tiles, the label index, the signed
    status list and the signed checkpoint (docs/static-verification.md). A second run
    writes only what changed. Exits 2 when DIR cannot be written, --base-url is no https URL
    or there is no issuer key."""
    if base_url is not None:  # before DIR is written, not after
        try:
            base_url = publishing.checked_base_url(base_url)
        except InvalidInput as exc:
            _refuse(exc)
    home = footprint_home()
    db = connect(database_path(home))
    if pending(db):
        raise click.UsageError("run `footprint db migrate` first")
    try:
        report = publishing.publish(db, home, directory)
    except InvalidInput as exc:
        _refuse(exc)
    except FootprintError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    page = f"{base_url}/{publishing.PAGE_DIR}/" if base_url else \
        f"<where DIR is served>/{publishing.PAGE_DIR}/"
    if as_json:
        dump({**report.as_dict(), "url": f"{page}#<label base32>"})
        return
    click.echo(f"published a log of {report.size} leaves into {directory} "
               f"(previously {report.previous_size})")
    click.echo(f"tiles: {report.tiles_written} written, {report.tiles_kept} already there; "
               f"label index: {report.labels_added} labels in {report.shards_written} shards")
    click.echo(f"serve DIR as static files; a label's page is {page}#<label base32>")
    click.echo(f"标签核验页：{page}#<标签 base32 编码>（任何静态文件服务器即可，无需改写规则）")
