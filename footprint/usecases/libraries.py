"""The platform's own factor libraries: an administrator imports a factor table as a named,
versioned dataset.

A library lives under FOOTPRINT_HOME/libraries as a dataset of the platform's own manifest
(footprint.factortable), in the same format as the shipped datasets: its file's SHA-256, who
imported it from which file and when, and every earlier version in its history, kept
unchanged. The built-in plugin ``libraries`` registers them, so a library's factors are
background processes ``library/<name>/<id>`` every producer's BOM editor offers, and each
version is part of the data version (``<name>@<version>``): a label calculated with it is
recalculated with exactly it, and one calculated before it existed, without it.

An import is checked whole before anything is written: a file with any problem is refused
with every problem at its row and column, and the kept libraries do not change. A version,
once imported, is never replaced.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .. import imported
from ..clock import now
from ..data import IMPORTED, MANIFEST
from ..engine.dataversions import build_registry
from ..errors import InvalidInput, Message, Problem
from ..factortable import (LIBRARY_FOLDER, LIBRARY_PACKAGE, canonical_csv, dataset_id,
                           library_catalog, library_name, read_table, stored_factors)
from ..files import exclusive, write_atomically
from ..plugins import get_plugin_manager
from ..settings import using_home
from ..sheets import ZIP
from ..text import checked

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
MAX_BYTES = 5 * 1024 * 1024
HISTORY_KEYS = ("version", "file", "sha256", "published", "source")


def import_library(home: Path, filename: str, content: bytes, name: str, version: str, *,
                   by: str, title: str = "", publisher: str = "", licence: str = "") -> dict:
    """Check ``content`` (a CSV or XLSX factor table) and keep it as version ``version`` of
    library ``name``; returns the library as ``libraries`` lists it. InvalidInput (every
    problem located, an existing version among them) leaves everything as it was."""
    problems: list[Problem] = []
    title, publisher, licence = (checked(v.strip(), k, problems) for k, v in
                                 (("title", title), ("publisher", publisher),
                                  ("licence", licence)))
    if not NAME.match(name or ""):
        problems.append(Problem("name", Message(
            '"%(value)s" is not a library name: lower-case letters, digits, "_" and "-", at '
            "most 40, starting with a letter or digit", value=name)))
    if not VERSION.match(version or ""):
        problems.append(Problem("version", Message(
            '"%(value)s" is not a version: letters, digits, ".", "_" and "-", at most 32',
            value=version)))
    if len(content) > MAX_BYTES:
        problems.append(Problem("file", Message("the file is larger than %(max)s MB",
                                                max=MAX_BYTES // (1024 * 1024))))
    if problems:
        raise InvalidInput(problems)
    factors = read_table(filename, content)
    root = Path(home) / LIBRARY_FOLDER
    with exclusive(root / ".lock"):  # one import at a time, across processes
        manifest = _manifest(root)
        entries = {e["id"]: e for e in manifest["datasets"]}
        current = entries.get(dataset_id(name))
        label = f"{name}@{version}"
        if current is not None:
            kept = [h["version"] for h in current.get("history", [])] + [current["version"]]
            if label in kept:
                raise InvalidInput([Problem("version", Message(
                    "version %(version)s of library %(name)s was imported before; a version "
                    "is never replaced: give a new one", version=version, name=name))])
        stored = canonical_csv(factors)
        relative = f"{name}/{version}.csv"
        stamp = now().isoformat()
        entry = {
            "id": dataset_id(name), "file": relative, "kind": "processes",
            "title": title or f"Factor library {name}",
            # the platform's own words in Chinese too; what the operator typed is in one
            # language, shown so on every page
            **({} if title else {"title_zh": f"因子库 {name}"}),
            **({} if publisher else {"publisher_zh": "本平台"}),
            "source": f"imported by {by} from {Path(filename).name} on {stamp}; each factor "
                      "cites its own publication",
            "publisher": publisher or "this platform", "year": now().year,
            "geography": "as stated per factor", "geography_zh": "以各因子所注为准",
            "unit": "kg of the gas per unit, per factor",
            "unit_zh": "每单位排放该气体的 kg 数，以各因子为准",
            "gas_scope": _gas_scope(factors), "gas_scope_zh": _gas_scope(factors, "zh"),
            "confidence": "as stated per factor", "confidence_zh": "以各因子所注为准",
            "licence": licence or "the platform's own",
            **({} if licence else {"licence_zh": "平台自有"}),
            "sha256": hashlib.sha256(stored).hexdigest(), "version": label,
            "published": stamp, IMPORTED: True,
            "factors": len(factors), "original": f"{name}/{version}.source{_suffix(content)}",
        }
        if current is not None:
            history = current.get("history", [])
            entry["history"] = history + [{k: current[k] for k in HISTORY_KEYS}]
        entries[entry["id"]] = entry
        manifest["datasets"] = sorted(entries.values(), key=lambda e: e["id"])
        written = [write_atomically(root / relative, stored), write_atomically(root / entry["original"], content)]
        previous = (root / MANIFEST).read_bytes() if (root / MANIFEST).exists() else None
        write_atomically(root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        try:
            _check(home)
        except Exception:
            if previous is None:
                (root / MANIFEST).unlink()
            else:
                write_atomically(root / MANIFEST, previous)
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return next(lib for lib in libraries(home) if lib["name"] == name)


def libraries(home: Path) -> list[dict]:
    """Every library kept under ``home``, each with its versions (newest last), the number of
    factors of each, who imported it and when."""
    catalog = library_catalog(home)
    if catalog is None:
        return []
    listed = []
    for dataset, current in catalog.entries.items():
        versions = []
        for entry in catalog.versions(dataset):
            versions.append({"version": entry["version"].partition("@")[2],
                             "data_version": entry["version"], "published": entry["published"],
                             "source": entry["source"], "sha256": entry["sha256"]})
        versions[-1]["factors"] = current.get("factors")
        listed.append({"name": library_name(dataset), "title": current["title"],
                       # the platform's own title in Chinese (因子库 shop); a title the
                       # operator typed is in one language, and is its Chinese too
                       "title_zh": current.get("title_zh") or current["title"],
                       "publisher": current["publisher"], "licence": current["licence"],
                       "gas_scope": current["gas_scope"], "versions": versions})
    return listed


def library_factors(home: Path, name: str, version: str | None = None) -> list:
    """The factors of a library version (default: the newest)."""
    catalog = library_catalog(home)
    if catalog is None or dataset_id(name) not in catalog.entries:
        known = [lib["name"] for lib in libraries(home)]
        raise InvalidInput([Problem("name", Message(
            "no library %(name)s; libraries: %(known)s", name=name,
            known=", ".join(known) or Message("none")))])
    return stored_factors(catalog.dataset(dataset_id(name),
                                          f"{name}@{version}" if version else None))


def imports_stamp(home: Path) -> tuple:
    """Changes whenever a factor library or an LCI database is imported: a long-running
    process builds its engine again when it sees a new stamp."""
    stamp = []
    for path in (Path(home) / LIBRARY_FOLDER / MANIFEST,
                 imported.folder(home) / MANIFEST):
        try:
            status = path.stat()
            stamp.append((status.st_mtime_ns, status.st_size))
        except FileNotFoundError:
            stamp.append(None)
    return tuple(stamp)


def _check(home: Path) -> None:
    """The plugins' data with the new library builds (every reference resolves)."""
    with using_home(home):
        build_registry(get_plugin_manager(), None)


def _gas_scope(factors, language: str = "en") -> str:
    """The gases the library's factors give, with how many of each: "CO2e (AR6 GWP100): 11
    factors; CO2 only: 1 factor"; in Chinese "CO2e（AR6 GWP100）：11 个因子；仅 CO2：1 个因子"."""
    counts: dict[str, int] = {}
    for f in factors:
        if language == "zh":
            key = f"CO2e（{f.gwp} GWP100）" if f.gas == "CO2e" else f"仅 {f.gas}"
        else:
            key = f"CO2e ({f.gwp} GWP100)" if f.gas == "CO2e" else f"{f.gas} only"
        counts[key] = counts.get(key, 0) + 1
    if language == "zh":
        return "；".join(f"{key}：{n} 个因子" for key, n in counts.items())
    return "; ".join(f"{key}: {n} factor{'s' if n > 1 else ''}" for key, n in counts.items())


def _suffix(content: bytes) -> str:
    """The kept original's suffix: what the file was read as (footprint.sheets.table_rows)."""
    return ".xlsx" if content.startswith(ZIP) else ".csv"


def _manifest(root: Path) -> dict:
    path = root / MANIFEST
    return json.loads(path.read_bytes()) if path.exists() else {
        "catalog": LIBRARY_PACKAGE, "datasets": []}
