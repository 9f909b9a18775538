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
    from dxs.validator import catalog_folders, load_catalog

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


ROUNDS = 15


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def cold(catalog, dxs: str, xmllint: str | None) -> tuple[list[list[object]], str]:
    """Each round runs ours (warm and empty Schematron cache) and both peers back to back.

    The machine's speed drifts by tens of percent within a minute, so every round's ratio
    is taken between runs made seconds apart, and the median round is reported.
    """
    from lxml import etree

    from dxs.validator.schematron import compile_xslt3

    version = catalog.resolve(COLD_REF)
    document = next(p for p in version.examples("valid") if "signed" not in p.name)
    WORK.mkdir(parents=True, exist_ok=True)
    xslt = WORK / "etda-tax-invoice-2p1-schematron.xsl"
    xslt.write_text(compile_xslt3(etree.parse(str(version.rules)), version.rules), encoding="utf-8")
    cache = Path(tempfile.mkdtemp(prefix="dxs-bench-cache-"))
    env = _env(DXS_CACHE_DIR=str(cache))

    def run(cmd: list[str], **kwargs) -> float:
        elapsed, _, result = run_timed(cmd, **kwargs)
        assert result.returncode == 0, (result.stdout + result.stderr)[-800:]
        return elapsed

    ours_cmd = [dxs, "validate", "--no-progress", str(document)]
    run(ours_cmd, env=env)  # the package's bytecode and the caches exist from here on
    warm, first, lint, saxon = [], [], [], []
    for _ in range(ROUNDS):
        warm.append(run(ours_cmd, env=env))
        shutil.rmtree(cache, ignore_errors=True)
        first.append(run(ours_cmd, env=env))
        if xmllint:
            lint.append(run([xmllint, "--noout", "--schema", str(version.xml_schema), str(document)]))
            saxon.append(run(_saxon_peer(xslt, document), env=_env()))
    shutil.rmtree(cache, ignore_errors=True)
    ms = lambda values: f"{_median(values) * 1000:.0f} ms"  # noqa: E731
    rows = [
        [f"`dxs validate` ({document.name}), caches warm", ms(warm)],
        ["`dxs validate`, empty caches (the first run on a machine)", ms(first)],
    ]
    if not xmllint:
        return rows, "xmllint not installed (`apt-get install libxml2-utils`): ratio not measured."
    peers = [a + b for a, b in zip(lint, saxon)]
    rows += [["`xmllint --noout --schema` (XSD)", ms(lint)], ["SaxonC, fresh process: the same Schematron as XSLT", ms(saxon)],
             ["peers together", ms(peers)]]
    ratio = _median([w / p for w, p in zip(warm, peers)])
    ratio_first = _median([f / p for f, p in zip(first, peers)])
    verdict = (
        f"Cold, one document: `dxs validate` takes **{ratio:.2f}×** the peers' time with its caches warm (every run "
        f"after the first) and {ratio_first:.2f}× on a machine's very first run (target ≤ 1.5; medians of {ROUNDS} "
        "rounds, each round's runs back to back)."
    )
    return rows, verdict


def _env(**extra: str) -> dict[str, str]:
    """The environment to time in: bytecode written as on any installation (a shell may forbid it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def bulk(catalog, dxs: str, xmllint: str | None) -> tuple[list[list[object]], str]:
    folder, by_schema, padded = bulk_documents(catalog)
    rows = []

    def ours() -> None:
        _, _, result = run_timed([dxs, "validate", "--no-progress", str(folder)], env=_env())
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
        "One real e-Tax document cold (a fresh process each time; medians of rounds that run ours and the peers back "
        "to back), and 2,000 documents of all six "
        "document types and both versions (best of 3). The Schematron peer runs our XSLT compilation of ETDA's "
        "Schematron with SaxonC in a fresh Python process.\n\n"
        + table(["run", "time"], cold_rows)
        + f"\n\n{cold_verdict}\n\n"
        + table(["run", "time", "documents/s", "refused"], bulk_rows)
        + f"\n\n{bulk_verdict}\n\n"
        + "What the cold figure rests on: the loaded catalog is kept in the user's cache (one file read instead of "
        "parsing every `version.toml`); one document gets its XSD verdict from the system's libxml2 in one streaming "
        "pass over its own document type's schema, which that libxml2 compiles faster than lxml's (a fault takes the "
        "tree path for precise issues; a bulk run compiles the package's six types together, once per process); a schema's imports are found from its head instead of "
        "parsing megabytes of code lists; the XML start-up path imports no JSON engine, tomllib or urllib; and "
        "`dxs validate` ends its process without freeing the compiled schemas (tens of milliseconds for the "
        "8,940-code sub-district list). The first run on a machine also compiles ETDA's Schematron to XSLT and "
        "builds the catalog cache. Padded date-times cost the bulk run one more libxml2 pass on the few "
        "documents that have them, never the XSD reference engine.\n"
    )
    write_section("XML: real e-Tax documents (ETDA e-Tax Invoice & e-Receipt)", body)
    return body


if __name__ == "__main__":
    print(main())
