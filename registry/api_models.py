"""Input and output shapes of the API (pydantic); the stored shapes are in :mod:`registry.models`.

``*Create``/``*Update`` are what callers send, ``*Read`` what they get back.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from dxs.validator.sectors import SECTORS

from .models import DOCUMENT_FORMATS
from .parties import KINDS, juristic_id_problem, unknown_kind
from .times import to_utc

T = TypeVar("T")

AgencyCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
UtcDateTime = Annotated[dt.datetime, AfterValidator(to_utc)]
Count = Annotated[int, Field(ge=0, le=2**62)]


def _known_sector(code: str) -> str:
    if code not in SECTORS:
        raise ValueError(f"unknown sector {code!r}: use one of {', '.join(SECTORS)}")
    return code


#: A sector code from the one controlled list (:data:`validator.sectors.SECTORS`).
Sector = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_known_sector),
    Field(json_schema_extra={"enum": list(SECTORS)}, description="A sector code: " + ", ".join(SECTORS)),
]


def _kind_given(value: object) -> object:
    if value is None:
        raise ValueError(unknown_kind(None))
    return value


def _known_kind(code: str) -> str:
    if code not in KINDS:
        raise ValueError(unknown_kind(code))
    return code


#: A party kind from :data:`registry.parties.PARTY_KINDS`; a missing or unknown one is refused with the valid codes.
Kind = Annotated[
    str,
    BeforeValidator(_kind_given),
    StringConstraints(strip_whitespace=True),
    AfterValidator(_known_kind),
    Field(json_schema_extra={"enum": list(KINDS)}, description="A party kind: " + ", ".join(KINDS)),
]


def _digits_only(value: object) -> object:
    # people write 0-1055-12345-67-8; the registry keeps the 13 digits
    return value.replace("-", "").replace(" ", "") if isinstance(value, str) else value


def _juristic_id(value: str) -> str:
    problem = juristic_id_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


#: A 13-digit juristic person ID (dashes and spaces are dropped) whose check digit holds.
JuristicId = Annotated[
    str,
    BeforeValidator(_digits_only),
    AfterValidator(_juristic_id),
    Field(description="13-digit juristic person ID (DBD), checked by its check digit; dashes are dropped."),
]

#: The most records one ``POST /links/{id}/events`` may carry.
MAX_BATCH = 10_000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, how many match in all, and where this page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


# --------------------------------------------------------------------------- agencies


class AgencyCreate(_In):
    """A party to register. ``juristic_id`` is required for a ``private-juristic-person``;
    ``registered_on`` defaults to today in Bangkok, the first day of ``sector``."""

    code: AgencyCode
    name_th: Name
    name_en: Name
    sector: Sector
    kind: Kind
    juristic_id: JuristicId | None = None
    registered_on: dt.date | None = Field(None, description="The first day the party exists for the registry (default: today in Bangkok).")
    dissolved_on: dt.date | None = Field(None, description="The first day the party no longer exists (after registered_on).")
    parent: AgencyCode | None = None

    @model_validator(mode="before")
    @classmethod
    def _kind_named(cls, data: Any) -> Any:
        # a missing kind is refused like an unknown one, with the valid codes (not a bare "Field required")
        if isinstance(data, dict) and "kind" not in data:
            return {**data, "kind": None}
        return data


class AgencyUpdate(_In):
    """What changes; ``juristic_id`` and ``dissolved_on`` may be emptied with null.

    A new ``sector`` applies from ``sector_since`` (default today in Bangkok) and is added
    to the party's sector history."""

    name_th: Name | None = None
    name_en: Name | None = None
    sector: Sector | None = None
    sector_since: dt.date | None = Field(None, description="The first day the new sector applies (only with sector; default: today in Bangkok).")
    parent: AgencyCode | None = None
    status: Literal["active", "inactive"] | None = None
    kind: Kind | None = None
    juristic_id: JuristicId | None = None
    registered_on: dt.date | None = None
    dissolved_on: dt.date | None = None


class SectorSpan(BaseModel):
    """A party's sector from ``since`` until the next span's ``since``."""

    sector: str
    since: dt.date


class AgencyRead(BaseModel):
    code: str
    name_th: str
    name_en: str
    kind: str
    kind_name_th: str
    kind_name_en: str
    government: bool = Field(description="Whether the party's kind is a government kind (indicator 16 counts only those).")
    juristic_id: str | None
    sector: str = Field(description="The latest sector of the party's history.")
    sectors: list[SectorSpan] = Field(description="The sector history, oldest first.")
    registered_on: dt.date
    dissolved_on: dt.date | None
    parent: str | None
    status: str
    created_at: UtcDateTime
    log_seq: int = Field(description="The log entry that recorded this state (for its proof: GET /api/v1/log/proof/inclusion?seq=…).")


# --------------------------------------------------------------------------- keys


class KeyCreate(_In):
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    role: Literal["agency", "office"] = "agency"


class KeyRead(BaseModel):
    id: int
    agency: str | None
    role: str
    prefix: str
    label: str
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None
    last_used_at: UtcDateTime | None
    log_seq: int = Field(description="The log entry that recorded this state (for its proof: GET /api/v1/log/proof/inclusion?seq=…).")


class KeyCreated(KeyRead):
    key: str = Field(description="The API key itself. It is shown only this once; only its hash is kept.")


# --------------------------------------------------------------------------- links


def _known_format(code: str) -> str:
    if code not in DOCUMENT_FORMATS:
        raise ValueError(f"unknown document format {code!r}: use one of {', '.join(DOCUMENT_FORMATS)}")
    return code


#: How a document without a catalog standard travels: one of :data:`registry.models.DOCUMENT_FORMATS`.
DocumentFormat = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_known_format),
    Field(json_schema_extra={"enum": list(DOCUMENT_FORMATS)}, description="How the document travels: " + ", ".join(DOCUMENT_FORMATS)),
]
StandardId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Version = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
DocumentName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    Field(description="Without a standard: the document type in the agencies' own words (required, not empty)."),
]
FollowedStandard = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    Field(description="Without a standard: a foreign or proprietary standard the document follows, if any."),
]
YearlyVolume = Annotated[int, Field(ge=0, le=2**62, description="Without a standard: about how many documents a year (0 or more).")]
#: The fields a link without a catalog standard says what it carries with.
DOCUMENT_FIELDS = ("document_name", "document_format", "yearly_volume", "followed_standard")
_STANDARD_OR_DOCUMENT = (
    "give either standard and version (an exchange under a catalog standard), or document_name and document_format "
    "(an exchange no catalog standard covers yet)"
)


class LinkCreate(_In):
    """A link to declare: under a catalog ``standard`` and ``version``, or, without one, the document it
    carries (``document_name``, ``document_format``, optionally ``yearly_volume`` and ``followed_standard``)."""

    provider: AgencyCode
    consumer: AgencyCode
    standard: StandardId | None = None
    version: Version | None = None
    document_name: DocumentName | None = None
    document_format: DocumentFormat | None = None
    yearly_volume: YearlyVolume | None = None
    followed_standard: FollowedStandard | None = None
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    @model_validator(mode="after")
    def _standard_or_document(self) -> LinkCreate:
        # an empty or null document field is taken as not given (a form may send them all)
        given = [f for f in DOCUMENT_FIELDS if getattr(self, f) not in (None, "")]
        if self.standard is not None or self.version is not None:
            if given:
                raise PydanticCustomError(
                    "standard_or_document",
                    "both a standard and document fields: {given} cannot go with standard and version; {rule}",
                    {"given": ", ".join(given), "rule": _STANDARD_OR_DOCUMENT},
                )
            if self.standard is None or self.version is None:
                missing = "version" if self.version is None else "standard"
                raise PydanticCustomError("standard_or_document", "standard and version go together: {missing} is missing", {"missing": missing})
        elif not given and self.document_name is None:
            raise PydanticCustomError("standard_or_document", "neither a standard nor a document: {rule}", {"rule": _STANDARD_OR_DOCUMENT})
        elif not self.document_name:
            raise PydanticCustomError(
                "standard_or_document",
                "document_name is required without a standard and may not be empty: the document type in the agencies' "
                "own words (e.g. a permit application form)",
            )
        elif self.document_format is None:
            raise PydanticCustomError(
                "standard_or_document", "document_format is required without a standard: one of {formats}",
                {"formats": ", ".join(DOCUMENT_FORMATS)},
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class LinkUpdate(_In):
    """What changes. ``version`` only on a link under a standard; the document fields only on a link without
    one (``yearly_volume`` and ``followed_standard`` may be emptied with null)."""

    version: Version | None = None
    document_name: DocumentName | None = None
    document_format: DocumentFormat | None = None
    yearly_volume: YearlyVolume | None = None
    followed_standard: FollowedStandard | None = None
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] | None = None
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    status: Literal["active", "suspended", "ended"] | None = None
    end_date: dt.date | None = None

    @model_validator(mode="after")
    def _no_empty_name(self) -> LinkUpdate:
        if self.document_name == "":
            raise PydanticCustomError("document_name", "document_name may not be emptied: a link without a standard says what it carries")
        return self


class LinkRead(BaseModel):
    id: int
    provider: str
    consumer: str
    standard: str | None = Field(description="The catalog standard; null for an exchange no catalog standard covers yet.")
    version: str | None
    document_name: str = Field(description="Without a standard: the document type in the agencies' words (else empty).")
    document_format: str | None = Field(description="Without a standard: " + ", ".join(DOCUMENT_FORMATS) + " (else null).")
    yearly_volume: int | None
    followed_standard: str = Field(description="Without a standard: a foreign or proprietary standard it follows (else empty).")
    purpose: str
    legal_basis: str
    status: str
    start_date: dt.date
    end_date: dt.date | None
    revision: int
    created_at: UtcDateTime
    updated_at: UtcDateTime
    log_seq: int = Field(description="The log entry that recorded this state (for its proof: GET /api/v1/log/proof/inclusion?seq=…).")


class LinkChangeRead(BaseModel):
    revision: int
    change: str
    actor: str
    changed_at: UtcDateTime
    state: dict[str, object]
    log_seq: int


# --------------------------------------------------------------------------- events


def count_problems(messages: int, succeeded: int, failed: int, valid: int, invalid: int) -> list[str]:
    """Why a record's counts cannot all be true (empty if they can): outcomes are counted among its messages.

    Shared by :class:`EventRecord` and the API's batch check (:func:`registry.services.events.parse_batch`),
    which checks bodies without building models, so that both refuse a record in the same words.
    """
    problems = []
    if succeeded + failed > messages:
        problems.append(f"succeeded + failed ({succeeded + failed:,}) is more than messages ({messages:,})")
    if valid + invalid > messages:
        problems.append(f"valid + invalid ({valid + invalid:,}) is more than messages ({messages:,})")
    return problems


class EventRecord(_In):
    """What crossed a link in one time window, as the reporting side counted it.

    Checked here: each outcome pair fits in ``messages`` (``succeeded + failed`` and
    ``valid + invalid`` at most ``messages``). Checked on ingest: the window ends after it
    starts, and lies within the link's period (from Bangkok midnight of its ``start_date``
    to Bangkok midnight after its ``end_date``).
    """

    record_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    # any UTC offset is accepted (stored in UTC)
    window_start: AwareDatetime = Field(description="On or after Bangkok midnight of the link's start_date.")
    window_end: AwareDatetime = Field(
        description="After window_start; at the latest Bangkok midnight after the link's end_date (a window may not straddle it)."
    )
    messages: Count
    bytes: Count = 0
    succeeded: Count = Field(0, description="Delivered; succeeded + failed is at most messages.")
    failed: Count = Field(0, description="Not delivered; succeeded + failed is at most messages.")
    valid: Count = Field(0, description="Passed validation; valid + invalid is at most messages.")
    invalid: Count = Field(0, description="Failed validation; valid + invalid is at most messages.")

    @model_validator(mode="after")
    def _counts_fit(self) -> EventRecord:
        problems = count_problems(self.messages, self.succeeded, self.failed, self.valid, self.invalid)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class EventBatch(_In):
    records: list[EventRecord] = Field(min_length=1, description=f"At most {MAX_BATCH:,} records.")


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON schema with its ``$defs`` inlined: one self-contained document."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(dict(defs[node["$ref"].rsplit("/", 1)[1]]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


#: What ``POST /links/{id}/events`` takes, as published in the OpenAPI document and checked on every batch.
EVENT_BATCH_SCHEMA = inline_refs(EventBatch.model_json_schema())
#: What ``POST /links`` takes, as published (the route reads its body itself).
LINK_CREATE_SCHEMA = inline_refs(LinkCreate.model_json_schema())


class EventBatchResult(BaseModel):
    link_id: int
    reporter: str
    side: Literal["provider", "consumer"]
    received: int
    accepted: int
    duplicates: int = Field(description="Records whose natural key was already stored (or repeated in the batch): ignored.")
    log_seq: int


class EventRead(BaseModel):
    record_id: str
    reporter: str
    side: str
    window_start: UtcDateTime
    window_end: UtcDateTime
    messages: int
    bytes: int
    succeeded: int
    failed: int
    valid: int
    invalid: int
    received_at: UtcDateTime


# --------------------------------------------------------------------------- log


class CheckpointRead(BaseModel):
    origin: str
    size: int
    root: str
    time: str | None
    key_id: str
    signature: str | None
    public_key: str


class LogEntryRead(BaseModel):
    seq: int
    time: str
    actor: str
    kind: str
    payload: dict[str, object]
    prev_hash: str
    entry_hash: str


class InclusionProofRead(BaseModel):
    """RFC 9162 §2.1.3: entry ``seq`` is in the log of ``size`` entries, whose Merkle root is ``root``."""

    seq: int
    size: int
    leaf_hash: str = Field(description="The entry's hash, as stored: its leaf in the tree (hex).")
    root: str = Field(description="The root computed from the stored entries; an auditor checks the proof against a signed checkpoint's root instead.")
    proof: list[str] = Field(description="The inclusion path, leaf side first (hex SHA-256 hashes).")


class ConsistencyProofRead(BaseModel):
    """RFC 9162 §2.1.4: the log of ``to_size`` entries extends the log of its first ``from_size``."""

    from_size: int
    to_size: int
    from_root: str = Field(description="The root of the first from_size entries, computed from the stored entries.")
    to_root: str = Field(description="The root of the first to_size entries, computed from the stored entries.")
    proof: list[str] = Field(description="The consistency proof (hex SHA-256 hashes); empty when from is 0 or equals to.")


# --------------------------------------------------------------------------- indicators


class PublishRequest(_In):
    """Publish a year's indicators (office)."""

    year: Annotated[int, Field(description="CE or BE year (≥ 2400 is BE)")]
    fiscal: bool = Field(default=True, description="A Thai fiscal year (the default) or a calendar year")
    replace: bool = Field(default=False, description="Supersede an earlier publication of the same year")
