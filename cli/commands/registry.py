"""``footprint registry export DIR | benchmarks | adopt-bands``: the public registry's open
data, the benchmarks of verified footprints, and grade bands adopted from them."""
from __future__ import annotations

import click

from footprint.display import leaf
from footprint.engine import Engine
from footprint.settings import benchmark_threshold, footprint_home
from footprint.usecases import benchmarks, opendata
from footprint.usecases.database import connect, database_location, pending

from ..errors import fail_cleanly
from ..render import dump


def _open_db():
    db = connect(database_location(footprint_home()))
    if pending(db):
        raise click.UsageError("run `footprint db migrate` first")
    return db


@click.group()
def registry():
    """The public registry (公开目录): open data, benchmarks, grade bands."""


@registry.command("export")
@click.argument("directory", metavar="DIR")
@fail_cleanly
def export(directory):
    """Write the registry's open data into DIR (an existing directory): registry.csv,
    registry.json, benchmarks.json and manifest.cose, the SHA-256 of each signed with the
    platform's key (docs/open-data.md). Exits 2 when DIR is not a directory one may write
    in."""
    manifest = opendata.export(_open_db(), footprint_home(), directory)
    click.echo(f"{manifest['labels']} labels, snapshot of {manifest['date']}, in {directory}")
    for item in manifest["files"]:
        click.echo(f"{item['sha256']}  {item['name']}  ({item['bytes']} bytes)")
    click.echo(f"signed manifest: {opendata.MANIFEST}")


@registry.command("benchmarks")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def benchmarks_command(as_json):
    """Per category and declared unit, the distribution of current verified footprints
    (kg CO2e per declared unit): n, quartiles, the P20/P40/P60/P80 cut points."""
    found = [d.as_dict() for d in benchmarks.distributions(_open_db())]
    if as_json:
        dump({"quantile_method": benchmarks.QUANTILE_METHOD,
              "threshold": benchmark_threshold(), "benchmarks": found})
        return
    click.echo(f"quantiles: {benchmarks.QUANTILE_METHOD}; bands may be adopted from "
               f"n >= {benchmark_threshold()} (FOOTPRINT_BENCHMARK_MIN_N)")
    for d in found:
        cuts = " / ".join(f"{c:.4g}" for c in d["cuts"]) if d["cuts"] else "-"
        quartiles = " / ".join(f"{q:.4g}" for q in d["quartiles"]) if d["quartiles"] else "-"
        click.echo(f"{d['category']} per {d['declared_unit']}: n={d['n']}  "
                   f"Q1/median/Q3 {quartiles}  P20/P40/P60/P80 {cuts}")


@registry.command("adopt-bands")
@click.argument("category")
@click.argument("declared_unit", metavar="UNIT")
@fail_cleanly
def adopt_bands(category, declared_unit):
    """Grade labels of CATEGORY declared per UNIT with bands derived from its benchmark
    from now on (A up to P20 ... D up to P80, E above): refused below the threshold; signed
    as a grade-bands document and recorded in the transparency log."""
    version = benchmarks.adopt(_open_db(), footprint_home(), None, Engine().registry,
                               category, declared_unit)
    bands = ", ".join(f"{g} <= {up:.4g}" if up is not None else f"{g} above"
                      for g, up in version["bands"])
    click.echo(f"adopted version {version['version']} for {category} per {declared_unit}: "
               f"benchmark of {version['n']} verified products, {version['as_of']}: {bands}")
    click.echo(f"logged as {leaf(version['log_index'])} of the transparency log")
