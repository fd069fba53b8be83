"""Operations on complaints and suggestions: file, respond, reopen, accept, escalate. Each is one
transaction, records an event, and writes its messages to the outbox in that transaction."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import BusinessCalendar
from common.errors import DomainError
from departments.heads import nearest_common_superior
from departments.models import Department, Membership, acting_for
from feedback import letters
from feedback.models.complaints import Feedback, FeedbackEvent, Kind, Outcome, Status
from feedback.responders import responder
from feedback.selectors import clock_of, department_calendar
from feedback.targets import ResponseTimes, response_times
from tickets.models import Ticket


class FeedbackError(DomainError):
    """A step on a complaint or suggestion that is refused."""


class FeedbackForbidden(FeedbackError):
    """The person sees it but may not take this step."""

    status_code = HTTPStatus.FORBIDDEN


class StaleFeedback(FeedbackError):
    """It moved on since it was read."""

    status_code = HTTPStatus.CONFLICT


def may_respond(user, feedback: Feedback) -> bool:
    """Whoever owes the response (feedback.responders), or their delegate in force unless the
    delegate filed it, while it waits for one."""
    if feedback.status != Status.OPEN:
        return False
    owed_by = responder(feedback)
    if owed_by is None:
        return False
    if owed_by.pk == user.pk:
        return True
    return user.pk != feedback.complainant_id and owed_by.pk in acting_for(
        user, timezone.localdate()
    )


def may_follow_up(user, feedback: Feedback) -> bool:
    """The complainant, once it has been responded to."""
    return feedback.status == Status.RESPONDED and user.pk == feedback.complainant_id


def may_escalate(user, feedback: Feedback) -> bool:
    return (
        user.pk == feedback.complainant_id
        and feedback.status != Status.CLOSED
        and feedback.escalated_to_id is None
    )


def feedback_file(
    *,
    by,
    kind: str,
    subject: str,
    text: str,
    department: Department | None = None,
    ticket: Ticket | None = None,
    anonymous: bool = False,
    now: datetime | None = None,
) -> Feedback:
    """File a complaint about a request (one `by` may see) or a department, or a suggestion to
    a department; it goes to the department's head with a response target."""
    now = now or timezone.now()
    if ticket is not None:
        if kind != Kind.COMPLAINT:
            raise FeedbackError(_("A suggestion goes to a department, not about a request."))
        if not Ticket.objects.visible_to(by).filter(pk=ticket.pk).exists():
            raise FeedbackError(_("You cannot see this request."))
        department = ticket.provider
    if department is None:
        raise FeedbackError(_("Choose the department it is about."))
    if department.archived_at is not None:
        raise FeedbackError(_("This department is archived."))
    with transaction.atomic():
        calendar = department_calendar(department)
        times = _response_times(calendar, now)
        feedback = Feedback.objects.create(
            kind=kind,
            department=department,
            ticket=ticket,
            complainant=by,
            complainant_department=_home_department(by, ticket),
            anonymous=anonymous,
            subject=subject,
            text=text,
            filed_at=now,
            calendar=calendar,
            round_started_at=now,
            warn_at=times.warn_at,
            response_due_at=times.due_at,
            escalate_at=times.escalate_at,
        )
        event = _log(feedback, FeedbackEvent.Action.FILED, by, now)
        letters.filed(feedback, event)
    return feedback


def feedback_respond(
    *, feedback_id: int, by, outcome: str, response: str, now: datetime | None = None
) -> Feedback:
    """The responding head answers, accepts or declines it, in writing."""
    now = now or timezone.now()
    with transaction.atomic():
        feedback = _locked(feedback_id)
        if feedback.status != Status.OPEN:
            raise StaleFeedback(_("It has already been responded to; reload the page."))
        if not may_respond(by, feedback):
            raise FeedbackForbidden(
                _("Only the head responsible for %(department)s may respond.")
                % {"department": feedback.responding_department}
            )
        if outcome not in Outcome.values:
            raise FeedbackError(_("Choose an outcome."))
        if not response.strip():
            raise FeedbackError(_("Write a response."))
        feedback.status, feedback.outcome, feedback.response = Status.RESPONDED, outcome, response
        feedback.responded_at, feedback.responded_by = now, by
        feedback.save()
        event = _log(feedback, FeedbackEvent.Action.RESPONDED, by, now, text=response)
        letters.responded(feedback, event)
    return feedback


def feedback_accept(*, feedback_id: int, by, now: datetime | None = None) -> Feedback:
    """The complainant accepts the response: it is closed."""
    now = now or timezone.now()
    with transaction.atomic():
        feedback = _locked(feedback_id)
        _check_follow_up(by, feedback)
        feedback.status, feedback.closed_at = Status.CLOSED, now
        feedback.save()
        _log(feedback, FeedbackEvent.Action.ACCEPTED, by, now)
    return feedback


def feedback_reopen(
    *, feedback_id: int, by, reason: str = "", now: datetime | None = None
) -> Feedback:
    """The complainant reopens it, once: a new response round with a new target."""
    now = now or timezone.now()
    with transaction.atomic():
        feedback = _locked(feedback_id)
        _check_follow_up(by, feedback)
        if feedback.reopened_at is not None:
            raise FeedbackError(_("It can be reopened only once; escalate it instead."))
        feedback.reopened_at = now
        _new_round(feedback, now)
        event = _log(feedback, FeedbackEvent.Action.REOPENED, by, now, text=reason)
        letters.reopened(feedback, event)
    return feedback


def feedback_escalate(
    *, feedback_id: int, by, reason: str = "", now: datetime | None = None
) -> Feedback:
    """The complainant escalates it to the head of the nearest common superior of their
    department and the department it is about, who responds instead, with a new target."""
    now = now or timezone.now()
    with transaction.atomic():
        feedback = _locked(feedback_id)
        if by.pk != feedback.complainant_id:
            raise FeedbackForbidden(_("Only whoever filed it may escalate it."))
        if feedback.status == Status.CLOSED or feedback.escalated_to_id is not None:
            raise StaleFeedback(_("It can no longer be escalated; reload the page."))
        superior = None
        if feedback.complainant_department is not None:
            superior = nearest_common_superior(feedback.complainant_department, feedback.department)
        if superior is None:
            raise FeedbackError(_("The two departments have no common superior to escalate to."))
        feedback.escalated_to, feedback.escalated_at = superior, now
        _new_round(feedback, now)
        event = _log(feedback, FeedbackEvent.Action.ESCALATED, by, now, text=reason)
        letters.escalated(feedback, event)
    return feedback


def _new_round(feedback: Feedback, now: datetime) -> None:
    times = _response_times(feedback.calendar, now)
    feedback.round += 1
    feedback.status, feedback.outcome = Status.OPEN, ""
    feedback.round_started_at = now
    feedback.warn_at, feedback.response_due_at = times.warn_at, times.due_at
    feedback.escalate_at = times.escalate_at
    feedback.warned_at = feedback.breached_at = feedback.parent_told_at = None
    feedback.save()


def _response_times(calendar: BusinessCalendar | None, start: datetime) -> ResponseTimes:
    return response_times(
        clock_of(calendar),
        start,
        target=settings.COMPLAINT_RESPONSE_TARGET,
        warning_share=settings.COMPLAINT_WARNING_SHARE,
        escalation_after=settings.COMPLAINT_PARENT_TOLD_AFTER,
    )


def _check_follow_up(by, feedback: Feedback) -> None:
    if by.pk != feedback.complainant_id:
        raise FeedbackForbidden(_("Only whoever filed it may accept or reopen the response."))
    if feedback.status != Status.RESPONDED:
        raise StaleFeedback(_("It is not waiting for your reply; reload the page."))


def _home_department(user, ticket: Ticket | None) -> Department | None:
    """The complainant's side: the customer of the request, else their first department."""
    if ticket is not None:
        return ticket.customer
    membership = Membership.objects.filter(user=user).select_related("department").first()
    return membership.department if membership else None


def _locked(feedback_id: int) -> Feedback:
    return (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("department", "escalated_to", "calendar")
        .get(pk=feedback_id)
    )


def _log(feedback: Feedback, action: str, by, now: datetime, text: str = "") -> FeedbackEvent:
    return FeedbackEvent.objects.create(
        feedback=feedback, action=action, actor=by, round=feedback.round, at=now, text=text
    )
