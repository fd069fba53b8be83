"""Schemathesis against the live OpenAPI schema, as each person of the cast: whatever a client
sends, valid or not, the API never answers 500 and every answer is what the schema says.

Derandomised and bounded, so that it runs the same calls every time in well under a minute;
`pytest -m fuzz` runs it alone."""

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from agreements.models import Priority
from departments.models import Membership
from feedback.services import feedback_file
from recognition import services as recognition
from surveys.models import Invitation, Wave
from tests.factories import ServiceFactory, agreement_in_force
from tests.support.surveys import respond
from tickets import services
from tickets.models import Kudos

pytestmark = pytest.mark.fuzz

ROLES = ["staff", "agent", "head", "hr", "admin_user"]
CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 1}


@pytest.fixture
def world(staff, agent, head, hr, admin_user, finance, sales, campaign):
    """Something of everything for the generated calls to find: a service under an agreement
    in force, and a request on it; a survey wave with answers, and an invitation to answer; the
    id of each, by the path of its endpoints."""
    service = ServiceFactory(provider=finance, name="Expense claim")
    hours = timedelta(hours=1)
    agreement = agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets=dict.fromkeys(Priority.values, (4 * hours, 16 * hours)),
    )
    ticket = services.ticket_file(requester=staff, service=service, customer=sales, title="Taxi")
    now = timezone.now()
    wave = Wave.objects.create(
        campaign=campaign(), number=1, period_start=now - timedelta(days=30), period_end=now,
        launched_at=now, closes_at=now + timedelta(days=14),
    )  # fmt: skip
    invitation = Invitation.objects.create(wave=wave, recipient=staff, rated_department=finance)
    respond(wave, finance, [4, 5, 3, 4, 4, 2], respondent_department=sales, texts=["Fine"])
    today = timezone.localdate()
    cycle = recognition.cycle_create(by=hr, name="Q", starts_on=today, ends_on=today)
    award = recognition.award_add(cycle_id=cycle.pk, by=hr, person=agent, title="T", reason="R")
    recognition.award_add(cycle_id=cycle.pk, by=hr, department=finance, title="T", reason="R")
    recognition.cycle_publish(cycle_id=cycle.pk, by=hr)
    # Thanks on the request, so that both sides' GET /api/kudos/ lists a row to check.
    Kudos.objects.create(
        ticket=ticket, given_by=staff, agent=agent, department=finance, message="Thanks",
        given_at=now,
    )  # fmt: skip
    complaint = feedback_file(
        by=staff, kind="complaint", ticket=ticket, subject="Slow", text="Late.", anonymous=True
    )
    return {
        "/api/feedback/": complaint.pk,
        "/api/tickets/": ticket.pk,
        "/api/agreements/": agreement.pk,
        "/api/services/": service.pk,
        "/api/calendars/": agreement.calendar_id,
        "/api/memberships/": Membership.objects.get(user=agent).pk,
        "/api/survey-campaigns/": wave.campaign_id,
        "/api/survey-waves/": wave.pk,
        "/api/survey-invitations/": invitation.pk,
        "code": finance.code,  # every code in a path is a department's
        "/api/recognition/cycles/": cycle.pk,
        "/api/recognition/awards/": award.pk,
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_api_never_fails_and_answers_as_its_schema_says_to(world, wsgi, request, role):
    token = Token.objects.create(user=request.getfixturevalue(role))
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi, headers=headers)

    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in EXAMPLES_PER_OPERATION.items():
            try:
                _fuzz(operation, mode, examples, headers, world)
            except Exception as failure:
                failures.append(f"{operation.label} ({mode.value}): {failure}")

    assert not failures, "\n\n".join(failures)


@pytest.fixture
def wsgi(settings):
    """The site as a WSGI application, called in the test's transaction (as Django's test
    client does: it keeps the connection that each request would otherwise close)."""
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis's name for it
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield get_wsgi_application()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _fuzz(operation, mode: GenerationMode, examples: int, headers: dict, ids: dict) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        # A made-up id or code is only ever a 404: aim at the objects that exist.
        parameters = case.path_parameters or {}
        if "code" in parameters:
            parameters["code"] = ids["code"]
        if "id" in parameters:
            known = [pk for path, pk in ids.items() if case.path.startswith(path)]
            parameters["id"] = known[0] if known else parameters["id"]
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
