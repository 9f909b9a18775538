"""Input and output shapes of requests for standards and the office's need groups (activity 4.1).

``*Create``/``*Update`` are what callers send, ``*Read`` what they get back; the stored
shapes are :class:`registry.models.StandardRequest`, :class:`~registry.models.NeedGroup`
and :class:`~registry.models.NeedGroupLink`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from .api_models import AgencyCode, Count, Sector, UtcDateTime, _In
from .models import NEED_STATUSES, URGENCIES

__all__ = [
    "GroupLinkAdd",
    "GroupRequestAdd",
    "NeedGroupBrief",
    "NeedGroupCreate",
    "NeedGroupRead",
    "NeedGroupUpdate",
    "RequestCreate",
    "RequestMerge",
    "RequestRead",
    "RequestUpdate",
]

#: The most partner agencies one request may name (a request is about one document type).
MAX_PARTNERS = 100

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
DocumentType = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
GroupName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
#: ``ID`` or ``ID@VERSION`` of a catalog standard (checked against the catalog by the service).
StandardRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
Urgency = Literal["low", "medium", "high", "critical"]
NeedStatus = Literal["open", "planned", "drafting", "announced", "declined"]
Priority = Annotated[int, Field(ge=1, le=10_000, description="The office's priority, 1 first.")]
ItemRef = Annotated[int, Field(ge=1, le=2**31 - 1)]

assert set(URGENCIES) == set(Urgency.__args__) and set(NEED_STATUSES) == set(NeedStatus.__args__)  # type: ignore[attr-defined]


def _unique(values: list[str]) -> list[str]:
    """The values in the order given, each once (a sector named twice counts once)."""
    return list(dict.fromkeys(values))


class RequestCreate(_In):
    """An agency's request for a standard the catalog does not have. It is always filed by the
    caller's own agency: ``agency``, if given, must be that agency's code."""

    document_type: DocumentType = Field(description="The document in the agency's words, e.g. 'หนังสือรับรองการฝึกอบรม · training certificate'.")
    sectors: Annotated[list[Sector], AfterValidator(_unique)] = Field(
        min_length=1, max_length=20, description="The sectors the document serves (at least one)."
    )
    partners: Annotated[list[AgencyCode], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=MAX_PARTNERS, description="Codes of the registered agencies it is exchanged with."
    )
    yearly_volume: Count | None = Field(None, description="About how many documents a year (0 or more).")
    urgency: Urgency
    urgency_reason: Text = ""
    legal_driver: Text = Field("", description="The law, regulation or cabinet resolution that calls for it, if any.")
    agency: AgencyCode | None = Field(None, description="Optional: your own agency's code. A request for another agency is refused.")


class RequestUpdate(_In):
    """The office sets a request's status (``merged`` only through ``POST /requests/{id}/merge``).

    ``announced`` needs ``announced_as`` (a catalog ``ID`` or ``ID@VERSION``); ``declined`` needs
    ``status_note`` (the reason). A new status clears the old note unless one is given."""

    status: NeedStatus | None = None
    status_note: Text | None = None
    announced_as: StandardRef | None = None


class RequestMerge(_In):
    """Merge a duplicate request into another (office)."""

    into: ItemRef = Field(description="The request that stays; the duplicate is marked merged into it.")


class NeedGroupBrief(BaseModel):
    """The group a request is in, as its agency sees it."""

    id: int
    name_th: str
    name_en: str
    status: str
    announced_as: str | None


class RequestRead(BaseModel):
    id: int
    agency: str = Field(description="The code of the agency that filed it.")
    document_type: str
    sectors: list[str]
    partners: list[str]
    yearly_volume: int | None
    urgency: str
    urgency_reason: str
    legal_driver: str
    status: str
    status_note: str
    announced_as: str | None
    merged_into: int | None = Field(description="For a merged request: the request it was merged into.")
    group: NeedGroupBrief | None
    revision: int
    created_at: UtcDateTime
    updated_at: UtcDateTime
    log_seq: int = Field(description="The log entry that recorded this state (for its proof: GET /api/v1/log/proof/inclusion?seq=…).")


class NeedGroupCreate(_In):
    """A named group of requests and standard-less links that the office treats as one needed standard."""

    name_th: GroupName
    name_en: GroupName
    priority: Priority | None = None
    status: NeedStatus = "open"
    status_note: Text = ""
    announced_as: StandardRef | None = None


class NeedGroupUpdate(_In):
    """What changes; ``priority`` may be emptied with null. The status rules are those of :class:`RequestUpdate`."""

    name_th: GroupName | None = None
    name_en: GroupName | None = None
    priority: Priority | None = None
    status: NeedStatus | None = None
    status_note: Text | None = None
    announced_as: StandardRef | None = None


class GroupRequestAdd(_In):
    request: ItemRef = Field(description="The id of the request to put in the group.")


class GroupLinkAdd(_In):
    link: ItemRef = Field(description="The id of a link declared without a catalog standard.")


class NeedGroupRead(BaseModel):
    id: int
    name_th: str
    name_en: str
    priority: int | None
    status: str
    status_note: str
    announced_as: str | None
    requests: list[int] = Field(description="The requests in the group (not those merged into them).")
    links: list[int] = Field(description="The standard-less links in the group.")
    revision: int
    created_at: UtcDateTime
    updated_at: UtcDateTime
    log_seq: int = Field(description="The log entry that recorded this state.")
