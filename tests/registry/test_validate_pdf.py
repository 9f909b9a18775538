"""The service validates what `dxs validate` does: signed XML and PDF/A-3 containers, by API and by upload."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dxs.registry.app import create_app
from dxs.standards import BUNDLED_CATALOG
from dxs.validator import load_catalog
from tests.kit import pdfs, pki
from tests.kit.trust import catalog_with

KIT = pki.make_pki()
DOC = pki.example_bytes()


@pytest.fixture(scope="module")
def bundled():
    return load_catalog([BUNDLED_CATALOG])


@pytest.fixture
def service(database, bundled) -> TestClient:
    return TestClient(create_app(catalog=bundled, database=database))


def test_a_pdf_sent_to_the_api_has_its_embedded_xml_validated(service) -> None:
    got = service.post("/api/v1/validate", params={"name": "invoice.pdf"}, content=pdfs.invoice_pdf(DOC))
    assert got.status_code == 200, got.text
    (document,) = got.json()["documents"]
    assert document["valid"] and document["standard"] == "th.etda.e-tax-invoice-receipt.tax-invoice@2.1.0"
    assert any(i["rule"] == "embedded-xml" and "ETDA-invoice.xml" in i["message"] for i in document["issues"])
    empty = service.post("/api/v1/validate", params={"name": "empty.pdf"}, content=pdfs.make_pdf([])).json()["documents"][0]
    assert not empty["valid"] and any(i["rule"] == "no-embedded-xml" for i in empty["issues"])


def test_a_signed_xml_sent_to_the_api_names_its_signer(service) -> None:
    signed = pki.sign_xades(DOC, KIT.signer)
    (document,) = service.post("/api/v1/validate", content=signed).json()["documents"]
    assert document["valid"] and document["signatures"][0]["juristic_id"] == pki.JURISTIC_ID
    (broken,) = service.post("/api/v1/validate", content=pki.changed_content(signed)).json()["documents"]
    assert not broken["valid"] and any(i["rule"] == "digest-mismatch" for i in broken["issues"])


def test_the_portal_upload_takes_a_pdf(service) -> None:
    got = service.post("/validate", files={"document": ("invoice.pdf", pdfs.invoice_pdf(DOC), "application/pdf")}, data={"standard": ""})
    assert got.status_code == 200 and "ETDA-invoice.xml" in got.text and "ถูกต้อง · valid" in got.text


def test_the_service_judges_signers_against_the_catalogs_trust_list(database, tmp_path) -> None:
    trusted = TestClient(create_app(catalog=load_catalog([catalog_with(tmp_path / "good")]), database=database))
    (document,) = trusted.post("/api/v1/validate", content=pki.sign_xades(DOC, KIT.signer)).json()["documents"]
    assert document["signatures"][0]["trust"] == "trusted" and "trust list" in document["signatures"][0]["anchors"]
    (pdf,) = trusted.post("/api/v1/validate", params={"name": "i.pdf"}, content=pdfs.sign_pdf(pdfs.invoice_pdf(DOC), KIT.signer)).json()["documents"]
    assert any(s.get("trust") == "trusted" and s.get("field") for s in pdf["signatures"]), pdf["signatures"]


def test_a_broken_trust_list_is_the_operators_problem_and_names_no_server_path(database, tmp_path) -> None:
    folder = catalog_with(tmp_path, files={"trust/broken.pem": b"not a certificate"})
    service = TestClient(create_app(catalog=load_catalog([folder]), database=database))
    got = service.post("/api/v1/validate", content=pki.sign_xades(DOC, KIT.signer))
    assert got.status_code == 422 and got.json()["code"] == "standard_unusable"
    assert "trust list 'broken.pem'" in got.json()["message"] and str(tmp_path) not in got.text
