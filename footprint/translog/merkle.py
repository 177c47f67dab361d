"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification. Pure functions.

Hashing (RFC 9162 section 2.1.1)::

    leaf hash   = SHA-256(0x00 || entry)
    node hash   = SHA-256(0x01 || left || right)
    MTH({})     = SHA-256()                       (the empty string)
    MTH(D[n])   = node(MTH(D[0:k]), MTH(D[k:n]))   k = the largest power of two < n

Proof generation follows the recursive definitions of sections 2.1.3.1 (PATH) and 2.1.4.1
(PROOF/SUBPROOF); verification follows the algorithms of sections 2.1.3.2 and 2.1.4.2 step by
step, with the strict edge rules the shared test vectors require: every hash that enters a
computation is 32 bytes, the proof length is exactly the one the sizes imply, ``index >= size``
fails, and a consistency proof from the empty tree fails. ``check_*`` raise ``ProofError``
with the reason; ``verify_*`` return a bool.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Callable, Sequence

from footprint.errors import FootprintError, Message

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(FootprintError):
    """A proof does not verify, or its inputs are malformed."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + bytes(entry)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly less than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_size(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# -- the tree head ---------------------------------------------------------------------------

def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes, for any size including 0. One pass, O(log n) memory:
    a stack of the roots of perfect subtrees, merged as they fill (the left-to-right
    decomposition of n into powers of two is exactly RFC 6962's split)."""
    stack: list[tuple[int, bytes]] = []  # (height, hash), heights strictly decreasing
    for h in leaf_hashes:
        height, node = 0, h
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
    if not stack:
        return EMPTY_ROOT
    node = stack.pop()[1]
    while stack:  # the smaller perfect subtrees sit on the right
        node = node_hash(stack.pop()[1], node)
    return node


def roots_at(leaf_hashes: Sequence[bytes], sizes) -> dict[int, bytes]:
    """size -> MTH of the first ``size`` leaves, for every requested size from 0 to
    ``len(leaf_hashes)`` (others are left out), in one pass over the leaves: the same stack
    as ``root``, folded whenever the pass reaches a requested size."""
    wanted = sorted({s for s in sizes if _is_size(s) and s <= len(leaf_hashes)})
    out: dict[int, bytes] = {}
    if wanted and wanted[0] == 0:
        out[0] = EMPTY_ROOT
        wanted.pop(0)
    stack: list[tuple[int, bytes]] = []
    position = 0
    for size in wanted:
        while position < size:
            height, node = 0, leaf_hashes[position]
            while stack and stack[-1][0] == height:
                node = node_hash(stack.pop()[1], node)
                height += 1
            stack.append((height, node))
            position += 1
        node = stack[-1][1]
        for _, left in reversed(stack[:-1]):
            node = node_hash(left, node)
        out[size] = node
    return out


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    return root(leaves[lo:hi]) if hi - lo != 1 else leaves[lo]


def subtree_root(lo: int, hi: int, node: Callable[[int, int], bytes]) -> bytes:
    """MTH(D[lo:hi]) from stored perfect subtrees: ``node(height, i)`` is the hash of the
    perfect subtree of 2**height leaves starting at leaf i * 2**height. RFC 6962's split
    makes every range a proof or a root needs a run of O(log n) such subtrees (the
    decomposition of its size into powers of two), so this reads O(log n) hashes."""
    n = hi - lo
    if n == 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and lo % n == 0:
        return node(n.bit_length() - 1, lo // n)
    k = _split(n)
    return node_hash(subtree_root(lo, lo + k, node), subtree_root(lo + k, hi, node))


# What the log answers from stored perfect subtrees, as functions of mth(lo, hi) = MTH(D[lo:hi]).
_QUERIES = {
    "root": lambda mth, n: mth(0, n),
    "inclusion": lambda mth, index, n: (mth(index, index + 1), mth(0, n),
                                        inclusion_path(index, n, mth)),
    "consistency": lambda mth, m, n: (mth(0, m), mth(0, n), consistency_path(m, n, mth)),
}


def subtrees_needed(query: str, *args: int) -> set[tuple[int, int]]:
    """The (height, i) of the perfect subtrees a query ("root" n; "inclusion" index, n, giving
    the leaf hash, the root and the path; "consistency" m, n, giving both roots and the proof)
    reads. Worked out by running it with placeholder hashes (what is read never depends on
    the hashes' values), so a store can fetch them all at once."""
    needed: set[tuple[int, int]] = set()

    def record(height: int, i: int) -> bytes:
        needed.add((height, i))
        return EMPTY_ROOT
    _QUERIES[query](lambda lo, hi: subtree_root(lo, hi, record), *args)
    return needed


def answer(query: str, nodes: dict[tuple[int, int], bytes], *args: int):
    """The query's answer from the perfect subtrees in ``nodes`` ((height, i) -> hash), as
    subtrees_needed listed them."""
    return _QUERIES[query](lambda lo, hi: subtree_root(lo, hi, lambda h, i: nodes[(h, i)]),
                           *args)


# -- proofs (generation) ---------------------------------------------------------------------

def inclusion_path(index: int, n: int, mth: Callable[[int, int], bytes]) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 2.1.3.1: sibling subtree hashes from the leaf upwards,
    with ``mth(lo, hi)`` giving MTH(D[lo:hi])."""
    if not _is_size(index) or index >= n:
        raise ValueError(f"leaf index {index} is outside a tree of size {n}")
    path: list[bytes] = []
    lo, hi, m = 0, n, index
    while hi - lo > 1:  # walk down, collecting the sibling of each step, then reverse
        k = _split(hi - lo)
        if m < k:
            path.append(mth(lo + k, hi))
            hi = lo + k
        else:
            path.append(mth(lo, lo + k))
            lo, m = lo + k, m - k
    path.reverse()
    return path


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) over all the leaf hashes."""
    return inclusion_path(index, len(leaf_hashes), lambda lo, hi: _mth(leaf_hashes, lo, hi))


def consistency_path(old_size: int, n: int, mth: Callable[[int, int], bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 2.1.4.1 for m = old_size, with ``mth(lo, hi)`` giving
    MTH(D[lo:hi]). Empty when m == n. A proof from the empty tree is meaningless (every tree
    extends it) and is refused, as the verifier refuses it."""
    if not _is_size(old_size) or old_size > n:
        raise ValueError(f"old size {old_size} is not between 1 and the tree size {n}")
    if old_size == 0:
        raise ValueError("a consistency proof from the empty tree is meaningless")
    proof: list[bytes] = []
    lo, hi, m, complete = 0, n, old_size, True  # SUBPROOF(m, D[lo:hi], complete)
    while True:
        size = hi - lo
        if m == size:
            if not complete:
                proof.append(mth(lo, hi))
            break
        k = _split(size)
        if m <= k:
            proof.append(mth(lo + k, hi))
            hi = lo + k
        else:
            proof.append(mth(lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    proof.reverse()
    return proof


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(old_size, D[n]) over all the leaf hashes."""
    return consistency_path(old_size, len(leaf_hashes),
                            lambda lo, hi: _mth(leaf_hashes, lo, hi))


def perfect_subtrees(leaf_hashes: Sequence[bytes], start: int = 0):
    """(height, i, hash) of every perfect subtree above the leaves (height >= 1) that
    closes at or after leaf ``start``, in the order appending the leaves closes them."""
    stack: list[bytes] = []  # left siblings still open, one per height where index bit is 1
    for index, h in enumerate(leaf_hashes):
        height, node, i = 0, h, index
        while i & 1:
            node = node_hash(stack.pop(), node)
            height, i = height + 1, i >> 1
            if index >= start:
                yield height, i, node
        stack.append(node)


# -- proofs (verification) -------------------------------------------------------------------

def _require_hash(value, what: str) -> None:
    """``what`` a Message (said in the reader's language) or proof[i] (as written)."""
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, (bytes, bytearray)) else type(value).__name__
        raise ProofError(Message("%(what)s must be a %(bytes)s-byte hash (got %(size)s)",
                                 what=what, bytes=HASH_SIZE, size=size))


def inclusion_proof_length(index: int, size: int) -> int:
    """How many hashes PATH(index, D[size]) has: the differing bits of index and size - 1
    (inner nodes) plus the set bits above them (the right border)."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner + border


def check_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes],
                    root: bytes) -> None:
    """RFC 9162 2.1.3.2; raises ProofError unless the proof shows ``leaf_hash`` at ``index``
    in the tree of ``size`` leaves whose root is ``root``."""
    if not _is_size(index) or not _is_size(size):
        raise ProofError("leaf index and tree size must be non-negative integers")
    if index >= size:  # step 1
        raise ProofError(Message("leaf index %(index)s is not below the tree size %(size)s",
                                 index=index, size=size))
    _require_hash(leaf_hash, Message("the leaf hash"))
    _require_hash(root, Message("the root"))
    proof = list(proof or [])
    for i, p in enumerate(proof):
        _require_hash(p, f"proof[{i}]")
    want = inclusion_proof_length(index, size)
    if len(proof) != want:
        raise ProofError(Message("an inclusion proof for leaf %(index)s of %(size)s has "
                                 "%(want)s hashes, not %(got)s", index=index, size=size,
                                 want=want, got=len(proof)))
    fn, sn, r = index, size - 1, bytes(leaf_hash)  # steps 2 and 3
    for p in proof:  # step 4
        if sn == 0:
            raise ProofError(Message("the inclusion proof is too long"))
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 5
        raise ProofError(Message("the inclusion proof is too short"))
    if not hmac.compare_digest(r, bytes(root)):
        raise ProofError(Message("the inclusion proof leads to a different root"))


def check_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                      proof: Sequence[bytes]) -> None:
    """RFC 9162 2.1.4.2; raises ProofError unless the tree of ``new_size`` leaves with root
    ``new_root`` extends the tree of ``old_size`` leaves with root ``old_root``.

    Equal sizes need an empty proof and byte-identical roots (nothing is hashed, so the roots
    are compared as given, as the shared vectors expect). A proof from size 0 always fails."""
    if not _is_size(old_size) or not _is_size(new_size):
        raise ProofError("tree sizes must be non-negative integers")
    if old_size > new_size:
        raise ProofError(Message("the old size %(old)s is larger than the new size %(new)s",
                                 old=old_size, new=new_size))
    if old_size == 0:
        raise ProofError(Message("a consistency proof from the empty tree is meaningless"))
    proof = list(proof or [])
    if old_size == new_size:
        if proof:
            raise ProofError(Message("equal sizes need an empty consistency proof"))
        roots = (old_root, new_root)
        if not (all(isinstance(r, (bytes, bytearray)) for r in roots)
                and hmac.compare_digest(bytes(old_root), bytes(new_root))):
            raise ProofError(Message("equal sizes but different roots"))
        return
    _require_hash(old_root, Message("the old root"))
    _require_hash(new_root, Message("the new root"))
    for i, p in enumerate(proof):
        _require_hash(p, f"proof[{i}]")
    if not proof:  # step 1
        raise ProofError(Message("the consistency proof is empty"))
    path = [bytes(p) for p in proof]
    if old_size & (old_size - 1) == 0:  # step 2: an exact power of two
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofError(Message("the consistency proof is too long"))
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 7
        raise ProofError(Message("the consistency proof is too short"))
    if not hmac.compare_digest(fr, bytes(old_root)):
        raise ProofError(Message("the consistency proof does not lead to the old root"))
    if not hmac.compare_digest(sr, bytes(new_root)):
        raise ProofError(Message("the consistency proof does not lead to the new root"))


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes],
                     root: bytes) -> bool:
    try:
        check_inclusion(index, size, leaf_hash, proof, root)
    except ProofError:
        return False
    return True


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    try:
        check_consistency(old_size, new_size, old_root, new_root, proof)
    except ProofError:
        return False
    return True
