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

from footprint.dataquality import CRITERIA, level, overall
from footprint.display import footprint, percent, quantity, time_text, zone_key
from footprint.errors import from_data

from .language import chosen, listed, said, say, term

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


def result_text(result: dict) -> str:
    """A calculated result as the terminal shows it, in the chosen language."""
    zh = chosen() == "zh"
    product = result["product"]
    unit = result["declared_unit"]
    name = product["name"] + (f" / {product['name_zh']}" if product.get("name_zh") else "")
    out = [click.style(name, bold=True), "  " + say(
        "%(total)s kg CO2e per %(amount)s %(unit)s   (%(method)s, %(boundary)s, region "
        "%(region)s)", total=footprint(result["total_kg_co2e"]),
        amount=quantity(unit["amount"]), unit=term("unit", unit["unit"]),
        method=result["method"]["name"], boundary=term("boundary", result["system_boundary"]),
        region=result["region"])]
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
                low=quantity(low), high=quantity(high), unit=grade["unit"]), fg="yellow"))
    if result.get("dqi"):
        out.append("  " + data_quality_text(result))
    out.append("")
    stages = result["by_stage"]
    largest = max(stages.values(), default=0)
    out.append(table([[term("stage", s), footprint(v), bar(v, largest)]
                      for s, v in stages.items()], [say("stage"), "kg CO2e", ""]))
    for stage, value in result["outside_boundary"].items():
        out.append("  " + say("(outside the boundary, not in the total: %(stage)s %(value)s kg "
                              "CO2e)", stage=term("stage", stage), value=footprint(value)))
    out.append("")
    hot = sorted(result["by_input"], key=lambda e: -e["kg_co2e"])
    out.append(table([[f"{e['line']}{'*' if e.get('model') else ''}", e["input"],
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
        f"{g} {footprint(v)}" for g, v in result["by_gas"].items())))
    if result.get("scopes"):  # absent from results stored before results named their scopes
        out.append(say("gas scopes: %(scopes)s; standard %(standard)s", scopes=listed(
            f"{term('scope', s)} {footprint(v['kg_co2e'])} ({percent(v['share'])})"
            for s, v in result["scopes"].items()), standard=result["standard"]))
    if result["biogenic_co2_kg"]:
        out.append(say("biogenic CO2 (not in the total): %(value)s kg",
                       value=footprint(result["biogenic_co2_kg"])))
    out.append(say("factors:"))
    for f in result["factors"]:
        out.append(f"  {f['process']}: {f['source']['citation']} [{f['plugin']}]")
    for plugin, fields in result.get("extensions", {}).items():
        out.append(f"{plugin}: " + ", ".join(f"{k}={_short(v)}" for k, v in fields.items()))
    for note in _notes(result):
        out.append(click.style(say("note: %(note)s", note=note), fg="yellow"))
    version = result["data_version"][:16]
    name = result.get("data_version_name")  # absent from results stored before it existed
    out.append(say("data version %(version)s  reproducibility %(hash)s",
                   version=f"{name} {version}" if name else version,
                   hash=result["reproducibility_hash"][:16]))
    return "\n".join(out)


def _notes(result: dict) -> list[str]:
    """The result's notes in the chosen language, from the messages stored beside them (a
    result stored before it carried messages: its English notes)."""
    if chosen() == "zh" and result.get("note_messages"):
        return [said(from_data(m)) for m in result["note_messages"]]
    return result["notes"]


def data_quality_text(result: dict) -> str:
    """The weighted ratings (1 very good ... 5 very poor) and the primary data share, one line."""
    dqi = result["dqi"]
    return say("data quality: %(level)s (%(overall)s; %(ratings)s; 1 = very good, 5 = very "
               "poor)   primary data %(share)s %%", level=term("quality_level", level(dqi)),
               overall=overall(dqi), ratings=listed(
                   f"{term('quality_criterion', c)} {dqi[c]}" for c in CRITERIA),
               share=result["primary_data_share"])


def _shown(value) -> str:
    """A value of a plugin's extension as people read it: every number inside by the display
    rule, however deeply nested (a float's repr would print 16 digits)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return quantity(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def _short(value) -> str:
    text = _shown(value)
    return text if len(text) <= 60 else text[:57] + "..."
