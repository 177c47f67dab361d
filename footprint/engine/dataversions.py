"""Data versions: the named releases of the datasets the loaded plugins register.

A data version is named after the release of a dataset that has earlier versions ("MEE-2022",
see the ``history`` of a manifest entry, footprint.data); several names joined by "+" select a
release of each. Which names exist follows the plugin manager: only the datasets its plugins
register (hook ``register_datasets``) count, so blocking a plugin removes its releases and its
datasets. A version's hash is the ``data_version`` of the registry built under it, the hash
every result records. A stored result names either, so either finds the version again:
``find_data_version`` accepts a name, a full hash or a prefix of at least 8 hex digits.

footprint.data keeps only what reading a dataset needs: the selection in effect
(``selecting``), which ``use_data_version`` enters once it has checked the name.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..data import VERSION_JOIN, Catalog, is_versioned, selected_data_version, selecting
from ..errors import InvalidInput, Message, Problem
from ..plugins import get_plugin_manager
from ..suggest import best
from .registry import Registry, registered_catalogs

MIN_PREFIX = 8  # 32 bits: a prefix this long names one of a few versions without doubt


@dataclass(frozen=True)
class DataVersion:
    """A selectable data version: the datasets that have a version of this name."""

    name: str
    published: str  # ISO date; the latest, if datasets of several packages share the name
    datasets: tuple[tuple[str, str], ...]  # (package, dataset id)


def data_versions(catalogs: Iterable[Catalog]) -> list[DataVersion]:
    """The names that select something in ``catalogs``: versions of datasets that have a
    history, oldest first (by publication date). The last one is the default: every such
    dataset current. A dataset listed by several catalogs counts once."""
    found: dict[str, tuple[str, list]] = {}
    seen = set()
    for catalog in catalogs:
        for dataset_id, entry in catalog.entries.items():
            if not is_versioned(entry) or (catalog.package, dataset_id) in seen:
                continue
            seen.add((catalog.package, dataset_id))
            for version in catalog.versions(dataset_id):
                published, datasets = found.get(version["version"], ("", []))
                datasets.append((catalog.package, dataset_id))
                found[version["version"]] = (max(published, str(version["published"])), datasets)
    return sorted((DataVersion(name, published, tuple(datasets))
                   for name, (published, datasets) in found.items()),
                  key=lambda v: (v.published, v.name))


def check_data_version(name: str, catalogs: Iterable[Catalog]) -> None:
    """InvalidInput unless every "+"-joined part of ``name`` is a data version of
    ``catalogs`` and no two parts are versions of the same dataset."""
    versions = {v.name: v for v in data_versions(catalogs)}
    known = list(versions)
    parts = name.split(VERSION_JOIN)
    problems = [Problem("data_version", unknown_data_version(part, known))
                for part in parts if part not in versions]
    owner: dict[tuple, str] = {}
    for part in parts:
        for dataset in versions[part].datasets if part in versions else ():
            if dataset in owner and owner[dataset] != part:
                problems.append(Problem("data_version", Message(
                    "'%(first)s' and '%(second)s' are both versions of dataset '%(dataset)s' "
                    "(%(plugin)s): name one of them", first=owner[dataset], second=part,
                    dataset=dataset[1], plugin=dataset[0])))
            owner.setdefault(dataset, part)
    if problems:
        raise InvalidInput(problems)


def unknown_data_version(name: str, known: list[str]) -> Message:
    found = best(name, known)
    said = dict(name=name, known=list(known) or Message("none"))
    if len(found) == 1:
        return Message("unknown data version '%(name)s'; known: %(known)s; did you mean "
                       "'%(guess)s'?", guess=found[0], **said)
    if found:  # several equally close (MEE-2020: every MEE year) are offered together
        return Message("unknown data version '%(name)s'; known: %(known)s; did you mean one "
                       "of %(guesses)s?", guesses=[Message('"%(name)s"', name=f) for f in found],
                       **said)
    return Message("unknown data version '%(name)s'; known: %(known)s", **said)


# -- the data versions of a plugin manager -----------------------------------------------------

def available_data_versions(pm=None) -> list[str]:
    """Names ``pm``'s plugins offer (default: the installed plugins), by publication date,
    newest (the default) last."""
    return [v.name for v in data_versions(registered_catalogs(pm or get_plugin_manager()))]


@contextmanager
def use_data_version(name: str | None, pm=None) -> Iterator[None]:
    """Within the block, every dataset is read in the version called ``name`` if it has one
    (footprint.data.selecting), after checking that ``name`` is a data version of ``pm``'s
    plugins (default: the installed plugins). ``None`` selects every dataset current."""
    if name is not None:
        check_data_version(name, registered_catalogs(pm or get_plugin_manager()))
    with selecting(name):
        yield


def build_registry(pm, data_version: str | None = None) -> Registry:
    """``pm``'s registry under ``data_version`` (None: the selection in effect, by default
    every dataset current). A name that is no data version of ``pm``'s plugins is
    InvalidInput naming the known ones."""
    name = data_version if data_version is not None else selected_data_version()
    with use_data_version(name, pm):
        return Registry.from_plugins(pm)


def version_registries(pm) -> dict[str, Registry]:
    """The registry of every data version ``pm``'s plugins know, oldest first."""
    return {v.name: build_registry(pm, v.name) for v in data_versions(registered_catalogs(pm))}


def describe_data_versions(pm) -> list[dict]:
    """Name, hash, publication date and dataset versions of each data version, oldest first;
    the newest (the default) is marked current."""
    versions = data_versions(registered_catalogs(pm))
    registries = version_registries(pm)
    described = []
    for i, version in enumerate(versions):
        registry = registries[version.name]
        record = registry.data_version_record()
        described.append({
            "name": version.name,
            "hash": record["hash"],
            "published": version.published,
            "current": i == len(versions) - 1,
            "versioned_datasets": {d.id: d.version for d in registry.datasets if d.versioned},
            "datasets": record["datasets"],
        })
    return described


def named_by_hash(hashes: dict[str, str], text: str) -> list[str]:
    """The names in ``hashes`` ({name: hash}) whose hash ``text`` names: the whole hash or at
    least its first MIN_PREFIX hex digits (a label signs 16), in any case."""
    prefix = text.lower()
    if not re.fullmatch(rf"[0-9a-f]{{{MIN_PREFIX},64}}", prefix):
        return []
    return [name for name, digest in hashes.items() if digest.startswith(prefix)]


def find_data_version(pm, text: str, where: str = "data_version") -> str:
    """The name of the data version ``text`` names: a name, or a full hash or a prefix of at
    least MIN_PREFIX hex digits of a version's hash. InvalidInput (located at ``where``)
    names the known versions when nothing, or more than one version, matches."""
    names = [v.name for v in data_versions(registered_catalogs(pm))]
    if text in names:
        return text
    if not re.fullmatch(rf"[0-9a-fA-F]{{{MIN_PREFIX},64}}", text):
        short = re.fullmatch(r"[0-9a-fA-F]+", text) is not None
        unknown = unknown_data_version(text, names)
        if short:
            unknown = Message("%(unknown)s; a hash prefix needs at least %(digits)s hex digits",
                              unknown=unknown, digits=MIN_PREFIX)
        raise InvalidInput([Problem(where, unknown)])
    hashes = {name: registry.data_version for name, registry in version_registries(pm).items()}
    matches = named_by_hash(hashes, text)
    if len(matches) == 1:
        return matches[0]
    known = [f"{name} ({digest[:16]})" for name, digest in hashes.items()]
    if matches:
        message = Message("hash prefix '%(prefix)s' matches %(versions)s: give more digits",
                          prefix=text, versions=matches)
    else:
        message = Message("no data version has a hash starting '%(prefix)s'; known: %(known)s",
                          prefix=text, known=known)
    raise InvalidInput([Problem(where, message)])
