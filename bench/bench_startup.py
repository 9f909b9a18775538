"""Start-up: validating one small file, `dxs validate` vs `check-jsonschema` (target: no slower)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench._common import best_of, run_timed, table, write_section


def main() -> str:
    work = Path(tempfile.mkdtemp(prefix="dxs-startup-"))
    schema = work / "schema.json"
    document = work / "doc.json"
    schema.write_text(json.dumps({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}))
    document.write_text('{"id": "A-1"}')
    dxs = str(Path(sys.executable).with_name("dxs"))
    env = dict(os.environ, DXS_BUNDLED_CATALOG="0")
    runs = {"dxs validate --schema": [dxs, "validate", "--schema", str(schema), str(document)]}
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))
    if Path(checker).exists():
        runs["check-jsonschema --schemafile"] = [checker, "--schemafile", str(schema), str(document)]
    times = {name: best_of(10, lambda cmd=cmd: run_timed(cmd, env=env)) for name, cmd in runs.items()}
    rows = [[name, f"{t * 1000:.0f} ms"] for name, t in times.items()]
    if len(times) == 2:
        ratio = times["dxs validate --schema"] / times["check-jsonschema --schemafile"]
        verdict = f"`dxs validate` starts in **{ratio:.2f}×** check-jsonschema's time (target ≤ 1.0)."
    else:
        verdict = "check-jsonschema not installed: ratio not measured."
    body = "One small JSON file, best of 10 runs.\n\n" + table(["command", "time"], rows) + f"\n\n{verdict}\n"
    write_section("Start-up: one small file", body)
    shutil.rmtree(work, ignore_errors=True)
    return body


if __name__ == "__main__":
    print(main())
