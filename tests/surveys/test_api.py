"""Surveys through the API: exactly the suppression of the results pages (a department below the
threshold, a free-text answer, a respondent filter that would single out a small group, an open
wave looked at twice), the same people allowed, exports for HR once released, campaigns for HR,
and a person answering their own invitation once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from common import figures
from surveys.models import Invitation, QuestionKind, Response, Wave
from tests.support.clock import LAUNCH
from tests.support.surveys import respond

SECRET = "The agent Wang was rude to me on Tuesday"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def make_wave(campaign, *, closes_at) -> Wave:
    return Wave.objects.create(
        campaign=campaign, number=1, period_start=LAUNCH - timedelta(days=90), period_end=LAUNCH,
        launched_at=LAUNCH, closes_at=closes_at,
    )  # fmt: skip


@pytest.fixture
def closed_wave(campaign, finance, sales, human_resources, company, people):
    """Closed (results released). Finance: 6 of Sales and 2 too few to name, one of them the
    author of SECRET; HR: 3 respondents, below the threshold of 5; the Executive Office: 9."""
    wave = make_wave(campaign(), closes_at=LAUNCH)
    for index, person in enumerate(people(sales, 10)):
        Invitation.objects.create(
            wave=wave, recipient=person, rated_department=finance, answered=index < 8
        )
    respond(wave, finance, [4, 4, 5, 3, 4, 4], respondent_department=sales)
    respond(wave, finance, [1, 2], texts=[SECRET])
    respond(wave, human_resources, [2, 2, 1], respondent_department=sales)
    respond(wave, company, [5] * 9, respondent_department=sales)
    return wave


def results_of(client, wave, code=None, **query):
    path = f"/api/survey-waves/{wave.pk}/results/" + (f"{code}/" if code else "")
    return client.get(path, query)


def rows(answer) -> dict:
    return {row["department"]["code"]: row for row in answer.json()["departments"]}


def test_the_api_hides_every_figure_the_page_hides(client, hr, closed_wave):
    client.force_login(hr)
    page = client.get(reverse("surveys:results", args=[closed_wave.pk]))
    served = results_of(api(hr), closed_wave)
    assert served.status_code == 200 and served.json()["released"] is True
    by_code = rows(served)
    for shown in page.context["results"].departments:
        row = by_code[shown.department.code]
        assert row["hidden"] is shown.hidden
        assert row["respondents"] == shown.respondents
        expected = figures.rating(shown.score)
        assert row["score"] == (None if expected is None else float(expected))
    # HR: 3 respondents. Finance: 8, but beside HR's 3 the total would give HR's figures away.
    assert by_code["HR"]["hidden"] and by_code["FIN"]["hidden"]
    assert not by_code["EXEC"]["hidden"] and by_code["EXEC"]["score"] == 5.0
    for hidden in (by_code["HR"], by_code["FIN"]):
        assert hidden["score"] is None and hidden["invited"] is None
        assert all(q["answers"] is None and q["mean"] is None for q in hidden["questions"])
    assert served.json()["total"]["respondents"] == 20
    assert served.json()["total"]["department"] is None


def test_a_department_alone_shows_what_its_page_shows(client, hr, closed_wave, company):
    client.force_login(hr)
    page = client.get(reverse("surveys:department_results", args=[closed_wave.pk, "EXEC"]))
    served = results_of(api(hr), closed_wave, "EXEC").json()
    (row,) = served["departments"]
    shown = page.context["row"]
    assert row["respondents"] == shown.respondents == 9
    assert row["comments"] == shown.comments is None  # fewer than 10: no comments
    for served_question, shown_question in zip(
        row["questions"],
        [q for q in shown.questions if q.question.kind != QuestionKind.TEXT],
        strict=True,
    ):
        assert served_question["answers"] == shown_question.answers
        mean = figures.rating(shown_question.mean)
        assert served_question["mean"] == (None if mean is None else float(mean))
    assert [point["score"] for point in row["trend"]] == [5.0]


def test_no_filter_or_department_view_reveals_a_small_group_or_its_comment(
    hr, head, closed_wave, sales
):
    """The respondent filter narrowed to Sales would leave Finance's 2 others as the difference
    from the unfiltered figure; the 'other' group is 2 people; the comment's group is under the
    comments' threshold. Nothing about them comes out, whoever asks and however."""
    seen = []
    for person in (hr, head):
        client = api(person)
        for respondent in ("", str(sales.pk), "other"):
            for code in (None, "FIN"):
                answer = results_of(client, closed_wave, code, respondent=respondent)
                assert answer.status_code == 200
                seen.append(answer.content.decode())
                finance = rows(answer).get("FIN")
                if finance is not None:
                    assert finance["respondents"] is None and finance["score"] is None
                    assert finance["comments"] is None
    assert not any(SECRET in text for text in seen)


def test_a_filtered_view_never_shows_response_counts(hr, closed_wave, sales):
    answer = results_of(api(hr), closed_wave, respondent=str(sales.pk))
    executive = rows(answer)["EXEC"]
    assert executive["respondents"] == 9
    assert executive["invited"] is None and executive["response_rate"] is None
    assert answer.json()["total"] is None


def test_an_open_anonymous_wave_shows_only_its_progress(campaign, hr, finance, sales, people):
    """Two looks at results while answers come in would differ by exactly one answer: until the
    wave closes, neither the pages nor the API show any result."""
    wave = make_wave(campaign(), closes_at=timezone.now() + timedelta(days=3))
    for index, person in enumerate(people(sales, 7)):
        Invitation.objects.create(
            wave=wave, recipient=person, rated_department=finance, answered=index < 6
        )
    respond(wave, finance, [4] * 6, respondent_department=sales, texts=[SECRET])
    first = results_of(api(hr), wave)
    assert first.json()["released"] is False and first.json()["departments"] is None
    assert first.json()["notice"]
    (progress,) = first.json()["progress"]
    assert (progress["invited"], progress["answered"]) == (7, 6)
    assert first.json()["progress_total"]["department"] is None
    assert SECRET not in first.content.decode()
    refused = api(hr).get(f"/api/survey-waves/{wave.pk}/export/", {"what": "responses"})
    assert refused.status_code == 409 and refused.json()["detail"]


def test_hr_exports_the_results_of_a_released_wave(hr, closed_wave):
    client = api(hr)
    csv = client.get(f"/api/survey-waves/{closed_wave.pk}/export/", {"what": "results"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Executive Office" in text and SECRET not in text
    xlsx = client.get(
        f"/api/survey-waves/{closed_wave.pk}/export/", {"what": "responses", "file": "xlsx"}
    )
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    bad = client.get(f"/api/survey-waves/{closed_wave.pk}/export/", {"what": "everything"})
    assert bad.status_code == 400 and "what" in bad.json()


@pytest.mark.parametrize(
    ("who", "waves", "departments", "exports"),
    [
        ("outsider", 0, None, 404),
        ("staff", 0, None, 404),
        ("agent", 0, None, 404),
        ("head", 1, ["FIN"], 404),
        ("hr", 1, ["EXEC", "FIN", "HR"], 200),
        ("admin_user", 1, ["EXEC", "FIN", "HR"], 200),
    ],
)
def test_each_person_sees_the_results_the_pages_let_them_see(
    request, closed_wave, head, who, waves, departments, exports
):
    client = api(request.getfixturevalue(who))
    assert client.get("/api/survey-waves/").json()["count"] == waves
    answer = results_of(client, closed_wave)
    if departments is None:
        assert answer.status_code == 404
        assert results_of(client, closed_wave, "FIN").status_code == 404
    else:
        assert sorted(rows(answer)) == departments
    if who == "head":
        assert results_of(client, closed_wave, "HR").status_code == 404
        assert answer.json()["total"] is None
    export = client.get(f"/api/survey-waves/{closed_wave.pk}/export/", {"what": "results"})
    assert export.status_code == exports


@pytest.mark.parametrize("respondent", ["x", "-1", "0", str(2**63), "other" * 5])
def test_a_respondent_filter_out_of_bounds_is_a_400(hr, closed_wave, respondent):
    answer = results_of(api(hr), closed_wave, respondent=respondent)
    assert answer.status_code == 400 and "respondent" in answer.json()


# Campaigns -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "staff", "agent", "head"])
def test_only_hr_and_administrators_see_campaigns(request, campaign, who):
    draft = campaign()
    client = api(request.getfixturevalue(who))
    assert client.get("/api/survey-campaigns/").json()["count"] == 0
    assert client.get(f"/api/survey-campaigns/{draft.pk}/").status_code == 404
    assert client.post(f"/api/survey-campaigns/{draft.pk}/launch/").status_code == 404
    assert client.post("/api/survey-campaigns/", {"name": "Mine"}).status_code == 404


def test_hr_drafts_and_launches_a_campaign_through_the_pages_form(hr, default_questions):
    client = api(hr)
    body = {
        "name": "Quarterly satisfaction",
        "cadence": "quarterly",
        "starts_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "answer_days": 14,
        "audience": "requesters",
        "anonymous": True,
        "min_respondents": 5,
        "min_comment_group": 10,
        "questions": [question.pk for question in default_questions],
        "reminder_days": "3, 7",
    }
    created = client.post("/api/survey-campaigns/", body, format="json")
    assert created.status_code == 201, created.json()
    assert len(created.json()["questions"]) == len(default_questions)
    pk = created.json()["id"]
    launched = client.post(f"/api/survey-campaigns/{pk}/launch/")
    assert launched.status_code == 200 and launched.json()["status"] == "active"
    again = client.post(f"/api/survey-campaigns/{pk}/launch/")
    assert again.status_code == 400 and again.json()["detail"]
    changed = client.patch(f"/api/survey-campaigns/{pk}/", body, format="json")
    assert changed.status_code == 400


def test_a_campaign_the_form_refuses_is_a_400_by_field(hr, default_questions):
    answer = api(hr).post(
        "/api/survey-campaigns/",
        {"name": "Past", "starts_on": "2001-01-01", "questions": "all"},
        format="json",
    )
    assert answer.status_code == 400
    assert {"starts_on", "questions", "cadence"} <= set(answer.json())


# Answering ------------------------------------------------------------------------------------


@pytest.fixture
def invitation(campaign, staff, finance):
    wave = make_wave(campaign(), closes_at=timezone.now() + timedelta(days=3))
    return Invitation.objects.create(wave=wave, recipient=staff, rated_department=finance)


def full_answers(invitation) -> dict:
    answers = {}
    for question in invitation.wave.campaign.questions.all():
        if question.kind == QuestionKind.TEXT:
            answers[str(question.pk)] = "Quick and friendly."
        elif question.kind == QuestionKind.CHOICE:
            answers[str(question.pk)] = question.choices[0]
        elif question.scale:
            answers[str(question.pk)] = question.scale[1]
    return answers


def test_a_person_answers_their_invitation_once(invitation, staff):
    client = api(staff)
    listed = client.get("/api/survey-invitations/").json()
    assert [item["id"] for item in listed["results"]] == [invitation.pk]
    assert listed["results"][0]["questions"]
    path = f"/api/survey-invitations/{invitation.pk}/answer/"
    answers = {"answers": full_answers(invitation)}
    assert client.post(path, answers, format="json").status_code == 204
    response = Response.objects.get()
    assert response.respondent is None and response.invitation is None  # anonymous
    assert client.post(path, answers, format="json").status_code == 410
    assert client.get("/api/survey-invitations/").json()["count"] == 0


def test_an_answer_out_of_range_is_a_400_by_question(invitation, staff):
    likert = invitation.wave.campaign.questions.filter(kind=QuestionKind.LIKERT).first()
    answers = {**full_answers(invitation), str(likert.pk): 9, "999999": 1}
    answer = api(staff).post(
        f"/api/survey-invitations/{invitation.pk}/answer/", {"answers": answers}, format="json"
    )
    assert answer.status_code == 400 and "answers" in answer.json()
    assert not Response.objects.exists()
    assert not Invitation.objects.get(pk=invitation.pk).answered


@pytest.mark.parametrize("who", ["outsider", "agent", "head", "hr", "admin_user"])
def test_nobody_else_sees_or_answers_an_invitation(request, invitation, who):
    client = api(request.getfixturevalue(who))
    assert client.get(f"/api/survey-invitations/{invitation.pk}/").status_code == 404
    answer = client.post(
        f"/api/survey-invitations/{invitation.pk}/answer/",
        {"answers": full_answers(invitation)},
        format="json",
    )
    assert answer.status_code == 404 and not Response.objects.exists()


def test_a_closed_wave_takes_no_more_answers(invitation, staff):
    Wave.objects.filter(pk=invitation.wave_id).update(closes_at=timezone.now())
    answer = api(staff).post(
        f"/api/survey-invitations/{invitation.pk}/answer/",
        {"answers": full_answers(invitation)},
        format="json",
    )
    assert answer.status_code == 410 and not Response.objects.exists()
