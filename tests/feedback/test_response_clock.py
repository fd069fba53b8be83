"""A complaint's response target runs on the business clock of the department it is about (the
calendar of its agreement in force, 09:00-12:00 and 13:30-18:00 in Shanghai): 16 working hours
to respond, a warning at 75 %, a breach at the due time, the parent department's head told 8
working hours later; each once per round, whatever how often the scan runs."""

import pytest
from django.core import mail

from agreements.models import CalendarDay
from feedback import services
from feedback.models.complaints import FeedbackEvent, Kind
from feedback.scan import feedback_scan
from outbox.models import Message
from outbox.sending import send
from tests.support.clock import at

Action = FeedbackEvent.Action


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service or the scan and then what it left for after the commit (the sending)."""

    def call(function, **arguments):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**arguments)

    return call


@pytest.fixture
def complaint(agreement, staff, finance, head, run):
    return run(
        services.feedback_file,
        by=staff,
        kind=Kind.COMPLAINT,
        department=finance,
        subject="Payroll extract late again",
        text="Third month in a row.",
        now=at(23, 9),
    )


def test_the_response_is_due_after_sixteen_working_hours(complaint):
    assert complaint.warn_at == at(24, 15)
    assert complaint.response_due_at == at(25, 10)
    assert complaint.escalate_at == at(26, 10, 30)


def test_a_holiday_does_not_count_towards_the_response_target(
    agreement, calendar, staff, finance, head
):
    CalendarDay.objects.create(calendar=calendar, date=at(24, 9).date(), kind="holiday")

    complaint = services.feedback_file(
        by=staff, kind=Kind.COMPLAINT, department=finance, subject="Late", text="Again.",
        now=at(23, 9),
    )  # fmt: skip

    assert complaint.warn_at == at(25, 15)
    assert complaint.response_due_at == at(26, 10)


def test_the_head_hears_of_a_new_complaint(complaint, head):
    assert [m.to for m in mail.outbox] == [[head.email]]
    assert "Payroll extract late again" in mail.outbox[0].subject


def test_the_scan_warns_breaches_and_tells_the_parent_head_each_once(complaint, head, ceo, run):
    mail.outbox.clear()
    assert not run(feedback_scan, now=at(24, 14, 59)).messages

    for _twice in range(2):
        run(feedback_scan, now=at(24, 15))
    run(feedback_scan, now=at(25, 10))  # responding exactly at the due time is in time
    for _twice in range(2):
        run(feedback_scan, now=at(25, 10, 1))
        run(feedback_scan, now=at(26, 10, 30))

    actions = list(complaint.events.values_list("action", flat=True))
    assert actions == [Action.FILED, Action.WARNED, Action.BREACHED, Action.PARENT_TOLD]
    assert [(m.subject.split(" FB-")[0], m.to) for m in mail.outbox] == [
        ("Response due soon", [head.email]),
        ("Response overdue", [head.email]),
        ("Unanswered below you", [ceo.email]),
    ]


def test_a_response_stops_the_clock_and_withdraws_what_was_not_yet_sent(complaint, head):
    services.feedback_respond(
        feedback_id=complaint.pk, by=head, outcome="accepted", response="Sorry; fixed.",
        now=at(24, 10),
    )  # fmt: skip

    assert not feedback_scan(now=at(30, 9)).messages
    assert not complaint.events.filter(action__in=[Action.WARNED, Action.BREACHED]).exists()


def test_reopening_starts_a_new_round_with_its_own_target(complaint, staff, head):
    services.feedback_respond(
        feedback_id=complaint.pk, by=head, outcome="answered", response="Will check.",
        now=at(24, 10),
    )  # fmt: skip
    feedback_scan(now=at(24, 16))

    reopened = services.feedback_reopen(feedback_id=complaint.pk, by=staff, now=at(25, 9))

    assert (reopened.round, reopened.status) == (2, "open")
    assert reopened.response_due_at == at(27, 10)
    feedback_scan(now=at(26, 15))
    warned = complaint.events.filter(action=Action.WARNED).values_list("round", flat=True)
    assert list(warned) == [2]


def test_a_reopened_complaint_cannot_be_reopened_again(complaint, staff, head):
    for hour in (10, 11):
        services.feedback_respond(
            feedback_id=complaint.pk, by=head, outcome="declined", response="No.",
            now=at(24, hour),
        )  # fmt: skip
        if hour == 10:
            services.feedback_reopen(feedback_id=complaint.pk, by=staff, now=at(24, 10, 30))

    with pytest.raises(services.FeedbackError, match="only once"):
        services.feedback_reopen(feedback_id=complaint.pk, by=staff)


def test_messages_of_a_round_already_answered_are_withdrawn(agreement, staff, finance, head):
    complaint = services.feedback_file(
        by=staff, kind=Kind.COMPLAINT, department=finance, subject="Late", text="Again.",
        now=at(23, 9),
    )  # fmt: skip
    services.feedback_respond(
        feedback_id=complaint.pk, by=head, outcome="answered", response="Done.", now=at(23, 10)
    )

    send([Message.objects.get(kind="feedback.filed").pk])

    assert Message.objects.get(kind="feedback.filed").state == Message.State.CANCELLED
    assert not mail.outbox
