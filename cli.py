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


# --------------------------------------------------------------------------- validate


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
) -> int:
    """Validate ``paths`` and print the report; return the exit code."""
    from validator import DocumentValidator, DxsError, Report
    from validator.inputs import STDIN, expand_paths
    from validator.render import RENDERERS
    from validator.validate import DEFAULT_MAX_BYTES

    catalog = _catalog(catalogs)
    try:
        validator = DocumentValidator(
            catalog,
            standard=standard,
            schema=Path(schema) if schema else None,
            rules=Path(rules) if rules else None,
            at=at,
            max_bytes=max_bytes or DEFAULT_MAX_BYTES,
        )
        documents = expand_paths(paths)
    except DxsError as exc:
        raise ConfigError(str(exc)) from None
    reports: list[Report] = []
    for name in documents:
        if name == STDIN:
            reports.append(validator.validate_bytes(sys.stdin.buffer.read(), "-"))
        else:
            reports.append(validator.validate_path(name))
    renderer = RENDERERS[output_format](lang=lang)
    click.echo(renderer.render(reports), nl=False)
    return EXIT_OK if all(r.valid for r in reports) else EXIT_INVALID


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--standard", "-s", metavar="ID[@VERSION]", help="Hold every document to this standard.")
@click.option("--schema", type=click.Path(dir_okay=False), help="Any JSON Schema (.json) or XSD (.xsd) file.")
@click.option("--rules", type=click.Path(dir_okay=False), help="A Schematron file (.sch), alone or with a schema.")
@catalog_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "th"]), default="en", show_default=True, help="Language of messages.")
@click.option("--at", type=click.DateTime(formats=["%Y-%m-%d"]), help="Detect the version in force on this date.")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Refuse documents larger than this (default 256 MiB).")
def validate(paths, standard, schema, rules, catalogs, output_format, lang, at, max_bytes) -> None:
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
    )
    sys.exit(code)


# --------------------------------------------------------------------------- standards


@main.group()
def standards() -> None:
    """Browse and maintain the catalog of standards."""


def _version_row(v) -> dict:
    return {
        "version": v.version,
        "status": v.status,
        "announced": v.announced.isoformat() if v.announced else None,
        "effective": v.effective.isoformat() if v.effective else None,
        "sunset": v.sunset.isoformat() if v.sunset else None,
        "forms": [f for f, p in (("json", v.json_schema), ("xml", v.xml_schema), ("schematron", v.rules)) if p],
    }


def standard_summary(s) -> dict:
    """A standard as plain data (used by `list --format json` and `show`)."""
    return {
        "id": s.id,
        "national_code": s.national_code,
        "title_th": s.title_th,
        "title_en": s.title_en,
        "owner": s.owner,
        "sector": s.sector,
        "legal_basis": s.legal_basis,
        "base_standard": s.base_standard,
        "licence": s.licence,
        "contact": s.contact,
        "versions": [_version_row(v) for v in s.versions],
    }


@standards.command("list")
@catalog_option
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--status", help="Only standards with a version in this status.")
@click.option("--sector", help="Only standards of this sector.")
@click.option("--owner", help="Only standards owned by this agency code.")
@click.option("--year", type=int, help="Only versions announced in this year (CE, or BE if ≥ 2400).")
def standards_list(catalogs, output_format, status, sector, owner, year) -> None:
    """List the standards of the catalog and their versions."""
    import json

    if year is not None and year >= 2400:
        year -= 543
    rows = []
    for s in _catalog(catalogs):
        if (sector and s.sector != sector) or (owner and s.owner.lower() != owner.lower()):
            continue
        versions = [
            v
            for v in s.versions
            if (not status or v.status == status) and (year is None or (v.announced and v.announced.year == year))
        ]
        if (status or year is not None) and not versions:
            continue
        row = standard_summary(s)
        row["versions"] = [_version_row(v) for v in versions]
        rows.append(row)
    if output_format == "json":
        click.echo(json.dumps({"standards": rows}, ensure_ascii=False, indent=2))
        return
    for row in rows:
        versions = ", ".join(f"{v['version']} ({v['status']}{', ' + v['announced'][:4] if v['announced'] else ''})" for v in row["versions"])
        click.echo(f"{row['id']:<42} {row['sector']:<22} {row['title_en']}")
        click.echo(f"{'':<42} {row['national_code']:<22} {row['title_th']}")
        click.echo(f"{'':<42} versions: {versions}")
    click.echo(f"{len(rows)} standards, {sum(len(r['versions']) for r in rows)} versions")


@standards.command("show")
@click.argument("ref", metavar="ID[@VERSION]")
@catalog_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def standards_show(ref, catalogs, output_format) -> None:
    """Show a standard (or one version): metadata, versions, files, examples."""
    import json

    from validator import DxsError

    catalog = _catalog(catalogs)
    standard_id, _, version = ref.partition("@")
    try:
        standard = catalog.standard(standard_id)
        versions = [standard.version(version)] if version else list(standard.versions)
    except DxsError as exc:
        raise ConfigError(str(exc)) from None
    data = standard_summary(standard)
    data["versions"] = []
    for v in versions:
        row = _version_row(v)
        row["notes"] = v.notes
        row["history"] = [{"status": h.status, "date": h.date.isoformat()} for h in v.history]
        row["files"] = [str(p.relative_to(v.folder)) for p in v.files() if "examples" not in p.parts]
        row["examples"] = {k: [p.name for p in v.examples(k)] for k in ("valid", "invalid")}
        data["versions"].append(row)
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{standard.id}  {standard.national_code}")
    click.echo(f"  {standard.title_th}\n  {standard.title_en}")
    click.echo(f"  owner {standard.owner} · sector {standard.sector} · licence {standard.licence}")
    click.echo(f"  legal basis: {standard.legal_basis}\n  base standard: {standard.base_standard}")
    for row in data["versions"]:
        click.echo(f"\n  {row['version']}  {row['status']}  announced {row['announced'] or '-'}  effective {row['effective'] or '-'}")
        if row["notes"]:
            click.echo(f"    {row['notes']}")
        click.echo(f"    files: {', '.join(row['files'])}")
        click.echo(f"    examples: {len(row['examples']['valid'])} valid, {len(row['examples']['invalid'])} invalid")


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
@click.option("--all-announced", is_flag=True, help="Lock every announced version that has no hashes yet.")
@catalog_option
def standards_lock(refs, announce, all_announced, catalogs) -> None:
    """Record the SHA-256 of every file of a version, so it can never change silently."""
    from validator import DxsError
    from validator.publish import lock_version

    catalog = _catalog(catalogs)
    try:
        versions = [catalog.resolve(r) for r in refs]
        if all_announced:
            versions += [v for v in catalog.versions() if v.is_announced and not v.hashes]
        if not versions:
            raise DxsError("name the versions to lock (ID@VERSION), or use --all-announced")
        for v in versions:
            hashes = lock_version(v, announce=announce.date() if announce else None)
            click.echo(f"locked {v.ref}: {len(hashes)} files")
    except DxsError as exc:
        raise ConfigError(str(exc)) from None


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


# --------------------------------------------------------------------------- serve


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--database", envvar="DXS_DATABASE_URL", default="sqlite:///.dxs/registry.sqlite", show_default=True,
              help="Database URL (also DXS_DATABASE_URL).")
@catalog_option
def serve(host, port, database, catalogs) -> None:
    """Run the registry service: catalog API, portal and (later) the registry."""
    import uvicorn

    from registry.app import create_app

    catalog = _catalog(catalogs)
    if database.startswith("sqlite:///"):
        Path(database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    app = create_app(catalog=catalog, database_url=database)
    click.echo(f"DX Standards Toolkit registry on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    click.echo(f"catalog: {len(catalog)} standards · database: {database}")
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("DXS_LOG_LEVEL", "info"))


if __name__ == "__main__":  # pragma: no cover
    main()
