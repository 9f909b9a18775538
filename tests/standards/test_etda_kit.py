"""The ETDA e-Tax Invoice & e-Receipt conformance kit: twelve document-type versions, signed examples.

Each of the package's six document types has, in each package version (2.0.0 = ขมธอ. 3-2560,
2.1.0 = ขมธอ. 3-2568), a kit under ``<version>/examples/<type>/``: valid documents, and invalid
ones whose ``expected.toml`` names the one issue (ETDA rule id or XSD rule, and location) each
must produce. Some valid examples carry an enveloped XML signature made by
``tools/sign_kit_examples.py`` with a throwaway test key; here a kit example is signed afresh
through the same code and must still validate and be detected.
"""

from __future__ import annotations

import base64
import importlib.util
import re
from importlib.util import find_spec
from pathlib import Path

import pytest
from lxml import etree

from dxs.standards import BUNDLED_CATALOG
from tests.conftest import need
from dxs.validator import DocumentValidator, load_catalog
from dxs.validator.catalog import catalog_folders
from dxs.validator.catalog_checks import MIN_INVALID, MIN_VALID, check_examples, load_manifest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "th.etda.e-tax-invoice-receipt"
DOC_TYPES = ("tax-invoice", "receipt", "invoice", "debit-credit-note", "abbreviated-tax-invoice", "cancellation-note")
VERSIONS = ("2.0.0", "2.1.0")
REFS = [f"{PACKAGE}.{doc_type}@{version}" for version in VERSIONS for doc_type in DOC_TYPES]
DS = "{http://www.w3.org/2000/09/xmldsig#}"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def _load_signing_tool():
    spec = importlib.util.spec_from_file_location("sign_kit_examples", ROOT / "tools" / "sign_kit_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SIGNING = _load_signing_tool()  # imports cryptography and lxml only; signxml is imported when signing


@pytest.fixture(scope="module")
def catalog():
    # the whole catalog, as `dxs` loads it: detection must pick the right one of all its standards
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DXS_CATALOG", raising=False)
        mp.delenv("DXS_BUNDLED_CATALOG", raising=False)
        return load_catalog(catalog_folders())


@pytest.fixture(scope="module")
def detecting_validator(catalog):
    return DocumentValidator(catalog)


@pytest.fixture(scope="module")
def test_signer():
    need(find_spec("signxml") is not None, "signxml is not installed (pip install -e '.[dev]')")
    return SIGNING.make_test_signer()


# ------------------------------------------------------------------ (1) signing afresh


def test_the_throwaway_key_says_it_is_a_test_key(test_signer):
    key, cert = test_signer
    assert key.key_size >= 2048
    subject = cert.subject.rfc4514_string()
    assert "TEST KEY" in subject and "not a real signer" in subject
    assert cert.issuer == cert.subject  # self-signed, trusted by nobody


@pytest.mark.parametrize(("version", "doc_type", "name"), SIGNING.TARGETS, ids=lambda x: x)
def test_a_freshly_signed_kit_example_validates_and_is_detected(detecting_validator, test_signer, version, doc_type, name):
    key, cert = test_signer
    example = BUNDLED_CATALOG / PACKAGE / version / "examples" / doc_type / "valid" / name
    signed = SIGNING.signed_bytes(example.read_bytes(), key, cert, example.name)

    root = etree.fromstring(signed)
    signature = root[-1]
    assert signature.tag == f"{DS}Signature", "enveloped: the signature is the root's last child, where ETDA's XSD allows it"
    assert signature.find(f"{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm") == RSA_SHA256
    assert signature.find(f"{DS}SignedInfo/{DS}Reference").get("URI") == ""

    report = detecting_validator.validate_bytes(signed, f"signed-{name}")
    assert report.standard == f"{PACKAGE}.{doc_type}@{version}"
    assert report.valid, [str(i) for i in report.issues]

    # and the signature is a real one over the document (checked against the test certificate)
    from cryptography.hazmat.primitives import serialization
    from signxml import XMLVerifier

    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    verified = XMLVerifier().verify(signed, x509_cert=pem)
    assert etree.QName(verified.signed_xml).localname == etree.QName(root).localname


# ------------------------------------------------------------------ (2) the kits behave as they say


@pytest.mark.parametrize("ref", REFS)
def test_the_kit_behaves_as_its_manifest_says(catalog, ref):
    # valid examples validate; each invalid one fails with its named issue, and only at its location
    findings = check_examples(catalog, catalog.resolve(ref))
    assert findings == [], "\n".join(map(str, findings))


# ------------------------------------------------------------------ (3) the kits are complete


@pytest.mark.parametrize("ref", REFS)
def test_each_document_type_version_has_a_full_kit(catalog, ref):
    version = catalog.resolve(ref)
    valid, invalid = version.examples("valid"), version.examples("invalid")
    assert version.examples_root == version.folder / "examples" / version.document_type
    assert len(valid) >= max(MIN_VALID, 2) and len(invalid) >= max(MIN_INVALID, 3)
    manifest, problems = load_manifest(version)
    assert problems == []
    assert set(manifest) == {p.name for p in invalid}
    assert all(entry.get("why") for entry in manifest.values()), "every invalid example says why ETDA refuses it"
    # the kit exercises ETDA's own Schematron rules (their ids), not only the XSD
    assert any(not entry["rule"].startswith("cvc-") for entry in manifest.values())


@pytest.mark.parametrize("version", VERSIONS)
def test_each_package_version_has_a_signed_valid_example(catalog, version):
    signed = [
        p
        for doc_type in DOC_TYPES
        for p in catalog.resolve(f"{PACKAGE}.{doc_type}@{version}").examples("valid")
        if p.name.startswith("signed-")
    ]
    assert signed, f"no signed valid example in {version}"
    from cryptography import x509

    for path in signed:
        root = etree.parse(str(path)).getroot()
        signature = root[-1]
        assert signature.tag == f"{DS}Signature"
        assert signature.find(f"{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm") == RSA_SHA256
        der = base64.b64decode(re.sub(r"\s+", "", signature.find(f".//{DS}X509Certificate").text))
        cert = x509.load_der_x509_certificate(der)
        assert "TEST KEY" in cert.subject.rfc4514_string()
        assert cert.public_key().key_size >= 2048
