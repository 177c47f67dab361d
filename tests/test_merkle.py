"""RFC 6962 / RFC 9162 Merkle proofs: the shared vectors, the reference tree, and properties."""
from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.language import said
from footprint.translog import merkle

from .conftest import find_shared, require_shared

VECTORS = find_shared("testdata", "merkle")


def _vector_files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json")) if VECTORS else []


def _b64(value):
    return base64.b64decode(value, validate=True)


def _proof(value):
    return [_b64(p) for p in value or []]


def _id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


INCLUSION = _vector_files("inclusion")
CONSISTENCY = _vector_files("consistency")

# The tree the vectors are built on (transparency-dev/merkle's RFC 6962 test leaves).
REFERENCE_ENTRIES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
                     bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))]
REFERENCE_LEAVES = [merkle.leaf_hash(e) for e in REFERENCE_ENTRIES]


def reference_mth(leaves):
    """RFC 6962 section 2.1, written from the definition, independently of merkle.root."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + reference_mth(leaves[:k]) + reference_mth(leaves[k:])).digest()


# -- the shared vectors ------------------------------------------------------------------------

def test_the_vector_folder_holds_both_kinds():
    # guards the parametrised tests below against passing vacuously (an empty glob)
    require_shared("testdata", "merkle")
    assert len(INCLUSION) > 50 and len(CONSISTENCY) > 50
    wants = {json.loads(p.read_text())["wantErr"] for p in INCLUSION + CONSISTENCY}
    assert wants == {True, False}


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_vector(path):
    case = json.loads(path.read_text())
    ok = merkle.verify_inclusion(case["leafIdx"], case["treeSize"], _b64(case["leafHash"]),
                                 _proof(case["proof"]), _b64(case["root"]))
    assert ok is (not case["wantErr"]), case["desc"]


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_vector(path):
    case = json.loads(path.read_text())
    ok = merkle.verify_consistency(case["size1"], case["size2"], _b64(case["root1"]),
                                   _b64(case["root2"]), _proof(case["proof"]))
    assert ok is (not case["wantErr"]), case["desc"]


def test_generated_proofs_equal_the_vectors_happy_paths():
    """Our generator reproduces the vectors' proofs wherever they are over the reference tree."""
    require_shared("testdata", "merkle")
    compared = 0
    for path in INCLUSION:
        case = json.loads(path.read_text())
        size, index = case["treeSize"], case["leafIdx"]
        if case["wantErr"] or size > len(REFERENCE_LEAVES):
            continue
        leaves = REFERENCE_LEAVES[:size]
        if merkle.root(leaves) == _b64(case["root"]):
            assert leaves[index] == _b64(case["leafHash"])
            assert merkle.inclusion_proof(index, leaves) == _proof(case["proof"]), _id(path)
            compared += 1
    for path in CONSISTENCY:
        case = json.loads(path.read_text())
        size1, size2 = case["size1"], case["size2"]
        if case["wantErr"] or size2 > len(REFERENCE_LEAVES) or size1 == 0:
            continue
        leaves = REFERENCE_LEAVES[:size2]
        if merkle.root(leaves) == _b64(case["root2"]):
            assert merkle.root(leaves[:size1]) == _b64(case["root1"])
            assert merkle.consistency_proof(size1, leaves) == _proof(case["proof"]), _id(path)
            compared += 1
    assert compared >= 8


# -- the reference tree and edge rules ---------------------------------------------------------

def test_hashing_is_rfc_6962():
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    a, b = b"a" * 32, b"b" * 32
    assert merkle.node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle.root([]) == hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT
    assert merkle.root(REFERENCE_LEAVES).hex() == \
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"  # RFC 6962 tests


@pytest.mark.parametrize("size", range(0, 70))
def test_root_agrees_with_the_recursive_definition(size):
    leaves = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(size)]
    assert merkle.root(leaves) == reference_mth(leaves)


def test_generators_refuse_out_of_range_requests():
    with pytest.raises(ValueError):
        merkle.inclusion_proof(8, REFERENCE_LEAVES)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(-1, REFERENCE_LEAVES)
    with pytest.raises(ValueError):
        merkle.consistency_proof(0, REFERENCE_LEAVES)  # from the empty tree: meaningless
    with pytest.raises(ValueError):
        merkle.consistency_proof(9, REFERENCE_LEAVES)
    assert merkle.consistency_proof(8, REFERENCE_LEAVES) == []


def test_strict_edge_rules():
    leaves = REFERENCE_LEAVES
    top = merkle.root(leaves)
    proof = merkle.inclusion_proof(5, leaves)
    assert merkle.verify_inclusion(5, 8, leaves[5], proof, top)
    assert not merkle.verify_inclusion(8, 8, leaves[5], proof, top)  # index >= size
    assert not merkle.verify_inclusion(5, 8, leaves[5], proof + [proof[0]], top)  # too long
    assert not merkle.verify_inclusion(5, 8, leaves[5], proof[:-1], top)  # too short
    assert not merkle.verify_inclusion(5, 8, leaves[5][:31], proof, top)  # 31-byte leaf
    assert not merkle.verify_inclusion(5, 8, leaves[5], [p + b"\0" for p in proof], top)
    assert not merkle.verify_inclusion(5, 8, leaves[5], proof, top + b"\0")
    assert not merkle.verify_inclusion(True, 8, leaves[5], proof, top)
    old = merkle.root(leaves[:3])
    cproof = merkle.consistency_proof(3, leaves)
    assert merkle.verify_consistency(3, 8, old, top, cproof)
    assert not merkle.verify_consistency(0, 8, merkle.EMPTY_ROOT, top, cproof)
    assert not merkle.verify_consistency(0, 0, merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, [])
    assert not merkle.verify_consistency(8, 3, top, old, cproof)
    assert not merkle.verify_consistency(3, 8, old, top, [])
    assert not merkle.verify_consistency(3, 8, old, top, cproof + [cproof[0]])
    assert merkle.verify_consistency(8, 8, top, top, [])
    assert not merkle.verify_consistency(8, 8, top, top, [top])
    with pytest.raises(merkle.ProofError, match="empty tree"):
        merkle.check_consistency(0, 8, merkle.EMPTY_ROOT, top, cproof)
    with pytest.raises(merkle.ProofError, match="not below"):
        merkle.check_inclusion(8, 8, leaves[5], proof, top)
    with pytest.raises(merkle.ProofError, match=r"proof\[1\] must be a 32-byte hash"):
        merkle.check_inclusion(5, 8, leaves[5], [proof[0], proof[1] + b"\0", proof[2]], top)
    with pytest.raises(merkle.ProofError, match="has 3 hashes, not 4"):
        merkle.check_inclusion(5, 8, leaves[5], proof + [proof[0]], top)
    with pytest.raises(merkle.ProofError, match=r"proof\[0\] must be a 32-byte hash"):
        merkle.check_consistency(3, 8, old, top, [b""] + cproof[1:])
    # what a peer's proof that fails is told, in Chinese too
    with pytest.raises(merkle.ProofError) as caught:
        merkle.check_consistency(3, 8, old, merkle.EMPTY_ROOT, cproof)
    assert said(caught.value.message, "zh") == "一致性证明得不出新的根哈希"
    with pytest.raises(merkle.ProofError) as caught:
        merkle.check_inclusion(5, 8, leaves[5], proof, top[:31])
    assert said(caught.value.message, "zh") == "根哈希须为 32 字节的哈希（实为 31）"


# -- properties ------------------------------------------------------------------------------

def _flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# sizes drawn uniformly up to 40 (plain st.lists favours short lists)
entries = st.integers(1, 40).flatmap(
    lambda n: st.lists(st.binary(max_size=12), min_size=n, max_size=n))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries, st.data())
def test_every_inclusion_proof_verifies_and_every_flip_fails(items, data):
    leaves = [merkle.leaf_hash(e) for e in items]
    n = len(leaves)
    top = merkle.root(leaves)
    assert top == reference_mth(leaves)
    for index in range(n):
        proof = merkle.inclusion_proof(index, leaves)
        assert len(proof) == merkle.inclusion_proof_length(index, n)
        assert merkle.verify_inclusion(index, n, leaves[index], proof, top)
        bit = data.draw(st.integers(0, 255), label="bit")
        for i in range(len(proof)):
            tampered = proof[:i] + [_flip(proof[i], bit)] + proof[i + 1:]
            assert not merkle.verify_inclusion(index, n, leaves[index], tampered, top)
        assert not merkle.verify_inclusion(index, n, leaves[index], proof, _flip(top, bit))
        assert not merkle.verify_inclusion(index, n, _flip(leaves[index], bit), proof, top)
        if n > 1:  # another position does not verify with this proof (distinct leaves aside)
            other = (index + 1) % n
            if leaves[other] != leaves[index]:
                assert not merkle.verify_inclusion(other, n, leaves[index], proof, top)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries, st.data())
def test_every_consistency_proof_verifies_and_every_flip_fails(items, data):
    leaves = [merkle.leaf_hash(e) for e in items]
    roots = [merkle.root(leaves[:m]) for m in range(len(leaves) + 1)]
    for n in range(1, len(leaves) + 1):
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, leaves[:n])
            assert merkle.verify_consistency(m, n, roots[m], roots[n], proof), (m, n)
            if m == n:
                assert proof == []
                continue
            bit = data.draw(st.integers(0, 255), label="bit")
            for i in range(len(proof)):
                tampered = proof[:i] + [_flip(proof[i], bit)] + proof[i + 1:]
                assert not merkle.verify_consistency(m, n, roots[m], roots[n], tampered), (m, n, i)
            assert not merkle.verify_consistency(m, n, _flip(roots[m], bit), roots[n], proof)
            assert not merkle.verify_consistency(m, n, roots[m], _flip(roots[n], bit), proof)
            assert not merkle.verify_consistency(m, n, roots[m], roots[n], proof[:-1])
            assert not merkle.verify_consistency(m, n, roots[m], roots[n], proof + proof[-1:])


def test_all_proofs_between_all_sizes_up_to_40():
    """Exhaustive at the bound the property tests only sample: every inclusion proof of every
    tree size up to 40 and every consistency proof between every pair of sizes."""
    leaves = [merkle.leaf_hash(b"leaf %d" % i) for i in range(40)]
    roots = [merkle.root(leaves[:m]) for m in range(41)]
    assert roots == [reference_mth(leaves[:m]) for m in range(41)]
    for n in range(1, 41):
        for index in range(n):
            proof = merkle.inclusion_proof(index, leaves[:n])
            assert merkle.verify_inclusion(index, n, leaves[index], proof, roots[n])
            assert not merkle.verify_inclusion(index, n, leaves[index], proof, roots[n - 1])
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, leaves[:n])
            assert merkle.verify_consistency(m, n, roots[m], roots[n], proof)
            if m < n:
                assert not merkle.verify_consistency(m, n, roots[m - 1] if m > 1 else roots[n],
                                                     roots[n], proof)
