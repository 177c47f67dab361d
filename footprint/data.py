"""Reading shipped datasets through their provenance manifest, in any published version.

A dataset is only ever read through ``Catalog.dataset``, which checks the file against the
SHA-256 in the manifest first: an edited factor file without an updated manifest entry is an
error, never a silent change of results. Plugins that ship data use the same class on their
own package.

Factors are republished (China's grid factors every year), and a result must stay
recomputable exactly as issued. So every manifest entry names its ``version`` (e.g.
"MEE-2023") and may list earlier versions, oldest first, under ``history``: each an immutable
file with its own SHA-256, publication date and source. ``use_data_version(name)`` selects a
version for the current context; ``Catalog.dataset`` honours it, so plugins read the selected
version through their usual hooks without knowing that versions exist.
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from .errors import DataError, InvalidInput, Problem
from .model import Process, Source
from .suggest import nearest

MANIFEST = "manifest.json"
CORE_PACKAGE = "lca_data"
REQUIRED_FIELDS = ("id", "file", "title", "source", "publisher", "year", "geography", "unit",
                   "gas_scope", "confidence", "licence", "sha256", "version")
HISTORY_FIELDS = ("version", "file", "sha256", "published", "source")
# What an earlier release may state differently; everything else is the current entry's.
HISTORY_OVERRIDES = ("year", "data_years", "confidence")
FIELD_HINTS = {"version": 'a short name of the publication, e.g. "MEE-2023"'}
VERSION_JOIN = "+"  # joins the versions of several datasets into one name

# None: every dataset in its current version.
_selected: ContextVar[str | None] = ContextVar("footprint_data_version", default=None)
# Every Catalog alive, so the data versions of plugin packages are known without a registry
# of their own; weak, so a throw-away catalog (a test's, a one-off check) is forgotten.
_catalogs: weakref.WeakSet = weakref.WeakSet()


@dataclass(frozen=True)
class Dataset:
    entry: dict
    raw: bytes

    @property
    def id(self) -> str:
        return self.entry["id"]

    @property
    def version(self) -> str:
        return self.entry["version"]

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

    def __init__(self, package: str = CORE_PACKAGE):
        self.package = package
        _catalogs.add(self)

    @cached_property
    def entries(self) -> dict[str, dict]:
        """Entries of the package's manifest.json and of each folder's own manifest.json
        (a folder per category keeps its data and its provenance together). File paths, the
        history's included, are made relative to the package."""
        root = resources.files(self.package)
        manifests = [""] + sorted(f"{d.name}/" for d in root.iterdir()
                                  if d.is_dir() and d.joinpath(MANIFEST).is_file())
        entries = {}
        for folder in manifests:
            where = f"{self.package}/{folder}{MANIFEST}"
            for entry in json.loads(self._bytes(folder + MANIFEST))["datasets"]:
                missing = [f for f in REQUIRED_FIELDS if f not in entry]
                if missing:
                    hints = "".join(f" ({field}: {FIELD_HINTS[field]})" for field in missing
                                    if field in FIELD_HINTS)
                    raise DataError(f"{where}: dataset {entry.get('id')!r} lacks "
                                    f"{', '.join(missing)}{hints}")
                if entry["id"] in entries:
                    raise DataError(f"{where}: dataset id {entry['id']!r} is used twice")
                _check_versions(where, entry)
                history = [{**h, "file": folder + h["file"]} for h in entry.get("history", [])]
                entries[entry["id"]] = {**entry, "file": folder + entry["file"],
                                        **({"history": history} if history else {})}
        return entries

    def _bytes(self, relative: str) -> bytes:
        return resources.files(self.package).joinpath(relative).read_bytes()

    def _entry(self, dataset_id: str) -> dict:
        try:
            return self.entries[dataset_id]
        except KeyError:
            raise DataError(f"no dataset {dataset_id!r} in {self.package}/{MANIFEST}") from None

    def versions(self, dataset_id: str) -> list[dict]:
        """The dataset's entry as of each version, oldest first; the last is the current one.
        An earlier version is the current entry with the history item's fields laid over."""
        current = self._entry(dataset_id)
        base = {k: v for k, v in current.items() if k != "history"}
        return [*({**base, **item} for item in current.get("history", [])), base]

    def version_entry(self, dataset_id: str, version: str | None = None) -> dict:
        """The entry of ``version``, else of the selected data version if the dataset has a
        version of that name, else the current entry."""
        versions = self.versions(dataset_id)
        if version is not None:
            wanted = {version}
        else:
            selected = _selected.get()
            wanted = set(selected.split(VERSION_JOIN)) if selected else set()
        match = next((v for v in versions if v["version"] in wanted), None)
        if match is not None:
            return match
        if version is not None:
            raise DataError(f"dataset {dataset_id!r} in {self.package}/{MANIFEST} has no version "
                            f"{version!r}; versions: {', '.join(v['version'] for v in versions)}")
        return versions[-1]

    def dataset(self, dataset_id: str, version: str | None = None) -> Dataset:
        """The dataset in ``version``, or as selected by ``use_data_version``, checked
        against its hash."""
        entry = self.version_entry(dataset_id, version)
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
        """Problems with any dataset in any version (empty when all files match the manifest)."""
        problems = []
        for dataset_id in self.entries:
            for entry in self.versions(dataset_id):
                try:
                    self.dataset(dataset_id, entry["version"])
                except (DataError, FileNotFoundError) as exc:
                    problems.append(str(exc))
        return problems


def _iso_date(where: str, value) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _check_versions(where: str, entry: dict) -> None:
    """Version names are unique within a dataset and the history is oldest first, so the
    newest name is always the current file."""
    where = f"{where}: dataset {entry['id']!r}"
    history = entry.get("history", [])
    if not isinstance(history, list):
        raise DataError(f"{where}: history must be a list of earlier versions, oldest first")
    for i, item in enumerate(history):
        missing = [f for f in HISTORY_FIELDS if not (isinstance(item, dict) and item.get(f))]
        if missing:
            raise DataError(f"{where}: history[{i}] lacks {', '.join(missing)}")
        other = sorted(set(item) - set(HISTORY_FIELDS) - set(HISTORY_OVERRIDES))
        if other:
            raise DataError(f"{where}: history[{i}] may not restate {', '.join(other)} (an "
                            f"earlier version may differ only in "
                            f"{', '.join(HISTORY_FIELDS + HISTORY_OVERRIDES)})")
    names = [h["version"] for h in history] + [entry["version"]]
    for name in names:
        if not isinstance(name, str) or not name.strip() or VERSION_JOIN in name:
            raise DataError(f"{where}: version {name!r} must be a non-empty name without "
                            f"{VERSION_JOIN!r}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(f"{where}: version {', '.join(map(repr, repeated))} is listed twice")
    if history and "published" not in entry:
        raise DataError(f"{where}: has a history, so its current version needs \"published\" "
                        "(ISO date)")
    dates = [_iso_date(f"{where}: history[{i}].published", h["published"])
             for i, h in enumerate(history)]
    if "published" in entry:
        dates.append(_iso_date(f"{where}: published", entry["published"]))
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise DataError(f"{where}: history must be oldest first, each version published after "
                        f"the one before (published: {', '.join(map(str, dates))})")


# -- selecting a data version -----------------------------------------------------------------

def selected_data_version() -> str | None:
    """The name selected by the innermost ``use_data_version``; None: every dataset current."""
    return _selected.get()


@contextmanager
def use_data_version(name: str | None) -> Iterator[None]:
    """Within the block, ``Catalog.dataset`` returns each dataset in the version called
    ``name`` if it has one (current or in its history), else in its current version. ``None``
    selects the current version of every dataset. Several names joined by "+" (as a
    registry's ``data_version_name`` reads, e.g. "Ember-2023+MEE-2022") select a version of
    each. A context variable, so threads and asyncio tasks each keep their own selection."""
    if name is not None:
        check_data_version(name)
    with select_checked(name):
        yield


@contextmanager
def select_checked(name: str | None) -> Iterator[None]:
    """``use_data_version`` for a name already checked (a registry's selection): the engine
    enters it for every step, and checking again would read every manifest each time."""
    token = _selected.set(name)
    try:
        yield
    finally:
        _selected.reset(token)


def known_catalogs() -> list[Catalog]:
    """The core catalog, then one live catalog of every other package whose manifest reads,
    by package name."""
    by_package = {}
    for catalog in list(_catalogs):
        if catalog.package == CORE_PACKAGE or catalog.package in by_package:
            continue
        try:
            catalog.entries
        except (DataError, ImportError, OSError, ValueError, KeyError):
            # A catalog that cannot be read selects nothing, and whoever reads a dataset
            # from it gets the error; it must not break selecting versions everywhere else
            # (a plugin whose package was removed, a manifest being edited).
            continue
        by_package[catalog.package] = catalog
    return [core_catalog(), *(by_package[p] for p in sorted(by_package))]


@dataclass(frozen=True)
class DataVersion:
    """A selectable data version: the datasets that have a version of this name."""

    name: str
    published: str  # ISO date; the latest, if datasets of several packages share the name
    datasets: tuple[tuple[str, str], ...]  # (package, dataset id)


def data_versions(catalogs: Iterable[Catalog] | None = None) -> list[DataVersion]:
    """The names that select something: versions of datasets that have a history, oldest
    first (by publication date). The last one is the default: every such dataset current."""
    found: dict[str, tuple[str, list]] = {}
    for catalog in (known_catalogs() if catalogs is None else catalogs):
        for dataset_id, entry in catalog.entries.items():
            if not entry.get("history"):
                continue
            for version in catalog.versions(dataset_id):
                published, datasets = found.get(version["version"], ("", []))
                datasets.append((catalog.package, dataset_id))
                found[version["version"]] = (max(published, str(version["published"])), datasets)
    return sorted((DataVersion(name, published, tuple(datasets))
                   for name, (published, datasets) in found.items()),
                  key=lambda v: (v.published, v.name))


def available_data_versions(catalogs: Iterable[Catalog] | None = None) -> list[str]:
    """Names ``use_data_version`` accepts, by publication date, newest (the default) last."""
    return [v.name for v in data_versions(catalogs)]


def check_data_version(name: str, catalogs: Iterable[Catalog] | None = None) -> None:
    """InvalidInput unless every "+"-joined part of ``name`` is a known data version and no
    two parts are versions of the same dataset."""
    versions = {v.name: v for v in data_versions(catalogs)}
    known = list(versions)
    parts = name.split(VERSION_JOIN)
    problems = [Problem("data_version", unknown_data_version(part, known))
                for part in parts if part not in versions]
    owner: dict[tuple, str] = {}
    for part in parts:
        for dataset in versions[part].datasets if part in versions else ():
            if dataset in owner and owner[dataset] != part:
                problems.append(Problem("data_version", (
                    f"{owner[dataset]!r} and {part!r} are both versions of dataset "
                    f"{dataset[1]!r} ({dataset[0]}): name one of them")))
            owner.setdefault(dataset, part)
    if problems:
        raise InvalidInput(problems)


def unknown_data_version(name: str, known: list[str]) -> str:
    guess = nearest(name, known)
    hint = f"; did you mean {guess!r}?" if guess else ""
    return f"unknown data version {name!r}; known: {', '.join(known) or 'none'}{hint}"


def core_catalog() -> Catalog:
    return Catalog(CORE_PACKAGE)


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
