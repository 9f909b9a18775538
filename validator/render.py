"""Rendering reports for people (``text``) and for programs (``json``).

Renderers are classes picked by name from :data:`RENDERERS`; each turns a list
of reports into one string and never fails on any issue text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import ClassVar

from .report import Report, Summary, sort_issues

__all__ = ["JsonRenderer", "RENDERERS", "TextRenderer"]


class TextRenderer:
    """One block per document: a verdict line, then its issues in reading order."""

    name: ClassVar[str] = "text"

    def __init__(self, *, lang: str = "en", verbose: bool = False) -> None:
        self.lang = lang
        self.verbose = verbose

    def render(self, reports: Sequence[Report]) -> str:
        lines: list[str] = []
        for report in reports:
            standard = f" ({report.standard})" if report.standard else ""
            if report.valid and not report.issues:
                if self.verbose or len(reports) == 1:
                    lines.append(f"ok    {report.path}{standard}")
                continue
            verdict = "ok" if report.valid else "FAIL"
            lines.append(f"{verdict:<5} {report.path}{standard}")
            for issue in sort_issues(report.issues):
                where = f"{issue.line}:{issue.column}" if issue.line and issue.column else (str(issue.line) if issue.line else "-")
                message = issue.message_th if self.lang == "th" and issue.message_th else issue.message
                location = f" {issue.location}" if issue.location else ""
                lines.append(f"  {where:<8} {issue.severity:<7} {message} [{issue.source}:{issue.rule}]{location}")
        summary = Summary.of(reports)
        if self.lang == "th":
            lines.append(f"ตรวจ {summary.documents} เอกสาร: ผ่าน {summary.valid}, ไม่ผ่าน {summary.invalid}")
        else:
            lines.append(f"{summary.documents} documents: {summary.valid} valid, {summary.invalid} invalid")
        return "\n".join(lines) + "\n"


class JsonRenderer:
    """The DESIGN.md shape: ``{"summary": {...}, "documents": [...]}``."""

    name: ClassVar[str] = "json"

    def __init__(self, *, lang: str = "en", verbose: bool = False) -> None:
        self.lang = lang

    def render(self, reports: Sequence[Report]) -> str:
        doc = {
            "summary": Summary.of(reports).to_dict(),
            "documents": [r.to_dict() for r in reports],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


RENDERERS: dict[str, type[TextRenderer] | type[JsonRenderer]] = {
    TextRenderer.name: TextRenderer,
    JsonRenderer.name: JsonRenderer,
}
