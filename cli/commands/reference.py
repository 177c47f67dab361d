"""``footprint factors | regions | categories | plugins``: what the installed plugins know."""
from __future__ import annotations

import click

from footprint import InvalidInput, Message, Problem, words
from footprint.display import quantity
from footprint.engine import Engine
from footprint.parameters import describe_parameters
from footprint.resultnames import confidence_in_chinese, named, publisher
from footprint.resultnames import confidence as confidence_level
from footprint.plugins import get_plugin_manager
from footprint.suggest import unknown

from .. import render
from ..errors import fail_cleanly
from ..language import chosen, colon, confidence, listed, said, say, term

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
# a region's level (footprint.model.Region.level) as the regions listing says it
LEVELS = {"country": Message("country"), "province": Message("province"),
          "grid": Message("grid"), "union": Message("union")}


@click.command()
@click.option("--region", default=None, help="Only electricity of this region (e.g. CN-SC).")
@click.option("--year", type=int, default=None, help="Only electricity of this data year.")
@click.option("--processes", "list_processes", is_flag=True,
              help="Only the background processes (materials, fuels, transport, libraries).")
@click.option("--search", default=None,
              help="Factors whose Chinese or English name or id, or whose region, contains "
                   "this (e.g. 铝, steel, 四川).")
@click.option("--sources", "whole_sources", is_flag=True,
              help="Print each source's whole citation (how and where its figures were read) "
                   "under its line.")
@json_option
@fail_cleanly
def factors(region, year, list_processes, search, whole_sources, as_json):
    """List every factor the installed plugins and the platform's libraries give: electricity
    by region and year, then the processes (materials, fuels, transport, libraries), each with
    its source and the plugin that supplied it. --region/--year narrow the electricity,
    --processes leaves it out, --search finds factors by name in Chinese or English."""
    registry = Engine().registry
    if list_processes or search is not None:
        if region or year:
            raise InvalidInput([Problem("--region" if region else "--year", Message(
                "processes have no region or data year: use --processes or --search alone"))])
    if region and region not in registry.regions:
        raise InvalidInput([Problem("--region", unknown("region", region, registry.regions))])
    needle = (search or "").strip().casefold()
    electricity = [] if list_processes else sorted(
        (f for f in registry.electricity.values()
         if (region is None or f.region == region) and (year is None or f.year == year)
         and needle in _region_words(registry, f.region)),
        key=lambda f: (f.region, f.basis, f.year))
    # imported LCI activities (thousands) have their own search: footprint background search
    processes = [] if region or year else sorted(
        (p for p in registry.processes.values() if not p.cumulative
         and needle in f"{p.id} {p.name_zh} {p.name_en}".casefold()), key=lambda p: p.id)
    if as_json:
        shown = [{"region": f.region, "year": f.year, "basis": f.basis, "value": f.value,
                   "unit": f"kg {f.flow}/kWh", "flow": f.flow, "source": f.source.as_dict(),
                   "plugin": f.plugin} for f in electricity]
        if region or year:
            render.dump(shown)
        elif list_processes:
            render.dump(_process_json(processes))
        else:
            render.dump({"electricity": shown, "processes": _process_json(processes)})
        return
    if electricity:
        click.echo(render.table(
            [[f.region, f.year, term("basis", f.basis), quantity(f.value), f.flow, f.plugin]
             for f in electricity],
            [say("region"), say("year"), say("basis"), "kg/kWh", say("gas"), say("plugin")]))
    elif not list_processes and not search:
        years = sorted({f.year for f in registry.electricity.values()
                        if region is None or f.region == region})
        known = listed(years) or say("none")
        if region and year:
            click.echo(say("no factors for %(region)s in %(year)s; years with factors: "
                           "%(years)s", region=region, year=year, years=known))
        elif region:
            click.echo(say("no factors for %(region)s; years with factors: %(years)s",
                           region=region, years=known))
        else:
            click.echo(say("no factors for any region in %(year)s; years with factors: "
                           "%(years)s", year=year, years=known))
    if region and registry.regions[region].fallback:
        note = said(registry.regions[region].fallback_note)  # the plugin's words
        stand_ins = say("where %(region)s has no factor of a basis, these regions stand in, "
                        "in order: %(regions)s", region=region,
                        regions=listed(registry.regions[region].fallback))
        # why, in the language's brackets: （…） in Chinese, as a name beside its code
        click.echo(say("%(name)s (%(signed)s)", name=stand_ins, signed=note) if note
                   else stand_ins)
    if region or year:
        return
    if electricity:
        click.echo()
    if search and not electricity and not processes:
        click.echo(say("no factor matches %(text)s", text=repr(search)))
    if any(p.cumulative for p in registry.processes.values()):
        click.echo(say("activities of imported LCI databases: footprint background search TEXT"))
    if search and not electricity and not processes:
        return
    _processes(processes, registry, whole_sources)


def _region_words(registry, code: str) -> str:
    region = registry.regions.get(code)
    names = f" {region.name_zh} {region.name_en}" if region else ""
    return f"{code}{names}".casefold()


def _process_json(chosen) -> list[dict]:
    return [{"id": p.id, "name_zh": p.name_zh, "name_en": p.name_en, "unit": p.unit,
             "emissions": dict(p.emissions), "inputs": dict(p.inputs),
             "source": p.source.as_dict(), "plugin": p.plugin} for p in chosen]


def _processes(chosen, registry, whole: bool) -> None:
    """Background processes, each with its emissions per unit and its source: in short, a
    line each as ``footprint calc`` says a source (publisher, the dataset's title,
    confidence, and in Chinese the factor's own note where its dataset gives one in
    Chinese); ``whole``: its whole citation beneath (English, as published: paragraphs
    for the experts who keep the data)."""
    if not chosen:
        return
    click.echo(render.table(
        [[p.id, p.name_zh, p.name_en, p.unit,
          listed(f"{quantity(v)} {flow}" for flow, v in p.emissions) or "-",
          p.plugin] for p in chosen],
        [say("id"), say("Chinese name"), say("English name"), say("per"), say("kg emitted"),
         say("plugin")]))
    click.echo(say("sources:") if whole else say("sources (whole citations: --sources):"))
    for p in chosen:
        entry = registry.manifest_entry(p.source.dataset)
        click.echo(f"  {p.id}{colon()}{_source_line(p, entry)}")
        if whole:
            click.echo(f"    {p.source.citation}{_confidence(p.source.confidence, entry)}")


def _source_line(process, entry: dict) -> str:
    language = chosen()
    level = confidence_level(process.source.confidence, None)
    parts = [named(publisher({"citation": process.source.citation}, entry), language),
             named(entry, language, "title") or process.source.dataset,
             term("confidence", level) if level else process.source.confidence]
    if language == "zh":
        parts.append((entry.get("notes_zh") or {}).get(process.id))
    return " · ".join(part for part in parts if part)


def _confidence(note: str, entry: dict) -> str:
    """After a citation: the source's confidence, as its dataset's manifest says it in
    Chinese where it does, else its levels in the chosen language."""
    if not note:
        return ""
    chinese = confidence_in_chinese(note, entry) if chosen() == "zh" else None
    if chinese:
        return say(" [confidence: %(confidence)s]", confidence=chinese)
    if words.confidence_note(note) is None:
        return say(" [confidence: %(confidence)s]", confidence=note)
    return f" [{confidence(note)}]"


@click.command()
@json_option
@fail_cleanly
def regions(as_json):
    """List the regions BOMs may name."""
    registry = Engine().registry
    years = registry.years_by_region()
    rows = sorted(registry.regions.values(), key=lambda r: (r.country, r.level != "country", r.code))
    if as_json:
        render.dump([{"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en,
                      "level": r.level, "country": r.country, "grids": list(r.grids),
                      "fallback": list(r.fallback), "fallback_note": str(r.fallback_note),
                      "fallback_note_zh": said(r.fallback_note, "zh"),
                      "factor_years": years.get(r.code, []), "plugin": r.plugin} for r in rows])
        return
    click.echo(render.table(
        [[r.code, r.name_zh, r.name_en, said(LEVELS.get(r.level, r.level)), ",".join(r.grids),
          ",".join(map(str, years.get(r.code, []))) or say("(fallback)")] for r in rows],
        [say("code"), say("Chinese name"), say("English name"), say("level"), say("grid"),
         say("factor years")]))


@click.command()
@json_option
@fail_cleanly
def categories(as_json):
    """List product categories and the parameters a producer gives for each."""
    registry = Engine().registry
    listing = [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en,
                "description": c.description, "description_zh": c.described("zh"),
                "declared_units": list(c.declared_units),
                "plugin": c.plugin, "parameters": describe_parameters(c),
                **({"grading": {"unit": c.grading.unit,
                                "unit_zh": c.grading.unit_text.said("zh"),
                                "provisional": c.grading.provisional,
                                "bands": [[b.grade, b.up_to] for b in c.grading.bands]}}
                   if c.grading else {})}
               for c in registry.categories.values()]
    if as_json:
        render.dump(listing)
        return
    zh = chosen() == "zh"
    for c in listing:
        click.echo(click.style(f"{c['id']}  {c['name_zh'] if zh else c['name_en']}", bold=True)
                   + f"  [{c['plugin']}]")
        described = c["description_zh"] if zh else c["description"] or c["description_zh"]
        if described:
            click.echo(f"  {described}")
        for p in c["parameters"]:
            unit = f" ({p['unit']})" if p.get("unit") else ""
            first, other = ("help_zh", "help_en") if zh else ("help_en", "help_zh")
            click.echo(f"  - {p['name']}{unit}: {p.get(first) or p.get(other) or ''}")


@click.command()
@json_option
@fail_cleanly
def plugins(as_json):
    """List plugins: name, version, hooks and where each came from."""
    infos = get_plugin_manager().describe()
    if as_json:
        render.dump([{"name": i.name, "version": i.version, "hooks": i.hooks, "origin": i.origin,
                      **({"error": str(i.error)} if i.error else {})} for i in infos])
        return
    click.echo(render.table(
        [[i.name, i.version or "-", said(i.origin),
          say("not loaded: %(error)s", error=i.error) if i.error else listed(i.hooks)]
         for i in infos],
        [say("name"), say("version"), say("origin"), say("hooks")]))
