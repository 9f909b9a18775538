"""`dxs registry export` / `import`: SQLite → PostgreSQL → SQLite, the same registry every time."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from tests.stress.backup_check import round_trip
from tests.stress.tamper import populate


@pytest.mark.slow
def test_a_populated_registry_round_trips_through_postgresql(sqlite_world, postgres_url, tmp_path):
    populate(sqlite_world)
    figures = round_trip(sqlite_world, tmp_path, postgres_url)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.copies == 2 and figures.identical and figures.rows > 20
    assert figures.refusals == 3


@pytest.mark.slow
def test_parties_and_their_sector_history_round_trip(sqlite_world, postgres_url, tmp_path):
    """Kinds, juristic IDs, dates and every sector row travel in the file, and an edited sector row is refused."""
    from dxs.registry import admin
    from dxs.registry.backup import restore

    admin.register_agency(sqlite_world.url, sqlite_world.log_key, code="ACME", name_th="บริษัท ตัวอย่างการค้า จำกัด",
                          name_en="Example Trading Co., Ltd.", sector="commerce", kind="private-juristic-person",
                          juristic_id="0999990000010", registered_on="2020-01-01")
    admin.update_agency(sqlite_world.url, sqlite_world.log_key, "CGD", sector="commerce", sector_since="2021-01-01", dissolved_on="2030-01-01")
    figures = round_trip(sqlite_world, tmp_path, postgres_url)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.identical
    restored = admin.list_agencies(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    assert {a["code"]: (a["kind"], a["juristic_id"], a["sectors"], str(a["dissolved_on"])) for a in restored if a["code"] in ("ACME", "CGD")} == {
        "ACME": ("private-juristic-person", "0999990000010", [(dt.date(2020, 1, 1), "commerce")], "None"),
        "CGD": ("ministry-department", None, [(dt.date(2016, 10, 1), "finance"), (dt.date(2021, 1, 1), "commerce")], "2030-01-01"),
    }
    # a sector row edited in the file (its checksum redone) does not verify: nothing is kept
    lines = (tmp_path / "from-sqlite.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    edited = [line.replace('"sector":"commerce"', '"sector":"health"') if '"table":"agency_sectors"' in line else line for line in lines[:-1]]
    assert edited != lines[:-1]
    trailer = json.loads(lines[-1])
    trailer["sha256"] = hashlib.sha256("".join(edited).encode("utf-8")).hexdigest()
    (tmp_path / "edited-sectors.jsonl").write_text("".join(edited) + json.dumps(trailer) + "\n", encoding="utf-8")
    refused = restore(f"sqlite:///{tmp_path / 'edited-sectors.sqlite'}", tmp_path / "edited-sectors.jsonl")
    assert not refused.ok and "agency sector" in (refused.refused or "")
