"""Plain-text rendering of results and listings for the terminal, and JSON output.

Numbers follow footprint.display, as pages and printed labels do: kg CO2e to 3 significant
figures (what a label signs), quantities with their own digits, shares in per cent. Times
too, one rule for every listing: in the platform's time zone (FOOTPRINT_TIME_ZONE, default
Asia/Shanghai) to the minute, as pages show them, the zone named once in the column's
heading (``in_zone("added")`` -> "added (Asia/Shanghai)"); JSON keeps the stored UTC.
"""
from __future__ import annotations

import json
import unicodedata

import click

from footprint.batteryfigures import figures
from footprint.dataquality import CRITERIA, level, overall
from footprint.display import footprint, percent, quantity, time_text, zone_key
from footprint.errors import Text, from_data
from footprint.resultnames import (ResultNames, factor, input_name, method_name, named,
                                   named_note)
from footprint.words import GAS_SYMBOLS

from .language import aside, chosen, colon, listed, said, say, term

BAR_WIDTH = 30


def dump(value) -> None:
    """Print ``value`` as indented JSON, Chinese as it is."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def when(stamp, none: str = "-") -> str:
    """A stored time in a listing: in the platform's zone, to the minute; ``none`` for none."""
    return time_text(stamp) or none


def in_zone(heading: str) -> str:
    """A time column's heading, naming the zone its times are in."""
    return f"{heading} ({zone_key()})"


def bar(value: float, largest: float) -> str:
    if largest <= 0 or value <= 0:
        return ""
    return "█" * max(1, round(BAR_WIDTH * value / largest))


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[list[str]], header: list[str]) -> str:
    rows = [list(map(str, r)) for r in rows]
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(header), line("-" * w for w in widths), *map(line, rows)])


def result_text(result: dict, names: ResultNames | None = None,
                whole_sources: bool = False) -> str:
    """A calculated result as the terminal shows it, in the chosen language, its lines and
    sources named as the submission page names them (footprint.resultnames; ``names``: the
    registry's names of what it cites, none: by their codes); ``whole_sources``: each source's
    whole citation under its line."""
    zh = chosen() == "zh"
    names = names or ResultNames()
    product = result["product"]
    unit = result["declared_unit"]
    name = product["name"] + (f" / {product['name_zh']}" if product.get("name_zh") else "")
    out = [click.style(name, bold=True), "  " + say(
        "%(total)s kg CO2e per %(amount)s %(unit)s   (%(method)s, %(boundary)s, region "
        "%(region)s)", total=footprint(result["total_kg_co2e"]),
        amount=quantity(unit["amount"]), unit=term("unit", unit["unit"]),
        method=method_name(result["method"]["name"], chosen()),
        boundary=term("boundary", result["system_boundary"]),
        region=_region(names.region(result["region"])))]
    category = result.get("category")
    if category and category["id"] != "generic":
        out.append("  " + say("category: %(name)s",
                              name=category["name_zh"] if zh else category["name_en"]))
    grade = result.get("grade")
    if grade:
        out.append("  " + say("grade: %(grade)s %(label)s", grade=grade["grade"],
                              label=grade["label_zh"] if zh else grade["label_en"])
                   + (say(" (provisional bands)") if grade["provisional"] else ""))
        if grade.get("below_published_range"):  # the grade may flatter a BOM short of inputs
            low, high = grade["published_range"]
            out.append(click.style("  " + say(
                "below the published range %(low)s-%(high)s %(unit)s: inputs may be missing",
                low=quantity(low), high=quantity(high),
                unit=Text(grade.get("unit_zh", ""), grade["unit"])), fg="yellow"))
    elif result.get("grade_note"):  # a category's bands that are not for this product
        out.append("  " + say("not graded: %(note)s", note=from_data(
            result["grade_note_message"]) if result.get("grade_note_message")
            else result["grade_note"]))
    if result.get("dqi"):
        out.append("  " + data_quality_text(result))
    out += battery_text(result)
    out.append("")
    stages = result["by_stage"]
    largest = max(stages.values(), default=0)
    out.append(table([[term("stage", s), footprint(v), bar(v, largest)]
                      for s, v in stages.items()], [say("stage"), "kg CO2e", ""]))
    for stage, value in result["outside_boundary"].items():
        out.append("  " + say("(outside the boundary, not in the total: %(stage)s %(value)s kg "
                              "CO2e)", stage=term("stage", stage), value=footprint(value)))
    out.append("")
    records = {f["process"]: f for f in result["factors"]}
    hot = sorted(result["by_input"], key=lambda e: -e["kg_co2e"])
    out.append(table([[f"{e['line']}{'*' if e.get('model') else ''}",
                       input_text(e, factor(records.get(e.get("factor")), names), names),
                       f"{quantity(e['amount'])} {term('unit', e['unit'])}",
                       term("stage", e["stage"]), footprint(e["kg_co2e"]), percent(e["share"])]
                      for e in hot],
                     [say("line"), say("input"), say("amount"), say("stage"), "kg CO2e",
                      say("share")]))
    if any(e.get("model") for e in hot):
        out.append(say("* modelled from the category parameters:"))
        out += [f"  {e['line']}: {(e.get('note_zh') if zh else None) or e['note']}"
                for e in result["by_input"] if e.get("note")]
    out.append("")
    out.append(say("by gas: %(gases)s", gases=listed(
        f"{term('gas', g)}{aside(GAS_SYMBOLS.get(g, g))} {footprint(v)}"
        for g, v in result["by_gas"].items())))
    if result.get("scopes"):  # absent from results stored before results named their scopes
        out.append(say("gas scopes: %(scopes)s; standard %(standard)s", scopes=listed(
            f"{term('scope', s)} {footprint(v['kg_co2e'])}{aside(percent(v['share']))}"
            for s, v in result["scopes"].items()), standard=result["standard"]))
    if result["biogenic_co2_kg"]:
        out.append(say("biogenic CO2 (not in the total): %(value)s kg",
                       value=footprint(result["biogenic_co2_kg"])))
    out += sources_text(result, names, whole_sources)
    others = sorted(set(result.get("extensions") or {}) - ({"batteries"} if figures(result)
                                                              else set()))
    if others:  # what no page shows either: for programs, in the JSON
        out.append(say("the plugins' own figures (%(plugins)s): see --json",
                       plugins=listed(others)))
    for note in _notes(result, names):
        out.append(click.style(say("note: %(note)s", note=note), fg="yellow"))
    version = result["data_version"][:16]
    name = result.get("data_version_name")  # absent from results stored before it existed
    out.append(say("data version %(version)s  reproducibility %(hash)s",
                   version=f"{name} {version}" if name else version,
                   hash=result["reproducibility_hash"][:16]))
    return "\n".join(out)


def _region(region: dict) -> str:
    """A region by its name and code (四川 (CN-SC)), as the scan page names it; a region not
    registered by its code."""
    shown = named(region, chosen())
    return region["code"] if shown == region["code"] else f"{shown} ({region['code']})"


def input_text(entry: dict, shown_factor: dict | None, names: ResultNames) -> str:
    """What a line brings in, as the submission page names it: a process by its registered
    name, electricity by its region and basis (电网电力，山东 · 基于位置(电网平均)), a direct
    emission by its gas, a sub-assembly by its product."""
    kind, name = input_name(entry, shown_factor, names)
    shown = named(name, chosen())
    if kind == "electricity":
        return say("Grid electricity, %(region)s",
                   region=named(shown_factor["region"], chosen())) + \
            (f" · {term('basis', shown_factor['basis'])}" if shown_factor.get("basis") else "")
    if kind == "emission":
        return say("Direct emission: %(gas)s", gas=shown)
    if kind == "sub_assembly":
        return say("sub-assembly %(name)s", name=shown)
    return shown


def sources_text(result: dict, names: ResultNames, whole: bool = False) -> list[str]:
    """The factors' sources, each once, a line each as the submission page's line says it:
    publisher, what (the dataset's title), the factors' years, confidence, plugin, and the
    factors it gave; ``whole``: its whole citations beneath, each once (else left to
    --sources and --json: a citation runs to paragraphs, in English, for the experts who
    keep the data)."""
    sources: dict[tuple, list] = {}
    for record in result["factors"]:
        source = record["source"]
        shown = factor(record, names)
        key = (source.get("dataset") or source["citation"], shown["confidence"],
               record["plugin"])
        sources.setdefault(key, []).append(shown)
    out = [say("factors and their sources:") if whole else
           say("factors and their sources (whole citations: --sources):")]
    for (dataset, level, plugin), shown in sources.items():
        years = sorted({f["year"] for f in shown if f.get("year")})
        parts = [named(shown[0]["publisher"], chosen()),
                 named(names.dataset(dataset), chosen(), "title"), listed(years),
                 term("confidence", level) if level else "", say("plugin") + " " + plugin]
        given = listed(input_text({"input": f["id"]}, f, names) for f in shown)
        out.append(f"  {' · '.join(p for p in parts if p)}{colon()}{given}")
        if whole:
            out += [f"    {citation}" for citation in
                    dict.fromkeys(f["source"]["citation"] for f in shown)]
    return out


def battery_text(result: dict) -> list[str]:
    """A battery's Art. 7 figures as its pages show them: per kWh delivered over its service
    life, the performance class (provisional) and how many kWh a kWh of capacity delivers;
    none for any other result."""
    shown = figures(result)
    if shown is None:
        return []
    line = (say("Per kWh delivered (EU Art. 7)") + colon()
            + f"{footprint(shown['per_kwh_delivered'])} kg CO2e / kWh · "
            + say("class %(grade)s", grade=shown["performance_class"])
            + (f" {named(shown['class_name'], chosen())}" if shown["class_name"] else
               (" " + say("(provisional)") if shown["provisional"] else "")))
    out = ["  " + line]
    if shown["kwh_delivered_per_kwh_capacity"]:
        out.append("  " + say(
            "Per kWh of the total energy the battery delivers over its service life: %(kwh)s "
            "kWh per kWh of capacity (depth of discharge %(dod)s × %(cycles)s cycles × "
            "capacity retention %(retention)s).",
            kwh=quantity(shown["kwh_delivered_per_kwh_capacity"]),
            dod=quantity(shown["depth_of_discharge"]), cycles=quantity(shown["cycles"]),
            retention=quantity(shown["capacity_retention"])))
    return out


def _notes(result: dict, names: ResultNames) -> list[str]:
    """The result's notes in the chosen language, from the messages stored beside them, the
    datasets they name by their titles (a result stored before it carried messages: its
    English notes)."""
    if result.get("note_messages"):
        return [said(from_data(named_note(m, names))) for m in result["note_messages"]]
    return result["notes"]


def data_quality_text(result: dict) -> str:
    """The weighted ratings (1 very good ... 5 very poor) and the primary data share, one line."""
    dqi = result["dqi"]
    return say("data quality: %(level)s (%(overall)s; %(ratings)s; 1 = very good, 5 = very "
               "poor)   primary data %(share)s %%", level=term("quality_level", level(dqi)),
               overall=overall(dqi), ratings=listed(
                   f"{term('quality_criterion', c)} {dqi[c]}" for c in CRITERIA),
               share=result["primary_data_share"])
