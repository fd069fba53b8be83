"""The anonymity threshold: figures about fewer than the threshold are hidden, in every filter
combination, and so is any figure that would let a hidden one be computed by subtraction."""

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.anonymity import hidden_groups
from surveys.models import Wave
from surveys.results import ALL, score_trend, wave_results
from tests.support.clock import LAUNCH
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db


def test_a_group_under_the_threshold_is_hidden():
    assert hidden_groups({"a": 4, "b": 9, "c": 12}, threshold=5, total_shown=False) == {"a"}


def test_with_the_total_shown_the_next_smallest_group_is_hidden_too():
    assert hidden_groups({"a": 4, "b": 9, "c": 12}, threshold=5) == {"a", "b"}


def test_hidden_groups_that_together_pass_the_threshold_need_no_other():
    assert hidden_groups({"a": 3, "b": 4, "c": 12}, threshold=5) == {"a", "b"}


def test_nothing_is_hidden_when_every_group_passes():
    assert hidden_groups({"a": 5, "b": 9}, threshold=5) == set()


@given(st.dictionaries(st.sampled_from("abcdefg"), st.integers(0, 30)), st.integers(3, 10))
def test_hidden_groups_can_never_be_recovered_by_subtraction(counts, threshold):
    hidden = hidden_groups(counts, threshold=threshold)

    assert all(counts[group] >= threshold for group in set(counts) - hidden if counts[group])
    together = sum(counts[group] for group in hidden)
    assert together == 0 or together >= threshold or hidden >= {g for g in counts if counts[g]}


# Results of a wave ------------------------------------------------------------------------------


@pytest.fixture
def wave(campaign, db):
    launched = campaign()
    return Wave.objects.create(
        campaign=launched,
        number=1,
        period_start=datetime(2026, 7, 1, tzinfo=LAUNCH.tzinfo),
        period_end=LAUNCH,
        launched_at=LAUNCH,
        closes_at=LAUNCH,
    )


def row_of(results, department):
    return next(row for row in results.departments if row.department == department)


def test_result_arithmetic_mean_distribution_and_respondents(wave, finance, sales):
    respond(wave, finance, [5, 4, 4, 3, 2, 5], respondent_department=sales)

    finance_row = row_of(wave_results(wave), finance)

    assert finance_row.respondents == 6
    assert finance_row.score == pytest.approx(23 / 6)
    overall = next(q for q in finance_row.questions if q.question.dimension == "overall")
    assert overall.mean == pytest.approx(23 / 6)
    assert [(value, n) for value, n, _ in overall.distribution] == [
        (1, 0), (2, 1), (3, 1), (4, 2), (5, 2),
    ]  # fmt: skip


def test_the_response_rate_counts_answered_invitations(wave, finance, sales, people):
    from surveys.models import Invitation

    for index, person in enumerate(people(sales, 8)):
        Invitation.objects.create(
            wave=wave, recipient=person, rated_department=finance, answered=index < 6
        )
    respond(wave, finance, [4] * 6, respondent_department=sales)

    assert row_of(wave_results(wave), finance).response_rate == pytest.approx(6 / 8)


def test_a_department_with_fewer_than_five_respondents_is_hidden(
    wave, finance, sales, human_resources
):
    respond(wave, finance, [5] * 4, respondent_department=sales)
    respond(wave, human_resources, [3] * 5, respondent_department=sales)
    respond(wave, sales, [4] * 9)

    results = wave_results(wave)

    finance_row = row_of(results, finance)
    assert finance_row.hidden and finance_row.score is None
    assert all(q.mean is None and q.distribution == [] for q in finance_row.questions)
    # With the company-wide total shown, the next smallest (HR, 5) is hidden too: otherwise the
    # total minus Sales minus HR would give Finance's four answers.
    assert row_of(results, human_resources).hidden
    assert row_of(results, sales).score == 4
    assert results.total.respondents == 18


def test_a_head_sees_the_same_departments_hidden_as_hr(wave, finance, sales, human_resources):
    respond(wave, finance, [5] * 4, respondent_department=sales)
    respond(wave, human_resources, [3] * 5, respondent_department=sales)
    respond(wave, sales, [4] * 9)

    heads_view = wave_results(wave, rated={human_resources.pk})

    assert heads_view.total is None
    assert row_of(heads_view, human_resources).hidden


def test_filtering_by_respondent_department_hides_small_groups(wave, finance, sales, company):
    respond(wave, finance, [5] * 7, respondent_department=sales)
    respond(wave, finance, [1] * 2, respondent_department=company)

    by_company = row_of(wave_results(wave, respondent=company.pk), finance)

    assert by_company.hidden


def test_a_visible_group_that_would_reveal_a_hidden_one_by_subtraction_is_hidden(
    wave, finance, sales, company
):
    # Finance: 9 respondents, 7 from Sales and 2 from the Executive Office. Showing Sales'
    # figure next to the total would give the Executive Office's two answers.
    respond(wave, finance, [5] * 7, respondent_department=sales)
    respond(wave, finance, [1] * 2, respondent_department=company)

    unfiltered = row_of(wave_results(wave), finance)
    by_sales = row_of(wave_results(wave, respondent=sales.pk), finance)

    assert unfiltered.respondents == 9
    assert by_sales.hidden
    assert all(q.mean is None for q in by_sales.questions)


def test_groups_large_enough_show_side_by_side(wave, finance, sales, company):
    respond(wave, finance, [5] * 6, respondent_department=sales)
    respond(wave, finance, [2] * 5, respondent_department=company)

    assert row_of(wave_results(wave, respondent=sales.pk), finance).score == 5
    assert row_of(wave_results(wave, respondent=company.pk), finance).score == 2


def test_the_unnamed_small_groups_are_a_group_of_their_own(wave, finance, sales):
    respond(wave, finance, [5] * 6, respondent_department=sales)
    respond(wave, finance, [1] * 2, respondent_department=None)

    assert row_of(wave_results(wave, respondent=None), finance).hidden
    assert row_of(wave_results(wave, respondent=sales.pk), finance).hidden
    assert row_of(wave_results(wave, respondent=ALL), finance).respondents == 8


def test_an_optional_question_answered_by_too_few_is_hidden(wave, finance, sales):
    respond(wave, finance, [4] * 6, respondent_department=sales, texts=["a", "b"])

    row = row_of(wave_results(wave), finance)

    comment = next(q for q in row.questions if q.question.kind == "text")
    assert row.respondents == 6
    assert comment.answers is None


def test_comments_need_a_group_of_ten(wave, finance, sales, company):
    respond(wave, finance, [4] * 9, respondent_department=sales, texts=["Slow", "Great"])

    assert row_of(wave_results(wave, with_comments=True), finance).comments is None

    respond(wave, finance, [4], respondent_department=sales, texts=["=cmd()"])
    assert row_of(wave_results(wave, with_comments=True), finance).comments == [
        "=cmd()", "Great", "Slow",
    ]  # fmt: skip


def test_comments_of_a_filtered_group_are_hidden_when_the_rest_is_a_small_group(
    wave, finance, sales, company
):
    respond(wave, finance, [4] * 12, respondent_department=sales, texts=["Fine"] * 12)
    respond(wave, finance, [4] * 5, respondent_department=company, texts=["Who wrote this"])

    by_sales = row_of(wave_results(wave, respondent=sales.pk, with_comments=True), finance)

    # All 17 comments are shown unfiltered; Sales' 12 alone would isolate the other five's.
    assert row_of(wave_results(wave, with_comments=True), finance).comments is not None
    assert by_sales.respondents == 12
    assert by_sales.comments is None


def test_the_thresholds_are_the_campaigns(wave, finance, sales):
    wave.campaign.min_respondents = 3
    wave.campaign.save()
    respond(wave, finance, [4] * 3, respondent_department=sales)

    assert row_of(wave_results(wave), finance).respondents == 3


def test_the_trend_shows_each_waves_score_hidden_where_too_few(wave, finance, sales):
    respond(wave, finance, [4] * 6, respondent_department=sales)
    second = Wave.objects.create(
        campaign=wave.campaign, number=2, period_start=wave.period_end,
        period_end=wave.period_end, launched_at=wave.launched_at, closes_at=wave.closes_at,
    )  # fmt: skip
    respond(second, finance, [5] * 2, respondent_department=sales)

    points = score_trend(second)[finance.pk]

    assert [(p.wave.number, p.score) for p in points] == [(1, 4), (2, None)]


def test_results_are_read_in_a_constant_number_of_queries(
    wave, finance, sales, company, human_resources, django_assert_max_num_queries
):
    for department in (finance, sales, company, human_resources):
        respond(wave, department, [4] * 6, respondent_department=sales)

    with django_assert_max_num_queries(7):
        wave_results(wave, with_comments=False)
    with django_assert_max_num_queries(3):
        score_trend(wave)


def test_a_single_choice_shows_how_many_chose_each_option(wave, finance, sales):
    from surveys.models import Answer, CampaignQuestion, QuestionKind

    channel = CampaignQuestion.objects.create(
        campaign=wave.campaign, position=50, text="Which channel?", kind=QuestionKind.CHOICE,
        choices=["E-mail", "Chat", "Phone"],
    )  # fmt: skip
    for response, option in zip(
        respond(wave, finance, [4] * 6, respondent_department=sales),
        ["Chat", "Chat", "E-mail", "Chat", "E-mail", "Chat"],
        strict=True,
    ):
        Answer.objects.create(response=response, question=channel, text=option)

    result = next(q for q in row_of(wave_results(wave), finance).questions if q.question == channel)

    assert result.answers == 6 and result.mean is None
    assert [(option, n) for option, n, _ in result.distribution] == [
        ("E-mail", 2), ("Chat", 4), ("Phone", 0),
    ]  # fmt: skip
    assert row_of(wave_results(wave), finance).score == 4


def test_a_hidden_question_does_not_count_in_the_score_shown(wave, finance, sales):
    """Otherwise the score minus the shown questions would give the hidden one's answers."""
    from surveys.models import Answer, CampaignQuestion, QuestionKind

    responses = respond(wave, finance, [4] * 6, respondent_department=sales)
    optional = CampaignQuestion.objects.create(
        campaign=wave.campaign, position=60, text="Their invoices are right.",
        kind=QuestionKind.LIKERT, required=False,
    )  # fmt: skip
    for response in responses[:2]:
        Answer.objects.create(response=response, question=optional, value=1)

    row = row_of(wave_results(wave), finance)

    assert next(q for q in row.questions if q.question == optional).mean is None
    assert row.score == 4
    assert score_trend(wave)[finance.pk][0].score == 4
    assert wave_results(wave).total.score == 4
