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

__all__ = ["FuzzFigures", "fuzz_app"]

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
