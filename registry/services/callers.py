"""Who is calling: anonymous, an agency (acts only for itself) or the standards office."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import Forbidden, Unauthenticated

__all__ = ["ANONYMOUS", "Caller"]

Role = Literal["anonymous", "agency", "office"]


@dataclass(frozen=True, slots=True)
class Caller:
    """The identity a request acts with, resolved from its API key."""

    role: Role
    agency_id: int | None = None
    agency_code: str | None = None
    key_id: int | None = None
    name: str = ""  # how the log names a caller without a key (e.g. "cli")

    @property
    def actor(self) -> str:
        """How the log names this caller: ``agency:CODE/key:7``, ``office/key:2``, ``cli``."""
        if self.key_id is None:
            return self.name or self.role
        who = f"agency:{self.agency_code}" if self.role == "agency" else "office"
        return f"{who}/key:{self.key_id}"

    @property
    def is_office(self) -> bool:
        return self.role == "office"

    def require_known(self) -> None:
        if self.role == "anonymous":
            raise Unauthenticated("this needs an API key (Authorization: Bearer dxs_...)")

    def require_office(self) -> None:
        self.require_known()
        if not self.is_office:
            raise Forbidden("only the standards office may do this", code="office_only")

    def require_agency(self) -> int:
        """The caller's agency id; the office and anonymous callers are refused."""
        self.require_known()
        if self.role != "agency" or self.agency_id is None:
            raise Forbidden("only an agency that is a party may do this", code="not_a_party")
        return self.agency_id

    @classmethod
    def system(cls, name: str = "cli") -> Caller:
        """The operator at the command line: office rights, named in the log as ``name``."""
        return cls(role="office", name=name)


ANONYMOUS = Caller(role="anonymous")
