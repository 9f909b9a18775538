"""Compatibility results as text for people and as JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .changes import Compatibility, bump_of, level_of

__all__ = ["dumps", "render_text", "transitive_to_dict"]


def transitive_to_dict(results: Sequence[Compatibility]) -> dict[str, Any]:
    """One object for ``--transitive``: the weakest level, the largest bump, every change tagged."""
    changes: list[dict[str, Any]] = []
    for r in results:
        changes.extend({**c.to_dict(), "against": r.old} for c in r.changes)
    every = [c for r in results for c in r.changes]
    return {
        "level": level_of(every).value,
        "bump": bump_of(every),
        "changes": changes,
        "comparisons": [{"old": r.old, "new": r.new, "level": r.level.value, "bump": r.bump} for r in results],
    }


def render_text(result: Compatibility) -> str:
    """A human summary: one line per change, then the level and bump."""
    lines = [f"{result.old} → {result.new}"]
    for c in result.changes:
        where = f"[{c.form}] " if c.form else ""
        lines.append(f"  {c.effect:<9} {where}{c.kind} at {c.location}")
        lines.append(f"            {c.message}")
        lines.extend(f"            evidence: {e}" for e in c.evidence)
    if not result.changes:
        lines.append("  no changes")
    lines.append(f"level {result.level.value} · smallest honest bump: {result.bump}")
    return "\n".join(lines)


def dumps(data: dict[str, Any]) -> str:
    """``data`` (a result's ``to_dict()``) as indented JSON, non-ASCII kept as is."""
    return json.dumps(data, ensure_ascii=False, indent=2)
