"""``footprint data``: the shipped datasets, their provenance and their integrity."""
from __future__ import annotations

import json

import click

from footprint.data import Catalog
from footprint.datadocs import render_markdown
from footprint.engine.dataversions import describe_data_versions
from footprint.errors import DataError, FootprintError, Message
from footprint.plugins import get_plugin_manager

from .. import render
from ..errors import failed, usage_exit
from ..language import confidence, listed, say

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
    """List the datasets with their source and confidence."""
    entries = list(_catalog(package).entries.values())
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    click.echo(render.table(
        # the column says it is a confidence: each cell its level alone (中, medium), then the
        # dataset's own words on how its figures were read, in English
        [[e["id"], e["version"], e["year"], confidence(e["confidence"], alone=True),
          e["source"]]
         for e in entries],
        [say("id"), say("version"), say("year"), say("confidence"), say("source")]))


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
