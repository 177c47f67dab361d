"""Open data: the registry as files anyone may download and check (docs/open-data.md).

A snapshot is ``registry.csv`` (UTF-8 with a byte order mark, so spreadsheet programs read
the Chinese), ``registry.json`` (the same rows), ``benchmarks.json`` (the benchmarks of
verified data) and ``manifest.cose``: an ``open-data-manifest`` document signed with the
platform's key that lists each file's size and SHA-256. Parquet is left out: the one
well-kept writer (pyarrow) is a large dependency for a file of this size.

The service keeps one snapshot a day under FOOTPRINT_HOME/open-data/YYYY-MM-DD (UTC day),
written by the first request that asks for that day's (no thread of its own);
``footprint registry export DIR`` writes one into DIR.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import cbor2

from .. import clock
from ..errors import InvalidInput, Message, Problem
from ..labels import current_key
from ..labels.documents import sign_document
from ..store import registry as stored
from . import benchmarks
from .registry import state_of

MANIFEST = "manifest.cose"
DATA_FILES = ("registry.csv", "registry.json", "benchmarks.json")
FILES = (*DATA_FILES, MANIFEST)
# the registry's columns in the order of the CSV; docs/open-data.md describes each
# what the value stands on, from the result the label signs (_basis)
BASIS_COLUMNS = ("system_boundary", "gwp_method", "data_version", "dq_technological",
                 "dq_geographical", "dq_temporal", "primary_data_pct", "co2_only_pct",
                 "co2e_pct", "lifecycle_co2e_pct")
COLUMNS = ("label_id", "state", "product_id", "product_name_zh", "product_name_en", "gtin",
           "organisation_id", "organisation", "organisation_credit_code",
           "accounting_body_id", "accounting_body", "category", "region", "declared_unit",
           "declared_amount", "value_kg_co2e", "kg_co2e_per_declared_unit", "grade",
           *BASIS_COLUMNS,
           "issued_at", "expires_at", "superseded_by", "revoked_at", "revocation_reason")
# the gas scopes of a result (footprint.model.GAS_SCOPES) and their columns
SCOPE_COLUMNS = {"co2_only": "co2_only_pct", "co2e": "co2e_pct",
                 "lifecycle_co2e": "lifecycle_co2e_pct"}


def _basis(row: dict) -> dict:
    """What the label's signed result says of its value: boundary, method, data version,
    data quality and the share of each gas scope (empty where the result is not held)."""
    if not row["basis"]:
        return {}
    boundary, method, dqi, primary, scopes = json.loads(row["basis"])
    dqi, scopes = dqi or {}, scopes or {}
    return {"system_boundary": boundary, "gwp_method": method,
            "data_version": row["data_version_name"],
            "dq_technological": dqi.get("technological"),
            "dq_geographical": dqi.get("geographical"), "dq_temporal": dqi.get("temporal"),
            "primary_data_pct": primary,
            **{column: round(100 * scopes[scope]["share"], 1)
               for scope, column in SCOPE_COLUMNS.items() if scope in scopes}}


def _row(row: dict, now: str) -> dict:
    return {
        "label_id": row["label_id"], "state": state_of(row, now),
        "product_id": row["product_id"], "product_name_zh": row["name_zh"],
        "product_name_en": row["name_en"], "gtin": row["gtin"],
        "organisation_id": row["org_id"], "organisation": row["org_name"],
        "organisation_credit_code": row["credit_code"],
        "accounting_body_id": row["verifier_org_id"], "accounting_body": row["verifier_name"],
        "category": row["category"], "region": row["region"],
        "declared_unit": row["declared_unit"], "declared_amount": row["declared_amount"],
        "value_kg_co2e": row["value"], "kg_co2e_per_declared_unit": row["per_unit"],
        "grade": row["grade"], **dict.fromkeys(BASIS_COLUMNS), **_basis(row),
        "issued_at": row["issued_at"], "expires_at": row["expires_at"],
        "superseded_by": row["superseded_by"], "revoked_at": row["revoked_at"],
        "revocation_reason": row["revocation_reason"]}


def _write_files(db, folder: Path, day: str) -> int:
    """The data files of a snapshot into ``folder``; returns how many labels."""
    now = clock.stamp()
    labels = [_row(row, now) for row in stored.rows(db)]
    with open(folder / "registry.csv", "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(labels)
    (folder / "registry.json").write_text(json.dumps(
        {"date": day, "columns": list(COLUMNS), "labels": labels}, ensure_ascii=False),
        encoding="utf-8")
    (folder / "benchmarks.json").write_text(json.dumps(
        {"date": day, "quantile_method": benchmarks.QUANTILE_METHOD,
         "benchmarks": [d.as_dict() for d in benchmarks.distributions(db)]},
        ensure_ascii=False), encoding="utf-8")
    return len(labels)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_snapshot(db, home: Path, folder: Path) -> dict:
    """Every file of a snapshot of today into ``folder`` (an existing directory), the
    manifest signed with the platform's key; returns the manifest's body."""
    day = clock.now().date().isoformat()
    count = _write_files(db, folder, day)
    body = {"date": day, "labels": count,
            "files": [{"name": name, "bytes": (folder / name).stat().st_size,
                       "sha256": _sha256(folder / name)} for name in DATA_FILES]}
    (folder / MANIFEST).write_bytes(sign_document("open-data-manifest", body,
                                                  current_key(home)))
    return body


def export(db, home: Path, directory: str) -> dict:
    """``footprint registry export DIR``: a snapshot into DIR, which must be a directory
    one may write in."""
    folder = Path(directory)
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise InvalidInput([Problem("DIR", Message("%(path)s is not a directory one may "
                                                   "write in", path=str(folder)))])
    return write_snapshot(db, home, folder)


def snapshots_folder(home: Path) -> Path:
    return Path(home) / "open-data"


def today(db, home: Path) -> tuple[Path, dict]:
    """Today's snapshot (its folder and manifest body), written now if it is the first ask
    of the day: into a temporary folder renamed into place, so a reader never sees half a
    snapshot and two workers racing keep one."""
    root = snapshots_folder(home)
    folder = root / clock.now().date().isoformat()
    if not (folder / MANIFEST).exists():
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=root))
        try:
            write_snapshot(db, home, work)
            try:
                os.rename(work, folder)
            except OSError:  # another worker put today's in place first
                pass
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return folder, manifest_body(folder)


def manifest_body(folder: Path) -> dict:
    """The manifest's payload as signed (the checks are the reader's: docs/open-data.md)."""
    return json.loads(cbor2.loads((folder / MANIFEST).read_bytes()).value[2])

