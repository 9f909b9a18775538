"""One huge XML document: a generated 1 GB UBL invoice.

Peak memory of `dxs validate` (target < 300 MB) and its time against
`xmllint --stream --schema` (target ≤ 1.5×).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bench._common import run_timed, table, write_section
from bench._inputs import UBL_INVOICE_XSD, big_ubl_invoice

MEGABYTES = int(os.environ.get("DXS_BENCH_HUGE_MB", "1000"))


def main() -> str:
    if not UBL_INVOICE_XSD.is_file():
        return "UBL 2.1 corpus not found (../shared/corpora): not measured"
    path = big_ubl_invoice(MEGABYTES)
    size = path.stat().st_size
    dxs = str(Path(sys.executable).with_name("dxs"))
    env = dict(os.environ, DXS_BUNDLED_CATALOG="0")
    t_dxs, peak_dxs, result = run_timed(
        ["/usr/bin/time", "-f", "%M", dxs, "validate", "--no-progress", "--schema", str(UBL_INVOICE_XSD), str(path)], env=env
    )
    assert result.returncode == 0, result.stdout[-500:]
    peak_mb = int(result.stderr.decode().strip().splitlines()[-1]) / 1024
    rows = [["dxs validate --schema", f"{t_dxs:.1f} s", f"{peak_mb:.0f} MB"]]
    xmllint = shutil.which("xmllint")
    if xmllint:
        t_lint, _, lint = run_timed(["/usr/bin/time", "-f", "%M", xmllint, "--noout", "--stream", "--schema", str(UBL_INVOICE_XSD), str(path)])
        lint_mb = int(lint.stderr.decode().strip().splitlines()[-1]) / 1024
        rows.append(["xmllint --stream --schema", f"{t_lint:.1f} s", f"{lint_mb:.0f} MB"])
        ratio = f"time **{t_dxs / t_lint:.2f}×** xmllint's (target ≤ 1.5)"
    else:
        ratio = "xmllint not installed (`apt-get install libxml2-utils`): time ratio not measured"
    body = (
        f"A generated UBL 2.1 invoice of {size / 1e9:.2f} GB ({size:,} bytes).\n\n"
        + table(["run", "time", "peak memory"], rows)
        + f"\n\n`dxs validate`: peak memory **{peak_mb:.0f} MB** (target < 300 MB), {ratio}.\n"
    )
    write_section("XML: one 1 GB document", body)
    return body


if __name__ == "__main__":
    print(main())
