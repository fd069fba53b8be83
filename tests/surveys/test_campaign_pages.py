"""HR's campaign pages: the list, a new campaign from the default template, the question bank,
launching, and sending progress; a 404 for everyone else."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from outbox import sending
from outbox.models import Message
from surveys import letters, services
from surveys.models import Campaign, CampaignQuestion, Question, Wave
from tests.support.clock import LAUNCH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(LAUNCH, tick=False) as traveller:
        yield traveller


def form_data(**overrides):
    data = {
        "name": "Q4 internal service survey",
        "cadence": "quarterly",
        "starts_on": "2026-10-01",
        "answer_days": "14",
        "audience": "requesters",
        "anonymous": "on",
        "min_respondents": "5",
        "min_comment_group": "10",
        "reminder_days": "3, 7",
        "questions": [
            str(question.pk) for question in Question.objects.filter(in_default_template=True)
        ],
    }
    data.update(overrides)
    return data


def test_the_new_campaign_form_starts_from_the_default_template(client, hr):
    client.force_login(hr)

    response = client.get(reverse("surveys:campaign_new"))

    assert response.status_code == 200
    checked = set(response.context["form"].initial["questions"])
    assert {q.dimension for q in checked} == {
        "responsiveness", "quality", "communication", "attitude", "overall", "comment",
    }  # fmt: skip
    assert 'value="3, 7"' in response.content.decode()


def test_the_question_choices_read_in_chinese_for_a_chinese_reader(client, hr):
    client.force_login(hr)

    response = client.get(reverse("surveys:campaign_new"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    overall = Question.objects.get(dimension="overall")
    assert overall.text_zh_hans
    assert overall.text_zh_hans in response.content.decode()
    assert overall.text not in response.content.decode()


def test_hr_creates_a_campaign_and_it_copies_the_questions(client, hr):
    client.force_login(hr)

    response = client.post(reverse("surveys:campaign_new"), form_data())

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.reminder_days == [3, 7]
    assert campaign.anonymous and campaign.status == Campaign.Status.DRAFT
    assert list(CampaignQuestion.objects.values_list("position", "dimension")) == [
        (1, "responsiveness"), (2, "quality"), (3, "communication"), (4, "attitude"),
        (5, "overall"), (6, "comment"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"min_respondents": "2"}, "min_respondents"),
        ({"reminder_days": "3, soon"}, "reminder_days"),
        ({"reminder_days": "20"}, "reminder_days"),
        ({"min_comment_group": "4"}, "min_comment_group"),
        ({"questions": []}, "questions"),
        ({"answer_days": "0"}, "answer_days"),
        ({"starts_on": "2026-09-30"}, "starts_on"),
    ],
)
def test_an_invalid_campaign_is_a_form_error(client, hr, overrides, field):
    client.force_login(hr)

    response = client.post(reverse("surveys:campaign_new"), form_data(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_chosen_audience_needs_departments(client, hr):
    client.force_login(hr)

    response = client.post(reverse("surveys:campaign_new"), form_data(audience="chosen"))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_hr_launches_a_campaign_and_sees_its_progress(
    client, hr, staff, sales, finance, requests_filed, campaign
):
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    draft = campaign()
    client.force_login(hr)

    response = client.post(reverse("surveys:campaign_launch", args=[draft.pk]), follow=True)

    assert response.status_code == 200
    assert "Launched" in response.content.decode()
    wave = Wave.objects.get()
    progress = client.get(reverse("surveys:wave_progress", args=[wave.pk]))
    body = progress.content.decode()
    assert "Sent 0 of 1" in body
    assert 'hx-trigger="every 2s"' in body  # keeps polling while it sends


def test_progress_stops_polling_once_everything_is_sent(client, hr, staff, sales, finance,
                                                       requests_filed, campaign):  # fmt: skip
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    services.campaign_launch(campaign_id=campaign().pk, by=hr)
    wave = Wave.objects.get()
    sending.send(Message.objects.filter(kind=letters.INVITATION).values_list("pk", flat=True))
    wave.invitations.update(answered=True)
    client.force_login(hr)

    body = client.get(reverse("surveys:wave_progress", args=[wave.pk])).content.decode()

    assert "Sent 1 of 1" in body and "Answered 1 of 1 sent" in body
    assert "hx-trigger" not in body


def test_a_launched_campaign_cannot_be_edited(client, hr, campaign):
    launched = services.campaign_launch(campaign_id=campaign().pk, by=hr)
    client.force_login(hr)

    response = client.post(reverse("surveys:campaign_edit", args=[launched.pk]), form_data())

    assert response.status_code == 302
    assert Campaign.objects.get().name == "Internal service satisfaction"


def test_hr_adds_a_single_choice_question_to_the_bank(client, hr):
    client.force_login(hr)

    response = client.post(reverse("surveys:questions"), {
        "text": "Which channel do you use most?", "kind": "choice",
        "choices": "E-mail\nChat\n\n", "required": "on",
    })  # fmt: skip

    assert response.status_code == 302
    assert Question.objects.get(text__startswith="Which channel").choices == ["E-mail", "Chat"]


def test_a_single_choice_needs_two_options(client, hr):
    client.force_login(hr)

    response = client.post(
        reverse("surveys:questions"), {"text": "Pick", "kind": "choice", "choices": "One"}
    )

    assert response.status_code == 400
    assert "choices" in response.context["form"].errors


@pytest.mark.parametrize("who", ["staff", "agent", "head", "outsider"])
def test_campaign_pages_are_a_404_for_anyone_but_hr(client, request, campaign, who):
    draft = campaign()
    client.force_login(request.getfixturevalue(who))

    for name, args in [
        ("surveys:campaigns", []),
        ("surveys:campaign_new", []),
        ("surveys:campaign", [draft.pk]),
        ("surveys:campaign_edit", [draft.pk]),
        ("surveys:questions", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("surveys:campaign_launch", args=[draft.pk])).status_code == 404
    assert client.post(reverse("surveys:campaign_end", args=[draft.pk])).status_code == 404
    bank_question = Question.objects.first()
    archive = reverse("surveys:question_archive", args=[bank_question.pk])
    assert client.post(archive).status_code == 404
    assert Campaign.objects.get().status == Campaign.Status.DRAFT


@pytest.mark.parametrize("who", ["staff", "head", "outsider"])
def test_sending_progress_is_a_404_for_anyone_but_hr(client, request, campaign, hr, who):
    launched = services.campaign_launch(campaign_id=campaign().pk, by=hr)
    wave = Wave.objects.get(campaign=launched)
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("surveys:wave_progress", args=[wave.pk])).status_code == 404


def test_an_administrator_manages_campaigns(client, admin_user, campaign):
    draft = campaign()
    client.force_login(admin_user)

    assert client.get(reverse("surveys:campaign", args=[draft.pk])).status_code == 200
    assert client.get(reverse("surveys:campaigns")).status_code == 200


def test_the_campaign_list_is_empty_at_first(client, hr):
    client.force_login(hr)

    response = client.get(reverse("surveys:campaigns"))

    assert "No campaign yet" in response.content.decode()
