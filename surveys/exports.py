"""The rows of HR's exports of a wave, with the same anonymity rules as the pages: aggregates per
rated department (and per respondent department where that group may be shown), and the raw
responses, without identity in an anonymous campaign. Generators: 100,000 responses stream in
constant memory, read in chunks."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Prefetch
from django.utils.text import slugify
from django.utils.translation import gettext as _

from surveys.anonymity import hidden_groups
from surveys.models import Answer, QuestionKind, Response, Wave
from surveys.results import DepartmentResult, wave_results

READ_CHUNK = 2000


def export_filename(wave: Wave, what: str, extension: str, today) -> str:
    name = slugify(wave.campaign.name) or "survey"
    return f"{name}-wave-{wave.number}-{what}-{today.isoformat()}.{extension}"


def aggregate_rows(wave: Wave) -> Iterator[list]:
    questions = list(wave.campaign.questions.all())
    yield [
        _("Rated department"),
        _("Respondents' department"),
        _("Invited"),
        _("Answered"),
        _("Response rate"),
        _("Respondents"),
        _("Score (1-5)"),
        *(question.text for question in questions),
    ]
    hidden = _("hidden (fewer than %(count)s)") % {"count": wave.campaign.min_respondents}
    everyone = wave_results(wave)
    for row in everyone.departments:
        yield _aggregate_row(row, _("All"), hidden, with_invitations=True)
    if everyone.total is not None:
        yield _aggregate_row(everyone.total, _("All"), hidden, with_invitations=True, name=_("All"))
    groups = [*everyone.respondent_choices, None]
    for group in groups:
        by_group = wave_results(wave, respondent=group.pk if group else None)
        label = group.name if group else _("Other departments")
        for row in by_group.departments:
            if row.respondents is not None:
                yield _aggregate_row(row, label, hidden, with_invitations=False)


def _aggregate_row(
    row: DepartmentResult, group: str, hidden: str, *, with_invitations: bool, name: str = ""
) -> list:
    rate = row.response_rate
    return [
        name or row.department.name,
        group,
        row.invited if with_invitations else None,
        row.answered if with_invitations else None,
        round(rate, 4) if rate is not None and with_invitations else None,
        row.respondents if row.respondents is not None else hidden,
        round(row.score, 2) if row.score is not None else None,
        *(
            (round(result.mean, 2) if result.mean is not None else result.answers)
            for result in row.questions
        ),
    ]


def response_rows(wave: Wave) -> Iterator[list]:
    """One row per response about a department whose results may be shown; the respondent's
    department only where its group may be shown, free text only where comments may be."""
    campaign = wave.campaign
    questions = list(campaign.questions.all())
    results = wave_results(wave)
    shown = {row.department.pk: row for row in results.departments if not row.hidden}
    yield [
        _("Response"),
        _("Rated department"),
        _("Respondents' department"),
        *([] if campaign.anonymous else [_("Respondent"), _("Submitted on")]),
        *(question.text for question in questions),
    ]
    partitions: dict[int, dict] = {}
    for rated_id, group, n in _group_counts(wave):
        partitions.setdefault(rated_id, {})[group] = n
    hidden = {
        rated_id: hidden_groups(partition, threshold=campaign.min_respondents)
        for rated_id, partition in partitions.items()
    }
    comments = {
        rated_id: sum(partition.values()) >= campaign.min_comment_group
        for rated_id, partition in partitions.items()
    }
    responses = (
        Response.objects.filter(wave=wave, rated_department__in=list(shown))
        .select_related("rated_department", "respondent_department", "respondent")
        .prefetch_related(Prefetch("answers", Answer.objects.order_by()))
        .order_by("rated_department__name", "respondent_department__name", "pk")
    )
    for number, response in enumerate(responses.iterator(chunk_size=READ_CHUNK), start=1):
        rated_id = response.rated_department_id
        group = response.respondent_department
        answers = {answer.question_id: answer for answer in response.answers.all()}
        identity = []
        if not campaign.anonymous:
            person = response.respondent
            identity = [
                person.get_full_name() or person.get_username() if person else "",
                response.submitted_on,
            ]
        yield [
            number,
            response.rated_department.name,
            group.name if group and group.pk not in hidden[rated_id] else "",
            *identity,
            *(_cell(answers.get(q.pk), q, comments[rated_id]) for q in questions),
        ]


def _group_counts(wave: Wave):
    return (
        Response.objects.filter(wave=wave)
        .values_list("rated_department", "respondent_department")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _cell(answer: Answer | None, question, comments_shown: bool):
    if answer is None:
        return None
    if question.kind == QuestionKind.TEXT:
        return answer.text if comments_shown else ""
    return answer.value if answer.value is not None else answer.text
