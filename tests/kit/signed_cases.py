"""Signed documents every signature test can use: one per way of signing intact, one per tamper kind (with its rule id).

Each entry makes its document when called (RSA signing is slow enough that a module does not make
them all up front). TAMPERED's functions take the intact XAdES document they start from.
"""

from __future__ import annotations

from collections.abc import Callable

from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from tests.kit import pki

KIT = pki.make_pki()
DOC = pki.example_bytes()

INTACT: dict[str, Callable[[], bytes]] = {
    "xades-bes rsa-sha256 c14n 1.1": lambda: pki.sign_xades(DOC, KIT.signer),
    "xades-bes ecdsa": lambda: pki.sign_xades(DOC, KIT.ecdsa),
    # (not XAdES with exclusive c14n: signxml's XAdESSigner digests SignedProperties with it but writes no
    # Transform saying so, and signxml's own XAdESVerifier rejects the result too)
    "xades-bes rsa-sha512": lambda: pki.sign_xades(DOC, KIT.signer, signature=SignatureMethod.RSA_SHA512, digest=DigestAlgorithm.SHA512),
    "xml-dsig exclusive c14n": lambda: pki.sign_dsig(DOC, KIT.signer, c14n=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0),
    "xml-dsig inclusive c14n 1.0": lambda: pki.sign_dsig(DOC, KIT.signer, c14n=CanonicalizationMethod.CANONICAL_XML_1_0),
    "xml-dsig rsa-sha512": lambda: pki.sign_dsig(DOC, KIT.signer, signature=SignatureMethod.RSA_SHA512, digest=DigestAlgorithm.SHA512),
    "xml-dsig ecdsa-sha384": lambda: pki.sign_dsig(DOC, KIT.ecdsa, signature=SignatureMethod.ECDSA_SHA384, digest=DigestAlgorithm.SHA384),
    "xades-t": lambda: pki.timestamped(pki.sign_xades(DOC, KIT.signer), KIT.tsa),
}


TAMPERED: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "changed content": (lambda s: pki.changed_content(s), "digest-mismatch"),
    "changed signed properties": (lambda s: pki.changed_signed_properties(s), "digest-mismatch"),
    "swapped certificate": (lambda s: pki.swapped_certificate(s, KIT.stranger), "signature-value"),
    "removed reference": (lambda s: pki.removed_reference(s), "signature-value"),
    "another key claiming the signer": (lambda s: pki.sign_xades(DOC, KIT.stranger, claimed=KIT.signer), "signing-certificate-mismatch"),
    "expired certificate": (lambda s: pki.sign_xades(DOC, KIT.expired_signer), "expired-at-signing-time"),
    "sha-1": (lambda s: pki.sign_dsig(DOC, KIT.signer, signature=SignatureMethod.RSA_SHA1, digest=DigestAlgorithm.SHA1), "weak-algorithm"),
    "rsa-1024": (lambda s: pki.sign_dsig(DOC, KIT.rsa1024), "weak-algorithm"),
    "time-stamp with a broken TSA signature": (lambda s: pki.timestamped(s, KIT.tsa, corrupt_signature=True), "timestamp-invalid"),
    "time-stamp of other data": (lambda s: pki.add_timestamp(s, pki.make_timestamp_token(b"\0" * 32, KIT.tsa)), "timestamp-invalid"),
    "time-stamp that is not a token": (lambda s: pki.add_timestamp(s, b"not DER at all"), "timestamp-invalid"),
    "xsw: second signed copy inside a forged document": (lambda s: pki.wrapped_in_new_document(s), "signature-wrapping"),
    "xsw: reference to one element only": (lambda s: pki.signed_subtree(DOC, KIT.signer)[0], "signature-wrapping"),
    "xsw: signed element moved into ds:Object": (lambda s: pki.moved_subtree(DOC, KIT.signer), "signature-wrapping"),
    "xsw: duplicate Ids": (lambda s: pki.duplicate_id(DOC, KIT.signer), "signature-wrapping"),
    "xsw: reference into another signature": (lambda s: pki.reference_into_other_signature(DOC, KIT.signer), "signature-wrapping"),
    "remote reference (http)": (lambda s: pki.with_reference(s, "http://example.invalid/invoice.xml"), "remote-reference"),
    "file reference": (lambda s: pki.with_reference(s, "file:///etc/passwd"), "remote-reference"),
    "relative file reference": (lambda s: pki.with_reference(s, "../secret.xml"), "remote-reference"),
    "KeyInfo retrieval": (lambda s: pki.with_retrieval_method(s, "http://example.invalid/signer.cer"), "remote-reference"),
}
