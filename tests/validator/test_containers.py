"""PDF/A-3 containers: the embedded e-Tax XML is found, the claims are reported, broken PDFs never raise,
and the PDF's own signatures (PAdES) are verified.

ETDA's real sample is ../shared/sources/etda-pdfa3-sample/pdfA3.pdf; the other PDFs are made here with
pikepdf (tests/kit/pdfs.py) and signed with pyHanko using the test PKI of tests/kit/pki.py.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import json
import random
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from dxs.validator.containers import RULES, PdfContainer, open_pdf
from tests.conftest import need
from tests.kit import pdfs, pki

KIT = pki.make_pki()
XML = pki.example_bytes()


def rules(result: PdfContainer, severity: str | None = None) -> set[str]:
    return {i.rule for i in result.issues if severity is None or i.severity == severity}


def problems(result: PdfContainer) -> list[str]:
    """Everything but information: what a user would have to act on."""
    return [str(i) for i in result.issues if i.severity != "info"]


# ---- ETDA's own sample -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(sources: Path) -> bytes:
    return (sources / "etda-pdfa3-sample" / "pdfA3.pdf").read_bytes()


def test_etda_sample_embedded_invoice_is_found_and_extracted(sample: bytes) -> None:
    result = open_pdf(sample)
    assert result.valid and problems(result) == []
    (xml,) = result.embedded
    assert xml.name == "ETDA-invoice.xml" and xml.relationship == "Alternative" and xml.associated
    assert xml.description == "Tax Invoice XML Data" and xml.mime_type == "text/xml" and xml.size == xml.declared_size == 6399
    root = etree.fromstring(xml.data)
    assert etree.QName(root).localname == "TaxInvoice_CrossIndustryInvoice"
    assert result.document is xml


def test_etda_sample_pdfa_claim_and_etda_properties_are_reported(sample: bytes) -> None:
    result = open_pdf(sample)
    assert (result.pdfa.part, result.pdfa.conformance) == ("3", "U") and str(result.pdfa) == "PDF/A-3u"
    props = result.properties
    assert (props.document_type, props.document_file_name, props.document_version) == ("Tax Invoice", "ETDA-invoice.xml", "2.0")
    (note,) = [i for i in result.issues if i.rule == "pdfa-not-checked"]
    assert note.severity == "info" and "veraPDF" in note.message and "PDF/A-3u" in note.message and note.message_th
    assert result.signatures == ()


def test_the_report_is_plain_json_without_the_embedded_bytes(sample: bytes) -> None:
    as_json = json.loads(json.dumps(open_pdf(sample).to_dict()))
    assert as_json["valid"] and as_json["pdfa"] == {"part": "3", "conformance": "U", "checked": False}
    (xml,) = as_json["embedded"]
    assert xml["name"] == "ETDA-invoice.xml" and xml["size"] == 6399 and len(xml["sha256"]) == 64 and "data" not in xml


# ---- containers made here --------------------------------------------------------------------------


def test_a_pdf_without_embedded_xml_is_a_clear_error() -> None:
    result = open_pdf(pdfs.make_pdf([pdfs.Attachment("logo.png", b"\x89PNG\r\n", mime_type="image/png", description="logo")],
                                    metadata=pdfs.xmp()))
    assert not result.valid and result.embedded == () and result.other_files == ("logo.png",)
    (issue,) = [i for i in result.issues if i.severity == "error"]
    assert issue.rule == "no-embedded-xml" and issue.source == "container"
    assert "no embedded XML" in issue.message and "XML" in issue.message_th


def test_an_embedded_file_that_cannot_be_decoded_is_an_error() -> None:
    pdf = pikepdf.open(io.BytesIO(pdfs.invoice_pdf(XML)))
    pdf.Root.AF[0].EF.F.write(b"this is not deflate data", filter=pikepdf.Name.FlateDecode)
    out = io.BytesIO()
    pdf.save(out)
    result = open_pdf(out.getvalue())
    assert rules(result, "error") == {"embedded-file-unreadable"} and result.embedded == ()
    (issue,) = [i for i in result.issues if i.rule == "embedded-file-unreadable"]
    assert "'ETDA-invoice.xml'" in issue.message and issue.location == "/Root/AF[0]"


def test_an_embedded_flate_bomb_is_refused_without_being_inflated() -> None:
    """A few kilobytes that inflate past the document limit are refused while inflating, never held whole."""
    padded = XML.replace(b"</rsm:TaxInvoice_CrossIndustryInvoice>", b" " * 3_000_000 + b"</rsm:TaxInvoice_CrossIndustryInvoice>")
    container = pdfs.invoice_pdf(padded)
    assert len(container) < 100_000  # spaces compress a thousandfold
    refused = open_pdf(container, max_embedded=1_000_000)
    assert refused.embedded == () and "embedded-file-too-large" in rules(refused, "error")
    (issue,) = [i for i in refused.issues if i.rule == "embedded-file-too-large"]
    assert "'ETDA-invoice.xml' decodes to more than 1,000,000 bytes" in issue.message and issue.message_th
    assert [e.size for e in open_pdf(container).embedded] == [len(padded)]  # within the default limit it is read


def test_another_filter_chain_is_decoded_only_when_it_cannot_pass_the_limit() -> None:
    import binascii
    import zlib

    pdf = pikepdf.open(io.BytesIO(pdfs.invoice_pdf(XML)))
    encoded = binascii.hexlify(zlib.compress(XML)) + b">"
    pdf.Root.AF[0].EF.F.write(encoded, filter=pikepdf.Array([pikepdf.Name.ASCIIHexDecode, pikepdf.Name.FlateDecode]))
    out = io.BytesIO()
    # as written: qpdf would otherwise decode the chain and store it as plain Flate
    pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, compress_streams=False)
    assert [e.data for e in open_pdf(out.getvalue()).embedded] == [XML]  # qpdf decodes the chain
    tight = open_pdf(out.getvalue(), max_embedded=len(encoded) * 100)
    assert tight.embedded == () and "embedded-file-too-large" in rules(tight)


def test_an_xmp_bomb_is_not_read() -> None:
    huge = pdfs.xmp(file_name="ETDA-invoice.xml").replace(b"<?xpacket end", b" " * 5_000_000 + b"<?xpacket end")
    result = open_pdf(pdfs.make_pdf([pdfs.Attachment("ETDA-invoice.xml", XML)], metadata=huge))
    (issue,) = [i for i in result.issues if i.rule == "xmp-unreadable"]
    assert "decodes to more than 4,194,304 bytes" in issue.message and result.pdfa is None
    assert [e.name for e in result.embedded] == ["ETDA-invoice.xml"]


def test_etda_namespace_properties_and_document_version() -> None:
    result = open_pdf(pdfs.invoice_pdf(XML, "invoice-001.xml"))
    assert result.valid and problems(result) == []
    assert result.properties.namespace == "http://certificate.teda.th/schema/document/electronic_document#"
    assert result.properties.document_file_name == "invoice-001.xml" and result.properties.document_version == "2.0"
    assert result.document.data == XML


def test_two_embedded_xml_files_are_both_returned_and_the_xmp_picks_the_document() -> None:
    files = [pdfs.Attachment("invoice.xml", XML), pdfs.Attachment("extra.xml", b"<extra/>", relationship="Data")]
    named = open_pdf(pdfs.make_pdf(files, metadata=pdfs.xmp(file_name="invoice.xml")))
    assert [e.name for e in named.embedded] == ["invoice.xml", "extra.xml"]
    assert named.document.name == "invoice.xml" and problems(named) == []

    unnamed = open_pdf(pdfs.make_pdf(files, metadata=pdfs.xmp(file_name=None)))
    assert unnamed.document is None and len(unnamed.embedded) == 2
    assert rules(unnamed, "warning") == {"several-embedded-xml"} and unnamed.valid


def test_xmp_file_name_that_names_no_embedded_file_is_an_error() -> None:
    result = open_pdf(pdfs.invoice_pdf(XML, "invoice.xml", file_name="ETDA-invoice.xml"))
    assert rules(result, "error") == {"xmp-file-name-mismatch"}
    (issue,) = [i for i in result.issues if i.rule == "xmp-file-name-mismatch"]
    assert "'ETDA-invoice.xml'" in issue.message and "'invoice.xml'" in issue.message and issue.source == "container"


@pytest.mark.parametrize("relationship", ["Alternative", "Data", "Source"])
def test_the_relationships_an_etax_xml_may_have_pass(relationship: str) -> None:
    result = open_pdf(pdfs.make_pdf([pdfs.Attachment("a.xml", XML, relationship=relationship)], metadata=pdfs.xmp(file_name="a.xml")))
    assert problems(result) == [] and result.embedded[0].relationship == relationship


@pytest.mark.parametrize("relationship", [None, "Supplement", "Unspecified"])
def test_a_missing_or_unfitting_relationship_is_a_warning(relationship: str | None) -> None:
    result = open_pdf(pdfs.make_pdf([pdfs.Attachment("a.xml", XML, relationship=relationship)], metadata=pdfs.xmp(file_name="a.xml")))
    assert result.valid and rules(result, "warning") == {"af-relationship"}
    (issue,) = [i for i in result.issues if i.rule == "af-relationship"]
    assert issue.location == "/Root/AF[0]" and "Alternative" in issue.message


def test_an_xml_only_in_the_name_tree_is_found_but_not_associated() -> None:
    result = open_pdf(pdfs.make_pdf([pdfs.Attachment("a.xml", XML, associated=False)], metadata=pdfs.xmp(file_name="a.xml")))
    (xml,) = result.embedded
    assert not xml.associated and xml.location.startswith("/Root/Names/EmbeddedFiles")
    assert rules(result, "warning") == {"not-associated-file"}


def test_a_pdf_that_claims_no_pdfa_3_is_a_warning() -> None:
    bare = open_pdf(pdfs.make_pdf([pdfs.Attachment("a.xml", XML)]))
    assert bare.pdfa is None and bare.properties is None and "no-pdfa-claim" in rules(bare, "warning")
    assert "pdfa-not-checked" not in rules(bare) and "no-document-properties" in rules(bare, "info")
    part2 = open_pdf(pdfs.make_pdf([pdfs.Attachment("a.xml", XML)], metadata=pdfs.xmp(part="2", conformance="B", file_name="a.xml")))
    assert str(part2.pdfa) == "PDF/A-2b" and "no-pdfa-claim" in rules(part2, "warning")


def test_xmp_written_as_attributes_is_read_too() -> None:
    packet = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
              b'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="3" pdfaid:conformance="B"'
              b' xmlns:ed="http://certificate.teda.th/schema/document/electronic_document#" ed:DocumentFileName="a.xml"/>'
              b'</rdf:RDF></x:xmpmeta>')
    result = open_pdf(pdfs.make_pdf([pdfs.Attachment("a.xml", XML)], metadata=packet))
    assert (result.pdfa.part, result.pdfa.conformance) == ("3", "B") and result.properties.document_file_name == "a.xml"


def test_unreadable_xmp_is_a_warning_not_a_crash() -> None:
    result = open_pdf(pdfs.make_pdf([pdfs.Attachment("a.xml", XML)], metadata=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><unclosed>"))
    assert "xmp-unreadable" in rules(result, "warning") and len(result.embedded) == 1


# ---- PDFs that cannot be read ----------------------------------------------------------------------


def only_parse_error(result: PdfContainer, rule: str) -> None:
    (issue,) = result.issues
    assert (issue.rule, issue.source, issue.severity) == (rule, "parse", "error") and issue.message_th
    assert "BytesIO" not in issue.message  # qpdf's name for the in-memory stream is noise
    assert not result.valid and result.embedded == ()


def test_an_encrypted_pdf_is_a_parse_error() -> None:
    data = pdfs.make_pdf([pdfs.Attachment("a.xml", XML)], metadata=pdfs.xmp(file_name="a.xml"),
                         encryption=pikepdf.Encryption(user="secret", owner="owner"))
    result = open_pdf(data)
    only_parse_error(result, "encrypted-pdf")
    assert "password" in result.issues[0].message


def test_an_encrypted_pdf_that_opens_without_password_is_an_error_but_still_read() -> None:
    data = pdfs.make_pdf([pdfs.Attachment("a.xml", XML)], metadata=pdfs.xmp(file_name="a.xml"),
                         encryption=pikepdf.Encryption(user="", owner="owner"))
    result = open_pdf(data)
    assert rules(result, "error") == {"encrypted-pdf"} and result.document.data == XML


def test_a_truncated_pdf_is_a_parse_error(sample: bytes) -> None:
    only_parse_error(open_pdf(sample[: len(sample) // 2]), "damaged-pdf")


def test_a_pdf_cut_at_its_tail_is_repaired_reported_and_read(sample: bytes) -> None:
    result = open_pdf(sample[:-200])
    (damage,) = [i for i in result.issues if i.rule == "damaged-pdf"]
    assert damage.severity == "error" and damage.source == "parse" and "repaired" in damage.message
    assert result.embedded[0].name == "ETDA-invoice.xml"


@pytest.mark.parametrize("data", [b"", b"garbage " * 100, bytes(random.Random(19).randrange(256) for _ in range(4096))],
                         ids=["empty", "text", "random"])
def test_garbage_is_not_a_pdf(data: bytes) -> None:
    only_parse_error(open_pdf(data), "not-pdf")


def test_garbage_after_a_pdf_header_is_a_damaged_pdf() -> None:
    only_parse_error(open_pdf(b"%PDF-1.7\n" + bytes(random.Random(7).randrange(256) for _ in range(4096))), "damaged-pdf")


def test_every_rule_has_a_severity_source_and_thai_text() -> None:
    from dxs.validator import containers

    assert set(RULES) == set(containers._RULES_TH)
    assert all(sev in ("error", "warning", "info") and src in ("parse", "container", "signature") for sev, src, _ in RULES.values())


# ---- PDF signatures (PAdES, pyHanko) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def signed() -> bytes:
    need(importlib.util.find_spec("pyhanko") is not None, "pyHanko is not installed (pip install pyhanko pyhanko-certvalidator)")
    return pdfs.sign_pdf(pdfs.invoice_pdf(XML), KIT.signer, tsa=KIT.tsa)


def test_an_intact_signed_pdf_passes_and_says_who_signed_when(signed: bytes) -> None:
    result = open_pdf(signed, trust=KIT.trust)
    assert result.valid and problems(result) == [] and result.document.data == XML
    (sig,) = result.signatures
    assert sig.intact and sig.trust == "trusted" and sig.coverage == "entire-file" and sig.modification == "none"
    assert sig.form == "ETSI.CAdES.detached" and sig.field_name == "Signature1"
    assert "TEST signer" in sig.signer and sig.juristic_id == pki.JURISTIC_ID and "DXS TEST Issuing CA" in sig.issuer
    assert sig.digest_algorithm == "sha256" and sig.key == "RSA 2048" and sig.signing_time is not None
    assert sig.timestamp.verdict == "valid" and "Time-Stamp Authority" in sig.timestamp.authority
    assert json.loads(json.dumps(result.to_dict()))["signatures"][0]["trust"] == "trusted"


def test_without_trust_anchors_trust_is_not_checked(signed: bytes) -> None:
    result = open_pdf(signed)
    assert result.valid and problems(result) == [] and result.signatures[0].trust == "not-checked"
    strict = open_pdf(signed, require_trusted=True)
    assert rules(strict, "error") == {"untrusted-signer"}


def test_a_byte_changed_inside_the_signed_range_fails(signed: bytes) -> None:
    result = open_pdf(pdfs.changed_in_signed_range(signed), trust=KIT.trust)
    assert not result.valid and not result.signatures[0].intact
    (issue,) = [i for i in result.issues if i.severity == "error"]
    assert (issue.rule, issue.source) == ("digest-mismatch", "signature") and "Signature1" in issue.message
    assert issue.location == "/Root/AcroForm/Fields(Signature1)"


def test_an_incremental_update_after_signing_is_reported(signed: bytes) -> None:
    # a metadata change PAdES allows: reported, the signature still holds
    retitled = open_pdf(pdfs.with_incremental_update(signed, title="changed"), trust=KIT.trust)
    (sig,) = retitled.signatures
    assert sig.intact and sig.coverage == "entire-revision" and sig.modification == "lta-updates"
    (note,) = [i for i in retitled.issues if i.rule == "modified-after-signing"]
    assert note.severity == "info" and retitled.valid

    # the embedded invoice swapped after signing: what is read now is not what was signed
    swapped = open_pdf(pdfs.with_incremental_update(signed, replace_xml=b"<forged/>"), trust=KIT.trust)
    assert swapped.signatures[0].modification == "other" and swapped.document.data == b"<forged/>"
    (issue,) = [i for i in swapped.issues if i.rule == "modified-after-signing"]
    assert issue.severity == "error" and not swapped.valid and "not what was signed" in issue.message


def test_an_untrusted_signer_is_a_warning_unless_trust_is_required() -> None:
    need(importlib.util.find_spec("pyhanko") is not None, "pyHanko is not installed")
    data = pdfs.sign_pdf(pdfs.invoice_pdf(XML), KIT.stranger)
    result = open_pdf(data, trust=KIT.trust)
    assert result.valid and rules(result, "warning") == {"untrusted-signer"}
    (sig,) = result.signatures
    assert sig.intact and sig.trust == "untrusted" and sig.timestamp.verdict == "absent"
    assert "Stranger TEST signer" in next(i.message for i in result.issues if i.rule == "untrusted-signer")
    assert rules(open_pdf(data, trust=KIT.trust, require_trusted=True), "error") == {"untrusted-signer"}


def test_a_signer_expired_at_signing_time_is_an_error() -> None:
    need(importlib.util.find_spec("pyhanko") is not None, "pyHanko is not installed")
    result = open_pdf(pdfs.sign_pdf(pdfs.invoice_pdf(XML), KIT.expired_signer), trust=KIT.trust)
    assert rules(result, "error") == {"expired-at-signing-time"}


def test_a_time_stamp_that_does_not_verify_is_an_error() -> None:
    need(importlib.util.find_spec("pyhanko") is not None, "pyHanko is not installed")
    result = open_pdf(pdfs.sign_pdf(pdfs.invoice_pdf(XML), KIT.signer, tsa=KIT.tsa, forged_timestamp=True), trust=KIT.trust)
    (sig,) = result.signatures
    assert sig.intact and sig.timestamp.verdict == "invalid" and rules(result, "error") == {"timestamp-invalid"}


def test_signatures_are_checked_from_inside_an_event_loop(signed: bytes) -> None:
    # an async web handler calls the library from a running loop; pyHanko's own asyncio.run() would refuse
    async def handler() -> PdfContainer:
        return open_pdf(signed, trust=KIT.trust)

    result = asyncio.run(handler())
    assert result.valid and result.signatures[0].trust == "trusted"


def test_signatures_can_be_switched_off_and_the_report_says_so(signed: bytes) -> None:
    result = open_pdf(signed, trust=KIT.trust, signatures=False)
    assert result.signatures == () and "signatures-not-checked" in rules(result, "info")


def test_a_signed_pdf_cut_anywhere_never_raises(signed: bytes) -> None:
    for cut in range(200, len(signed), len(signed) // 17):
        result = open_pdf(signed[:cut], trust=KIT.trust)
        # (a cut inside the signature's update can leave the first revision whole: a readable unsigned PDF)
        assert isinstance(result, PdfContainer) and all(i.message and i.message_th for i in result.issues), cut
