"""PDF/A-3 containers made in the tests (pikepdf), signed with the test PKI (pyHanko), and tampered with.

Nothing here is stored. :func:`make_pdf` builds a one-page PDF carrying the given embedded files,
listed both in the catalog's ``/AF`` and the ``/EmbeddedFiles`` name tree as a PDF/A-3 writer does,
and an XMP packet with the PDF/A identification and ETDA's extension properties. :func:`sign_pdf`
adds a PAdES signature in an incremental update, optionally with a signature time-stamp from the
test TSA of tests/kit/pki.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

import pikepdf
from cryptography.hazmat.primitives import serialization

from tests.kit.pki import Party

#: ETDA's namespace for the embedded document's XMP properties (its generator's extension schema)
ETDA_NS = "http://certificate.teda.th/schema/document/electronic_document#"
#: the text of the Info /Title, written uncompressed: a byte to change inside a signed range
TITLE = "DXS TEST e-Tax invoice container"


@dataclasses.dataclass(frozen=True)
class Attachment:
    """One embedded file as a PDF/A-3 writer adds it."""

    name: str
    data: bytes
    relationship: str | None = "Alternative"  # None: no /AFRelationship at all
    mime_type: str = "text/xml"
    description: str = "Tax Invoice XML Data"
    associated: bool = True  # listed in the catalog's /AF


def xmp(*, part: str | None = "3", conformance: str | None = "U", file_name: str | None = None,
        document_type: str | None = "Tax Invoice", version: str | None = "2.0", namespace: str = ETDA_NS) -> bytes:
    """An XMP packet: PDF/A identification and ETDA's DocumentFileName/DocumentType/DocumentVersion."""
    pdfaid = "".join(f"<pdfaid:{k}>{escape(v)}</pdfaid:{k}>" for k, v in (("part", part), ("conformance", conformance)) if v)
    etda = "".join(
        f"<ed:{k}>{escape(v)}</ed:{k}>"
        for k, v in (("DocumentFileName", file_name), ("DocumentType", document_type), ("DocumentVersion", version)) if v
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">{pdfaid}</rdf:Description>'
        f'<rdf:Description rdf:about="" xmlns:ed="{namespace}">{etda}</rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def make_pdf(attachments: Sequence[Attachment] = (), *, metadata: bytes | None = None,
             encryption: pikepdf.Encryption | None = None) -> bytes:
    """A one-page PDF with ``attachments`` embedded and ``metadata`` as its XMP packet."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = TITLE
    af = pikepdf.Array()
    for a in attachments:
        spec = pikepdf.AttachedFileSpec(pdf, a.data, description=a.description, filename=a.name, mime_type=a.mime_type,
                                        relationship=pikepdf.Name("/" + a.relationship) if a.relationship else None)
        pdf.attachments[a.name] = spec
        if a.relationship is None and "/AFRelationship" in spec.obj:
            del spec.obj["/AFRelationship"]
        if a.associated:
            af.append(spec.obj)
    # pikepdf lists a file with a relationship in /AF itself: the catalog's /AF is exactly the associated ones
    if len(af):
        pdf.Root.AF = af
    elif "/AF" in pdf.Root:
        del pdf.Root["/AF"]
    if metadata is not None:
        pdf.Root.Metadata = pdf.make_stream(metadata, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    out = io.BytesIO()
    # no object streams: the Info /Title stays readable bytes that a test can change
    pdf.save(out, encryption=encryption or False, object_stream_mode=pikepdf.ObjectStreamMode.disable,
             compress_streams=True, static_id=True, fix_metadata_version=False)  # the XMP exactly as given
    return out.getvalue()


def invoice_pdf(xml: bytes, name: str = "ETDA-invoice.xml", **xmp_kwargs: str | None) -> bytes:
    """The usual e-Tax container: one XML (/Alternative), XMP naming it."""
    xmp_kwargs.setdefault("file_name", name)
    return make_pdf([Attachment(name, xml)], metadata=xmp(**xmp_kwargs))  # type: ignore[arg-type]


# ---- PAdES signatures (pyHanko) ---------------------------------------------------------------------


def _asn1(party: Party):  # type: ignore[no-untyped-def]
    from asn1crypto import keys, x509

    key = keys.PrivateKeyInfo.load(party.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption()))
    certs = [x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in party.certs]
    return key, certs


def sign_pdf(data: bytes, party: Party, *, tsa: Party | None = None, field_name: str = "Signature1",
             when: dt.datetime | None = None, forged_timestamp: bool = False) -> bytes:
    """``data`` with a PAdES (ETSI.CAdES.detached) signature by ``party`` appended as an incremental update.

    With ``tsa``, the signature carries an RFC 3161 signature time-stamp from that (test) authority;
    ``forged_timestamp`` has the token signed with ``party``'s key while naming the TSA's certificate.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, certs = _asn1(party)
    signer = signers.SimpleSigner(signing_cert=certs[0], signing_key=key, cert_registry=SimpleCertificateStore.from_certs(certs))
    timestamper = None
    if tsa is not None:
        tsa_key, tsa_certs = _asn1(tsa)
        if forged_timestamp:
            tsa_key = key
        timestamper = DummyTimeStamper(tsa_cert=tsa_certs[0], tsa_key=tsa_key, certs_to_embed=SimpleCertificateStore.from_certs(tsa_certs),
                                       fixed_dt=when)
    meta = signers.PdfSignatureMetadata(field_name=field_name, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data), strict=False), meta, signer=signer, timestamper=timestamper)
    return out.getvalue()


def changed_in_signed_range(signed: bytes) -> bytes:
    """One letter of the Info /Title changed: the bytes the signature covers are no longer those signed."""
    at = signed.index(TITLE.encode())
    return signed[:at] + b"X" + signed[at + 1:]


def with_incremental_update(signed: bytes, *, title: str | None = None, replace_xml: bytes | None = None) -> bytes:
    """An incremental update appended after the signature: a new Info /Title, or the embedded XML swapped."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    if title is not None:
        info = writer.trailer["/Info"]
        info["/Title"] = generic.TextStringObject(title)
        writer.update_container(info)
    if replace_xml is not None:
        spec = writer.root["/AF"][0]
        stream = generic.StreamObject({generic.NameObject("/Type"): generic.NameObject("/EmbeddedFile"),
                                       generic.NameObject("/Subtype"): generic.NameObject("/text/xml")}, stream_data=replace_xml)
        spec["/EF"] = generic.DictionaryObject({generic.NameObject("/F"): writer.add_object(stream),
                                                generic.NameObject("/UF"): writer.add_object(stream)})
        writer.update_container(spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
