"""``footprint data``: the shipped datasets, their provenance and their integrity."""
from __future__ import annotations

import json
import re

import click

from footprint.data import Catalog
from footprint.datadocs import render_markdown
from footprint.engine.dataversions import describe_data_versions
from footprint.errors import DataError, FootprintError, Message
from footprint.plugins import get_plugin_manager
from footprint.resultnames import named

from .. import render
from ..errors import failed, usage_exit
from ..language import chosen, confidence, levels, listed, say, term

package_option = click.option(
    "--package", default="lca_data", show_default=True,
    help="Python package holding the data and its manifest.json (a plugin's own data).")


def _catalog(package: str) -> Catalog:
    """The package's catalog with its manifest already read, so a broken one fails here."""
    catalog = Catalog(package)
    try:
        catalog.entries
    except ModuleNotFoundError:
        unknown = Message("--package: no Python package %(name)s", name=repr(package))
        usage_exit(unknown)
    except (DataError, FileNotFoundError, KeyError, ValueError) as exc:
        # a missing or malformed manifest is a data error (exit 1), not a usage error
        failed(Message("%(package)s: unreadable manifest: %(problem)s", package=package,
                        problem=str(exc)))
    return catalog


@click.group()
def data():
    """Shipped datasets and their sources."""


@data.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the full manifest entries).")
@package_option
def list_datasets(as_json, package):
    """List the datasets: name, publisher, version, year and confidence."""
    entries = list(_catalog(package).entries.values())
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    language = chosen()
    click.echo(render.table(
        # a line a dataset, by its names in the reader's language; how its figures were read
        # and its whole citation are `data show ID`'s
        [[e["id"], named(e, language, "title"), named(e, language, "publisher"),
          e["version"], _year(e["year"]), levels(e["confidence"])]
         for e in entries],
        [say("id"), say("name"), say("publisher"), say("version"), say("year"),
         say("confidence")]))
    click.echo(say("A dataset's whole source and confidence: footprint data show ID"))


@data.command("show")
@click.argument("dataset_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the manifest entry).")
@package_option
def show_dataset(dataset_id, as_json, package):
    """One dataset: its names, source, confidence, scope, licence and file."""
    entries = _catalog(package).entries
    entry = entries.get(dataset_id)
    if entry is None:
        usage_exit(Message("no dataset %(id)s in %(package)s (footprint data list lists them)",
                           id=repr(dataset_id), package=package))
    if as_json:
        click.echo(json.dumps(entry, ensure_ascii=False, indent=2))
        return
    language = chosen()
    # the manifest's own words in the reader's language where it gives them (<field>_zh);
    # the source's citation as published
    fields = [
        (say("name"), named(entry, language, "title")),
        (say("publisher"), named(entry, language, "publisher")),
        (say("version"), entry.get("version")), (say("year"), entry.get("year")),
        (say("what it gives"), term("dataset_kind", entry.get("kind") or "")),
        (say("geography covered"), named(entry, language, "geography")),
        (say("unit"), named(entry, language, "unit")),
        (say("greenhouse gases covered"), named(entry, language, "gas_scope")),
        (say("confidence"), entry["confidence_zh"] if language == "zh" and
         entry.get("confidence_zh") else confidence(entry["confidence"], alone=True)),
        (say("source"), entry.get("source")),
        (say("licence"), named(entry, language, "licence")),
        (say("data file"), entry.get("file")), ("SHA-256", entry.get("sha256"))]
    click.echo(click.style(entry["id"], bold=True))
    for label, value in fields:
        if value not in (None, ""):
            click.echo("  " + say("%(field)s: %(value)s", field=label, value=value))


def _year(year) -> str:
    """The dataset's year, or "unstated" where its manifest says why it gives none (that is
    `data show`'s)."""
    return str(year) if re.fullmatch(r"\d{4}", str(year)) else say("unstated")


@data.command()
@package_option
def verify(package):
    """Check every dataset file against the SHA-256 in the manifest."""
    catalog = _catalog(package)
    problems = catalog.verify()
    if problems:
        failed(*problems)
    click.echo(say("%(package)s: all %(count)s datasets match their manifest hashes",
                   package=package, count=len(catalog.entries)))


@data.command()
@package_option
def docs(package):
    """Print docs/data.md (Markdown) generated from the manifest."""
    click.echo(render_markdown(_catalog(package)), nl=False)


@data.command()
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON (with every dataset's version in each data version).")
def versions(as_json):
    """List the data versions a calculation can use (`footprint calc --data-version`)."""
    try:
        described = describe_data_versions(get_plugin_manager())
    except FootprintError as exc:
        failed(exc.message)
    if as_json:
        click.echo(json.dumps(described, ensure_ascii=False, indent=2))
        return
    click.echo(render.table(
        [[v["name"], v["hash"][:16], v["published"],
          listed(f"{d} {version}" for d, version in v["versioned_datasets"].items()),
          say("current") if v["current"] else ""] for v in described],
        [say("name"), say("hash"), say("published"), say("datasets"), say("status")]))
