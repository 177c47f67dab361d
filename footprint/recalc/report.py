"""A recalculation's report file: one row per product (CSV), or the summary and rows (JSON).

The format follows the file name: ``.csv`` or ``.json``. Rows are streamed from the database
(or, for a dry run, from memory), so a million-product report does not sit in memory twice.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from ..errors import InvalidInput, Message, Problem
from ..files import check_writable
from ..store import recalc_runs as runs
from ..store.footprints import line_names
from .summary import Summary

FIELDS = ("submission", "product", "organisation", "category", "region", "status",
          "from_version", "to_version", "from_kg_co2e", "to_kg_co2e", "change_pct",
          "moved_by", "moved_by_kg_co2e", "error", "new_label")
FORMATS = (".csv", ".json")


def check_path(path, replace: bool = False) -> Path:
    """The report's file: .csv or .json, in a folder it can be written in, and not there yet
    unless ``replace`` (checked before a run, whose work would otherwise be committed with its
    report lost). A file that is there may be the report of the run that did the work, which
    the same command run again (done, or with nothing left to do) would replace with one of
    no products."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InvalidInput([Problem("report", Message('"%(name)s": the report is .csv or .json',
                                                      name=path.name))])
    if path.exists() and not replace:
        raise InvalidInput([Problem("report", Message(
            "%(path)s exists already and may be an earlier run's report: give another file, or "
            "--replace-report to replace it", path=str(path)))])
    return check_writable(path, "report")


def _rows(db, summary: Summary):
    names = runs.names_of_data_versions(db)
    if summary.dry_run:
        orgs = runs.organisation_names(db)
        source = (((row[0], row[3], orgs.get(row[2]), row[4], row[5], item[3], item[4],
                    item[5], item[6], _name(db, row, item), item[8], item[9], item[10]))
                  for row, item in summary.items)
    else:
        source = runs.items(db, summary.run_id)
    for (sid, product, org, category, region, status, from_version, before, after, moved_by,
         moved_delta, error, label) in source:
        change = (after - before) / abs(before) * 100 if after is not None and before else None
        yield {"submission": sid, "product": product, "organisation": org,
               "category": category, "region": region, "status": status,
               "from_version": names.get(from_version, (from_version or "")[:16]),
               "to_version": summary.to_version_name, "from_kg_co2e": before,
               "to_kg_co2e": after, "change_pct": change, "moved_by": moved_by,
               "moved_by_kg_co2e": moved_delta, "error": error, "new_label": label}


def _name(db, row, item):
    if item[7] is None:
        return None
    lines = line_names(db, row[0], row[1])
    return lines[item[7]] if item[7] < len(lines) else None


def write(db, summary: Summary, path) -> int:
    """Write the report, replacing the file (``check_path`` said before the run whether it
    may); returns the number of product rows. A resumed run's report holds every product of
    the run, those done before the interruption too."""
    path = check_path(path, replace=True)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        if path.suffix.lower() == ".csv":
            writer = csv.DictWriter(out, fieldnames=FIELDS)
            writer.writeheader()
            for row in _rows(db, summary):
                writer.writerow(row)
                count += 1
            return count
        out.write('{"summary": ')
        json.dump(summary.as_dict(), out, ensure_ascii=False, indent=1)
        out.write(',\n "products": [')
        for row in _rows(db, summary):
            out.write(",\n  " if count else "\n  ")
            json.dump(row, out, ensure_ascii=False)
            count += 1
        out.write("\n ]\n}\n")
    return count
