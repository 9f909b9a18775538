"""The lifecycle of a version from the command line: new → announce → deprecate → retire.

Every test works on a copy of the fixture catalog (th.test.permit: 1.0.0 deprecated,
1.1.0 announced). A refused step exits 2 with one line naming the version and what is
wrong, and leaves version.toml byte for byte as it was.
"""

import datetime as dt
import json
import shutil
import tomllib

import pytest

from tests.kit.cli import run_dxs


dxs = run_dxs


def standards(catalog_dir, *args):
    return dxs("standards", *args, "--catalog", catalog_dir)


def version_toml(catalog_dir, version):
    return catalog_dir / "th.test.permit" / version / "version.toml"


def parsed(catalog_dir, version):
    return tomllib.loads(version_toml(catalog_dir, version).read_text(encoding="utf-8"))


def refused(result, *words):
    """Exit 2, one line on stderr naming what is wrong."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for word in words:
        assert word in lines[0], lines[0]


def checked_green(catalog_dir, *refs):
    result = standards(catalog_dir, "check", *refs)
    assert result.exit_code == 0, result.output
    return result.output


def new_draft(catalog_dir, *args):
    made = standards(catalog_dir, "new", "th.test.permit", *args)
    assert made.exit_code == 0, made.output
    return made


def drafted_on(catalog_dir, version):
    """The date of a new draft's history entry (today, as `new` wrote it)."""
    (entry,) = parsed(catalog_dir, version)["history"]
    return entry["date"]


# --------------------------------------------------------------------------- new


def test_new_draft_is_never_the_default_and_passes_check(catalog_dir):
    # the latest version is the detection default, as in the issue: the copy must not be one too
    for version, default in (("1.0.0", "false"), ("1.1.0", "true")):
        path = version_toml(catalog_dir, version)
        path.write_text(path.read_text(encoding="utf-8").replace("default = true", "default = false")
                        .replace("default = false", f"default = {default}"), encoding="utf-8")
    made = new_draft(catalog_dir, "--bump", "minor")
    assert "created draft th.test.permit@1.2.0" in made.output and "version marker 1.1 → 1.2" in made.output
    draft = parsed(catalog_dir, "1.2.0")
    assert draft["status"] == "draft" and draft["detection"]["default"] is False
    assert [h["status"] for h in draft["history"]] == ["draft"] and "hashes" not in draft
    assert not {"announced", "effective", "sunset", "announcement"} & set(draft)
    assert "ok: 1 standards, 3 versions checked" in checked_green(catalog_dir)
    assert "ok: 1 standards, 1 versions checked" in checked_green(catalog_dir, "th.test.permit@1.2.0")


def test_new_moves_the_version_marker_into_the_drafts_files(catalog_dir):
    new_draft(catalog_dir)
    folder = catalog_dir / "th.test.permit" / "1.2.0"
    detection = parsed(catalog_dir, "1.2.0")["detection"]
    assert detection["xml"]["version_value"] == "1.2" and detection["json"]["version_value"] == "1.2"
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["documentVersion"] == {"const": "1.2"}
    assert schema["$id"] == "https://standards.dx.go.th/th.test.permit/1.2.0/schema.json"  # its own, not 1.1.0's
    for example in (folder / "examples").rglob("*.json"):
        assert json.loads(example.read_text(encoding="utf-8"))["documentVersion"] == "1.2", example
    for example in (folder / "examples").rglob("*.xml"):
        text = example.read_text(encoding="utf-8")
        assert 'version="1.2">' in text and 'version="1.1">' not in text, example
        assert text.startswith('<?xml version="1.1"')  # the XML declaration is not the marker
    # only the marker changed: the rest of each file is byte for byte the source's
    old = (catalog_dir / "th.test.permit" / "1.1.0" / "examples" / "valid" / "malee.json").read_text(encoding="utf-8")
    assert (folder / "examples" / "valid" / "malee.json").read_text(encoding="utf-8") == old.replace('"1.1"', '"1.2"')
    # a document carrying the new marker is detected as the draft
    detected = dxs("validate", "--catalog", catalog_dir, "--format", "json", folder / "examples" / "valid" / "malee.xml")
    assert json.loads(detected.output)["documents"][0]["standard"] == "th.test.permit@1.2.0"


def test_new_moves_the_marker_an_xsd_and_schematron_pin(catalog_dir):
    source = catalog_dir / "th.test.permit" / "1.1.0"
    xsd = source / "schema.xsd"
    xsd.write_text(xsd.read_text(encoding="utf-8")
                   .replace('<xs:attribute name="version" type="xs:string"/>', '<xs:attribute name="version" type="VersionMarker"/>')
                   .replace("</xs:schema>", '  <xs:simpleType name="VersionMarker">\n    <xs:restriction base="xs:string">'
                            '<xs:enumeration value="1.1"/></xs:restriction>\n  </xs:simpleType>\n</xs:schema>'), encoding="utf-8")
    assert standards(catalog_dir, "lock", "th.test.permit@1.1.0").exit_code == 0
    new_draft(catalog_dir)
    assert '<xs:enumeration value="1.2"/>' in (catalog_dir / "th.test.permit" / "1.2.0" / "schema.xsd").read_text(encoding="utf-8")
    checked_green(catalog_dir)

    # a Schematron rule on the marker moves with it, message included
    shutil.rmtree(catalog_dir / "th.test.permit" / "1.2.0")
    rules = source / "rules.sch"
    rules.write_text(rules.read_text(encoding="utf-8").replace("  </sch:pattern>", (
        '    <sch:rule context="/*">\n'
        "      <sch:assert id=\"TH-VERSION\" test=\"@version = '1.1'\">The version must be 1.1.</sch:assert>\n"
        "    </sch:rule>\n  </sch:pattern>")), encoding="utf-8")
    new_draft(catalog_dir)
    moved = (catalog_dir / "th.test.permit" / "1.2.0" / "rules.sch").read_text(encoding="utf-8")
    assert "test=\"@version = '1.2'\">The version must be 1.2.</sch:assert>" in moved
    valid = dxs("validate", "--catalog", catalog_dir, "--standard", "th.test.permit@1.2.0",
                catalog_dir / "th.test.permit" / "1.2.0" / "examples" / "valid")
    assert valid.exit_code == 0, valid.output


def test_new_says_which_marker_it_could_not_move(catalog_dir):
    example = catalog_dir / "th.test.permit" / "1.1.0" / "examples" / "valid" / "malee.xml"
    example.write_text(example.read_text(encoding="utf-8").replace('version="1.1">', 'version="1&#46;1">'), encoding="utf-8")
    made = new_draft(catalog_dir)
    assert "left for you: examples/valid/malee.xml: the marker at @version could not be moved safely; change it by hand" in made.output
    copy = catalog_dir / "th.test.permit" / "1.2.0" / "examples" / "valid" / "malee.xml"
    assert copy.read_bytes() == example.read_bytes()


def test_new_refuses_a_version_that_exists_or_is_not_above_the_latest(catalog_dir):
    before = sorted(p.name for p in (catalog_dir / "th.test.permit").iterdir())
    refused(standards(catalog_dir, "new", "th.test.permit@1.1.0"), "th.test.permit@1.1.0", "not above the latest version, 1.1.0")
    refused(standards(catalog_dir, "new", "th.test.permit@1.0.5"), "th.test.permit@1.0.5", "not above")
    refused(standards(catalog_dir, "new", "th.test.permit@1.3", "--bump", "patch"), "1.3", "MAJOR.MINOR.PATCH")
    refused(standards(catalog_dir, "new", "th.test.permit@1.3.0", "--version", "1.4.0"), "1.3.0", "1.4.0")
    assert sorted(p.name for p in (catalog_dir / "th.test.permit").iterdir()) == before
    made = new_draft(catalog_dir, "--version", "2.0.0")
    assert "th.test.permit@2.0.0" in made.output and parsed(catalog_dir, "2.0.0")["detection"]["json"]["version_value"] == "2.0"


def test_a_patch_keeps_the_marker(catalog_dir):
    made = standards(catalog_dir, "new", "th.test.permit@1.1.1")
    assert made.exit_code == 0 and "version marker 1.1 unchanged" in made.output
    assert parsed(catalog_dir, "1.1.1")["detection"]["json"]["version_value"] == "1.1"
    checked_green(catalog_dir, "th.test.permit@1.1.1")


# --------------------------------------------------------------------------- announce


def test_announce_refuses_an_early_date_and_placeholder_notes_leaving_the_file(catalog_dir):
    new_draft(catalog_dir)
    path = version_toml(catalog_dir, "1.2.0")
    before = path.read_bytes()
    day = drafted_on(catalog_dir, "1.2.0")
    early = (day - dt.timedelta(days=1)).isoformat()
    for command in (("announce", "th.test.permit@1.2.0", "--on", early, "--notes", "Adds a field."),
                    ("lock", "th.test.permit@1.2.0", "--announce", early)):
        refused(standards(catalog_dir, *command), "th.test.permit@1.2.0", f"on {early}", f"draft entry of its history ({day})")
    for command in (("announce", "th.test.permit@1.2.0", "--on", day.isoformat()),
                    ("announce", "th.test.permit@1.2.0", "--on", day.isoformat(), "--notes", "TODO"),
                    ("lock", "th.test.permit@1.2.0", "--announce", day.isoformat())):
        refused(standards(catalog_dir, *command), "th.test.permit@1.2.0", "notes are a placeholder")
    refused(standards(catalog_dir, "announce", "th.test.permit@1.2.0", "--on", day.isoformat(), "--notes", "Adds a field.",
                      "--effective", early), "effective date", "before the announcement date")
    refused(standards(catalog_dir, "announce", "th.test.permit@1.1.0", "--on", day.isoformat(), "--notes", "x"),
            "th.test.permit@1.1.0 is already announced")
    assert path.read_bytes() == before
    assert not list((catalog_dir / "th.test.permit").glob(".*.tmp"))


def test_announce_sets_status_dates_history_and_lock(catalog_dir):
    new_draft(catalog_dir)
    day = drafted_on(catalog_dir, "1.2.0")
    effective = day + dt.timedelta(days=30)
    done = standards(catalog_dir, "announce", "th.test.permit@1.2.0", "--on", day.isoformat(), "--effective", effective.isoformat(),
                     "--notes", "Adds nothing yet: a test of the lifecycle.")
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"announced th.test.permit@1.2.0 on {day} (was draft); effective {effective}; locked 16 files")
    version = parsed(catalog_dir, "1.2.0")
    assert version["status"] == "announced" and version["announced"] == day and version["effective"] == effective
    assert version["notes"] == "Adds nothing yet: a test of the lifecycle."
    assert [(h["status"], h["date"]) for h in version["history"]] == [("draft", day), ("announced", day)]
    assert len(version["hashes"]) == 16
    text = version_toml(catalog_dir, "1.2.0").read_text(encoding="utf-8")
    assert text.index('status = "announced"\ndate') < text.index("[detection]")  # the entry follows the history, not the file's end
    checked_green(catalog_dir)


def test_lock_announce_still_works_for_a_draft_with_real_notes(catalog_dir):
    new_draft(catalog_dir)
    path = version_toml(catalog_dir, "1.2.0")
    path.write_text(path.read_text(encoding="utf-8").replace("Draft of 1.2.0, copied from 1.1.0: say what changes.",
                                                             "Adds an optional fee currency."), encoding="utf-8")
    day = drafted_on(catalog_dir, "1.2.0")
    locked = standards(catalog_dir, "lock", "th.test.permit@1.2.0", "--announce", day.isoformat())
    assert locked.exit_code == 0 and "locked th.test.permit@1.2.0: 16 files" in locked.output
    assert parsed(catalog_dir, "1.2.0")["status"] == "announced"
    checked_green(catalog_dir)


def test_the_first_announced_version_of_a_new_standard_becomes_the_default(catalog_dir):
    made = dxs("standards", "new", "--catalog", catalog_dir, "th.test.fishing-licence", "--title-th", "ใบอนุญาตทำการประมง",
               "--title-en", "Fishing licence", "--owner", "DOF", "--sector", "agriculture")
    assert made.exit_code == 0, made.output
    path = catalog_dir / "th.test.fishing-licence" / "0.1.0" / "version.toml"
    assert tomllib.loads(path.read_text(encoding="utf-8"))["detection"]["default"] is False  # a draft never is
    day = tomllib.loads(path.read_text(encoding="utf-8"))["history"][0]["date"]
    announce = ("standards", "announce", "--catalog", catalog_dir, "th.test.fishing-licence@0.1.0", "--on", day.isoformat(),
                "--notes", "The first version: licence number, holder, vessel.")
    # a new standard is an office's own ([source] kind "announced"): its announcement is named from the register
    refused(dxs(*announce), "th.test.fishing-licence@0.1.0", "name the announcement")
    (catalog_dir / "announcements.toml").write_text(
        '[[announcement]]\nid = "test-40"\nseries = "TEST"\nnumber = "40-2568"\nannounced = "2025-05-01"\ntitle_th = "ทดสอบ"\n'
        'title_en = "Test"\nissuer = "TEST"\nkind = "data-structure"\nsource = "tests"\n', encoding="utf-8")
    done = dxs(*announce, "--announcement", "TEST 40-2568")
    assert done.exit_code == 0 and "now the detection default" in done.output, done.output
    assert tomllib.loads(path.read_text(encoding="utf-8"))["announcement"] == "TEST 40-2568"
    assert tomllib.loads(path.read_text(encoding="utf-8"))["detection"]["default"] is True


# --------------------------------------------------------------------------- deprecate, retire


def test_deprecate_and_retire_keep_order_and_dates(catalog_dir):
    path = version_toml(catalog_dir, "1.1.0")
    before = path.read_bytes()
    refused(standards(catalog_dir, "deprecate", "th.test.permit@1.1.0", "--on", "2021-01-14"),
            "th.test.permit@1.1.0", "on 2021-01-14", "announced entry of its history (2021-01-15)")
    refused(standards(catalog_dir, "deprecate", "th.test.permit@1.1.0", "--on", "2024-06-01", "--sunset", "2024-05-31"),
            "sunset 2024-05-31 is before the deprecation date 2024-06-01")
    refused(standards(catalog_dir, "retire", "th.test.permit@1.0.0", "--on", "2021-01-14"),
            "th.test.permit@1.0.0", "deprecated entry of its history (2021-01-15)")
    refused(standards(catalog_dir, "deprecate", "th.test.permit@1.0.0", "--on", "2024-06-01"), "th.test.permit@1.0.0 is already deprecated")
    assert path.read_bytes() == before

    done = standards(catalog_dir, "deprecate", "th.test.permit@1.1.0", "--on", "2024-06-01", "--sunset", "2024-12-31")
    assert done.exit_code == 0 and done.output.strip() == "deprecated th.test.permit@1.1.0 on 2024-06-01 (was announced); sunset 2024-12-31"
    version = parsed(catalog_dir, "1.1.0")
    assert version["status"] == "deprecated" and version["sunset"] == dt.date(2024, 12, 31)
    assert [h["status"] for h in version["history"]] == ["draft", "announced", "deprecated"]
    refused(standards(catalog_dir, "retire", "th.test.permit@1.1.0", "--on", "2024-05-31"), "deprecated entry of its history (2024-06-01)")
    assert standards(catalog_dir, "retire", "th.test.permit@1.1.0", "--on", "2025-01-01").exit_code == 0
    version = parsed(catalog_dir, "1.1.0")
    assert version["status"] == "retired"
    assert [(h["status"], h["date"]) for h in version["history"]][-2:] == [("deprecated", dt.date(2024, 6, 1)),
                                                                        ("retired", dt.date(2025, 1, 1))]
    assert "[hashes]" in path.read_text(encoding="utf-8")  # version.toml is not hashed: the lock still holds
    checked_green(catalog_dir)


def test_drafts_are_neither_deprecated_nor_retired(catalog_dir):
    new_draft(catalog_dir)
    refused(standards(catalog_dir, "deprecate", "th.test.permit@1.2.0", "--on", "2030-01-01"),
            "th.test.permit@1.2.0 is draft: only announced versions can be deprecated")
    refused(standards(catalog_dir, "retire", "th.test.permit@1.2.0", "--on", "2030-01-01"),
            "th.test.permit@1.2.0 is draft: only announced or deprecated versions can be retired")


# --------------------------------------------------------------------------- ID@VERSION, and a whole cycle


def test_every_command_takes_id_at_version(catalog_dir):
    assert "ok: 1 standards, 1 versions checked" in checked_green(catalog_dir, "th.test.permit@1.1.0")
    assert "ok: 1 standards, 2 versions checked" in checked_green(catalog_dir, "th.test.permit", "th.test.permit@1.1.0")
    refused(standards(catalog_dir, "check", "th.test.permit@9.9.9"), "no version '9.9.9'")
    for command in ("announce", "deprecate", "retire"):
        refused(standards(catalog_dir, command, "th.test.permit", "--on", "2030-01-01"), "'th.test.permit'", "ID@VERSION")
        refused(standards(catalog_dir, command, "th.nope@1.0.0", "--on", "2030-01-01"), "th.nope")
    # a finding of one version is the version's; another version's is not
    schema = catalog_dir / "th.test.permit" / "1.1.0" / "schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("P-", "Q-"), encoding="utf-8")
    assert standards(catalog_dir, "check", "th.test.permit@1.1.0").exit_code == 1
    checked_green(catalog_dir, "th.test.permit@1.0.0")


def test_a_whole_cycle_ends_with_check_green(catalog_dir):
    new_draft(catalog_dir, "--bump", "major")
    day = drafted_on(catalog_dir, "2.0.0")
    later = day + dt.timedelta(days=90)
    steps = [
        ("announce", "th.test.permit@2.0.0", "--on", day.isoformat(), "--notes", "Renames nothing; a whole lifecycle in a test."),
        ("deprecate", "th.test.permit@1.1.0", "--on", day.isoformat(), "--sunset", later.isoformat()),
        ("retire", "th.test.permit@1.0.0", "--on", day.isoformat()),
        ("retire", "th.test.permit@1.1.0", "--on", later.isoformat()),
    ]
    for step in steps:
        done = standards(catalog_dir, *step)
        assert done.exit_code == 0, (step, done.output)
        checked_green(catalog_dir)
    listed = json.loads(dxs("standards", "list", "--catalog", catalog_dir, "--format", "json").output)
    assert [v["status"] for v in listed["standards"][0]["versions"]] == ["retired", "retired", "announced"]
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        dates = [h["date"] for h in parsed(catalog_dir, version)["history"]]
        assert dates == sorted(dates)


# --------------------------------------------------------------------------- the file itself


def test_version_toml_edits_keep_comments_and_refuse_what_they_cannot_prove(tmp_path):
    from dxs.validator._version_toml import VersionToml
    from dxs.validator.errors import CatalogError

    path = tmp_path / "std" / "1.0.0" / "version.toml"
    path.parent.mkdir(parents=True)
    path.write_text('version = "1.0.0"\nstatus = "announced"  # by the office\nnotes = """Two\nlines."""\n\n'
                    "[[history]]\nstatus = \"announced\"\ndate = 2020-01-01\n\n# how documents are recognised\n"
                    "[detection]\ndefault = true\n", encoding="utf-8")
    toml = VersionToml(path)
    toml.set("status", "deprecated")
    toml.set("sunset", dt.date(2021, 1, 1))
    toml.append_history("deprecated", dt.date(2020, 6, 1))
    toml.verify()
    assert toml.text == ('version = "1.0.0"\nstatus = "deprecated"  # by the office\nsunset = 2021-01-01\nnotes = """Two\nlines."""\n\n'
                         '[[history]]\nstatus = "announced"\ndate = 2020-01-01\n\n[[history]]\nstatus = "deprecated"\ndate = 2020-06-01\n\n'
                         "# how documents are recognised\n[detection]\ndefault = true\n")

    inline = tmp_path / "inline.toml"
    inline.write_text('version = "1.0.0"\nstatus = "announced"\nhistory = [{status = "announced", date = 2020-01-01}]\n',
                      encoding="utf-8")
    odd = VersionToml(inline)
    odd.append_history("deprecated", dt.date(2020, 6, 1))
    with pytest.raises(CatalogError, match="edit it by hand"):
        odd.verify()


def test_marker_spellings_move_with_the_version():
    from dxs.validator.markers import marker_mapping

    minor = marker_mapping("1.1.0", "1.2.0")
    assert [minor(v) for v in ("1.1", "1.1.0", "v1.1", "1", "2.1", "1.10", 1.1, None)] == [
        "1.2", "1.2.0", "v1.2", "1", "2.1", "1.10", 1.1, None]
    major = marker_mapping("2.0.0", "3.0.0")
    assert [major(v) for v in ("v2.0", "2", "2.0.0")] == ["v3.0", "3", "3.0.0"]


def test_a_new_draft_of_etdas_package_passes_check(tmp_path, monkeypatch):
    """ETDA's Schematron pins the version marker ('v2.1' or '2.1'); the draft moves the pin and stays a minor bump."""
    from dxs.standards import BUNDLED_CATALOG

    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    shutil.copytree(BUNDLED_CATALOG / "th.etda.e-tax-invoice-receipt", tmp_path / "th.etda.e-tax-invoice-receipt")
    shutil.copy(BUNDLED_CATALOG / "announcements.toml", tmp_path / "announcements.toml")
    made = dxs("standards", "new", "th.etda.e-tax-invoice-receipt", "--catalog", tmp_path)
    assert made.exit_code == 0 and "v2.1 → v2.2" in made.output, made.output
    checked = dxs("standards", "check", "th.etda.e-tax-invoice-receipt@2.2.0", "--catalog", tmp_path)
    assert checked.exit_code == 0 and "ok: 6 standards, 6 versions checked" in checked.output, checked.output
