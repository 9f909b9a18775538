"""The one rounding rule for a rate shown as a percentage, for every output.

A rate is shown to one decimal of a percent, rounded half away from zero, computed
from the exact fraction (never from a rate already rounded): 14/17 = 82.352…% is
82.4%, 1/8 is 12.5%, 1/16 = 6.25% is 6.3%. The terminal table, the CSV annex, the HTML
report, the charts' labels and the API's rates all come from :func:`tenths`, so each
says the same; the API sends the rate as shown (0.824 for 14/17), which the dashboard
only formats.

A rate given as a float stands for the fraction nearest it with a denominator up to
:data:`DENOMINATOR_LIMIT`: every float ``p / q`` with ``q`` up to that is read back as
exactly ``p / q`` (two such fractions differ by at least ``1 / q²``, far more than a
float's error), so ``14 / 17`` rounds as 14/17 does, and 1/16 as its exact half.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

__all__ = ["DENOMINATOR_LIMIT", "percent", "percent_text", "shown_rate", "tenths"]

#: A float rate is read as the fraction nearest it with a denominator up to this (counts of parties are far smaller).
DENOMINATOR_LIMIT = 10**7

Rate = Fraction | int | float


def _exact(rate: Rate) -> Fraction:
    if isinstance(rate, float):
        if not math.isfinite(rate):
            raise ValueError(f"not a rate: {rate}")
        return Fraction(rate).limit_denominator(DENOMINATOR_LIMIT)
    return Fraction(rate)


def tenths(rate: Rate) -> int:
    """``rate`` in tenths of a percent, rounded half away from zero: 14/17 → 824, 1/8 → 125, 1/16 → 63.

    :raises ValueError: a float that is not finite.
    """
    scaled = _exact(rate) * 1000
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    return whole if scaled >= 0 else -whole


def percent(rate: Rate) -> Decimal:
    """The percentage shown for ``rate``, with its one decimal: ``Decimal("82.4")`` for 14/17."""
    return Decimal(tenths(rate)).scaleb(-1)


def percent_text(rate: Rate | None, *, missing: str = "-") -> str:
    """``82.4%`` for 14/17; ``missing`` for no rate (a sector without units)."""
    return missing if rate is None else f"{percent(rate)}%"


def shown_rate(rate: Rate | None) -> float | None:
    """The rate as shown, as a fraction of one: 0.824 for 14/17 (what the API sends and the CSV holds).

    Three decimals, exactly the shown percentage over 100: a client that formats it with one
    decimal of a percent, however it rounds, shows what the report shows.
    """
    return None if rate is None else tenths(rate) / 1000
