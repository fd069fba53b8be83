"""The rows of HR's exports of a wave, with the same anonymity rules as the pages: aggregates per
rated department (and per respondent department where that group may be shown), and the raw
responses, without identity in an anonymous campaign. Generators: 100,000 responses stream in
constant memory, read in chunks."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F
from django.db.models.functions import Mod
from django.utils.text import slugify
from django.utils.translation import gettext as _

from departments.models import Department
from surveys.anonymity import hidden_groups
from surveys.models import Answer, QuestionKind, Response, Wave
from surveys.results import DepartmentResult, wave_results

READ_CHUNK = 2000
SHUFFLE_FACTOR, SHUFFLE_MODULUS = 7919, 1_000_003


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
        # How many answered is a count of respondents: hidden with the rest of the figures.
        row.answered if with_invitations and not row.hidden else None,
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
    names = dict(Department.objects.values_list("pk", "name"))
    # Two streams read in the same order and merged: responses, and their answers. No model
    # instances, a chunk of rows at a time. The order is shuffled within a group (a stable
    # hash of the id) so that rows do not follow the order people answered in.
    order = ["rated_department_id", "respondent_department_id", "shuffle", "pk"]
    responses = (
        Response.objects.filter(wave=wave, rated_department__in=list(shown))
        .annotate(shuffle=Mod(F("pk") * SHUFFLE_FACTOR, SHUFFLE_MODULUS))
        .order_by(*order)
        .values_list(
            "pk",
            "rated_department_id",
            "respondent_department_id",
            "submitted_on",
            "respondent__first_name",
            "respondent__last_name",
            "respondent__username",
        )
    )
    answers = _peekable(
        Answer.objects.filter(response__wave=wave, response__rated_department__in=list(shown))
        .annotate(
            rated_department_id=F("response__rated_department_id"),
            respondent_department_id=F("response__respondent_department_id"),
            shuffle=Mod(F("response_id") * SHUFFLE_FACTOR, SHUFFLE_MODULUS),
        )
        .order_by("rated_department_id", "respondent_department_id", "shuffle", "response_id")
        .values_list("response_id", "question_id", "value", "text")
        .iterator(chunk_size=READ_CHUNK)
    )
    rows = responses.iterator(chunk_size=READ_CHUNK)
    for number, (pk, rated_id, group, day, first, last, username) in enumerate(rows, start=1):
        given = {}
        while answers.peek() is not None and answers.peek()[0] == pk:
            _response, question_id, value, text = next(answers)
            given[question_id] = (value, text)
        identity = []
        if not campaign.anonymous:
            identity = [f"{first} {last}".strip() or username or "", day]
        yield [
            number,
            names[rated_id],
            names[group] if group and group not in hidden[rated_id] else "",
            *identity,
            *(_cell(given.get(q.pk), q, comments[rated_id]) for q in questions),
        ]


class _peekable:
    def __init__(self, iterator):
        self.iterator, self.ahead = iterator, []

    def peek(self):
        if not self.ahead:
            self.ahead.append(next(self.iterator, None))
        return self.ahead[0]

    def __next__(self):
        return self.ahead.pop() if self.ahead else next(self.iterator)


def _group_counts(wave: Wave):
    return (
        Response.objects.filter(wave=wave)
        .values_list("rated_department", "respondent_department")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _cell(answer: tuple | None, question, comments_shown: bool):
    if answer is None:
        return None
    value, text = answer
    if question.kind == QuestionKind.TEXT:
        return text if comments_shown else ""
    return value if value is not None else text
