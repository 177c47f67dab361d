"""Reading shipped datasets through their provenance manifest.

A dataset is only ever read through ``Catalog.read_*``, which checks the file against the
SHA-256 in the manifest first: an edited factor file without an updated manifest entry is an
error, never a silent change of results. Plugins that ship data use the same class on their
own package.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from .errors import DataError
from .model import Process, Source

MANIFEST = "manifest.json"
REQUIRED_FIELDS = ("id", "file", "title", "source", "publisher", "year", "geography", "unit",
                   "gas_scope", "confidence", "licence", "sha256")


@dataclass(frozen=True)
class Dataset:
    entry: dict
    raw: bytes

    @property
    def id(self) -> str:
        return self.entry["id"]

    def source(self, detail: str = "") -> Source:
        """A Source citing this dataset, optionally narrowed (e.g. to one announcement)."""
        citation = f"{self.entry['publisher']}: {detail or self.entry['source']}"
        return Source(self.id, citation, self.entry["confidence"])

    def rows(self) -> list[dict]:
        return list(csv.DictReader(io.StringIO(self.raw.decode("utf-8"))))

    def json(self):
        return json.loads(self.raw)


class Catalog:
    """The datasets of one package (``lca_data`` for the core) as listed in its manifest."""

    def __init__(self, package: str = "lca_data"):
        self.package = package

    @cached_property
    def entries(self) -> dict[str, dict]:
        """Entries of the package's manifest.json and of each folder's own manifest.json
        (a folder per category keeps its data and its provenance together). File paths are
        made relative to the package."""
        root = resources.files(self.package)
        manifests = [""] + sorted(f"{d.name}/" for d in root.iterdir()
                                  if d.is_dir() and d.joinpath(MANIFEST).is_file())
        entries = {}
        for folder in manifests:
            for entry in json.loads(self._bytes(folder + MANIFEST))["datasets"]:
                missing = [f for f in REQUIRED_FIELDS if f not in entry]
                if missing:
                    raise DataError(f"{self.package}/{folder}{MANIFEST}: dataset "
                                    f"{entry.get('id')!r} lacks {', '.join(missing)}")
                if entry["id"] in entries:
                    raise DataError(f"{self.package}/{folder}{MANIFEST}: dataset id "
                                    f"{entry['id']!r} is used twice")
                entries[entry["id"]] = {**entry, "file": folder + entry["file"]}
        return entries

    def _bytes(self, relative: str) -> bytes:
        return resources.files(self.package).joinpath(relative).read_bytes()

    def dataset(self, dataset_id: str) -> Dataset:
        try:
            entry = self.entries[dataset_id]
        except KeyError:
            raise DataError(f"no dataset {dataset_id!r} in {self.package}/{MANIFEST}") from None
        raw = self._bytes(entry["file"])
        actual = hashlib.sha256(raw).hexdigest()
        if actual != entry["sha256"]:
            raise DataError(
                f"{self.package}/{entry['file']} does not match its manifest hash "
                f"(manifest {entry['sha256'][:12]}..., file {actual[:12]}...): "
                "update the manifest entry together with its source citation"
            )
        return Dataset(entry, raw)

    def verify(self) -> list[str]:
        """Problems with any dataset (empty when all files match the manifest)."""
        problems = []
        for dataset_id in self.entries:
            try:
                self.dataset(dataset_id)
            except (DataError, FileNotFoundError) as exc:
                problems.append(str(exc))
        return problems


def core_catalog() -> Catalog:
    return Catalog("lca_data")


def processes_from_csv(dataset) -> list[Process]:
    """Rows of (process, name_en, name_zh, unit, flow, amount): one row per emission."""
    by_id: dict[str, dict] = {}
    for row in dataset.rows():
        entry = by_id.setdefault(row["process"], {"row": row, "emissions": []})
        entry["emissions"].append((row["flow"], float(row["amount"])))
    return [
        Process(pid, e["row"]["name_en"], e["row"]["name_zh"], e["row"]["unit"],
                tuple(e["emissions"]), dataset.source())
        for pid, e in by_id.items()
    ]
