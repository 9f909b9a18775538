"""RFC 9162 inclusion and consistency proofs: every true proof verifies, every changed one fails.

The trees are checked against ``root_of``, the textbook recursion, for every small size;
hypothesis then changes one thing at a time (a hash, an index, a size, the proof's
length) and the proof must no longer hold, unless the change makes a statement that is
itself true with the same proof (e.g. the empty proof of "size 0 ⊑ size n" and "n ⊑ n").
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxs.registry.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

MAX = 40


def leaves(n: int, salt: str = "") -> list[str]:
    """``n`` distinct leaf hashes (distinct leaves: two equal ones may truly stand for each other)."""
    return [leaf_hash(f"{salt}{i}".encode()) for i in range(n)]


LEAVES = leaves(MAX + 2)  # the cases use up to MAX; a changed size may reach MAX + 2
ROOTS = [root_of(LEAVES[:n]) for n in range(MAX + 3)]


def changed(hex_hash: str, bit: int) -> str:
    """``hex_hash`` with one bit flipped."""
    raw = bytearray(bytes.fromhex(hex_hash))
    raw[bit // 8 % 32] ^= 1 << (bit % 8)
    return raw.hex()


def rfc_path(m: int, d: list[str]) -> list[str]:
    """PATH(m, D[n]) exactly as RFC 9162 §2.1.3.1 writes it."""
    if len(d) == 1:
        return []
    k = 1 << ((len(d) - 1).bit_length() - 1)
    return [*rfc_path(m, d[:k]), root_of(d[k:])] if m < k else [*rfc_path(m - k, d[k:]), root_of(d[:k])]


def rfc_subproof(m: int, d: list[str], whole: bool) -> list[str]:
    """SUBPROOF(m, D[n], b) exactly as RFC 9162 §2.1.4.1 writes it."""
    if m == len(d):
        return [] if whole else [root_of(d)]
    k = 1 << ((len(d) - 1).bit_length() - 1)
    if m <= k:
        return [*rfc_subproof(m, d[:k], whole), root_of(d[k:])]
    return [*rfc_subproof(m - k, d[k:], False), root_of(d[:k])]


@pytest.mark.parametrize("size", range(0, 70))
def test_the_fast_tree_hash_is_the_textbook_one(size):
    assert tree_hash(leaves(size)) == root_of(leaves(size))


@pytest.mark.parametrize("size", range(1, 34))
def test_the_proofs_are_the_rfcs_recursions_at_every_earlier_size_of_a_larger_tree(size):
    """One tree of 37 leaves answers for each of its earlier sizes as the tree of that size would."""
    tree = MerkleTree(LEAVES[:37])
    assert tree.root(size) == ROOTS[size]
    for index in range(size):
        assert tree.inclusion_proof(index, size) == inclusion_proof(LEAVES[:size], index) == rfc_path(index, LEAVES[:size])
    for size1 in range(1, size):
        expected = rfc_subproof(size1, LEAVES[:size], True)
        assert tree.consistency_proof(size1, size) == consistency_proof(LEAVES[:size], size1) == expected


def test_the_rfc_examples_sizes_and_shapes():
    """RFC 9162 §2.1.5's tree of seven leaves: the paths and proofs it lists, by their hashes."""
    a, b, c, d, e, f, g = LEAVES[:7]
    h = node_hash
    assert inclusion_proof(LEAVES[:7], 0) == [b, h(c, d), h(h(e, f), g)]
    assert inclusion_proof(LEAVES[:7], 3) == [c, h(a, b), h(h(e, f), g)]
    assert inclusion_proof(LEAVES[:7], 4) == [f, g, h(h(a, b), h(c, d))]
    assert inclusion_proof(LEAVES[:7], 6) == [h(e, f), h(h(a, b), h(c, d))]
    assert consistency_proof(LEAVES[:7], 3) == [c, d, h(a, b), h(h(e, f), g)]
    assert consistency_proof(LEAVES[:7], 4) == [h(h(e, f), g)]
    assert consistency_proof(LEAVES[:7], 6) == [h(e, f), g, h(h(a, b), h(c, d))]


@pytest.mark.parametrize("size", range(1, MAX + 1))
def test_every_inclusion_proof_verifies_against_the_tree_hash(size):
    for index in range(size):
        proof = inclusion_proof(LEAVES[:size], index)
        assert verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
        assert len(proof) <= (size - 1).bit_length()


@pytest.mark.parametrize("size2", range(0, MAX + 1))
def test_every_consistency_proof_verifies_against_both_tree_hashes(size2):
    for size1 in range(0, size2 + 1):
        proof = consistency_proof(LEAVES[:size2], size1)
        assert verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], proof)


def test_the_proofs_of_nothing_are_empty():
    assert consistency_proof(LEAVES[:5], 0) == consistency_proof(LEAVES[:5], 5) == []
    assert inclusion_proof(LEAVES[:1], 0) == []
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 9, EMPTY_ROOT, ROOTS[9], [])
    assert not verify_consistency(0, 9, ROOTS[1], ROOTS[9], [])  # size 0 has only one root
    assert not verify_consistency(3, 3, ROOTS[3], ROOTS[4], [])  # same size, other tree


def test_impossible_positions_are_refused_when_asked():
    with pytest.raises(ValueError, match="leaf 3 is not in a tree of 3 leaves"):
        inclusion_proof(LEAVES[:3], 3)
    with pytest.raises(ValueError, match="no earlier size 4"):
        consistency_proof(LEAVES[:3], 4)
    with pytest.raises(ValueError, match="has no size 9"):
        MerkleTree(LEAVES[:3]).inclusion_proof(0, 9)
    with pytest.raises(ValueError, match="has no size 4"):
        MerkleTree(LEAVES[:3]).root(4)


sizes = st.integers(1, MAX)


@st.composite
def inclusion_cases(draw):
    size = draw(sizes)
    index = draw(st.integers(0, size - 1))
    return size, index, inclusion_proof(LEAVES[:size], index)


@st.composite
def consistency_cases(draw):
    size2 = draw(sizes)
    size1 = draw(st.integers(1, size2))
    return size1, size2, consistency_proof(LEAVES[:size2], size1)


def one_bit_changed(data, given: tuple[str, str], proof: list[str]) -> tuple[tuple[str, str], list[str]]:
    """The two hashes a proof is checked against and the proof, with one bit of one of them (drawn) flipped."""
    hashes = [*given, *proof]
    where, bit = data.draw(st.integers(0, len(hashes) - 1)), data.draw(st.integers(0, 255))
    hashes[where] = changed(hashes[where], bit)
    return (hashes[0], hashes[1]), hashes[2:]


@settings(max_examples=300)
@given(inclusion_cases(), st.data())
def test_a_changed_hash_breaks_an_inclusion_proof(case, data):
    size, index, proof = case
    (leaf, root), path = one_bit_changed(data, (LEAVES[index], ROOTS[size]), proof)
    assert not verify_inclusion(leaf, index, size, path, root)


@settings(max_examples=300)
@given(inclusion_cases(), st.integers(-2, MAX + 2))
def test_an_inclusion_proof_holds_for_no_other_index(case, other):
    size, index, proof = case
    if other != index:
        assert not verify_inclusion(LEAVES[index], other, size, proof, ROOTS[size])
        if 0 <= other < size:  # nor the leaf that is there
            assert not verify_inclusion(LEAVES[other], other, size, proof, ROOTS[size])


@settings(max_examples=300)
@given(inclusion_cases(), st.integers(-1, MAX + 2))
def test_an_inclusion_proof_holds_for_no_other_size(case, other):
    """Not with the tree hash of the other size, as a signed checkpoint of that size would give it.

    (With the *same* root, a size whose path has the same shape does verify, e.g. leaf 0 of
    17 and of 18 leaves: a root already names its tree, and the RFC's proofs are only
    meaningful for a size and root taken together, which is why the auditor takes both
    from one signed checkpoint.)
    """
    size, index, proof = case
    if other != size:
        root = ROOTS[other] if other >= 0 else ROOTS[size]
        assert not verify_inclusion(LEAVES[index], index, other, proof, root)


@settings(max_examples=200)
@given(inclusion_cases(), st.data())
def test_a_shortened_or_lengthened_inclusion_proof_fails(case, data):
    size, index, proof = case
    if proof:
        cut = data.draw(st.integers(0, len(proof) - 1))
        assert not verify_inclusion(LEAVES[index], index, size, proof[:cut], ROOTS[size])
    extra = data.draw(st.sampled_from(LEAVES))
    assert not verify_inclusion(LEAVES[index], index, size, [*proof, extra], ROOTS[size])
    assert not verify_inclusion(LEAVES[index], index, size, [extra, *proof], ROOTS[size])


@settings(max_examples=300)
@given(consistency_cases(), st.data())
def test_a_changed_hash_breaks_a_consistency_proof(case, data):
    size1, size2, proof = case
    (root1, root2), path = one_bit_changed(data, (ROOTS[size1], ROOTS[size2]), proof)
    assert not verify_consistency(size1, size2, root1, root2, path)


@settings(max_examples=400)
@given(consistency_cases(), st.integers(-1, MAX + 2), st.integers(-1, MAX + 2))
def test_a_consistency_proof_holds_for_no_other_sizes(case, other1, other2):
    """With the roots of the sizes claimed (as signed checkpoints give them), it holds only where it
    is that pair's own proof (see the note on inclusion proofs: a size goes with its root)."""
    size1, size2, proof = case
    if (other1, other2) == (size1, size2):
        return
    if not 0 <= other1 <= other2:
        assert not verify_consistency(other1, other2, ROOTS[size1], ROOTS[size2], proof)
    else:
        holds = verify_consistency(other1, other2, ROOTS[other1], ROOTS[other2], proof)
        assert holds == (proof == consistency_proof(LEAVES[:other2], other1))


@settings(max_examples=200)
@given(consistency_cases(), st.data())
def test_a_consistency_proof_of_another_tree_fails(case, data):
    """A log rewritten after ``size1`` leaves, or before: the new tree does not extend the old one."""
    size1, size2, _ = case
    at = data.draw(st.integers(0, size2 - 1))
    forked = [*LEAVES[:at], *leaves(size2 - at, salt="fork")]
    proof = consistency_proof(forked, size1)
    if at < size1:  # the first tree itself was changed
        assert not verify_consistency(size1, size2, ROOTS[size1], root_of(forked), proof)
    else:  # only later entries differ: the forked tree does extend the first, not the real second one
        assert verify_consistency(size1, size2, ROOTS[size1], root_of(forked), proof)
        assert not verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], proof) or forked == LEAVES[:size2]


@pytest.mark.parametrize("bad", ["zz" * 32, "ab", "", None, 3])
def test_malformed_hashes_are_a_failed_proof_not_a_crash(bad):
    proof = inclusion_proof(LEAVES[:5], 2)
    assert not verify_inclusion(bad, 2, 5, proof, ROOTS[5])
    assert not verify_inclusion(LEAVES[2], 2, 5, [bad, *proof[1:]], ROOTS[5])
    assert not verify_consistency(3, 5, bad, ROOTS[5], consistency_proof(LEAVES[:5], 3))
