"""`dxs validate` on signed XML and on PDF/A-3 containers: signer, time and verdict in every format.

The signature checks themselves are tested in test_signatures.py and test_containers.py; here,
what a developer sees when the validator runs them on a catalog document.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from dxs.standards import BUNDLED_CATALOG
from dxs.validator import DocumentValidator, load_catalog
from dxs.validator.validate import SignaturePolicy
from tests.conftest import need
from tests.kit import pdfs, pki
from tests.kit.cli import run_dxs

KIT = pki.make_pki()
DOC = pki.example_bytes()
ETDA_PDF = Path(__file__).parents[3] / "shared" / "sources" / "etda-pdfa3-sample" / "pdfA3.pdf"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog([BUNDLED_CATALOG])


@pytest.fixture(scope="module")
def signed() -> bytes:
    return pki.sign_xades(DOC, KIT.signer)


@pytest.fixture()
def trust_file(tmp_path: Path) -> Path:
    path = tmp_path / "root.pem"
    path.write_bytes(KIT.root.cert.public_bytes(serialization.Encoding.PEM))
    return path


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_signed_invoice_is_valid_and_its_report_names_signer_and_time(catalog, signed) -> None:
    report = DocumentValidator(catalog, signatures=SignaturePolicy(trust=tuple(KIT.trust))).validate_bytes(signed, "signed.xml")
    assert report.valid and report.standard == "th.etda.e-tax-invoice-receipt.tax-invoice@2.1.0"
    (info,) = report.signatures
    assert info.intact and info.trust == "trusted" and info.juristic_id == pki.JURISTIC_ID and info.form == "XAdES-BES"
    (summary,) = [i for i in report.issues if i.rule == "signed"]
    assert summary.severity == "info" and "XAdES-BES signature by" in summary.message and "intact, signer trusted" in summary.message
    assert pki.JURISTIC_ID in summary.message and info.signing_time.isoformat() in summary.message
    assert "ลายมือชื่อ" in summary.message_th


def test_changed_content_makes_the_document_invalid(catalog, signed) -> None:
    report = DocumentValidator(catalog).validate_bytes(pki.changed_content(signed), "changed.xml")
    assert not report.valid
    assert "digest-mismatch" in {i.rule for i in report.issues if i.source == "signature" and i.severity == "error"}
    assert "BROKEN" in next(i.message for i in report.issues if i.rule == "signed")


def test_the_command_line_shows_the_verdict_in_each_format(tmp_path: Path, signed, trust_file) -> None:
    path = write(tmp_path, "signed.xml", signed)
    text = run_dxs("validate", "--trust", trust_file, path)
    assert text.exit_code == 0 and "XAdES-BES signature by" in text.output and "[signature:signed]" in text.output
    thai = run_dxs("validate", "--lang", "th", "--trust", trust_file, path)
    assert "ลายมือชื่อ XAdES-BES" in thai.output and "เชื่อถือได้" in thai.output
    data = json.loads(run_dxs("validate", "--format", "json", "--trust", trust_file, path).output)
    (document,) = data["documents"]
    assert document["signatures"][0]["trust"] == "trusted" and document["signatures"][0]["juristic_id"] == pki.JURISTIC_ID
    sarif = json.loads(run_dxs("validate", "--format", "sarif", path).output)
    assert any(r["ruleId"] == "signature/signed" and r["level"] == "note" for r in sarif["runs"][0]["results"])
    from lxml import etree

    passing = etree.fromstring(run_dxs("validate", "--format", "junit", "--trust", trust_file, path).output.encode())
    (case,) = passing.iter("testcase")
    assert case.find("failure") is None
    out = case.findtext("system-out")
    assert "XAdES-BES signature by" in out and pki.JURISTIC_ID in out and "intact, signer trusted" in out
    broken = write(tmp_path, "broken.xml", pki.changed_content(signed))
    junit = run_dxs("validate", "--format", "junit", broken)
    assert junit.exit_code == 1 and 'type="digest-mismatch"' in junit.output and "BROKEN" in junit.output


def test_an_untrusted_signer_is_a_warning_unless_trust_is_required(tmp_path: Path, trust_file) -> None:
    path = write(tmp_path, "stranger.xml", pki.sign_xades(DOC, KIT.stranger))
    warned = run_dxs("validate", "--trust", trust_file, path)
    assert warned.exit_code == 0 and "untrusted-signer" in warned.output and "warning" in warned.output
    refused = run_dxs("validate", "--trust", trust_file, "--require-trusted", path)
    assert refused.exit_code == 1 and "untrusted-signer" in refused.output


def test_signatures_off_skips_the_check_and_says_so(tmp_path: Path, signed) -> None:
    path = write(tmp_path, "broken.xml", pki.changed_content(signed))
    done = run_dxs("validate", "--signatures", "off", path)
    assert done.exit_code == 0 and "not checked (--signatures off)" in done.output


def test_a_signature_is_required_only_when_asked(tmp_path: Path) -> None:
    path = write(tmp_path, "unsigned.xml", DOC)
    assert run_dxs("validate", path).exit_code == 0
    required = run_dxs("validate", "--require-signature", path)
    assert required.exit_code == 1 and "missing-signature" in required.output


def test_a_standard_can_require_signatures(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    source = BUNDLED_CATALOG / "th.etda.e-tax-invoice-receipt"
    shutil.copytree(source, folder / source.name)
    toml = folder / source.name / "2.1.0" / "version.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("\n[", "\nsignature_required = true\n\n[", 1), encoding="utf-8")
    catalog = load_catalog([folder], registers=[BUNDLED_CATALOG])
    assert catalog.resolve("th.etda.e-tax-invoice-receipt.tax-invoice@2.1.0").signature_required
    report = DocumentValidator(catalog).validate_bytes(DOC, "unsigned.xml")
    assert not report.valid and {i.rule for i in report.issues} >= {"missing-signature"}


def test_a_bad_trust_file_is_a_configuration_error(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.pem", b"not a certificate")
    done = run_dxs("validate", "--trust", bad, write(tmp_path, "a.xml", DOC))
    assert done.exit_code == 2 and "bad.pem" in done.output and "no readable certificate" in done.output


def test_etdas_pdfa3_sample_is_opened_and_its_xml_validated(tmp_path: Path) -> None:
    need(ETDA_PDF.is_file(), f"ETDA's PDF/A-3 sample is not at {ETDA_PDF}")
    done = run_dxs("validate", "--format", "json", ETDA_PDF)
    assert done.exit_code == 0, done.output
    (document,) = json.loads(done.output)["documents"]
    assert document["standard"] == "th.etda.e-tax-invoice-receipt.tax-invoice@2.0.0"
    rules = {i["rule"]: i for i in document["issues"]}
    assert "ETDA-invoice.xml" in rules["embedded-xml"]["message"] and rules["embedded-xml"]["message"].endswith(": valid")
    assert "PDF/A-3u" in rules["pdfa-not-checked"]["message"]


def test_an_invalid_embedded_xml_makes_the_pdf_invalid_and_says_where(tmp_path: Path) -> None:
    broken = DOC.replace(b"<ram:TypeCode>388</ram:TypeCode>", b"<ram:TypeCode>999</ram:TypeCode>", 1)
    assert broken != DOC
    path = write(tmp_path, "invoice.pdf", pdfs.invoice_pdf(broken))
    done = run_dxs("validate", path)
    assert done.exit_code == 1 and "ETDA-invoice.xml:" in done.output


def test_a_folder_run_takes_pdfs_too(tmp_path: Path) -> None:
    write(tmp_path, "invoice.pdf", pdfs.invoice_pdf(DOC))
    write(tmp_path, "empty.pdf", pdfs.make_pdf([]))
    done = run_dxs("validate", tmp_path)
    assert done.exit_code == 1 and "2 documents: 1 valid, 1 invalid" in done.output and "no-embedded-xml" in done.output


def test_a_signed_pdf_reports_its_signature(tmp_path: Path, trust_file) -> None:
    need(importlib.util.find_spec("pyhanko") is not None, "pyHanko is not installed")
    path = write(tmp_path, "signed.pdf", pdfs.sign_pdf(pdfs.invoice_pdf(DOC), KIT.signer))
    done = run_dxs("validate", "--trust", trust_file, "--require-signature", path)
    assert done.exit_code == 0, done.output
    assert "PDF signature Signature1" in done.output and "intact" in done.output and "signer trusted" in done.output
    tampered = write(tmp_path, "tampered.pdf", pdfs.changed_in_signed_range(path.read_bytes()))
    assert run_dxs("validate", tampered).exit_code == 1


def test_trust_anchors_can_come_from_the_environment(tmp_path: Path, signed, trust_file, monkeypatch) -> None:
    path = write(tmp_path, "signed.xml", signed)
    monkeypatch.setenv("DXS_TRUST", str(trust_file))
    done = run_dxs("validate", "--require-trusted", path)
    assert done.exit_code == 0 and "signer trusted" in done.output
