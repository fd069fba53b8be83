"""Business calendars: the working hours, holidays and closures an agreement's clock runs on."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.clock import BusinessClock
from agreements.weekly_hours import (
    check_weekly_hours,
    default_weekly_hours,
    weekly_hours_for_clock,
)


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(
            _("“%(zone)s” is not a known time zone; use an IANA name such as Asia/Shanghai."),
            params={"zone": value},
        )


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    weekly_hours = models.JSONField(
        _("weekly working hours"),
        default=default_weekly_hours,
        help_text=_("Local wall-clock intervals per weekday (Monday = 0)."),
    )
    country = models.CharField(
        _("country for public holidays"),
        max_length=2,
        blank=True,
        help_text=_("ISO country code (e.g. CN) used to import public holidays and make-up days."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.time_zone not in known_time_zones():
            return  # reported on the field
        try:
            check_weekly_hours(self.weekly_hours)
        except ValidationError as error:
            raise ValidationError({"weekly_hours": error.messages}) from error
        try:
            BusinessClock(self.time_zone, weekly_hours_for_clock(self.weekly_hours))
        except ValueError as error:
            raise ValidationError({"weekly_hours": str(error)}) from error

    def as_clock(self) -> BusinessClock:
        """The business clock of this calendar, with its holidays, make-up days and closures
        (from prefetched `days` and `closures` when the queryset prefetched them)."""
        days = [(day.date, day.kind) for day in self.days.all()]
        return BusinessClock(
            self.time_zone,
            weekly_hours_for_clock(self.weekly_hours),
            holidays={day for day, kind in days if kind == CalendarDay.Kind.HOLIDAY},
            workdays={day for day, kind in days if kind == CalendarDay.Kind.WORKDAY},
            closures=[(closure.starts_at, closure.ends_at) for closure in self.closures.all()],
        )


class CalendarDay(models.Model):
    """A date that departs from the weekly hours: a public holiday or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (closed)")
        WORKDAY = "workday", _("Make-up working day (open with Monday's hours)")

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class CalendarClosure(models.Model):
    """A one-off closure, e.g. an office move, removed from working time."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("calendar"),
    )
    starts_at = models.DateTimeField(_("closed from"))
    ends_at = models.DateTimeField(_("closed until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="calendar_closure_ends_after_start",
                violation_error_message=_("A closure must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"
