"""XML at scale: 2,000 UBL-sized invoices against the UBL 2.1 invoice schema.

`dxs validate --schema` vs `xmllint --noout --schema` on the same files (target: no slower).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bench._common import best_of, run_timed, table, write_section
from bench._inputs import UBL_INVOICE_XSD, ubl_invoices

COUNT = 2_000


def main() -> str:
    if not UBL_INVOICE_XSD.is_file():
        return "UBL 2.1 corpus not found (../shared/corpora): not measured"
    folder = ubl_invoices(COUNT)
    files = sorted(str(p) for p in folder.iterdir())
    dxs = str(Path(sys.executable).with_name("dxs"))
    env = dict(os.environ, DXS_BUNDLED_CATALOG="0")
    rows = []
    times = {}

    def run_dxs() -> None:
        _, _, result = run_timed([dxs, "validate", "--no-progress", "--schema", str(UBL_INVOICE_XSD), str(folder)], env=env)
        assert result.returncode == 0, result.stdout[-500:]

    times["dxs"] = best_of(3, run_dxs)
    rows.append(["dxs validate --schema (all cores)", f"{times['dxs']:.2f} s", f"{COUNT / times['dxs']:,.0f}"])
    xmllint = shutil.which("xmllint")
    if xmllint:

        def run_xmllint() -> None:
            _, _, result = run_timed([xmllint, "--noout", "--schema", str(UBL_INVOICE_XSD), *files])
            assert result.returncode == 0, result.stderr[-500:]

        times["xmllint"] = best_of(3, run_xmllint)
        rows.append(["xmllint --noout --schema", f"{times['xmllint']:.2f} s", f"{COUNT / times['xmllint']:,.0f}"])
        verdict = f"`dxs validate` takes **{times['dxs'] / times['xmllint']:.2f}×** the time of xmllint (target ≤ 1.0)."
    else:
        verdict = "xmllint not installed (`apt-get install libxml2-utils`): ratio not measured."
    body = (
        f"{COUNT:,} UBL 2.1 invoices (the OASIS example, each with its own ID), best of 3 runs.\n\n"
        + table(["run", "time", "documents/s"], rows)
        + f"\n\n{verdict}\n"
    )
    write_section("XML: 2,000 UBL invoices", body)
    return body


if __name__ == "__main__":
    print(main())
