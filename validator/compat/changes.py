"""The change model: one :class:`Change`, a :class:`Compatibility` of many, and the version markers.

Two directions, both about validity:

- **backward**: every document valid under OLD is still valid under NEW (agencies'
  existing documents keep passing);
- **forward**: every document valid under NEW is valid under OLD (documents made
  under the new version still pass systems that only know the old one).

Each :class:`Change` says which of the two it keeps. A :class:`Compatibility`
sums them up as a level (``FULL``, ``BACKWARD``, ``FORWARD``, ``NONE``) and the
smallest honest semver bump: breaking backward → major; any other change that
is not documentation only → minor; documentation only → patch.

This module is the bottom of :mod:`validator.compat`: every rule module imports it,
and it imports none of them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BUMPS",
    "Change",
    "Compatibility",
    "JsonMarker",
    "Level",
    "XmlMarker",
    "bump_of",
    "kebab",
    "level_of",
]

#: Semver bumps from the smallest to the largest.
BUMPS = ("patch", "minor", "major")


class Level(str, enum.Enum):
    """How two versions relate: which way documents keep passing."""

    FULL = "FULL"
    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    NONE = "NONE"

    def __str__(self) -> str:
        return self.value


@dataclass(slots=True)
class Change:
    """One difference between two schemas and its effect on documents.

    :param kind: what changed, e.g. ``max-length-decreased``, ``element-added-required``.
    :param location: where, in the schema: a JSON Pointer into the JSON Schema
        (NEW's where the thing exists there, else OLD's), or the XSD component path
        (``/p:Root/p:Child/@attr``), or the Schematron assertion id.
    :param backward: documents valid under OLD stay valid under NEW.
    :param forward: documents valid under NEW are valid under OLD.
    :param documentation: the change touches only documentation (titles,
        descriptions, examples, comments); a patch may carry it.
    :param instance: where in a document the change bites (JSON Pointer with
        ``*`` for any array item or property, or an XPath-like element path).
    :param evidence: OLD's valid examples that NEW rejects, with the reason.
    """

    kind: str
    location: str
    backward: bool
    forward: bool
    message: str
    documentation: bool = False
    form: str = ""
    instance: str | None = None
    evidence: list[str] = field(default_factory=list)

    @property
    def effect(self) -> str:
        """``both``, ``backward``, ``forward`` or ``neither`` — what the change keeps compatible."""
        if self.backward and self.forward:
            return "both"
        if self.backward:
            return "backward"
        if self.forward:
            return "forward"
        return "neither"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "location": self.location,
            "backward": self.backward,
            "forward": self.forward,
            "message": self.message,
            "form": self.form,
            "documentation": self.documentation,
            "instance": self.instance,
            "evidence": list(self.evidence),
        }

    def __str__(self) -> str:
        return f"{self.kind} at {self.location}: {self.message}"


def level_of(changes: Sequence[Change]) -> Level:
    """The level a set of changes adds up to (no changes: ``FULL``)."""
    backward = all(c.backward for c in changes)
    forward = all(c.forward for c in changes)
    if backward and forward:
        return Level.FULL
    if backward:
        return Level.BACKWARD
    if forward:
        return Level.FORWARD
    return Level.NONE


def bump_of(changes: Sequence[Change]) -> str:
    """The smallest semver bump that honestly describes ``changes``."""
    if any(not c.backward for c in changes):
        return "major"
    if any(not c.documentation for c in changes):
        return "minor"
    return "patch"


@dataclass(slots=True)
class Compatibility:
    """Every change between OLD and NEW, with the level and bump they add up to."""

    old: str
    new: str
    changes: list[Change] = field(default_factory=list)

    @property
    def level(self) -> Level:
        return level_of(self.changes)

    @property
    def bump(self) -> str:
        """The smallest semver bump that honestly describes the changes."""
        return bump_of(self.changes)

    @property
    def breaking(self) -> list[Change]:
        """The changes that break backward compatibility (existing documents)."""
        return [c for c in self.changes if not c.backward]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "bump": self.bump,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True, slots=True)
class JsonMarker:
    """Where a JSON document carries its version marker, and its value in OLD and NEW."""

    pointer: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class XmlMarker:
    """Where an XML document carries its version marker (root + path), in Clark notation."""

    steps: tuple[str, ...]  # ('{ns}Root', '{ns}Child', '@attr')
    old: str | None
    new: str | None


def kebab(keyword: str) -> str:
    """A keyword or facet as a change kind's word: ``maxLength`` → ``max-length``, ``$ref`` → ``ref``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", keyword.lstrip("$")).lower()
