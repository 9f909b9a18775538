"""``dxs standards list``, ``show`` and ``list --announcements``: what they select, and the catalog as text for people.

:func:`list_standards`, :func:`list_announcements` and :func:`show_standard` pick from
the catalog and return a result; the line functions turn catalog objects into text,
which the command line prints. Every line that names a standard says whether it is
real (and from where) or illustrative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .announcements import Announcement, Register
from .catalog import ILLUSTRATIVE_LABEL, Catalog, Standard, StandardVersion
from .errors import DxsError, StandardNotFound
from .sectors import SECTORS
from .years import be_year, ce_year

__all__ = [
    "AnnouncementListing",
    "PackageShown",
    "StandardShown",
    "StandardsListing",
    "announcement_lines",
    "list_announcements",
    "list_standards",
    "provenance",
    "show_standard",
    "standard_lines",
    "standards_table",
]


# --------------------------------------------------------------------------- what the commands select


def _be(year: int | None) -> int | None:
    """A CE or BE year (≥ 2400 is BE) as BE: the register counts in BE, the catalog's dates are CE."""
    return be_year(ce_year(year)) if year is not None else None


@dataclass(frozen=True)
class StandardsListing:
    """The standards that pass ``dxs standards list``'s filters, each with the versions that do."""

    catalog: Catalog
    standards: list[Standard]
    versions_of: Mapping[str, list[StandardVersion]]


@dataclass(frozen=True)
class AnnouncementListing:
    """The register of announcements, or one Buddhist Era year of it."""

    catalog: Catalog
    year_be: int | None

    @property
    def announcements(self) -> list[Announcement]:
        return [a for a in self.catalog.register if self.year_be is None or a.year_be == self.year_be]


@dataclass(frozen=True)
class StandardShown:
    """One standard, with all its versions or the one asked for."""

    catalog: Catalog
    standard: Standard
    versions: list[StandardVersion]


@dataclass(frozen=True)
class PackageShown:
    """A package: the document types that share its versions."""

    catalog: Catalog
    package: str
    members: list[Standard]


def list_standards(
    catalog: Catalog,
    *,
    status: str | None = None,
    sector: str | None = None,
    owner: str | None = None,
    year: int | None = None,
    only_real: bool = False,
) -> StandardsListing:
    """The standards of ``sector``, of agency ``owner`` (any case), real ones only, with a version
    in ``status`` or announced in ``year`` (CE, or BE if ≥ 2400); ``None`` and ``False`` filter nothing."""
    if sector and sector not in SECTORS:  # a typo must not read as "0 standards"
        raise DxsError(f"--sector {sector!r}: unknown sector; use one of {', '.join(SECTORS)}")
    year_be = _be(year)
    chosen, versions_of = [], {}
    for s in catalog:
        if (sector and s.sector != sector) or (owner and s.owner.lower() != owner.lower()) or (only_real and s.illustrative):
            continue
        versions = [
            v
            for v in s.versions
            if (not status or v.status == status) and (year_be is None or _announced_year_be(catalog, v) == year_be)
        ]
        if (status or year_be is not None) and not versions:
            continue
        chosen.append(s)
        versions_of[s.id] = versions
    return StandardsListing(catalog, chosen, versions_of)


def _announced_year_be(catalog: Catalog, version: StandardVersion) -> int | None:
    """The BE year a version was announced in: its date, or its announcement's year."""
    day = catalog.announced_on(version)
    return be_year(day) if day else None


def list_announcements(catalog: Catalog, *, year: int | None = None) -> AnnouncementListing:
    """The register of announcements, or those of ``year`` (CE, or BE if ≥ 2400)."""
    return AnnouncementListing(catalog, _be(year))


def show_standard(catalog: Catalog, ref: str) -> StandardShown | PackageShown:
    """``ID`` (all its versions), ``ID@VERSION``, or a package's id (its document types).

    :raises StandardNotFound: no such standard, version or package.
    """
    standard_id, at, version = ref.partition("@")
    if at and not version.strip():
        raise StandardNotFound(f"{ref!r} names no version after '@': give ID@VERSION, or ID alone for every version")
    if not version and (members := catalog.package(standard_id)):
        return PackageShown(catalog, standard_id, members)
    standard = catalog.standard(standard_id)
    return StandardShown(catalog, standard, [standard.version(version)] if version else list(standard.versions))


# --------------------------------------------------------------------------- the catalog as lines of text

_SOURCE_WORDS = {
    "announced": "announced by {publisher}",
    "registered": "registered by {publisher}, not an announced standard",
    "international": "international standard ({publisher})",
    "derived": "derived from {publisher}'s published files",
}


def provenance(standard: Standard) -> str:
    """``ตัวอย่าง · illustrative`` or where the standard comes from, in a few words."""
    if standard.illustrative:
        return ILLUSTRATIVE_LABEL
    if standard.source is None:
        return "source not stated"
    return _SOURCE_WORDS[standard.source.kind].format(publisher=standard.source.publisher)


def _version_word(v: StandardVersion) -> str:
    parts = [v.status]
    if v.announcement:
        parts.append(v.announcement)
    elif v.announced:
        parts.append(str(v.announced.year))
    return f"{v.version} ({', '.join(parts)})"


def standards_table(standards: Sequence[Standard], versions_of: dict[str, list[StandardVersion]] | None = None) -> list[str]:
    """Three lines a standard: id, sector and English title; provenance and Thai title; versions."""
    if not standards:
        return ["no standards match"]
    width = max(len(s.id) for s in standards) + 2
    lines = []
    for s in standards:
        versions = (versions_of or {}).get(s.id, list(s.versions))
        lines.append(f"{s.id:<{width}}{s.sector:<22} {s.title_en}")
        lines.append(f"{'':<{width}}{provenance(s):<22} {s.title_th}" if len(provenance(s)) <= 22 else
                     f"{'':<{width}}{s.title_th}\n{'':<{width}}{provenance(s)}")
        lines.append(f"{'':<{width}}versions: {', '.join(_version_word(v) for v in versions) or '-'}")
    real = [s for s in standards if not s.illustrative]
    packages = {s.package for s in standards if s.package}
    n_versions = sum(len((versions_of or {}).get(s.id, s.versions)) for s in standards)
    lines.append(
        f"{len(standards)} standards ({len(real)} real, {len(standards) - len(real)} illustrative"
        + (f"; {sum(1 for s in standards if s.package)} of them document types of {len(packages)} package(s)" if packages else "")
        + f"), {n_versions} versions"
    )
    return lines


def _announcement_row(a: Announcement) -> str:
    when = a.announced or ("year only" if a.year_be else "date unknown")
    flags = [a.kind, when]
    if a.unverified:
        flags.append("partly unverified")
    if a.demo:
        flags.append("demo")
    title = a.title_th if a.title_th and "unverified" not in a.title_th else a.title_en
    return f"  {a.label:<32} {a.issuer:<28} {title}  [{'; '.join(flags)}]"


def announcement_lines(catalog: Catalog, *, year: int | None = None) -> list[str]:
    """The register of announcements by Buddhist Era year, each with the catalog standards that implement it."""
    register: Register = catalog.register
    implementers: dict[str, set[str]] = {}
    for s in catalog:
        for v in s.versions:
            if v.announcement and (a := register.find(v.announcement)) is not None:
                # a package's document types are named once, as the package
                name = f"{s.package}@{v.version} ({len(catalog.package(s.package))} document types)" if s.package else v.ref
                implementers.setdefault(a.id, set()).add(name)
    rows = [a for a in register if year is None or a.year_be == year]
    lines = ["Register of announcements (ทะเบียนประกาศมาตรฐาน)"]
    lines += [f"  note: {n}" for n in register.notes]
    current: object = object()
    for a in rows:
        if a.year_be != current:
            current = a.year_be
            lines.append("")
            lines.append(f"{a.year_be} (CE {a.year_ce})" if a.year_be else "year unknown")
        lines.append(_announcement_row(a))
        if refs := sorted(implementers.get(a.id, ())):
            lines.append(f"  {'':<32} in the catalog: {', '.join(refs)}")
    kinds = {k: sum(1 for a in rows if a.kind == k) for k in ("data-structure", "guideline")}
    lines.append("")
    lines.append(
        f"{len(rows)} announcements ({kinds['data-structure']} data structures, {kinds['guideline']} guidelines; "
        f"{sum(1 for a in rows if a.unverified)} partly unverified). The register is a lower bound, not a complete list."
    )
    return lines


def standard_lines(catalog: Catalog, standard: Standard, versions: Iterable[StandardVersion]) -> list[str]:
    """``dxs standards show``: metadata, provenance, and per version its announcement, files, code lists, examples."""
    lines = [f"{standard.id}  {ILLUSTRATIVE_LABEL if standard.illustrative else standard.national_code}".rstrip()]
    lines += [f"  {standard.title_th}", f"  {standard.title_en}"]
    if standard.illustrative:
        lines.append("  ตัวอย่างสมมติเพื่อสาธิตชุดเครื่องมือ ไม่ใช่มาตรฐานที่หน่วยงานใดประกาศ · "
                     "made up to illustrate the toolkit; no office announced it")
    elif standard.source:
        lines.append(f"  source: {provenance(standard)} — {standard.source.url}")
        if standard.source.note:
            lines.append(f"    {standard.source.note}")
    if standard.package:
        members = catalog.package(standard.package)
        lines.append(f"  document type {standard.document_type.name if standard.document_type else ''} of package "
                     f"{standard.package} ({len(members)} types: {', '.join(m.id.rsplit('.', 1)[-1] for m in members)})")
        if standard.document_type and standard.document_type.oid:
            lines.append(f"  OID {standard.document_type.oid}")
    lines.append(f"  owner {standard.owner} · sector {standard.sector} · licence {standard.licence}")
    lines.append(f"  legal basis: {standard.legal_basis}\n  base standard: {standard.base_standard}")
    for v in versions:
        lines.append("")
        lines.append(f"  {v.version}  {v.status}  announced {v.announced or '-'}  effective {v.effective or '-'}")
        if v.announcement:
            a = catalog.register.find(v.announcement)
            if a is not None:
                when = a.announced or (f"BE {a.year_be}" if a.year_be else "date unknown")
                lines.append(f"    announcement {a.label} ({a.kind}, {a.issuer}, {when}){' — partly unverified' if a.unverified else ''}")
        if v.notes:
            lines.append(f"    {v.notes}")
        if v.upstream and v.upstream.files:
            lines.append(f"    files as published: {v.upstream.repository} @ {v.upstream.commit[:12]} "
                         f"({v.upstream.path or '/'}; publisher's version {v.upstream.version}; {len(v.upstream.files)} files)")
        elif v.upstream:
            lines.append(f"    written from the publisher's files (none copied): {v.upstream.repository} @ "
                         f"{v.upstream.commit[:12]} ({v.upstream.path or '/'}; publisher's version {v.upstream.version})")
        forms = [(name, p) for name, p in (("JSON Schema", v.json_schema), ("XSD", v.xml_schema), ("Schematron", v.rules)) if p]
        for name, p in forms:
            lines.append(f"    {name}: {p.relative_to(v.folder).as_posix()}")
        if v.xml and v.xml.version_path:
            lines.append(f"    detected by <{v.xml.root}> and {v.xml.version_path} = {' or '.join(v.xml.version_values)}")
        if v.code_lists:
            lines.append(f"    code lists ({len(v.code_lists)}):")
            for c in sorted(v.code_lists, key=lambda c: c.id):
                lines.append(f"      {c.id:<36} {c.agency:<6} version {c.version:<18} {c.title_en}, {len(c.codes):,} codes")
        lines.append(f"    examples: {len(v.examples('valid'))} valid, {len(v.examples('invalid'))} invalid "
                     f"({v.examples_root.relative_to(v.folder).as_posix()}/)")
    return lines
