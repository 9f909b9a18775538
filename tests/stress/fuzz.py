"""API fuzzing: schemathesis against the service's own OpenAPI document, every operation.

Each operation is fuzzed for every kind of caller — whatever headers schemathesis
makes up (mostly no key or a garbage one), a revoked key, an agency's key and the
office's key — with valid and invalid requests, and, where it has path parameters,
once more with ids that exist (so requests get past 404 into the service). Every
answer is held to the documented schema (status code, media type, body) and must
not be a 5xx, leak a key, SQL, a file path or a stack trace.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.kit.world import World

from .leaks import key_leaks, leaks_internals

__all__ = ["FuzzFigures", "fuzz_app", "fuzz_hostile", "hostile_strategies"]

CALLERS = ("generated", "revoked", "RD", "office")


@dataclass
class FuzzFigures:
    requests: int = 0
    server_errors: int = 0
    schema_violations: int = 0
    leaks: int = 0
    operations: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # the first few, distinct, for the reader

    def note(self, problem: str) -> None:
        if problem not in self.problems and len(self.problems) < 40:
            self.problems.append(problem)


def _known_path_parameters(world: World) -> dict[str, Any]:
    return {
        "code": "DOPA",
        "link_id": world.link_id,
        "key_id": world.revoked_key_id,
        "standard_id": "th.etda.e-tax-invoice-receipt.tax-invoice",
        "version": "2.1.0",
    }


def fuzz_app(app: Any, world: World, *, examples: int, seed: int | None = None, derandomize: bool = False) -> FuzzFigures:
    """Fuzz every operation of ``app`` (in process) and return what was found.

    ``examples`` bounds the requests per operation, caller, mode and id choice; with
    ``derandomize`` the same requests are made on every run (the `make test` sample).
    """
    import hypothesis
    import schemathesis
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, response_headers_conformance]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    figures = FuzzFigures()
    known = _known_path_parameters(world)
    operations = [result.ok() for result in schema.get_all_operations()]
    figures.operations = len(operations)

    for operation in operations:
        path_names = [p.name for p in operation.path_parameters]
        id_choices: list[dict[str, Any] | None] = [None]
        if path_names:
            id_choices.append({name: known[name] for name in path_names if name in known})
        for caller in CALLERS:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for fixed in id_choices:
                    label = f"{operation.method.upper()} {operation.path} as {caller}, {mode.value}{', known ids' if fixed else ''}"
                    exercise = _exerciser(figures, world, checks, caller, label)
                    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed) if fixed else operation.as_strategy(generation_mode=mode)
                    test = settings(
                        max_examples=examples,
                        derandomize=derandomize,
                        database=None,
                        deadline=None,
                        phases=[Phase.generate],
                        suppress_health_check=list(HealthCheck),
                        verbosity=Verbosity.quiet,
                    )(given(strategy)(exercise))
                    if seed is not None and not derandomize:
                        test = hypothesis.seed(seed)(test)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        try:
                            test()
                        except hypothesis.errors.Unsatisfiable:
                            pass  # nothing could be generated for this combination (e.g. negative mode with no constraints)
    return figures


def _exerciser(figures: FuzzFigures, world: World, checks: list[Any], caller: str, label: str) -> Callable[[Any], None]:
    """The body of one fuzzing run: send the case as ``caller``, then hold the answer to the rules."""
    from schemathesis.core.failures import Failure, FailureGroup

    def exercise(case: Any) -> None:
        if caller != "generated":
            headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in ("authorization", "x-api-key")}
            case.headers = headers | world.bearer(caller)
        try:
            response = case.call()
        except Exception as exc:  # a request the client cannot even send (e.g. a non-ASCII header)
            if type(exc).__name__ in ("InvalidHeader", "UnicodeEncodeError", "LocalProtocolError", "InvalidURL"):
                return
            # in process, an error the app did not handle surfaces here instead of as a 500
            figures.requests += 1
            figures.server_errors += 1
            figures.statuses[500] += 1
            figures.note(f"{label}: unhandled {type(exc).__name__}: {str(exc)[:200]}")
            return
        figures.requests += 1
        figures.statuses[response.status_code] += 1
        try:  # a download (a version's archive.zip, a file) is bytes, not text
            text = response.text if isinstance(response.text, str) else ""
        except UnicodeDecodeError:
            text = ""
        if response.status_code >= 500:
            figures.server_errors += 1
            figures.note(f"{label}: {response.status_code} {text[:200]}")
        try:
            case.validate_response(response, checks=checks)
        except (Failure, FailureGroup) as exc:  # schemathesis reports each broken check as a failure
            if response.status_code < 500:
                figures.schema_violations += 1
                failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
                for failure in failures:
                    figures.note(f"{label}: {response.status_code}: {getattr(failure, 'title', type(failure).__name__)}: {' '.join(str(getattr(failure, 'message', '')).split())[:300]}")
        leaked = key_leaks(text, world.secrets)
        if leaked:
            figures.leaks += 1
            figures.note(f"{label}: an API key ({', '.join(leaked)}) is in the answer")
        if response.status_code >= 400:
            what = leaks_internals(_message_of(text))
            if what:
                figures.leaks += 1
                figures.note(f"{label}: the error gives away a {what}: {text[:200]}")

    return exercise


def _message_of(text: str) -> str:
    """The human parts of an error answer (its ``message`` and details), where leaks would show."""
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, dict):
        # the `details` echo the caller's own input back; only our words can leak internals
        return f"{body.get('code', '')} {body.get('message', '')}"
    return text


# --------------------------------------------------------------------------- hostile values in every parameter and body


def hostile_strategies() -> dict[str, Any]:
    """Hypothesis strategies for what a hostile client sends: ``text`` (NUL, lone surrogates, controls,
    Thai, brackets, escapes), ``times`` (RFC 3339 times at the ends of the range with extreme
    offsets), ``json`` (bodies of hostile text and keys) and ``deep`` (JSON nested past any limit)."""
    from hypothesis import strategies as st

    text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | st.sampled_from(
        ["\x00", "a\x00b", "\ud800", "\udfff", "x\ud83d", "\udc00y", "[" * 300, "\\u0000", "R\x00D", "กรม\x00", "dxs_a\x00_b"]
    )
    offsets = st.integers(-1439, 1439).map(lambda m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}")
    moments = st.sampled_from(["0001-01-01T00:00:00", "0001-01-01T23:59:59", "9999-12-31T00:00:00", "9999-12-31T23:59:59.999999", "2024-05-01T03:00:00"])
    times = st.builds(str.__add__, moments, offsets | st.just("Z"))
    leaves = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | text | times
    json_values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8)
    deep = st.tuples(st.integers(250, 3000), st.sampled_from(["[]", "{}", "[{"])).map(_deep_json)
    return {"text": text, "times": times, "json": json_values, "deep": deep}


def _deep_json(spec: tuple[int, str]) -> str:
    depth, kind = spec
    if kind == "[]":
        return "[" * depth + "]" * depth
    if kind == "{}":
        return '{"a":' * depth + "1" + "}" * depth
    return '{"records": [' + '{"a": [' * (depth // 2) + "1" + "]}" * (depth // 2) + "]}"


def fuzz_hostile(app: Any, world: World, *, examples: int, derandomize: bool = True) -> FuzzFigures:
    """Every operation of ``app``'s OpenAPI document, its every path and query parameter and its body
    made of :func:`hostile_strategies`, as no caller, an agency and the office: never a 5xx, always
    an answer of the documented ``{code, message}`` shape when refused."""
    from fastapi.testclient import TestClient
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import strategies as st

    hostile = hostile_strategies()
    figures = FuzzFigures()
    known = {k: str(v) for k, v in _known_path_parameters(world).items()}
    client = TestClient(app, raise_server_exceptions=False)
    document = app.openapi()

    def value_for(schema: dict[str, Any]) -> Any:
        if schema.get("format") == "date-time" or any(s.get("format") == "date-time" for s in schema.get("anyOf", [])):
            return hostile["times"] | hostile["text"]
        return hostile["text"]

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            figures.operations += 1
            params = operation.get("parameters", [])
            query = {p["name"]: value_for(p.get("schema", {})) for p in params if p["in"] == "query"}
            in_path = [p["name"] for p in params if p["in"] == "path"]
            path_values = {name: st.one_of(st.just(known.get(name, "1")), hostile["text"]) for name in in_path}
            body = (hostile["json"].map(lambda v: json.dumps(v)) | hostile["deep"]) if "requestBody" in operation else st.none()

            test = settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None, phases=[Phase.generate],
                            suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)(
                given(st.fixed_dictionaries(path_values), st.fixed_dictionaries({k: st.none() | v for k, v in query.items()}), body,
                      st.sampled_from(["none", "RD", "office"]))(_hostile_exerciser(figures, client, world, path, method))
            )
            test()
    return figures


def _hostile_exerciser(figures: FuzzFigures, client: Any, world: World, path: str, method: str) -> Callable[..., None]:
    """One hostile request to ``method path``: sent, then held to "never a 5xx, refusals in {code, message}"."""
    from urllib.parse import quote, urlencode

    def exercise(values: dict[str, str], params: dict[str, Any], content: str | None, caller: str) -> None:
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", quote(value, safe="", errors="surrogatepass"))
        url = url.replace("{path:path}", "x")
        sent = {k: v for k, v in params.items() if v is not None}
        if sent:
            url += "?" + urlencode(sent, quote_via=quote, errors="surrogatepass")
        headers = world.bearer(caller)
        if content is not None:
            headers = {**headers, "Content-Type": "application/json"}
        label = f"{method.upper()} {url[:120]!r} as {caller}, body {str(content)[:60]!r}"
        try:
            response = client.request(method.upper(), url, content=content, headers=headers)
        except Exception as exc:  # an error the app did not handle surfaces here in process
            figures.requests += 1
            figures.server_errors += 1
            figures.note(f"{label}: unhandled {type(exc).__name__}: {str(exc)[:200]}")
            return
        figures.requests += 1
        figures.statuses[response.status_code] += 1
        if response.status_code >= 500:
            figures.server_errors += 1
            figures.note(f"{label}: {response.status_code} {response.text[:200]}")
        elif response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
            try:
                shaped = {"code", "message"} <= set(response.json())
            except ValueError:
                shaped = False
            if not shaped:
                figures.schema_violations += 1
                figures.note(f"{label}: {response.status_code} not {{code, message}}: {response.text[:200]}")

    return exercise
