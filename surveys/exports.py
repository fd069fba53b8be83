"""The rows of HR's exports of a wave, with the same anonymity rules as the pages: aggregates per
rated department (and per respondent department where that group may be shown), and the raw
responses, without identity in an anonymous campaign. Generators: 100,000 responses stream in
constant memory, read in chunks."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import CharField, Count, F, Value
from django.db.models.functions import MD5, Cast, Concat
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common import figures
from departments.models import Department
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
        _("Response rate (%)"),
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
    return [
        name or row.department.name,
        group,
        row.invited if with_invitations else None,
        # How many answered is a count of respondents: hidden with the rest of the figures.
        row.answered if with_invitations and not row.hidden else None,
        figures.percent_of(row.answered, row.invited)
        if row.response_rate is not None and with_invitations
        else None,
        row.respondents if row.respondents is not None else hidden,
        figures.rating(row.score),
        *(
            (figures.rating(result.mean) if result.mean is not None else result.answers)
            for result in row.questions
        ),
    ]


def response_rows(wave: Wave) -> Iterator[list]:
    """One row per response about a department whose results may be shown, in a random order
    drawn anew for each export. A respondent group the pages hide is not told apart: its rows are
    pooled with the unnamed group under "Other departments" (left out if that pool were smaller
    than the threshold). Free text only where the pages would show those comments."""
    campaign = wave.campaign
    questions = list(campaign.questions.all())
    results = wave_results(wave)
    shown = [row.department.pk for row in results.departments if not row.hidden]
    yield [
        _("Response"),
        _("Rated department"),
        _("Respondents' department"),
        *([] if campaign.anonymous else [_("Respondent")]),
        *(question.text for question in questions),
    ]
    partitions: dict[int, dict[int | None, int]] = {}
    for rated_id, group, n in _group_counts(wave):
        partitions.setdefault(rated_id, {})[group] = n
    layouts = {rated_id: _layout(partitions[rated_id], campaign) for rated_id in shown}
    names = dict(Department.objects.values_list("pk", "name"))
    other = _("Other departments")
    # Two streams read in the same order and merged: responses, and their answers. No model
    # instances, a chunk of rows at a time. The order within a rated department is a keyed hash
    # of the (random) id under a fresh secret: a shuffle that both streams share, and that says
    # nothing about who answered when or in which group.
    secret = Value(secrets.token_hex(16))
    responses = (
        Response.objects.filter(wave=wave, rated_department__in=shown)
        .annotate(shuffle=MD5(Concat(secret, Cast("pk", CharField()))))
        .order_by("rated_department_id", "shuffle", "pk")
        .values_list(
            "pk",
            "rated_department_id",
            "respondent_department_id",
            "respondent__first_name",
            "respondent__last_name",
            "respondent__username",
        )
    )
    answers = _peekable(
        Answer.objects.filter(response__wave=wave, response__rated_department__in=shown)
        .annotate(
            rated_department_id=F("response__rated_department_id"),
            shuffle=MD5(Concat(secret, Cast("response_id", CharField()))),
        )
        .order_by("rated_department_id", "shuffle", "response_id")
        .values_list("response_id", "question_id", "value", "text")
        .iterator(chunk_size=READ_CHUNK)
    )
    number = 0
    for pk, rated_id, group, first, last, username in responses.iterator(chunk_size=READ_CHUNK):
        given = {}
        while answers.peek() is not None and answers.peek()[0] == pk:
            _response, question_id, value, text = next(answers)
            given[question_id] = (value, text)
        layout = layouts[rated_id]
        pooled = group in layout.pool
        if pooled and not layout.pool_shown:
            continue
        comments = layout.pool_comments if pooled else group not in layout.comments_hidden
        number += 1
        yield [
            number,
            names[rated_id],
            other if pooled else names[group],
            *([] if campaign.anonymous else [f"{first} {last}".strip() or username or ""]),
            *(_cell(given.get(q.pk), q, comments) for q in questions),
        ]


@dataclass
class _Layout:
    """How the rows about one rated department are labelled: the respondent groups pooled under
    "Other departments", whether that pool is large enough to appear, and whose comments show."""

    pool: set[int | None]
    pool_shown: bool
    comments_hidden: set[int | None]
    pool_comments: bool


def _layout(partition: dict[int | None, int], campaign) -> _Layout:
    k, k_comments = campaign.min_respondents, campaign.min_comment_group
    pool = hidden_groups(partition, threshold=k) | {None}
    comments_hidden = (
        set(partition)
        if sum(partition.values()) < k_comments
        else hidden_groups(partition, threshold=k_comments)
    )
    return _Layout(
        pool=pool,
        pool_shown=sum(partition.get(group, 0) for group in pool) >= k,
        comments_hidden=comments_hidden,
        pool_comments=not (pool & comments_hidden),
    )


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
