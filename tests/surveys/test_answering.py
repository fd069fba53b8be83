"""The answer link: it opens the survey without logging in, in the recipient's language; the
answers are validated; a second use says it was already answered; an expired link says so."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from departments.models import Profile
from surveys import services
from surveys.links import answer_path
from surveys.models import Answer, Campaign, Invitation, QuestionKind, Response
from tests.support.clock import LAUNCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(LAUNCH, tick=False) as traveller:
        yield traveller


@pytest.fixture
def invitation(campaign, hr, staff, sales, finance, requests_filed, frozen):
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    services.campaign_launch(campaign_id=campaign().pk, by=hr)
    return Invitation.objects.get()


def full_answers(invitation, score="4", comment="Quick and friendly."):
    data = {}
    for question in invitation.wave.campaign.questions.all():
        if question.kind == QuestionKind.LIKERT:
            data[f"q{question.pk}"] = score
        elif question.kind == QuestionKind.TEXT:
            data[f"q{question.pk}"] = comment
    return data


def test_the_link_opens_the_survey_without_logging_in(client, invitation):
    response = client.get(answer_path(invitation))

    assert response.status_code == 200
    body = response.content.decode()
    assert "How is Finance serving you?" in body
    assert "They respond to our requests quickly." in body
    assert "Log out" not in body


def test_the_survey_is_in_the_recipients_language(client, invitation, staff):
    Profile.objects.create(user=staff, language="zh-hans")

    body = client.get(answer_path(invitation)).content.decode()

    assert "他们能迅速响应我们的请求。" in body
    assert "提交我的回答" in body


def test_answering_records_the_response_and_thanks(client, invitation):
    response = client.post(answer_path(invitation), full_answers(invitation))

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    stored = Response.objects.get()
    assert stored.rated_department == invitation.rated_department
    assert sorted(Answer.objects.exclude(value=None).values_list("value", flat=True)) == [4] * 5
    assert Answer.objects.get(value=None).text == "Quick and friendly."
    invitation.refresh_from_db()
    assert invitation.answered


def test_a_second_use_of_the_link_says_it_was_already_answered(client, invitation):
    client.post(answer_path(invitation), full_answers(invitation))

    again = client.get(answer_path(invitation))
    posted_again = client.post(answer_path(invitation), full_answers(invitation, score="1"))

    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    assert posted_again.status_code == 410
    assert Response.objects.count() == 1


def test_an_expired_link_says_so(client, invitation, frozen):
    frozen.move_to(invitation.wave.closes_at)

    response = client.get(answer_path(invitation))

    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()


def test_a_tampered_link_is_a_404(client, invitation):
    path = answer_path(invitation)

    response = client.get(path[:-3] + "xyz/")

    assert response.status_code == 404
    assert "not a valid survey link" in response.content.decode()


def test_a_link_for_another_invitation_cannot_be_forged(client, invitation, staff):
    from django.core import signing

    forged = signing.dumps({"i": invitation.pk, "r": staff.pk}, salt="another-salt")

    assert client.get(reverse("surveys:answer", args=[forged])).status_code == 404


def test_required_questions_must_be_answered(client, invitation):
    answers = full_answers(invitation)
    first = next(iter(answers))
    del answers[first]

    response = client.post(answer_path(invitation), answers)

    assert response.status_code == 400
    assert response.context["form"].errors[first]
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert not invitation.answered


def test_a_score_out_of_range_is_refused(client, invitation):
    response = client.post(answer_path(invitation), full_answers(invitation, score="6"))

    assert response.status_code == 400
    assert not Response.objects.exists()


def test_the_service_refuses_out_of_range_scores_and_unknown_questions(invitation):
    from django.core.exceptions import ValidationError

    likert = invitation.wave.campaign.questions.filter(kind=QuestionKind.LIKERT)
    answers = {question.pk: 3 for question in likert}

    with pytest.raises(ValidationError):
        services.response_submit(invitation_id=invitation.pk, answers={**answers, 999999: 3})
    with pytest.raises(ValidationError):
        services.response_submit(invitation_id=invitation.pk, answers={**answers, likert[0].pk: 0})
    assert not Response.objects.exists()


def test_a_recommendation_score_accepts_zero_to_ten(client, hr, staff, sales, finance,
                                                    requests_filed, campaign, frozen):  # fmt: skip
    from surveys.models import Question

    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    recommend = Question.objects.filter(kind=QuestionKind.RECOMMEND)
    services.campaign_launch(campaign_id=campaign(questions=recommend).pk, by=hr)
    invitation = Invitation.objects.get()
    question = invitation.wave.campaign.questions.get()

    refused = client.post(answer_path(invitation), {f"q{question.pk}": "11"})
    accepted = client.post(answer_path(invitation), {f"q{question.pk}": "0"})

    assert refused.status_code == 400
    assert accepted.status_code == 200
    assert Answer.objects.get().value == 0


def test_a_named_campaign_keeps_who_answered(client, hr, staff, sales, finance, requests_filed,
                                             campaign, frozen):  # fmt: skip
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    services.campaign_launch(campaign_id=campaign(anonymous=False).pk, by=hr)
    invitation = Invitation.objects.get()

    client.post(answer_path(invitation), full_answers(invitation))

    stored = Response.objects.get()
    assert (stored.invitation, stored.respondent) == (invitation, staff)
    assert Campaign.objects.get().anonymous is False
