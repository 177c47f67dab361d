"""``footprint recalc``: recalculate stored footprints under new factor data, re-issue labels."""
from __future__ import annotations

import os
import re
from pathlib import Path

import click
from tqdm import tqdm

from footprint.display import footprint
from footprint.engine import Engine
from footprint.engine.names import named_inputs
from footprint.errors import Conflict, Message
from footprint.settings import footprint_home
from footprint.usecases.database import database_location, open_database
from footprint.usecases.issuing import Issuer
from footprint.usecases.organisations import find_organisation
from footprint.usecases.recalculation import (Options, Selection, check_report_path,
                                              follow_supersessions, recalculate, write_report)

from ..categories import named
from ..errors import fail_cleanly, usage_exit
from ..helptext import columns
from ..language import chosen, listed, say, term

ISSUER_ENV = "FOOTPRINT_ISSUER"


def _pct(value) -> str:
    return "-" if value is None else f"{value:+.2f} %"


def _signed(kg) -> str:
    """A change in kg CO2e with its sign: +1.23, -0.456."""
    return ("+" if kg > 0 else "") + footprint(kg)


def _groups(heading: str, groups: dict, name=str) -> list[str]:
    """The groups' lines under ``heading``, each group by its ``name`` in a column as wide
    as the widest (at least 16 terminal columns)."""
    lines = [f"  {heading}"]
    names = {key: name(key) for key in groups}
    width = max([16, *map(columns, names.values())])
    for key, g in groups.items():
        lines.append("    " + say(
            "%(key)s %(count)s products  %(changed)s changed  mean %(mean)s  largest "
            "%(largest)s", key=names[key] + " " * (width - columns(names[key])),
            count=f"{g['count']:>9,}",
            changed=f"{g['changed']:>9,}", mean=f"{_pct(g['mean_change_pct']):>10}",
            largest=f"{_pct(g['largest_change_pct']):>10}"))
    return lines


def _line_named(described: str, inputs: dict) -> str:
    """A top-level line as the recalculation names it, "electricity (production)" (its input
    and stage: footprint.recalc.keyed.describe_line), in the chosen language: 电力（生产）;
    a direct emission as it is described."""
    found = re.fullmatch(r"(.+) \((\w+)\)", described)
    if found is None:
        return described
    named = inputs.get(found[1])
    return say("%(input)s (%(stage)s)", input=named.said(chosen()) if named else found[1],
               stage=term("stage", found[2]))


def summary_text(summary: dict, inputs: dict | None = None) -> str:
    """The run's summary; ``inputs`` (footprint.engine.names.named_inputs) names the lines
    that moved most, by their codes without it."""
    version = summary["to_version"]
    head = (say("dry run, nothing stored: ") if summary["dry_run"] else "") \
        + say("recalculated under %(version)s (%(hash)s)", version=version["name"],
              hash=version["hash"][:16]) \
        + (say(", resuming run %(run)s", run=summary["run"]) if summary["resumed"] else "")
    lines = [head, "  " + say(
        "selected %(selected)s; recalculated %(count)s: %(changed)s changed, %(unchanged)s "
        "unchanged, %(failed)s failed", **{k: f"{summary[k]:,}" for k in (
            "selected", "count", "changed", "unchanged", "failed")})]
    if summary["done_before"]:
        lines.append("  " + say("%(count)s were done before the interruption",
                                count=f"{summary['done_before']:,}"))
    if summary["already_current"]:
        lines.append("  " + say("%(count)s already use %(version)s",
                                count=f"{summary['already_current']:,}",
                                version=version["name"]))
    if summary["count"]:
        lines.append("  " + say("mean change %(mean)s, largest %(largest)s",
                                mean=_pct(summary["mean_change_pct"]),
                                largest=_pct(summary["largest_change_pct"])))
        lines += _groups(say("by region:"), summary["by_region"])
        lines += _groups(say("by category:"), summary["by_category"], named)
    if summary["top_movers"]:
        lines.append("  " + say("top movers:"))
        for m in summary["top_movers"]:
            moved = "  " + say("moved by %(input)s (%(change)s kg CO2e)",
                               input=_line_named(m["input"], inputs or {}),
                               change=_signed(m["line_delta_kg_co2e"])) if m["input"] else ""
            where = listed([m["region"], named(m["category"])])
            lines.append(f"    #{m['submission']} {m['product']} ({where}): "
                         f"{footprint(m['from_kg_co2e'])} -> {footprint(m['to_kg_co2e'])} "
                         f"kg CO2e ({_pct(m['change_pct'])}){moved}")
    for failure in summary["failures"]:
        lines.append("  " + say("failed #%(submission)s: %(error)s",
                                submission=failure["submission"], error=failure["error"]))
    if summary["ranges"]:
        lines.append("  " + say("ranges (P5-P95, 1,000 draws) drawn again for %(count)s products",
                                count=f"{summary['ranges']:,}"))
    if summary["reissued"]:
        lines.append("  " + say("%(count)s labels re-issued, each superseding the old one",
                                count=f"{summary['reissued']:,}"))
    return "\n".join(lines)


@click.command()
@click.option("--category", default=None, help="Only products of this category.")
@click.option("--region", default=None, help="Only products of this region (e.g. CN-SC).")
@click.option("--org", default=None,
              help="Only this organisation (number, credit code, name or a part of it).")
@click.option("--to-version", default=None,
              help="Data version to move to (name such as MEE-2023, or hash); default newest.")
@click.option("--dry-run", is_flag=True, help="Show what would change; store nothing.")
@click.option("--reissue", is_flag=True,
              help="Sign a new label for each changed labelled product, superseding the old.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every product's outcome to FILE (.csv or .json); a FILE that exists "
                   "is refused before any work, unless --replace-report.")
@click.option("--replace-report", is_flag=True,
              help="Replace the --report FILE if it exists (e.g. an earlier run's report).")
@click.option("--chunk-size", type=click.IntRange(1, 200_000), default=50_000,
              show_default=True, help="Products per transaction.")
@click.option("--no-progress", is_flag=True, help="No progress bar (e.g. in logs).")
@click.option("--no-ranges", is_flag=True,
              help="Do not draw the ranges (P5-P95) again: faster; a changed footprint then "
                   "has no range until it is calculated in full.")
@fail_cleanly
def recalc(category, region, org, to_version, dry_run, reissue, report, replace_report,
           chunk_size, no_progress, no_ranges):
    """Recalculate stored footprints under new factor data.

    Safe while the service runs: work is committed chunk by chunk. If it is interrupted,
    run the same command again: it resumes where it stopped, and no product is done or
    label issued twice; its --report holds every product of the run. A --report FILE that
    exists is refused before any work (the same command run once more after the run is done
    would otherwise replace its report with one of no products): --replace-report replaces it.
    """
    if replace_report and report is None:
        alone = Message("--replace-report goes with --report FILE")
        usage_exit(alone)
    if report is not None:
        check_report_path(report, replace=replace_report)
    if dry_run and reissue:
        raise click.UsageError(Message("--dry-run stores nothing, so it cannot --reissue"))
    home = footprint_home()
    location = database_location(home)
    if isinstance(location, Path) and not location.exists():
        raise Conflict(Message("no database at %(where)s; run `footprint db migrate` first",
                               where=str(location)))
    db = open_database(home)
    if org is not None:  # by its number: a run resumed later selects the same organisation
        org = str(find_organisation(db, org)["id"])
    options = Options(Selection(category, region, org), to_version, reissue, dry_run, chunk_size,
                      ranges=not no_ranges)
    issuer = Issuer(home, os.environ.get(ISSUER_ENV)) if reissue else None
    with tqdm(desc=say("recalculating"), unit=say(" products"), disable=no_progress or None,
              dynamic_ncols=True) as bar:
        def progress(n, total):
            bar.total = total
            bar.update(n)
        summary = recalculate(db, options, home, issuer=issuer, progress=progress)
    summary.name_movers(db)
    click.echo(summary_text(summary.as_dict(), named_inputs(Engine().registry)))
    if not dry_run:  # footprints that use a supplier's label superseded since
        engine = Engine(home, data_version=summary.to_version_name)
        for moved in follow_supersessions(db, engine, home, issuer):
            if "error" in moved:
                click.echo("  " + say("#%(submission)s: supplier label %(old)s superseded, not "
                                      "recalculated: %(error)s", submission=moved["submission"],
                                      old=listed(moved["replaced"]), error=moved["error"]))
                continue
            click.echo("  " + say(
                "#%(submission)s: supplier label %(old)s superseded, now %(new)s: %(before)s -> "
                "%(after)s kg CO2e", submission=moved["submission"],
                old=listed(moved["replaced"]), new=listed(moved["now"]),
                before=footprint(moved["before"]), after=footprint(moved["after"]))
                + (say(", label %(label)s re-issued", label=moved["reissued"])
                   if moved["reissued"] else ""))
    if report is not None:
        rows = write_report(db, summary, report)
        click.echo(say("report: %(count)s products in %(file)s", count=f"{rows:,}",
                       file=str(report)))
