"""``footprint``: calculate, validate and inspect footprints from the command line.

Exit codes: 0 success, 1 a data or plugin error, 2 invalid input (message on stderr).
"""
from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path

import click

from footprint import FootprintError, InvalidInput
from footprint.bom import read_bom_file
from footprint.parameters import describe_parameters
from footprint.engine.dataversions import find_data_version
from footprint.engine import Engine
from footprint.plugins import get_plugin_manager

from . import render


def fail_cleanly(command):
    """Bad input exits 2 with every problem on stderr; other known errors exit 1."""
    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InvalidInput as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except FootprintError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    return wrapper


def _dump(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group()
@click.version_option(package_name="footprint")
def cli():
    """Product carbon footprints and carbon labels (产品碳足迹与碳标签)."""


bom_path = click.argument("bom", type=click.Path(dir_okay=False, path_type=Path))
method_option = click.option("--method", default=None,
                             help="Characterisation method: ar6 (default) or ar5.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@cli.command()
@bom_path
@method_option
@click.option("--data-version", default=None, metavar="NAME|HASH",
              help="Calculate with this data version: a name from `footprint data versions` "
                   "(default: the newest) or its hash (at least 8 hex digits).")
@json_option
@fail_cleanly
def calc(bom, method, data_version, as_json):
    """Calculate the footprint of a BOM file."""
    pm = get_plugin_manager()
    name = find_data_version(pm, data_version, "--data-version") if data_version else None
    engine = Engine(plugin_manager=pm, data_version=name)
    result = engine.calculate(read_bom_file(bom), method=method)
    _dump(result) if as_json else click.echo(render.result_text(result))


@cli.command()
@bom_path
@fail_cleanly
def validate(bom):
    """Check a BOM file without calculating it."""
    engine = Engine()
    resolved = engine.resolve(read_bom_file(bom))
    modelled = sum(1 for r in resolved.lines if r.line.model)
    own = len(resolved.lines) - modelled
    extra = f", {modelled} modelled from the category parameters" if modelled else ""
    click.echo(f"{bom}: valid ({own} lines{extra})")


@cli.command()
@click.option("--region", default=None, help="Only this region (e.g. CN-SC).")
@click.option("--year", type=int, default=None, help="Only this data year.")
@json_option
@fail_cleanly
def factors(region, year, as_json):
    """List electricity factors with their sources and the plugin that supplied them."""
    registry = Engine().registry
    if region and region not in registry.regions:
        raise InvalidInput([_unknown_region(region, registry)])
    chosen = [f for f in registry.electricity.values()
              if (region is None or f.region == region) and (year is None or f.year == year)]
    chosen.sort(key=lambda f: (f.region, f.basis, f.year))
    if as_json:
        _dump([{"region": f.region, "year": f.year, "basis": f.basis, "value": f.value,
                "unit": f"kg {f.flow}/kWh", "flow": f.flow, "source": f.source.as_dict(),
                "plugin": f.plugin} for f in chosen])
        return
    if chosen:
        click.echo(render.table(
            [[f.region, f.year, f.basis, f"{f.value:.4f}", f.flow, f.plugin] for f in chosen],
            ["region", "year", "basis", "kg/kWh", "gas", "plugin"]))
    else:
        years = sorted({f.year for f in registry.electricity.values()
                        if region is None or f.region == region})
        click.echo(f"no factors for {region or 'any region'}"
                   f"{f' in {year}' if year else ''}; years with factors: "
                   f"{', '.join(map(str, years)) or 'none'}")
    if region and registry.regions[region].fallback:
        stand_ins = ", ".join(registry.regions[region].fallback)
        note = registry.regions[region].fallback_note
        click.echo(f"where {region} has no factor of a basis, these regions stand in, in order: "
                   f"{stand_ins}{f' ({note})' if note else ''}")


def _unknown_region(region, registry):
    from footprint.errors import Problem
    from footprint.suggest import unknown
    return Problem("--region", unknown("region", region, registry.regions))


@cli.command()
@json_option
@fail_cleanly
def regions(as_json):
    """List the regions BOMs may name."""
    registry = Engine().registry
    years = registry.years_by_region()
    rows = sorted(registry.regions.values(), key=lambda r: (r.country, r.level != "country", r.code))
    if as_json:
        _dump([{"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "level": r.level,
                "country": r.country, "grids": list(r.grids), "fallback": list(r.fallback),
                "fallback_note": r.fallback_note, "factor_years": years.get(r.code, []),
                "plugin": r.plugin} for r in rows])
        return
    click.echo(render.table(
        [[r.code, r.name_zh, r.name_en, r.level, ",".join(r.grids),
          ",".join(map(str, years.get(r.code, []))) or "(fallback)"] for r in rows],
        ["code", "名称", "name", "level", "grid", "factor years"]))


@cli.command()
@json_option
@fail_cleanly
def categories(as_json):
    """List product categories and the parameters a producer gives for each."""
    registry = Engine().registry
    listing = [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en,
                "description": c.description, "declared_units": list(c.declared_units),
                "plugin": c.plugin, "parameters": describe_parameters(c),
                **({"grading": {"unit": c.grading.unit, "provisional": c.grading.provisional,
                                "bands": [[b.grade, b.up_to] for b in c.grading.bands]}}
                   if c.grading else {})}
               for c in registry.categories.values()]
    if as_json:
        _dump(listing)
        return
    for c in listing:
        click.echo(click.style(f"{c['id']}  {c['name_zh']} / {c['name_en']}", bold=True) +
                   f"  [{c['plugin']}]")
        if c["description"]:
            click.echo(f"  {c['description']}")
        for p in c["parameters"]:
            unit = f" ({p['unit']})" if p.get("unit") else ""
            click.echo(f"  - {p['name']}{unit}: {p.get('help_zh', '')} {p.get('help_en', '')}")


@cli.command()
@json_option
@fail_cleanly
def plugins(as_json):
    """List plugins: name, version, hooks and where each came from."""
    infos = get_plugin_manager().describe()
    if as_json:
        _dump([{"name": i.name, "version": i.version, "hooks": i.hooks, "origin": i.origin,
                **({"error": i.error} if i.error else {})} for i in infos])
        return
    click.echo(render.table(
        [[i.name, i.version or "-", i.origin, i.error or ", ".join(i.hooks)] for i in infos],
        ["name", "version", "origin", "hooks"]))


def _add_plugin_commands() -> None:
    """Plugins add commands; one that fails is reported and the others still work."""
    pm = get_plugin_manager()
    for impl in pm.hook.register_commands.get_hookimpls():
        try:
            impl.function(cli=cli)
        except Exception as exc:  # noqa: BLE001 - a plugin's bug must not disable the CLI
            click.echo(f"warning: plugin {impl.plugin_name!r} could not add its commands: "
                       f"{type(exc).__name__}: {exc}", err=True)


_add_plugin_commands()

from .data import data  # noqa: E402
from .service import db, serve, tokens, users  # noqa: E402

for _command in (data, db, users, tokens, serve):
    cli.add_command(_command)

from .demo_command import demo  # noqa: E402
cli.add_command(demo)

from .log_commands import log  # noqa: E402
cli.add_command(log)

from .labels_commands import keys, verify  # noqa: E402
cli.add_command(keys)
cli.add_command(verify)

from .recalc_command import recalc  # noqa: E402
cli.add_command(recalc)
