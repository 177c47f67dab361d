"""Signed documents (footprint/labels/documents.py): checked here the way docs/signed-
documents.md tells an outsider to, with the cryptography package alone."""
import json

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from footprint.labels import LabelInvalid
from footprint.labels.documents import canonical_json, sign_document, verify_document
from footprint.labels.keys import export_trust_list, generate

NOW = "2026-12-01T08:00:00Z"


@pytest.fixture
def platform(tmp_path):
    key = generate(tmp_path, "CN-SC", "Sichuan platform", valid_from="2026-01-01T00:00:00Z",
                   valid_to="2030-01-01T00:00:00Z")
    return key, export_trust_list(tmp_path)


def test_a_document_verifies_by_hand_and_through_the_module(platform):
    key, trust = platform
    signed = sign_document("loan-pricing", {"rate_bp": 295, "borrower": "浦江"}, key, now=NOW)
    # by hand, as the docs say: a tagged COSE_Sign1; the signature covers the Sig_structure
    tag = cbor2.loads(signed)
    assert tag.tag == 18
    protected, unprotected, payload, signature = tag.value
    assert unprotected == {} and cbor2.loads(protected) == {1: -8, 4: key.entry.kid}
    sig_structure = cbor2.dumps(["Signature1", protected, b"", payload])
    Ed25519PublicKey.from_public_bytes(key.entry.public_key).verify(signature, sig_structure)
    assert json.loads(payload) == {"borrower": "浦江", "issuer": "CN-SC", "rate_bp": 295,
                                   "signed_at": NOW, "type": "loan-pricing"}
    assert payload == canonical_json(json.loads(payload))
    checked = verify_document(signed, trust, kind="loan-pricing")
    assert checked.body["rate_bp"] == 295 and checked.issuer.id == "CN-SC"


def test_tampering_a_foreign_key_and_the_wrong_kind_are_refused(platform, tmp_path):
    key, trust = platform
    signed = sign_document("statement", {"total": 1}, key, now=NOW)
    tag = cbor2.loads(signed)
    forged = cbor2.dumps(cbor2.CBORTag(18, [tag.value[0], {}, tag.value[2].replace(b"1", b"2"),
                                            tag.value[3]]), canonical=True)
    with pytest.raises(LabelInvalid) as caught:
        verify_document(forged, trust)
    assert caught.value.reason == "bad-signature"
    with pytest.raises(LabelInvalid) as caught:
        verify_document(signed, trust, kind="loan-pricing")
    assert "not 'loan-pricing'" in str(caught.value)
    other = generate(tmp_path / "other", "CN-CQ", "Chongqing platform",
                     valid_from="2026-01-01T00:00:00Z")
    with pytest.raises(LabelInvalid) as caught:
        verify_document(sign_document("statement", {}, other, now=NOW), trust)
    assert caught.value.reason == "unknown-issuer"
    with pytest.raises(ValueError, match="issuer"):
        sign_document("statement", {"issuer": "CN-XX"}, key, now=NOW)
