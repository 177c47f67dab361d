"""Results kept for a repeated calculation of the same BOM file, read back without loading
the plugins, the registry, numpy or the solver (what a repeated ``footprint calc`` costs).

An entry is found by its request: the BOM file's bytes and kind, the options, the
``FOOTPRINT_*`` environment (but FOOTPRINT_LANG: a result holds both languages, the command
says it in the one chosen), the calendar year (a BOM's years are checked against it) and the
Python version. It holds the result and what the result was worked out from, each file with its
size and modification time:

- every module the calculation had loaded: the engine, the plugins, numpy and the rest, so a
  changed engine or plugin (code that no data version hash covers) recalculates;
- every file and folder under each dataset catalog's folder the registry read (the shipped
  datasets, the platform's own factor libraries and imported backgrounds): a changed, added or
  republished dataset, so a changed data version, recalculates;
- the names of the folders of the platform home, except its caches (a first library or
  background import adds one, which plugins then read);
- the folders Python imports from: installing or removing a distribution (a new plugin)
  changes them.

An entry is used only when none of these changed; otherwise the BOM is calculated again and the
entry replaced. The entry also names the data version and engine it was worked out under, and
keeps beside the result the registry's names of what it cites (footprint.resultnames), so
the result printed again names its lines and sources as the first time, without the plugins.

Only a result that depends on nothing else is kept (``self_contained``): a BOM with a supplier's
label or PACT footprint (checked against this platform's database and the clock) or with a
sub-assembly (another file) is calculated every time.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from .. import __version__, clock
from ..files import write_atomically

# bumped when an entry's layout or what a request covers changes (3: the names kept beside a
# result name its sub-assemblies; 4: and its sources' confidence notes in Chinese)
FORMAT = 4
KEPT = 256  # entries kept per home; the least recently written go first
# folders of the platform home that hold caches, never anything a calculation reads as data
HOME_CACHES = frozenset({"cache", "brightway"})
# settings of how a command speaks, not of what it calculates
SAID_ONLY = frozenset({"FOOTPRINT_LANG"})


def folder(home: Path) -> Path:
    return Path(home) / "cache" / "results"


def request_key(path: Path, options: dict) -> str | None:
    """The key of a calculation of the BOM file at ``path`` with ``options`` (JSON-able); None
    when the file cannot be read (the calculation then says why)."""
    try:
        content = Path(path).read_bytes()
    except OSError:
        return None
    request = {
        "format": FORMAT,
        "bom": hashlib.sha256(content).hexdigest(),
        "kind": Path(path).suffix.lower(),
        "options": options,
        "environment": sorted((k, v) for k, v in os.environ.items()
                              if k.startswith("FOOTPRINT_") and k not in SAID_ONLY),
        "year": clock.now().year,
        "python": sys.version,
    }
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def lookup(home: Path, key: str | None) -> tuple[dict, dict] | None:
    """The stored result for ``key`` and the names kept with it (``store``), if it is there
    and nothing it depends on changed."""
    if key is None:
        return None
    try:
        entry = json.loads((folder(home) / f"{key}.json").read_bytes())
    except (OSError, ValueError):
        return None
    if entry.get("format") != FORMAT or entry.get("home") != _home_folders(home) or \
            entry.get("files") != _stamps(entry.get("files", {})):
        return None
    return entry["result"], entry.get("names") or {}


def store(home: Path, key: str | None, result: dict, catalogs, names: dict | None = None) -> None:
    """Keep ``result`` under ``key``, with the stamps of every file it depends on (see the
    module's docstring); ``catalogs``: those the registry read (``Registry.catalogs``);
    ``names``: the registry's names of what it cites (``ResultNames.to_data``)."""
    if key is None:
        return
    files = {os.path.abspath(file) for module in list(sys.modules.values())
             if isinstance(file := getattr(module, "__file__", None), str)}
    for root in {str(d) for catalog in catalogs for d in catalog.directories()}:
        for directory, folders, filenames in os.walk(root):
            folders[:] = [f for f in folders if f != "__pycache__"]  # Python's, not data
            files.add(directory)  # a file added or removed changes its folder's time
            files.update(os.path.join(directory, name) for name in filenames
                         if not name.endswith(".pyc"))
    files.update(os.path.abspath(path) for path in sys.path if path)
    entry = {"format": FORMAT, "data_version": result.get("data_version"),
             "engine": __version__, "home": _home_folders(home),
             "files": _stamps(dict.fromkeys(sorted(files))), "result": result,
             "names": names or {}}
    target = folder(home)
    try:
        target.mkdir(parents=True, exist_ok=True)
        write_atomically(target / f"{key}.json",
                         lambda f: f.write(json.dumps(entry, ensure_ascii=False).encode()))
        _prune(target)
    except OSError:
        pass  # a home that cannot keep the result (full, read-only): calculated every time


def self_contained(resolved) -> bool:
    """Whether a resolved BOM's result follows from the BOM file and the installation alone:
    no supplier's label or PACT footprint, no sub-assembly."""
    return all(line.label is None and line.sub is None for line in resolved.lines)


def _stamps(files: dict) -> dict[str, list[int] | None]:
    """Size and modification time (ns) of each file, None for one that is not there."""
    stamps = {}
    for name in files:
        try:
            stat = os.stat(name)
        except OSError:
            stamps[name] = None
        else:
            stamps[name] = [stat.st_size, stat.st_mtime_ns]
    return stamps


def _home_folders(home: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in os.scandir(home)
                      if entry.is_dir() and entry.name not in HOME_CACHES)
    except OSError:
        return []


def _prune(target: Path) -> None:
    entries = []
    for path in target.glob("*.json"):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except FileNotFoundError:
            continue  # another process pruned it first
    for _, stale in sorted(entries)[:-KEPT]:
        stale.unlink(missing_ok=True)
