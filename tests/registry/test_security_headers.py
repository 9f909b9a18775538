"""Security headers: every page is framed by nobody and loads only from the service; /docs keeps its own policy."""

from __future__ import annotations

import pytest

from dxs.registry.security_headers import PAGE_POLICY, with_headers

PAGES = ["/", "/validate", "/my/links", "/dashboard", "/standards/th.test.permit", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_security_headers(client, path):
    got = client.get(path, headers={"Accept": "text/html"})
    assert got.status_code in (200, 404) and got.headers["content-type"].startswith("text/html")
    assert got.headers["content-security-policy"] == PAGE_POLICY
    assert "frame-ancestors 'none'" in PAGE_POLICY and "default-src 'self'" in PAGE_POLICY and "script-src 'self';" in PAGE_POLICY
    assert got.headers["x-frame-options"] == "DENY"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["referrer-policy"] == "same-origin"


def test_the_sign_in_page_cannot_be_framed_even_after_a_failed_sign_in(client):
    refused = client.post("/my/login", data={"key": "dxs_bad_key"})
    assert refused.status_code == 401 and refused.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in refused.headers["content-security-policy"]


def test_json_answers_and_errors_carry_them_harmlessly(client):
    for got in (client.get("/api/v1/standards"), client.get("/api/v1/agencies/NOPE"), client.post("/api/v1/links", json={})):
        assert got.headers["content-type"].startswith("application/json") and got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["x-frame-options"] == "DENY"


def test_the_api_docs_keep_their_own_policy_and_cannot_be_framed(client):
    from dxs.registry.openapi import DOCS_POLICY

    for path in ("/docs", "/redoc"):
        got = client.get(path)
        assert got.status_code == 200
        policy = got.headers["content-security-policy"]
        assert policy.startswith(DOCS_POLICY) and policy.endswith("frame-ancestors 'none'")
        assert got.headers.get_list("content-security-policy") == [policy]  # one policy, not two


def test_a_routes_own_headers_win():
    mine = [(b"content-security-policy", b"default-src 'none'; frame-ancestors 'self'"), (b"x-frame-options", b"SAMEORIGIN")]
    out = dict(with_headers(mine))
    assert out[b"content-security-policy"] == b"default-src 'none'; frame-ancestors 'self'"
    assert out[b"x-frame-options"] == b"SAMEORIGIN" and out[b"referrer-policy"] == b"same-origin"
