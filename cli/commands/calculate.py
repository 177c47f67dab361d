"""``footprint calc``: a BOM file's footprint (``footprint validate``: cli.commands.bomfile).

The file is JSON (a whole BOM), CSV or XLSX (a header block and the lines), read by
footprint.bomfiles exactly as the web's upload reads it; problems are said at the file's
row and column. ``--set FIELD=VALUE`` gives a header field a CSV or XLSX file leaves out
(or overrides it), with the names of the file's header block (docs/bom.md).

A result that follows from the file and the installation alone is kept
(footprint.engine.resultcache): the same file calculated again, with nothing it depends on
changed, prints the stored result without loading the plugins, the engine or numpy, its lines
and sources named by the names kept beside it (footprint.resultnames), as the submission page
names them. The sources are said in short, a line each (publisher, what, year, confidence,
plugin); ``--sources`` adds each one's whole citation, and ``--json`` holds everything.
"""
from __future__ import annotations

import click

from footprint.dataquality import DRAWS, RANGE_METHOD, SEED
from footprint.display import footprint, quantity
from footprint.engine import resultcache
from footprint.resultnames import ResultNames
from footprint.settings import footprint_home

from .. import render
from ..errors import fail_cleanly
from ..language import said, say
from .bomoptions import bom_path, header_option

@click.command()
@bom_path
@header_option
@click.option("--method", default=None, help="Characterisation method: ar6 (default) or ar5.")
@click.option("--data-version", default=None, metavar="NAME|HASH",
              help="Calculate with this data version: a name from `footprint data versions` "
                   "(default: the newest) or its hash (at least 8 hex digits).")
@click.option("--draws", type=click.IntRange(100, 100_000), default=DRAWS, show_default=True,
              help="Monte Carlo draws of the footprint's range (P5-P95, docs/data-quality.md).")
@click.option("--seed", type=int, default=SEED, show_default=True,
              help="Seed of the draws: the same seed, the same range.")
@click.option("--sources", "whole_sources", is_flag=True,
              help="Print each source's whole citation (how and where its figures were read) "
                   "under its line.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def calc(bom, settings, method, data_version, draws, seed, whole_sources, as_json):
    """Calculate the footprint of a BOM file (JSON, CSV or XLSX)."""
    key = resultcache.request_key(bom, {"set": list(settings), "method": method,
                                        "data_version": data_version, "draws": draws,
                                        "seed": seed})
    kept = resultcache.lookup(footprint_home(), key)
    if kept is None:
        # only when no stored result fits: the plugins, the engine and numpy load with it
        from .bomfile import calculate
        kept = calculate(bom, settings, method, data_version, draws, seed, key)
    result, names = kept
    if as_json:
        render.dump(result)
        return
    click.echo(render.result_text(result, ResultNames.from_data(names), whole_sources))
    spread = result["uncertainty"]
    click.echo(say("range (P5-P95): %(p5)s-%(p95)s kg CO2e, median %(p50)s (%(draws)s draws, "
                   "seed %(seed)s; %(method)s)", p5=footprint(spread["p5"]),
                   p95=footprint(spread["p95"]), p50=footprint(spread["p50"]),
                   draws=quantity(spread["draws"]), seed=spread["seed"],
                   method=said(RANGE_METHOD) if spread["method"] == RANGE_METHOD
                   else spread["method"]))

