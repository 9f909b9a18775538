"""Which sectors are key, and each indicator's yearly targets: configuration, with the plan's values as defaults.

The plan sets indicator 15 at 10 standards a year for 2560–2564 BE and indicator 16
at 80% per key sector. An office that adopts other targets writes a TOML file and
names it with ``DXS_INDICATORS_CONFIG`` (or ``dxs report indicators --config``)::

    [indicator15]
    targets = { 2560 = 10, 2561 = 10, 2562 = 10, 2563 = 10, 2564 = 10, 2565 = 12 }
    kinds = ["data-structure"]             # which announcements count: add "guideline" to count guidelines
    include_illustrative = false           # true: the catalog's illustrative standards count too, marked

    [indicator16]
    key_sectors = ["finance", "health", "education"]
    target = 0.8                           # every year and sector, unless overridden
    targets = { 2568 = 0.85 }              # by year (CE or BE)
    sector_targets = { health = 0.9 }      # by sector
    unit = "agency"                        # or "top-level": units rolled up through `parent`
    deprecated_grace_days = 180            # a deprecated version counts this long (default: until its sunset)

Years may be written CE or BE (≥ 2400 is BE).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dxs.validator.sectors import SECTORS
from dxs.validator.years import ce_year

__all__ = ["DEFAULT_KEY_SECTORS", "UNITS", "IndicatorConfig", "IndicatorConfigError"]

#: The plan's key sectors: those where agencies exchange documents with each other and the public.
DEFAULT_KEY_SECTORS = (
    "public-administration",
    "finance",
    "commerce",
    "health",
    "education",
    "transport",
    "land",
    "social-welfare",
    "agriculture",
)
#: Indicator 15: 10 standards a year over 2560–2564 BE (2017–2021 CE).
DEFAULT_15_TARGETS: Mapping[int, int] = {year: 10 for year in range(2017, 2022)}
DEFAULT_16_TARGET = 0.80
#: What indicator 16 counts as one: every registered government party, or each top-level
#: party with the units under it (``parent``) rolled up into it.
UNITS = ("agency", "top-level")


class IndicatorConfigError(ValueError):
    """The indicators configuration file is unreadable or malformed."""

    #: ``dxs report indicators`` prints the message and exits 2 (a configuration error)
    exit_code = 2


@dataclass(frozen=True)
class IndicatorConfig:
    """Key sectors and targets; :meth:`load` reads them from a file, the defaults are the plan's."""

    key_sectors: tuple[str, ...] = DEFAULT_KEY_SECTORS
    targets_15: Mapping[int, int] = field(default_factory=lambda: dict(DEFAULT_15_TARGETS))
    target_16: float = DEFAULT_16_TARGET
    targets_16: Mapping[int, float] = field(default_factory=dict)
    sector_targets_16: Mapping[str, float] = field(default_factory=dict)
    #: which kinds of announcement indicator 15 counts (the register's ``kind``)
    kinds_15: tuple[str, ...] = ("data-structure",)
    #: count the illustrative standards' announced versions too (never for an official figure)
    include_illustrative_15: bool = False
    #: indicator 16's counting unit (:data:`UNITS`)
    unit_16: str = "agency"
    #: days a deprecated version keeps counting; ``None``: until its sunset date (else its retirement)
    deprecated_grace_days: int | None = None
    source: str = "defaults (the plan's values)"

    @property
    def rule_15(self) -> str:
        """The counting rule in words, printed beside the figure."""
        kinds = " and ".join({"data-structure": "data structures", "guideline": "guidelines"}[k] for k in self.kinds_15)
        extra = "; illustrative standards' versions included (marked, not an official figure)" if self.include_illustrative_15 else ""
        return f"announcements of {kinds} in the register, each once{extra}"

    @property
    def rule_16(self) -> str:
        """Indicator 16's counting settings in words, printed beside the figure."""
        unit = ("each registered government party" if self.unit_16 == "agency"
                else "each top-level government party, with the units under it rolled up")
        grace = (f"{self.deprecated_grace_days} days after its deprecation" if self.deprecated_grace_days is not None
                 else "until its sunset date")
        return f"unit: {unit}; a link on a deprecated version counts {grace}"

    def target_15(self, year: int) -> int | None:
        """The number of standards to announce in CE ``year``; ``None`` where the plan sets none."""
        return self.targets_15.get(year)

    def target_16_for(self, year: int, sector: str) -> float:
        """The share of a sector's agencies that should exchange under common standards."""
        if sector in self.sector_targets_16:
            return self.sector_targets_16[sector]
        return self.targets_16.get(year, self.target_16)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "key_sectors": list(self.key_sectors),
            "indicator15_targets": {str(y): t for y, t in sorted(self.targets_15.items())},
            "indicator15_kinds": list(self.kinds_15),
            "indicator15_include_illustrative": self.include_illustrative_15,
            "indicator16_target": self.target_16,
            "indicator16_targets": {str(y): t for y, t in sorted(self.targets_16.items())},
            "indicator16_sector_targets": dict(self.sector_targets_16),
            "indicator16_unit": self.unit_16,
            "indicator16_deprecated_grace_days": self.deprecated_grace_days,
        }

    @classmethod
    def load(cls, path: str | Path | None = None) -> IndicatorConfig:
        """The configuration in ``path`` (else ``DXS_INDICATORS_CONFIG``), or the defaults.

        :raises IndicatorConfigError: the file cannot be read or a value is malformed.
        """
        path = path or os.environ.get("DXS_INDICATORS_CONFIG") or None
        if path is None:
            return cls()
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise IndicatorConfigError(f"{path}: {exc}") from None
        try:
            return cls._from_toml(data, str(path))
        except (TypeError, ValueError) as exc:
            raise IndicatorConfigError(f"{path}: {exc}") from None

    @classmethod
    def _from_toml(cls, data: Mapping[str, Any], source: str) -> IndicatorConfig:
        i15 = data.get("indicator15", {})
        i16 = data.get("indicator16", {})
        defaults = cls()
        key = tuple(i16.get("key_sectors", defaults.key_sectors))
        if not key or not all(isinstance(s, str) and s for s in key):
            raise ValueError("indicator16.key_sectors must be a non-empty list of sector ids")
        unknown = [s for s in key if s not in SECTORS]
        if unknown:
            raise ValueError(f"indicator16.key_sectors: unknown sector {', '.join(map(repr, unknown))} (valid: {', '.join(SECTORS)})")
        kinds = tuple(i15.get("kinds", defaults.kinds_15))
        if not kinds or not set(kinds) <= {"data-structure", "guideline"}:
            raise ValueError("indicator15.kinds must list 'data-structure' and/or 'guideline'")
        include = i15.get("include_illustrative", False)
        if not isinstance(include, bool):
            raise ValueError("indicator15.include_illustrative must be true or false")
        unit = i16.get("unit", defaults.unit_16)
        if unit not in UNITS:
            raise ValueError(f"indicator16.unit must be one of {', '.join(UNITS)}, not {unit!r}")
        grace = i16.get("deprecated_grace_days")
        if grace is not None and (isinstance(grace, bool) or not isinstance(grace, int) or grace < 0):
            raise ValueError(f"indicator16.deprecated_grace_days must be a whole number of days (0 or more), not {grace!r}")
        return cls(
            key_sectors=key,
            unit_16=unit,
            deprecated_grace_days=grace,
            targets_15=_by_year(i15["targets"], int) if "targets" in i15 else defaults.targets_15,
            kinds_15=kinds,
            include_illustrative_15=include,
            target_16=_share(i16.get("target", defaults.target_16)),
            targets_16={y: _share(v) for y, v in _by_year(i16.get("targets", {}), float).items()},
            sector_targets_16={str(s): _share(v) for s, v in i16.get("sector_targets", {}).items()},
            source=source,
        )


def _by_year(table: Mapping[str, Any], kind: type) -> dict[int, Any]:
    return {ce_year(int(year)): kind(value) for year, value in table.items()}


def _share(value: Any) -> float:
    share = float(value)
    if not 0 <= share <= 1:
        raise ValueError(f"a target share must be between 0 and 1 (0.8 = 80%), not {value!r}")
    return share
