"""Rendering reports: ``text`` for people, ``json``, ``junit`` and ``sarif`` for machines.

Renderers are classes picked by name from :data:`RENDERERS`; each turns a list
of reports into one string and never fails on any issue text. The text renderer
can show the offending source line when given a way to read it.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

from .catalog import ILLUSTRATIVE_LABEL
from .report import Issue, Report, Summary, sort_issues

__all__ = ["JsonRenderer", "JunitRenderer", "RENDERERS", "SarifRenderer", "TextRenderer", "file_lines"]

SourceLines = Callable[[str, int], str | None]

_COLOURS = {"red": "\x1b[31m", "green": "\x1b[32m", "yellow": "\x1b[33m", "dim": "\x1b[2m", "bold": "\x1b[1m"}
_RESET = "\x1b[0m"
_SAFE = str.maketrans({c: "?" for c in map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127])})


def _printable(text: str) -> str:
    """Control characters (and lone surrogates) never reach the terminal raw."""
    if text.isprintable():  # the usual case (Thai included), and a cheap test
        return text
    return text.translate(_SAFE).encode("utf-8", "replace").decode("utf-8")


def _utf8(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate (from a document's own keys) becomes "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


_NOT_XML = str.maketrans({"\ufffe": "?", "\uffff": "?"})


def _xml_text(text: str) -> str:
    """Only characters XML 1.0 allows (a rule or standard name comes from the documents too)."""
    return _printable(text).translate(_NOT_XML)


def file_lines(max_bytes: int = 8 * 1024**2) -> SourceLines:
    """A source-line reader for files on disk (small files only; cached per file)."""
    cache: dict[str, list[str] | None] = {}

    def line_of(path: str, line: int) -> str | None:
        if path not in cache:
            try:
                p = Path(path)
                cache[path] = p.read_text("utf-8", "replace").splitlines() if p.is_file() and p.stat().st_size <= max_bytes else None
            except OSError:
                cache[path] = None
        lines = cache[path]
        return lines[line - 1] if lines and 0 < line <= len(lines) else None

    return line_of


class _Renderer(ABC):
    name: ClassVar[str] = ""

    def __init__(
        self,
        *,
        lang: str = "en",
        colour: bool = False,
        source: SourceLines | None = None,
        illustrative: frozenset[str] = frozenset(),
    ) -> None:
        self.lang = lang
        self.colour = colour
        self.source = source
        #: ``id@version`` of the catalog's illustrative standards, labelled wherever a report names one
        self.illustrative = illustrative

    def standard_label(self, report: Report) -> str:
        """``id@version``, and the illustrative label beside a made-up standard's name."""
        if report.standard is None:
            return ""
        return report.standard + (f" · {ILLUSTRATIVE_LABEL}" if report.standard in self.illustrative else "")

    def message(self, issue: Issue) -> str:
        return issue.message_th if self.lang == "th" and issue.message_th else issue.message

    @abstractmethod
    def render(self, reports: Sequence[Report]) -> str:
        """All the reports as one string."""


class TextRenderer(_Renderer):
    """One block per document with issues: a verdict line, then its issues in reading order,
    each with the offending source line where it can be read. Valid documents are counted."""

    name = "text"

    def _c(self, colour: str, text: str) -> str:
        return f"{_COLOURS[colour]}{text}{_RESET}" if self.colour else text

    def render(self, reports: Sequence[Report]) -> str:
        lines: list[str] = []
        for report in reports:
            standard = f" ({_printable(self.standard_label(report))})" if report.standard else ""
            if report.valid and not report.issues:
                if len(reports) == 1:
                    lines.append(f"{self._c('green', 'ok')}    {_printable(report.path)}{standard}")
                continue
            verdict = self._c("green", "ok   ") if report.valid else self._c("red", "FAIL ")
            lines.append(f"{verdict} {self._c('bold', _printable(report.path))}{standard}")
            for issue in sort_issues(report.issues):
                where = f"{issue.line}:{issue.column}" if issue.line and issue.column else (str(issue.line) if issue.line else "-")
                severity = self._c("red" if issue.severity == "error" else "yellow", f"{issue.severity:<7}")
                location = f" {self._c('dim', _printable(issue.location))}" if issue.location else ""
                lines.append(f"  {where:<8} {severity} {_printable(self.message(issue))} [{issue.source}:{_printable(issue.rule)}]{location}")
                text = self.source(report.path, issue.line) if self.source and issue.line else None
                if text is not None:
                    shown = _printable(text.expandtabs(4))
                    lines.append(self._c("dim", f"           | {shown[:200]}"))
                    if issue.column and issue.column <= 200:
                        lines.append(self._c("dim", "           | ") + self._c("red", " " * (issue.column - 1) + "^"))
        summary = Summary.of(reports)
        if self.lang == "th":
            lines.append(f"ตรวจ {summary.documents} เอกสาร: ผ่าน {summary.valid}, ไม่ผ่าน {summary.invalid}")
        else:
            noun = "document" if summary.documents == 1 else "documents"
            lines.append(f"{summary.documents} {noun}: {summary.valid} valid, {summary.invalid} invalid")
        return "\n".join(lines) + "\n"


class JsonRenderer(_Renderer):
    """The DESIGN.md shape: ``{"summary": {...}, "documents": [...]}``."""

    name = "json"

    def render(self, reports: Sequence[Report]) -> str:
        documents = []
        for report in reports:
            data = report.to_dict()
            if report.standard in self.illustrative:
                data["illustrative"] = True  # only when it is: the report's shape stays DESIGN.md's otherwise
            if self.lang == "th":
                for issue in data["issues"]:
                    issue["message"] = issue["message_th"] or issue["message"]
            documents.append(data)
        return _utf8(json.dumps({"summary": Summary.of(reports).to_dict(), "documents": documents}, ensure_ascii=False, indent=2)) + "\n"


class JunitRenderer(_Renderer):
    """JUnit XML: one test case per document, a failure per invalid document (CI dashboards read it)."""

    name = "junit"

    def render(self, reports: Sequence[Report]) -> str:
        # here, not at the top: xml.sax.saxutils pulls in urllib.request, which every `dxs validate` would pay for
        from xml.sax.saxutils import escape, quoteattr

        summary = Summary.of(reports)
        cases = []
        def lines(issues: list[Issue]) -> str:
            return escape(_xml_text("\n".join(
                f"{i.line or '-'}:{i.column or '-'} [{i.source}:{i.rule}] {i.location} {self.message(i)}" for i in issues
            )))

        for report in reports:
            ordered = sort_issues(report.issues)
            errors = [i for i in ordered if i.severity == "error"]
            # warnings and notes (who signed a document, and when) go to the case's output: a passing case shows them too
            others = [i for i in ordered if i.severity != "error"]
            name = quoteattr(_xml_text(report.path))
            classname = quoteattr(_xml_text(report.standard or "unknown-standard"))
            if not errors and not others:
                cases.append(f"    <testcase classname={classname} name={name}/>")
                continue
            inner = ""
            if errors:
                first = errors[0]
                inner += (f"      <failure message={quoteattr(_xml_text(self.message(first)))} type={quoteattr(_xml_text(first.rule))}>"
                          f"{lines(errors)}</failure>\n")
            if others:
                inner += f"      <system-out>{lines(others)}</system-out>\n"
            cases.append(f"    <testcase classname={classname} name={name}>\n{inner}    </testcase>")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="dxs validate" tests="{summary.documents}" failures="{summary.invalid}">\n'
            f'  <testsuite name="dxs validate" tests="{summary.documents}" failures="{summary.invalid}" errors="0" skipped="0">\n'
            + "\n".join(cases)
            + "\n  </testsuite>\n</testsuites>\n"
        )


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


class SarifRenderer(_Renderer):
    """SARIF 2.1.0, for code-scanning dashboards: one result per issue, rules by id."""

    name = "sarif"

    def render(self, reports: Sequence[Report]) -> str:
        rules: dict[str, dict] = {}
        results = []
        for report in reports:
            for issue in sort_issues(report.issues):
                rule_id = f"{issue.source}/{issue.rule}"
                rules.setdefault(
                    rule_id,
                    {"id": rule_id, "name": issue.rule, "shortDescription": {"text": f"{issue.source} rule {issue.rule}"}},
                )
                location: dict = {"physicalLocation": {"artifactLocation": {"uri": _uri(report.path)}}}
                if issue.line:
                    region = {"startLine": issue.line}
                    if issue.column:
                        region["startColumn"] = issue.column
                    location["physicalLocation"]["region"] = region
                if issue.location:
                    location["logicalLocations"] = [{"fullyQualifiedName": issue.location}]
                results.append(
                    {
                        "ruleId": rule_id,
                        "level": _SARIF_LEVEL.get(issue.severity, "error"),
                        "message": {"text": self.message(issue) or issue.rule},
                        "locations": [location],
                        "properties": {"standard": report.standard, "message_th": issue.message_th},
                    }
                )
        sarif = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "dxs",
                            "fullName": "DX Standards Toolkit validator",
                            "informationUri": "https://standards.dx.go.th/",
                            "rules": list(rules.values()),
                        }
                    },
                    "artifacts": [{"location": {"uri": _uri(r.path)}} for r in reports],
                    "results": results,
                }
            ],
        }
        return _utf8(json.dumps(sarif, ensure_ascii=False, indent=2)) + "\n"


def _uri(path: str) -> str:
    """A relative URI reference for a path (SARIF artifactLocation.uri)."""
    from urllib.parse import quote

    return "stdin" if path == "-" else quote(Path(path).as_posix())


RENDERERS: dict[str, type[_Renderer]] = {
    r.name: r for r in (TextRenderer, JsonRenderer, JunitRenderer, SarifRenderer)
}
