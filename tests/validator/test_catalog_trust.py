"""A standard's trust list: its signers are judged against the CAs the catalog names, without --trust.

The bundled catalog names none (no list of Thai licensed CAs is among the project's sources, and
one is never made up); these tests give a copy of the e-Tax standard a list with the test PKI's
root, marked illustrative as the format requires.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from dxs.standards import BUNDLED_CATALOG
from dxs.validator import DocumentValidator, load_catalog
from dxs.validator.catalog import CatalogError
from dxs.validator.catalog_checks import check_trust
from dxs.validator.errors import DxsError
from dxs.validator.validate import SignaturePolicy
from tests.kit import pdfs, pki
from tests.kit.trust import ETAX, TRUST, catalog_with, pem
from tests.kit.cli import run_dxs

KIT = pki.make_pki()
DOC = pki.example_bytes()
def validator(folder: Path, **policy) -> DocumentValidator:
    return DocumentValidator(load_catalog([folder]), signatures=SignaturePolicy(**policy))


def test_a_signer_is_trusted_through_the_catalogs_list_without_trust(tmp_path: Path) -> None:
    report = validator(catalog_with(tmp_path)).validate_bytes(pki.sign_xades(DOC, KIT.signer), "signed.xml")
    assert report.valid
    (info,) = report.signatures
    assert info.trust == "trusted" and info.anchors.startswith(f"trust list {ETAX}/trust (illustrative: the test PKI")
    (summary,) = [i for i in report.issues if i.rule == "signed"]
    assert f"signer trusted (anchors: trust list {ETAX}/trust (illustrative: the test PKI" in summary.message
    assert f"trust list {ETAX}/trust" in summary.message_th


def test_a_signer_from_another_ca_is_untrusted_and_an_error_when_trust_is_required(tmp_path: Path) -> None:
    folder = catalog_with(tmp_path)
    stranger = pki.sign_xades(DOC, KIT.stranger)
    report = validator(folder).validate_bytes(stranger, "stranger.xml")
    assert report.valid and report.signatures[0].trust == "untrusted"
    assert [i.severity for i in report.issues if i.rule == "untrusted-signer"] == ["warning"]
    strict = validator(folder, require_trusted=True).validate_bytes(stranger, "stranger.xml")
    assert not strict.valid and [i.severity for i in strict.issues if i.rule == "untrusted-signer"] == ["error"]


def test_trust_adds_to_the_catalogs_list(tmp_path: Path) -> None:
    report = validator(catalog_with(tmp_path), trust=(KIT.other_root.cert,)).validate_bytes(pki.sign_xades(DOC, KIT.stranger), "s.xml")
    (info,) = report.signatures
    assert info.trust == "trusted" and info.anchors.endswith("and --trust")


def test_the_command_line_uses_the_catalogs_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")  # the copy stands in for the bundled standard
    folder = catalog_with(tmp_path)
    document = tmp_path / "signed.xml"
    document.write_bytes(pki.sign_xades(DOC, KIT.signer))
    done = run_dxs("validate", "--catalog", folder, "--require-trusted", document)
    assert done.exit_code == 0, done.output
    assert "signer trusted" in done.output and "trust list" in done.output


def test_a_signed_pdf_is_judged_against_the_catalogs_lists(tmp_path: Path) -> None:
    signed = pdfs.sign_pdf(pdfs.invoice_pdf(DOC), KIT.signer)
    report = validator(catalog_with(tmp_path)).validate_bytes(signed, "invoice.pdf")
    pdf_signatures = [s for s in report.signatures if getattr(s, "field_name", None)]
    assert pdf_signatures and all(s.trust == "trusted" for s in pdf_signatures), report.signatures


@pytest.mark.parametrize(("block", "field", "words"), [
    ('\n[[trust]]\npath = "../elsewhere.pem"\nsource = "x"\n', "trust[0].path", "outside the standard's folder"),
    ('\n[[trust]]\npath = "trust/none.pem"\nsource = "x"\n', "trust[0].path", "does not exist"),
    ('\n[[trust]]\npath = "trust"\n', "trust[0].source", "is missing"),
    ('\n[trust]\npath = "trust"\nsource = "x"\n', "trust", "array of tables"),
])
def test_a_malformed_trust_entry_is_refused_naming_the_field(tmp_path: Path, block: str, field: str, words: str) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog([catalog_with(tmp_path, block)])
    assert field in str(caught.value) and words in str(caught.value)


def test_an_unreadable_list_is_named_when_a_signature_needs_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    folder = catalog_with(tmp_path, files={"trust/broken.pem": b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"})
    with pytest.raises(DxsError, match="broken.pem"):
        validator(folder).validate_bytes(pki.sign_xades(DOC, KIT.signer), "signed.xml")
    document = tmp_path / "signed.xml"
    document.write_bytes(pki.sign_xades(DOC, KIT.signer))
    done = run_dxs("validate", "--catalog", folder, document)
    assert done.exit_code == 2 and "broken.pem" in done.output and "trust list" in done.output


def test_standards_check_reads_every_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    expired_ca = KIT.expired_signer.cert  # an end-entity certificate that has expired: two findings
    folder = catalog_with(tmp_path, files={"trust/root.pem": pem(KIT.root.cert), "trust/leaf.pem": pem(expired_ca)})
    standard = load_catalog([folder]).standard(f"{ETAX}.tax-invoice")
    messages = [f.message for f in check_trust(standard, today=dt.date.today())]
    assert any("is not a CA certificate" in m and "Expired TEST signer" in m for m in messages)
    assert any("expired on" in m for m in messages)
    assert not any("DXS TEST Root CA" in m for m in messages)
    done = run_dxs("standards", "check", "--catalog", folder, ETAX + ".tax-invoice")
    assert done.exit_code == 1 and "is not a CA certificate" in done.output


def test_a_real_standards_list_is_not_marked_illustrative_and_an_illustrative_ones_must_be(tmp_path: Path) -> None:
    folder = catalog_with(tmp_path, TRUST.replace("illustrative = true\n", ""))
    standard = load_catalog([folder]).standard(f"{ETAX}.tax-invoice")
    assert check_trust(standard) == []  # ETDA's standard is real: its list need not be illustrative
    # the same list on an illustrative standard, unmarked, is refused by the check
    assert [f.message for f in check_trust(dataclasses.replace(standard, illustrative=True))] == ["an illustrative standard's trust list must say illustrative = true"]


def test_the_bundled_catalog_names_no_trust_list() -> None:
    """No list of licensed Thai CAs is among the sources: the bundled catalog must not invent one."""
    assert all(not standard.trust for standard in load_catalog([BUNDLED_CATALOG]))


def test_a_list_removed_after_the_catalog_was_loaded_is_a_clear_error(tmp_path: Path) -> None:
    folder = catalog_with(tmp_path)
    checking = validator(folder)
    (folder / ETAX / "trust" / "test-root.pem").unlink()
    (folder / ETAX / "trust").rmdir()
    with pytest.raises(DxsError, match="trust list file cannot be read"):
        checking.validate_bytes(pki.sign_xades(DOC, KIT.signer), "signed.xml")
