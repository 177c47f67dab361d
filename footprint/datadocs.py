"""docs/data.md, rendered from a data manifest so the page cannot drift from the data.

``render_markdown(core_catalog())`` is the whole page; ``footprint data docs`` prints it and a
test compares it with the file in the repository.
"""
from __future__ import annotations

from .data import MANIFEST, Catalog

HASH_SHOWN = 12  # enough to tell versions apart by eye; the manifest holds the full hash

# (label, manifest key); the order people read in: what it is, where from, what it covers
FIELDS = (
    ("Version", "version"),
    ("File", "file"),
    ("Source", "source"),
    ("Publisher", "publisher"),
    ("Year published", "year"),
    ("Data years", "data_years"),
    ("Geography", "geography"),
    ("Unit", "unit"),
    ("Gas scope", "gas_scope"),
    ("Confidence", "confidence"),
    ("Licence", "licence"),
    ("SHA-256", "sha256"),
)


def _value(key: str, entry: dict) -> str:
    value = entry.get(key)
    if value is None or value == "" or value == []:
        return "not stated"
    if key == "version" and entry.get("published"):
        return f"{value} (published {entry['published']})"
    if key == "sha256":
        return f"`{value[:HASH_SHOWN]}`"
    if key == "file":
        return f"`{value}`"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _regenerate_command(package: str) -> str:
    if package == "lca_data":
        return "footprint data docs > docs/data.md"
    return f"footprint data docs --package {package} > <your docs>/data.md"


def _history(catalog: Catalog, entry: dict) -> list[str]:
    """Earlier versions, oldest first: each still loadable, so each is documented."""
    earlier = catalog.versions(entry["id"])[:-1]
    if not earlier:
        return []
    out = ["- Earlier versions (oldest first; select one with `footprint calc --data-version`):"]
    for version in earlier:
        years = version.get("data_years")
        out.append(f"  - {version['version']}, published {version['published']}: "
                   f"{_value('file', version)}, SHA-256 {_value('sha256', version)}"
                   f"{', data years ' + _value('data_years', version) if years else ''}; "
                   f"{version['source']}")
    return out


def render_markdown(catalog: Catalog) -> str:
    entries = list(catalog.entries.values())
    out = [
        f"# Datasets in `{catalog.package}` (数据集)",
        "",
        f"Generated from `{catalog.package}/{MANIFEST}` by `footprint.datadocs`; do not edit "
        "this file by hand. After changing a dataset or its manifest entry, regenerate it with",
        "",
        "```sh",
        _regenerate_command(catalog.package),
        "```",
        "",
        "and check the files against their hashes with `footprint data verify`. Every dataset "
        "is read only through its manifest entry: a file whose SHA-256 differs from the "
        "manifest is refused, so a changed factor always comes with an updated source.",
        "",
        "Each dataset names its version (the publication it follows). A republished dataset "
        "keeps its earlier versions, each an unchanged file with its own hash, so a result "
        "can be recomputed exactly as it was issued; `footprint data versions` lists the "
        "data versions a calculation can select.",
        "",
        f"{len(entries)} datasets:",
        "",
        "| id | title | version | confidence |",
        "|---|---|---|---|",
        *[f"| `{e['id']}` | {_cell(e['title'])} | {_cell(str(e['version']))} | "
          f"{_cell(str(e['confidence']))} |" for e in entries],
    ]
    for entry in entries:
        out += ["", f"## {entry['title']}", "", f"- Id: `{entry['id']}`"]
        out += [f"- {label}: {_value(key, entry)}" for label, key in FIELDS]
        out += _history(catalog, entry)
    return "\n".join(out) + "\n"
