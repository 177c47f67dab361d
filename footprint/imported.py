"""Imported LCI databases as the service keeps them: ``FOOTPRINT_HOME/backgrounds/<name>/``.

An import (footprint.engine.lci) solves the database's cumulative greenhouse-gas inventory once
and keeps, per version:

- ``<version>.npz``: per activity its code, name, reference product, unit (Brightway's and the
  project's, empty if the project has no such unit), location, and its cumulative kg of each
  greenhouse-gas flow per unit of reference product (float64, activities x flows);
- ``<version>.json``: the manifest: name, version, format, source file, import time, bw2io
  version, SHA-256 of the .npz, counts, the flows the core did not know with their factors,
  and the report (flows not characterised, activities not offered);
- ``manifest.json`` beside the databases: the platform's catalog of them, in the format of the
  shipped datasets (footprint.data): one dataset per database, its versions ``<name>@<version>``
  in the order they were imported, each with its .npz's SHA-256. Each is an "imported"
  dataset: part of the data version by name, so ``MEE-2023+hand@1`` calculates with version 1
  after version 2 was imported, and a data version that names no version of it (a result from
  before the import) calculates without it. With no name, the newest version is used.

The built-in plugin ``backgrounds`` reads them through this module (footprint's public API)
and offers every activity of the versions a data version includes as the background process
``bg:<name>/<code>``.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .data import IMPORTED, MANIFEST, Catalog
from .errors import DataError, Message
from .files import write_atomically

PREFIX = "bg:"  # a BOM line's input naming an imported activity: bg:<name>/<code>
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # dataset names and versions
INDEX_FIELDS = ("codes", "names", "products", "bw_units", "units", "locations")
PACKAGE = "platform-backgrounds"  # the catalog's name, the same on every host
HISTORY_KEYS = ("version", "file", "sha256", "published", "source")


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
            raise DataError(Message(
                "imported background %(name)s %(version)s: %(path)s has SHA-256 %(found)s, its "
                "manifest says %(kept)s: the file changed after the import; import it again",
                name=self.name, version=self.version, path=str(self.path), found=found,
                kept=self.manifest["sha256"]))
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
    report beside it, then the catalog entry that makes it the newest version."""
    found = ImportedBackground(Path(home), manifest["name"], manifest["version"])

    def arrays(tmp):
        np.savez(tmp, flow_ids=np.array(flow_ids, dtype=str),
                 cumulative=np.asarray(cumulative, dtype=np.float64),
                 **{f: np.array(index[f], dtype=str) for f in INDEX_FIELDS})
    write_atomically(found.path, arrays)
    manifest = {**manifest, "sha256": _sha256(found.path), "report": report}
    for suffix, content in ((".report.json", report), (".json", manifest)):
        text = json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True)
        write_atomically(found.path.with_suffix(suffix), text.encode())
    _catalogue(Path(home), manifest)
    return found


def dataset_id(name: str) -> str:
    return f"background_{name}"


def _catalogue(home: Path, manifest: dict) -> None:
    """Add the new version to the catalog: the database's entry now names it, its earlier
    version moves to the entry's history."""
    path = folder(home) / MANIFEST
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {
        "catalog": PACKAGE, "datasets": []}
    entries = {e["id"]: e for e in kept["datasets"]}
    name, version = manifest["name"], manifest["version"]
    previous = entries.get(dataset_id(name))
    counts = manifest.get("counts", {})
    entry = {
        "id": dataset_id(name), "file": f"{name}/{version}.npz", "kind": "background",
        "title": f"Imported LCI database {name}",
        "title_zh": f"导入的生命周期清单数据库 {name}",
        "source": f"{manifest.get('source', '')} ({manifest.get('format', '')}), imported "
                  f"with bw2io {manifest.get('bw2io', '')}; cumulative greenhouse-gas "
                  "inventory solved at import",
        "publisher": "imported by this platform",
        "publisher_zh": "本平台导入",
        # the data's own reference years are not read at import: its temporal rating says so
        "year": "not stated at import",
        "geography": "as stated per activity", "geography_zh": "以各活动所注为准",
        "unit": "kg of each gas per unit of product", "unit_zh": "每单位产品排放各气体的 kg 数",
        "gas_scope": "every greenhouse gas of the database, characterised by the platform's "
                     "methods (AR6, AR5)",
        "gas_scope_zh": "数据库中的全部温室气体，按平台的特征化方法（AR6、AR5）折算",
        "confidence": "as the database states it", "confidence_zh": "以数据库所述为准",
        "licence": "the database's own", "licence_zh": "以数据库自身的许可为准",
        "sha256": manifest["sha256"], "version": f"{name}{AT}{version}",
        "published": manifest["imported_at"], IMPORTED: True,
        "activities": counts.get("activities"),
    }
    if previous is not None:
        entry["history"] = previous.get("history", []) + [
            {k: previous[k] for k in HISTORY_KEYS}]
    entries[entry["id"]] = entry
    kept["datasets"] = sorted(entries.values(), key=lambda e: e["id"])
    text = json.dumps(kept, ensure_ascii=False, indent=1)
    write_atomically(path, text.encode())


AT = "@"  # <name>@<version>: a database's version as a data version names it


def catalog(home: Path) -> Catalog | None:
    """The catalog of the databases imported under ``home`` (None before the first)."""
    root = folder(home)
    return Catalog(PACKAGE, folder="", root=root) if (root / MANIFEST).is_file() else None


def versions(home: Path, name: str) -> list[str]:
    """The versions of ``name`` kept, in the order they were imported."""
    found = catalog(home)
    if found is None or dataset_id(name) not in found.entries:
        return []
    return [entry["version"].partition(AT)[2] for entry in found.versions(dataset_id(name))]


def current(home: Path, name: str) -> ImportedBackground | None:
    """The newest version of ``name``: the one a calculation without a named data version
    uses."""
    kept = versions(home, name)
    return ImportedBackground(Path(home), name, kept[-1]) if kept else None


def imported_backgrounds(home: Path) -> list[ImportedBackground]:
    """The newest version of every imported database, by name."""
    found = catalog(home)
    names = sorted(e[len("background_"):] for e in found.entries) if found else []
    return [current(home, n) for n in names]


def in_registry(home: Path, datasets) -> list[ImportedBackground]:
    """The database versions among a registry's ``datasets`` (those its data version
    includes), read from ``home``."""
    return [ImportedBackground(Path(home), *d.version.split(AT, 1)) for d in datasets
            if d.package == PACKAGE]
