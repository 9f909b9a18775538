"""The project's shape: one-way data flow, an installable package with its catalog."""

import shutil
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
    # built from the files git tracks, as a release is: a working tree's build/ folder keeps files since removed
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cli.py" in names and "validator/catalog.py" in names and "registry/templates/index.html" in names
    # every file of the catalog travels: each one is hashed, a publisher's README.MD and "Copy.xsd" included
    bundled = {n for n in names if n.startswith("standards/") and not n.endswith(".py")}
    sources = {p.relative_to(source).as_posix() for p in (source / "standards").rglob("*") if p.is_file() and p.suffix != ".py"}
    assert bundled == sources and len(sources) > 700
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "dxs = cli:entry" in zipfile.ZipFile(wheel).read(entry).decode()
