"""The project's shape: one-way data flow, an installable package with its catalog."""

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT


def test_validator_imports_no_service_framework_or_cli():
    code = (
        "import sys, pkgutil, importlib, validator\n"
        "for m in pkgutil.walk_packages(validator.__path__, 'validator.'): importlib.import_module(m.name)\n"
        "print([m for m in ('registry', 'fastapi', 'sqlalchemy', 'click', 'cli', 'uvicorn') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_wheel_carries_the_catalog_and_the_dxs_command(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cli.py" in names and "validator/catalog.py" in names and "registry/templates/index.html" in names
    bundled = [n for n in names if n.startswith("standards/") and n.endswith(("version.toml", ".json", ".xsd"))]
    sources = [p for p in (ROOT / "standards").rglob("*") if p.suffix in (".json", ".xsd") or p.name == "version.toml"]
    assert len(bundled) == len(sources) > 0
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "dxs = cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
