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

from footprint.dataquality import level, overall
from footprint.display import footprint, percent, quantity, time_text, zone_key

BAR_WIDTH = 30
SCOPE_NAMES = {"co2_only": "CO2 only", "co2e": "CO2e (GWP set)",
               "lifecycle_co2e": "life-cycle CO2e"}  # footprint.model.GAS_SCOPES


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
    product = result["product"]
    unit = result["declared_unit"]
    per = f"{quantity(unit['amount'])} {unit['unit']}"
    name = product["name"] + (f" / {product['name_zh']}" if product.get("name_zh") else "")
    out = [click.style(name, bold=True),
           f"  {footprint(result['total_kg_co2e'])} kg CO2e per {per}   "
           f"({result['method']['name']}, {result['system_boundary'].replace('_', '-')}, "
           f"region {result['region']})"]
    category = result.get("category")
    if category and category["id"] != "generic":
        out.append(f"  category: {category['name_zh']} / {category['name_en']}")
    grade = result.get("grade")
    if grade:
        provisional = " (provisional bands 暂行分级)" if grade["provisional"] else ""
        out.append(f"  grade: {grade['grade']} {grade['label_zh']} {grade['label_en']}"
                   f"{provisional}")
        if grade.get("below_published_range"):  # the grade may flatter a BOM short of inputs
            low, high = grade["published_range"]
            out.append(click.style(
                f"  below the published range {quantity(low)}-{quantity(high)} {grade['unit']}: "
                "inputs may be missing 低于文献范围，可能缺少投入", fg="yellow"))
    if result.get("dqi"):
        out.append("  " + data_quality_text(result))
    out.append("")
    stages = result["by_stage"]
    largest = max(stages.values(), default=0)
    out.append(table([[s, footprint(v), bar(v, largest)] for s, v in stages.items()],
                     ["stage", "kg CO2e", ""]))
    for stage, value in result["outside_boundary"].items():
        out.append(f"  (outside the boundary, not in the total: {stage} {footprint(value)} kg CO2e)")
    out.append("")
    hot = sorted(result["by_input"], key=lambda e: -e["kg_co2e"])
    out.append(table([[f"{e['line']}{'*' if e.get('model') else ''}", e["input"],
                       f"{quantity(e['amount'])} {e['unit']}", e["stage"],
                       footprint(e["kg_co2e"]), percent(e["share"])] for e in hot],
                     ["line", "input", "amount", "stage", "kg CO2e", "share"]))
    if any(e.get("model") for e in hot):
        out.append("* modelled from the category parameters:")
        out += [f"  {e['line']}: {e['note']}" for e in result["by_input"] if e.get("note")]
    out.append("")
    out.append("by gas: " + ", ".join(f"{g} {footprint(v)}" for g, v in result["by_gas"].items()))
    if result.get("scopes"):  # absent from results stored before results named their scopes
        out.append("gas scopes: " + ", ".join(
            f"{SCOPE_NAMES.get(s, s)} {footprint(v['kg_co2e'])} ({percent(v['share'])})"
            for s, v in result["scopes"].items()) + f"; standard {result['standard']}")
    if result["biogenic_co2_kg"]:
        out.append(f"biogenic CO2 (not in the total): {footprint(result['biogenic_co2_kg'])} kg")
    out.append("factors:")
    for f in result["factors"]:
        out.append(f"  {f['process']}: {f['source']['citation']} [{f['plugin']}]")
    for plugin, fields in result.get("extensions", {}).items():
        out.append(f"{plugin}: " + ", ".join(f"{k}={_short(v)}" for k, v in fields.items()))
    for note in result["notes"]:
        out.append(click.style(f"note: {note}", fg="yellow"))
    name = result.get("data_version_name")  # absent from results stored before it existed
    out.append(f"data version {f'{name} ' if name else ''}{result['data_version'][:16]}  "
               f"reproducibility {result['reproducibility_hash'][:16]}")
    return "\n".join(out)


def data_quality_text(result: dict) -> str:
    """The weighted ratings (1 very good ... 5 very poor) and the primary data share, one line."""
    dqi = result["dqi"]
    return (f"data quality: {level(dqi)} ({overall(dqi)}; technological {dqi['technological']}, "
            f"geographical {dqi['geographical']}, temporal {dqi['temporal']}; 1 = very good, "
            f"5 = very poor)   primary data {result['primary_data_share']} %")


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
