"""The check works on the document as parsed: signxml's own verdicts, the caller's tree left as it was.

``check_signatures`` runs signxml's steps on the parsed document instead of signxml's ``verify()``,
which copies the whole document for each reference (docs/performance.md); whatever it does not
accept goes to ``verify()``. These tests hold it to that: on every intact and every tampered
document, with and without the in-place path, the report is the same.
"""

from __future__ import annotations

import pytest
from lxml import etree

from dxs.validator import signatures
from dxs.validator.signatures import check_signatures, forget_signers
from tests.kit import pki, xmlsec
from tests.kit.signed_cases import INTACT, KIT, TAMPERED

XADES = pki.sign_xades(pki.example_bytes(), KIT.signer)
CASES = {**{f"intact: {k}": make for k, make in INTACT.items()},
         **{f"tampered: {k}": (lambda make=make: make(XADES)) for k, (make, _) in TAMPERED.items()}}


def report(data: bytes, trust: list | None = None) -> dict:
    forget_signers()
    return check_signatures(data, trust=KIT.trust if trust is None else trust).to_dict()


@pytest.fixture()
def signxml_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reference and every signature through signxml's own verify(), as before the in-place path."""
    verifier = signatures._verifier_class()
    monkeypatch.setattr(verifier, "accept", lambda self, root, leaf, config: None)
    monkeypatch.setattr(verifier, "_quick", lambda self, reference, root: None)


@pytest.mark.parametrize("name", CASES)
def test_the_report_is_signxmls_own(name: str, request: pytest.FixtureRequest) -> None:
    data = CASES[name]()
    in_place = report(data)
    request.getfixturevalue("signxml_only")
    assert report(data) == in_place


def test_an_xmlsec1_signature_first_in_the_document_gets_signxmls_verdict(request: pytest.FixtureRequest) -> None:
    signed = xmlsec.sign(pki.example_bytes(), KIT.signer, xmlsec.Profile(first=True, xades=True))
    anchors = [KIT.root.cert, KIT.intermediate.cert]
    in_place = report(signed, anchors)
    assert in_place["valid"]
    request.getfixturevalue("signxml_only")
    assert report(signed, anchors) == in_place


@pytest.mark.parametrize("first", [False, True], ids=["signature last", "signature first"])
@pytest.mark.parametrize("changed", [False, True], ids=["intact", "changed"])
def test_the_callers_tree_is_left_as_it_was(first: bool, changed: bool) -> None:
    signed = xmlsec.sign(pki.example_bytes(), KIT.signer, xmlsec.Profile(first=first, xades=True)) if first else XADES
    if changed:
        signed = signed.replace(b"</ram:Name>", b" (changed)</ram:Name>", 1)
    tree = etree.fromstring(signed).getroottree()
    before = etree.tostring(tree)
    result = check_signatures(tree, trust=[KIT.root.cert, KIT.intermediate.cert])
    assert result.valid is not changed
    assert etree.tostring(tree) == before


def test_a_kept_path_to_the_anchors_is_not_reused_for_other_anchors() -> None:
    forget_signers()
    assert check_signatures(XADES, trust=KIT.trust).signatures[0].trust == "trusted"
    assert check_signatures(XADES, trust=[KIT.other_root.cert]).signatures[0].trust == "untrusted"
    assert check_signatures(XADES, trust=KIT.trust).signatures[0].trust == "trusted"


def test_a_kept_signer_does_not_hide_a_changed_document() -> None:
    forget_signers()
    assert check_signatures(XADES, trust=KIT.trust).valid
    result = check_signatures(pki.changed_content(XADES), trust=KIT.trust)
    assert not result.valid and "digest-mismatch" in {i.rule for i in result.issues}
