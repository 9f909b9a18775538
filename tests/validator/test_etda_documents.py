"""Real ETDA e-Tax documents through the catalog: detection from the real markers and ETDA's own verdict.

The sample is the XML ETDA embedded in its own PDF/A-3 example (``../shared/sources/
etda-pdfa3-sample/pdfA3.pdf``): a v2.0 TaxInvoice with dummy data. The other documents
are edits of it, each changing one thing.
"""

from __future__ import annotations

import re

import pytest

from dxs.standards import BUNDLED_CATALOG
from dxs.validator import DocumentValidator, load_catalog

PACKAGE = "th.etda.e-tax-invoice-receipt"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog([BUNDLED_CATALOG / PACKAGE])  # the package alone (its register is the catalog's)


@pytest.fixture(scope="module", params=[False, True], ids=["one-document", "many-documents"])
def validator(catalog, request):
    """A validator as a one-document run builds it, and as a bulk run does (the package's schemas compiled as one)."""
    built = DocumentValidator(catalog)
    built.expect_many = request.param
    return built


@pytest.fixture(scope="module")
def sample(sources) -> bytes:
    """The XML inside ETDA's sample PDF/A-3, taken out of the PDF here (as a receiver of an e-mailed invoice would)."""
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(sources / "etda-pdfa3-sample" / "pdfA3.pdf") as pdf:
        (attachment,) = pdf.attachments.values()
        assert attachment.filename == "ETDA-invoice.xml"
        return attachment.get_file().read_bytes()


def _edit(data: bytes, old: str, new: str) -> bytes:
    text = data.decode("utf-8-sig")
    assert old in text, old
    return text.replace(old, new, 1).encode("utf-8")


def test_the_xml_in_etdas_pdf_a3_sample_is_valid_through_detection(validator, sample):
    report = validator.validate_bytes(sample, "ETDA-invoice.xml")
    assert report.standard == f"{PACKAGE}.tax-invoice@2.0.0"
    assert report.valid, report.issues


def test_the_same_document_declared_v2_1_is_held_to_etdas_2_1_rules(validator, sample):
    doc = _edit(sample, 'schemeVersionID="v2.0"', 'schemeVersionID="v2.1"')
    report = validator.validate_bytes(doc, "x.xml")
    assert report.standard == f"{PACKAGE}.tax-invoice@2.1.0"
    # ETDA's 2.1 rules refuse the sample's placeholder tax IDs (1111111111111…): ETDA's id, ETDA's words
    issue = next(i for i in report.issues if i.rule == "TIV-SellerTradeParty-014")
    assert issue.source == "rules" and issue.message.startswith("ETDA rule TIV-SellerTradeParty-014: ")
    assert issue.message_th.startswith("TIV-SellerTradeParty-014 ระบุเลขประจำตัวผู้เสียภาษีอากรของผู้ขายไม่ถูกต้อง")
    assert issue.location.endswith("ram:SellerTradeParty/ram:SpecifiedTaxRegistration")


def test_an_etda_rule_fires_with_its_id_and_both_messages(validator, sample):
    doc = _edit(sample, "<ram:TypeCode>388</ram:TypeCode>", "<ram:TypeCode>T06</ram:TypeCode>")
    report = validator.validate_bytes(doc, "x.xml")
    (issue,) = report.issues
    assert (issue.rule, issue.source) == ("TIV-Document-001", "rules")
    assert issue.message == "ETDA rule TIV-Document-001: TypeCode must equal to 388, T02, T03,T04"
    assert "รหัสประเภทเอกสาร (TypeCode) ไม่ถูกต้อง" in issue.message_th


def test_a_code_outside_its_list_names_the_list_and_its_version(validator, sample):
    doc = _edit(sample, ">THB</ram:InvoiceCurrencyCode>", ">QQQ</ram:InvoiceCurrencyCode>")
    (issue,) = validator.validate_bytes(doc, "x.xml").issues
    assert issue.rule == "cvc-enumeration-valid"
    assert "'QQQ' is not in the code list ISO 4217 currency codes (ISO3AlphaCurrencyCode, version 2012-08-31)" in issue.message
    assert "รหัสสกุลเงิน ISO 4217" in issue.message_th


def test_a_huge_list_is_named_not_printed(validator, sample):
    doc = _edit(sample, "<ram:CitySubDivisionName>103303</ram:CitySubDivisionName>", "<ram:CitySubDivisionName>999999</ram:CitySubDivisionName>")
    (issue,) = validator.validate_bytes(doc, "x.xml").issues
    assert "TIS 1099-2548 (TISICitySubDivisionName, version 1.0)" in issue.message and len(issue.message) < 300


def test_an_unknown_version_names_the_catalogs_versions_and_shows_the_id(validator, sample):
    doc = _edit(sample, 'schemeVersionID="v2.0"', 'schemeVersionID="v3.0"')
    (issue,) = validator.validate_bytes(doc, "x.xml").issues
    assert issue.rule == "unsupported-version"
    assert "'v3.0'" in issue.message and "ID 'ER3-2560'" in issue.message
    assert "v2.0 (2.0.0), v2.1 (2.1.0)" in issue.message


def test_the_guideline_id_text_is_shown_not_used_to_refuse(validator, sample):
    doc = _edit(sample, ">ER3-2560<", ">anything else<")
    assert validator.validate_bytes(doc, "x.xml").valid


def test_an_unmarked_document_is_etdas_default_version(validator, sample):
    doc = _edit(sample, ' schemeVersionID="v2.0"', "")
    assert validator.validate_bytes(doc, "x.xml").standard == f"{PACKAGE}.tax-invoice@2.0.0"


def test_an_unknown_root_and_a_broken_document(validator, sample):
    text = sample.decode("utf-8-sig")
    unknown = re.sub(r"TaxInvoice_CrossIndustryInvoice(?=[ >])", "Quotation_CrossIndustryInvoice", text).encode()
    (issue,) = validator.validate_bytes(unknown, "x.xml").issues
    assert issue.rule == "unknown-document" and "Quotation_CrossIndustryInvoice" in issue.message
    (broken,) = validator.validate_bytes(sample[:-40], "x.xml").issues
    assert (broken.source, broken.rule) == ("parse", "xml-syntax")


def test_padded_date_times_are_valid_as_the_xsd_specification_says(validator, sample):
    """libxml2 refuses a padded value of a type derived from xsd:dateTime; XSD collapses white space first."""
    doc = _edit(sample, "<ram:IssueDateTime>2018-01-30T00:00:00.000</ram:IssueDateTime>",
                "<ram:IssueDateTime>\n   2018-01-30T00:00:00.000  </ram:IssueDateTime>")
    assert validator.validate_bytes(doc, "x.xml").valid
    wrong = _edit(sample, "<ram:IssueDateTime>2018-01-30T00:00:00.000</ram:IssueDateTime>",
                  "<ram:IssueDateTime> 2018-13-30T00:00:00.000 </ram:IssueDateTime>")
    (issue,) = validator.validate_bytes(wrong, "x.xml").issues
    assert issue.rule.startswith("cvc-datatype-valid") and issue.location.endswith("rsm:ExchangedDocument/ram:IssueDateTime")


def test_a_document_held_to_another_document_type_is_refused(catalog, sample):
    forced = DocumentValidator(catalog, standard=f"{PACKAGE}.receipt@2.0.0")
    (issue,) = forced.validate_bytes(sample, "x.xml").issues
    assert issue.rule == "cvc-elt.1" and "Receipt_CrossIndustryInvoice" in issue.message


def test_a_document_may_not_carry_a_doctype_even_though_schemas_may(validator, sample):
    doc = sample.decode("utf-8-sig").replace("<rsm:TaxInvoice_CrossIndustryInvoice", '<!DOCTYPE x [<!ENTITY e "x">]>\n<rsm:TaxInvoice_CrossIndustryInvoice', 1)
    (issue,) = validator.validate_bytes(doc.encode(), "x.xml").issues
    assert issue.rule == "dtd-forbidden"


def test_a_schema_file_with_an_internal_dtd_subset_compiles(tmp_path):
    """W3C's own xmldsig-core-schema.xsd declares entities in an internal subset; the catalog's schema files may."""
    from dxs.validator.xml_engine import XmlSchema

    dsig = (BUNDLED_CATALOG / PACKAGE / "2.1.0" / "ETDA" / "data" / "standard" / "xmldsig-core-schema.xsd").read_text(encoding="utf-8")
    subset = ('<!DOCTYPE schema PUBLIC "-//W3C//DTD XMLSchema 200102//EN" "http://www.w3.org/2001/XMLSchema.dtd" [\n'
              '  <!ATTLIST schema xmlns:ds CDATA #FIXED "http://www.w3.org/2000/09/xmldsig#">\n'
              "  <!ENTITY dsig 'http://www.w3.org/2000/09/xmldsig#'>\n]>\n")
    dsig = dsig.replace("<schema", subset + "<schema", 1).replace('targetNamespace="http://www.w3.org/2000/09/xmldsig#"', 'targetNamespace="&dsig;"', 1)
    (tmp_path / "xmldsig-core-schema.xsd").write_text(dsig, encoding="utf-8")
    (tmp_path / "main.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
        'targetNamespace="urn:t" elementFormDefault="qualified"><xs:import namespace="http://www.w3.org/2000/09/xmldsig#" '
        'schemaLocation="xmldsig-core-schema.xsd"/><xs:element name="Doc"><xs:complexType><xs:sequence>'
        '<xs:element ref="ds:Signature" minOccurs="0"/></xs:sequence></xs:complexType></xs:element></xs:schema>',
        encoding="utf-8",
    )
    from lxml import etree

    schema = XmlSchema.from_file(tmp_path / "main.xsd")
    assert schema.is_valid(etree.ElementTree(etree.fromstring(b'<Doc xmlns="urn:t"/>')))
    wrong = etree.ElementTree(etree.fromstring(b'<Doc xmlns="urn:t"><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/></Doc>'))
    assert not schema.is_valid(wrong)  # the entity-declared namespace was applied: ds:Signature is known and incomplete


def test_one_compilation_serves_the_whole_package(catalog):
    validator = DocumentValidator(catalog)
    validator.expect_many = True  # as a bulk run sets it
    versions = [s.version("2.1.0") for s in catalog.package(PACKAGE)]
    engines = {id(validator._engine(v.xml_schema, v)) for v in versions}
    assert len(engines) == 1
