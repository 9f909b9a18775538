"""Run every benchmark (`make bench`), or those named: `python -m bench.run validate_json`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from bench._common import write_section
from tests.kit.machine import machine


def main(names: list[str]) -> int:
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    chosen = [m for m in modules if not names or m.removeprefix("bench_") in names or m in names]
    if not chosen:
        print(f"no benchmark named {names}; have: {', '.join(m.removeprefix('bench_') for m in modules)}")
        return 2
    print(f"machine: {machine()}")
    write_section("Machine", f"Latest run on: {machine()}")
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n== {name}")
        section = module.main()
        print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
