"""``footprint library import | list | show``: the platform's own factor libraries."""
from __future__ import annotations

import getpass
from pathlib import Path

import click

from footprint.bom import file_bytes
from footprint.display import quantity
from footprint.settings import footprint_home
from footprint.usecases import libraries as kept

from .. import render
from ..errors import fail_cleanly
from ..language import chosen, say, term

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
def library():
    """The platform's own factor libraries: import a factor table, list them."""


@library.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="The library's name, e.g. sichuan-building.")
@click.option("--version", "version", required=True, help="This version's name, e.g. 2025.1.")
@click.option("--title", default="", help="A title people read (default: Factor library NAME).")
@click.option("--publisher", default="", help="Who publishes the factors.")
@click.option("--licence", default="", help="The terms the factors are used under.")
@json_option
@fail_cleanly
def import_(file, name, version, title, publisher, licence, as_json):
    """Import FILE (CSV or XLSX: one factor a row; docs/libraries.md lists the columns) as
    version VERSION of library NAME. A file with any problem is refused whole, every problem
    named at its row and column; a version once imported is never replaced."""
    content = file_bytes(file)
    found = kept.import_library(footprint_home(), file.name, content, name, version,
                                by=f"{getpass.getuser()} (command line)", title=title,
                                publisher=publisher, licence=licence)
    if as_json:
        render.dump(found)
        return
    newest = found["versions"][-1]
    click.echo(say("library %(name)s: version %(version)s imported, %(count)s factors; BOM "
                   "lines use them as library/%(name)s/<id> (footprint library show %(name)s)",
                   name=name, version=version, count=newest["factors"]))
    click.echo(say("data version: every result calculated from now on names %(library)s",
                   library=f"{name}@{version}"))


@library.command("list")
@json_option
@fail_cleanly
def list_(as_json):
    """The libraries with their versions."""
    listed = kept.libraries(footprint_home())
    if as_json:
        render.dump(listed)
        return
    if not listed:
        click.echo(say("no library imported yet (footprint library import FILE --name N "
                       "--version V)"))
        return
    click.echo(render.table(
        [[lib["name"], v["version"], render.when(v["published"]), v.get("factors") or "",
          lib["title_zh"] if chosen() == "zh" else lib["title"]]
         for lib in listed for v in lib["versions"]],
        [say("library"), say("version"), render.in_zone(say("imported")), say("factors"),
         say("title")]))


@library.command("show")
@click.argument("name")
@click.option("--version", "version", default=None, help="A version (default: the newest).")
@json_option
@fail_cleanly
def show(name, version, as_json):
    """The factors of library NAME, each with its source."""
    factors = kept.library_factors(footprint_home(), name, version)
    if as_json:
        render.dump([{**f.__dict__, "input": f"library/{name}/{f.id}"} for f in factors])
        return
    click.echo(render.table(
        [[f"library/{name}/{f.id}", f.name_zh, f.name_en, quantity(f.value),
          f"kg {f.gas}/{f.unit}", term("confidence_level", f.confidence)] for f in factors],
        [say("input"), say("Chinese name"), say("English name"), say("value"), say("unit"),
         say("confidence")]))
    click.echo(say("sources:"))
    for f in factors:
        click.echo(f"  {f.id}: {f.citation()}")
