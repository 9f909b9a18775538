"""The ``dxs`` command line: it only parses.

Each click callback parses its arguments, calls one plain function of the library
(:mod:`validator.runs`, :mod:`validator.commands`, :mod:`validator.listing`) or of the service
(:mod:`registry.admin`, :mod:`registry.backup`, :mod:`registry.demo`,
:mod:`registry.reporting.run`) that returns a result object, and hands that to a
renderer of :mod:`cli_render`, which prints it and says the exit code.

Errors carry their exit code: the library's :class:`~validator.DxsError`, the
service's ``ServiceError``, ``BackupError`` and the others each have an ``exit_code``
attribute, and the root group (:class:`RootGroup`) turns any of them into
``Error: <message>`` on stderr and that exit code, once for every command.

Nothing imports this module. Each callback imports what it needs when it runs:
``dxs validate`` never imports the web framework or the database layer (start-up time).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from dxs import cli_render as show
from dxs.cli_render import UsageProblem

__all__ = ["RootGroup", "UsageProblem", "entry", "main"]


class RootGroup(click.Group):
    """The ``dxs`` group: an error that carries an ``exit_code`` ends the command here.

    The library's and the service's errors know their exit code (2 for a usage or
    configuration error); click's own exceptions are left to click.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit):
            raise
        except Exception as exc:
            code = getattr(exc, "exit_code", None)
            if not isinstance(code, int):
                raise
            failure = click.ClickException(str(exc))  # printed as "Error: <message>" on stderr
            failure.exit_code = code
            raise failure from None


def _catalog(extra: tuple[str, ...]):
    from dxs.validator import catalog_folders, load_catalog

    return load_catalog(catalog_folders(extra))


catalog_option = click.option(
    "--catalog",
    "catalogs",
    multiple=True,
    type=click.Path(),
    help="Extra catalog folder (repeatable; also DXS_CATALOG, ':'-separated). "
    "DXS_BUNDLED_CATALOG=0 leaves the bundled catalog out.",
)


def _usable_database(ctx: click.Context, _param: click.Parameter, url: str) -> str:
    """Check ``--database`` up front: an unusable one ends the command with one line, exit 2."""
    if not ctx.resilient_parsing:  # not while the shell completes a command line
        from dxs.registry.db import check_database

        check_database(url)  # DatabaseUnavailable carries its exit code (RootGroup)
    return url


database_option = click.option(
    "--database",
    envvar="DXS_DATABASE_URL",
    default="sqlite:///.dxs/registry.sqlite",
    show_default=True,
    callback=_usable_database,
    help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB (also DXS_DATABASE_URL).",
)
log_key_option = click.option(
    "--log-key",
    envvar="DXS_LOG_KEY",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File with the Ed25519 key that signs the log (also DXS_LOG_KEY; default .dxs/log-signing.key).",
)


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--signatures", type=click.Choice(["on", "off"]), default="on", show_default=True, help="Check XML and PDF signatures (off: skipped, and the report says so).")
@click.option("--trust", "trust", multiple=True, type=click.Path(exists=True), metavar="FILE|DIR", envvar="DXS_TRUST", help="Trust anchors for signers: PEM/DER certificates, or a folder of them (repeatable; default: DXS_TRUST, paths separated by :).")
@click.option("--require-signature", is_flag=True, help="An unsigned document is invalid.")
@click.option("--require-trusted", is_flag=True, help="A signer that does not chain to --trust is an error, not a warning.")
def validate(paths, standard, schema, rules, catalogs, output_format, lang, at, jobs, no_progress, colour, max_bytes, stream_bytes,
             signatures, trust, require_signature, require_trusted) -> None:
    """Validate JSON and XML documents, and PDF/A-3 containers (files, folders, globs, or - for stdin).

    Without --standard or --schema, each document's standard and version are
    detected from the document itself. XML signatures (XML-DSig, XAdES) and PDF
    signatures are checked; a PDF's embedded XML is validated in full. Exit 0: all
    valid; 1: some invalid; 2: usage or configuration error.
    """
    from dxs.validator.bulk import ValidatorConfig
    from dxs.validator.catalog import catalog_folders
    from dxs.validator.runs import validate_inputs
    from dxs.validator.validate import DEFAULT_MAX_BYTES

    config = ValidatorConfig(
        catalog_folders=tuple(str(p) for p in catalog_folders(catalogs)),
        standard=standard,
        schema=schema,
        rules=rules,
        at=at.date() if at else None,
        max_bytes=max_bytes or DEFAULT_MAX_BYTES,
        stream_bytes=stream_bytes,
        signatures=signatures == "on",
        trust=tuple(trust),
        require_signature=require_signature,
        require_trusted=require_trusted,
    )
    run = validate_inputs(paths, config, jobs=jobs, progress=None if no_progress else show.progress_bar)
    code = show.validation(run, output_format=output_format, lang=lang, colour=colour)
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
    from dxs.validator.listing import list_announcements, list_standards

    catalog = _catalog(catalogs)
    if announcements:
        show.announcement_listing(list_announcements(catalog, year=year), output_format)
    else:
        listing = list_standards(catalog, status=status, sector=sector, owner=owner, year=year, only_real=only_real)
        show.standards_listing(listing, output_format)


@standards.command("show")
@click.argument("ref", metavar="ID[@VERSION]")
@catalog_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def standards_show(ref, catalogs, output_format) -> None:
    """Show a standard (or one version): provenance, announcement, files, code lists, examples.

    A package's id shows its document types.
    """
    from dxs.validator.listing import show_standard

    show.standard_shown(show_standard(_catalog(catalogs), ref), output_format)


@standards.command("check")
@click.argument("refs", nargs=-1, metavar="[ID[@VERSION]]...")
@catalog_option
def standards_check(refs, catalogs) -> None:
    """Check the catalog, or the standards and versions named: metadata, schemas, conformance kits, twins, hashes.

    Exit 0 when everything holds, 1 with a list of what failed.
    """
    from dxs.validator.commands import check_standards

    sys.exit(show.catalog_check(check_standards(_catalog(catalogs), refs)))


@standards.command("new")
@click.argument("standard_id", metavar="ID[@VERSION]")
@click.option("--bump", type=click.Choice(["major", "minor", "patch"]), default="minor", show_default=True,
              help="For an existing standard: which part of the latest version to raise.")
@click.option("--version", "version", help="For an existing standard: the exact new version (or give ID@VERSION).")
@click.option("--into", type=click.Path(file_okay=False), help="Catalog folder for a new standard (default: the first --catalog).")
@click.option("--title-th", help="New standard: Thai title.")
@click.option("--title-en", help="New standard: English title.")
@click.option("--owner", help="New standard: owner agency code.")
@click.option("--sector", help="New standard: sector.")
@catalog_option
def standards_new(standard_id, bump, version, into, title_th, title_en, owner, sector, catalogs) -> None:
    """Scaffold a new standard, or a new draft version of an existing one (copying the latest).

    A new version is a draft, never the detection default, and carries its own version
    marker wherever the old one stood (version.toml, schemas, examples).
    """
    from dxs.validator.commands import scaffold

    made = scaffold(_catalog(catalogs), standard_id, bump=bump, version=version, into=into or (catalogs[0] if catalogs else None),
                    title_th=title_th, title_en=title_en, owner=owner, sector=sector)
    show.scaffolded(made)


_date_type = click.DateTime(formats=["%Y-%m-%d"])


@standards.command("lock")
@click.argument("refs", nargs=-1, metavar="ID@VERSION...")
@click.option("--announce", type=_date_type, help="Announce the version on this date (as `dxs standards announce`), then lock it.")
@click.option("--announcement", help="The announcement number it was announced by (an entry of the register, announcements.toml).")
@click.option("--all-announced", is_flag=True, help="Lock every announced version that has no hashes yet.")
@catalog_option
def standards_lock(refs, announce, announcement, all_announced, catalogs) -> None:
    """Record the SHA-256 of every file of a version, so it can never change silently."""
    from dxs.validator.commands import lock_versions

    catalog = _catalog(catalogs)
    show.locked(lock_versions(catalog, refs, announce=announce.date() if announce else None, announcement=announcement,
                              all_announced=all_announced))


@standards.command("announce")
@click.argument("ref", metavar="ID@VERSION")
@click.option("--on", "on", type=_date_type, required=True, help="The announcement date (YYYY-MM-DD).")
@click.option("--effective", type=_date_type, help="First day documents may use it (default: its own, else the announcement date).")
@click.option("--announcement", help="The announcement number it was announced by (an entry of the register, announcements.toml).")
@click.option("--notes", help="What the version is and what changed (replaces its notes).")
@catalog_option
def standards_announce(ref, on, effective, announcement, notes, catalogs) -> None:
    """Announce a draft version and lock it: status announced, dated history, SHA-256 of every file.

    Refused (exit 2, version.toml untouched) for a date before the version's history or
    placeholder notes.
    """
    from dxs.validator.commands import announce

    show.status_changed(announce(_catalog(catalogs), ref, on=on.date(), effective=effective.date() if effective else None,
                                 announcement=announcement, notes=notes))


@standards.command("deprecate")
@click.argument("ref", metavar="ID@VERSION")
@click.option("--on", "on", type=_date_type, required=True, help="The deprecation date (YYYY-MM-DD).")
@click.option("--sunset", type=_date_type, help="Last day documents may use it (not before --on).")
@catalog_option
def standards_deprecate(ref, on, sunset, catalogs) -> None:
    """Deprecate an announced version: status deprecated, dated history, optional sunset."""
    from dxs.validator.commands import deprecate

    show.status_changed(deprecate(_catalog(catalogs), ref, on=on.date(), sunset=sunset.date() if sunset else None))


@standards.command("retire")
@click.argument("ref", metavar="ID@VERSION")
@click.option("--on", "on", type=_date_type, required=True, help="The retirement date (YYYY-MM-DD), not before its deprecation.")
@catalog_option
def standards_retire(ref, on, catalogs) -> None:
    """Retire an announced or deprecated version: status retired, dated history."""
    from dxs.validator.commands import retire

    show.status_changed(retire(_catalog(catalogs), ref, on=on.date()))


@standards.command("docs")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write the static site to.")
@catalog_option
def standards_docs(out_dir, catalogs) -> None:
    """Build the human documentation of every standard as static HTML pages."""
    from dxs.registry.pages import build_static_site

    show.static_site(build_static_site(_catalog(catalogs), Path(out_dir)), out_dir)


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
    from dxs.validator.commands import import_folder

    result = import_folder(package, manifest=manifest, out=out_dir, prefix=prefix, owner=owner, sector=sector, version=version,
                           announcement=announcement, upstream_repository=upstream_repository, upstream_commit=upstream_commit,
                           upstream_path=upstream_path, upstream_version=upstream_version)
    show.imported(result, out_dir)


@standards.command("export")
@click.option("--format", "output_format", type=click.Choice(["json", "dcat"]), default="json", show_default=True)
@click.option("--base-uri", default="https://standards.dx.go.th", show_default=True, help="Base of the stable identifiers.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@catalog_option
def standards_export(output_format, base_uri, output, catalogs) -> None:
    """Export the whole catalog as one JSON document, or as DCAT-AP JSON-LD."""
    from dxs.validator.commands import export_catalog

    show.catalog_export(export_catalog(_catalog(catalogs), output_format=output_format, base_uri=base_uri), output)


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
    from dxs.validator.commands import compare

    show.comparison(compare(_catalog(catalogs), refs, transitive=transitive), output_format)


# --------------------------------------------------------------------------- convert


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
    from dxs.validator.commands import convert_input

    sys.exit(show.conversion(convert_input(_catalog(catalogs), path, to=to, standard=standard), output))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the signed document here (default: standard output).")
@click.option("--pkcs12", type=click.Path(dir_okay=False, path_type=Path), help="The signer's key and chain in a PKCS#12 (.p12/.pfx) file.")
@click.option("--key", type=click.Path(dir_okay=False, path_type=Path), help="The signer's PEM private key (with --cert).")
@click.option("--cert", type=click.Path(dir_okay=False, path_type=Path), help="PEM: the signer's certificate first, then its chain.")
@click.option("--password-env", metavar="VAR", help="Read the key's password from this environment variable (never from the command line).")
@click.option("--tsa", metavar="URL", help="Time-stamp the signature (XAdES-T) at this RFC 3161 authority.")
def sign(path, output, pkcs12, key, cert, password_env, tsa) -> None:
    """Sign an XML document (PATH, or - for standard input) with an enveloped XAdES-BES signature.

    For developers and test benches: `dxs validate` checks what this signs. Exit 0 signed,
    2 usage or configuration error (unreadable key, wrong password, not XML, the
    time-stamp authority failed).
    """
    from dxs.validator.errors import DxsError
    from dxs.validator.signing import sign_xml, signing_key

    password = None
    if password_env:
        if password_env not in os.environ:
            raise DxsError(f"--password-env: the environment variable {password_env} is not set")
        password = os.environ[password_env].encode()
    signer = signing_key(pkcs12=pkcs12, key=key, cert=cert, password=password)
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise DxsError(f"{path}: cannot be read: {exc.strerror}") from None
    signed = sign_xml(data, signer, tsa_url=tsa)
    show.signed(signed, output, signer=signer.subject, timestamped=bool(tsa))


# --------------------------------------------------------------------------- serve


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
    from dxs.registry.admin import prepare_to_serve
    from dxs.registry.workers import run as run_workers

    show.serving(prepare_to_serve(database, log_key=log_key, catalogs=catalogs), host=host, port=port, workers=workers)
    run_workers(host, port, workers=workers, log_level=os.environ.get("DXS_LOG_LEVEL", "info"))


# --------------------------------------------------------------------------- registry


@main.group()
def registry() -> None:
    """Administer the registry: migrate, agencies, keys, verify the log."""


@registry.command("migrate")
@database_option
def registry_migrate(database) -> None:
    """Bring the database to the newest schema (Alembic upgrade head)."""
    from dxs.registry.admin import migrate

    show.migrated(database, *migrate(database))


@registry.group("agency")
def registry_agency() -> None:
    """Register, change and list agencies and the other parties to exchanges."""


_KINDS_HELP = ("Party kind (required): ministry-department, local-administration, state-enterprise, public-organisation, "
               "independent-body, private-juristic-person, foreign-party (an unknown one is refused with the valid codes).")


@registry_agency.command("add")
@click.argument("code")
@click.option("--name-th", required=True, help="Name in Thai.")
@click.option("--name-en", required=True, help="Name in English.")
@click.option("--sector", required=True, help="Sector code, e.g. finance, health (an unknown one is refused with the valid codes).")
@click.option("--kind", help=_KINDS_HELP)
@click.option("--juristic-id", help="13-digit juristic person ID, checked by its check digit (required for private-juristic-person).")
@click.option("--registered-on", metavar="YYYY-MM-DD", help="First day the party exists for the registry (default: today in Bangkok).")
@click.option("--dissolved-on", metavar="YYYY-MM-DD", help="First day the party no longer exists.")
@click.option("--parent", help="Code of the parent agency.")
@database_option
@log_key_option
def registry_agency_add(code, name_th, name_en, sector, kind, juristic_id, registered_on, dissolved_on, parent, database, log_key) -> None:
    """Register an agency or another party (recorded in the log as done by `cli`)."""
    from dxs.registry.admin import register_agency

    show.agency_registered(register_agency(
        database, log_key, code=code, name_th=name_th, name_en=name_en, sector=sector, kind=kind,
        juristic_id=juristic_id, registered_on=registered_on, dissolved_on=dissolved_on, parent=parent,
    ))


@registry_agency.command("update")
@click.argument("code")
@click.option("--name-th", help="Name in Thai.")
@click.option("--name-en", help="Name in English.")
@click.option("--sector", help="New sector code; it applies from --sector-since and is added to the sector history.")
@click.option("--sector-since", metavar="YYYY-MM-DD", help="First day the new sector applies (only with --sector; default: today in Bangkok).")
@click.option("--kind", help=_KINDS_HELP.replace(" (required)", ""))
@click.option("--juristic-id", help="13-digit juristic person ID, checked by its check digit.")
@click.option("--registered-on", metavar="YYYY-MM-DD", help="First day the party exists for the registry.")
@click.option("--dissolved-on", metavar="YYYY-MM-DD", help="First day the party no longer exists.")
@click.option("--parent", help="Code of the parent agency.")
@click.option("--status", type=click.Choice(["active", "inactive"]), help="Suspend (inactive) or resume (active) the party.")
@database_option
@log_key_option
def registry_agency_update(code, name_th, name_en, sector, sector_since, kind, juristic_id, registered_on, dissolved_on, parent, status,
                           database, log_key) -> None:
    """Change an agency (recorded in the log as done by `cli`); options not given stay as they are."""
    from dxs.registry.admin import update_agency

    show.agency_changed(update_agency(
        database, log_key, code, name_th=name_th, name_en=name_en, sector=sector, sector_since=sector_since, kind=kind,
        juristic_id=juristic_id, registered_on=registered_on, dissolved_on=dissolved_on, parent=parent, status=status,
    ))


@registry_agency.command("list")
@click.option("--kind", help="Only parties of this kind (an unknown one is refused with the valid codes).")
@database_option
def registry_agency_list(kind, database) -> None:
    """List the registered agencies and other parties: kind, sector, dates."""
    from dxs.registry.admin import list_agencies

    show.agencies(list_agencies(database, kind=kind))


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
    from dxs.registry.admin import create_key

    if not agency and not office:
        raise UsageProblem("name the AGENCY, or use --office")
    key_id, secret = create_key(database, log_key, agency=agency, office=office, label=label)
    show.key_issued(key_id, secret, agency)


@registry_key.command("revoke")
@click.argument("key_id", type=int)
@database_option
@log_key_option
def registry_key_revoke(key_id, database, log_key) -> None:
    """Revoke key KEY_ID at once."""
    from dxs.registry.admin import revoke_key

    revoke_key(database, log_key, key_id)
    show.key_revoked(key_id)


@registry.command("checkpoint")
@database_option
@log_key_option
def registry_checkpoint(database, log_key) -> None:
    """Print the log's latest signed checkpoint (JSON): keep it somewhere else to check against later."""
    from dxs.registry.admin import current_checkpoint

    show.checkpoint(current_checkpoint(database, log_key))


@registry.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@database_option
@log_key_option
def registry_export(file, database, log_key) -> None:
    """Write the whole registry, its log and latest checkpoint, to FILE (JSON lines; - for stdout).

    The format is documented in docs/operators.md; `dxs registry import` reads it back
    into an empty database, on SQLite or PostgreSQL.
    """
    from dxs.registry.backup import export_file

    show.exported(export_file(database, sys.stdout if file == "-" else Path(file), log_key=log_key))


@registry.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@database_option
@click.option("--public-key", help="Check the log's signatures with this base64 Ed25519 key instead of the one in the file.")
def registry_import(file, database, public_key) -> None:
    """Load FILE (from `dxs registry export`) into an empty database, then verify it.

    Exit 0 imported and verified; 1 the imported log does not verify (nothing kept);
    2 the file is damaged or the database is not empty.
    """
    from dxs.registry.backup import restore

    sys.exit(show.restored(restore(database, file, public_key=public_key)))


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
    from dxs.registry.admin import verify_log

    report = verify_log(database, public_key=public_key, log_key=log_key, witnesses=witnesses)
    sys.exit(show.verify_report(report, output_format))


@registry.command("notify")
@click.option("--today", callback=lambda ctx, param, value: _today(ctx, param, value),  # _today is defined with the reports below
              metavar="YYYY-MM-DD", help="Decide as of this day (default: today in Bangkok).")
@click.option("--grace-days", type=click.IntRange(0, 3650), default=365, show_default=True, envvar="DXS_NOTICE_GRACE_DAYS",
              help="Deadline of a deprecated version without a sunset date: this many days after its deprecation "
                   "(a setting, not an official rule; also DXS_NOTICE_GRACE_DAYS).")
@database_option
@log_key_option
@catalog_option
def registry_notify(today, grace_days, database, log_key, catalogs) -> None:
    """Make a notice for each party of each live link on a deprecated or sunset-dated version.

    Each notice carries its deadline and where to move (the newest announced version and
    what `dxs standards diff` finds); all are logged. A notice is made once: running it
    again makes nothing new. `dxs registry deliver` sends them.
    """
    from dxs.registry.notices_delivery import notify

    show.notices_made(notify(database, log_key=log_key, catalog=_catalog(catalogs), today=today, grace_days=grace_days))


@registry.command("deliver")
@click.option("--once", is_flag=True, help="One pass, then exit (default: a pass every --poll seconds until interrupted).")
@click.option("--poll", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds between passes.")
@database_option
@log_key_option
def registry_deliver(once, poll, database, log_key) -> None:
    """Send the notices due to their agencies' webhooks, signed with the log key; retry failures with backoff.

    Timeout and backoff: DXS_NOTICE_TIMEOUT, DXS_NOTICE_RETRY_BASE, DXS_NOTICE_RETRY_CAP (seconds).
    """
    from dxs.registry.notices_delivery import DeliverySettings, deliver

    try:
        settings = DeliverySettings.from_env()
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    try:
        deliver(database, log_key=log_key, once=once, poll=poll, settings=settings, on_pass=show.delivery_pass)
    except KeyboardInterrupt:  # the loop's way out: what was sent is recorded
        pass


@registry.command("audit")
@click.option("--checkpoint", "saved", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A checkpoint saved earlier: the JSON of GET /api/v1/log/checkpoint (or of `dxs registry checkpoint`).")
@click.option("--server", required=True, help="The registry's address, e.g. https://registry.example.go.th")
@click.option("--public-key", metavar="KEY_B64_OR_FILE",
              help="The operator's published Ed25519 public key (base64, or a file holding it in base64 or PEM). "
                   "Default: the key inside the saved checkpoint; never the one the server sends now.")
@click.option("--seq", "seqs", multiple=True, type=click.IntRange(min=0),
              help="Also prove this log entry is in the log: the log_seq of a write's answer. Repeatable.")
@click.option("--entry-hash", "entry_hashes", multiple=True, metavar="HEX",
              help="The hash the entry must have, one for each --seq in the same order (when you have it).")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True), help="Seconds to wait for each answer.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def registry_audit(saved, server, public_key, seqs, entry_hashes, timeout, output_format) -> None:
    """Check from the outside, without the database, that the log only grew since a checkpoint you kept.

    Both checkpoints' signatures are checked with the pinned key (the operator publishes
    it), then the server's RFC 9162 proofs: that its log extends the saved one, and that
    each --seq entry is in it. Exit 0 when all holds; 1 when a signature or a proof fails
    (the log was rewritten or truncated); 2 for a usage error or an unreachable server.
    """
    from dxs.registry.audit import audit, http_fetch

    if entry_hashes and len(entry_hashes) != len(seqs):
        raise UsageProblem(f"give one --entry-hash for each --seq, in the same order ({len(entry_hashes)} for {len(seqs)})")
    entries = list(zip(seqs, entry_hashes or [None] * len(seqs)))
    report = audit(saved, http_fetch(server, timeout=timeout), server=server, public_key=public_key, entries=entries)
    sys.exit(show.audit_report(report, output_format))


# --------------------------------------------------------------------------- report, demo


@main.group()
def report() -> None:
    """Reports for the standards office: indicators 15 and 16, and the work lists (needs, upkeep)."""


@report.command("indicators")
@click.option("--year", type=int, help="CE or BE year (≥ 2400 is BE); default: the current (fiscal) year.")
@click.option("--fiscal/--calendar", default=True, show_default="--fiscal",
              help="Thai fiscal years (1 October – 30 September, named by the year they end in), or calendar years.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv", "html", "pdf"]), default="table", show_default=True,
              help="html and pdf: the report to file with the office (Thai first, notes and a sign-off block); pdf needs Pango.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the charts into FILE.png or FILE.svg.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (html, pdf: default indicators-<BE>[-fiscal].html / .pdf).")
@click.option("--lang", type=click.Choice(["both", "th", "en"]), default="both", show_default=True, help="Language of chart labels.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True), envvar="DXS_INDICATORS_CONFIG",
              help="TOML with key sectors and targets (also DXS_INDICATORS_CONFIG); default: the plan's values.")
@click.option("--publish", is_flag=True,
              help="Freeze the year's figures, definitions and configuration in the signed log (office; the year must have ended).")
@click.option("--replace", is_flag=True, help="With --publish: publish a year again, superseding its earlier publication.")
@database_option
@log_key_option
@catalog_option
def report_indicators(year, fiscal, output_format, chart, output, lang, config_file, publish, replace, database, log_key, catalogs) -> None:
    """Indicators 15 (standards announced) and 16 (agencies exchanging under common standards).

    Figures come from the catalog and the registry database, with their definitions,
    the as-of time and the log checkpoint they were computed at. A published year shows
    its published figures, and the revised ones beside them if the registry has changed since.
    """
    from dxs.registry.reporting.run import report_indicators as produce_report

    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise UsageProblem(f"--chart {chart}: name a .png or .svg file")
    if replace and not publish:
        raise UsageProblem("--replace only goes with --publish")
    produced = produce_report(database, catalogs=catalogs, config_file=config_file, year=year, fiscal=fiscal,
                              output_format=output_format, output=output, chart=chart, lang=lang,
                              publish=publish, replace=replace, log_key=log_key)
    show.indicators(produced)


def _today(ctx: click.Context, _param: click.Parameter, value: str | None):
    """``--today YYYY-MM-DD``: the day a work list is computed for (default: today in Bangkok)."""
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD (CE), e.g. 2025-10-01") from None


worklist_format = click.option("--format", "output_format", type=click.Choice(["table", "json", "csv", "html", "pdf"]), default="table",
                               show_default=True, help="html and pdf: the list to keep on file (Thai first); pdf needs Pango.")
worklist_output = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                               help="Write to FILE (html, pdf: default <report>-<date>.html / .pdf).")
worklist_today = click.option("--today", callback=_today, metavar="YYYY-MM-DD",
                              help="Measure from this day (traffic over the 12 months up to it, ages, review dates); the requests, links "
                                   "and groups are as the registry stands now. Default: today in Bangkok.")


@report.command("needs")
@worklist_format
@worklist_output
@worklist_today
@database_option
def report_needs(output_format, output, today, database) -> None:
    """Activity 4.1: which standards are most needed, ranked (the rule is printed with the list).

    Need groups, open requests in no group, and links without a standard in no group, ranked by the
    messages observed over their standard-less links in the last 12 months, then agencies and sectors
    asking, the highest urgency, and the oldest request. Each lists its requests and links.
    """
    from dxs.registry.reporting.needs import produce

    show.worklist(produce(database, output_format=output_format, output=output, today=today))


@report.command("upkeep")
@worklist_format
@worklist_output
@worklist_today
@click.option("--review-years", type=click.IntRange(1, 50), default=5, show_default=True, envvar="DXS_REVIEW_YEARS",
              help="A standard is due for review this many years after its last revision (a setting, not an official rule; "
                   "also DXS_REVIEW_YEARS).")
@database_option
@catalog_option
def report_upkeep(output_format, output, today, review_years, database, catalogs) -> None:
    """Activity 4.4: reviews due, use per version, links past sunset or on deprecated versions,
    code lists older than the catalog holds elsewhere, and the standards and links a shared component touches."""
    from dxs.registry.reporting.upkeep import produce

    show.worklist(produce(database, _catalog(catalogs), output_format=output_format, output=output, today=today,
                          review_years=review_years))


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
    from dxs.registry.demo import seed_registry

    catalog = _catalog(catalogs)
    show.seeded(seed_registry(database, catalog, log_key=log_key, random_seed=seed_value, scale=scale, if_empty=if_empty))


if __name__ == "__main__":  # pragma: no cover
    main()
