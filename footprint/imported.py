"""Imported LCI databases as the service keeps them: ``FOOTPRINT_HOME/backgrounds/<name>/``.

An import (footprint.engine.lci) solves the database's cumulative greenhouse-gas inventory once
and keeps, per version:

- ``<version>.npz``: per activity its code, name, reference product, unit (Brightway's and the
  project's, empty if the project has no such unit), location, and its cumulative kg of each
  greenhouse-gas flow per unit of reference product (float64, activities x flows);
- ``<version>.json``: the manifest: name, version, format, source file, import time, bw2io
  version, SHA-256 of the .npz, counts, the flows the core did not know with their factors,
  and the report (flows not characterised, activities not offered);
- ``current``: the version BOM lines use (the latest imported); older versions stay.

The built-in plugin ``backgrounds`` reads them through this module (footprint's public API)
and offers every activity as the background process ``bg:<name>/<code>``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .errors import DataError

PREFIX = "bg:"  # a BOM line's input naming an imported activity: bg:<name>/<code>
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # dataset names and versions
INDEX_FIELDS = ("codes", "names", "products", "bw_units", "units", "locations")


def folder(home: Path) -> Path:
    return Path(home) / "backgrounds"


def process_id(name: str, code: str) -> str:
    return f"{PREFIX}{name}/{code}"


def split_id(input_id: str) -> tuple[str, str] | None:
    """(name, code) of ``bg:<name>/<code>``; None for any other input."""
    if not isinstance(input_id, str) or not input_id.startswith(PREFIX):
        return None
    name, _, code = input_id[len(PREFIX):].partition("/")
    return name, code


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _replace(path: Path, write) -> None:
    """Write through a temporary file, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        write(tmp)
    os.replace(tmp.name, path)


@dataclass(frozen=True)
class ImportedBackground:
    """One version of an imported database, read back hash-checked."""

    home: Path
    name: str
    version: str

    @property
    def path(self) -> Path:
        return folder(self.home) / self.name / f"{self.version}.npz"

    @cached_property
    def manifest(self) -> dict:
        return json.loads(self.path.with_suffix(".json").read_text(encoding="utf-8"))

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        found = _sha256(self.path)
        if found != self.manifest["sha256"]:
            raise DataError(f"imported background {self.name} {self.version}: {self.path} has "
                            f"SHA-256 {found}, its manifest says {self.manifest['sha256']}")
        with np.load(self.path) as npz:
            return {key: npz[key] for key in npz.files}

    def activities(self) -> list[dict]:
        """Every activity: code, name, product, bw_unit, unit ("" if not offered), location
        and its cumulative flows per unit ({flow id: kg}, zeros left out)."""
        a = self.arrays
        flows = a["flow_ids"].tolist()
        rows = []
        for i, fields in enumerate(zip(*(a[f].tolist() for f in INDEX_FIELDS))):
            row = dict(zip(("code", "name", "product", "bw_unit", "unit", "location"), fields))
            row["flows"] = {flow: float(v) for flow, v in zip(flows, a["cumulative"][i]) if v}
            rows.append(row)
        return rows


def save(home: Path, manifest: dict, index: dict[str, list], flow_ids: list[str],
         cumulative: np.ndarray, report: dict) -> ImportedBackground:
    """Keep a solved import: the .npz, then its manifest (with the .npz's SHA-256) and the
    report beside it, then mark it current."""
    found = ImportedBackground(Path(home), manifest["name"], manifest["version"])

    def arrays(tmp):
        np.savez(tmp, flow_ids=np.array(flow_ids, dtype=str),
                 cumulative=np.asarray(cumulative, dtype=np.float64),
                 **{f: np.array(index[f], dtype=str) for f in INDEX_FIELDS})
    _replace(found.path, arrays)
    manifest = {**manifest, "sha256": _sha256(found.path), "report": report}
    for suffix, content in ((".report.json", report), (".json", manifest)):
        text = json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True)
        _replace(found.path.with_suffix(suffix), lambda tmp: tmp.write(text.encode()))
    _replace(found.path.parent / "current", lambda tmp: tmp.write(found.version.encode()))
    return found


def versions(home: Path, name: str) -> list[str]:
    """The versions of ``name`` kept, in the order they were imported."""
    kept = []
    for path in (folder(home) / name).glob("*.json"):
        if not path.name.endswith(".report.json") and path.with_suffix(".npz").exists():
            manifest = json.loads(path.read_text(encoding="utf-8"))
            kept.append((manifest.get("imported_at", ""), manifest["version"]))
    return [version for _, version in sorted(kept)]


def current(home: Path, name: str) -> ImportedBackground | None:
    marker = folder(home) / name / "current"
    if not marker.is_file():
        return None
    found = ImportedBackground(Path(home), name, marker.read_text(encoding="utf-8").strip())
    return found if found.path.exists() else None


def imported_backgrounds(home: Path) -> list[ImportedBackground]:
    """The current version of every imported database, by name."""
    root = folder(home)
    names = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    return [found for found in (current(home, n) for n in names) if found is not None]


def select(home: Path, name: str, version: str) -> ImportedBackground:
    """Make ``version`` of ``name`` the one BOM lines use (LookupError if it is not kept)."""
    found = ImportedBackground(Path(home), name, version)
    if not found.path.exists():
        raise LookupError(version)
    _replace(found.path.parent / "current", lambda tmp: tmp.write(version.encode()))
    return found
