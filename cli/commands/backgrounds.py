"""``footprint background import | search | list``: one's own LCI database as background
data (footprint.usecases.backgrounds)."""
from __future__ import annotations

import click

from footprint.display import quantity
from footprint.usecases import backgrounds as use

from .. import render
from ..errors import fail_cleanly

FORMATS = ("ecospold2", "jsonld", "simapro-csv", "excel")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
def background():
    """Imported LCI databases as background data (导入的生命周期清单数据库)."""


@background.command("import")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--format", "fmt", required=True, metavar="|".join(FORMATS),
              help="ecospold2: a folder of .spold files; jsonld: an openLCA JSON-LD export; "
                   "simapro-csv: a SimaPro CSV export; excel: a Brightway Excel workbook.")
@click.option("--name", required=True, help="The dataset's name in BOM lines: bg:<name>/<code>.")
@click.option("--version", default=None,
              help="The version imported (default: today's date); earlier ones are kept.")
@json_option
@fail_cleanly
def import_(path, fmt, name, version, as_json):
    """Import an LCI database through bw2io, characterise its greenhouse gases (IPCC AR6 and
    AR5 GWP100) and solve its cumulative inventory once."""
    manifest = use.import_background(path, fmt, name, version)
    if as_json:
        render.dump(manifest)
        return
    counts, report = manifest["counts"], manifest["report"]
    click.echo(f"imported {manifest['name']} {manifest['version']} from {manifest['source']} "
               f"({manifest['format']}, bw2io {manifest['bw2io']})")
    click.echo(f"  activities: {counts['activities']} ({counts['offered']} offered as "
               f"bg:{manifest['name']}/<code>)")
    click.echo(f"  greenhouse-gas flows: {counts['ghg_flows']} "
               f"(core: {', '.join(report['core_flows']) or 'none'}; "
               f"new: {', '.join(report['new_flows']) or 'none'})")
    click.echo(f"  other elementary flows (not greenhouse gases): {counts['not_ghg_flows']}")
    if report["uncharacterised"]:
        click.echo(f"  NOT characterised ({len(report['uncharacterised'])}, they count 0):")
        for f in report["uncharacterised"]:
            click.echo(f"    {f['name']} ({'/'.join(f['categories'])}, {f['unit']}) {f['code']}")
    if report["not_offered"]:
        click.echo(f"  not offered, unit unknown to the project ({len(report['not_offered'])}):")
        for a in report["not_offered"]:
            click.echo(f"    {a['code']} {a['name']} ({a['unit']})")
    click.echo("  report: backgrounds/"
               f"{manifest['name']}/{manifest['version']}.report.json under FOOTPRINT_HOME")


@background.command()
@click.argument("text", default="")
@click.option("--dataset", default=None, help="Only this imported dataset.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0),
              help="Show at most this many (0: all); an ecoinvent search may match thousands.")
@json_option
@fail_cleanly
def search(text, dataset, limit, as_json):
    """Find imported activities by code, name, reference product or location (中文 too), with
    the bg:<name>/<code> to write in a BOM and the kg CO2e of one unit."""
    found = use.search(text, dataset)
    rows = found[:limit] if limit else found
    if as_json:
        render.dump(rows)
        return
    if not rows:
        click.echo(f"no imported activity matches {text!r}")
        return
    click.echo(render.table(
        [[r["id"], r["name"], r["product"], r["unit"], r["location"],
          quantity(r["kg_co2e_per_unit"])] for r in rows],
        ["input (bg:<dataset>/<code>)", "name", "reference product", "unit", "location",
         f"kg CO2e/unit ({rows[0]['method']})"]))
    if len(found) > len(rows):
        click.echo(f"... and {len(found) - len(rows)} more: narrow the search, or --limit 0")


@background.command("list")
@json_option
@fail_cleanly
def list_(as_json):
    """The imported datasets and their versions: the newest is used, and an earlier one by
    naming it in a data version (footprint calc --data-version MEE-2023+NAME@VERSION)."""
    rows = use.list_backgrounds()
    if as_json:
        render.dump(rows)
        return
    if not rows:
        click.echo("no imported background dataset (footprint background import PATH ...)")
        return
    click.echo(render.table(
        [[r["name"], r["current"], ", ".join(r["versions"]), r["manifest"]["format"],
          r["manifest"]["counts"]["offered"], len(r["manifest"]["report"]["uncharacterised"])]
         for r in rows],
        ["name", "newest", "versions kept", "format", "activities", "not characterised"]))
    click.echo("an earlier version: name it in the data version, e.g. --data-version "
               f"<...>+{rows[0]['name']}@{rows[0]['versions'][0]}")
