"""Serializer fields for the figures of the API, rounded by the one rule of `common.figures`:
a page, its export and the API carry the same number (66.7, never 66.66 or "66.7 %")."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common import figures


@extend_schema_field({"type": "number", "format": "double", "nullable": True})
class _Figure(serializers.Field):
    """A read-only figure, null when there is nothing to show (no decided target, a hidden
    group)."""

    places: int

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> float | None:
        shown: Decimal | None = figures.rounded(value, self.places)
        return None if shown is None else float(shown)


class PercentField(_Figure):
    """A percentage (0-100, or points of a trend), to one decimal."""

    places = figures.PERCENT_PLACES


class RatingField(_Figure):
    """A rating or survey score, to two decimals."""

    places = figures.RATING_PLACES


class HoursField(_Figure):
    """A duration in (working) hours, to one decimal (`common.figures.hours`)."""

    places = 1

    def to_representation(self, value) -> float | None:
        shown = figures.hours(value)
        return None if shown is None else float(shown)
