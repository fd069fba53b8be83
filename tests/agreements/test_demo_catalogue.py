"""The demo catalogue (`agreements/demo.py`): calendars, services and agreements that went through
their real life cycle; `manage.py seed_demo` may run any number of times."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from agreements import demo as agreements_demo
from agreements.models import (
    Agreement,
    AgreementEvent,
    ApprovalStep,
    BusinessCalendar,
    CalendarDay,
    Coverage,
    Service,
    SignOff,
)
from agreements.services import departments_to_sign
from departments import demo as departments_demo
from departments.models import Department

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, tzinfo=SHANGHAI)

pytestmark = pytest.mark.slow  # the whole demo, seconds each


@pytest.fixture
def log(db):
    """The lines the demo logs; seeding the departments first, as seed_demo does."""
    lines: list[str] = []
    with time_machine.travel(NOW):
        departments_demo.seed(lines.append)
        agreements_demo.seed(lines.append)
    return lines


@pytest.fixture
def catalogue(log):
    return {department.code: department for department in Department.objects.with_head()}


def snapshot():
    return (
        sorted(BusinessCalendar.objects.values_list("name", "time_zone", "country")),
        sorted(CalendarDay.objects.values_list("calendar__name", "date", "kind", "name")),
        sorted(
            (service.provider.code, service.name, service.default_priority, json.dumps(fields))
            for service, fields in (
                (service, service.form_fields)
                for service in Service.objects.select_related("provider")
            )
        ),
        sorted(
            ApprovalStep.objects.values_list(
                "service__name", "position", "approver", "person__username", "department__code"
            )
        ),
        sorted(
            Agreement.objects.values_list(
                "provider__code", "title", "version", "revision", "status", "activated_at"
            )
        ),
        sorted(
            (agreement, service, customer or "*")
            for agreement, service, customer in Coverage.objects.values_list(
                "agreement__title", "service__name", "customer__code"
            )
        ),
        AgreementEvent.objects.count(),
        SignOff.objects.count(),
    )


def test_seed_demo_run_twice_leaves_the_same_catalogue(db):
    with time_machine.travel(NOW):
        call_command("seed_demo", stdout=StringIO())
    first = snapshot()

    with time_machine.travel(NOW + timedelta(days=1)):
        call_command("seed_demo", stdout=StringIO())

    assert snapshot() == first


def test_every_demo_department_but_the_executive_office_supplies_two_to_four_services(catalogue):
    supplied = {code: catalogue[code].services.count() for code in catalogue}

    assert supplied.pop("EXEC") == 0
    assert all(2 <= count <= 4 for count in supplied.values()), supplied


def test_every_demo_service_has_a_valid_request_form(catalogue):
    for service in Service.objects.all():
        service.full_clean()
        assert service.form_fields, service


def test_sales_files_payroll_data_extracts_under_an_agreement_in_force(catalogue):
    payroll = Service.objects.get(provider=catalogue["FIN"], name="Payroll data extract")

    agreement = Agreement.for_request(catalogue["SALES"], payroll, NOW)

    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.title == "Finance services for Sales and Marketing"


def test_the_agreements_in_force_cover_the_demo_requests_of_the_last_90_days(catalogue):
    payroll = Service.objects.get(provider=catalogue["FIN"], name="Payroll data extract")

    assert Agreement.for_request(catalogue["SALES"], payroll, NOW - timedelta(days=90))


def test_each_customer_head_accepted_the_agreements_in_force(catalogue):
    for agreement in Agreement.objects.filter(status=Agreement.Status.ACTIVE, all_customers=False):
        signers = set(agreement.sign_offs.values_list("department", "decided_by"))
        assert signers == {(c.pk, c.head.pk) for c in agreement.customers.all()}, agreement
        assert list(agreement.events.values_list("action", flat=True)) == [
            AgreementEvent.Action.CREATED,
            AgreementEvent.Action.PROPOSED,
            *[AgreementEvent.Action.ACCEPTED] * len(signers),
            AgreementEvent.Action.ACTIVATED,
        ]


def test_it_incidents_run_on_the_24x7_calendar_for_the_whole_company(catalogue):
    incident = Service.objects.get(provider=catalogue["IT"], name="Incident")

    agreement = Agreement.for_request(catalogue["MKT"], incident, NOW)

    assert agreement.all_customers
    assert agreement.calendar.name == "24x7 operations"
    assert agreement.target_for("P1").first_response == timedelta(minutes=15)
    assert agreement.sign_offs.get().decided_by.username == "admin"


def test_the_finance_proposal_to_sales_waits_for_the_head_of_sales(catalogue):
    proposal = Agreement.objects.get(provider=catalogue["FIN"], status=Agreement.Status.PROPOSED)

    assert departments_to_sign(catalogue["SALES"].head, proposal) == [catalogue["SALES"]]
    assert catalogue["SALES"].head.username == "sales.head"


def test_legal_has_a_draft_not_yet_proposed(catalogue):
    assert Agreement.objects.get(provider=catalogue["LEGAL"], status=Agreement.Status.DRAFT)


def test_purchases_over_10000_need_the_finance_head_or_the_cfo_after_the_requesters_head(
    catalogue,
):
    purchase = Service.objects.get(provider=catalogue["PROC"], name="Purchase request")

    steps = list(
        purchase.approval_steps.values_list(
            "position", "approver", "department__code", "person__username", "with_previous"
        )
    )
    assert steps == [
        (1, ApprovalStep.Approver.REQUESTER_HEAD, None, None, False),
        (2, ApprovalStep.Approver.DEPARTMENT_HEAD, "FIN", None, False),
        (3, ApprovalStep.Approver.PERSON, None, "cfo", True),
    ]
    over = purchase.approval_steps.get(position=2)
    assert (over.condition_text, over.group_rule) == ("Estimated amount (CNY) > 10,000", "any")
    assert over.description == "purchases over 10,000"
    assert not purchase.approval_steps.get(position=1).condition


def test_the_purchasing_agreement_gives_each_approval_step_its_window(catalogue):
    purchase = Service.objects.get(provider=catalogue["PROC"], name="Purchase request")

    agreement = Agreement.for_request(catalogue["RND"], purchase, NOW)

    assert agreement.relationship == Agreement.Relationship.PROCESS
    assert list(agreement.approval_windows.values_list("position", "window")) == [
        (1, timedelta(hours=8)),
        (2, timedelta(hours=16)),
        (3, timedelta(hours=16)),
    ]


def test_the_china_office_calendar_has_its_public_holidays_and_make_up_days(catalogue):
    office = BusinessCalendar.objects.get(name="China office")
    clock = office.as_clock()

    assert office.days.get(date=date(2026, 10, 1)).kind == CalendarDay.Kind.HOLIDAY
    assert office.days.filter(date__year=2027).exists()  # next year, from one library or the other
    assert clock.is_open(datetime(2026, 10, 10, 10, tzinfo=SHANGHAI))  # a make-up Saturday


def test_the_demo_logs_the_size_of_the_catalogue(log):
    assert "catalogue: 18 services, 9 agreements in force" in log
