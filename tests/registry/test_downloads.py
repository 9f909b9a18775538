"""A version's every file over HTTP, its imports resolving, and one archive per version to validate offline."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from lxml import etree

from dxs import cli
from dxs.registry import create_app, downloads, pages
from dxs.registry.errors import NotFound
from dxs.standards import BUNDLED_CATALOG
from tests.conftest import need
from dxs.validator import Catalog, load_catalog
from dxs.validator.publish import catalog_as_dcat

XS = "{http://www.w3.org/2001/XMLSchema}"
#: every version of the bundled catalog with an XML form, by ref (a package's document types each count)
XSD_REFS = [v.ref for v in load_catalog([BUNDLED_CATALOG]).versions() if v.xml_schema is not None]


@pytest.fixture(scope="module")
def client(bundled_catalog):
    return TestClient(create_app(catalog=bundled_catalog))


@pytest.fixture(scope="module")
def permit(fixture_catalog):
    return TestClient(create_app(catalog=fixture_catalog))


def base(ref: str) -> str:
    standard_id, _, version = ref.partition("@")
    return f"/api/v1/standards/{standard_id}/versions/{version}"


def relative(version, path: Path) -> str:
    return path.relative_to(version.folder).as_posix()


# --------------------------------------------------------------------------- imports resolve over HTTP


@pytest.mark.parametrize("ref", XSD_REFS)
def test_schema_and_every_import_download_and_compile(ref, client, bundled_catalog, tmp_path):
    """Fetch the schema, then each module at the URL its schemaLocation resolves to; lxml compiles the copy."""
    version = bundled_catalog.resolve(ref)
    files_url = f"{base(ref)}/files/"
    listed = {f["path"] for f in client.get(f"{base(ref)}/files").json()["files"]}
    entry = files_url + relative(version, version.xml_schema)
    todo, fetched = [entry], set()
    while todo:
        url = todo.pop()
        if url in fetched:
            continue
        fetched.add(url)
        assert url.startswith(files_url), f"{url} resolves outside the version's files"
        got = client.get(url)
        assert got.status_code == 200, f"{url}: {got.status_code}"
        path = unquote(url.removeprefix(files_url))
        assert path in listed
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(got.content)
        for el in etree.fromstring(got.content).iter(XS + "import", XS + "include", XS + "redefine"):
            if (location := el.get("schemaLocation")) and not urlsplit(location).scheme:
                todo.append(urljoin(url, location))
    schema = etree.XMLSchema(etree.parse(str(tmp_path / relative(version, version.xml_schema))))  # raises on a missing import
    examples = [p for p in version.examples("valid") if p.suffix == ".xml"]
    assert examples and schema.validate(etree.parse(str(examples[0]))), schema.error_log


def test_a_module_is_served_where_its_import_points(client, bundled_catalog):
    version = bundled_catalog.resolve("th.dopa.citizen-profile@2.0.0")
    assert b'schemaLocation="ThaiAddressComponents.xsd"' in version.xml_schema.read_bytes()
    url = urljoin(f"{base(version.ref)}/files/schema.xsd", "ThaiAddressComponents.xsd")
    got = client.get(url)
    assert got.status_code == 200 and got.content == (version.folder / "ThaiAddressComponents.xsd").read_bytes()
    assert got.headers["content-type"] == "application/xml"


def test_the_short_schema_url_finds_its_modules_too(client, bundled_catalog, tmp_path):
    """Fetched from …/schema.xsd, an import of ThaiAddressComponents.xsd asks beside it: redirected to files/."""
    short = f"{base('th.dopa.citizen-profile@2.0.0')}/schema.xsd"
    (tmp_path / "schema.xsd").write_bytes(client.get(short).content)
    module = urljoin(short, "ThaiAddressComponents.xsd")
    moved = client.get(module, follow_redirects=False)
    assert moved.status_code == 308
    assert urlsplit(moved.headers["location"]).path == f"{base('th.dopa.citizen-profile@2.0.0')}/files/ThaiAddressComponents.xsd"
    (tmp_path / "ThaiAddressComponents.xsd").write_bytes(client.get(module).content)
    etree.XMLSchema(etree.parse(str(tmp_path / "schema.xsd")))
    for path in ("nope.xsd", "..%2F1.0.0%2Fschema.xsd", "%2e%2e/1.0.0/schema.xsd"):
        assert client.get(f"{base('th.dopa.citizen-profile@2.0.0')}/{path}", follow_redirects=False).status_code == 404, path


def test_every_kind_of_file_byte_for_byte_with_its_media_type(permit, fixture_catalog):
    version = fixture_catalog.resolve("th.test.permit@1.1.0")
    for path, media in (("schema.json", "application/schema+json"), ("party.xsd", "application/xml"),
                        ("rules.sch", "application/xml"), ("examples/valid/somchai.json", "application/json"),
                        ("examples/invalid/expected.toml", "application/toml"), ("version.toml", "application/toml")):
        got = permit.get(f"{base(version.ref)}/files/{path}")
        assert got.status_code == 200, path
        assert got.content == (version.folder / path).read_bytes(), path
        assert got.headers["content-type"].split(";")[0] == media, path


def test_the_short_form_urls_still_answer(permit, fixture_catalog):
    version = fixture_catalog.resolve("th.test.permit@1.0.0")
    assert permit.get(f"{base(version.ref)}/schema.xsd").content == version.xml_schema.read_bytes()
    assert permit.get(f"{base(version.ref)}/schema.json").content == version.json_schema.read_bytes()


# --------------------------------------------------------------------------- nothing else


@pytest.mark.parametrize("path", [
    "%2e%2e/1.0.0/schema.xsd",
    "..%2F1.0.0%2Fschema.xsd",
    "..%2F..%2Fstandard.toml",
    "examples/%2e%2e/schema.xsd",
    "%2Fetc%2Fpasswd",
    "/etc/passwd",
    "examples%5Cvalid%5Csomchai.json",
    "examples/valid",
    "examples",
    "",
    "nope.xsd",
])
def test_nothing_outside_the_version_files_is_served(permit, path):
    got = permit.get(f"{base('th.test.permit@1.1.0')}/files/{path}")
    assert got.status_code == 404 and got.json()["code"] == "not_found"


def test_a_path_is_answered_only_when_listed(fixture_catalog):
    version = fixture_catalog.resolve("th.test.permit@1.1.0")
    assert downloads.file_path(version, "schema.xsd") == version.folder / "schema.xsd"
    for path in ("../1.0.0/schema.xsd", "examples/../schema.xsd", "./schema.xsd", str(version.folder / "schema.xsd"),
                 "examples\\valid\\malee.xml"):
        with pytest.raises(NotFound):
            downloads.file_path(version, path)


def test_a_link_out_of_the_folder_is_neither_listed_nor_served_nor_archived(tmp_path, fixture_catalog):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.pem").write_text("PRIVATE")
    folder = tmp_path / "catalog" / "th.test.permit"
    shutil.copytree(fixture_catalog.standard("th.test.permit").folder, folder)
    (folder / "1.1.0" / "leak.xsd").symlink_to(secret / "key.pem")
    (folder / "1.1.0" / "outside").symlink_to(secret, target_is_directory=True)
    (folder / "1.1.0" / "inside.xsd").symlink_to(folder / "1.1.0" / "party.xsd")  # a link that stays in is a file
    web = TestClient(create_app(catalog=load_catalog([folder])))
    url = base("th.test.permit@1.1.0")
    listed = {f["path"] for f in web.get(f"{url}/files").json()["files"]}
    assert "inside.xsd" in listed and not {"leak.xsd", "outside/key.pem"} & listed
    for path in ("leak.xsd", "outside/key.pem"):
        assert web.get(f"{url}/files/{path}").status_code == 404
    assert web.get(f"{url}/files/inside.xsd").status_code == 200
    names = zipfile.ZipFile(io.BytesIO(web.get(f"{url}/archive.zip").content)).namelist()
    assert "inside.xsd" in names and "leak.xsd" not in names and not any("PRIVATE" in n or n.startswith("outside") for n in names)


# --------------------------------------------------------------------------- the list, with hashes


def test_the_file_list_gives_each_files_hash_and_url(permit, fixture_catalog):
    version = fixture_catalog.resolve("th.test.permit@1.1.0")
    body = permit.get(f"{base(version.ref)}/files").json()
    assert body["standard"] == "th.test.permit" and body["version"] == "1.1.0" and body["total"] == len(body["files"])
    assert body["archive"] == f"{base(version.ref)}/archive.zip"
    paths = [f["path"] for f in body["files"]]
    on_disk = sorted(p.relative_to(version.folder).as_posix() for p in version.folder.rglob("*") if p.is_file())
    assert paths == on_disk and "version.toml" in paths  # every file, the public catalog entry too
    for f in body["files"]:
        data = permit.get(f["url"]).content
        assert f["size"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest(), f["path"]
        assert f["locked"] == (version.hashes.get(f["path"]) == f["sha256"])


def test_a_locked_versions_list_agrees_with_its_lock(client, bundled_catalog):
    version = bundled_catalog.resolve("th.dopa.citizen-profile@2.0.0")
    assert version.hashes
    listed = {f["path"]: f for f in client.get(f"{base(version.ref)}/files").json()["files"]}
    for path, sha in version.hashes.items():
        assert listed[path]["sha256"] == sha and listed[path]["locked"], path
    assert not listed["version.toml"]["locked"]  # a lock cannot list its own file


def test_unknown_standard_or_version_is_404(permit):
    for url in ("/api/v1/standards/th.nope/versions/1.0.0/files", "/api/v1/standards/th.test.permit/versions/9.9.9/archive.zip",
                "/api/v1/standards/th.test.permit/versions/9.9.9/files/schema.xsd"):
        assert permit.get(url).status_code == 404, url


# --------------------------------------------------------------------------- the archive


def unzip(data: bytes, into: Path) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        archive.extractall(into)
        manifest = json.loads(archive.read("MANIFEST.json"))
        assert sorted(archive.namelist()) == sorted(["MANIFEST.json", *(f["path"] for f in manifest["files"])])
    for f in manifest["files"]:
        data = (into / f["path"]).read_bytes()
        assert len(data) == f["size"] and hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
    return manifest


@pytest.fixture(scope="module")
def offline():
    """`dxs` with no catalog but what it is given: the unzipped folder must be enough."""
    runner = CliRunner()

    def validate(*args: str | Path):
        return runner.invoke(cli.main, ["validate", "-j", "1", "--no-progress", *map(str, args)],
                             env={"DXS_BUNDLED_CATALOG": "0", "DXS_CATALOG": ""}, catch_exceptions=False)

    return validate


@pytest.mark.parametrize("ref", XSD_REFS)
def test_archive_round_trip_validates_offline(ref, client, bundled_catalog, offline, tmp_path):
    version = bundled_catalog.resolve(ref)
    got = client.get(f"{base(ref)}/archive.zip")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert downloads.archive_name(version) in got.headers["content-disposition"]
    manifest = unzip(got.content, tmp_path)
    assert manifest["version"] == version.version and manifest["status"] == version.status
    assert (manifest["announcement"] or {}).get("id", None) == (
        bundled_catalog.register.find(version.announcement).id if version.announcement else None)
    (entry,) = [e for e in manifest["standards"] if e["id"] == version.standard_id]
    assert entry["xml_schema"] == relative(version, version.xml_schema)
    example = next(p for p in version.examples("valid") if p.suffix == ".xml")
    document = tmp_path / relative(version, example)  # the archive carries the examples too

    need(shutil.which("xmllint") is not None, "xmllint is not installed")
    lint = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", entry["xml_schema"], str(document)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stderr

    rules = ["--rules", tmp_path / entry["rules"]] if entry["rules"] else []
    result = offline("--schema", tmp_path / entry["xml_schema"], *rules, document)
    assert result.exit_code == 0, result.output


def test_a_json_form_validates_offline_too(client, bundled_catalog, offline, tmp_path):
    version = bundled_catalog.resolve("th.dopa.citizen-profile@2.0.0")
    manifest = unzip(client.get(f"{base(version.ref)}/archive.zip").content, tmp_path)
    (entry,) = manifest["standards"]
    example = next(p for p in version.examples("valid") if p.suffix == ".json")
    result = offline("--schema", tmp_path / entry["json_schema"], tmp_path / relative(version, example))
    assert result.exit_code == 0, result.output


def test_offline_validation_still_catches_what_the_schema_and_rules_forbid(client, offline, tmp_path):
    unzip(client.get(f"{base('th.dopa.citizen-profile@2.0.0')}/archive.zip").content, tmp_path)
    invalid = tmp_path / "examples" / "invalid"
    by_schema = offline("--schema", tmp_path / "schema.xsd", invalid / "missing-english-name.xml")
    assert by_schema.exit_code == 1 and "cvc-complex-type.2.4" in by_schema.output
    by_rules = offline("--schema", tmp_path / "schema.xsd", "--rules", tmp_path / "rules.sch", invalid / "bad-national-id-check.xml")
    assert by_rules.exit_code == 1 and "CP-NID-CHECK" in by_rules.output


def test_the_archive_is_the_same_bytes_every_time(permit, fixture_catalog):
    url = f"{base('th.test.permit@1.1.0')}/archive.zip"
    first = permit.get(url)
    downloads._zip.cache_clear()  # built again, not remembered
    again = TestClient(create_app(catalog=fixture_catalog)).get(url)
    assert first.content == again.content and first.headers["etag"] == again.headers["etag"]
    for info in zipfile.ZipFile(io.BytesIO(first.content)).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
    assert first.content != permit.get(f"{base('th.test.permit@1.0.0')}/archive.zip").content


def test_the_manifest_names_the_version(permit, fixture_catalog, tmp_path):
    manifest = unzip(permit.get(f"{base('th.test.permit@1.1.0')}/archive.zip").content, tmp_path)
    assert {k: manifest[k] for k in ("standard", "version", "status")} == {
        "standard": "th.test.permit", "version": "1.1.0", "status": fixture_catalog.resolve("th.test.permit@1.1.0").status}
    assert "announcement" in manifest and "illustrative" in manifest
    assert manifest["standards"] == [{"id": "th.test.permit", "json_schema": "schema.json", "xml_schema": "schema.xsd",
                                      "rules": "rules.sch", "examples": "examples"}]


def test_a_packages_document_types_share_one_archive(client, bundled_catalog, tmp_path):
    refs = [s.id + "@2.1.0" for s in bundled_catalog.package("th.etda.e-tax-invoice-receipt")]
    archives = {client.get(f"{base(ref)}/archive.zip").content for ref in refs}
    assert len(archives) == 1
    manifest = unzip(archives.pop(), tmp_path)
    assert manifest["standard"] == "th.etda.e-tax-invoice-receipt"
    assert sorted(e["id"] for e in manifest["standards"]) == sorted(r.partition("@")[0] for r in refs)
    assert all((tmp_path / e["xml_schema"]).is_file() and (tmp_path / e["rules"]).is_file() for e in manifest["standards"])


# --------------------------------------------------------------------------- pages and the DCAT export


def test_the_standard_page_links_the_archive_and_every_file(client):
    page = client.get("/standards/th.dopa.citizen-profile").text
    links = set(re.findall(r'href="(/api/v1/[^"]+)"', page))
    url = base("th.dopa.citizen-profile@2.0.0")
    assert {f"{url}/archive.zip", f"{url}/files", f"{url}/files/ThaiAddressComponents.xsd", f"{url}/files/rules.sch"} <= links
    assert "xmllint --noout --schema schema.xsd" in page and "--rules rules.sch" in page
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_static_site_keeps_files_at_their_paths_with_an_archive(bundled_catalog, tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "_forms", lambda version, links: [])  # the e-Tax field tables take a minute; not the point here
    package = bundled_catalog.package("th.etda.e-tax-invoice-receipt")
    catalog = Catalog([*package, bundled_catalog.standard("th.dopa.citizen-profile")], bundled_catalog.register)
    written = pages.build_static_site(catalog, tmp_path)
    web = TestClient(create_app(catalog=catalog))
    for standard in catalog:
        for version in standard.versions:
            owner = downloads.folder_id(version)
            archive = tmp_path / "standards" / owner / f"{version.version}.zip"
            assert archive in written and archive.read_bytes() == web.get(f"{base(version.ref)}/archive.zip").content
            page = (tmp_path / "standards" / standard.id / f"{version.version}.html").read_text(encoding="utf-8")
            assert 'href="' + ("" if owner == standard.id else f"../{owner}/") + f'{version.version}.zip"' in page
            copy = tmp_path / "standards" / owner / version.version / relative(version, version.xml_schema)
            etree.XMLSchema(etree.parse(str(copy)))  # its modules are beside it
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="standards/th.etda.e-tax-invoice-receipt/2.1.0.zip"' in index
    assert 'href="standards/th.dopa.citizen-profile/2.0.0.zip"' in index
    for page in (p for p in written if p.suffix == ".html"):
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            if not (urlsplit(href).scheme or href.startswith("#")):
                assert (page.parent / unquote(urlsplit(href).path)).resolve().is_file(), f"{page}: {href}"


def test_dcat_lists_the_archive_and_the_schema_files(fixture_catalog):
    (standard,) = catalog_as_dcat(fixture_catalog, "https://example.org")["dcat:resource"]
    for version in standard["dcat:hasVersion"]:
        by_title = {d["dct:title"]: d for d in version["dcat:distribution"]}
        archive = by_title["archive.zip"]
        assert archive["dcat:downloadURL"]["@id"] == version["@id"] + "/archive.zip"
        assert archive["dcat:mediaType"] == "application/zip"
        assert by_title["schema.json"]["dcat:mediaType"] == "application/schema+json"
        assert by_title["schema.xsd"]["dcat:mediaType"] == by_title["rules.sch"]["dcat:mediaType"] == "application/xml"
        assert not any(t.startswith("examples/") for t in by_title)


def test_openapi_documents_the_downloads(permit):
    paths = permit.get("/openapi.json").json()["paths"]
    for path in ("files", "files/{path}", "archive.zip"):
        assert f"/api/v1/standards/{{standard_id}}/versions/{{version}}/{path}" in paths


def test_the_list_is_the_versions_files_and_its_toml(fixture_catalog):
    version = fixture_catalog.resolve("th.test.permit@1.1.0")
    assert [f.path for f in downloads.version_files(version)] == sorted(
        ["version.toml", *(p.relative_to(version.folder).as_posix() for p in version.files())])
