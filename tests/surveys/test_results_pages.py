"""Results pages and exports: HR and administrators see every department and export; a head
sees the results about their own department only; anyone else gets a 404."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from surveys.models import Invitation, Wave
from tests.support.clock import LAUNCH
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(campaign, finance, sales, human_resources, people):
    """Finance is rated by 6 of Sales (one comment starting with "="), HR by 9 of Sales."""
    launched = Wave.objects.create(
        campaign=campaign(), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=LAUNCH + timedelta(days=14),
    )  # fmt: skip
    for index, person in enumerate(people(sales, 10)):
        Invitation.objects.create(
            wave=launched, recipient=person, rated_department=finance, answered=index < 6
        )
    respond(launched, finance, [4, 4, 5, 3, 4, 4], respondent_department=sales,
            texts=["=HYPERLINK(\"http://evil\")"])  # fmt: skip
    respond(launched, human_resources, [3] * 9, respondent_department=sales)
    return launched


def download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_hr_compares_departments_side_by_side(client, hr, wave):
    client.force_login(hr)

    response = client.get(reverse("surveys:results", args=[wave.pk]))

    assert response.status_code == 200
    rows = {row.department.code: row for row in response.context["results"].departments}
    assert rows["FIN"].score == pytest.approx(4.0)
    assert rows["HR"].score == 3
    body = response.content.decode()
    assert "60.0 %" in body  # Finance: 6 answered of 10 invited
    assert "Results (XLSX)" in body


def test_a_head_sees_only_their_own_departments_results(client, head, wave, human_resources):
    client.force_login(head)

    response = client.get(reverse("surveys:results", args=[wave.pk]))
    other = client.get(reverse("surveys:department_results", args=[wave.pk, human_resources.code]))

    assert response.status_code == 200
    assert [row.department.code for row in response.context["results"].departments] == ["FIN"]
    assert response.context["results"].total is None
    assert "Results (XLSX)" not in response.content.decode()
    assert other.status_code == 404


def test_a_head_finds_the_waves_that_rate_their_department(client, head, wave):
    client.force_login(head)

    index = client.get(reverse("surveys:results_index"))

    assert list(index.context["page"].object_list) == [wave]


def test_a_head_opens_their_departments_detail(client, head, wave, finance):
    client.force_login(head)

    response = client.get(reverse("surveys:department_results", args=[wave.pk, finance.code]))

    assert response.status_code == 200
    assert response.context["row"].respondents == 6
    assert response.context["row"].comments is None  # fewer than 10: no comments


@pytest.mark.parametrize("who", ["staff", "agent", "outsider"])
def test_results_are_a_404_for_anyone_else(client, request, wave, finance, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("surveys:results", args=[wave.pk])).status_code == 404
    assert (
        client.get(reverse("surveys:department_results", args=[wave.pk, finance.code])).status_code
        == 404
    )
    index = client.get(reverse("surveys:results_index"))
    assert index.status_code == 200
    assert list(index.context["page"].object_list) == []


@pytest.mark.parametrize("who", ["head", "staff", "outsider"])
def test_exports_are_for_hr_and_administrators_only(client, request, wave, who):
    client.force_login(request.getfixturevalue(who))

    for what in ("results", "responses"):
        for extension in ("csv", "xlsx"):
            path = reverse("surveys:export", args=[wave.pk, what, extension])
            assert client.get(path).status_code == 404, path


def test_an_administrator_exports(client, admin_user, wave):
    client.force_login(admin_user)

    response = client.get(reverse("surveys:export", args=[wave.pk, "results", "csv"]))

    assert response.status_code == 200


def test_the_results_csv_carries_the_figures_and_a_dated_name(client, hr, wave):
    client.force_login(hr)

    response = client.get(reverse("surveys:export", args=[wave.pk, "results", "csv"]))

    assert response.status_code == 200
    assert (
        'filename="internal-service-satisfaction-wave-1-results-' in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(download(response).decode("utf-8-sig"))))
    header, *body = rows
    assert header[:7] == ["Rated department", "Respondents' department", "Invited", "Answered",
                          "Response rate (%)", "Respondents", "Score (1-5)"]  # fmt: skip
    finance = next(row for row in body if row[0] == "Finance" and row[1] == "All")
    assert finance[2:7] == ["10", "6", "60.0", "6", "4.00"]


def test_the_responses_xlsx_has_no_identity_and_escapes_formulas(client, hr, wave):
    client.force_login(hr)
    wave.campaign.min_comment_group = 5
    wave.campaign.save()

    response = client.get(reverse("surveys:export", args=[wave.pk, "responses", "xlsx"]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(download(response))).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "Respondent" not in header
    assert len(rows) == 15
    finance_rows = [row for row in rows if row[1] == "Finance"]
    assert {row[2] for row in finance_rows} == {"Sales"}
    comments = [row[-1] for row in finance_rows if row[-1]]
    assert comments == ['\'=HYPERLINK("http://evil")']


def test_the_responses_export_leaves_out_comments_of_small_groups(client, hr, wave):
    client.force_login(hr)

    response = client.get(reverse("surveys:export", args=[wave.pk, "responses", "csv"]))

    assert "HYPERLINK" not in download(response).decode("utf-8-sig")


def test_exports_leave_out_hidden_departments(client, hr, wave, company):
    respond(wave, company, [1] * 2)
    client.force_login(hr)

    results = download(client.get(reverse("surveys:export", args=[wave.pk, "results", "csv"])))
    responses = download(client.get(reverse("surveys:export", args=[wave.pk, "responses", "csv"])))

    executive = [row for row in csv.reader(io.StringIO(results.decode("utf-8-sig")))
                 if row[0] == "Executive Office"]  # fmt: skip
    assert executive and all(row[6] == "" for row in executive)
    assert executive[0][3:5] == ["", ""]  # how many answered, and the rate: hidden too
    assert "hidden" in executive[0][5]
    assert "Executive Office" not in responses.decode("utf-8-sig")


@pytest.mark.parametrize("respondent", ["", "other", "999999"])
def test_any_valid_respondent_filter_renders(client, hr, wave, finance, sales, respondent):
    client.force_login(hr)

    page = client.get(reverse("surveys:results", args=[wave.pk]), {"respondent": respondent})
    detail = client.get(
        reverse("surveys:department_results", args=[wave.pk, finance.code]),
        {"respondent": respondent},
    )

    assert page.status_code == 200
    assert detail.status_code == 200


def test_filtering_by_a_department_large_enough_shows_its_figures(client, hr, wave, sales):
    client.force_login(hr)

    page = client.get(reverse("surveys:results", args=[wave.pk]), {"respondent": sales.pk})

    rows = {row.department.code: row for row in page.context["results"].departments}
    assert rows["HR"].respondents == 9
    assert "—" in page.content.decode()  # no response rate for a filtered group


def test_a_wave_nobody_answered_shows_its_empty_state(client, hr, campaign):
    empty = Wave.objects.create(
        campaign=campaign(name="Quiet"), number=1, period_start=LAUNCH, period_end=LAUNCH,
        launched_at=LAUNCH, closes_at=LAUNCH,
    )  # fmt: skip
    client.force_login(hr)

    page = client.get(reverse("surveys:results", args=[empty.pk]))

    assert page.status_code == 200
    assert "Nobody was invited in this wave" in page.content.decode()
    assert client.get(reverse("surveys:results_index"), {"page": "999"}).status_code == 200
