"""Rule of the clock 8: the customer's duties. An agreement may say the requester answers the
provider's questions within N working hours; the time a request waits on its requester is
measured against it on the provider's calendar, warned and breached once each like any target,
told to the requester (warning) and the customer department's head (breach), and counted for
the customer department, never against the provider.

Finance's agreement with Sales asks Sales' requesters to answer within 4 working hours (China
office calendar, 09:00-12:00 and 13:30-18:00; Wednesday 25 November is a holiday here). Asked
on Tuesday 24 at 16:00: 2 hours on Tuesday, none on the holiday, 2 on Thursday: the answer is
due on Thursday 26 at 11:00, with the warning (75 %, 3 h) at 10:00.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from agreements.models import CalendarDay
from dashboards.periods import Period
from dashboards.scorecard import company_facts, scorecard
from dashboards.selectors import CUSTOMER, SUPPLIER, department_dashboard
from outbox import sending
from outbox.kinds import KINDS
from outbox.models import Message
from tests.support.clock import HOUR, at
from tickets import letters, services
from tickets.alerting.breach_scan import breach_scan
from tickets.models import Breach, Target, TargetWarning
from tickets.workflow import Action

DUE = at(26, 11)
WARN = at(26, 10)
WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 27))


@pytest.fixture
def sales_head(agreement, sales):
    """The head of Sales, who accepted the agreement."""
    sales.refresh_from_db()
    return sales.head


@pytest.fixture
def asked(agreement, calendar, agent, payroll_extract, file_request, clock_at):
    CalendarDay.objects.create(calendar=calendar, date=date(2026, 11, 25), kind="holiday")
    agreement.requester_answer_within = 4 * HOUR
    agreement.customer_duties = "Attach last month's payroll summary."
    agreement.save()
    clock_at(at(24, 15))
    ticket = file_request(payroll_extract)
    clock_at(at(24, 16))
    return services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.ASK, expected_version=None
    )


def answer(ticket, staff, when, clock_at):
    clock_at(when)
    services.ticket_comment(ticket_id=ticket.pk, by=staff, text="Here it is")
    ticket.refresh_from_db()
    return ticket


def alert_recipients(kind):
    return set(
        Message.objects.filter(kind=kind, recipient__isnull=False).values_list(
            "recipient__username", flat=True
        )
    )


def test_asking_the_requester_sets_the_answer_due_on_the_providers_calendar(asked):
    assert asked.requester_answer_due_at == DUE
    assert asked.requester_answer_warn_at == WARN


def test_an_agreement_without_the_duty_measures_nothing(
    agreement, agent, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    ticket = services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.ASK, expected_version=None
    )

    assert ticket.requester_answer_due_at is None


def test_the_duty_is_warned_then_breached_once_each(asked, clock_at):
    clock_at(WARN)
    first, second = breach_scan(), breach_scan()
    assert len(first.warnings) == 1 and second.warnings == []

    clock_at(DUE + timedelta(minutes=1))
    first, second = breach_scan(), breach_scan()
    assert len(first.breaches) == 1 and second.breaches == []
    breach = Breach.objects.get(ticket=asked)
    assert (breach.target, breach.due_at) == (Target.REQUESTER_ANSWER, DUE)
    assert TargetWarning.objects.filter(ticket=asked, target=Target.REQUESTER_ANSWER).count() == 1


def test_an_answer_at_the_due_time_meets_the_duty(asked, staff, clock_at):
    ticket = answer(asked, staff, DUE, clock_at)
    clock_at(DUE + HOUR)
    breach_scan()

    assert ticket.requester_answered_at == DUE
    assert not Breach.objects.filter(ticket=asked, target=Target.REQUESTER_ANSWER).exists()


def test_the_requester_hears_of_the_warning_and_their_head_of_the_breach(
    asked, staff, agent, head, sales_head, clock_at
):
    clock_at(WARN)
    breach_scan()
    assert alert_recipients(letters.WARNING) == {"staff"}

    clock_at(DUE + timedelta(minutes=1))
    breach_scan()
    assert alert_recipients(letters.BREACH) == {"staff", sales_head.username}


def test_a_duty_breach_counts_for_the_customer_never_against_the_provider(
    asked, finance, sales, staff, clock_at
):
    clock_at(DUE + timedelta(minutes=1))
    breach_scan()
    answer(asked, staff, at(26, 14), clock_at)
    now = at(27, 9)

    as_customer = department_dashboard(sales, CUSTOMER, WEEK, now).summary
    as_supplier = department_dashboard(finance, SUPPLIER, WEEK, now).summary
    assert (as_customer.duty_met, as_customer.duty_breached) == (0, 1)
    assert as_customer.duty_rate == 0
    assert as_supplier.breached == 0  # the provider's own targets: none breached
    rows = scorecard(company_facts(WEEK, now))
    by_department = {row.department: row for row in rows}
    assert (by_department[sales].duty_met, by_department[sales].duty_breached) == (0, 1)
    assert by_department[finance].duty_breached == 0


def test_the_customer_dashboard_shows_our_duties_in_both_languages(
    client, sales_head, asked, staff, sales, clock_at
):
    answer(asked, staff, at(26, 9, 30), clock_at)
    client.force_login(sales_head)
    url = reverse("dashboards:department", args=[sales.code])
    week = {"view": "customer", "period": "custom", "from": "2026-11-23", "to": "2026-11-27"}

    english = client.get(url, week)
    assert "As customer: our duties" in english.text
    assert "1 answer on time" in english.text

    chinese = client.get(url, week, headers={"accept-language": "zh-hans"})
    assert "作为客户：我们的义务" in chinese.text


def test_the_provider_page_shows_since_when_and_until_when_it_waits(client, agent, asked):
    client.force_login(agent)

    page = client.get(asked.get_absolute_url())

    assert "Waiting on the requester" in page.text
    assert "answer due by" in page.text


def test_the_request_form_shows_the_customers_duties(client, staff, asked, payroll_extract, sales):
    client.force_login(staff)

    page = client.get(
        f"/requests/new/{payroll_extract.pk}/due-times/", {"customer": sales.pk, "priority": "P2"}
    )

    assert "Attach last month" in page.text
    assert "answer within 4 working hours" in page.text


def test_the_agreement_api_states_the_duties(asked, agreement, head, client):
    client.force_login(head)

    body = client.get(f"/api/agreements/{agreement.pk}/").json()

    assert body["customer_duties"] == "Attach last month's payroll summary."
    assert body["requester_answer_within"] is not None


def test_the_customers_group_hears_of_a_duty_alert_and_the_providers_of_any_other(
    asked, sales, finance, clock_at
):
    clock_at(DUE + timedelta(minutes=1))
    breach_scan()
    duty = Breach.objects.get(ticket=asked, target=Target.REQUESTER_ANSWER)
    first_response = Breach(ticket=asked, target=Target.FIRST_RESPONSE)

    assert KINDS[letters.BREACH].departments(duty) == [sales.pk]
    assert KINDS[letters.WARNING].departments(duty) == [sales.pk]
    assert KINDS[letters.BREACH].departments(first_response) == [finance.pk]


def test_the_duty_breach_email_asks_the_customer_to_answer(asked, clock_at, mailoutbox):
    clock_at(DUE + timedelta(minutes=1))
    breach_scan()
    to_requester = Message.objects.filter(kind=letters.BREACH, recipient__username="staff")

    sending.send(list(to_requester.values_list("pk", flat=True)))

    (email,) = mailoutbox
    assert "please answer its question now" in email.body
    assert "tell the requester when to expect it" not in email.body
