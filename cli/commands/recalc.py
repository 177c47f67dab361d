"""``footprint recalc``: recalculate stored footprints under new factor data, re-issue labels."""
from __future__ import annotations

import os
from pathlib import Path

import click
from tqdm import tqdm

from footprint.display import footprint
from footprint.engine import Engine
from footprint.settings import footprint_home
from footprint.usecases.database import connect, database_location, pending
from footprint.usecases.issuing import Issuer
from footprint.usecases.organisations import find_organisation
from footprint.usecases.recalculation import (Options, Selection, check_report_path,
                                              follow_supersessions, recalculate, write_report)

from ..errors import fail_cleanly, usage_exit

ISSUER_ENV = "FOOTPRINT_ISSUER"


def _pct(value) -> str:
    return "-" if value is None else f"{value:+.2f} %"


def _signed(kg) -> str:
    """A change in kg CO2e with its sign: +1.23, -0.456."""
    return ("+" if kg > 0 else "") + footprint(kg)


def _groups(title: str, groups: dict) -> list[str]:
    lines = [f"  by {title}:"]
    for key, g in groups.items():
        lines.append(f"    {key:<16} {g['count']:>9,} products  {g['changed']:>9,} changed  "
                     f"mean {_pct(g['mean_change_pct']):>10}  largest "
                     f"{_pct(g['largest_change_pct']):>10}")
    return lines


def summary_text(summary: dict) -> str:
    head = "dry run, nothing stored: " if summary["dry_run"] else ""
    lines = [
        f"{head}recalculated under {summary['to_version']['name']} "
        f"({summary['to_version']['hash'][:16]})"
        + (f", resuming run {summary['run']}" if summary["resumed"] else ""),
        f"  selected {summary['selected']:,}; recalculated {summary['count']:,}: "
        f"{summary['changed']:,} changed, {summary['unchanged']:,} unchanged, "
        f"{summary['failed']:,} failed",
    ]
    if summary["done_before"]:
        lines.append(f"  {summary['done_before']:,} were done before the interruption")
    if summary["already_current"]:
        lines.append(f"  {summary['already_current']:,} already use "
                     f"{summary['to_version']['name']}")
    if summary["count"]:
        lines.append(f"  mean change {_pct(summary['mean_change_pct'])}, largest "
                     f"{_pct(summary['largest_change_pct'])}")
        lines += _groups("region", summary["by_region"])
        lines += _groups("category", summary["by_category"])
    if summary["top_movers"]:
        lines.append("  top movers:")
        for m in summary["top_movers"]:
            moved = f"  moved by {m['input']} ({_signed(m['line_delta_kg_co2e'])} kg CO2e)" \
                if m["input"] else ""
            lines.append(f"    #{m['submission']} {m['product']} ({m['region']}, "
                         f"{m['category']}): {footprint(m['from_kg_co2e'])} -> "
                         f"{footprint(m['to_kg_co2e'])} "
                         f"kg CO2e ({_pct(m['change_pct'])}){moved}")
    for failure in summary["failures"]:
        lines.append(f"  failed #{failure['submission']}: {failure['error']}")
    if summary["ranges"]:
        lines.append(f"  ranges (P5-P95, 1,000 draws) drawn again for {summary['ranges']:,} "
                     "products")
    if summary["reissued"]:
        lines.append(f"  {summary['reissued']:,} labels re-issued, each superseding the old one")
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
    """Recalculate stored footprints under new factor data (按新因子批量重算).

    Safe while the service runs: work is committed chunk by chunk. If it is interrupted,
    run the same command again: it resumes where it stopped, and no product is done or
    label issued twice; its --report holds every product of the run. A --report FILE that
    exists is refused before any work (the same command run once more after the run is done
    would otherwise replace its report with one of no products): --replace-report replaces it.
    """
    if replace_report and report is None:
        usage_exit("--replace-report goes with --report FILE",
                   "--replace-report 须与 --report 文件 一起使用")
    if report is not None:
        check_report_path(report, replace=replace_report)
    if dry_run and reissue:
        raise click.UsageError("--dry-run stores nothing, so it cannot --reissue")
    home = footprint_home()
    location = database_location(home)
    if isinstance(location, Path) and not location.exists():
        raise click.ClickException(f"no database at {location}; run `footprint db migrate` first")
    db = connect(location)
    if pending(db):
        raise click.ClickException("the database needs `footprint db migrate` first")
    if org is not None:  # by its number: a run resumed later selects the same organisation
        org = str(find_organisation(db, org)["id"])
    options = Options(Selection(category, region, org), to_version, reissue, dry_run, chunk_size,
                      ranges=not no_ranges)
    issuer = Issuer(home, os.environ.get(ISSUER_ENV)) if reissue else None
    with tqdm(desc="recalculating", unit=" products", disable=no_progress or None,
              dynamic_ncols=True) as bar:
        def progress(n, total):
            bar.total = total
            bar.update(n)
        summary = recalculate(db, options, home, issuer=issuer, progress=progress)
    summary.name_movers(db)
    click.echo(summary_text(summary.as_dict()))
    if not dry_run:  # footprints that use a supplier's label superseded since
        engine = Engine(home, data_version=summary.to_version_name)
        for moved in follow_supersessions(db, engine, home, issuer):
            if "error" in moved:
                click.echo(f"  #{moved['submission']}: supplier label "
                           f"{', '.join(moved['replaced'])} superseded, not recalculated: "
                           f"{moved['error']}")
                continue
            click.echo(f"  #{moved['submission']}: supplier label "
                       f"{', '.join(moved['replaced'])} superseded, now "
                       f"{', '.join(moved['now'])}: {footprint(moved['before'])} -> "
                       f"{footprint(moved['after'])} kg CO2e"
                       + (f", label {moved['reissued']} re-issued" if moved["reissued"] else ""))
    if report is not None:
        rows = write_report(db, summary, report)
        click.echo(f"report: {rows:,} products in {report}")
