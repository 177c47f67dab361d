"""``footprint calc | validate``: a BOM file's footprint, or whether it would calculate.

The file is JSON (a whole BOM), CSV or XLSX (a header block and the lines), read by
footprint.bomfiles exactly as the web's upload reads it; problems are said at the file's
row and column. ``--set FIELD=VALUE`` gives a header field a CSV or XLSX file leaves out
(or overrides it), with the names of the file's header block (docs/bom.md).
"""
from __future__ import annotations

from pathlib import Path

import click

from footprint.bom import parse_bom
from footprint.bomfiles import BomFile, header_fields, read_bom_path
from footprint.display import footprint
from footprint.engine import Engine
from footprint.engine.dataversions import find_data_version
from footprint.engine.uncertainty import DRAWS, SEED, summarise
from footprint.plugins import get_plugin_manager
from footprint.settings import footprint_home
from footprint.usecases.supplier import home_labels

from .. import render
from ..errors import fail_cleanly, usage_exit

bom_path = click.argument("bom", type=click.Path(dir_okay=False, path_type=Path))
header_option = click.option(
    "--set", "settings", multiple=True, metavar="FIELD=VALUE",
    help="A header field of a CSV or XLSX file, as its header block names it: "
         "产品名称=..., 地区=四川, 声明单位='1 kg', category=oranges, "
         "parameters.yield_kg_per_ha=30000 (repeatable; wins over the file).")


def read(path: Path, settings: tuple[str, ...]) -> tuple[BomFile, object]:
    """The file, and its BOM parsed (problems at the file's rows and columns)."""
    pairs = []
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or not key.strip():
            usage_exit(f"--set {setting!r}: write FIELD=VALUE, e.g. --set 地区=四川")
        pairs.append((key.strip(), value.strip()))
    header, where = header_fields(pairs, "--set")
    found = read_bom_path(path, override=header, override_where=where)
    if settings and found.kind == "json":
        usage_exit(f"{path}: a JSON file is a whole BOM; --set is for CSV and XLSX files")
    with found.located():
        # keep_going: the shape's problems wait for the resolution's, to be said in one round
        return found, parse_bom(found.bom, origin=str(path), keep_going=True)


@click.command()
@bom_path
@header_option
@click.option("--method", default=None, help="Characterisation method: ar6 (default) or ar5.")
@click.option("--data-version", default=None, metavar="NAME|HASH",
              help="Calculate with this data version: a name from `footprint data versions` "
                   "(default: the newest) or its hash (at least 8 hex digits).")
@click.option("--uncertainty", is_flag=True,
              help="Also the range of the footprint: P5, P50 and P95 of a lognormal Monte "
                   "Carlo over the lines' factors and amounts (docs/data-quality.md).")
@click.option("--draws", type=click.IntRange(100, 100_000), default=DRAWS, show_default=True,
              help="Monte Carlo draws (with --uncertainty).")
@click.option("--seed", type=int, default=SEED, show_default=True,
              help="Seed of the draws (with --uncertainty): the same seed, the same range.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def calc(bom, settings, method, data_version, uncertainty, draws, seed, as_json):
    """Calculate the footprint of a BOM file (JSON, CSV or XLSX)."""
    pm = get_plugin_manager()
    name = find_data_version(pm, data_version, "--data-version") if data_version else None
    engine = Engine(plugin_manager=pm, data_version=name)
    found, parsed = read(bom, settings)
    with found.located(), home_labels(footprint_home()) as labels:
        result = engine.calculate(parsed, method=method, labels=labels)
    spread = summarise([result], engine.registry, draws, seed)[0] if uncertainty else None
    if as_json:
        render.dump({**result, "uncertainty": spread} if spread else result)
        return
    click.echo(render.result_text(result))
    if spread:
        click.echo(f"range (P5-P95): {footprint(spread['p5'])}-{footprint(spread['p95'])} kg "
                   f"CO2e, median {footprint(spread['p50'])} ({spread['draws']} draws, seed "
                   f"{spread['seed']}; {spread['method']})")


@click.command()
@bom_path
@header_option
@fail_cleanly
def validate(bom, settings):
    """Check a BOM file (JSON, CSV or XLSX) without calculating it."""
    found, parsed = read(bom, settings)
    with found.located(), home_labels(footprint_home()) as labels:
        resolved = Engine().resolve(parsed, labels=labels)
    modelled = sum(1 for r in resolved.lines if r.line.model)
    own = len(resolved.lines) - modelled
    extra = f", {modelled} modelled from the category parameters" if modelled else ""
    click.echo(f"{bom}: valid ({own} lines{extra})")
