"""The read-only catalog API and the landing page."""

import json

import pytest
from fastapi.testclient import TestClient

from dxs.registry import create_app


@pytest.fixture(scope="module")
def client(fixture_catalog):
    return TestClient(create_app(catalog=fixture_catalog))


def test_lists_standards_with_versions(client):
    body = client.get("/api/v1/standards").json()
    assert body["total"] == 1
    (permit,) = body["items"]
    assert permit["id"] == "th.test.permit" and permit["latest"] == "1.1.0"
    assert [v["version"] for v in permit["versions"]] == ["1.0.0", "1.1.0"]
    assert permit["versions"][0]["forms"] == ["json", "xml", "schematron"]
    assert client.get("/api/v1/standards", params={"sector": "health"}).json()["total"] == 0


def test_one_standard_and_not_found(client):
    assert client.get("/api/v1/standards/th.test.permit").json()["title_th"] == "ใบอนุญาตทดสอบ"
    missing = client.get("/api/v1/standards/th.nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get("/api/v1/standards/th.test.permit/versions/9.9.9/schema.json").status_code == 404


def test_schemas_are_served_byte_for_byte(client, fixture_catalog):
    version = fixture_catalog.resolve("th.test.permit@1.0.0")
    got = client.get("/api/v1/standards/th.test.permit/versions/1.0.0/schema.json")
    assert got.status_code == 200 and got.content == version.json_schema.read_bytes()
    assert json.loads(got.content)["$id"].endswith("/1.0.0/schema.json")
    xsd = client.get("/api/v1/standards/th.test.permit/versions/1.0.0/schema.xsd")
    assert xsd.status_code == 200 and xsd.content == version.xml_schema.read_bytes()


def test_landing_page_and_openapi(client):
    page = client.get("/")
    assert page.status_code == 200 and "ใบอนุญาตทดสอบ" in page.text and "/docs" in page.text
    spec = client.get("/openapi.json").json()
    assert "/api/v1/standards/{standard_id}/versions/{version}/schema.json" in spec["paths"]
