"""Real e-Tax documents through the catalog (detection, XSD, ETDA's Schematron), against xmllint and SaxonC.

Two measurements, both beside their peers in the same run:

- **Cold, one document**: a fresh `dxs validate FILE` process on a v2.1 TaxInvoice of
  the conformance kit, against a fresh `xmllint --noout --schema` on the same file plus
  a fresh process that runs the same Schematron (compiled to XSLT) with SaxonC.
  Target: no slower than 1.5× the peers' sum. Measured with the Schematron cache warm
  (every run after the first) and cold (an empty cache: the first run on a machine).
- **Bulk**: 2,000 documents of all six document types and both versions (the kit's
  valid examples, each copy with its own document ID; one in ten with padded
  date-times that libxml2 misjudges), XSD and Schematron, all cores. Target:
  ≥ 500 documents/s, shown beside `xmllint --schema` (XSD only) on the same files.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from bench._common import WORK, best_of, run_timed, table, write_section

COUNT = 2_000
PACKAGE = "th.etda.e-tax-invoice-receipt"
COLD_REF = f"{PACKAGE}.tax-invoice@2.1.0"


def _catalog():
    from validator import catalog_folders, load_catalog

    return load_catalog(catalog_folders())


def _kit(catalog) -> list[tuple[object, Path]]:
    """Every valid example of every document type and version: (version, file)."""
    found = []
    for member in catalog.package(PACKAGE):
        for version in member.versions:
            found += [(version, p) for p in version.examples("valid") if p.suffix == ".xml"]
    return found


_DOC_ID = re.compile(r"(<rsm:ExchangedDocument>\s*<ram:ID>)([^<]*)(</ram:ID>)")
_ISSUED = re.compile(r"(<rsm:ExchangedDocument>.*?<ram:IssueDateTime>)([^<]*)(</ram:IssueDateTime>)", re.S)


def bulk_documents(catalog) -> tuple[Path, dict[str, list[str]], int]:
    """``COUNT`` documents in a folder, the files of each document type's XSD, and how many are padded."""
    folder = WORK / f"etda-{COUNT}"
    kit = _kit(catalog)
    by_schema: dict[str, list[str]] = {}
    padded = 0
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for n in range(COUNT):
        version, source = kit[n % len(kit)]
        text = source.read_text(encoding="utf-8")
        if "ds:Signature" in text or "<Signature" in text:
            version, source = kit[(n + 1) % len(kit)]  # a signed example's digest would break with a new ID
            text = source.read_text(encoding="utf-8")
        text = _DOC_ID.sub(lambda m: f"{m.group(1)}BENCH-{n:05d}{m.group(3)}", text, count=1)
        if n % 10 == 0 and _ISSUED.search(text):
            text = _ISSUED.sub(lambda m: f"{m.group(1)}\n    {m.group(2).strip()}  {m.group(3)}", text, count=1)
            padded += 1
        path = folder / f"{n:05d}-{source.stem}.xml"
        path.write_text(text, encoding="utf-8")
        by_schema.setdefault(str(version.xml_schema), []).append(str(path))
    return folder, by_schema, padded


def _saxon_peer(xslt: Path, document: Path) -> list[str]:
    """A fresh process that runs the Schematron's XSLT on the document with SaxonC (and prints the SVRL)."""
    code = (
        "import sys\nfrom saxonche import PySaxonProcessor\n"
        "with PySaxonProcessor(license=False) as p:\n"
        "    x = p.new_xslt30_processor()\n"
        "    e = x.compile_stylesheet(stylesheet_file=sys.argv[1])\n"
        "    sys.stdout.write(e.transform_to_string(source_file=sys.argv[2]))\n"
    )
    return [sys.executable, "-c", code, str(xslt), str(document)]


def cold(catalog, dxs: str, xmllint: str | None) -> tuple[list[list[object]], str]:
    from lxml import etree

    from validator.schematron import compile_xslt3

    version = catalog.resolve(COLD_REF)
    document = next(p for p in version.examples("valid") if "signed" not in p.name)
    xslt = WORK / "etda-tax-invoice-2p1-schematron.xsl"
    xslt.write_text(compile_xslt3(etree.parse(str(version.rules)), version.rules), encoding="utf-8")
    rows = []
    cache = Path(tempfile.mkdtemp(prefix="dxs-bench-cache-"))
    env = dict(os.environ, DXS_CACHE_DIR=str(cache))

    def ours() -> None:
        _, _, result = run_timed([dxs, "validate", "--no-progress", str(document)], env=env)
        assert result.returncode == 0, result.stdout[-800:]

    def ours_cold_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        ours()

    first = best_of(5, ours_cold_cache)
    warm = best_of(7, ours)
    shutil.rmtree(cache, ignore_errors=True)
    rows.append([f"`dxs validate` ({document.name}), Schematron cache warm", f"{warm * 1000:.0f} ms"])
    rows.append(["`dxs validate`, empty Schematron cache (first run on a machine)", f"{first * 1000:.0f} ms"])
    if xmllint is None:
        return rows, "xmllint not installed (`apt-get install libxml2-utils`): ratio not measured."

    def lint() -> None:
        _, _, result = run_timed([xmllint, "--noout", "--schema", str(version.xml_schema), str(document)])
        assert result.returncode == 0, result.stderr[-500:]

    def saxon() -> None:
        _, _, result = run_timed(_saxon_peer(xslt, document))
        assert result.returncode == 0 and b"schematron-output" in result.stdout, result.stderr[-500:]

    t_lint, t_saxon = best_of(7, lint), best_of(7, saxon)
    peers = t_lint + t_saxon
    rows.append(["`xmllint --noout --schema` (XSD)", f"{t_lint * 1000:.0f} ms"])
    rows.append(["SaxonC, fresh process: the same Schematron as XSLT", f"{t_saxon * 1000:.0f} ms"])
    rows.append(["peers together", f"{peers * 1000:.0f} ms"])
    verdict = (
        f"Cold, one document: `dxs validate` takes **{warm / peers:.2f}×** the peers' time with the Schematron cache warm "
        f"and {first / peers:.2f}× on a machine's first run (target ≤ 1.5)."
    )
    return rows, verdict


def bulk(catalog, dxs: str, xmllint: str | None) -> tuple[list[list[object]], str]:
    folder, by_schema, padded = bulk_documents(catalog)
    rows = []

    def ours() -> None:
        _, _, result = run_timed([dxs, "validate", "--no-progress", str(folder)])
        assert result.returncode == 0, result.stdout[-1500:]

    t_ours = best_of(3, ours)
    rows.append([f"`dxs validate` (detection, XSD, Schematron; {os.cpu_count()} cores)", f"{t_ours:.2f} s", f"{COUNT / t_ours:,.0f}", "0"])
    verdict = f"Bulk: **{COUNT / t_ours:,.0f} documents/s** with XSD and ETDA's Schematron (target ≥ 500)"
    if xmllint:
        refused = 0

        def lint() -> None:
            nonlocal refused
            refused = 0
            for schema, files in by_schema.items():
                _, _, result = run_timed([xmllint, "--noout", "--schema", schema, *files])
                refused += result.stderr.count(b" fails to validate")

        t_lint = best_of(3, lint)
        rows.append(["`xmllint --noout --schema` (XSD only; one run per document type)", f"{t_lint:.2f} s", f"{COUNT / t_lint:,.0f}", str(refused)])
        verdict += f"; xmllint, XSD only, {COUNT / t_lint:,.0f} documents/s and refuses the {refused} padded ones that are valid."
    return rows, verdict + f" ({padded} of the {COUNT} documents carry padded date-times.)"


def main() -> str:
    catalog = _catalog()
    if not catalog.package(PACKAGE) or not _kit(catalog):
        return "the ETDA package or its conformance kit is missing: not measured"
    dxs = str(Path(sys.executable).with_name("dxs"))
    xmllint = shutil.which("xmllint")
    cold_rows, cold_verdict = cold(catalog, dxs, xmllint)
    bulk_rows, bulk_verdict = bulk(catalog, dxs, xmllint)
    body = (
        "One real e-Tax document cold (a fresh process each time, best of 5–7), and 2,000 documents of all six "
        "document types and both versions (best of 3). The Schematron peer runs our XSLT compilation of ETDA's "
        "Schematron with SaxonC in a fresh Python process.\n\n"
        + table(["run", "time"], cold_rows)
        + f"\n\n{cold_verdict}\n\n"
        + table(["run", "time", "documents/s", "refused"], bulk_rows)
        + f"\n\n{bulk_verdict}\n"
    )
    write_section("XML: real e-Tax documents (ETDA e-Tax Invoice & e-Receipt)", body)
    return body


if __name__ == "__main__":
    print(main())
