"""The ``dxs`` command line.

Each click callback only parses its arguments into plain values and calls a
plain function that builds objects, runs, renders and picks the exit code, so
the work can be tested without click. Nothing imports this module. ``dxs
validate`` never imports the web framework or the database layer (start-up time).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_INVALID, EXIT_CONFIG = 0, 1, 2


class ConfigError(click.ClickException):
    """Usage or configuration error: unknown standard, unreadable schema, bad flag."""

    exit_code = EXIT_CONFIG


def _catalog(extra: tuple[str, ...]):
    from validator import DxsError, catalog_folders, load_catalog

    try:
        return load_catalog(catalog_folders(extra))
    except DxsError as exc:
        raise ConfigError(str(exc)) from None


catalog_option = click.option(
    "--catalog",
    "catalogs",
    multiple=True,
    type=click.Path(),
    help="Extra catalog folder (repeatable; also DXS_CATALOG, ':'-separated). "
    "DXS_BUNDLED_CATALOG=0 leaves the bundled catalog out.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dx-standards-toolkit", prog_name="dxs")
def main() -> None:
    """DX Standards Toolkit: validate e-documents, browse the national catalog, run the registry."""


#: set by a command whose process may end without tearing the interpreter down
_QUICK_EXIT = False


def entry() -> None:
    """The ``dxs`` executable: :func:`main`, then the exit.

    After ``dxs validate`` has written its report there is nothing left to do but
    free what it built; freeing a package's compiled schemas (8,940-code lists)
    takes longer than validating a document, so that process ends at once
    (output flushed first). Every other command exits as Python normally does.
    """
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if not _QUICK_EXIT:
        sys.exit(code)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code or 0)


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


def run_validate(
    paths: tuple[str, ...],
    *,
    standard: str | None,
    schema: str | None,
    rules: str | None,
    catalogs: tuple[str, ...],
    output_format: str,
    lang: str,
    at: dt.date | None,
    max_bytes: int | None,
    stream_bytes: int | None = None,
    jobs: int | None = None,
    progress: bool = True,
    colour: bool | None = None,
) -> int:
    """Validate ``paths`` and print the report; return the exit code."""
    from validator import DxsError, Report
    from validator.bulk import ValidatorConfig, default_jobs, validate_many
    from validator.catalog import catalog_folders
    from validator.inputs import STDIN, expand_paths
    from validator.render import RENDERERS, file_lines
    from validator.validate import DEFAULT_MAX_BYTES

    config = ValidatorConfig(
        catalog_folders=tuple(str(p) for p in catalog_folders(catalogs)),
        standard=standard,
        schema=schema,
        rules=rules,
        at=at,
        max_bytes=max_bytes or DEFAULT_MAX_BYTES,
        stream_bytes=stream_bytes,
    )
    try:
        validator = config.build()  # configuration errors surface here, before any work (exit 2)
        documents = expand_paths(paths)
    except DxsError as exc:
        raise ConfigError(str(exc)) from None
    files = [d for d in documents if d != STDIN]
    bar = Progress(len(files)) if progress and sys.stderr.isatty() and len(files) > 1 else None
    try:
        by_path = dict(
            zip(files, validate_many(files, config, jobs=jobs or default_jobs(), validator=validator, progress=bar))
        )
        reports: list[Report] = [
            validator.validate_bytes(sys.stdin.buffer.read(), "-") if d == STDIN else by_path[d] for d in documents
        ]
    except DxsError as exc:  # e.g. a $ref that only resolves over the network, met on the first document
        raise ConfigError(str(exc)) from None
    use_colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR") if colour is None else colour
    made_up = frozenset(v.ref for v in validator.catalog.versions() if v.illustrative)
    renderer = RENDERERS[output_format](lang=lang, colour=use_colour, source=file_lines(), illustrative=made_up)
    click.echo(renderer.render(reports), nl=False, color=use_colour)
    return EXIT_OK if all(r.valid for r in reports) else EXIT_INVALID


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--standard", "-s", metavar="ID[@VERSION]", help="Hold every document to this standard.")
@click.option("--schema", type=click.Path(dir_okay=False), help="Any JSON Schema (.json) or XSD (.xsd) file.")
@click.option("--rules", type=click.Path(dir_okay=False), help="A Schematron file (.sch), alone or with a schema.")
@catalog_option
@click.option("--format", "output_format", type=click.Choice(["text", "json", "junit", "sarif"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "th"]), default="en", show_default=True, help="Language of messages.")
@click.option("--at", type=click.DateTime(formats=["%Y-%m-%d"]), help="Detect the version in force on this date.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--no-progress", is_flag=True, help="No progress bar (there is none when stderr is not a terminal).")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text report (default: on a terminal).")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Refuse documents larger than this (default 2 GiB).")
@click.option("--stream-bytes", type=click.IntRange(min=1), help="Stream XML files larger than this (default 64 MiB).")
def validate(paths, standard, schema, rules, catalogs, output_format, lang, at, jobs, no_progress, colour, max_bytes, stream_bytes) -> None:
    """Validate JSON and XML documents (files, folders, globs, or - for stdin).

    Without --standard or --schema, each document's standard and version are
    detected from the document itself. Exit 0: all valid; 1: some invalid;
    2: usage or configuration error.
    """
    code = run_validate(
        paths,
        standard=standard,
        schema=schema,
        rules=rules,
        catalogs=catalogs,
        output_format=output_format,
        lang=lang,
        at=at.date() if at else None,
        max_bytes=max_bytes,
        stream_bytes=stream_bytes,
        jobs=jobs,
        progress=not no_progress,
        colour=colour,
    )
    global _QUICK_EXIT
    _QUICK_EXIT = True
    sys.exit(code)


# --------------------------------------------------------------------------- standards


@main.group()
def standards() -> None:
    """Browse and maintain the catalog of standards."""


@standards.command("list")
@catalog_option
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--status", help="Only standards with a version in this status.")
@click.option("--sector", help="Only standards of this sector.")
@click.option("--owner", help="Only standards owned by this agency code.")
@click.option("--year", type=int, help="Only versions announced in this year (CE, or BE if ≥ 2400).")
@click.option("--real", "only_real", is_flag=True, help="Only real standards (not illustrative ones).")
@click.option("--announcements", is_flag=True,
              help="List the register of announcements by year (announced standards with or without a schema here).")
def standards_list(catalogs, output_format, status, sector, owner, year, only_real, announcements) -> None:
    """List the standards of the catalog and their versions: real (with their source) or illustrative."""
    import json

    from validator.listing import announcement_lines, standards_table
    from validator.publish import standard_as_dict

    catalog = _catalog(catalogs)
    if year is not None and year < 2400:
        year += 543  # the register counts in BE; the catalog's dates are CE
    if announcements:
        rows = [a for a in catalog.register if year is None or a.year_be == year]
        if output_format == "json":
            click.echo(json.dumps({"announcements": [a.as_dict() for a in rows], "note": " ".join(catalog.register.notes)},
                                  ensure_ascii=False, indent=2))
        else:
            click.echo("\n".join(announcement_lines(catalog, year=year)))
        return
    chosen, versions_of = [], {}
    for s in catalog:
        if (sector and s.sector != sector) or (owner and s.owner.lower() != owner.lower()) or (only_real and s.illustrative):
            continue
        versions = [
            v
            for v in s.versions
            if (not status or v.status == status) and (year is None or _announced_year_be(catalog, v) == year)
        ]
        if (status or year is not None) and not versions:
            continue
        chosen.append(s)
        versions_of[s.id] = versions
    if output_format == "json":
        rows = [standard_as_dict(s, versions=versions_of[s.id], register=catalog.register) for s in chosen]
        click.echo(json.dumps({"standards": rows}, ensure_ascii=False, indent=2))
        return
    click.echo("\n".join(standards_table(chosen, versions_of)))


def _announced_year_be(catalog, version) -> int | None:
    """The BE year a version was announced in: its date, or its announcement's year."""
    day = catalog.announced_on(version)
    return day.year + 543 if day else None


@standards.command("show")
@click.argument("ref", metavar="ID[@VERSION]")
@catalog_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def standards_show(ref, catalogs, output_format) -> None:
    """Show a standard (or one version): provenance, announcement, files, code lists, examples.

    A package's id shows its document types.
    """
    import json

    from validator import DxsError
    from validator.listing import standard_lines, standards_table
    from validator.publish import standard_as_dict

    catalog = _catalog(catalogs)
    standard_id, _, version = ref.partition("@")
    if not version and (members := catalog.package(standard_id)):
        if output_format == "json":
            click.echo(json.dumps({"package": standard_id, "document_types": [
                standard_as_dict(m, register=catalog.register) for m in members]}, ensure_ascii=False, indent=2))
        else:
            click.echo(f"{standard_id}: a package of {len(members)} document types; show one with `dxs standards show ID`")
            click.echo("\n".join(standards_table(members)))
        return
    try:
        standard = catalog.standard(standard_id)
        versions = [standard.version(version)] if version else list(standard.versions)
    except DxsError as exc:
        raise ConfigError(str(exc)) from None
    if output_format == "json":
        data = standard_as_dict(standard, versions=versions, register=catalog.register)
        for row, v in zip(data["versions"], versions):
            row["example_files"] = {k: [p.name for p in v.examples(k)] for k in ("valid", "invalid")}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo("\n".join(standard_lines(catalog, standard, versions)))


@standards.command("check")
@click.argument("standard_ids", nargs=-1, metavar="[ID]...")
@catalog_option
def standards_check(standard_ids, catalogs) -> None:
    """Check the catalog: metadata, schemas, conformance kits, twins, hashes.

    Exit 0 when everything holds, 1 with a list of what failed.
    """
    from validator import DxsError
    from validator.checks import check_catalog

    catalog = _catalog(catalogs)
    try:
        findings = check_catalog(catalog, list(standard_ids) or None)
    except DxsError as exc:
        raise ConfigError(str(exc)) from None
    checked = [catalog.standard(i) for i in standard_ids] if standard_ids else list(catalog)
    n_versions = sum(len(s.versions) for s in checked)
    for finding in findings:
        click.echo(f"FAIL  {finding}")
    if findings:
        click.echo(f"{len(findings)} problems in {len(checked)} standards, {n_versions} versions")
        sys.exit(EXIT_INVALID)
    click.echo(f"ok: {len(checked)} standards, {n_versions} versions checked")


@standards.command("new")
@click.argument("standard_id", metavar="ID")
@click.option("--bump", type=click.Choice(["major", "minor", "patch"]), default="minor", show_default=True,
              help="For an existing standard: which part of the latest version to raise.")
@click.option("--version", "version", help="For an existing standard: the exact new version.")
@click.option("--into", type=click.Path(file_okay=False), help="Catalog folder for a new standard (default: the first --catalog).")
@click.option("--title-th", help="New standard: Thai title.")
@click.option("--title-en", help="New standard: English title.")
@click.option("--owner", help="New standard: owner agency code.")
@click.option("--sector", help="New standard: sector.")
@catalog_option
def standards_new(standard_id, bump, version, into, title_th, title_en, owner, sector, catalogs) -> None:
    """Scaffold a new standard, or a new draft version of an existing one (copying the latest)."""
    from validator import DxsError
    from validator.publish import new_standard, new_version

    catalog = _catalog(catalogs)
    try:
        if standard_id in catalog:
            folder = new_version(catalog.standard(standard_id), bump=bump, version=version)
            click.echo(f"created draft {folder}")
            click.echo("next: edit its schemas, examples and version.toml notes; then `dxs standards check " + standard_id + "`")
            return
        target = into or (catalogs[0] if catalogs else None)
        if not target:
            raise DxsError("a new standard needs a catalog folder: --into DIR (or --catalog DIR)")
        missing = [n for n, v in (("--title-th", title_th), ("--title-en", title_en), ("--owner", owner), ("--sector", sector)) if not v]
        if missing:
            raise DxsError(f"a new standard needs {', '.join(missing)}")
        folder = new_standard(Path(target), standard_id, title_th=title_th, title_en=title_en, owner=owner, sector=sector)
    except DxsError as exc:
        raise ConfigError(str(exc)) from None
    click.echo(f"created {folder} with a 0.1.0 draft")


@standards.command("lock")
@click.argument("refs", nargs=-1, metavar="ID@VERSION...")
@click.option("--announce", type=click.DateTime(formats=["%Y-%m-%d"]), help="Announce the version on this date, then lock it.")
@click.option("--announcement", help="The announcement number it was announced by (an entry of the register, announcements.toml).")
@click.option("--all-announced", is_flag=True, help="Lock every announced version that has no hashes yet.")
@catalog_option
def standards_lock(refs, announce, announcement, all_announced, catalogs) -> None:
    """Record the SHA-256 of every file of a version, so it can never change silently."""
    from validator import DxsError
    from validator.publish import lock_version

    catalog = _catalog(catalogs)
    try:
        if all_announced and (announce or announcement is not None):
            raise DxsError("--announce and --announcement name one version's announcement: give its ID@VERSION, not --all-announced")
        versions = [catalog.resolve(r) for r in refs]
        if all_announced:
            versions += [v for v in catalog.versions() if v.is_announced and not v.hashes]
        if not versions:
            raise DxsError("name the versions to lock (ID@VERSION), or use --all-announced")
        # a package's document types share one version folder: it is locked once, under the package's name
        for v in {v.folder: v for v in versions}.values():
            hashes = lock_version(v, announce=announce.date() if announce else None, announcement=announcement)
            click.echo(f"locked {v.folder_ref}: {len(hashes)} files")
    except DxsError as exc:
        raise ConfigError(str(exc)) from None


@standards.command("docs")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write the static site to.")
@catalog_option
def standards_docs(out_dir, catalogs) -> None:
    """Build the human documentation of every standard as static HTML pages."""
    from registry.pages import build_static_site

    written = build_static_site(_catalog(catalogs), Path(out_dir))
    click.echo(f"wrote {len(written)} files to {out_dir} (open {Path(out_dir) / 'index.html'})")


@standards.command("import")
@click.argument("package", type=click.Path(exists=True, file_okay=False))
@click.option("--manifest", type=click.Path(dir_okay=False),
              help="The package's manifest (default: the first of MessageInfo.json, validation-config.json, manifest.json, manifest.csv in PACKAGE).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Catalog folder to write into.")
@click.option("--prefix", required=True, help="The package's id; its document types become PREFIX.<type>, e.g. th.etda.e-tax-invoice-receipt.")
@click.option("--owner", required=True, help="Agency code of the owner.")
@click.option("--sector", default="commerce", show_default=True)
@click.option("--version", "version", help="Catalog version (default: from the manifest, v2.1 → 2.1.0).")
@click.option("--announcement", help="The register entry it was announced by (default: the manifest's standardCode).")
@click.option("--upstream-repository", help="Where the package is published (recorded as the files' provenance).")
@click.option("--upstream-commit", help="The commit (or tag) the files were taken from.")
@click.option("--upstream-path", default="", help="The package's folder inside that repository.")
@click.option("--upstream-version", help="The publisher's name for the version (default: the manifest's).")
def standards_import(package, manifest, out_dir, prefix, owner, sector, version, announcement, upstream_repository,
                     upstream_commit, upstream_path, upstream_version) -> None:
    """Import a published validation package (XSDs, Schematron, its manifest) into a catalog folder.

    Reads ETDA's MessageInfo.json and validation-config.json as published, or a generic
    manifest; copies the files byte for byte, writes the document types, detection and
    code lists, locks the version and says what to review.
    """
    from validator import DxsError
    from validator.importer import MANIFEST_NAMES, import_package

    folder = Path(package)
    if manifest is None:
        found = [folder / n for n in MANIFEST_NAMES if (folder / n).is_file()]
        if not found:
            raise ConfigError(f"{folder}: no manifest ({', '.join(MANIFEST_NAMES)}); name it with --manifest")
        manifest = found[0]
    if bool(upstream_repository) != bool(upstream_commit):
        raise ConfigError("--upstream-repository and --upstream-commit go together")
    upstream = None
    if upstream_repository:
        upstream = {"repository": upstream_repository, "commit": upstream_commit, "path": upstream_path}
        if upstream_version:
            upstream["version"] = upstream_version
    try:
        result = import_package(Path(manifest), Path(out_dir), prefix=prefix, owner=owner, sector=sector, version=version,
                                announcement=announcement, upstream=upstream)
    except DxsError as exc:
        raise ConfigError(str(exc)) from None
    for ref in result.refs:
        click.echo(f"imported {ref}")
    for note in result.review:
        click.echo(f"review: {note}")
    click.echo(f"then: dxs standards check --catalog {out_dir}; validate with: dxs validate --catalog {out_dir} DOCUMENTS")


@standards.command("export")
@click.option("--format", "output_format", type=click.Choice(["json", "dcat"]), default="json", show_default=True)
@click.option("--base-uri", default="https://standards.dx.go.th", show_default=True, help="Base of the stable identifiers.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@catalog_option
def standards_export(output_format, base_uri, output, catalogs) -> None:
    """Export the whole catalog as one JSON document, or as DCAT-AP JSON-LD."""
    import json

    from validator.publish import catalog_as_dcat, catalog_as_json

    catalog = _catalog(catalogs)
    data = catalog_as_dcat(catalog, base_uri) if output_format == "dcat" else catalog_as_json(catalog, base_uri)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


def _diff_side(catalog, text: str, form: str | None = None):
    """``ID@VERSION`` → the version; a schema file's path → that path."""
    from validator import DxsError

    if text.lower().endswith((".json", ".xsd", ".sch")) or Path(text).is_file():
        if not Path(text).is_file():
            raise DxsError(f"{text}: no such schema file")
        return Path(text)
    if "@" not in text:
        raise DxsError(f"{text!r} is neither ID@VERSION nor a schema file (.json, .xsd, .sch)")
    version = catalog.resolve(text)
    if form is not None:  # compared with a file: take the version's file of the same language
        from validator.compat import schema_form

        path = {"json": version.json_schema, "xsd": version.xml_schema, "schematron": version.rules}[schema_form(Path(form))]
        if path is None:
            raise DxsError(f"{version.ref} has no {Path(form).suffix} schema to compare with {form}")
        return path
    return version


def run_diff(refs: tuple[str, ...], *, catalogs: tuple[str, ...], transitive: bool, output_format: str) -> str:
    """Compare two versions or schema files (or NEW against every earlier version); return the rendering.

    :raises DxsError: a reference or file cannot be used (the CLI exits 2).
    """
    from validator import DxsError
    from validator.compat import diff_files, diff_transitive, diff_versions, dumps, render_text, transitive_to_dict

    catalog = _catalog(catalogs)
    if transitive:
        if not 1 <= len(refs) <= 2:
            raise DxsError("--transitive takes NEW (ID@VERSION), or OLD and NEW to start from OLD")
        new = _diff_side(catalog, refs[-1])
        old = _diff_side(catalog, refs[0]) if len(refs) == 2 else None
        if isinstance(new, Path) or isinstance(old, Path):
            raise DxsError("--transitive compares catalog versions (ID@VERSION), not files")
        results = [r for r in diff_transitive(catalog, new) if old is None or catalog.resolve(r.old).semver >= old.semver]
        if output_format == "json":
            return dumps(transitive_to_dict(results))
        if not results:
            return f"{new.ref}: no earlier announced version to compare with"
        return "\n\n".join(render_text(r) for r in results)
    if len(refs) != 2:
        raise DxsError("give OLD and NEW: each ID@VERSION or a schema file")
    old_text, new_text = refs
    file_side = next((t for t in refs if t.lower().endswith((".json", ".xsd", ".sch")) or Path(t).is_file()), None)
    old = _diff_side(catalog, old_text, file_side)
    new = _diff_side(catalog, new_text, file_side)
    if isinstance(old, Path) or isinstance(new, Path):  # with a file on one side, both are files
        result = diff_files(old, new, catalog=catalog)
    else:
        if old.standard_id != new.standard_id:
            raise DxsError(f"{old.ref} and {new.ref} are versions of different standards")
        result = diff_versions(catalog, old, new)
    return dumps(result.to_dict()) if output_format == "json" else render_text(result)


@standards.command("diff")
@click.argument("refs", nargs=-1, metavar="OLD NEW")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--transitive", is_flag=True, help="Compare NEW with every earlier announced version.")
@catalog_option
def standards_diff(refs, output_format, transitive, catalogs) -> None:
    """What changed between two versions, and whether documents still pass both ways.

    OLD and NEW are ID@VERSION or a schema file (.json, .xsd, .sch). Prints every
    change with its effect, the level (FULL, BACKWARD, FORWARD, NONE) and the
    smallest honest semver bump. Exit 0 (a diff is information), 2 on bad arguments.
    """
    from validator import DxsError

    try:
        click.echo(run_diff(refs, catalogs=catalogs, transitive=transitive, output_format=output_format))
    except DxsError as exc:
        raise ConfigError(str(exc)) from None


# --------------------------------------------------------------------------- convert


def run_convert(path: str, *, to: str, standard: str | None, catalogs: tuple[str, ...], output: str | None) -> int:
    """Convert one document to the other form, check it against that form's schema; return the exit code.

    0: converted and valid; 1: the document could not be converted, or the result is invalid
    (the issues go to stderr); 2 (raised): an unknown standard or an unreadable file.
    """
    from validator import DocumentValidator, DxsError, StandardNotFound
    from validator.convert import ConversionError, convert_document

    catalog = _catalog(catalogs)
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        converted, version = convert_document(catalog, data, to=to, name=path, standard=standard)
    except StandardNotFound as exc:
        raise ConfigError(str(exc)) from None
    except (ConversionError, DxsError) as exc:
        click.echo(f"cannot convert {path}: {exc}", err=True)
        return EXIT_INVALID
    report = DocumentValidator(catalog, standard=version.ref).validate_bytes(converted, f"converted.{to}")
    if output:
        Path(output).write_bytes(converted)
    else:
        click.echo(converted.decode("utf-8"), nl=False)
    for issue in report.issues:
        click.echo(f"converted {to.upper()} is not valid under {version.ref}: {issue}", err=True)
    return EXIT_OK if report.valid else EXIT_INVALID


@main.command()
@click.argument("path")
@click.option("--to", "to", type=click.Choice(["json", "xml"]), required=True, help="The form to convert to.")
@click.option("--standard", "-s", metavar="ID[@VERSION]", help="The document's standard (detected when absent).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
@catalog_option
def convert(path, to, standard, output, catalogs) -> None:
    """Convert PATH (or - for standard input) between a standard's JSON and XML forms.

    The two forms are paired through the version's schemas; the result is checked
    against the other form's schema. Exit 0 converted and valid, 1 not convertible
    or not valid, 2 usage or configuration error.
    """
    sys.exit(run_convert(path, to=to, standard=standard, catalogs=catalogs, output=output))


# --------------------------------------------------------------------------- serve


database_option = click.option(
    "--database",
    envvar="DXS_DATABASE_URL",
    default="sqlite:///.dxs/registry.sqlite",
    show_default=True,
    help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB (also DXS_DATABASE_URL).",
)
log_key_option = click.option(
    "--log-key",
    envvar="DXS_LOG_KEY",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File with the Ed25519 key that signs the log (also DXS_LOG_KEY; default .dxs/log-signing.key).",
)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Worker processes.")
@database_option
@log_key_option
@catalog_option
def serve(host, port, workers, database, log_key, catalogs) -> None:
    """Run the registry service: API, portal and the exchange registry.

    A new SQLite file is created and migrated; any other database must be at the
    newest schema (`dxs registry migrate`). Each worker builds the app from the
    environment (registry.app:create_app_from_env), so all share one database.
    """
    from registry.admin import NotReady, prepare_for_serving
    from registry.signing import default_key_path, load_or_create_signer
    from registry.workers import ListenError
    from registry.workers import run as workers_run

    catalog = _catalog(catalogs)
    try:
        prepared = prepare_for_serving(database)
    except NotReady as exc:
        raise ConfigError(str(exc)) from None
    key_path = (log_key or default_key_path()).resolve()
    signer = load_or_create_signer(key_path)  # made once here, before the workers start
    extra = [p for p in os.environ.get("DXS_CATALOG", "").split(os.pathsep) if p] + [str(Path(c).resolve()) for c in catalogs]
    os.environ.update(DXS_DATABASE_URL=database, DXS_LOG_KEY=str(key_path), DXS_CATALOG=os.pathsep.join(extra))
    click.echo(f"DX Standards Toolkit registry on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    click.echo(f"catalog: {len(catalog)} standards · database: {database} ({prepared}) · workers: {workers}")
    click.echo(f"log signing key: {key_path} (key id {signer.key_id})")
    try:
        workers_run(host, port, workers=workers, log_level=os.environ.get("DXS_LOG_LEVEL", "info"))
    except ListenError as exc:  # the port is taken, or the host is not this machine's
        raise ConfigError(str(exc)) from None


# --------------------------------------------------------------------------- registry


@main.group()
def registry() -> None:
    """Administer the registry: migrate, agencies, keys, verify the log."""


@registry.command("migrate")
@database_option
def registry_migrate(database) -> None:
    """Bring the database to the newest schema (Alembic upgrade head)."""
    from registry.admin import migrate

    before, after = migrate(database)
    click.echo(f"migrated {database}: {before or 'empty'} -> {after}" if before != after else f"{database} is up to date ({after})")


@registry.group("agency")
def registry_agency() -> None:
    """Register and list agencies."""


@registry_agency.command("add")
@click.argument("code")
@click.option("--name-th", required=True, help="Name in Thai.")
@click.option("--name-en", required=True, help="Name in English.")
@click.option("--sector", required=True, help="Sector, e.g. finance, health.")
@click.option("--parent", help="Code of the parent agency.")
@database_option
@log_key_option
def registry_agency_add(code, name_th, name_en, sector, parent, database, log_key) -> None:
    """Register an agency (recorded in the log as done by `cli`)."""
    from pydantic import ValidationError

    from registry.admin import create_agency
    from registry.errors import ServiceError
    from registry.schemas import AgencyCreate

    try:
        data = AgencyCreate(code=code, name_th=name_th, name_en=name_en, sector=sector, parent=parent)
        created = create_agency(database, log_key, data)
    except (ValidationError, ServiceError) as exc:
        raise ConfigError(str(exc)) from None
    click.echo(f"registered {created['code']}: {created['name_th']} · {created['name_en']}")


@registry_agency.command("list")
@database_option
def registry_agency_list(database) -> None:
    """List the registered agencies."""
    from registry.admin import list_agencies

    rows = list_agencies(database)
    for row in rows:
        click.echo(f"{row['code']:<16} {row['status']:<9} {row['sector']:<22} {row['name_th']} · {row['name_en']}")
    click.echo(f"{len(rows)} agencies")


@registry.group("key")
def registry_key() -> None:
    """Issue and revoke API keys."""


@registry_key.command("create")
@click.argument("agency", required=False)
@click.option("--office", is_flag=True, help="An office key (administers agencies and keys) instead of an agency key.")
@click.option("--label", default="", help="What the key is for, e.g. the system that uses it.")
@database_option
@log_key_option
def registry_key_create(agency, office, label, database, log_key) -> None:
    """Issue an API key for AGENCY (or --office). The key is printed once and never again."""
    from registry.admin import create_key
    from registry.errors import ServiceError

    if not agency and not office:
        raise ConfigError("name the AGENCY, or use --office")
    try:
        key_id, secret = create_key(database, log_key, agency=agency, office=office, label=label)
    except ServiceError as exc:
        raise ConfigError(exc.message) from None
    click.echo(secret)
    click.echo(f"key {key_id} for {agency or 'the office'}: store it now; only its hash is kept.", err=True)


@registry_key.command("revoke")
@click.argument("key_id", type=int)
@database_option
@log_key_option
def registry_key_revoke(key_id, database, log_key) -> None:
    """Revoke key KEY_ID at once."""
    from registry.admin import revoke_key
    from registry.errors import ServiceError

    try:
        revoke_key(database, log_key, key_id)
    except ServiceError as exc:
        raise ConfigError(exc.message) from None
    click.echo(f"revoked key {key_id}")


@registry.command("checkpoint")
@database_option
@log_key_option
def registry_checkpoint(database, log_key) -> None:
    """Print the log's latest signed checkpoint (JSON): keep it somewhere else to check against later."""
    import json

    from registry.admin import current_checkpoint

    cp = current_checkpoint(database, log_key)
    if cp is None:
        raise ConfigError("the log is empty: nothing to vouch for yet")
    click.echo(json.dumps(cp, indent=2))


@registry.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@database_option
@log_key_option
def registry_export(file, database, log_key) -> None:
    """Write the whole registry, its log and latest checkpoint, to FILE (JSON lines; - for stdout).

    The format is documented in docs/operators.md; `dxs registry import` reads it back
    into an empty database, on SQLite or PostgreSQL.
    """
    import tempfile

    from registry.backup import export_registry
    from registry.db import Database
    from registry.signing import LogVerifier, default_key_path, load_or_create_signer

    key_path = Path(log_key) if log_key else default_key_path()
    if not key_path.exists():
        raise ConfigError(f"no log signing key at {key_path}: the backup carries its public key (name it with --log-key)")
    public_key = LogVerifier(load_or_create_signer(key_path).public_key).public_key_b64
    db = Database(database, signer=None)
    try:
        if file == "-":
            counts = export_registry(db, sys.stdout, public_key=public_key)
        else:
            target = Path(file)
            # written aside, then renamed: a crash never leaves half a backup under the real name
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent or ".", delete=False, suffix=".part") as fh:
                counts = export_registry(db, fh, public_key=public_key)
            Path(fh.name).replace(target)
    finally:
        db.dispose()
    click.echo(f"exported {sum(counts.values())} rows ({', '.join(f'{n} {t}' for t, n in counts.items() if n)})", err=True)


@registry.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@database_option
@click.option("--public-key", help="Check the log's signatures with this base64 Ed25519 key instead of the one in the file.")
def registry_import(file, database, public_key) -> None:
    """Load FILE (from `dxs registry export`) into an empty database, then verify it.

    Exit 0 imported and verified; 1 the imported log does not verify (nothing kept);
    2 the file is damaged or the database is not empty.
    """
    from registry.backup import BackupError, BackupNotVerified, import_registry
    from registry.signing import LogVerifier

    try:
        result = import_registry(database, file, verifier=LogVerifier.from_b64(public_key) if public_key else None)
    except BackupNotVerified as exc:
        click.echo(f"FAIL  {exc}", err=True)
        sys.exit(EXIT_INVALID)
    except (BackupError, ValueError) as exc:
        raise ConfigError(str(exc)) from None
    report = result.report
    click.echo(f"imported {sum(result.rows.values())} rows into {database}; verified: {report.entries} log entries, root {report.root[:16]}…")


@registry.command("verify")
@database_option
@log_key_option
@click.option("--public-key", help="Check signatures with this base64 Ed25519 public key instead of the key file.")
@click.option("--checkpoint", "witnesses", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A checkpoint kept outside (from GET /api/v1/log/checkpoint); the log must still extend it. Repeatable.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def registry_verify(database, log_key, public_key, witnesses, output_format) -> None:
    """Recompute the log from the database and check every row against it.

    Exit 0 when all holds; 1 naming the first log entry changed, removed or
    reordered and every row that differs from what the log recorded.
    """
    import json

    from registry.admin import verify
    from registry.signing import LogVerifier

    try:
        verifier = LogVerifier.from_b64(public_key) if public_key else None
        report = verify(database, verifier=verifier, log_key=log_key, witnesses=witnesses)
    except (FileNotFoundError, ValueError) as exc:
        raise ConfigError(str(exc)) from None
    if output_format == "json":
        click.echo(json.dumps({
            "ok": report.ok, "entries": report.entries, "checkpoints": report.checkpoints, "rows": report.rows,
            "root": report.root, "first_bad_entry": report.first_bad_entry,
            "findings": [{"seq": f.seq, "message": f.what} for f in report.findings],
        }, indent=2))
    else:
        for finding in report.findings:
            click.echo(f"FAIL  {finding}")
        if report.ok:
            click.echo(f"ok: {report.entries} log entries, {report.checkpoints} signed checkpoints, {report.rows} rows match the log (root {report.root[:16]}…)")
        else:
            first = report.first_bad_entry
            click.echo(f"{len(report.findings)} problems" + (f"; the first bad log entry is {first}" if first is not None else ""))
    sys.exit(EXIT_OK if report.ok else EXIT_INVALID)


# --------------------------------------------------------------------------- report, demo


@main.group()
def report() -> None:
    """Reports for the standards office: indicators 15 and 16."""


@report.command("indicators")
@click.option("--year", type=int, help="CE or BE year (≥ 2400 is BE); default: the current year.")
@click.option("--fiscal", is_flag=True, help="The Thai fiscal year (October–September) named by the year it ends in.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv", "html"]), default="table", show_default=True)
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the charts into FILE.png or FILE.svg.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (html: default indicators-<BE>.html).")
@click.option("--lang", type=click.Choice(["both", "th", "en"]), default="both", show_default=True, help="Language of chart labels.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True), envvar="DXS_INDICATORS_CONFIG",
              help="TOML with key sectors and targets (also DXS_INDICATORS_CONFIG); default: the plan's values.")
@database_option
@catalog_option
def report_indicators(year, fiscal, output_format, chart, output, lang, config_file, database, catalogs) -> None:
    """Indicators 15 (standards announced) and 16 (agencies exchanging under common standards).

    Figures come from the catalog and the registry database, with their definitions,
    the as-of time and the log checkpoint they were computed at.
    """
    from registry.reporting.config import ConfigError as IndicatorConfigError
    from registry.reporting.config import IndicatorConfig
    from registry.reporting.run import NoRegistry, produce

    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise ConfigError(f"--chart {chart}: name a .png or .svg file")
    try:
        config = IndicatorConfig.load(config_file)
        produced = produce(database, _catalog(catalogs), year=year, fiscal=fiscal, output_format=output_format,
                           config=config, output=output, chart=chart, lang=lang)
    except (NoRegistry, IndicatorConfigError, ValueError) as exc:
        raise ConfigError(str(exc)) from None
    for note in produced.notes:
        click.echo(f"note: {note}", err=True)
    if produced.text is not None:
        click.echo(produced.text, nl=False)
    for path in produced.files:
        click.echo(f"wrote {path}", err=True)


@main.group()
def demo() -> None:
    """Demo data for trying the registry and the dashboard."""


@demo.command("seed")
@click.option("--seed", "seed_value", default=2560, show_default=True, type=int, help="Random seed: the same seed gives the same country.")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0, 1, min_open=True),
              help="Fewer provincial units and events (for quick tries); 1 is the full country.")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the registry already has agencies.")
@database_option
@log_key_option
@catalog_option
def demo_seed(seed_value, scale, if_empty, database, log_key, catalogs) -> None:
    """Fill an empty registry with a realistic, reproducible country (150+ agencies, 500+ links, 100,000+ events).

    Everything goes through the registry's services, so the log records it and
    `dxs registry verify` passes; the portal shows a "demo data" banner.
    """
    import time

    from registry.admin import migrate
    from registry.db import Database
    from registry.demo import is_empty, seed
    from registry.errors import ServiceError
    from registry.signing import load_or_create_signer

    catalog = _catalog(catalogs)
    migrate(database)
    db = Database(database, signer=load_or_create_signer(log_key))
    try:
        if not is_empty(db):
            if if_empty:
                click.echo(f"{database} already has agencies: no demo data added")
                return
            raise ConfigError(f"{database} already has agencies: demo data goes only into an empty registry")
        started = time.perf_counter()
        try:
            summary = seed(db, catalog, seed=seed_value, scale=scale)
        except ServiceError as exc:
            raise ConfigError(exc.message) from None
    finally:
        db.dispose()
    for line in summary.lines():
        click.echo(line)
    click.echo(f"seeded {database} in {time.perf_counter() - started:.1f} s; check it with `dxs registry verify`")


if __name__ == "__main__":  # pragma: no cover
    main()
