"""Time left as people read it: on the provider's calendar (the China office: 09:00-12:00 and
13:30-18:00, a working day of 7 h 30 min), running, long, paused, overdue, in both languages, and
kept current on the page by one poll."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agreements.models import Priority
from tests.support.clock import HOUR, at
from tickets import services
from tickets.models import Ticket
from tickets.selectors import for_lists, set_urgency
from tickets.time_left import duration_phrase, time_left_phrase
from tickets.workflow import Action

DAY = timedelta(hours=7, minutes=30)
MINUTE = timedelta(minutes=1)


def advance(ticket, by, *actions):
    for action in actions:
        ticket.refresh_from_db()
        services.ticket_transition(
            ticket_id=ticket.pk, by=by, action=action, expected_version=ticket.version
        )
    ticket.refresh_from_db()
    return ticket


def phrase_of(ticket, now) -> str:
    [listed] = for_lists(Ticket.objects.filter(pk=ticket.pk))
    set_urgency([listed], now)
    return listed.urgency.phrase


def test_a_running_target_reads_in_hours_and_minutes_of_working_time():
    assert time_left_phrase("on_track", 3 * HOUR + 20 * MINUTE, DAY) == (
        "3 h 20 min of working time left"
    )
    assert time_left_phrase("due_soon", 45 * MINUTE, DAY) == "45 min of working time left"
    assert time_left_phrase("on_track", 2 * HOUR, DAY) == "2 h of working time left"


def test_less_than_a_minute_is_said_so():
    assert time_left_phrase("on_track", timedelta(seconds=30), DAY) == (
        "less than 1 min of working time left"
    )


def test_an_overdue_target_reads_by_how_much():
    assert time_left_phrase("overdue", -(HOUR + 5 * MINUTE), DAY) == "overdue by 1 h 5 min"


def test_a_long_target_reads_in_working_days_of_the_calendar():
    assert time_left_phrase("on_track", 2 * DAY + 3 * HOUR + 10 * MINUTE, DAY) == (
        "due in 2 working days 3 h"
    )
    assert time_left_phrase("on_track", DAY, DAY) == "due in 1 working day"


def test_working_days_have_their_plural_forms():
    assert duration_phrase(DAY, DAY) == "1 working day"
    assert duration_phrase(2 * DAY, DAY) == "2 working days"
    assert duration_phrase(-3 * DAY, DAY) == "3 working days"


def test_a_paused_target_reads_what_is_left_when_it_resumes():
    assert time_left_phrase("paused", 3 * HOUR + 20 * MINUTE, DAY) == (
        "paused — 3 h 20 min left when it resumes"
    )


def test_the_phrases_read_naturally_in_chinese():
    with translation.override("zh-hans"):
        assert time_left_phrase("on_track", 3 * HOUR + 20 * MINUTE, DAY) == (
            "剩余 3 小时 20 分钟工作时间"
        )
        assert time_left_phrase("overdue", -(HOUR + 5 * MINUTE), DAY) == "已超时 1 小时 5 分钟"
        assert time_left_phrase("paused", 3 * HOUR, DAY) == "已暂停，恢复后剩余 3 小时"
        assert time_left_phrase("on_track", 2 * DAY + 3 * HOUR, DAY) == ("2 个工作日 3 小时后到期")


def test_the_time_left_of_a_request_runs_on_the_providers_calendar(
    agreement, payroll_extract, file_request, clock_at
):
    ticket = file_request(payroll_extract, priority=Priority.P2)  # first response due 14:30

    assert phrase_of(ticket, at(23, 9, 40)) == "3 h 20 min of working time left"
    assert phrase_of(ticket, at(23, 12, 45)) == "1 h of working time left"  # lunch


def test_the_time_left_does_not_move_over_a_non_working_night(
    agreement, payroll_extract, file_request, clock_at
):
    clock_at(at(23, 17))
    ticket = file_request(payroll_extract, priority=Priority.P2)  # due Tuesday 12:00

    evening = phrase_of(ticket, at(23, 17, 30))
    night = phrase_of(ticket, at(23, 23))
    morning = phrase_of(ticket, at(24, 9))

    assert evening == "3 h 30 min of working time left"
    assert night == morning == "3 h of working time left"


def test_a_long_target_of_a_request_reads_in_working_days(
    agreement, payroll_extract, file_request, agent, clock_at
):
    ticket = file_request(payroll_extract, priority=Priority.P3)
    advance(ticket, agent, Action.ACKNOWLEDGE)  # resolution: 40 working hours, Monday 30th

    assert phrase_of(ticket, at(23, 10)) == "due in 5 working days 1 h"


def test_an_overdue_request_reads_overdue_by_working_time(
    agreement, payroll_extract, file_request, clock_at
):
    ticket = file_request(payroll_extract, priority=Priority.P1)  # first response due 10:00

    assert phrase_of(ticket, at(23, 11, 5)) == "overdue by 1 h 5 min"


def test_a_paused_request_keeps_what_is_left_until_the_requester_answers(
    agreement, payroll_extract, file_request, agent, staff, clock_at
):
    ticket = file_request(payroll_extract, priority=Priority.P2)  # resolution: 8 working hours
    clock_at(at(23, 10))
    advance(ticket, agent, Action.ACKNOWLEDGE, Action.ASK)  # 1 h of the 8 spent

    assert phrase_of(ticket, at(23, 10)) == "paused — 7 h left when it resumes"
    assert phrase_of(ticket, at(25, 15)) == "paused — 7 h left when it resumes"

    clock_at(at(25, 15))
    advance(ticket, staff, Action.ANSWER)
    assert phrase_of(ticket, at(25, 15)) == "7 h of working time left"


def test_the_request_page_shows_a_paused_target_with_what_is_left(
    client, agreement, payroll_extract, file_request, agent, staff, clock_at
):
    ticket = file_request(payroll_extract, priority=Priority.P2)
    clock_at(at(23, 10))
    advance(ticket, agent, Action.ACKNOWLEDGE, Action.ASK)
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "paused — 7 h left when it resumes" in page
    assert "The clock waits on the requester." in page


def test_the_queue_shows_overdue_in_red_with_a_word_and_an_icon(
    client, agreement, payroll_extract, file_request, agent, clock_at
):
    file_request(payroll_extract, priority=Priority.P1)
    clock_at(at(23, 11, 5))
    client.force_login(agent)

    page = client.get(reverse("tickets:queue")).content.decode()

    assert (
        '<strong class="urgency urgency-overdue"><span aria-hidden="true">⚠</span> '
        "overdue by 1 h 5 min</strong>"
    ) in page


# Kept current without a reload ------------------------------------------------------------------


def updates(client, *tickets):
    return client.get(reverse("tickets:time_left"), {"ticket": [t.pk for t in tickets]})


def test_the_lists_poll_once_for_every_request_on_the_page(
    client, agreement, payroll_extract, file_request, staff
):
    first = file_request(payroll_extract, title="First")
    second = file_request(payroll_extract, title="Second")
    client.force_login(staff)

    page = client.get(reverse("tickets:mine")).content.decode()

    assert page.count("data-time-left-poll") == 1
    assert f"ticket={second.pk}&amp;ticket={first.pk}" in page
    assert f'data-time-left="{first.pk}"' in page


def test_the_poll_answers_the_current_time_left_of_each_request_out_of_band(
    client, agreement, payroll_extract, file_request, staff, clock_at
):
    ticket = file_request(payroll_extract, priority=Priority.P2)  # first response due 14:30
    clock_at(at(23, 9, 40))
    client.force_login(staff)

    response = updates(client, ticket)

    assert response.status_code == 200
    body = response.content.decode()
    assert f"hx-swap-oob=\"innerHTML:[data-time-left='{ticket.pk}']\"" in body
    assert "3 h 20 min of working time left" in body


def test_the_poll_returns_nothing_for_a_request_the_person_may_not_see(
    client, agreement, payroll_extract, file_request, staff, outsider
):
    ticket = file_request(payroll_extract)
    client.force_login(outsider)

    response = updates(client, ticket)

    assert response.status_code == 200
    assert "data-time-left" not in response.content.decode()
    assert "hx-swap-oob" not in response.content.decode()


def test_the_poll_costs_the_same_queries_for_many_requests(
    client, agreement, payroll_extract, file_request, staff
):
    few = [file_request(payroll_extract) for _ in range(3)]
    many = few + [file_request(payroll_extract) for _ in range(27)]
    client.force_login(staff)

    with CaptureQueriesContext(connection) as few_queries:
        updates(client, *few)
    with CaptureQueriesContext(connection) as many_queries:
        updates(client, *many)

    assert len(many_queries) == len(few_queries)


@pytest.mark.parametrize("value", ["abc", "0", "-1", str(2**63), "²"])
def test_the_poll_refuses_a_malformed_id_with_a_400(client, staff, value):
    client.force_login(staff)

    response = client.get(reverse("tickets:time_left"), {"ticket": value})

    assert response.status_code == 400


def test_the_poll_refuses_too_many_requests_at_once(client, staff):
    client.force_login(staff)

    response = client.get(reverse("tickets:time_left"), {"ticket": list(range(1, 102))})

    assert response.status_code == 400
