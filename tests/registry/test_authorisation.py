"""Every write endpoint × every kind of caller → the status the roles promise.

Roles: an agency acts only for itself; the office administers agencies and keys but
declares no links and reports no events; anonymous callers write nothing.
"""

from __future__ import annotations

import pytest

from tests.registry.conftest import LINK

CALLERS = ("none", "other", "revoked", "own", "office")

EVENTS = {"records": [{"record_id": "x", "window_start": "2024-05-01T00:00:00Z", "window_end": "2024-05-01T01:00:00Z", "messages": 1}]}

#: endpoint → (method, path, body, expected status per caller)
#: "own" is RD, whom each request concerns; "other" is DOPA, who is no party.
MATRIX = {
    "create agency": ("POST", "/api/v1/agencies", {"code": "NSO", "name_th": "สำนักงานสถิติแห่งชาติ", "name_en": "National Statistical Office", "sector": "statistics", "kind": "ministry-department"},
                      {"none": 401, "other": 403, "revoked": 401, "own": 403, "office": 201}),
    "change agency": ("PATCH", "/api/v1/agencies/RD", {"name_en": "The Revenue Department"},
                      {"none": 401, "other": 403, "revoked": 401, "own": 403, "office": 200}),
    "issue key": ("POST", "/api/v1/agencies/RD/keys", {"label": "new"},
                  {"none": 401, "other": 403, "revoked": 401, "own": 403, "office": 201}),
    "revoke key": ("POST", "/api/v1/keys/{rd_key}/revoke", None,
                   {"none": 401, "other": 403, "revoked": 401, "own": 200, "office": 200}),
    "declare link": ("POST", "/api/v1/links", LINK,
                     {"none": 401, "other": 403, "revoked": 401, "own": 201, "office": 403}),
    "change link": ("PATCH", "/api/v1/links/{link}", {"purpose": "Payments and refunds"},
                    {"none": 401, "other": 404, "revoked": 401, "own": 200, "office": 403}),
    "send events": ("POST", "/api/v1/links/{link}/events", EVENTS,
                    {"none": 401, "other": 404, "revoked": 401, "own": 201, "office": 403}),
    "publish indicators": ("POST", "/api/v1/indicators/publications", {"year": 2564},
                           {"none": 401, "other": 403, "revoked": 401, "own": 403, "office": 201}),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_write_endpoint_for_caller(client, world, link_id, endpoint, caller):
    method, path, body, expected = MATRIX[endpoint]
    headers = {"none": {}, "other": world.dopa, "revoked": world.revoked, "own": world.rd, "office": world.office}[caller]
    url = path.format(link=link_id, rd_key=world.rd_key_id)
    got = client.request(method, url, json=body, headers=headers)
    assert got.status_code == expected[caller], got.text
    if got.status_code >= 400:
        assert set(got.json()) == {"code", "message"}


def test_the_matrix_covers_every_write_endpoint(app):
    """A new write endpoint must be added to the matrix above."""
    writes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    covered = {(m, p.replace("{rd_key}", "{key_id}").replace("{link}", "{link_id}").replace("/RD", "/{code}")) for m, p, _, _ in MATRIX.values()}
    reads_by_post = {("POST", "/api/v1/validate")}  # validation stores nothing
    from tests.registry.test_needs import NEEDS_WRITES  # requests for standards and need groups: their matrix is there

    from tests.registry.test_notices import NOTICES_WRITES  # webhooks: tested there

    assert writes - reads_by_post == covered | NEEDS_WRITES | NOTICES_WRITES


def test_revoked_and_unknown_keys_say_why(client, world):
    assert client.post("/api/v1/links", json=LINK, headers=world.revoked).json()["code"] == "key_revoked"
    assert client.post("/api/v1/links", json=LINK, headers={"Authorization": "Bearer dxs_nope_nope"}).json()["code"] == "invalid_key"
    assert client.post("/api/v1/links", json=LINK, headers={"X-API-Key": "garbage"}).json()["code"] == "invalid_key"


def test_an_inactive_agency_can_no_longer_act(client, world):
    assert client.patch("/api/v1/agencies/RD", json={"status": "inactive"}, headers=world.office).status_code == 200
    got = client.post("/api/v1/links", json=LINK, headers=world.rd)
    assert got.status_code == 403 and got.json()["code"] == "agency_inactive"
