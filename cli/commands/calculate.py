"""``footprint calc | validate``: a BOM file's footprint, or whether it would calculate."""
from __future__ import annotations

from pathlib import Path

import click

from footprint.bom import read_bom_file
from footprint.engine import Engine
from footprint.engine.dataversions import find_data_version
from footprint.plugins import get_plugin_manager

from .. import render
from ..errors import fail_cleanly

bom_path = click.argument("bom", type=click.Path(dir_okay=False, path_type=Path))


@click.command()
@bom_path
@click.option("--method", default=None, help="Characterisation method: ar6 (default) or ar5.")
@click.option("--data-version", default=None, metavar="NAME|HASH",
              help="Calculate with this data version: a name from `footprint data versions` "
                   "(default: the newest) or its hash (at least 8 hex digits).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def calc(bom, method, data_version, as_json):
    """Calculate the footprint of a BOM file."""
    pm = get_plugin_manager()
    name = find_data_version(pm, data_version, "--data-version") if data_version else None
    engine = Engine(plugin_manager=pm, data_version=name)
    result = engine.calculate(read_bom_file(bom), method=method)
    render.dump(result) if as_json else click.echo(render.result_text(result))


@click.command()
@bom_path
@fail_cleanly
def validate(bom):
    """Check a BOM file without calculating it."""
    engine = Engine()
    resolved = engine.resolve(read_bom_file(bom))
    modelled = sum(1 for r in resolved.lines if r.line.model)
    own = len(resolved.lines) - modelled
    extra = f", {modelled} modelled from the category parameters" if modelled else ""
    click.echo(f"{bom}: valid ({own} lines{extra})")
