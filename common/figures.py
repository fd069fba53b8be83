"""One rule for every figure Accord shows, exports or serves.

A percentage has one decimal, a rating or survey score two; each is rounded half up from its
exact value (2 of 3 is 66.7 %, a mean of 3.905 is 3.91), never cut short and never rounded to
even. Exports and the API carry these rounded numbers; pages show the same numbers written for
the reader's language (the template filters of `common.figure_filters`). So a page and its
export, or two pages, never disagree by a last digit."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

PERCENT_PLACES = 1
RATING_PLACES = 2

Number = int | float | Decimal | Fraction


def rounded(value: Number | None, places: int) -> Decimal | None:
    """`value` rounded half up to `places` decimals (a float is taken as the shortest decimal
    that reads back as it: 3.905, not 3.90499999…)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, float):
        exact = Decimal(repr(value))
    else:
        exact = Decimal(value)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(value: Number | None) -> Decimal | None:
    """A percentage (0-100), to one decimal."""
    return rounded(value, PERCENT_PLACES)


def percent_of(part: int | None, whole: int | None) -> Decimal | None:
    """`part` of `whole` as a percentage to one decimal, from the exact ratio; None when there is
    no whole."""
    if part is None or not whole:
        return None
    return percent(Fraction(100 * part, whole))


def rating(value: Number | None) -> Decimal | None:
    """A rating or a survey score (1-5), to two decimals."""
    return rounded(value, RATING_PLACES)


def hours(value: timedelta | None) -> Decimal | None:
    """A duration in (working) hours, to one decimal, for exports and the API."""
    if value is None:
        return None
    return rounded(Fraction(int(value.total_seconds() * 1_000_000), 3_600_000_000), 1)
