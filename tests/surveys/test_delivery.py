"""Invitations through a real SMTP server, sent by a real Celery worker consuming from Redis;
the test follows the link of a received message to answer the survey."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from outbox.models import Message
from surveys import letters, services
from surveys.models import Invitation, QuestionKind, Response
from tests.support.celery import redis_worker, wait_until

LINK = re.compile(r"http://127\.0\.0\.1:8000(/surveys/answer/[^/\s]+/)")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_e_mails_the_invitations_and_the_link_answers_the_survey(
    smtp_server, campaign, hr, sales, finance, requests_filed, people
):
    respondents = people(sales, 3)
    requests_filed(customer=sales, provider=finance, people=respondents,
                   filed_at=timezone.now() - timedelta(days=3))  # fmt: skip
    draft = campaign(starts_on=timezone.localdate())

    with redis_worker():
        services.campaign_launch(campaign_id=draft.pk, by=hr)
        invitations = Message.objects.filter(kind=letters.INVITATION)
        wait_until(lambda: not invitations.exclude(state=Message.State.SENT).exists())

    assert sorted(message["To"] for message in smtp_server.messages) == sorted(
        person.email for person in respondents
    )
    assert {message["Message-ID"] for message in smtp_server.messages} == {
        message.message_id for message in invitations
    }
    # one per person, about the wave
    assert {(message.about, message.recipient_id) for message in invitations} == {
        (invitation.wave, invitation.recipient_id) for invitation in Invitation.objects.all()
    }
    [message] = smtp_server.addressed_to(respondents[0].email)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    path = LINK.search(text).group(1)
    assert f'href="http://127.0.0.1:8000{path}"' in html

    visitor = Client()  # not logged in
    form = visitor.get(path)
    assert form.status_code == 200
    answers = {
        f"q{question.pk}": "5"
        for question in form.context["form"].questions
        if question.kind == QuestionKind.LIKERT
    }
    assert visitor.post(path, answers).status_code == 200
    assert visitor.get(path).status_code == 410
    response = Response.objects.get()
    assert response.rated_department == finance
    assert response.invitation is None and response.respondent is None
