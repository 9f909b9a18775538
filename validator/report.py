"""The report model: one shape for JSON and XML documents.

An :class:`Issue` is plain data; rendering lives in :mod:`validator.render`.
Choosing the issue to headline is the pure function :func:`best_match`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Issue", "Report", "Summary", "best_match", "sort_issues"]

Severity = Literal["error", "warning", "info"]
Source = Literal["parse", "schema", "rules", "signature", "container"]

# parse problems hide every later one; then schema, then rules
_SOURCE_RANK = {"parse": 0, "schema": 1, "rules": 2, "signature": 3, "container": 4}
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a document.

    ``location`` is a JSON Pointer for JSON and an XPath for XML; ``line`` and
    ``column`` are 1-based and ``None`` where the input does not say.
    """

    message: str
    rule: str
    source: Source = "schema"
    severity: Severity = "error"
    location: str = ""
    line: int | None = None
    column: int | None = None
    message_th: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "source": self.source,
            "rule": self.rule,
            "location": self.location,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "message_th": self.message_th or self.message,
        }

    def __str__(self) -> str:
        where = f"{self.line}:{self.column or 0}" if self.line else self.location or "-"
        return f"{where}: {self.severity}: {self.message} [{self.rule}]"


def _sort_key(issue: Issue) -> tuple[Any, ...]:
    return (
        issue.line if issue.line is not None else 1 << 62,
        issue.column or 0,
        issue.location,
        _SOURCE_RANK.get(issue.source, 9),
        issue.rule,
        issue.message,
    )


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Issues in reading order (line, column, location), independent of input order."""
    return sorted(issues, key=_sort_key)


def best_match(issues: Iterable[Issue]) -> Issue | None:
    """The single most useful issue to headline, or ``None`` when there is none.

    Errors beat warnings; a parse problem beats a schema problem,
    which beats a rules problem; within a tie, the earliest in the document.
    The answer never depends on the order of ``issues``.
    """
    ranked = sorted(
        issues,
        key=lambda i: (_SEVERITY_RANK.get(i.severity, 9), _SOURCE_RANK.get(i.source, 9), *_sort_key(i)),
    )
    return ranked[0] if ranked else None


@dataclass(frozen=True, slots=True)
class Report:
    """What validation found in one document."""

    path: str
    standard: str | None
    issues: tuple[Issue, ...] = field(default_factory=tuple)
    #: the XML signatures found (:class:`~.signatures.SignatureInfo`), when they were checked
    signatures: tuple[Any, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.issues or not any(i.severity == "error" for i in self.issues)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "path": self.path,
            "standard": self.standard,
            "valid": self.valid,
            "issues": [i.to_dict() for i in sort_issues(self.issues)],
        }
        if self.signatures:  # only for signed documents: an unsigned one keeps DESIGN.md's shape
            data["signatures"] = [s.to_dict() for s in self.signatures]
        return data


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over a run of documents."""

    documents: int
    valid: int
    invalid: int

    @classmethod
    def of(cls, reports: Sequence[Report]) -> Summary:
        valid = sum(1 for r in reports if r.valid)
        return cls(documents=len(reports), valid=valid, invalid=len(reports) - valid)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)
