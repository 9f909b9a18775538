"""Backup round trip: a populated registry SQLite → PostgreSQL → SQLite through `dxs registry export/import`.

Every copy must hold the same rows, the same log checkpoint and the same indicator
figures, and verify; a damaged file, an edited row or a non-empty target is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.kit.dxs import dxs
from tests.kit.world import World

__all__ = ["BackupFigures", "indicator_figures", "round_trip"]


@dataclass
class BackupFigures:
    copies: int = 0
    rows: int = 0
    identical: bool = False
    refusals: int = 0
    problems: list[str] = field(default_factory=list)


def _content(path: Path) -> tuple[list[str], dict[str, Any]]:
    """The row lines and the trailer's checkpoint and counts (the header's export time aside)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    trailer = json.loads(lines[-1])
    return lines[1:-1], {"checkpoint": trailer["checkpoint"], "rows": trailer["rows"]}


def indicator_figures(url: str) -> Any:
    """Indicator 16 for the years the test data covers (its windows, and this year's declarations), or ``None`` where the indicators are not built yet."""
    try:
        from dxs.registry.reporting.config import IndicatorConfig
        from dxs.registry.reporting.periods import Period
        from dxs.registry.reporting import indicators
    except ImportError:
        return None
    from dxs.registry.db import Database
    from dxs.validator import catalog_folders, load_catalog

    catalog = load_catalog(catalog_folders())
    database = Database(url, signer=None)
    try:
        with database.transaction(write=False) as session:
            size = indicators.provenance(session).log_size
            return [indicators.indicator16(session, catalog, Period.of(year), IndicatorConfig(), log_size=size) for year in (2024, dt.date.today().year)]
    finally:
        database.dispose()


def round_trip(world: World, folder: Path, postgres_url: str) -> BackupFigures:
    """``world`` (SQLite, populated) → file → PostgreSQL → file → a new SQLite → file; compare them all."""
    figures = BackupFigures()
    key = ["--log-key", str(world.log_key)]
    second_sqlite = f"sqlite:///{folder / 'restored.sqlite'}"
    files = [folder / "from-sqlite.jsonl", folder / "from-postgresql.jsonl", folder / "from-restored.jsonl"]
    steps = [(world.url, files[0], postgres_url), (postgres_url, files[1], second_sqlite), (second_sqlite, files[2], None)]
    figures_before = indicator_figures(world.url)
    for source, file, target in steps:
        exported = dxs("registry", "export", str(file), "--database", source, *key)
        if exported.returncode != 0:
            figures.problems.append(f"export from {source}: exit {exported.returncode}: {exported.stderr[-300:]}")
            return figures
        if target is None:
            break
        imported = dxs("registry", "import", str(file), "--database", target)
        if imported.returncode != 0:
            figures.problems.append(f"import into {target}: exit {imported.returncode}: {imported.stderr[-300:]} {imported.stdout[-300:]}")
            return figures
        figures.copies += 1
        if indicator_figures(target) != figures_before:
            figures.problems.append(f"indicator figures differ after the import into {target.split(':')[0]}")
        verified = dxs("registry", "verify", "--database", target, *key)
        if verified.returncode != 0:
            figures.problems.append(f"verify {target}: {verified.stdout[-300:]}")
    contents = [_content(f) for f in files]
    figures.rows = len(contents[0][0])
    figures.identical = all(c == contents[0] for c in contents)
    if not figures.identical:
        for i, (rows, trailer) in enumerate(contents[1:], start=1):
            if trailer != contents[0][1]:
                figures.problems.append(f"copy {i}: checkpoint or counts differ: {trailer} vs {contents[0][1]}")
            diff = [(a, b) for a, b in zip(contents[0][0], rows) if a != b]
            if diff or len(rows) != len(contents[0][0]):
                figures.problems.append(f"copy {i}: {len(diff)} rows differ, e.g. {diff[:1]}")
    figures.refusals = _refusals(figures, files[0], second_sqlite, folder)
    return figures


def _refusals(figures: BackupFigures, good: Path, non_empty: str, folder: Path) -> int:
    """A non-empty target, a damaged file and an edited row (with its checksum redone) are refused."""
    refused = 0
    again = dxs("registry", "import", str(good), "--database", non_empty)
    refused += again.returncode == 2 and "not empty" in again.stderr + again.stdout
    lines = good.read_text(encoding="utf-8").splitlines(keepends=True)
    damaged = folder / "damaged.jsonl"
    damaged.write_text("".join(lines[:-3] + lines[-1:]), encoding="utf-8")  # rows missing
    out = dxs("registry", "import", str(damaged), "--database", f"sqlite:///{folder / 'damaged.sqlite'}")
    refused += out.returncode == 2 and "checksum" in out.stderr + out.stdout
    edited_rows = [line.replace("Revenue Department", "Someone Else") if '"table":"agencies"' in line else line for line in lines[:-1]]
    trailer = json.loads(lines[-1])
    trailer["sha256"] = hashlib.sha256("".join(edited_rows).encode("utf-8")).hexdigest()
    edited = folder / "edited.jsonl"
    edited.write_text("".join(edited_rows) + json.dumps(trailer) + "\n", encoding="utf-8")
    target = folder / "edited.sqlite"
    out = dxs("registry", "import", str(edited), "--database", f"sqlite:///{target}")
    refused += out.returncode == 1 and "does not verify" in out.stderr + out.stdout
    if refused != 3:
        figures.problems.append(f"only {refused} of 3 bad imports were refused")
    return refused
