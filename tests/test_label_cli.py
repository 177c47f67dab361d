"""``footprint verify`` and ``footprint keys``: exit 0 valid with revocation checked, 3 valid
but revocation not checked, 1 invalid (reason on stderr), 2 usage errors; keys generate /
rotate / export / list / trust add. Tests here never ask a label's host (--offline, a
revocation list or base32 text); tests/test_verify_online.py asks a live server."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from footprint.labels import claims as C
from footprint.labels import cose, encoding, keys, printed, qr, times

DOC = Path(__file__).resolve().parent.parent / "docs" / "label-format.md"
AT = "2026-06-01T00:00:00Z"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """FOOTPRINT_HOME of a CN-SC platform for this test."""
    path = tmp_path / "sc"
    monkeypatch.setenv("FOOTPRINT_HOME", str(path))
    return path


def clean_exit(result, code):
    assert result.exit_code == code, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output


def record(issuer="CN-SC", **overrides) -> dict:
    base = {"id": C.new_label_id(issuer), "issuer": issuer, "issued_at": "2026-03-01T08:00:00Z",
            "expires_at": "2028-03-01T00:00:00Z", "product": 42,
            "producer": "93510131MA6CP0001H",
            "category": "oranges", "declared_unit": {"amount": 1, "unit": "kg"},
            "value": 0.41234, "by_stage": {"raw_materials": 3, "production": 1},
            "grade": "A", "provisional": True, "region": issuer, "data_version": "ab" * 32,
            "reproducibility_hash": "cd" * 32, "verifier": 3, "reviewer": 17}
    base.update(overrides)
    return base


def platform(home, issuer="CN-SC"):
    return keys.generate(home, issuer, f"{issuer} platform", valid_from="2026-01-01",
                         valid_to="2031-01-01")


@pytest.fixture
def signed(home, tmp_path):
    """A CN-SC key in FOOTPRINT_HOME, one label it signed, its URL, a QR image of it and the
    exported trust list."""
    key = platform(home)
    made = cose.sign(record(), key)
    url = encoding.label_url("footprint.sc.cn", made)
    png = tmp_path / "label.png"
    png.write_bytes(qr.qr_png(url))
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(keys.export_trust_list(home)))
    return {"key": key, "cose": made, "url": url, "png": png, "trust": trust,
            "id": cose.verify(made, keys.trust_list(home), now=AT).label_id}


# -- verify: valid ---------------------------------------------------------------------------

def test_verify_a_qr_image(run, signed):
    result = run("verify", signed["png"], "--trust-list", signed["trust"], "--at", AT,
                 "--offline")
    clean_exit(result, 3)  # valid, and nothing said whether it was revoked
    assert f"VALID label {signed['id']}" in result.stdout
    assert "revocation NOT CHECKED: --offline" in result.stdout
    assert "revocation not checked: --offline" in result.stderr
    # 0.41234 to 3 significant figures; stages 3 : 1 of 4 kg are 75 % and 25 %
    for expected in ("No. 42 at CN-SC", "credit code 93510131MA6CP0001H", "No. 3 at CN-SC",
                     "No. 17 at CN-SC", "0.412 kg CO2e per 1 kg", "A (provisional)",
                     "raw materials 75.0 %", "CN-SC", "2028-03-01T00:00:00Z"):
        assert expected in result.stdout, expected


def test_verify_shows_the_signed_range(run, home, signed, tmp_path):
    """Claim 20: the operator audit's product, 20.76 signed as 20.8, P5 17.04 and P95 25.34
    signed as 17.0 and 25.3 (3 significant figures, as the value and as `footprint calc` and
    the submission page show them). Printed and read back from the printed PNG."""
    made = cose.sign(record(value=20.76, uncertainty={"p5": 17.04, "p95": 25.34}),
                     signed["key"])
    url = encoding.label_url("footprint.sc.cn", made)
    claims = cose.verify(made, keys.trust_list(home), now=AT).claims
    png = tmp_path / "ranged.png"
    png.write_bytes(printed.label_png(claims, url))
    result = run("verify", png, "--trust-list", signed["trust"], "--at", AT, "--offline")
    clean_exit(result, 3)
    assert "20.8 (17.0-25.3) kg CO2e per 1 kg" in result.stdout
    assert "signed to 3 significant figures, as the value" in result.stdout
    out = json.loads(run("verify", url, "--trust-list", signed["trust"], "--at", AT, "--json",
                         "--offline").stdout)
    assert out["claims"]["range"] == {"permille": None, "low": 17.0, "high": 25.3}
    # a label without a range (the fixture's) prints none
    plain = run("verify", signed["url"], "--trust-list", signed["trust"], "--at", AT,
                "--offline")
    assert "0.412 kg CO2e per 1 kg" in plain.stdout and "P5-P95" not in plain.stdout


def test_verify_shows_the_range_of_a_label_issued_before_claim_20(run, signed):
    """Claim 19: 0.2093 was signed as 0.209, P5 0.18 and P95 0.25 as floor(861.2) = 861 and
    ceil(1196.2) = 1197 per mille, read back as 0.179949 and 0.250173 kg CO2e (0.180-0.250
    to 3 significant figures)."""
    made = cose.sign(record(value=0.2093, range=[861, 1197]), signed["key"])
    url = encoding.label_url("footprint.sc.cn", made)
    result = run("verify", url, "--trust-list", signed["trust"], "--at", AT, "--offline")
    clean_exit(result, 3)
    assert "0.209 (0.180-0.250) kg CO2e per 1 kg" in result.stdout
    assert "signed as 861-1197 per mille of the value" in result.stdout
    out = json.loads(run("verify", url, "--trust-list", signed["trust"], "--at", AT, "--json",
                         "--offline").stdout)
    assert out["claims"]["range"] == {"permille": [861, 1197], "low": 0.179949,
                                      "high": 0.250173}


def test_verify_url_and_base32_forms(run, signed):
    b32 = encoding.to_b32(signed["cose"])
    for form in (signed["url"], signed["url"].lower(), b32, b32.lower()):
        result = run("verify", form, "--trust-list", signed["trust"], "--at", AT, "--offline")
        clean_exit(result, 3)
        assert signed["id"] in result.stdout


def test_verify_uses_this_platforms_trust_list_by_default(run, signed):
    clean_exit(run("verify", signed["url"], "--at", AT, "--offline"), 3)


def test_verify_with_the_clock(run, home):
    key = keys.generate(home, "CN-SC", "now", valid_from=times.now() - 60)
    made = cose.sign(record(issued_at=times.now(), expires_at=times.now() + 86400), key)
    result = run("verify", encoding.to_b32(made))
    clean_exit(result, 3)  # base32 names no host to ask
    assert "the label text names no host to ask" in result.stderr


def test_verify_json(run, signed):
    result = run("verify", signed["url"], "--trust-list", signed["trust"], "--at", AT, "--json",
                 "--offline")
    clean_exit(result, 3)
    out = json.loads(result.stdout)
    assert out["valid"] is True and out["label_id"] == signed["id"]
    assert out["revocation_check"] == {"checked": False,
                                       "why": "--offline: the platform was not asked"}
    assert out["claims"]["value"] == 0.412 and out["claims"]["stage_permille"] == \
        {"raw_materials": 750, "production": 250}
    assert out["issuer"] == json.loads(signed["trust"].read_text())["issuers"][0]


def test_verify_the_worked_example_of_the_docs(run, tmp_path):
    blocks = dict(re.findall(r"<!-- example:(\S+) -->\n```\w*\n(.*?)```",
                             DOC.read_text(encoding="utf-8"), re.DOTALL))
    trust = tmp_path / "example.json"
    trust.write_text(blocks["trust-list"])
    url = "".join(blocks["url"].split())
    result = run("verify", url, "--trust-list", trust, "--at", "2026-06-01", "--offline")
    clean_exit(result, 3)
    assert "CN-SC-AAAQEAYEAUDAO" in result.stdout


# -- verify: invalid (exit 1) ----------------------------------------------------------------

def test_tampered_label(run, signed):
    b32 = encoding.to_b32(signed["cose"])
    i = len(b32) // 2
    tampered = b32[:i] + ("A" if b32[i] != "A" else "B") + b32[i + 1:]
    result = run("verify", tampered, "--trust-list", signed["trust"], "--at", AT)
    clean_exit(result, 1)
    assert re.search(r"invalid label: (bad-signature|malformed)", result.stderr)


def test_a_label_cut_short_is_said_to_be_damaged_not_invalid(run, signed):
    cut = encoding.to_b32(bytes(signed["cose"])[:-6])  # base32 still, its CBOR cut short
    result = run("verify", cut, "--trust-list", signed["trust"], "--at", AT)
    clean_exit(result, 1)
    assert "invalid label: malformed: not CBOR" in result.stderr
    assert "damaged or incomplete" in result.stderr and "并非伪造" in result.stderr
    as_json = run("verify", cut, "--trust-list", signed["trust"], "--at", AT, "--json")
    clean_exit(as_json, 1)
    assert json.loads(as_json.stdout)["unreadable"] is True
    # a signature that does not verify is no damaged scan
    forged = bytearray(signed["cose"])
    forged[-1] ^= 0x01
    result = run("verify", encoding.to_b32(bytes(forged)), "--trust-list", signed["trust"],
                 "--at", AT, "--json")
    clean_exit(result, 1)
    assert "invalid label: bad-signature" in result.stderr
    assert "damaged" not in result.stderr and "unreadable" not in json.loads(result.stdout)


def test_unknown_issuer(run, signed, tmp_path):
    other = tmp_path / "gs"
    platform(other, "CN-GS")
    trust = tmp_path / "gs.json"
    trust.write_text(json.dumps(keys.export_trust_list(other)))
    result = run("verify", signed["url"], "--trust-list", trust, "--at", AT)
    clean_exit(result, 1)
    assert "invalid label: unknown-issuer" in result.stderr


def test_revoked_label(run, signed, tmp_path):
    revocations = tmp_path / "revoked.json"
    revocations.write_text(json.dumps({"revoked": [
        {"id": signed["id"], "reason": "falsified electricity data",
         "revoked_at": "2026-05-01T00:00:00Z"}]}))
    result = run("verify", signed["png"], "--trust-list", signed["trust"], "--revocations",
                 revocations, "--at", AT)
    clean_exit(result, 1)
    assert "invalid label: revoked: revoked 2026-05-01T00:00:00Z: falsified electricity data" \
        in result.stderr
    assert f"NOT VALID label {signed['id']}" in result.stdout  # genuine claims, shown
    as_json = run("verify", signed["url"], "--trust-list", signed["trust"], "--revocations",
                  revocations, "--at", AT, "--json")
    clean_exit(as_json, 1)
    out = json.loads(as_json.stdout)
    assert (out["valid"], out["reason"], out["revocation"]["reason"]) == \
        (False, "revoked", "falsified electricity data")
    # revoked and expired: reported as revoked
    later = run("verify", signed["url"], "--trust-list", signed["trust"], "--revocations",
                revocations, "--at", "2029-01-01")
    clean_exit(later, 1)
    assert "revoked" in later.stderr
    # another label's revocation does not touch this one
    revocations.write_text(json.dumps({"revoked": [
        {"id": "CN-SC-AAAAAAAAAAAAA", "reason": "x", "revoked_at": "2026-05-01T00:00:00Z"}]}))
    clean_exit(run("verify", signed["url"], "--trust-list", signed["trust"], "--revocations",
                   revocations, "--at", AT), 0)


def test_expired_label(run, signed):
    result = run("verify", signed["url"], "--trust-list", signed["trust"], "--at", "2029-01-01",
                 "--json")
    clean_exit(result, 1)
    assert "invalid label: expired: expired 2028-03-01T00:00:00Z" in result.stderr
    out = json.loads(result.stdout)
    assert out["reason"] == "expired" and out["claims"]["id"] == signed["id"]


def test_image_without_a_qr_code(run, signed, tmp_path):
    from PIL import Image
    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "white").save(blank)
    result = run("verify", blank, "--trust-list", signed["trust"])
    clean_exit(result, 1)
    assert "no QR code" in result.stderr


def test_qr_of_something_else(run, signed, tmp_path):
    other = tmp_path / "other.png"
    other.write_bytes(qr.qr_png("HTTPS://EXAMPLE.COM/NOT-A-LABEL"))
    clean_exit(run("verify", other, "--trust-list", signed["trust"]), 1)


# -- verify: usage errors (exit 2) -----------------------------------------------------------

def test_usage_errors(run, signed, tmp_path):
    trust = signed["trust"]
    clean_exit(run("verify"), 2)
    clean_exit(run("verify", signed["url"], "--bogus"), 2)
    missing = run("verify", tmp_path / "missing.png", "--trust-list", trust)
    clean_exit(missing, 2)
    assert "no such file" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"issuers": [{"id": "CN-SC"}]}')
    result = run("verify", signed["url"], "--trust-list", broken)
    clean_exit(result, 2)
    assert "issuers[0]" in result.stderr
    clean_exit(run("verify", signed["url"], "--trust-list", tmp_path / "none.json"), 2)
    bad_revocations = tmp_path / "revoked.json"
    bad_revocations.write_text('{"revoked": [{"id": "CN-SC-X"}]}')
    clean_exit(run("verify", signed["url"], "--trust-list", trust, "--revocations",
                   bad_revocations), 2)
    clean_exit(run("verify", signed["url"], "--trust-list", trust, "--at", "yesterday"), 2)
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    clean_exit(run("verify", text, "--trust-list", trust), 2)


def test_no_trust_list_is_a_usage_error(run, home):
    result = run("verify", "HTTPS://X/L/AAAA")
    clean_exit(result, 2)
    assert "footprint keys generate" in result.stderr


# -- keys --------------------------------------------------------------------------------------

def test_keys_generate_export_list_rotate(run, home, tmp_path):
    result = run("keys", "generate", "--issuer", "CN-SC", "--name", "四川省绿色金融综合服务平台")
    clean_exit(result, 0)
    kid = re.search(r"generated key ([0-9a-f]{16}) for CN-SC", result.stdout).group(1)
    assert (home / "keys" / "own" / "CN-SC" / f"{kid}.pem").exists()
    again = run("keys", "generate", "--issuer", "CN-SC", "--name", "again")
    clean_exit(again, 2)  # the operator's bad choice of issuer: nothing made
    assert "rotate" in again.stderr
    clean_exit(run("keys", "generate", "--issuer", "CN/SC", "--name", "x"), 2)
    clean_exit(run("keys", "generate", "--issuer", "CN-CQ"), 2)  # --name is required
    clean_exit(run("keys", "generate", "--issuer", "CN-CQ", "--name", "x", "--valid-to",
                   "2020-01-01"), 2)

    exported = run("keys", "export")
    clean_exit(exported, 0)
    (entry,) = json.loads(exported.stdout)["issuers"]
    assert entry["id"] == "CN-SC" and entry["name"] == "四川省绿色金融综合服务平台"
    assert bytes.fromhex(kid) == base64.b64decode(entry["kid"])

    rotated = run("keys", "rotate", "--issuer", "CN-SC")
    clean_exit(rotated, 0)
    new_kid = re.search(r"new key ([0-9a-f]{16})", rotated.stdout).group(1)
    assert new_kid != kid
    out = tmp_path / "trust.json"
    clean_exit(run("keys", "export", "--output", out), 0)
    entries = {base64.b64decode(e["kid"]).hex(): e for e in json.loads(out.read_text())["issuers"]}
    assert set(entries) == {kid, new_kid}
    assert entries[kid]["valid_to"] == entries[new_kid]["valid_from"]  # closed at the rotation
    listing = run("keys", "list")
    clean_exit(listing, 0)
    assert kid in listing.stdout and new_kid in listing.stdout
    clean_exit(run("keys", "rotate", "--issuer", "CN-XZ"), 2)  # no such issuer here


def test_keys_trust_add(run, home, tmp_path, monkeypatch):
    cq = tmp_path / "cq"
    cq_key = platform(cq, "CN-CQ")
    cq_file = tmp_path / "cq.json"
    cq_file.write_text(json.dumps(keys.export_trust_list(cq)))
    sc_key = platform(home)

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"issuers": [dict(json.loads(cq_file.read_text())["issuers"][0],
                                                   kid="AAAAAAAAAAA=")]}))
    result = run("keys", "trust", "add", broken)
    clean_exit(result, 2)
    assert "issuers[0].kid" in result.stderr
    assert not (home / "keys" / "trusted.json").exists()
    clean_exit(run("keys", "trust", "add", tmp_path / "missing.json"), 2)

    result = run("keys", "trust", "add", cq_file)
    clean_exit(result, 0)
    assert "1 added" in result.stdout
    assert [e["id"] for e in json.loads(run("keys", "export").stdout)["issuers"]] == \
        ["CN-SC", "CN-CQ"]
    # a CN-CQ label verifies on the CN-SC platform with its default trust list
    cq_label = cose.sign(record("CN-CQ"), cq_key)
    clean_exit(run("verify", encoding.to_b32(cq_label), "--at", AT), 3)
    assert sc_key.entry.id == "CN-SC"


def test_keys_export_without_keys_fails(run, home, tmp_path):
    """A home without keys (FOOTPRINT_HOME not the platform's) exports no empty trust list."""
    out = tmp_path / "trust.json"
    result = run("keys", "export", "--output", out)
    clean_exit(result, 1)
    assert f"no issuer keys in {home} (FOOTPRINT_HOME): nothing to export" in result.stderr
    assert "footprint keys generate" in result.stderr
    assert not out.exists() and result.stdout == ""
    # a platform that only trusts others exports those
    other = tmp_path / "cq"
    platform(other, "CN-CQ")
    listed = tmp_path / "cq.json"
    listed.write_text(json.dumps(keys.export_trust_list(other)))
    clean_exit(run("keys", "trust", "add", listed), 0)
    exported = run("keys", "export")
    clean_exit(exported, 0)
    assert [e["id"] for e in json.loads(exported.stdout)["issuers"]] == ["CN-CQ"]
