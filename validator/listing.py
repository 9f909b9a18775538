"""The catalog as text for people: ``dxs standards list``, ``show`` and ``list --announcements``.

Pure functions from catalog objects to lines; the command line prints them. Every
line that names a standard says whether it is real (and from where) or illustrative.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .announcements import Announcement, Register
from .catalog import ILLUSTRATIVE_LABEL, Catalog, Standard, StandardVersion

__all__ = ["announcement_lines", "provenance", "standard_lines", "standards_table"]

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
