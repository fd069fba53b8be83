"""Finance supplies services to Sales, on top of the named cast of tests/conftest.py, under an
agreement on the China office calendar (Monday to Friday, 09:00-12:00 and 13:30-18:00,
Asia/Shanghai):

- `payroll_extract`: a Finance service whose form asks one question of each kind (a required
  date and choice, a number, a long text, a file); default priority P2.
- `purchase`: a Finance service with a two-step approval chain: the head of Finance (`head`),
  then the CFO (`cfo`).
- `unagreed_service`: a Finance service that no agreement covers.
- `agreement`: Finance's agreement with Sales on `payroll_extract` and `purchase` (TARGETS;
  approval windows of 8 and 16 working hours), put in force through agreements.services on
  2 November 2026. A test that asks for it runs with time frozen at MONDAY_9AM (23 November);
  `clock_at(instant)` moves it (log in again after moving it more than a session's 12 hours).
- `file_request(service, ...)`: files a request through tickets.services as `staff` for Sales,
  answering the service's required questions unless told otherwise.
- `filing(sales, ...)`: the fields of the request form of `payroll_extract`, for the pages.
"""

from datetime import datetime

import pytest

from agreements.models import ApprovalStep, Priority
from tests.factories import CalendarFactory, ServiceFactory, UserFactory, agreement_in_force
from tests.support.clock import HOUR, MONDAY_9AM, SHANGHAI
from tickets import services

TARGETS = {
    Priority.P1: (1 * HOUR, 4 * HOUR),
    Priority.P2: (4 * HOUR, 8 * HOUR),
    Priority.P3: (8 * HOUR, 40 * HOUR),
}
PAYROLL_QUESTIONS = [
    {"name": "month", "label": "Which month", "type": "date", "required": True},
    {"name": "format", "label": "File format", "type": "choice", "choices": ["CSV", "XLSX"],
     "required": True},
    {"name": "headcount", "label": "Number of employees", "type": "number"},
    {"name": "notes", "label": "Anything else", "type": "long_text"},
    {"name": "sample", "label": "Sample payslip", "type": "file"},
]  # fmt: skip
SAMPLE_ANSWERS = {"text": "Yes", "long_text": "Yes", "number": "1", "date": "2026-10-01"}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Attachments are written under a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def calendar(db):
    return CalendarFactory(name="China office", time_zone="Asia/Shanghai")


@pytest.fixture
def payroll_extract(finance):
    return ServiceFactory(
        provider=finance,
        name="Payroll data extract",
        default_priority=Priority.P2,
        form_fields=PAYROLL_QUESTIONS,
    )


@pytest.fixture
def cfo(company):
    return UserFactory(username="cfo", first_name="Jun", last_name="Qian")


@pytest.fixture
def purchase(finance, head, cfo):
    """Purchases need the head of Finance, then the CFO."""
    service = ServiceFactory(provider=finance, name="Purchase request")
    ApprovalStep.objects.create(
        service=service,
        position=1,
        approver=ApprovalStep.Approver.DEPARTMENT_HEAD,
        department=finance,
        description="any purchase",
    )
    ApprovalStep.objects.create(
        service=service, position=2, approver=ApprovalStep.Approver.PERSON, person=cfo
    )
    return service


@pytest.fixture
def unagreed_service(finance):
    return ServiceFactory(provider=finance, name="Ad-hoc analysis", default_priority=Priority.P3)


@pytest.fixture
def agreement(finance, sales, head, payroll_extract, purchase, calendar, clock_at):
    clock_at(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI))
    in_force = agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[payroll_extract, purchase],
        targets=TARGETS,
        calendar=calendar,
        windows={1: 8 * HOUR, 2: 16 * HOUR},
    )
    clock_at(MONDAY_9AM)
    return in_force


def sample_answers(service) -> dict:
    """An answer to each required question of a service (files are answered by name)."""
    answers = {}
    for question in service.form_fields:
        if question.get("required"):
            kind = question["type"]
            answers[question["name"]] = (
                question["choices"][0] if kind == "choice" else SAMPLE_ANSWERS.get(kind, "a.pdf")
            )
    return answers


@pytest.fixture
def file_request(staff, sales):
    def file(service, *, requester=None, customer=None, title="October payroll", **options):
        options.setdefault("answers", sample_answers(service))
        return services.ticket_file(
            requester=requester or staff,
            service=service,
            customer=customer or sales,
            title=title,
            **options,
        )

    return file


def filing(sales, **overrides) -> dict:
    """The request form of `payroll_extract`, filled in for Sales."""
    data = {
        "title": "October payroll",
        "customer": sales.pk,
        "priority": Priority.P2,
        "answer_month": "2026-10-01",
        "answer_format": "CSV",
    }
    data.update(overrides)
    return data
