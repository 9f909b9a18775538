"""The authorisation matrix: every write endpoint × every kind of caller, and what must not leak.

For each cell the answer's status is the one the roles promise; a refused write
leaves the log exactly as long as it was; every error is ``{code, message}`` and
gives away no SQL, path or trace; no answer carries an existing key.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from tests.kit.world import LINK, World

from .leaks import key_leaks, leaks_internals

__all__ = ["CALLERS", "MATRIX", "AuthzFigures", "run_matrix"]

CALLERS = ("none", "garbage", "other", "revoked", "own", "office")

_EVENTS = {"records": [{"record_id": "x", "window_start": "2024-05-01T00:00:00Z", "window_end": "2024-05-01T01:00:00Z", "messages": 1}]}

#: endpoint → (method, path, body, expected status per caller). "own" is RD, whom each request
#: concerns; "other" is DOPA, who is no party; "garbage" is a key that was never issued.
MATRIX: dict[str, tuple[str, str, Any, dict[str, int]]] = {
    "create agency": ("POST", "/api/v1/agencies", {"code": "{unique}", "name_th": "หน่วยงาน", "name_en": "An agency", "sector": "statistics", "kind": "ministry-department"},
                      {"none": 401, "garbage": 401, "other": 403, "revoked": 401, "own": 403, "office": 201}),
    "change agency": ("PATCH", "/api/v1/agencies/RD", {"name_en": "The Revenue Department {unique}"},
                      {"none": 401, "garbage": 401, "other": 403, "revoked": 401, "own": 403, "office": 200}),
    "issue key": ("POST", "/api/v1/agencies/RD/keys", {"label": "new {unique}"},
                  {"none": 401, "garbage": 401, "other": 403, "revoked": 401, "own": 403, "office": 201}),
    "revoke key": ("POST", "/api/v1/keys/{spare_key}/revoke", None,
                   {"none": 401, "garbage": 401, "other": 403, "revoked": 401, "own": 200, "office": 200}),
    "declare link": ("POST", "/api/v1/links", LINK | {"purpose": "Declared {unique}"},
                     {"none": 401, "garbage": 401, "other": 403, "revoked": 401, "own": 201, "office": 403}),
    "change link": ("PATCH", "/api/v1/links/{link}", {"purpose": "Changed {unique}"},
                    {"none": 401, "garbage": 401, "other": 404, "revoked": 401, "own": 200, "office": 403}),
    "send events": ("POST", "/api/v1/links/{link}/events", _EVENTS,
                    {"none": 401, "garbage": 401, "other": 404, "revoked": 401, "own": 201, "office": 403}),
    # replace: the office's cell succeeds however often the matrix runs on one world
    "publish indicators": ("POST", "/api/v1/indicators/publications", {"year": 2564, "replace": True},
                           {"none": 401, "garbage": 401, "other": 403, "revoked": 401, "own": 403, "office": 201}),
    # any agency files its own request for a standard; the office answers requests, it files none
    "file request": ("POST", "/api/v1/requests", {"document_type": "a certificate {unique}", "sectors": ["statistics"], "urgency": "medium"},
                     {"none": 401, "garbage": 401, "other": 201, "revoked": 401, "own": 201, "office": 403}),
    "create need group": ("POST", "/api/v1/need-groups", {"name_th": "กลุ่ม {unique}", "name_en": "Group {unique}"},
                          {"none": 401, "garbage": 401, "other": 403, "revoked": 401, "own": 403, "office": 201}),
    # every agency sets its own webhook (a new address each cell, so each is a logged change)
    "set webhook": ("PUT", "/api/v1/webhook", {"url": "https://notices.example.org/{unique}"},
                    {"none": 401, "garbage": 401, "other": 200, "revoked": 401, "own": 200, "office": 403}),
}


class _Client(Protocol):
    def request(self, method: str, url: str, **kwargs: Any) -> Any: ...


@dataclass
class AuthzFigures:
    cells: int = 0
    correct: int = 0
    problems: list[str] = field(default_factory=list)


def _fill(value: Any, unique: str) -> Any:
    if isinstance(value, str):
        return value.replace("{unique}", unique)
    if isinstance(value, dict):
        return {k: _fill(v, unique) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, unique) for v in value]
    return value


def _log_size(client: _Client) -> int:
    return int(client.request("GET", "/api/v1/log/checkpoint").json()["size"])


def _spare_rd_key(world: World) -> int:
    """A fresh key of RD for one revoke cell (so revoking it harms no other cell)."""
    from dxs.registry import admin

    key_id, secret = admin.create_key(world.url, world.log_key, agency="RD", office=False, label="spare")
    world.secrets.append(secret)
    return key_id


def run_matrix(client: _Client, world: World) -> AuthzFigures:
    """Every write endpoint × every caller in :data:`CALLERS`; return what held."""
    figures = AuthzFigures()
    counter = itertools.count()
    headers_of = {caller: world.bearer(caller) for caller in ("none", "other", "revoked", "own", "office")}
    headers_of["other"] = world.bearer("DOPA")
    headers_of["own"] = world.bearer("RD")
    headers_of["garbage"] = {"Authorization": "Bearer dxs_000000000000_not-a-key-that-was-ever-issued"}
    for endpoint, (method, path, body, expected) in MATRIX.items():
        for caller in CALLERS:
            figures.cells += 1
            unique = f"Z{next(counter):04d}"
            spare = _spare_rd_key(world) if "{spare_key}" in path else 0
            url = path.replace("{link}", str(world.link_id)).replace("{spare_key}", str(spare))
            before = _log_size(client)
            answer = client.request(method, url, json=_fill(body, unique), headers=headers_of[caller])
            after = _log_size(client)
            cell = f"{endpoint} as {caller}"
            text = answer.text
            problems = []
            if answer.status_code != expected[caller]:
                problems.append(f"HTTP {answer.status_code}, expected {expected[caller]}: {text[:160]}")
            if answer.status_code >= 400:
                try:
                    shape = set(json.loads(text))
                except ValueError:
                    shape = set()
                if shape != {"code", "message"}:
                    problems.append(f"error body is not {{code, message}}: {text[:160]}")
                if after != before:
                    problems.append(f"a refused write changed the log ({before} → {after} entries)")
                what = leaks_internals(text)
                if what:
                    problems.append(f"the error gives away a {what}")
            elif after != before + 1:
                problems.append(f"a write should append one log entry ({before} → {after})")
            if key_leaks(text, world.secrets):
                problems.append("an existing API key is in the answer")
            if answer.status_code == 201 and endpoint == "issue key":
                world.secrets.append(answer.json()["key"])  # shown this once; never again
            if problems:
                figures.problems.extend(f"{cell}: {p}" for p in problems)
            else:
                figures.correct += 1
    # after creation, no read shows a key: the agency's key list, the log, the links
    office = headers_of["office"]
    for url in ("/api/v1/agencies/RD/keys", "/api/v1/log/entries?limit=1000", "/api/v1/links", f"/api/v1/links/{world.link_id}/history"):
        figures.cells += 1
        answer = client.request("GET", url, headers=office)
        if answer.status_code != 200 or key_leaks(answer.text, world.secrets):
            figures.problems.append(f"GET {url}: HTTP {answer.status_code}, or an API key is in the answer")
        else:
            figures.correct += 1
    return figures
