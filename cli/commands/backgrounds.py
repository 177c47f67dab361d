"""``footprint background import | search | list``: one's own LCI database as background
data (footprint.usecases.backgrounds)."""
from __future__ import annotations

import click

from footprint.display import quantity
from footprint.usecases import backgrounds as use

from .. import render
from ..errors import fail_cleanly
from ..language import listed, say

FORMATS = ("ecospold2", "jsonld", "simapro-csv", "excel")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
def background():
    """Imported LCI databases as background data."""


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
    click.echo(say("imported %(name)s %(version)s from %(source)s (%(format)s, bw2io "
                   "%(bw2io)s)", name=manifest["name"], version=manifest["version"],
                   source=manifest["source"], format=manifest["format"],
                   bw2io=manifest["bw2io"]))
    click.echo("  " + say("activities: %(count)s (%(offered)s offered as %(input)s)",
                          count=counts["activities"], offered=counts["offered"],
                          input=f"bg:{manifest['name']}/<code>"))
    click.echo("  " + say("greenhouse-gas flows: %(count)s (core: %(core)s; new: %(new)s)",
                          count=counts["ghg_flows"],
                          core=listed(report["core_flows"]) or say("none"),
                          new=listed(report["new_flows"]) or say("none")))
    click.echo("  " + say("other elementary flows (not greenhouse gases): %(count)s",
                          count=counts["not_ghg_flows"]))
    if report["uncharacterised"]:
        click.echo("  " + say("NOT characterised (%(count)s, they count 0):",
                              count=len(report["uncharacterised"])))
        for f in report["uncharacterised"]:
            click.echo(f"    {f['name']} ({'/'.join(f['categories'])}, {f['unit']}) {f['code']}")
    if report["not_offered"]:
        click.echo("  " + say("not offered, unit unknown to the project (%(count)s):",
                              count=len(report["not_offered"])))
        for a in report["not_offered"]:
            click.echo(f"    {a['code']} {a['name']} ({a['unit']})")
    click.echo("  " + say("report: %(file)s under FOOTPRINT_HOME", file=f"backgrounds/"
                          f"{manifest['name']}/{manifest['version']}.report.json"))


@background.command()
@click.argument("text", default="")
@click.option("--dataset", default=None, help="Only this imported dataset.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0),
              help="Show at most this many (0: all); an ecoinvent search may match thousands.")
@json_option
@fail_cleanly
def search(text, dataset, limit, as_json):
    """Find imported activities by code, name, reference product or location (Chinese too), with
    the bg:<name>/<code> to write in a BOM and the kg CO2e of one unit."""
    found = use.search(text, dataset)
    rows = found[:limit] if limit else found
    if as_json:
        render.dump(rows)
        return
    if not rows:
        click.echo(say("no imported activity matches %(text)s", text=repr(text)))
        return
    click.echo(render.table(
        [[r["id"], r["name"], r["product"], r["unit"], r["location"],
          quantity(r["kg_co2e_per_unit"])] for r in rows],
        [say("input (bg:<dataset>/<code>)"), say("name"), say("reference product"),
         say("unit"), say("location"),
         say("kg CO2e/unit (%(method)s)", method=rows[0]["method"])]))
    if len(found) > len(rows):
        click.echo(say("... and %(count)s more: narrow the search, or --limit 0",
                       count=len(found) - len(rows)))


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
        click.echo(say("no imported background dataset (footprint background import PATH "
                       "...)"))
        return
    click.echo(render.table(
        [[r["name"], r["current"], listed(r["versions"]), r["manifest"]["format"],
          r["manifest"]["counts"]["offered"], len(r["manifest"]["report"]["uncharacterised"])]
         for r in rows],
        [say("name"), say("newest"), say("versions kept"), say("format"), say("activities"),
         say("not characterised")]))
    click.echo(say("an earlier version: name it in the data version, e.g. --data-version "
                   "%(version)s", version=f"<...>+{rows[0]['name']}@{rows[0]['versions'][0]}"))
