"""Generated benchmark inputs (written under .bench/, reused between runs)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from bench._common import WORK, ROOT

CORPORA = ROOT.parent / "shared" / "corpora"
UBL = CORPORA / "ubl-2.1"
UBL_INVOICE_XSD = UBL / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd"
UBL_INVOICE_EXAMPLE = UBL / "xml" / "UBL-Invoice-2.1-Example.xml"


def ubl_invoices(count: int) -> Path:
    """``count`` UBL 2.1 invoices, each the OASIS example with its own ID and amounts."""
    folder = WORK / f"ubl-invoices-{count}"
    if folder.is_dir() and len(list(folder.iterdir())) == count:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    template = UBL_INVOICE_EXAMPLE.read_text(encoding="utf-8")
    rng = random.Random(15)
    for n in range(count):
        text = template.replace("<cbc:ID>TOSL108</cbc:ID>", f"<cbc:ID>TH{n:08d}</cbc:ID>", 1)
        text = re.sub(r"<cbc:Note[^>]*>[^<]*</cbc:Note>", f"<cbc:Note>Batch {rng.randint(1, 999)}</cbc:Note>", text, count=1)
        (folder / f"invoice-{n:05d}.xml").write_text(text, encoding="utf-8")
    return folder


def big_ubl_invoice(megabytes: int) -> Path:
    """One UBL 2.1 invoice of about ``megabytes`` MB: the example's lines repeated."""
    path = WORK / f"ubl-invoice-{megabytes}mb.xml"
    if path.is_file() and path.stat().st_size >= megabytes * 1_000_000 * 0.98:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    text = UBL_INVOICE_EXAMPLE.read_text(encoding="utf-8")
    start = text.index("<cac:InvoiceLine>")
    end = text.rindex("</cac:InvoiceLine>") + len("</cac:InvoiceLine>")
    head, lines, tail = text[:start], text[start:end], text[end:]
    blocks = re.findall(r"<cac:InvoiceLine>.*?</cac:InvoiceLine>", lines, re.DOTALL)
    target = megabytes * 1_000_000
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        written, n = len(head), 0
        while written < target:
            block = blocks[n % len(blocks)]
            block = re.sub(r"<cbc:ID>[^<]*</cbc:ID>", f"<cbc:ID>{n + 1}</cbc:ID>", block, count=1)
            out.write(block + "\n")
            written += len(block) + 1
            n += 1
        out.write(tail)
    return path


FIRST_NAMES = ["สมชาย", "สมหญิง", "ประเสริฐ", "มาลี", "วิชัย", "สุดา", "อนันต์", "พรทิพย์", "ธนากร", "กาญจนา"]
LAST_NAMES = ["ใจดี", "ศรีสุข", "ทองมา", "บุญมี", "แก้วกาญจน์", "วงศ์ไทย", "สุขเจริญ", "มั่นคง"]


def citizen_profiles(count: int, invalid_every: int = 20) -> Path:
    """``count`` citizen profiles (th.dopa.citizen-profile 2.0.0): each with its own
    national ID (valid check digit), name and birth date; every ``invalid_every``-th
    one has a wrong check digit, as real batches have a few bad records."""
    from dxs.validator.formats import thai_id_check_digit

    folder = WORK / f"citizen-profiles-{count}"
    if folder.is_dir() and len(list(folder.iterdir())) == count:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    template = json.loads(
        (ROOT / "standards" / "th.dopa.citizen-profile" / "2.0.0" / "examples" / "valid" / "somchai-chiang-mai.json").read_text(
            encoding="utf-8"
        )
    )
    rng = random.Random(16)
    for n in range(count):
        twelve = f"{rng.randint(1, 8)}{rng.randint(0, 10**11 - 1):011d}"
        check = thai_id_check_digit(twelve)
        if invalid_every and n % invalid_every == invalid_every - 1:
            check = (check + 1) % 10
        document = json.loads(json.dumps(template))
        document["nationalId"] = f"{twelve}{check}"
        document["nameTh"]["firstName"] = rng.choice(FIRST_NAMES)
        document["nameTh"]["lastName"] = rng.choice(LAST_NAMES)
        document["dateOfBirth"] = f"{rng.randint(1937, 2017)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        (folder / f"profile-{n:05d}.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder
