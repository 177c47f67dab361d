"""Bringing one's own LCI database: import it, list what is imported, find its activities.

    import_background(Path("ei-cutoff/datasets"), "ecospold2", "ei39", home=home)
    search("electricity 中国", home=home)   # rows with bg:<name>/<code> to paste into a BOM

An import is checked here (format, name, version, path) and done by footprint.engine.lci under
the build lock, so it never races a background build; every version is kept and the latest
imported is the one BOM lines use; a data version naming ``<name>@<version>`` calculates with
another (footprint.imported).
"""
from __future__ import annotations

from pathlib import Path

from .. import clock, imported
from ..errors import InvalidInput, Message, Problem
from ..settings import footprint_home
from ..engine import Engine
from ..engine.background import build_lock
from ..engine.lci import FORMATS, import_lci


def _checked(path: Path, fmt: str, name: str, version: str | None, home: Path) -> str:
    problems = []
    if not Path(path).exists():
        problems.append(Problem("PATH", Message("no such file or folder: %(path)s",
                                                path=str(path))))
    if fmt not in FORMATS:
        problems.append(Problem("--format", Message('format "%(format)s" unknown; use one of '
                                                    "%(formats)s", format=fmt,
                                                    formats=list(FORMATS))))
    for option, value in (("--name", name), ("--version", version)):
        if value is not None and not imported.NAME.match(value):
            problems.append(Problem(option, Message(
                '"%(value)s": use letters, digits, ".", "_" and "-" (at most 64)',
                value=value)))
    kept = imported.versions(home, name) if imported.NAME.match(name or "") else []
    if version is None:  # today's date, numbered if today already has one
        today = clock.now().strftime("%Y-%m-%d")
        version = next(v for v in (today, *(f"{today}.{n}" for n in range(2, 1000)))
                       if v not in kept)
    elif version in kept:
        problems.append(Problem("--version", Message(
            '%(name)s %(version)s is already imported (versions kept: %(versions)s); give '
            "another --version", name=name, version=version, versions=kept)))
    if problems:
        raise InvalidInput(problems)
    return version


def import_background(path: Path, fmt: str, name: str, version: str | None = None,
                      home: Path | None = None) -> dict:
    """Import ``path`` as ``name`` (a new version; earlier ones are kept) and make it the
    version BOM lines use. Returns its manifest (counts, report)."""
    home = Path(home) if home else footprint_home()
    version = _checked(Path(path), fmt, name, version, home)
    with build_lock(home):
        return import_lci(home, Path(path), fmt, name, version).manifest


def list_backgrounds(home: Path | None = None) -> list[dict]:
    """Every imported database: its versions, the newest (used unless a data version names
    another), and that one's manifest."""
    home = Path(home) if home else footprint_home()
    return [{"name": b.name, "current": b.version, "versions": imported.versions(home, b.name),
             "manifest": b.manifest} for b in imported.imported_backgrounds(home)]


def search(text: str, dataset: str | None = None, home: Path | None = None,
           engine: Engine | None = None) -> list[dict]:
    """Offered activities whose code, name, reference product or location contains ``text``
    (case aside), each with the id to write in a BOM and its kg CO2e per unit under the
    default method (AR6)."""
    home = Path(home) if home else footprint_home()
    found = imported.imported_backgrounds(home)
    if dataset is not None and dataset not in {b.name for b in found}:
        raise InvalidInput([Problem("--dataset", Message(
            'no imported background dataset "%(name)s" (imported: %(names)s); see '
            '"footprint background list"', name=dataset,
            names=[b.name for b in found] or Message("none")))])
    registry = (engine or Engine(home)).registry
    method = registry.methods[registry.default_method]
    factors = dict(method.factors)
    needle = text.casefold().strip()
    rows = []
    for background in found:
        if dataset is not None and background.name != dataset:
            continue
        for a in background.activities():
            words = f"{a['code']} {a['name']} {a['product']} {a['location']}".casefold()
            if a["unit"] and needle in words:
                score = sum(v * factors.get(flow, 0.0) for flow, v in a["flows"].items())
                rows.append({"id": imported.process_id(background.name, a["code"]),
                             "dataset": background.name, "version": background.version,
                             **{k: a[k] for k in ("code", "name", "product", "unit",
                                                  "location")},
                             "method": method.id, "kg_co2e_per_unit": score})
    return sorted(rows, key=lambda r: (r["dataset"], r["name"], r["location"], r["code"]))
