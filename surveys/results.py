"""The results of a wave, per rated department and per question, with the anonymity threshold
applied: every figure describing too few respondents is None, in pages and exports alike.

Figures are computed over a partition: rated departments, each split by respondent department
(responses whose respondent group was too small to record have none, the "other departments"
group). A figure is shown only if its group passes the threshold and could not be recomputed from
figures that are shown (surveys.anonymity.hidden_groups); a department hidden at the top level
hides every figure about it. Results are read in four queries whatever the size of the wave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, F, Q, Sum, TextField, Value, When
from django.utils import timezone

from departments.models import Department
from surveys.anonymity import hidden_groups
from surveys.models import Answer, CampaignQuestion, Invitation, QuestionKind, Response, Wave

ALL = "all"  # the respondent filter meaning no filter


@dataclass
class QuestionResult:
    question: CampaignQuestion
    answers: int | None = None  # None: hidden
    mean: float | None = None
    distribution: list[tuple[int | str, int, float]] = field(default_factory=list)  # value, n, %
    panels: list = field(default_factory=list)  # filled in by pages that show result panels


@dataclass
class TrendPoint:
    wave: Wave
    respondents: int | None  # None: hidden
    score: float | None


@dataclass
class DepartmentResult:
    department: Department
    invited: int = 0
    answered: int = 0
    respondents: int | None = None  # None: hidden
    score: float | None = None
    questions: list[QuestionResult] = field(default_factory=list)
    comments: list[str] | None = None  # None: hidden (group too small for comments)
    trend: list[TrendPoint] = field(default_factory=list)  # filled in by pages that show it

    @property
    def response_rate(self) -> float | None:
        if self.respondents is None or not self.invited:
            return None
        return self.answered / self.invited

    @property
    def hidden(self) -> bool:
        return self.respondents is None


@dataclass
class WaveResults:
    wave: Wave
    departments: list[DepartmentResult]
    total: DepartmentResult | None  # all rated departments together (HR, unfiltered)
    respondent_filter: int | str
    respondent_choices: list[Department]


@dataclass
class DepartmentProgress:
    """How many were invited to rate a department and how many answered (None: fewer than the
    threshold, hidden like every other figure about a small group)."""

    department: Department
    invited: int
    answered: int | None

    @property
    def response_rate(self) -> float | None:
        if self.answered is None or not self.invited:
            return None
        return self.answered / self.invited


def wave_progress(
    wave: Wave, *, rated: Collection[int] | None = None
) -> tuple[list[DepartmentProgress], DepartmentProgress | None]:
    """The response counts of `wave` per rated department in `rated` (None: all, with the total
    over all of them), all that is shown of an anonymous wave while it is open."""
    k = wave.campaign.min_respondents
    counts = {
        row["rated_department"]: (row["invited"], row["answered"])
        for row in Invitation.objects.filter(wave=wave)
        .values("rated_department")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by()
    }
    hidden = hidden_groups(
        {pk: answered for pk, (_invited, answered) in counts.items()},
        threshold=k,
        total_shown=rated is None,
    )
    shown = set(counts) if rated is None else set(counts) & set(rated)
    rows = [
        DepartmentProgress(
            department=department,
            invited=counts[department.pk][0],
            answered=None if department.pk in hidden else counts[department.pk][1],
        )
        for department in Department.objects.filter(pk__in=shown).order_by("name")
    ]
    total = None
    if rated is None and counts:
        answered = sum(answered for _invited, answered in counts.values())
        total = DepartmentProgress(
            department=Department(name=""),
            invited=sum(invited for invited, _answered in counts.values()),
            answered=answered if answered >= k or not answered else None,
        )
    return rows, total


def wave_results(
    wave: Wave,
    *,
    rated: Collection[int] | None = None,
    respondent: int | str = ALL,
    with_comments: bool = False,
) -> WaveResults:
    """Results of `wave` about the rated departments `rated` (None: all, with the company-wide
    total), as seen by respondents of department `respondent` (ALL, a department id, or None
    for the "other departments" group)."""
    campaign = wave.campaign
    k, k_comments = campaign.min_respondents, campaign.min_comment_group
    questions = list(campaign.questions.all())

    # Every rated department is read, even when only some are shown: whether one is hidden
    # depends on the others (the company-wide total on HR's page could reveal it otherwise).
    responses = Response.objects.filter(wave=wave)
    people: dict[int, dict[int | None, int]] = defaultdict(dict)
    for rated_id, group, n in responses.values_list(
        "rated_department", "respondent_department"
    ).annotate(n=Count("pk")):
        people[rated_id][group] = n
    # (question, rated, respondent group) -> {score or option: n}; free text under None.
    values: dict[tuple[int, int, int | None], dict[int | str | None, int]] = defaultdict(dict)
    option = Case(
        When(question__kind=QuestionKind.CHOICE, then=F("text")),
        default=Value(""),
        output_field=TextField(),
    )
    for question_id, rated_id, group, value, chosen, n in (
        Answer.objects.filter(response__in=responses)
        .exclude(Q(value__isnull=True) & Q(text=""))
        .annotate(option=option)
        .values_list(
            "question",
            "response__rated_department",
            "response__respondent_department",
            "value",
            "option",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = value if value is not None else (chosen or None)
        values[(question_id, rated_id, group)][key] = n

    visible_rated = _visible(
        {rated_id: sum(groups.values()) for rated_id, groups in people.items()},
        k,
        total_shown=True,
    )
    invitations = Invitation.objects.filter(wave=wave)
    if rated is not None:
        invitations = invitations.filter(rated_department__in=rated)
    invited = {
        row["rated_department"]: row
        for row in invitations.values("rated_department").annotate(
            invited=Count("pk"), answered=Count("pk", filter=Q(answered=True))
        )
    }
    department_ids = set(invited) | set(people)
    if rated is not None:
        department_ids &= set(rated)
    departments = Department.objects.filter(pk__in=department_ids).order_by("name")

    def groups_of(rated_id: int) -> list[int | None] | None:
        """The respondent groups a figure about `rated_id` adds up, or None if it is hidden."""
        if rated_id not in visible_rated:
            return None
        partition = people.get(rated_id, {})
        if respondent == ALL:
            return list(partition)
        if respondent in hidden_groups(partition, threshold=k) or respondent not in partition:
            return None
        return [respondent]

    results = []
    for department in departments:
        row = DepartmentResult(
            department=department,
            invited=invited.get(department.pk, {}).get("invited", 0),
            answered=invited.get(department.pk, {}).get("answered", 0),
        )
        groups = groups_of(department.pk)
        if groups is not None:
            row.respondents = sum(people[department.pk][group] for group in groups)
            row.questions = [
                _question_result(values, q, department.pk, groups, people, respondent, k)
                for q in questions
            ]
            row.score = _score([row])
            if with_comments and _comments_shown(people[department.pk], respondent, k_comments):
                row.comments = _comments(responses, department.pk, groups)
        else:
            row.questions = [QuestionResult(question=q) for q in questions]
        results.append(row)

    total = None
    if rated is None and respondent == ALL and sum(map(len, people.values())):
        every = sum(sum(groups.values()) for groups in people.values())
        total = DepartmentResult(
            department=Department(name=""),
            invited=sum(row["invited"] for row in invited.values()),
            answered=sum(row["answered"] for row in invited.values()),
        )
        if every >= k:
            total.respondents = every
            total.score = _score(results)
    choices = Department.objects.filter(
        pk__in=[group for groups in people.values() for group in groups if group]
    ).order_by("name")
    return WaveResults(wave, results, total, respondent, list(choices))


def _visible(counts: dict[int, int], k: int, *, total_shown: bool) -> set[int]:
    hidden = hidden_groups(counts, threshold=k, total_shown=total_shown)
    return {key for key, count in counts.items() if count >= k and key not in hidden}


def _question_result(values, question, rated_id, groups, people, respondent, k) -> QuestionResult:
    """A question's figures about a department: hidden when fewer than k answered it, or when
    its answers by respondent group would let a hidden group be recomputed."""
    answered = {
        group: sum(values.get((question.pk, rated_id, group), {}).values())
        for group in people[rated_id]
    }
    if respondent != ALL and respondent in hidden_groups(answered, threshold=k):
        return QuestionResult(question=question)
    counts: dict[int | None, int] = defaultdict(int)
    for group in groups:
        for value, n in values.get((question.pk, rated_id, group), {}).items():
            counts[value] += n
    total = sum(counts.values())
    if total < k:
        return QuestionResult(question=question)
    if question.kind == QuestionKind.CHOICE:
        return QuestionResult(
            question=question,
            answers=total,
            distribution=[
                (choice, counts.get(choice, 0), 100 * counts.get(choice, 0) / total)
                for choice in question.choices
            ],
        )
    if not question.scale:
        return QuestionResult(question=question, answers=total)
    low, high = question.scale
    scored = sum(value * n for value, n in counts.items() if value is not None)
    return QuestionResult(
        question=question,
        answers=total,
        mean=scored / total,
        distribution=[
            (value, counts.get(value, 0), 100 * counts.get(value, 0) / total)
            for value in range(low, high + 1)
        ],
    )


def _score(rows: list[DepartmentResult]) -> float | None:
    """The mean of the Likert answers of the rows' shown questions: a figure that is hidden
    never enters one that is shown, so no subtraction can bring it back."""
    total = count = 0.0
    for row in rows:
        for result in row.questions:
            if result.question.kind == QuestionKind.LIKERT and result.mean is not None:
                total += result.mean * result.answers
                count += result.answers
    return total / count if count else None


def _comments_shown(partition: dict[int | None, int], respondent, k_comments: int) -> bool:
    """Comments need a group of at least k_comments, and no smaller group's comments may be
    isolated by comparing a filtered list with the unfiltered one."""
    if respondent == ALL:
        return sum(partition.values()) >= k_comments
    hidden = hidden_groups(partition, threshold=k_comments)
    return respondent in partition and respondent not in hidden


def _comments(responses, rated_id: int, groups) -> list[str]:
    """The free-text answers, sorted (the order of submission could hint at who wrote what)."""
    texts = Answer.objects.filter(
        response__in=responses.filter(rated_department=rated_id),
        question__kind=QuestionKind.TEXT,
    ).exclude(text="")
    if None in groups:
        texts = texts.filter(
            Q(response__respondent_department__in=[g for g in groups if g])
            | Q(response__respondent_department__isnull=True)
        )
    else:
        texts = texts.filter(response__respondent_department__in=groups)
    return sorted(texts.values_list("text", flat=True))


def score_trend(
    wave: Wave, *, rated: Collection[int] | None = None, now: datetime | None = None
) -> dict[int, list[TrendPoint]]:
    """Each rated department's score in every wave of the campaign up to `wave` whose results
    are released (Wave.results_released), oldest first, hidden where that wave's figure would
    be (the same rules as wave_results, unfiltered)."""
    now = now or timezone.now()
    waves = [
        each
        for each in wave.campaign.waves.filter(number__lte=wave.number).order_by("number")
        if each.results_released(now)
    ]
    responses = Response.objects.filter(wave__in=waves)
    people: dict[int, dict[int, int]] = defaultdict(dict)
    for wave_id, rated_id, n in (
        responses.values_list("wave", "rated_department").annotate(n=Count("pk")).order_by()
    ):
        people[wave_id][rated_id] = n
    k = wave.campaign.min_respondents
    # (wave, rated) -> [sum, count] over the Likert questions answered by at least k people.
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for wave_id, rated_id, _question, total, count in (
        Answer.objects.filter(response__in=responses, question__kind=QuestionKind.LIKERT)
        .exclude(value__isnull=True)
        .values_list("response__wave", "response__rated_department", "question")
        .annotate(total=Sum("value"), count=Count("pk"))
        .order_by()
    ):
        if count >= k:
            sums[(wave_id, rated_id)][0] += total
            sums[(wave_id, rated_id)][1] += count
    trend: dict[int, list[TrendPoint]] = defaultdict(list)
    departments = {rated_id for groups in people.values() for rated_id in groups}
    if rated is not None:
        departments &= set(rated)
    for each in waves:
        visible = _visible(people.get(each.pk, {}), k, total_shown=True)
        for rated_id in departments:
            total, count = sums.get((each.pk, rated_id), (0, 0))
            if rated_id in visible and count:
                trend[rated_id].append(TrendPoint(each, people[each.pk][rated_id], total / count))
            else:
                trend[rated_id].append(TrendPoint(each, None, None))
    return trend
