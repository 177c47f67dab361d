"""``footprint registry export DIR | benchmarks | adopt-bands``: the public registry's open
data, the benchmarks of verified footprints, and grade bands adopted from them."""
from __future__ import annotations

import click

from footprint.engine import Engine
from footprint.settings import benchmark_threshold, footprint_home
from footprint.usecases import benchmarks, opendata
from footprint.usecases.database import open_database

from ..categories import with_code
from ..errors import fail_cleanly
from ..language import listed, say, term
from ..render import dump


@click.group()
def registry():
    """The public registry: open data, benchmarks, grade bands."""


@registry.command("export")
@click.argument("directory", metavar="DIR")
@fail_cleanly
def export(directory):
    """Write the registry's open data into DIR (an existing directory): registry.csv,
    registry.json, benchmarks.json and manifest.cose, the SHA-256 of each signed with the
    platform's key (docs/open-data.md). Exits 2 when DIR is not a directory one may write
    in."""
    manifest = opendata.export(open_database(footprint_home()), footprint_home(), directory)
    click.echo(say("%(count)s labels, snapshot of %(date)s, in %(directory)s",
                   count=manifest["labels"], date=manifest["date"], directory=directory))
    for item in manifest["files"]:
        click.echo(f"{item['sha256']}  {item['name']}  "
                   + say("(%(count)s bytes)", count=item["bytes"]))
    click.echo(say("signed manifest: %(file)s", file=opendata.MANIFEST))


@registry.command("benchmarks")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def benchmarks_command(as_json):
    """Per category and declared unit, the distribution of current verified footprints
    (kg CO2e per declared unit): n, quartiles, the P20/P40/P60/P80 cut points."""
    found = [d.as_dict() for d in benchmarks.distributions(open_database(footprint_home()))]
    if as_json:
        dump({"quantile_method": benchmarks.QUANTILE_METHOD,
              "threshold": benchmark_threshold(), "benchmarks": found})
        return
    click.echo(say("quantiles: %(method)s; bands may be adopted from n >= %(threshold)s "
                   "(FOOTPRINT_BENCHMARK_MIN_N)", method=benchmarks.QUANTILE_METHOD,
                   threshold=benchmark_threshold()))
    for d in found:
        cuts = " / ".join(f"{c:.4g}" for c in d["cuts"]) if d["cuts"] else "-"
        quartiles = " / ".join(f"{q:.4g}" for q in d["quartiles"]) if d["quartiles"] else "-"
        click.echo(say("%(category)s per %(unit)s: n=%(n)s  Q1/median/Q3 %(quartiles)s  "
                       "P20/P40/P60/P80 %(cuts)s", category=with_code(d["category"]),
                       unit=term("unit", d["declared_unit"]), n=d["n"], quartiles=quartiles,
                       cuts=cuts))


@registry.command("adopt-bands")
@click.argument("category")
@click.argument("declared_unit", metavar="UNIT")
@fail_cleanly
def adopt_bands(category, declared_unit):
    """Grade labels of CATEGORY declared per UNIT with bands derived from its benchmark
    from now on (A up to P20 ... D up to P80, E above): refused below the threshold; signed
    as a grade-bands document and recorded in the transparency log."""
    version = benchmarks.adopt(open_database(footprint_home()), footprint_home(), None, Engine().registry,
                               category, declared_unit)
    bands = listed(f"{g} <= {up:.4g}" if up is not None else say("%(grade)s above", grade=g)
                   for g, up in version["bands"])
    click.echo(say("adopted version %(version)s for %(category)s per %(unit)s: benchmark of "
                   "%(n)s verified products, %(date)s: %(bands)s", version=version["version"],
                   category=with_code(category), unit=term("unit", declared_unit), n=version["n"],
                   date=version["as_of"], bands=bands))
    # the log's own index, from 0, as footprint.display.leaf says it
    click.echo(say("logged as leaf %(index)s of the transparency log",
                   index=version["log_index"]))
