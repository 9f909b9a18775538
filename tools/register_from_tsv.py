"""Write standards/announcements.toml from the shared announcements list (a one-off seeding, kept to show how).

    python tools/register_from_tsv.py ../shared/sources/announcements > standards/announcements.toml

Every row of announcements.tsv becomes one [[announcement]], with its source and its
"unverified" marks as the list gives them; the caveat is the notes file's paragraph
about that row. Nothing is added that the list does not hold.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

SERIES_SLUG = {
    "ขมธอ.": "etda-khmtho",
    "มรด.": "dgc-mrd",
    "มสพร.": "dga-msphr",
    "DGA (series unverified)": "dga",
    "สรอ. (EGA, no series code)": "ega",
    "ประกาศ คธอ. (other series)": "eta-committee",
    "ประกาศ ดศ. (other series)": "mdes",
}
# rows whose number does not make a slug: named by what they are
SPECIAL_SLUG = {
    ("มรด.", "unverified"): "dgc-mrd-data-catalog-2566",
    ("DGA (series unverified)", "unverified", "2564"): "dga-tgix-semantic-person-2564",
    ("DGA (series unverified)", "unverified", ""): "dga-tgix-linkage",
    ("สรอ. (EGA, no series code)", "Government Website Standard v2.0"): "ega-government-website-2.0",
    ("ประกาศ คธอ. (other series)",): "eta-committee-cloud-2562",
    ("ประกาศ ดศ. (other series)",): "mdes-e-meeting-security-2563",
}
# which caveat bullet (by its bold label's start) belongs to which row
CAVEAT_LABEL = {
    "etda-khmtho-3-2560": "ขมธอ. 3-2560", "etda-khmtho-11-2560": "ขมธอ. 11-2560", "etda-khmtho-18-2561": "ขมธอ. 18-2561",
    "etda-khmtho-22-2563": "ขมธอ. 22-2563", "etda-khmtho-23-2563": "ขมธอ. 23-2563", "etda-khmtho-24-2563": "ขมธอ. 24-2563",
    "etda-khmtho-25-2563": "ขมธอ. 24-2563", "etda-khmtho-33-2566": "ขมธอ. 33-2566", "etda-khmtho-35-2567": "ขมธอ. 35-2567",
    "etda-khmtho-3-2568": "ขมธอ. 3-2568", "dgc-mrd-1-1-2564": "มรด. 1-1:2564", "dgc-mrd-1-2-2564": "มรด. 1-1:2564",
    "dgc-mrd-2-2565": "มรด. 2:2565", "dgc-mrd-data-catalog-2566": "Data-catalog มรด.", "dga-msphr-8-2565": "มสพร. 8-2565",
    "dga-msphr-6-1-2566": "มสพร. 6-1", "dga-msphr-6-2-2566": "มสพร. 6-1", "dga-msphr-6-3-2566": "มสพร. 6-1",
    "dga-msphr-6-4-2566": "มสพร. 6-1", "dga-msphr-6-5": "มสพร. 6-1", "dga-msphr-6-6": "มสพร. 6-1", "dga-msphr-12": "มสพร. 12",
    "dga-tgix-semantic-person-2564": "TGIX semantic", "dga-tgix-linkage": "TGIX-Linkage",
    "ega-government-website-2.0": "EGA Government Website", "eta-committee-cloud-2562": "Other-series rows",
    "mdes-e-meeting-security-2563": "Other-series rows",
}


def slug(row: dict[str, str]) -> str:
    for key in ((row["series"], row["number"], row["year_be"]), (row["series"], row["number"]), (row["series"],)):
        if key in SPECIAL_SLUG:
            return SPECIAL_SLUG[key]
    number = re.sub(r"[^0-9]+", "-", row["number"]).strip("-")
    return f"{SERIES_SLUG[row['series']]}-{number}"


def caveats(notes: str) -> dict[str, str]:
    found = {}
    for match in re.finditer(r"^- \*\*(.+?)\*\*:? ?(.*)$", notes, re.MULTILINE):
        found[match.group(1)] = (match.group(1) + ": " + match.group(2)).strip()
    return found


def main(folder: Path) -> None:
    rows = list(csv.DictReader((folder / "announcements.tsv").open(encoding="utf-8"), delimiter="\t"))
    bullets = caveats((folder / "announcements-notes.md").read_text(encoding="utf-8"))
    out = [
        "# The register of announcements: announced standards, with or without a schema in this catalog.",
        "# Seeded row for row from ../shared/sources/announcements (announcements.tsv and its notes) by",
        "# tools/register_from_tsv.py. Every row keeps its source and its \"unverified\" marks; add a row",
        "# only with a source. Dates are CE (YYYY-MM-DD, or \"YYYY-MM\"); year_be is the Buddhist Era year.",
        "",
        'note = "A lower bound, not a complete list: only announcements seen in a source that could be read are here. '
        'ETDA numbers run at least from 3 to 35 between 2560 and 2567 and most are missing. Do not read the yearly '
        'counts as the national figure without this caveat."',
    ]
    for row in rows:
        ident = slug(row)
        label = CAVEAT_LABEL[ident]
        caveat = next((text for key, text in bullets.items() if key.startswith(label)), "")
        out += ["", "[[announcement]]", f"id = {json.dumps(ident)}"]
        for key in ("series", "number"):
            out.append(f"{key} = {json.dumps(row[key], ensure_ascii=False)}")
        if row["year_be"]:
            out.append(f"year_be = {int(row['year_be'])}")
        if row["announced_date"]:
            out.append(f"announced = {json.dumps(row['announced_date'])}")
        for key in ("title_th", "title_en", "issuer", "kind", "source"):
            out.append(f"{key} = {json.dumps(row[key], ensure_ascii=False)}")
        if caveat:
            out.append(f"caveat = {json.dumps(caveat, ensure_ascii=False)}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
