"""Rule of the clock 7: a resolved request is confirmed by its requester, from the request page
or from a signed link without logging in, or confirms itself at the end of the agreement's
confirmation period (working days on the provider's calendar), without a rating.

The week of these tests: resolved Tuesday 24 November 2026 at 15:00; Wednesday 25 is a holiday
and Saturday 28 a make-up working day on the China office calendar. Three working days are
then Thursday 26, Friday 27 and Saturday 28: the request confirms itself on Saturday at 18:00,
and its requester is reminded at the end of Friday.
"""

from datetime import date, timedelta

import pytest

from agreements.clock import BusinessClock
from agreements.models import CalendarDay
from departments.models import Profile
from outbox.models import Message
from outbox.sending import send
from tests.support.clock import SHANGHAI, at
from tickets import letters, services
from tickets.confirm_links import confirm_link_path
from tickets.confirmation import confirmation_scan
from tickets.models import Event, Pause, Status
from tickets.workflow import Action

SATURDAY_6PM = at(28, 18)
FRIDAY_6PM = at(27, 18)


@pytest.fixture
def holiday_week(calendar):
    CalendarDay.objects.create(calendar=calendar, date=date(2026, 11, 25), kind="holiday")
    CalendarDay.objects.create(calendar=calendar, date=date(2026, 11, 28), kind="workday")


@pytest.fixture
def resolved(holiday_week, agreement, agent, payroll_extract, file_request, clock_at):
    clock_at(at(23, 9))
    ticket = file_request(payroll_extract)
    clock_at(at(24, 15))
    return services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.RESOLVE, expected_version=None
    )


def reminders():
    return Message.objects.filter(kind=letters.CONFIRM_REMINDER, recipient__isnull=False)


def test_working_days_skip_a_holiday_and_count_a_make_up_day():
    clock = BusinessClock(
        "Asia/Shanghai",
        {day: [("09:00", "12:00"), ("13:30", "18:00")] for day in range(5)},
        holidays=[date(2026, 11, 25)],
        workdays=[date(2026, 11, 28)],
    )

    assert clock.end_of_working_days(at(24, 15), 1) == at(26, 18)
    assert clock.end_of_working_days(at(24, 15), 3) == SATURDAY_6PM
    assert clock.end_of_working_days(at(24, 15), 4) == at(30, 18)  # Sunday is not one


def test_resolving_sets_when_the_request_confirms_itself_and_when_to_remind(resolved):
    assert resolved.confirm_due_at == SATURDAY_6PM
    assert resolved.confirm_remind_at == FRIDAY_6PM


def test_the_confirmation_period_is_the_agreements(
    holiday_week, agreement, agent, payroll_extract, file_request, clock_at
):
    agreement.confirm_within_days = 1
    agreement.save()
    ticket = file_request(payroll_extract)
    clock_at(at(24, 15))
    ticket = services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.RESOLVE, expected_version=None
    )

    assert ticket.confirm_due_at == at(26, 18)
    assert ticket.confirm_remind_at is None  # the resolution's e-mail is the only notice


def test_a_resolved_request_confirms_itself_at_the_end_of_the_period_without_a_rating(
    resolved, clock_at
):
    clock_at(SATURDAY_6PM - timedelta(minutes=1))
    assert confirmation_scan().confirmed == []

    clock_at(SATURDAY_6PM + timedelta(minutes=1))
    assert confirmation_scan().confirmed == [resolved.pk]

    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert resolved.confirmed_automatically is True
    assert resolved.confirmed_at == resolved.closed_at == SATURDAY_6PM
    assert resolved.rating is None
    assert not resolved.pauses.filter(ended_at__isnull=True).exists()
    event = resolved.events.get(kind=Event.Kind.AUTO_CONFIRMED)
    assert (event.actor, event.at, event.to_status) == (None, SATURDAY_6PM, Status.CLOSED)


def test_the_confirmation_scan_run_twice_confirms_once(resolved, clock_at):
    clock_at(SATURDAY_6PM)
    first, second = confirmation_scan(), confirmation_scan()

    assert (first.confirmed, second.confirmed) == ([resolved.pk], [])
    assert resolved.events.filter(kind=Event.Kind.AUTO_CONFIRMED).count() == 1


def test_the_requester_is_reminded_once_a_working_day_before(resolved, staff, clock_at):
    clock_at(FRIDAY_6PM - timedelta(minutes=1))
    assert confirmation_scan().reminded == []

    clock_at(FRIDAY_6PM)
    first, second = confirmation_scan(), confirmation_scan()

    assert (first.reminded, second.reminded) == ([resolved.pk], [])
    assert list(reminders().values_list("recipient", flat=True)) == [staff.pk]


def test_a_request_confirmed_by_its_requester_is_not_confirmed_again(resolved, staff, clock_at):
    clock_at(at(26, 10))
    services.ticket_confirm(ticket_id=resolved.pk, by=staff, expected_version=None, rating=5)
    clock_at(SATURDAY_6PM)

    assert confirmation_scan().confirmed == []
    resolved.refresh_from_db()
    assert (resolved.confirmed_at, resolved.confirmed_automatically) == (at(26, 10), False)
    assert resolved.confirm_due_at is None


def test_reopening_stops_the_period_and_resolving_again_starts_a_new_one(
    resolved, staff, agent, clock_at
):
    clock_at(at(26, 10))
    services.ticket_transition(
        ticket_id=resolved.pk, by=staff, action=Action.REOPEN, expected_version=None
    )
    clock_at(SATURDAY_6PM)
    assert confirmation_scan().confirmed == []

    ticket = services.ticket_transition(
        ticket_id=resolved.pk, by=agent, action=Action.RESOLVE, expected_version=None
    )
    # Resolved at the close of Saturday: Monday, Tuesday and Wednesday 2 December.
    assert ticket.confirm_due_at == at(30, 18) + timedelta(days=2)


# The signed link --------------------------------------------------------------------------


def test_the_resolution_e_mail_carries_the_requesters_confirmation_link(
    resolved, staff, mailoutbox
):
    message = Message.objects.get(kind=letters.RESOLVED, recipient=staff)
    send([message.pk])

    assert confirm_link_path(resolved) in mailoutbox[-1].body


def test_the_link_confirms_and_rates_without_logging_in(resolved, client):
    path = confirm_link_path(resolved)

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm the result" in page.text

    done = client.post(path, {"rating": "5", "comment": "Quick and right"})
    assert done.status_code == 200
    resolved.refresh_from_db()
    assert (resolved.status, resolved.rating, resolved.confirmed_automatically) == (
        Status.CLOSED,
        5,
        False,
    )
    assert resolved.rating_comment == "Quick and right"


def test_a_used_link_says_the_request_is_already_confirmed(resolved, client):
    path = confirm_link_path(resolved)
    client.post(path, {})

    again = client.post(path, {"rating": "1"})

    assert again.status_code == 410
    assert "already confirmed" in again.text
    resolved.refresh_from_db()
    assert resolved.rating is None


def test_a_link_after_the_request_confirmed_itself_says_so(resolved, client, clock_at):
    path = confirm_link_path(resolved)
    clock_at(SATURDAY_6PM)
    confirmation_scan()

    page = client.get(path)

    assert page.status_code == 410
    assert "confirmed itself" in page.text


def test_a_link_of_an_earlier_resolution_no_longer_opens(resolved, staff, agent, client, clock_at):
    path = confirm_link_path(resolved)
    clock_at(at(26, 10))
    services.ticket_transition(
        ticket_id=resolved.pk, by=staff, action=Action.REOPEN, expected_version=None
    )
    services.ticket_transition(
        ticket_id=resolved.pk, by=agent, action=Action.RESOLVE, expected_version=None
    )

    page = client.get(path)

    assert page.status_code == 410
    assert "no longer applies" in page.text


def test_a_tampered_link_is_not_found(resolved, client):
    path = confirm_link_path(resolved)

    page = client.get(path[:-3] + "xyz/")

    assert page.status_code == 404
    assert "not a valid confirmation link" in page.text


def test_an_expired_link_is_gone(resolved, client, clock_at):
    path = confirm_link_path(resolved)
    clock_at(at(24, 15) + timedelta(days=91))

    page = client.get(path)

    assert page.status_code == 410
    assert "expired" in page.text


def test_a_rating_out_of_range_is_a_form_error(resolved, client):
    page = client.post(confirm_link_path(resolved), {"rating": "9"})

    assert page.status_code == 400
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_the_link_page_speaks_the_requesters_language(resolved, staff, client):
    Profile.objects.update_or_create(user=staff, defaults={"language": "zh-hans"})

    page = client.get(confirm_link_path(resolved))

    assert "确认结果" in page.text


def test_the_confirmation_fields_are_in_the_api(resolved, staff, client):
    client.force_login(staff)

    body = client.get(f"/api/tickets/{resolved.pk}/").json()

    assert body["confirm_due_at"] is not None
    assert body["confirmed_automatically"] is False


def test_the_agreement_api_states_the_confirmation_period(agreement, head, client):
    client.force_login(head)

    body = client.get(f"/api/agreements/{agreement.pk}/").json()

    assert body["confirm_within_days"] == 3


def test_the_resolved_pause_ends_with_the_automatic_confirmation(resolved, clock_at):
    clock_at(SATURDAY_6PM)
    confirmation_scan()

    pause = Pause.objects.get(ticket=resolved, reason=Pause.Reason.RESOLVED)
    assert pause.ended_at == SATURDAY_6PM
    assert SHANGHAI  # the instants above are Shanghai's
