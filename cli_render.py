"""What ``dxs`` prints: one renderer for each command's result.

A renderer takes the result object a library or service function returned and
writes it, to standard output or to standard error (and, where asked, to a file);
a renderer of a command whose exit code depends on its result returns that code.
The words come from the library where it already has them (the catalog listings,
the report renderers, the compatibility text); only the choice of stream, format
and exit code is here. Like :mod:`cli`, this module imports what a renderer needs
when it runs, so that ``dxs validate`` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from dxs.registry.admin import ServePlan
    from dxs.registry.audit import AuditReport
    from dxs.registry.backup import Restore
    from dxs.registry.demo import Seeded
    from dxs.registry.notices_delivery import DeliveryRun
    from dxs.registry.services.notices import NotifyResult
    from dxs.registry.reporting.run import Produced
    from dxs.registry.services.verification import VerifyReport
    from dxs.validator.commands import CatalogCheck, Comparison, Conversion, LockedVersion, Scaffolded
    from dxs.validator.importer import ImportResult
    from dxs.validator.lifecycle import StatusChange
    from dxs.validator.listing import AnnouncementListing, PackageShown, StandardShown, StandardsListing
    from dxs.validator.runs import ValidationRun

#: DESIGN.md's exit codes: every document valid (or all well); at least one invalid (or a check failed)
EXIT_OK, EXIT_INVALID = 0, 1


class UsageProblem(click.ClickException):
    """Arguments that do not go together, or ask for what is not there: ``Error: <message>``, exit 2.

    Errors of the library and the service carry their own ``exit_code``; this one is
    for what only the command line can tell.
    """

    exit_code = 2


def _json(data: Any, **options: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, **options))


def _lines(lines: Iterable[str]) -> None:
    click.echo("\n".join(lines))


# --------------------------------------------------------------------------- validate


class Progress:
    """A one-line progress bar on stderr (only on a terminal)."""

    def __init__(self, total: int) -> None:
        import time

        self.total, self.started, self.last = total, time.monotonic(), 0.0
        self._time = time.monotonic

    def __call__(self, done: int) -> None:
        now = self._time()
        if done != self.total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = int(width * done / max(self.total, 1))
        rate = done / max(now - self.started, 1e-9)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} documents  {rate:,.0f}/s ")
        if done == self.total:
            sys.stderr.write("\r" + " " * (width + 60) + "\r")
        sys.stderr.flush()


def progress_bar(total: int) -> Progress | None:
    """A bar for ``total`` files when stderr is a terminal and there is more than one."""
    return Progress(total) if sys.stderr.isatty() and total > 1 else None


def validation(run: ValidationRun, *, output_format: str, lang: str, colour: bool | None) -> int:
    """The reports in ``output_format`` (text, json, junit, sarif); colour by default only on a terminal."""
    from dxs.validator.render import RENDERERS, file_lines

    use_colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR") if colour is None else colour
    renderer = RENDERERS[output_format](lang=lang, colour=use_colour, source=file_lines(), illustrative=run.illustrative)
    click.echo(renderer.render(run.reports), nl=False, color=use_colour)
    return EXIT_OK if run.valid else EXIT_INVALID


# --------------------------------------------------------------------------- standards


def standards_listing(listing: StandardsListing, output_format: str) -> None:
    from dxs.validator.listing import standards_table

    if output_format == "json":
        from dxs.validator.publish import standard_as_dict

        register = listing.catalog.register
        _json({"standards": [standard_as_dict(s, versions=listing.versions_of[s.id], register=register) for s in listing.standards]})
    else:
        _lines(standards_table(listing.standards, dict(listing.versions_of)))


def announcement_listing(listing: AnnouncementListing, output_format: str) -> None:
    from dxs.validator.listing import announcement_lines

    if output_format == "json":
        _json({"announcements": [a.as_dict() for a in listing.announcements], "note": " ".join(listing.catalog.register.notes)})
    else:
        _lines(announcement_lines(listing.catalog, year=listing.year_be))


def standard_shown(shown: StandardShown | PackageShown, output_format: str) -> None:
    from dxs.validator.listing import PackageShown, standard_lines, standards_table
    from dxs.validator.publish import standard_as_dict

    register = shown.catalog.register
    if isinstance(shown, PackageShown):
        if output_format == "json":
            _json({"package": shown.package, "document_types": [standard_as_dict(m, register=register) for m in shown.members]})
        else:
            click.echo(f"{shown.package}: a package of {len(shown.members)} document types; show one with `dxs standards show ID`")
            _lines(standards_table(shown.members))
        return
    if output_format == "json":
        data = standard_as_dict(shown.standard, versions=shown.versions, register=register)
        for row, v in zip(data["versions"], shown.versions):
            row["example_files"] = {k: [p.name for p in v.examples(k)] for k in ("valid", "invalid")}
        _json(data)
    else:
        _lines(standard_lines(shown.catalog, shown.standard, shown.versions))


def catalog_check(check: CatalogCheck) -> int:
    for finding in check.findings:
        click.echo(f"FAIL  {finding}")
    if not check.ok:
        click.echo(f"{len(check.findings)} problems in {check.standards} standards, {check.versions} versions")
        return EXIT_INVALID
    click.echo(f"ok: {check.standards} standards, {check.versions} versions checked")
    return EXIT_OK


def scaffolded(made: Scaffolded) -> None:
    drafted = made.drafted
    if drafted is None:
        click.echo(f"created {made.folder} with a 0.1.0 draft")
        click.echo(f"next: write its schemas, examples and notes; then `dxs standards check {made.standard_id}@0.1.0`")
        return
    click.echo(f"created draft {drafted.ref} in {drafted.folder} (copied from {drafted.source})")
    if drafted.marker and drafted.marker[0] == drafted.marker[1]:
        click.echo(f"version marker {drafted.marker[0]} unchanged: documents of {drafted.source} carry it too")
    elif drafted.marker:
        schemas = [m for m in drafted.markers.moved if not m.startswith("examples/")]
        examples = len(drafted.markers.moved) - len(schemas)
        edited = ", ".join(["version.toml", *schemas] + ([f"{examples} examples"] if examples else []))
        click.echo(f"version marker {drafted.marker[0]} → {drafted.marker[1]}; edited {edited}")
    for note in drafted.markers.left:
        click.echo(f"left for you: {note}")
    for name in drafted.markers.unsigned:
        click.echo(f"signature removed from {name}: its content changed with the marker; sign it again (dxs sign)")
    click.echo(f"next: edit its schemas, examples and notes; then `dxs standards check {drafted.ref}`")


def locked(versions: Iterable[LockedVersion]) -> None:
    """Each version as it is locked (what was locked before a failure has been said)."""
    for v in versions:
        click.echo(f"locked {v.folder_ref}: {v.files} files")


def status_changed(change: StatusChange) -> None:
    """A version's lifecycle step: ``announced th.x@1.2.0 on 2026-03-01 (was draft)…``."""
    said = [f"{change.status} {change.ref} on {change.on} (was {change.before})"]
    if change.effective:
        said.append(f"effective {change.effective}")
    if change.sunset:
        said.append(f"sunset {change.sunset}")
    if change.locked is not None:
        said.append(f"locked {change.locked} files")
    if change.default:
        said.append("now the detection default")
    click.echo("; ".join(said))


def static_site(written: list[Path], out_dir: str) -> None:
    click.echo(f"wrote {len(written)} files to {out_dir} (open {Path(out_dir) / 'index.html'})")


def imported(result: ImportResult, out_dir: str) -> None:
    for ref in result.refs:
        click.echo(f"imported {ref}")
    for note in result.review:
        click.echo(f"review: {note}")
    click.echo(f"then: dxs standards check --catalog {out_dir}; validate with: dxs validate --catalog {out_dir} DOCUMENTS")


def catalog_export(text: str, output: str | None) -> None:
    """The exported catalog to ``output``, or to standard output."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


def comparison(compared: Comparison, output_format: str) -> None:
    from dxs.validator.compat.render import dumps, render_text, transitive_to_dict

    results = compared.results
    if compared.transitive:
        if output_format == "json":
            text = dumps(transitive_to_dict(results))
        elif not results:
            text = f"{compared.new_ref}: no earlier announced version to compare with"
        else:
            text = "\n\n".join(render_text(r) for r in results)
    else:
        (result,) = results
        text = dumps(result.to_dict()) if output_format == "json" else render_text(result)
    click.echo(text)


# --------------------------------------------------------------------------- convert


def conversion(done: Conversion, output: str | None) -> int:
    """The converted document (to ``output``, or standard output), and on stderr why it is not valid."""
    if done.converted is None:
        click.echo(f"cannot convert {done.path}: {done.problem}", err=True)
        return EXIT_INVALID
    if not done.ok:  # an invalid document is never handed on as if it were the result
        for issue in done.report.issues:
            click.echo(f"converted {done.to.upper()} is not valid under {done.version.ref}: {issue}", err=True)
        click.echo(f"nothing written{f' to {output}' if output else ''}: the conversion of {done.path} is not valid", err=True)
        return EXIT_INVALID
    if output:
        Path(output).write_bytes(done.converted)
    else:
        click.echo(done.converted.decode("utf-8"), nl=False)
    return EXIT_OK


# --------------------------------------------------------------------------- serve, registry


def serving(plan: ServePlan, *, host: str, port: int, workers: int) -> None:
    click.echo(f"DX Standards Toolkit registry on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    click.echo(f"catalog: {plan.standards} standards · database: {plan.database} ({plan.prepared}) · workers: {workers}")
    click.echo(f"log signing key: {plan.key_path} (key id {plan.key_id})")


def migrated(database: str, before: str | None, after: str | None) -> None:
    click.echo(f"migrated {database}: {before or 'empty'} -> {after}" if before != after else f"{database} is up to date ({after})")


def _days(row: dict[str, Any]) -> str:
    """``2016-10-01 –`` or ``2016-10-01 – 2022-10-01`` (the first day it no longer exists)."""
    return f"{row['registered_on']} – {row['dissolved_on'] or ''}".rstrip()


def _history(row: dict[str, Any]) -> str:
    return ", ".join(f"{sector} from {since}" for since, sector in row["sectors"])


def agency_registered(created: dict[str, Any]) -> None:
    click.echo(f"registered {created['code']} ({created['kind']}, {created['sector']}, {_days(created)}): "
               f"{created['name_th']} · {created['name_en']}")


def agency_changed(changed: dict[str, Any]) -> None:
    click.echo(f"changed {changed['code']} ({changed['kind']}, {changed['status']}, {_days(changed)}): "
               f"{changed['name_th']} · {changed['name_en']}")
    click.echo(f"  sectors: {_history(changed)}")


def agencies(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        line = f"{row['code']:<16} {row['status']:<9} {row['kind']:<24} {row['sector']:<22} {_days(row):<25} {row['name_th']} · {row['name_en']}"
        if row["juristic_id"]:
            line += f" [{row['juristic_id']}]"
        if len(row["sectors"]) > 1:
            line += f" (sectors: {_history(row)})"
        click.echo(line)
    click.echo(f"{len(rows)} agencies")


def key_issued(key_id: int, secret: str, agency: str | None) -> None:
    """The key alone on standard output (for a script to take), the advice on stderr."""
    click.echo(secret)
    click.echo(f"key {key_id} for {agency or 'the office'}: store it now; only its hash is kept.", err=True)


def key_revoked(key_id: int) -> None:
    click.echo(f"revoked key {key_id}")


def checkpoint(cp: dict[str, Any] | None) -> None:
    if cp is None:
        raise UsageProblem("the log is empty: nothing to vouch for yet")
    click.echo(json.dumps(cp, indent=2))


def exported(rows: dict[str, int]) -> None:
    """On stderr: the backup itself may be on standard output."""
    click.echo(f"exported {sum(rows.values())} rows ({', '.join(f'{n} {t}' for t, n in rows.items() if n)})", err=True)


def notices_made(result: NotifyResult) -> None:
    """``dxs registry notify``: how many notices were made, one line each."""
    for n in result.made:
        click.echo(f"notice {n.uid}: {n.kind} {n.standard_id}@{n.version}, link {n.link_id}, to {json.loads(n.body)['agency']}, "
                   f"deadline {n.deadline.isoformat()}" + (f", move to {n.migrate_to}" if n.migrate_to else ""))
    made = len(result.made)
    click.echo(f"{made} notice{'s' if made != 1 else ''} made ({result.links} live link{'s' if result.links != 1 else ''} "
               f"on deprecated or sunset versions{f', log entry {result.log_seq}' if result.log_seq is not None else ''}); "
               "deliver them with `dxs registry deliver`")


def delivery_pass(run: DeliveryRun) -> None:
    """``dxs registry deliver``: one line per pass, and each failure on standard error."""
    for error in run.errors:
        click.echo(f"failed: {error}", err=True)
    click.echo(f"{run.attempted} attempted, {run.delivered} delivered, {run.failed} failed; "
               f"{run.waiting} waiting for a retry, {run.no_webhook} waiting for their agency to register a webhook")


def restored(outcome: Restore) -> int:
    if outcome.imported is None:
        click.echo(f"FAIL  {outcome.refused}", err=True)
        return EXIT_INVALID
    report = outcome.imported.report
    click.echo(f"imported {sum(outcome.imported.rows.values())} rows into {outcome.url}; "
               f"verified: {report.entries} log entries, root {report.root[:16]}…")
    return EXIT_OK


def verify_report(report: VerifyReport, output_format: str) -> int:
    if output_format == "json":
        click.echo(json.dumps({
            "ok": report.ok, "entries": report.entries, "checkpoints": report.checkpoints, "rows": report.rows,
            "root": report.root, "first_bad_entry": report.first_bad_entry,
            "findings": [{"seq": f.seq, "table": f.table, "row": f.row, "column": f.column, "message": f.what} for f in report.findings],
        }, indent=2))
    else:
        for finding in report.findings:
            click.echo(f"FAIL  {finding}")
        if report.ok:
            click.echo(f"ok: {report.entries} log entries, {report.checkpoints} signed checkpoints, "
                       f"{report.rows} rows match the log (root {report.root[:16]}…)")
        else:
            first = report.first_bad_entry
            click.echo(f"{len(report.findings)} problems" + (f"; the first bad log entry is {first}" if first is not None else ""))
    return EXIT_OK if report.ok else EXIT_INVALID


def audit_report(report: AuditReport, output_format: str) -> int:
    """Each check, then the verdict; the exit code (1 when any check failed)."""
    if output_format == "json":
        click.echo(json.dumps({
            "ok": report.ok, "server": report.server, "key_id": report.key_id, "key_from": report.key_from,
            "saved": {"size": report.saved_size, "root": report.saved_root},
            "current": {"size": report.current_size, "root": report.current_root},
            "checks": [{"what": c.what, "ok": c.ok, "why": c.why} for c in report.checks],
        }, indent=2))
        return EXIT_OK if report.ok else EXIT_INVALID
    click.echo(f"key {report.key_id} (from {report.key_from})")
    if report.key_from.startswith("the saved checkpoint"):
        click.echo("  (the key the server sent when you saved it: check its id against the one the operator publishes, "
                   "or pin that key with --public-key)")
    for check in report.checks:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check}")
    if report.ok:
        click.echo(f"ok: {report.server} proved that its log of {report.current_size} entries "
                   f"(root {str(report.current_root)[:16]}…) extends the log of {report.saved_size} entries you kept")
    else:
        failed = sum(not c.ok for c in report.checks)
        click.echo(f"FAILED: {failed} of {len(report.checks)} checks; the log at {report.server} is not the one "
                   "it signed for earlier (rewritten, truncated, or signed with another key)")
    return EXIT_OK if report.ok else EXIT_INVALID


# --------------------------------------------------------------------------- report, demo


def indicators(produced: Produced) -> None:
    """The report on standard output (unless it went to a file); notes and files written on stderr."""
    for note in produced.notes:
        click.echo(f"note: {note}", err=True)
    if produced.text is not None:
        click.echo(produced.text, nl=False)
    for path in produced.files:
        click.echo(f"wrote {path}", err=True)


def worklist(produced: Produced) -> None:
    """A work list (``dxs report needs|upkeep``): as :func:`indicators`, the list on standard output unless written."""
    indicators(produced)


def seeded(done: Seeded) -> None:
    if done.summary is None:
        click.echo(f"{done.url} already has agencies: no demo data added")
        return
    for line in done.summary.lines():
        click.echo(line)
    click.echo(f"seeded {done.url} in {done.seconds:.1f} s; check it with `dxs registry verify`")


def signed(document: bytes, output: str | None, *, signer: str, timestamped: bool) -> None:
    """The signed document to ``output`` (written whole, then renamed) or standard output; a note on stderr."""
    if output:
        target = Path(output)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(document)
        partial.replace(target)
    else:
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
    click.echo(f"signed by {signer}" + (" (XAdES-T, time-stamped)" if timestamped else " (XAdES-BES)")
               + (f": {output}" if output else ""), err=True)
