"""Portal pages: catalog browser, validate-by-upload, an agency's own links."""

from __future__ import annotations

from tests.conftest import FIXTURE_CATALOG
from tests.registry.conftest import LINK

EXAMPLES = FIXTURE_CATALOG / "th.test.permit" / "1.1.0" / "examples"


def test_catalog_browser_filters_and_links_to_standard_pages(client):
    page = client.get("/")
    assert page.status_code == 200 and "ใบอนุญาตทดสอบ" in page.text and 'href="/standards/th.test.permit"' in page.text
    assert "ใบอนุญาตทดสอบ" not in client.get("/", params={"q": "nothing-like-this"}).text
    assert "ใบอนุญาตทดสอบ" in client.get("/", params={"q": "ทดสอบ"}).text
    assert "ใบอนุญาตทดสอบ" not in client.get("/", params={"sector": "health"}).text
    assert "cdn" not in page.text.lower() and "<script" not in page.text
    assert '<span class="illustrative"' in page.text and "ตัวอย่าง · illustrative" in page.text  # the fixture is made up


def test_validate_by_upload(client):
    form = client.get("/validate")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert "(ตัวอย่าง · illustrative)</option>" in form.text
    bad = EXAMPLES / "invalid" / "missing-holder.json"
    got = client.post("/validate", files={"document": (bad.name, bad.read_bytes(), "application/json")}, data={"standard": ""})
    assert got.status_code == 200 and "invalid" in got.text and "th.test.permit@1.1.0" in got.text
    assert '<span class="illustrative">ตัวอย่าง · illustrative</span>' in got.text
    good = EXAMPLES / "valid" / "malee.xml"
    ok = client.post("/validate", files={"document": (good.name, good.read_bytes(), "application/xml")}, data={"standard": "th.test.permit@1.1.0"})
    assert "ถูกต้อง · valid" in ok.text


def test_my_links_with_a_key_cookie(client, world, link_id):
    assert "API key" in client.get("/my/links").text
    key = world.rd["Authorization"].split()[1]
    wrong = client.post("/my/login", data={"key": "dxs_bad_key"}, follow_redirects=False)
    assert wrong.status_code == 401 and "dxs_key" not in wrong.headers.get("set-cookie", "")
    signed = client.post("/my/login", data={"key": key}, follow_redirects=False)
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/my/links")
    assert "กรมสรรพากร" in page.text and LINK["purpose"] in page.text and "th.test.permit@1.1.0" in page.text
    # the cookie is for the pages only: the API still wants the key in a header
    assert client.post("/api/v1/links", json=LINK).status_code == 401
    client.post("/my/logout", follow_redirects=False)
    client.cookies.clear()
    assert LINK["purpose"] not in client.get("/my/links").text


def test_cross_site_sign_in_is_refused(client, world):
    key = world.rd["Authorization"].split()[1]
    got = client.post("/my/login", data={"key": key}, headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert got.status_code == 403


def test_my_links_lists_the_newest_first_with_times_as_people_read_them(client, world):
    first = client.post("/api/v1/links", json=LINK | {"start_date": "2024-01-01"}, headers=world.rd)
    second = client.post("/api/v1/links", json=LINK | {"purpose": "A second exchange", "start_date": "2024-01-01"}, headers=world.rd)
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    events = {"records": [{"record_id": "r1", "window_start": "2024-05-01T03:00:00Z", "window_end": "2024-05-01T04:00:00Z", "messages": 3}]}
    sent = client.post(f"/api/v1/links/{first.json()['id']}/events", json=events, headers=world.rd)
    assert sent.status_code == 201, sent.text
    client.post("/my/login", data={"key": world.rd["Authorization"].split()[1]}, follow_redirects=False)
    page = client.get("/my/links").text
    assert page.index("A second exchange") < page.index(LINK["purpose"])  # newest first
    assert "1 record<" in page and "1 พ.ค. 2567 11:00 น." in page  # 04:00 UTC is 11:00 in Bangkok
    assert "2024-05-01T04:00:00" not in page.split("title=")[0]  # no raw timestamp outside the tooltip


# --------------------------------------------------------------------------- sessions


def _sign_in(client, key: str) -> str:
    signed = client.post("/my/login", data={"key": key}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return client.cookies["dxs_session"]


def test_the_cookie_holds_a_session_token_not_the_key(client, world, link_id, database):
    from sqlalchemy import select

    from dxs.registry.models import PortalSession

    key = world.rd["Authorization"].split()[1]
    token = _sign_in(client, key)
    assert token != key and key not in token and key.split("_", 2)[2] not in token
    assert "dxs_key" not in client.cookies
    with database.transaction(write=False) as session:
        stored = session.execute(select(PortalSession.token_hash)).scalars().all()
    assert token not in stored and len(stored[0]) == 64  # kept as a hash, like keys
    assert LINK["purpose"] in client.get("/my/links").text


def test_signing_out_ends_the_session_on_the_server(client, world, link_id):
    token = _sign_in(client, world.rd["Authorization"].split()[1])
    client.post("/my/logout", follow_redirects=False)
    assert "dxs_session" not in client.cookies
    client.cookies.set("dxs_session", token)  # a copy of the cookie, kept by whoever took it
    page = client.get("/my/links")
    assert page.status_code == 401 and LINK["purpose"] not in page.text and "sign in again" in page.text


def test_revoking_the_key_ends_its_sessions(client, world, link_id):
    _sign_in(client, world.rd["Authorization"].split()[1])
    assert LINK["purpose"] in client.get("/my/links").text
    assert client.post(f"/api/v1/keys/{world.rd_key_id}/revoke", headers=world.office).status_code == 200
    page = client.get("/my/links")
    assert page.status_code == 401 and LINK["purpose"] not in page.text


def test_an_expired_session_is_refused(client, world, link_id, database):
    from sqlalchemy import update

    from dxs.registry.models import PortalSession
    from dxs.registry.times import utcnow

    _sign_in(client, world.rd["Authorization"].split()[1])
    with database.transaction() as session:
        session.execute(update(PortalSession).values(expires_at=utcnow()))
    page = client.get("/my/links")
    assert page.status_code == 401 and "expired" in page.text and LINK["purpose"] not in page.text


def test_a_cookie_holding_a_key_from_before_sessions_no_longer_signs_in(client, world, link_id):
    client.cookies.set("dxs_key", world.rd["Authorization"].split()[1])
    page = client.get("/my/links")
    assert LINK["purpose"] not in page.text and "API key" in page.text
    assert 'dxs_key=""' in page.headers.get("set-cookie", "")  # and it is deleted
