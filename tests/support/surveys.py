"""Survey campaigns, audiences and responses, on top of the named cast of tests/conftest.py.

- `campaign(**fields)`: a draft campaign saved through surveys.services by `hr`, with the
  default template's questions unless told otherwise.
- `requests_filed(customer, provider, people)`: requests filed by `people` of `customer` with
  `provider` on a given day (rows, as the demo writes them: the audience only reads them).
- `respond(wave, rated, respondent_department, scores, ...)`: responses written as rows, for
  result arithmetic.
- `people(department, count)`: members of a department.
"""

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from departments.models import Membership
from surveys import services
from surveys.models import Answer, Campaign, Question, QuestionKind, Response
from tests.factories import MembershipFactory, ServiceFactory, UserFactory
from tickets.models import Status, Ticket


@pytest.fixture
def default_questions(db):
    """The default template; a transactional test's truncation removes the rows its migration
    wrote, so they are written again when missing."""
    if not Question.objects.exists():
        bank = import_module("surveys.migrations.0002_default_template")
        bank.create_bank(django_apps, None)
    return list(Question.objects.filter(in_default_template=True))


@pytest.fixture
def campaign(hr, default_questions):
    def make(*, questions=None, respondent_departments=(), rated_departments=(), **fields):
        fields.setdefault("name", "Internal service satisfaction")
        fields.setdefault("starts_on", date(2026, 10, 1))
        return services.campaign_save(
            campaign=Campaign(**fields),
            by=hr,
            questions=questions if questions is not None else default_questions,
            respondent_departments=respondent_departments,
            rated_departments=rated_departments,
        )

    return make


@pytest.fixture
def people():
    def make(department, count: int, *, prefix: str | None = None, role=Membership.Role.MEMBER):
        prefix = prefix or department.code.lower()
        return [
            MembershipFactory(
                user=UserFactory(username=f"{prefix}{number}"), department=department, role=role
            ).user
            for number in range(1, count + 1)
        ]

    return make


@pytest.fixture
def requests_filed():
    services_by_provider = {}

    def file(*, customer, provider, people, filed_at):
        service = services_by_provider.get(provider.pk) or ServiceFactory(provider=provider)
        services_by_provider[provider.pk] = service
        return [
            Ticket.objects.create(
                title="Help",
                service=service,
                provider=provider,
                customer=customer,
                requester=person,
                filed_at=filed_at,
                status=Status.CLOSED,
            )
            for person in people
        ]

    return file


def respond(wave, rated, scores, *, respondent_department=None, texts=()):
    """One response per score (the same score to every Likert question), with `texts` answering
    the free-text question in order."""
    questions = list(wave.campaign.questions.all())
    responses = []
    for index, score in enumerate(scores):
        response = Response.objects.create(
            wave=wave,
            rated_department=rated,
            respondent_department=respondent_department,
        )
        answers = []
        for question in questions:
            if question.kind == QuestionKind.LIKERT:
                answers.append(Answer(response=response, question=question, value=score))
            elif question.kind == QuestionKind.TEXT and index < len(texts):
                answers.append(Answer(response=response, question=question, text=texts[index]))
        Answer.objects.bulk_create(answers)
        responses.append(response)
    return responses
