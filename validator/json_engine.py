"""The JSON engine: JSON Schema 2020-12 and draft-07, formats asserted, no network.

Two engines work together. python-jsonschema is the reference: it decides
what is an error and writes the messages. jsonschema-rs, where installed, is
the fast path: a document it accepts is valid without further work; a document
it rejects goes to the reference, so nothing is ever reported invalid that the
reference accepts.

``$ref`` resolves only from local sources: the catalog's schemas (by ``$id``),
the schema's own folder, and explicit URI-prefix → folder mappings
(``uri_map``, in the spirit of xmlschema's ``uri_mapper``). Anything else is a
:class:`SchemaLoadError`, never a download.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from . import messages
from .errors import SchemaLoadError
from .formats import THAI_FORMATS
from .json_positions import locate, pointer_of
from .report import Issue

__all__ = ["JsonSchema", "json_type_of", "parse_json"]

DRAFT7 = "http://json-schema.org/draft-07/schema"
DRAFT202012 = "https://json-schema.org/draft/2020-12/schema"


def json_type_of(value: Any) -> str:
    """The JSON Schema type name of a parsed JSON value (``True`` is a boolean, not an integer)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "any")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


try:  # orjson parses bytes directly and several times faster than `json`
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _orjson = None

_BOM = b"\xef\xbb\xbf"


def parse_json(data: bytes) -> tuple[Any, str | None, Issue | None]:
    """Decode and parse a JSON document.

    Returns ``(value, text, None)``, or ``(None, text_or_None, issue)`` with a
    ``parse`` issue saying what is wrong and where. Never raises on bad input.
    On the fast path ``text`` is ``None``; callers that need positions decode
    ``data`` themselves (only documents with issues need them).
    """
    if _orjson is not None:
        try:
            return _orjson.loads(data[3:] if data.startswith(_BOM) else data), None, None
        except _orjson.JSONDecodeError:
            pass  # the slow path below says precisely what and where
    return _parse_slowly(data)


def _parse_slowly(data: bytes) -> tuple[Any, str | None, Issue | None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, None, messages.parse_issue(
            "invalid-utf8", f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}", line, column
        )
    try:
        return json.loads(text, parse_constant=_reject_constant), text, None
    except json.JSONDecodeError as exc:
        return None, text, messages.parse_issue("json-syntax", f"not well-formed JSON: {exc.msg}", exc.lineno, exc.colno)
    except RecursionError:
        return None, text, messages.parse_issue("too-deep", "JSON nesting is too deep to process safely")
    except ValueError as exc:
        return None, text, messages.parse_issue("json-syntax", f"not well-formed JSON: {exc}")


@lru_cache(maxsize=1)
def _format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker()  # every format jsonschema knows, for all drafts
    for name, check in THAI_FORMATS.items():
        checker.checks(name)(lambda value, check=check: not isinstance(value, str) or check(value))
    return checker


def _load_json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise SchemaLoadError(path, f"cannot be read: {exc.strerror}") from None
    except ValueError as exc:
        raise SchemaLoadError(path, f"is not valid JSON: {exc}") from None


# Keywords whose verdict cannot differ between jsonschema-rs and python-jsonschema: no
# regular-expression dialect, float arithmetic, equality subtleties or vocabularies in play.
_TRUSTED_KEYWORDS = frozenset(
    {
        "required", "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
        "additionalProperties", "dependentRequired", "false",
    }
)  # fmt: skip


class _FastError:
    """A jsonschema-rs error in the shape the report code reads (python-jsonschema's names)."""

    __slots__ = ("absolute_path", "instance", "message", "trusted", "validator", "validator_value")

    def __init__(self, error: Any) -> None:
        kind = error.kind
        self.validator = kind.name if kind.name != "falseSchema" else "false"
        value = kind.value
        self.validator_value = [value] if self.validator == "required" and isinstance(value, str) else value
        self.instance = error.instance
        # a format error reads as python-jsonschema writes it ('1033' is not a 'th-postcode'), so the
        # message does not depend on which engine found it
        self.message = f"{self.instance!r} is not a {value!r}" if self.validator == "format" else error.message
        self.absolute_path = list(error.instance_path)
        # a format check counts only when it is one of ours: the same Python function in both engines
        self.trusted = self.validator in _TRUSTED_KEYWORDS or (self.validator == "format" and value in THAI_FORMATS)


class JsonSchema:
    """A compiled JSON Schema: ``iter_errors`` / ``validate`` / ``is_valid`` over parsed values.

    :param schema: the schema as a Python value.
    :param folder: the schema's own folder, where relative ``$ref`` s are found.
    :param resources: known schemas by ``$id`` (the catalog's), found without any I/O.
    :param uri_map: URI prefix → local folder, for ``$ref`` s to other well-known bases.
    :param formats: assert ``format`` (on by default; off follows the spec's
        annotation-only default, as the JSON Schema Test Suite's required tests do).
    :param default_dialect: the draft for a schema without ``$schema`` (2020-12;
        ``DRAFT7`` for draft-07).
    :raises SchemaLoadError: when the schema itself is invalid against its metaschema.
    """

    def __init__(
        self,
        schema: Any,
        *,
        folder: Path | None = None,
        resources: Mapping[str, Path] | None = None,
        uri_map: Mapping[str, Path] | None = None,
        formats: bool = True,
        default_dialect: str = DRAFT202012,
        name: str = "<schema>",
    ) -> None:
        self.name = name
        self.folder = folder.resolve() if folder else None
        self._resources = dict(resources or {})
        self._uri_map = {prefix: Path(p).resolve() for prefix, p in (uri_map or {}).items()}
        if self.folder and isinstance(schema, dict) and isinstance(schema.get("$id"), str):
            # `$id: https://host/a/b/schema.json` → siblings `https://host/a/b/x.json` live in `folder`
            base = urljoin(urldefrag(schema["$id"])[0], ".")
            if urlsplit(base).scheme in ("http", "https", "urn", "tag"):
                self._uri_map.setdefault(base, self.folder)
        self._schema = schema
        self._formats = formats
        self._default_dialect = default_dialect
        self._dialect = str(schema.get("$schema", default_dialect) if isinstance(schema, dict) else default_dialect).rstrip("#")
        self._reference_validator: Any = None
        self._fast = self._fast_validator(schema, self._dialect, formats)
        self._check_schema()

    def _check_schema(self) -> None:
        """Meta-validate: with jsonschema-rs when it can say (fast), else with the reference."""
        if self._fast is not None and (isinstance(self._schema, bool) or "$schema" in self._schema or self._default_dialect == DRAFT202012):
            import jsonschema_rs

            try:
                jsonschema_rs.meta.validate(self._schema)
                return
            except jsonschema_rs.ValidationError as exc:
                where = pointer_of(exc.instance_path) or "/"
                raise SchemaLoadError(self.name, f"not a valid schema at {where}: {exc.message}") from None
            except Exception:  # noqa: BLE001 - e.g. an unknown $schema: let the reference judge
                pass
        from jsonschema import exceptions

        try:
            self._reference_class().check_schema(self._schema)
        except exceptions.SchemaError as exc:
            where = pointer_of(exc.absolute_path) or "/"
            raise SchemaLoadError(self.name, f"not a valid schema at {where}: {exc.message}") from None

    def _reference_class(self) -> Any:
        from jsonschema import validators

        return validators.validator_for(self._schema, default=validators.validator_for({"$schema": self._default_dialect}))

    @property
    def _validator(self) -> Any:
        """The python-jsonschema validator, built on first need (most documents never need it)."""
        if self._reference_validator is None:
            from referencing import Registry, Resource
            from referencing.exceptions import NoSuchResource
            from referencing.jsonschema import specification_with

            default_spec = specification_with(self._dialect, default=None) or specification_with(DRAFT202012)

            def retrieve(uri: str) -> Resource:
                path = self._local_path(uri)
                if path is None:
                    raise NoSuchResource(ref=uri)
                return Resource.from_contents(_load_json_file(path), default_specification=default_spec)

            self._reference_validator = self._reference_class()(
                self._schema,
                registry=Registry(retrieve=retrieve),
                format_checker=_format_checker() if self._formats else None,
            )
        return self._reference_validator

    def _fast_validator(self, schema: Any, dialect: str, formats: bool) -> Any:
        """A jsonschema-rs validator for the same schema, or ``None`` where it cannot take it."""
        try:
            import jsonschema_rs
        except ImportError:  # pragma: no cover - declared dependency; the reference alone still works
            return None
        classes = {DRAFT7: jsonschema_rs.Draft7Validator, DRAFT202012: jsonschema_rs.Draft202012Validator}
        cls = classes.get(dialect)
        if cls is None:
            return None

        def retrieve(uri: str) -> Any:
            path = self._local_path(uri)
            if path is None:
                raise LookupError(f"{uri} is not available locally (no network)")
            return _load_json_file(path)

        base = (self.folder / "schema.json").as_uri() if self.folder else None
        try:
            return cls(
                schema,
                formats={name: check for name, check in THAI_FORMATS.items()},
                validate_formats=formats,
                retriever=retrieve,
                base_uri=base,
            )
        except Exception:  # noqa: BLE001 - anything it cannot compile stays with the reference
            return None

    # -- $ref resolution, local only
    def _local_path(self, uri: str) -> Path | None:
        uri = urldefrag(uri)[0]
        if uri in self._resources:
            return self._resources[uri]
        for prefix, folder in sorted(self._uri_map.items(), key=lambda kv: -len(kv[0])):
            if uri.startswith(prefix):
                return self._inside(folder, unquote(uri[len(prefix) :]))
        parts = urlsplit(uri)
        if parts.scheme == "file" and self.folder:
            candidate = Path(unquote(parts.path)).resolve()
            return candidate if candidate.is_relative_to(self.folder) and candidate.is_file() else None
        if not parts.scheme and self.folder:
            return self._inside(self.folder, unquote(parts.path))
        return None  # the network is never consulted

    @staticmethod
    def _inside(folder: Path, relative: str) -> Path | None:
        candidate = (folder / relative).resolve()
        return candidate if candidate.is_relative_to(folder) and candidate.is_file() else None

    # -- the trio
    def iter_errors(self, instance: Any) -> Iterator[Any]:
        """Every ``jsonschema.ValidationError`` of ``instance`` (top level, all of them)."""
        from referencing.exceptions import Unresolvable

        try:
            yield from self._validator.iter_errors(instance)
        except Unresolvable as exc:
            raise SchemaLoadError(self.name, f"cannot resolve $ref {exc.ref!r} locally") from None

    def is_valid(self, instance: Any) -> bool:
        # the fast engine may accept; only the reference may reject
        if self._fast is not None and self._accepts_fast(instance):
            return True
        try:
            return next(self.iter_errors(instance), None) is None
        except SchemaLoadError:
            raise
        except Exception:  # noqa: BLE001 - the reference cannot run this schema (e.g. a \p{…} regex): the fast verdict stands
            if self._fast is None:
                raise
            return False

    def _accepts_fast(self, instance: Any) -> bool:
        try:
            return bool(self._fast.is_valid(instance))
        except Exception:  # noqa: BLE001 - e.g. integers beyond 64 bits: let the reference decide
            return False

    def validate(self, instance: Any) -> None:
        """Raise the first error, if any."""
        for error in self.iter_errors(instance):
            raise error

    def issues(self, instance: Any, /, source: bytes | str | None = None) -> list[Issue]:
        """Every error of ``instance`` as an :class:`Issue`, with line/column from ``source``
        (:class:`~validator.engine.Engine`).

        jsonschema-rs finds the errors. Where every one of them is of a kind the two
        engines cannot disagree on, its errors are reported as they are; otherwise the
        reference decides and writes the issues.
        """
        errors: list[Any] = []
        if self._fast is not None:
            if self._accepts_fast(instance):  # the common case, and cheaper than collecting errors
                return []
            try:
                errors = [_FastError(e) for e in self._fast.iter_errors(instance)]
            except Exception:  # noqa: BLE001 - e.g. numbers beyond 64 bits: the reference decides
                errors = [None]
        if not errors or not all(e is not None and e.trusted for e in errors):
            fast_errors = errors
            try:
                errors = list(self.iter_errors(instance))
            except SchemaLoadError:
                raise
            except Exception:  # noqa: BLE001 - the reference cannot run this schema: report the fast engine's errors
                if not fast_errors or None in fast_errors:
                    raise
                errors = fast_errors
            if not errors:
                return []
        pointers = [pointer_of(e.absolute_path) for e in errors]
        if isinstance(source, bytes):
            source = source.decode("utf-8-sig", errors="replace")
        positions = locate(source, pointers) if source is not None else {}
        issues = []
        for error, pointer in zip(errors, pointers):
            line, column = positions.get(pointer, (None, None))
            issues.append(
                Issue(
                    message=error.message,
                    message_th=messages.json_message_th(error),
                    rule=str(error.validator),
                    source="schema",
                    location=pointer,
                    line=line,
                    column=column,
                )
            )
        return issues

    @classmethod
    def from_file(
        cls, path: Path, *, resources: Mapping[str, Path] | None = None, uri_map: Mapping[str, Path] | None = None
    ) -> JsonSchema:
        """Load and compile a schema file; its folder resolves relative ``$ref`` s."""
        path = Path(path)
        return cls(_load_json_file(path), folder=path.parent, resources=resources, uri_map=uri_map, name=str(path))
