"""Demo surveys: a quarterly campaign with two past waves, answered, so that the results pages
show scores, distributions, comments and a trend. Written as rows (the waves happened in the
past); the anonymity rules are those of real answers: no link from a response to a person, and
the demo's departments are too small for respondents' departments to be recorded."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from departments.models import Department, Membership
from outbox.models import Message
from surveys import letters
from surveys.models import Answer, Campaign, Invitation, Question, Response, Wave
from surveys.services import add_months, copy_questions

NAME = "Internal service satisfaction"
RATED = ["FIN", "IT", "HR", "LEGAL", "PROC"]
# Each rated department's mean score in the first wave, and how it moved by the second.
LEVEL = {"FIN": (3.6, 0.3), "IT": (3.1, 0.5), "HR": (4.1, -0.2), "LEGAL": (3.4, 0.0),
         "PROC": (2.8, 0.4)}  # fmt: skip
ANSWER_SHARE = 0.8
COMMENTS = [
    "Answers come quickly, but the forms ask for the same details twice.",
    "Very helpful when we had an urgent deadline.",
    "Hard to know who is working on our request.",
    "Clear explanations; thank you.",
    "Please publish the expected turnaround times.",
    "The new request form saves a lot of back and forth.",
]


def seed(log) -> None:
    if Campaign.objects.filter(name=NAME).exists():
        log("surveys: already seeded")
        return
    rated = {d.code: d for d in Department.objects.filter(code__in=RATED)}
    memberships = list(Membership.objects.select_related("user").exclude(user__email=""))
    if not rated or not memberships:
        log("surveys: no demo organisation, no campaign created")
        return
    with transaction.atomic():
        waves = _campaign_with_waves()
        rng = random.Random(20261127)
        responses = sum(_answer_wave(rng, wave, index, rated, memberships) for index, wave in
                        enumerate(waves))  # fmt: skip
    log(f"surveys: a quarterly campaign with {len(waves)} past waves, {responses} responses")


def _campaign_with_waves() -> list[Wave]:
    now = timezone.now()
    second = (now - timedelta(days=88)).replace(minute=0, second=0, microsecond=0)
    first = add_months(second, -3)
    campaign = Campaign.objects.create(
        name=NAME,
        status=Campaign.Status.ACTIVE,
        cadence=Campaign.Cadence.QUARTERLY,
        starts_on=timezone.localdate(first),
        audience=Campaign.Audience.EVERYONE,
        reminder_days=[3, 7],
        launched_at=first,
        next_launch_at=add_months(second, 3),
    )
    copy_questions(campaign, Question.objects.filter(in_default_template=True))
    return [
        Wave.objects.create(
            campaign=campaign,
            number=number,
            period_start=add_months(launched, -3),
            period_end=launched,
            launched_at=launched,
            closes_at=launched + timedelta(days=campaign.answer_days),
            email_round=3,
        )
        for number, launched in enumerate([first, second], start=1)
    ]


def _answer_wave(rng, wave: Wave, index: int, rated: dict, memberships) -> int:
    """Invite every demo person about each rated department but their own; most answer."""
    questions = list(wave.campaign.questions.all())
    invitations, answered = [], []
    seen = set()
    for membership in memberships:
        for code, department in rated.items():
            key = (membership.user_id, department.pk)
            if department.pk == membership.department_id or key in seen:
                continue
            seen.add(key)
            answers = rng.random() < ANSWER_SHARE
            invitations.append(
                Invitation(
                    wave=wave,
                    recipient_id=membership.user_id,
                    rated_department=department,
                    respondent_department_id=membership.department_id,
                    answered=answers,
                )
            )
            if answers:
                answered.append(code)
    Invitation.objects.bulk_create(invitations, ignore_conflicts=True)
    _record_emails(wave)
    rng.shuffle(answered)  # responses are not stored in the invitations' order
    responses = Response.objects.bulk_create(
        Response(wave=wave, rated_department=rated[code]) for code in answered
    )
    rows = []
    for code, response in zip(answered, responses, strict=True):
        base, drift = LEVEL[code]
        mean = base + drift * index
        for question in questions:
            if question.kind == "likert":
                value = max(1, min(5, round(rng.gauss(mean, 0.8))))
                rows.append(Answer(response=response, question=question, value=value))
            elif question.kind == "text" and rng.random() < 0.4:
                rows.append(Answer(response=response, question=question,
                                   text=rng.choice(COMMENTS)))  # fmt: skip
    Answer.objects.bulk_create(rows)
    return len(responses)


def _record_emails(wave: Wave) -> None:
    """The e-mails the wave sent, as sent outbox rows about the wave, one per person and round:
    the invitation to everyone, then one reminder per round (wave.email_round) to those who
    left a department unanswered."""
    about_type = ContentType.objects.get_for_model(Wave)
    people = wave.invitations.order_by().values("recipient_id")
    unanswered = set(people.filter(answered=False).values_list("recipient_id", flat=True))
    Message.objects.bulk_create(
        Message(
            kind=letters.REMINDER if number > 1 else letters.INVITATION,
            recipient_id=person_id,
            about_type=about_type,
            about_id=wave.pk,
            round=number,
            state=Message.State.SENT,
            sent_at=wave.reminder_due_at(number - 1) if number > 1 else wave.launched_at,
        )
        for person_id in sorted(set(people.values_list("recipient_id", flat=True)))
        for number in range(1, (wave.email_round if person_id in unanswered else 1) + 1)
    )
