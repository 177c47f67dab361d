"""Reading shipped datasets through their provenance manifest, in any published version.

A dataset is only ever read through ``Catalog.dataset``, which checks the file against the
SHA-256 in the manifest first: an edited factor file without an updated manifest entry is an
error, never a silent change of results. A catalog is a package's manifests, or one folder's
(``Catalog("lca_data", "oranges")``), or a few datasets of one folder; plugins read their data
through catalogs of their own and register them (hook ``register_datasets``), so the data
version counts exactly the datasets of the plugins loaded.

Factors are republished (China's grid factors every year), and a result must stay
recomputable exactly as issued. So every manifest entry names its ``version`` (e.g.
"MEE-2023") and may list earlier versions, oldest first, under ``history``: each an immutable
file with its own SHA-256, publication date and source. ``Catalog.dataset`` reads the version
selected for the current context (``selecting``), so plugins read the selected version through
their usual hooks without knowing that versions exist. Which names may be selected, and their
hashes, is footprint.engine.dataversions's business: it needs the plugins' registered datasets.
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import importlib.util
import io
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from .errors import DataError, Message
from .model import Process, Source

MANIFEST = "manifest.json"
CORE_PACKAGE = "lca_data"
REQUIRED_FIELDS = ("id", "file", "title", "source", "publisher", "year", "geography", "unit",
                   "gas_scope", "confidence", "licence", "sha256", "version")
HISTORY_FIELDS = ("version", "file", "sha256", "published", "source")
# What an earlier release may state differently; everything else is the current entry's.
HISTORY_OVERRIDES = ("year", "data_years", "confidence", "confidence_zh")
# What a manifest entry may also say in Chinese, beside its English (``<field>_zh``): a reader
# of Chinese is shown these, the rest (the source's citation, the file) as published.
SAID_IN_CHINESE = ("title", "publisher", "geography", "unit", "gas_scope", "confidence",
                   "licence")
FIELD_HINTS = {"version": Message('a short name of the publication, e.g. "MEE-2023"')}
VERSION_JOIN = "+"  # joins the versions of several datasets into one name
# A manifest entry marked "imported" is a dataset the platform imported itself (a factor
# library): it is versioned from its first version on, and a named data version includes it
# only when the name names one of its versions, so results calculated before it existed are
# recalculated without it.
IMPORTED = "imported"

# None: every dataset in its current version.
_selected: ContextVar[str | None] = ContextVar("footprint_data_version", default=None)


def published_range(stated: dict | None) -> tuple[float, float] | None:
    """A manifest's ``"range": {"low": 85.4, "value": 90.8, "high": 92.3}`` (the source's
    published uncertainty range of one of its values) as multiples of that value; None where
    none is stated or its low is 0 (a lognormal cannot reach 0)."""
    if not stated or stated["low"] <= 0:
        return None
    return stated["low"] / stated["value"], stated["high"] / stated["value"]


# A published range is read as the 2.5th-97.5th percentiles of a lognormal (IPCC's 95 %
# interval): Z_975 is the standard normal's 97.5th percentile.
Z_975 = 1.959963984540054


def range_sigma_of(published: tuple[float, float]) -> float:
    """The lognormal sigma a published range (low, high) stands for: ln(high/low) / (2 x 1.96)."""
    low, high = published
    return math.log(high / low) / (2 * Z_975)


def product_range(ranges: list[tuple[float, float] | None]) -> tuple[float, float] | None:
    """The range of a product of values with these ranges (multiples of each value): one
    value's own; for several, their sigmas added in quadrature, ``exp(+-1.96 sigma)``. None
    when any has no range."""
    if not ranges or None in ranges:
        return None
    if len(ranges) == 1:
        return ranges[0]
    sigma = math.sqrt(sum(range_sigma_of(r) ** 2 for r in ranges))
    return math.exp(-Z_975 * sigma), math.exp(Z_975 * sigma)


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
        return Source(self.id, citation, self.entry["confidence"], range=published_range(
            self.entry.get("range")))

    def rows(self) -> list[dict]:
        return list(csv.DictReader(io.StringIO(self.raw.decode("utf-8"))))

    def json(self):
        return json.loads(self.raw)


class Catalog:
    """Datasets as listed in the manifests of a package (``lca_data`` for the core).

    ``folder``: None reads the package's own manifest.json and that of each folder in it
    that has one (the whole package: what ``footprint data`` lists and verifies); a folder's
    name reads only ``<package>/<folder>/manifest.json``, and "" only the package's own.
    ``datasets``: only these dataset ids of those manifests, for plugins that share a folder
    (each registers the datasets it reads). File paths stay relative to the package, so one
    dataset is the same file, hash and entry in every catalog that lists it.
    ``root``: a directory to read instead of the package (the platform's own datasets under
    FOOTPRINT_HOME); ``package`` then only names the catalog, the same on every host.
    """

    def __init__(self, package: str = CORE_PACKAGE, folder: str | None = None,
                 datasets: Iterable[str] | None = None, root: Path | None = None):
        self.package = package
        self.root = None if root is None else Path(root)
        self.folder = None if folder is None else folder.strip("/")
        self.only = None if datasets is None else tuple(datasets)
        self._positions: dict[str, tuple[str, int]] = {}

    def __repr__(self) -> str:
        folder = "" if self.folder is None else f", folder={self.folder!r}"
        only = "" if self.only is None else f", datasets={self.only!r}"
        return f"Catalog({self.package!r}{folder}{only})"

    @property
    def where(self) -> str:
        """The manifest this catalog reads (the package's own, for a whole package), for
        messages."""
        return f"{self.package}/{self.folder + '/' if self.folder else ''}{MANIFEST}"

    @cached_property
    def entries(self) -> dict[str, dict]:
        """Entries of the catalog's manifests, in manifest order (the package's own first,
        then its folders' by name). File paths, the history's included, are made relative to
        the package."""
        if self.folder is None:
            root = self._root()
            folders = [""] + sorted(f"{d.name}/" for d in root.iterdir()
                                    if d.is_dir() and d.joinpath(MANIFEST).is_file())
        else:
            folders = [f"{self.folder}/" if self.folder else ""]
        entries = {}
        for folder in folders:
            where = f"{self.package}/{folder}{MANIFEST}"
            for index, entry in enumerate(json.loads(self._bytes(folder + MANIFEST))["datasets"]):
                missing = [f for f in REQUIRED_FIELDS if f not in entry]
                if missing:
                    hints = [Message("%(field)s: %(hint)s", field=field, hint=FIELD_HINTS[field])
                             for field in missing if field in FIELD_HINTS]
                    lacks = Message("%(where)s: dataset %(dataset)s lacks %(fields)s",
                                    where=where, dataset=repr(entry.get("id")), fields=missing)
                    raise DataError(Message("%(problem)s (%(hints)s)", problem=lacks,
                                            hints=hints) if hints else lacks)
                if entry["id"] in entries:
                    raise DataError(Message("%(where)s: dataset id %(dataset)s is used twice",
                                            where=where, dataset=repr(entry["id"])))
                _check_versions(where, entry)
                _check_chinese(where, entry)
                history = [{**h, "file": folder + h["file"]} for h in entry.get("history", [])]
                entries[entry["id"]] = {**entry, "file": folder + entry["file"],
                                        **({"history": history} if history else {})}
                self._positions[entry["id"]] = (folder, index)
        if self.only is None:
            return entries
        unknown = [dataset_id for dataset_id in self.only if dataset_id not in entries]
        if unknown:
            raise DataError(Message("%(where)s: no dataset %(datasets)s", where=self.where,
                                    datasets=[repr(d) for d in unknown]))
        return {dataset_id: entry for dataset_id, entry in entries.items()
                if dataset_id in self.only}

    def position(self, dataset_id: str) -> tuple[str, str, int]:
        """(package, folder, place in the folder's manifest): the order datasets are listed
        in, whichever catalog lists them."""
        self._entry(dataset_id)
        return (self.package, *self._positions[dataset_id])

    def _root(self):
        return self.root if self.root is not None else resources.files(self.package)

    def directories(self) -> list[Path]:
        """The folders the catalog reads from on this host: ``root``, or the package's (a
        namespace package may span several)."""
        if self.root is not None:
            return [self.root]
        spec = importlib.util.find_spec(self.package)
        locations = spec.submodule_search_locations if spec else None
        return [Path(p) for p in locations or []]

    def _bytes(self, relative: str) -> bytes:
        return self._root().joinpath(relative).read_bytes()

    def _entry(self, dataset_id: str) -> dict:
        try:
            return self.entries[dataset_id]
        except KeyError:
            raise DataError(Message("no dataset %(dataset)s in %(where)s",
                                    dataset=repr(dataset_id), where=self.where)) from None

    def versions(self, dataset_id: str) -> list[dict]:
        """The dataset's entry as of each version, oldest first; the last is the current one.
        An earlier version is the current entry with the history item's fields laid over; one
        that restates its confidence in English only has no Chinese note (the current one's
        would say another thing)."""
        current = self._entry(dataset_id)
        base = {k: v for k, v in current.items() if k != "history"}
        return [*(_earlier(base, item) for item in current.get("history", [])), base]

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
            raise DataError(Message("dataset %(dataset)s in %(where)s has no version "
                                    "%(version)s; versions: %(versions)s",
                                    dataset=repr(dataset_id), where=self.where,
                                    version=repr(version),
                                    versions=[v["version"] for v in versions]))
        return versions[-1]

    def dataset(self, dataset_id: str, version: str | None = None) -> Dataset:
        """The dataset in ``version``, or as selected by ``use_data_version``, checked
        against its hash."""
        entry = self.version_entry(dataset_id, version)
        raw = self._bytes(entry["file"])
        actual = hashlib.sha256(raw).hexdigest()
        if actual != entry["sha256"]:
            raise DataError(Message(
                "%(file)s does not match its manifest hash (manifest %(manifest)s..., file "
                "%(actual)s...): update the manifest entry together with its source citation",
                file=f"{self.package}/{entry['file']}", manifest=entry["sha256"][:12],
                actual=actual[:12]))
        return Dataset(entry, raw)

    def verify(self) -> list[Message]:
        """Problems with any dataset in any version (empty when all files match the manifest),
        as Messages: the command line says them in its reader's language."""
        problems = []
        for dataset_id in self.entries:
            for entry in self.versions(dataset_id):
                try:
                    self.dataset(dataset_id, entry["version"])
                except DataError as exc:
                    problems.append(exc.message)
                except FileNotFoundError:
                    problems.append(Message("no such file: %(path)s",
                                            path=f"{self.package}/{entry['file']}"))
        return problems


def _check_chinese(where: str, entry: dict) -> None:
    said = [f"{name}_zh" for name in SAID_IN_CHINESE]
    for item in [entry, *entry.get("history", [])]:
        wrong = [key for key in said if key in item and
                 not (isinstance(item[key], str) and item[key].strip())]
        if wrong:
            raise DataError(Message("%(where)s: dataset %(dataset)s: %(fields)s must be text "
                                    "in Chinese (or left out: the English is shown)",
                                    where=where, dataset=repr(entry["id"]), fields=wrong))


def _earlier(current: dict, item: dict) -> dict:
    entry = {**current, **item}
    if "confidence" in item and "confidence_zh" not in item:
        entry.pop("confidence_zh", None)
    return entry


def _iso_date(where: Message, value) -> datetime.datetime:
    """An ISO date, or an ISO date and time (an imported dataset may have several versions a
    day)."""
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        raise DataError(Message("%(where)s: %(value)s is not an ISO date (YYYY-MM-DD)",
                                where=where, value=repr(value))) from None


def _check_versions(where: str, entry: dict) -> None:
    """Version names are unique within a dataset and the history is oldest first, so the
    newest name is always the current file."""
    where = Message("%(where)s: dataset %(dataset)s", where=where, dataset=repr(entry["id"]))
    history = entry.get("history", [])
    if not isinstance(history, list):
        raise DataError(Message("%(where)s: history must be a list of earlier versions, "
                                "oldest first", where=where))
    for i, item in enumerate(history):
        missing = [f for f in HISTORY_FIELDS if not (isinstance(item, dict) and item.get(f))]
        if missing:
            raise DataError(Message("%(where)s: history[%(index)s] lacks %(fields)s",
                                    where=where, index=i, fields=missing))
        other = sorted(set(item) - set(HISTORY_FIELDS) - set(HISTORY_OVERRIDES))
        if other:
            raise DataError(Message(
                "%(where)s: history[%(index)s] may not restate %(fields)s (an earlier version "
                "may differ only in %(allowed)s)", where=where, index=i, fields=other,
                allowed=list(HISTORY_FIELDS + HISTORY_OVERRIDES)))
    names = [h["version"] for h in history] + [entry["version"]]
    for name in names:
        if not isinstance(name, str) or not name.strip() or VERSION_JOIN in name:
            raise DataError(Message("%(where)s: version %(version)s must be a non-empty name "
                                    "without %(join)s", where=where, version=repr(name),
                                    join=repr(VERSION_JOIN)))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(Message("%(where)s: version %(versions)s is listed twice", where=where,
                                versions=[repr(n) for n in repeated]))
    if (history or entry.get(IMPORTED)) and "published" not in entry:
        raise DataError(Message("%(where)s: has a history, so its current version needs "
                                "\"published\" (ISO date)", where=where))
    dates = [_iso_date(Message("%(where)s: %(field)s", where=where,
                               field=f"history[{i}].published"), h["published"])
             for i, h in enumerate(history)]
    if "published" in entry:
        dates.append(_iso_date(Message("%(where)s: %(field)s", where=where, field="published"),
                               entry["published"]))
    # two imports within one second share their time: the history's order is theirs
    repeated_ok = bool(entry.get(IMPORTED))
    if dates != sorted(dates) or (len(set(dates)) != len(dates) and not repeated_ok):
        raise DataError(Message("%(where)s: history must be oldest first, each version "
                                "published after the one before (published: %(dates)s)",
                                where=where, dates=[str(d) for d in dates]))


def is_versioned(entry: dict) -> bool:
    """Whether the dataset's version is part of a data version's name: it has earlier
    versions, or the platform imported it."""
    return bool(entry.get("history") or entry.get(IMPORTED))


def named_in(entry: dict, selection: str | None) -> bool:
    """Whether ``selection`` (a data version name; None: every dataset current) includes an
    imported dataset; any other dataset is always included."""
    if selection is None or not entry.get(IMPORTED):
        return True
    names = {item["version"] for item in entry.get("history", [])} | {entry["version"]}
    return not names.isdisjoint(selection.split(VERSION_JOIN))


# -- the selection every catalog reads ---------------------------------------------------------

def selected_data_version() -> str | None:
    """The name selected by the innermost ``selecting``; None: every dataset current."""
    return _selected.get()


@contextmanager
def selecting(name: str | None) -> Iterator[None]:
    """Within the block, ``Catalog.dataset`` returns each dataset in the version called
    ``name`` if it has one (current or in its history), else in its current version. ``None``
    selects the current version of every dataset. Several names joined by "+" (as a
    registry's ``data_version_name`` reads, e.g. "Ember-2023+MEE-2022") select a version of
    each. A context variable, so threads and asyncio tasks each keep their own selection.

    The name is not checked here: footprint.engine.dataversions.use_data_version checks it
    against the datasets the plugins registered; the engine enters its registry's (checked)
    selection for every step."""
    token = _selected.set(name)
    try:
        yield
    finally:
        _selected.reset(token)


def core_catalog() -> Catalog:
    """The core's own datasets (lca_data/manifest.json: flows, methods, the core's processes),
    which footprint.defaults reads and registers."""
    return _CORE


_CORE = Catalog(CORE_PACKAGE, folder="")


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
