"""The project's shape: one-way data flow, an installable package with its catalog."""

import ast
import functools
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_validator_imports_no_service_framework_or_cli():
    code = (
        "import sys, pkgutil, importlib, dxs.validator as v\n"
        "for m in pkgutil.walk_packages(v.__path__, 'dxs.validator.'): importlib.import_module(m.name)\n"
        "print([m for m in ('dxs.registry', 'fastapi', 'sqlalchemy', 'click', 'dxs.cli', 'uvicorn') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def _build_wheel(tmp_path) -> tuple[Path, Path]:
    """The wheel built from the files git tracks, as a release is (a working tree's build/ folder keeps files since removed), and that source."""
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
    return wheel, source


@pytest.mark.slow
def test_the_wheel_carries_the_catalog_and_the_dxs_command(tmp_path):
    wheel, source = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    # one installed package, `dxs`: nothing named `validator`, `registry` or `cli` lands in site-packages
    assert {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")} == {"dxs"}
    assert "dxs/cli.py" in names and "dxs/validator/catalog.py" in names and "dxs/registry/templates/index.html" in names
    # every file of the catalog travels: each one is hashed, a publisher's README.MD and "Copy.xsd" included
    bundled = {n.removeprefix("dxs/") for n in names if n.startswith("dxs/standards/") and not n.endswith(".py")}
    sources = {p.relative_to(source).as_posix() for p in (source / "standards").rglob("*") if p.is_file() and p.suffix != ".py"}
    assert bundled == sources and len(sources) > 700
    code = {p.relative_to(source).as_posix() for root in ("validator", "registry", "standards") for p in (source / root).rglob("*.py")}
    assert {"dxs/" + rel for rel in code} <= set(names), "a package missing from pyproject's list: " + str(sorted({"dxs/" + r for r in code} - set(names))[:3])
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "dxs = dxs.cli:entry" in zipfile.ZipFile(wheel).read(entry).decode()


@pytest.mark.slow
def test_the_installed_wheel_runs_outside_the_repository(tmp_path):
    """Installed, `dxs` imports only `dxs.*`: a checkout's top-level folders are not on the path."""
    wheel, _ = _build_wheel(tmp_path)
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import sys; sys.path = [p for p in sys.path if 'editable' not in p and p not in ('', '.')]\n"
        f"sys.path.insert(0, {str(target)!r})\n"
        "from dxs import cli; from dxs.validator import load_catalog; from dxs.standards import BUNDLED_CATALOG\n"
        "assert cli.__file__.startswith(sys.path[0]), cli.__file__\n"
        "print(len(load_catalog([BUNDLED_CATALOG])), sorted(m for m in sys.modules if m.split('.')[0] in ('validator', 'registry', 'standards', 'cli', 'cli_render')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    count, stray = out.stdout.split(" ", 1)
    assert int(count) > 10 and stray.strip() == "[]"


def test_project_modules_are_imported_under_dxs():
    """`import validator` works in a checkout and nowhere else: every import names `dxs.validator`."""
    offenders = []
    for module in _modules().values():
        for node in ast.walk(module.tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{module.path}:{node.lineno}: {n}" for n in names if n and n.split(".")[0] in INSTALLED]
    assert not offenders, "import these as dxs.<name>:\n" + "\n".join(offenders)


# --------------------------------------------------------------------------- the import graph
#
# Every Python file git knows (tracked, or new and not ignored) is parsed with `ast`; each
# import, at the top of a file or inside a function, is resolved to the project module it
# binds: `import a.b` → a.b, `from a import b` → a.b where b is a module (else a), relative
# imports from the file's package. Packages above the target run first too, but an edge to
# each would make every package whose __init__ gathers its modules look like a cycle.

#: The one module that may read or write `session.info` and its kin (see the last test).
UNIT_OF_WORK = "registry/unit_of_work.py"
SOURCE_ROOTS = ("validator", "registry", "cli.py", "bench", "tests", "tools", "standards")
#: What the wheel installs under `dxs` (the checkout keeps them at the top).
INSTALLED = ("validator", "registry", "standards", "cli", "cli_render")


@dataclass(frozen=True)
class _Import:
    source: str  # the importing module
    target: str  # the project module imported
    where: str  # file:line
    type_checking: bool  # under `if TYPE_CHECKING:` (never runs)


@dataclass(frozen=True)
class _Module:
    name: str
    path: str  # relative to the project, with /
    is_package: bool
    source: bytes
    tree: ast.Module


@functools.cache
def _modules() -> dict[str, _Module]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    modules = {}
    for rel in sorted(set(filter(None, listed))):
        path = ROOT / rel
        if rel.split("/", 1)[0] not in SOURCE_ROOTS or not path.is_file():  # a file deleted but not yet committed
            continue
        parts = rel.removesuffix(".py").split("/")
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        source = path.read_bytes()
        modules[name] = _Module(name, rel, is_package, source, ast.parse(source, filename=rel))
    return modules


def _unprefixed(dotted: str) -> str:
    """``dxs.registry.db`` → ``registry.db`` (the checkout's name), ``dxs`` → ``""``."""
    return "" if dotted == "dxs" else dotted.removeprefix("dxs.")


def _known(dotted: str, modules: dict[str, _Module]) -> str | None:
    """The longest leading part of ``dotted`` that is a project module."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements_in(node: ast.AST):
    """The statements directly inside ``node`` (bodies, branches, handlers, cases): imports are statements,
    so expressions need no visit, which keeps this test fast."""
    for field in node._fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.stmt):
                    yield item
                elif isinstance(item, (ast.excepthandler, ast.match_case)):
                    yield from item.body


@functools.cache
def _imports() -> tuple[_Import, ...]:
    modules = _modules()
    found: list[_Import] = []

    def visit(module: _Module, node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(module, child, True)
            for child in node.orelse:
                visit(module, child, type_checking)
            return
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [_known(_unprefixed(alias.name), modules) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.name if module.is_package else module.name.rpartition(".")[0]
                package = ".".join(package.split(".")[: len(package.split(".")) - (node.level - 1)])
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = _unprefixed(node.module or "")
            for alias in node.names:
                submodule = f"{base}.{alias.name}" if base else alias.name
                targets.append(submodule if submodule in modules else _known(base, modules))
        for target in targets:
            if target is not None and target != module.name:
                found.append(_Import(module.name, target, f"{module.path}:{node.lineno}", type_checking))
        for child in _statements_in(node):
            visit(module, child, type_checking)

    for module in modules.values():
        visit(module, module.tree, False)
    return tuple(found)


def _strongly_connected(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one node, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, {}):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return sorted(found)


def _cycles(edges: dict[str, dict[str, list[str]]]) -> list[str]:
    """Each knot of ``edges``: one shortest cycle through its first member, then every import inside the knot."""
    described = []
    for component in _strongly_connected(edges):
        members = set(component)
        start = component[0]
        came_from: dict[str, str] = {}
        frontier = [start]
        while start not in came_from:  # breadth first, back to the start
            following = []
            for node in frontier:
                for other in sorted(edges[node]):
                    if other in members and other not in came_from:
                        came_from[other] = node
                        following.append(other)
            frontier = following
        path = [start]
        while len(path) == 1 or path[-1] != start:
            path.append(came_from[path[-1]])
        path.reverse()
        steps = " → ".join([start] + [f"{b} ({edges[a][b][0]})" for a, b in zip(path, path[1:])])
        inside = sorted({f"{a} → {b} ({where})" for a in component for b, wheres in edges[a].items() if b in members for where in wheres})
        described.append(f"{steps}\n    the whole knot, {len(component)} members; its imports:\n" + "\n".join(f"      {line}" for line in inside))
    return described


def _package_of(module: _Module) -> str:
    return module.name if module.is_package else (module.name.rpartition(".")[0] or module.name)


def test_no_import_cycle_between_modules():
    # only imports that run: one under `if TYPE_CHECKING:` cannot leave a module half-initialised
    edges: dict[str, dict[str, list[str]]] = {}
    for found in _imports():
        if not found.type_checking:
            edges.setdefault(found.source, {}).setdefault(found.target, []).append(found.where)
    cycles = _cycles(edges)
    assert not cycles, f"{len(cycles)} import cycle(s) between modules (each step: the module imported, where):\n" + "\n".join(cycles)


def test_no_import_cycle_between_packages():
    # A module belongs to its package; an edge joins the two packages just below where the
    # importer and the imported part (registry.services.x → registry.reporting.y: services →
    # reporting; validator.x → registry.y: validator → registry). A package and its own
    # sub-packages may use each other. `if TYPE_CHECKING:` imports count: a type still ties the two.
    modules = _modules()
    edges: dict[str, dict[str, list[str]]] = {}
    for found in _imports():
        source, target = _package_of(modules[found.source]).split("."), _package_of(modules[found.target]).split(".")
        shared = 0
        while shared < min(len(source), len(target)) and source[shared] == target[shared]:
            shared += 1
        if shared in (len(source), len(target)):  # the same package, or one inside the other
            continue
        a, b = ".".join(source[: shared + 1]), ".".join(target[: shared + 1])
        edges.setdefault(a, {}).setdefault(b, []).append(f"{found.where} imports {found.target}")
    cycles = _cycles(edges)
    assert not cycles, f"{len(cycles)} import cycle(s) between packages (each step: the package imported, by which import):\n" + "\n".join(cycles)


def test_services_never_import_the_api():
    offenders = [
        f"{found.where} imports {found.target}"
        for found in _imports()
        if (found.source + ".").startswith("registry.services.") and (found.target + ".").startswith("registry.api.")
    ]
    assert not offenders, "registry/services must not import registry.api (routes call services, never the reverse):\n" + "\n".join(offenders)


#: Whose `.info` is the unit of work's: a session, a connection, a pool's connection record.
_INFO_OWNERS = ("session", "connection", "conn", "record")
_SESSION_FACTORIES = ("sessionmaker", "Session", "scoped_session")


def _last_name(node: ast.expr) -> str | None:
    """``session`` for ``session``, ``self.session``, ``session.connection()`` → ``connection``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _owns_info(name: str | None) -> bool:
    return name is not None and any(name == owner or name.endswith("_" + owner) for owner in _INFO_OWNERS)


def test_only_the_unit_of_work_touches_session_info():
    # what a transaction carries (its signer, deferred statements, shared writes) is kept in one module
    offenders = set()
    for module in _modules().values():
        if module.path == UNIT_OF_WORK or b"info" not in module.source:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Attribute) and node.attr == "info" and _owns_info(_last_name(node.value)):
                offenders.add((module.path, node.lineno, ast.unparse(node)))
            elif isinstance(node, ast.Call) and _last_name(node.func) in _SESSION_FACTORIES:
                offenders |= {(module.path, k.value.lineno, f"{_last_name(node.func)}(info=...)") for k in node.keywords if k.arg == "info"}
    assert not offenders, f"only {UNIT_OF_WORK} may read or write session/connection info:\n" + "\n".join(f"{path}:{line}: {what}" for path, line, what in sorted(offenders))
