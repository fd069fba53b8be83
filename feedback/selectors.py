"""Reads of complaints and suggestions: the calendar a department's clock runs on, and counts
and response times per department for the dashboards and the scorecard."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from django.conf import settings

from agreements.clock import BusinessClock
from agreements.models import Agreement, BusinessCalendar
from agreements.weekly_hours import default_weekly_hours, weekly_hours_for_clock
from departments.models import Department
from feedback.models.complaints import Feedback, FeedbackEvent, Kind, Status


def department_calendar(department: Department) -> BusinessCalendar | None:
    """The calendar of the department's newest agreement in force as provider (its working
    hours towards the rest of the company); else the company's first calendar; None when no
    calendar exists (the default hours in the company's time zone then apply)."""
    agreement = (
        Agreement.objects.filter(provider=department, status=Agreement.Status.ACTIVE)
        .select_related("calendar")
        .order_by("-pk")
        .first()
    )
    if agreement is not None:
        return agreement.calendar
    return BusinessCalendar.objects.order_by("pk").first()


def clock_of(calendar: BusinessCalendar | None) -> BusinessClock:
    if calendar is None:
        return BusinessClock(settings.TIME_ZONE, weekly_hours_for_clock(default_weekly_hours()))
    return calendar.as_clock()


@dataclass
class FeedbackFigures:
    """A department's complaints and suggestions filed in a period, and how fast it responded
    (working time from the start of a round to its response, for the responses of the
    period)."""

    complaints: int = 0
    suggestions: int = 0
    open: int = 0
    breached: int = 0
    response_times: list[timedelta] = field(default_factory=list)

    @property
    def responded(self) -> int:
        return len(self.response_times)

    @property
    def median_response(self) -> timedelta | None:
        return median(self.response_times) if self.response_times else None


def figures_by_department(
    since: datetime, until: datetime, department_ids: list[int] | None = None
) -> dict[int, FeedbackFigures]:
    """What was filed in [since, until) about each department (of `department_ids`, or all),
    and the working time of the responses given in it, measured on each item's calendar from
    the start of its round; four queries or so. Counts only: nothing about who filed them."""
    figures: dict[int, FeedbackFigures] = defaultdict(FeedbackFigures)
    filed = Feedback.objects.filter(filed_at__gte=since, filed_at__lt=until)
    if department_ids is not None:
        filed = filed.filter(department_id__in=department_ids)
    for row in filed.values("department_id", "kind", "status", "breached_at"):
        counts = figures[row["department_id"]]
        if row["kind"] == Kind.COMPLAINT:
            counts.complaints += 1
        else:
            counts.suggestions += 1
        counts.open += row["status"] == Status.OPEN
        counts.breached += row["breached_at"] is not None
    responses = FeedbackEvent.objects.filter(
        action=FeedbackEvent.Action.RESPONDED, at__gte=since, at__lt=until
    )
    if department_ids is not None:
        responses = responses.filter(feedback__department_id__in=department_ids)
    responses = list(responses.select_related("feedback").order_by("pk"))
    if not responses:
        return dict(figures)
    starts = _round_starts({event.feedback_id for event in responses})
    clocks: dict[int | None, BusinessClock] = {}
    calendars = {
        c.pk: c
        for c in BusinessCalendar.objects.filter(
            pk__in={event.feedback.calendar_id for event in responses}
        ).prefetch_related("days", "closures")
    }
    for event in responses:
        start = starts.get((event.feedback_id, event.round))
        if start is None:
            continue
        calendar_id = event.feedback.calendar_id
        if calendar_id not in clocks:
            clocks[calendar_id] = clock_of(calendars.get(calendar_id))
        figures[event.feedback.department_id].response_times.append(
            clocks[calendar_id].between(start, event.at) if event.at > start else timedelta(0)
        )
    return dict(figures)


def _round_starts(feedback_ids: set[int]) -> dict[tuple[int, int], datetime]:
    """When each round of these items started: its filing, reopening or escalation."""
    starts = FeedbackEvent.objects.filter(
        feedback_id__in=feedback_ids,
        action__in=[
            FeedbackEvent.Action.FILED,
            FeedbackEvent.Action.REOPENED,
            FeedbackEvent.Action.ESCALATED,
        ],
    ).values_list("feedback_id", "round", "at")
    return {(feedback_id, round_): at for feedback_id, round_, at in starts}
