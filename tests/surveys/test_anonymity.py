"""Anonymity: an anonymous response keeps no link to its invitation or its respondent, and
nothing lets a query join them back; small groups of respondents are not even named."""

from datetime import timedelta
from uuid import UUID

import pytest
import time_machine
from django.db import connection

from surveys import services
from surveys.models import Invitation, QuestionKind, Response
from tests.support.clock import LAUNCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(campaign, hr, sales, finance, requests_filed, people):
    """Finance is rated by 6 people of Sales and 2 of Human Resources."""

    def launch(**fields):
        from departments.models import Department

        requests_filed(customer=sales, provider=finance, people=people(sales, 6),
                       filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
        hr_department = Department.objects.get(code="HR")
        requests_filed(customer=hr_department, provider=finance, people=people(hr_department, 2),
                       filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
        with time_machine.travel(LAUNCH, tick=False):
            services.campaign_launch(campaign_id=campaign(**fields).pk, by=hr)
        return Invitation.objects.order_by("pk")

    return launch


def answer(invitation, score=4):
    likert = invitation.wave.campaign.questions.filter(kind=QuestionKind.LIKERT)
    services.response_submit(
        invitation_id=invitation.pk, answers={question.pk: score for question in likert}
    )


def test_an_anonymous_response_has_no_link_to_invitation_or_person(launched):
    invitation = launched()[0]

    answer(invitation)

    response = Response.objects.get()
    assert response.invitation_id is None
    assert response.respondent_id is None
    invitation.refresh_from_db()
    assert invitation.answered


def test_no_column_of_an_invitation_matches_its_response_but_wave_and_departments(launched):
    """Nothing to join on: the invitation records no time of answering, the response only the
    day; they were written in two transactions (PostgreSQL's xmin differs)."""
    invitation = launched()[0]
    answer(invitation)
    invitation_columns = {f.column for f in Invitation._meta.concrete_fields}
    response_columns = {f.column for f in Response._meta.concrete_fields}

    shared = invitation_columns & response_columns
    assert shared == {"id", "wave_id", "rated_department_id", "respondent_department_id"}
    assert not any(
        f.get_internal_type() in {"DateTimeField", "DateField"}
        for f in Invitation._meta.concrete_fields
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT i.xmin::text, r.xmin::text FROM {Invitation._meta.db_table} i, "
                f"{Response._meta.db_table} r WHERE i.id = %s",
                [invitation.pk],
            )
            invitation_xmin, response_xmin = cursor.fetchone()
        assert invitation_xmin != response_xmin


def test_a_response_keeps_a_random_id_and_no_time_of_answering(launched):
    """Neither a sequential id nor a day can order responses by when they were given, and so
    match them to the invitations answered in that order."""
    for invitation in launched()[:6]:
        answer(invitation)

    ids = list(Response.objects.values_list("pk", flat=True))
    assert len(ids) == 6 and all(isinstance(pk, UUID) and pk.version == 4 for pk in ids)
    assert not [
        field.name
        for field in Response._meta.concrete_fields
        if field.get_internal_type() in {"DateTimeField", "DateField", "TimeField"}
    ]


def test_the_respondents_department_is_kept_only_for_a_group_large_enough(launched):
    invitations = launched()
    sales_invitation = invitations.filter(respondent_department__code="SALES").first()
    hr_invitation = invitations.filter(respondent_department__code="HR").first()

    answer(sales_invitation)
    answer(hr_invitation)

    assert sorted(
        Response.objects.values_list("respondent_department__code", flat=True), key=str
    ) == [None, "SALES"]


def test_a_named_campaign_keeps_every_respondents_department(launched):
    invitations = launched(anonymous=False)

    answer(invitations.filter(respondent_department__code="HR").first())

    assert Response.objects.get().respondent_department.code == "HR"


def test_answering_twice_through_the_service_is_refused(launched):
    invitation = launched()[0]
    answer(invitation)

    with pytest.raises(services.SurveyError):
        answer(invitation, score=1)
    assert Response.objects.count() == 1
