"""``footprint validate``, and the calculation ``footprint calc`` runs when it finds no stored
result: a BOM file read, resolved and calculated by the engine.

Apart from ``calculate`` (cli.commands.calculate) so that a repeated calculation, which reads
its stored result, loads none of this: the BOM's schemas, the plugins, the engine and numpy.
"""
from __future__ import annotations

from pathlib import Path

import click

from footprint.bom import parse_bom
from footprint.errors import Message
from footprint.bomfiles import BomFile, header_fields, read_bom_path
from footprint.dataquality import DRAWS, SEED
from footprint.engine import Engine, resultcache
from footprint.engine.dataversions import find_data_version
from footprint.engine.uncertainty import summarise
from footprint.plugins import get_plugin_manager
from footprint.resultnames import ResultNames
from footprint.settings import footprint_home
from footprint.usecases.supplier import home_labels

from ..errors import fail_cleanly, usage_exit
from ..language import say
from .bomoptions import bom_path, header_option


def read(path: Path, settings: tuple[str, ...]) -> tuple[BomFile, object]:
    """The file, and its BOM parsed (problems at the file's rows and columns)."""
    pairs = []
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or not key.strip():
            wrong = Message("--set %(setting)s: write FIELD=VALUE, e.g. --set 地区=四川",
                            setting=repr(setting))
            usage_exit(wrong)
        pairs.append((key.strip(), value.strip()))
    header, where = header_fields(pairs, "--set")
    found = read_bom_path(path, override=header, override_where=where)
    if settings and found.kind == "json":
        wrong = Message("%(file)s: a JSON file is a whole BOM; --set is for CSV and XLSX files",
                        file=str(path))
        usage_exit(wrong)
    with found.located():
        # keep_going: the shape's problems wait for the resolution's, to be said in one round
        return found, parse_bom(found.bom, origin=str(path), keep_going=True)


def calculate(bom: Path, settings, method, data_version, draws, seed, key) -> tuple[dict, dict]:
    """The result of the BOM file and the registry's names of what it cites
    (footprint.resultnames), kept under ``key`` (footprint.engine.resultcache) when it
    follows from the file and the installation alone."""
    home = footprint_home()
    pm = get_plugin_manager()
    name = find_data_version(pm, data_version, "--data-version") if data_version else None
    engine = Engine(home=home, plugin_manager=pm, data_version=name)
    found, parsed = read(bom, settings)
    with found.located(), home_labels(home) as labels:
        resolved = engine.resolve(parsed, labels=labels)
        result = engine.calculate_resolved(resolved, method=method)
    if (draws, seed) != (DRAWS, SEED):  # the result carries the default draws' range
        result["uncertainty"] = summarise([result], engine.registry, draws, seed)[0]
    names = ResultNames.of(result, engine.registry).to_data()
    if resultcache.self_contained(resolved):
        resultcache.store(home, key, result, engine.registry.catalogs, names)
    return result, names


@click.command()
@bom_path
@header_option
@fail_cleanly
def validate(bom, settings):
    """Check a BOM file (JSON, CSV or XLSX) without calculating it."""
    found, parsed = read(bom, settings)
    with found.located(), home_labels(footprint_home()) as labels:
        resolved = Engine().resolve(parsed, labels=labels)
    modelled = sum(1 for r in resolved.lines if r.line.model)
    own = len(resolved.lines) - modelled
    click.echo(say("%(file)s: valid (%(lines)s lines, %(modelled)s modelled from the category "
                   "parameters)", file=str(bom), lines=own, modelled=modelled) if modelled else
               say("%(file)s: valid (%(lines)s lines)", file=str(bom), lines=own))
