"""Open data: the registry as CSV and JSON with a manifest of SHA-256 sums signed by the
platform's key, checked here by the steps docs/open-data.md gives (cbor2, cryptography and
hashlib only); `footprint registry export DIR`; the day's snapshot written once."""
from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
from pathlib import Path

import cbor2
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from footprint.usecases import opendata
from footprint.usecases.labels import for_submission

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

ROOT = Path(__file__).resolve().parent.parent
PUJIANG = json.loads((ROOT / "lca_data/samples/oranges_pujiang_farm_gate.json")
                     .read_text(encoding="utf-8"))
DOC = (ROOT / "docs/open-data.md").read_text(encoding="utf-8")


@pytest.fixture
def orange(service, issuer, approve):
    return for_submission(service.db, approve(PUJIANG, issuer)["id"])


def checked_manifest(signed: bytes, trust_list: dict) -> dict:
    """docs/open-data.md, "Checking it by hand", step 2, as written there."""
    tag = cbor2.loads(signed)
    assert tag.tag == 18
    protected, unprotected, payload, signature = tag.value
    header = cbor2.loads(protected)
    entry = next(e for e in trust_list["issuers"]
                 if base64.b64decode(e["kid"]) == header[4])
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(entry["public_key"]))
    key.verify(signature, cbor2.dumps(["Signature1", protected, b"", payload]))
    body = json.loads(payload)
    assert body["type"] == "open-data-manifest" and body["issuer"] == entry["id"]
    assert entry["valid_from"] <= body["signed_at"] <= entry["valid_to"]
    return body


def download(client, url: str) -> bytes:
    response = client.get(url)
    try:
        assert response.status_code == 200
        return response.data
    finally:
        response.close()  # a file sent from the snapshot's folder


def sums_match(folder: Path, body: dict) -> bool:
    """Step 3."""
    for item in body["files"]:
        data = (folder / item["name"]).read_bytes()
        if len(data) != item["bytes"] or hashlib.sha256(data).hexdigest() != item["sha256"]:
            return False
    return True


def test_export_writes_files_whose_signed_sums_match(service, orange, run, tmp_path,
                                                     client, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    out = tmp_path / "open-data"
    out.mkdir()
    result = run("registry", "export", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(opendata.FILES)
    trust_list = client.get("/.well-known/footprint/trust-list.json").get_json()
    body = checked_manifest((out / "manifest.cose").read_bytes(), trust_list)
    assert [f["name"] for f in body["files"]] == ["registry.csv", "registry.json",
                                                  "benchmarks.json"]
    assert body["labels"] == 1
    assert sums_match(out, body)
    for item in body["files"]:
        assert item["sha256"] in result.output
    # a changed byte is caught by the sums, a changed manifest by the signature
    (out / "registry.csv").write_bytes((out / "registry.csv").read_bytes() + b" ")
    assert not sums_match(out, body)
    signed = bytearray((out / "manifest.cose").read_bytes())
    signed[-70] ^= 1  # inside the payload, before the 64-byte signature
    with pytest.raises((InvalidSignature, AssertionError, ValueError)):
        checked_manifest(bytes(signed), trust_list)


def test_the_rows_are_the_documented_columns(service, orange, tmp_path):
    opendata.export(service.db, service.home, str(tmp_path))
    raw = (tmp_path / "registry.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte order mark spreadsheets need
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == opendata.COLUMNS
    documented = re.findall(r"^\| `(\w+)` \|", DOC.split("## Columns")[1].split("## ")[0],
                            re.MULTILINE)
    assert documented == list(opendata.COLUMNS)
    row = rows[0]
    assert row["label_id"] == orange["id"] and row["state"] == "valid"
    assert row["product_name_zh"] == "蒲江柑橘（不知火/春见），果园门口"
    assert row["organisation"] == "Pujiang Orchard Co-op"
    assert row["accounting_body"] == "Sichuan Carbon Verification"
    assert (row["category"], row["region"], row["declared_unit"]) == ("oranges", "CN-SC", "kg")
    # declared per 1 kg: the value per declared unit is the value itself
    assert float(row["kg_co2e_per_declared_unit"]) == pytest.approx(float(row["value_kg_co2e"]))
    # what the value stands on, from the result the label signs: the BOM names neither
    # boundary nor method, so the defaults (cradle to gate, IPCC AR6 GWP100)
    assert row["system_boundary"] == "cradle_to_gate"
    assert row["gwp_method"] == "IPCC AR6 GWP100 (default)"
    signed = next(service.db.query("SELECT data_version_name, result_json FROM results "
                                   "WHERE reproducibility_hash = ?",
                                   [orange["record"]["reproducibility_hash"]]))
    assert row["data_version"] == signed["data_version_name"] and row["data_version"]
    result = json.loads(signed["result_json"])
    assert [float(row[f"dq_{c}"]) for c in ("technological", "geographical", "temporal")] == \
        [result["dqi"][c] for c in ("technological", "geographical", "temporal")]
    assert all(1 <= float(row[f"dq_{c}"]) <= 5 for c in ("technological", "geographical",
                                                           "temporal"))
    # the Pujiang BOM is the literature's farm-gate inventory: no line is primary data
    assert float(row["primary_data_pct"]) == 0.0
    shares = [float(row[c]) for c in ("co2_only_pct", "co2e_pct", "lifecycle_co2e_pct")]
    assert sum(shares) == pytest.approx(100, abs=0.15) and all(v > 0 for v in shares)
    as_json = json.loads((tmp_path / "registry.json").read_text(encoding="utf-8"))
    assert as_json["columns"] == list(opendata.COLUMNS)
    assert as_json["labels"][0]["label_id"] == orange["id"]
    assert as_json["labels"][0]["value_kg_co2e"] == pytest.approx(float(row["value_kg_co2e"]))
    bench = json.loads((tmp_path / "benchmarks.json").read_text(encoding="utf-8"))
    assert [(b["category"], b["n"]) for b in bench["benchmarks"]] == [("oranges", 1)]


@pytest.mark.parametrize("where", ["missing", "a-file"])
def test_export_to_a_bad_directory_exits_2(service, run, tmp_path, monkeypatch, where):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    target = tmp_path / where
    if where == "a-file":
        target.write_text("not a directory")
    result = run("registry", "export", target)
    assert result.exit_code == 2
    assert "is not a directory one may write in" in result.stderr
    assert not list(tmp_path.rglob("manifest.cose"))


def test_the_download_page_writes_the_days_snapshot_once(service, orange, client, issuer):
    response = client.get("/registry/open-data")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    day = re.search(r"/registry/open-data/(\d{4}-\d{2}-\d{2})/manifest.cose", text).group(1)
    folder = opendata.snapshots_folder(service.home) / day
    written = (folder / "manifest.cose").stat().st_mtime_ns
    client.get("/registry/open-data")
    assert (folder / "manifest.cose").stat().st_mtime_ns == written  # not rewritten
    assert [p.name for p in folder.parent.iterdir()] == [day]  # no temporary folder left
    manifest = download(client, f"/registry/open-data/{day}/manifest.cose")
    trust_list = client.get("/.well-known/footprint/trust-list.json").get_json()
    body = checked_manifest(manifest, trust_list)
    for item in body["files"]:
        data = download(client, f"/registry/open-data/{day}/{item['name']}")
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        assert item["sha256"] in text  # the page shows the sums
    assert client.get(f"/registry/open-data/{day}/footprint.db").status_code == 404
    assert client.get("/registry/open-data/../secret_key").status_code == 404
