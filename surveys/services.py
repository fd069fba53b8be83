"""Operations on surveys: saving and launching campaigns, launching waves with their
invitations, reminders, and recording an answer."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError
from common.text import without_control_characters
from departments.models import sees_company_reports
from outbox.services import fan_out, queue_each
from surveys import letters
from surveys.audience import audience
from surveys.models import (
    Answer,
    Campaign,
    CampaignQuestion,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Wave,
)

User = get_user_model()

# The period a one-off campaign draws its audience from.
ONCE_PERIOD_MONTHS = 3
CADENCE_MONTHS = {Campaign.Cadence.MONTHLY: 1, Campaign.Cadence.QUARTERLY: 3}


class SurveyError(DomainError):
    """An operation that is not possible in the campaign's state; the message says why."""


def _require_manager(user) -> None:
    if not sees_company_reports(user):
        raise PermissionDenied(_("Only HR and administrators manage survey campaigns."))


# Campaigns ---------------------------------------------------------------------------------------


@transaction.atomic
def campaign_save(
    *,
    campaign: Campaign,
    by,
    questions: Iterable[Question],
    respondent_departments: Iterable = (),
    rated_departments: Iterable = (),
) -> Campaign:
    """Create or edit a draft campaign, copying the chosen bank questions into it."""
    _require_manager(by)
    if campaign.pk:
        stored = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not stored.is_editable:
            raise SurveyError(_("A launched campaign can no longer be changed."))
    questions = list(questions)
    if not questions:
        raise ValidationError(_("Choose at least one question."))
    if campaign.created_by_id is None:
        campaign.created_by = by
    campaign.status = Campaign.Status.DRAFT
    campaign.full_clean()
    campaign.save()
    chosen_audience = campaign.audience == Campaign.Audience.CHOSEN
    campaign.respondent_departments.set(list(respondent_departments) if chosen_audience else [])
    campaign.rated_departments.set(list(rated_departments) if chosen_audience else [])
    if chosen_audience and not (
        campaign.respondent_departments.exists() and campaign.rated_departments.exists()
    ):
        raise ValidationError(_("Choose the departments that answer and those they rate."))
    campaign.questions.all().delete()
    copy_questions(campaign, questions)
    return campaign


def copy_questions(campaign: Campaign, questions: Iterable[Question]) -> None:
    """Freeze copies of bank questions into the campaign, in order."""
    CampaignQuestion.objects.bulk_create(
        CampaignQuestion(
            campaign=campaign,
            source=question,
            position=position,
            text=question.text,
            text_zh_hans=question.text_zh_hans,
            kind=question.kind,
            choices=question.choices,
            required=question.required,
            dimension=question.dimension,
        )
        for position, question in enumerate(questions, start=1)
    )


def first_launch_at(starts_on: date) -> datetime:
    """The start of `starts_on` in the company's time zone."""
    return timezone.make_aware(datetime.combine(starts_on, time.min))


def add_months(instant: datetime, months: int) -> datetime:
    """The same local wall-clock time `months` later (the 31st becomes the month's last day)."""
    local = timezone.localtime(instant)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return timezone.make_aware(local.replace(tzinfo=None, year=year, month=month, day=day))


@transaction.atomic
def campaign_launch(*, campaign_id: int, by, now: datetime | None = None) -> Campaign:
    """Activate a draft campaign: its first wave launches now, or on its start date."""
    _require_manager(by)
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != Campaign.Status.DRAFT:
        raise SurveyError(_("This campaign has already been launched."))
    if not campaign.questions.exists():
        raise SurveyError(_("Add at least one question before launching."))
    campaign.status = Campaign.Status.ACTIVE
    campaign.next_launch_at = first_launch_at(campaign.starts_on)
    campaign.save(update_fields=["status", "next_launch_at"])
    if campaign.next_launch_at <= now:
        launch_due_campaigns(now=now)
        campaign.refresh_from_db()
    return campaign


@transaction.atomic
def campaign_end(*, campaign_id: int, by) -> Campaign:
    """Stop an active campaign: no further waves; open waves run to their end."""
    _require_manager(by)
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != Campaign.Status.ACTIVE:
        raise SurveyError(_("Only an active campaign can be ended."))
    campaign.status, campaign.next_launch_at = Campaign.Status.ENDED, None
    campaign.save(update_fields=["status", "next_launch_at"])
    return campaign


# Waves -------------------------------------------------------------------------------------------


def launch_due_campaigns(*, now: datetime | None = None) -> list[int]:
    """Launch a wave of every campaign whose next launch has come; safe to run twice or at once
    on two workers (each launch is claimed by a conditional UPDATE). Returns the new waves."""
    now = now or timezone.now()
    launched = []
    for campaign_id, scheduled in Campaign.objects.due(now).values_list("pk", "next_launch_at"):
        with transaction.atomic():
            campaign = Campaign.objects.get(pk=campaign_id)
            following = _following_launch(campaign, scheduled, now)
            claimed = Campaign.objects.filter(
                pk=campaign_id, status=Campaign.Status.ACTIVE, next_launch_at=scheduled
            ).update(
                next_launch_at=following,
                status=Campaign.Status.ACTIVE if following else Campaign.Status.ENDED,
                launched_at=campaign.launched_at or now,
            )
            if claimed != 1:
                continue  # another launcher got there first
            launched.append(_wave_launch(campaign, scheduled=scheduled, now=now).pk)
    return launched


def _following_launch(campaign: Campaign, scheduled: datetime, now: datetime) -> datetime | None:
    """The next launch after `scheduled` that is still to come (after an outage, the missed
    ones are skipped rather than launched in a burst)."""
    months = CADENCE_MONTHS.get(campaign.cadence)
    if not months:
        return None
    step = months
    while (following := add_months(scheduled, step)) <= now:
        step += months
    return following


def _wave_launch(campaign: Campaign, *, scheduled: datetime, now: datetime) -> Wave:
    months = CADENCE_MONTHS.get(campaign.cadence, ONCE_PERIOD_MONTHS)
    number = (campaign.waves.aggregate(last=Max("number"))["last"] or 0) + 1
    wave = Wave.objects.create(
        campaign=campaign,
        number=number,
        period_start=add_months(scheduled, -months),
        period_end=scheduled,
        launched_at=now,
        closes_at=now + timedelta(days=campaign.answer_days),
    )
    invitees = audience(campaign, since=wave.period_start, until=wave.period_end)
    # ignore_conflicts: the database's unique constraint keeps one per recipient and department.
    Invitation.objects.bulk_create(
        (
            Invitation(
                wave=wave,
                recipient_id=user_id,
                rated_department_id=rated_id,
                respondent_department_id=respondent_id,
            )
            for user_id, rated_id, respondent_id in invitees
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )
    _write_emails(wave, letters.INVITATION, Invitation.objects.filter(wave=wave))
    fan_out(letters.WAVE_OPENED, [wave])  # the rated departments' group chats and webhooks
    return wave


def _write_emails(wave: Wave, kind: str, invitations) -> None:
    """One outbox message of `kind` about the wave (round `wave.email_round`) to each person
    among the recipients of `invitations`: it lists their departments when it is sent."""
    people = User.objects.filter(
        pk__in=invitations.order_by().values("recipient_id").distinct()
    ).order_by("pk")
    queue_each(kind, [(wave, person) for person in people], round=wave.email_round)


def send_due_reminders(*, now: datetime | None = None) -> list[int]:
    """Start the next reminder round of every open wave whose reminder day has come; each round
    is claimed by a conditional UPDATE, so running this twice reminds nobody twice."""
    now = now or timezone.now()
    started = []
    open_waves = Wave.objects.filter(closes_at__gt=now).select_related("campaign")
    for wave in open_waves:
        due_at = wave.reminder_due_at(wave.email_round)
        if due_at is None or due_at > now:
            continue
        with transaction.atomic():
            claimed = Wave.objects.filter(pk=wave.pk, email_round=wave.email_round).update(
                email_round=wave.email_round + 1
            )
            if claimed == 1:
                wave.email_round += 1
                unanswered = Invitation.objects.filter(wave=wave, answered=False)
                _write_emails(wave, letters.REMINDER, unanswered)
                started.append(wave.pk)
    return started


# Answers -----------------------------------------------------------------------------------------


def response_submit(*, invitation_id: int, answers: Mapping[int, int | str | None]) -> None:
    """Record the answers to an invitation once. In an anonymous campaign the invitation is only
    marked answered, in its own transaction, and the response keeps no link to it or to the
    person; no response keeps any time finer than its wave."""
    invitation = Invitation.objects.select_related("wave__campaign").get(pk=invitation_id)
    campaign = invitation.wave.campaign
    questions = {question.pk: question for question in campaign.questions.all()}
    values = _validated(questions, answers)
    with transaction.atomic():
        marked = Invitation.objects.filter(pk=invitation_id, answered=False).update(answered=True)
    if marked != 1:
        raise SurveyError(_("This survey has already been answered."))
    try:
        with transaction.atomic():
            response = Response.objects.create(
                wave_id=invitation.wave_id,
                rated_department_id=invitation.rated_department_id,
                respondent_department_id=_respondent_group(invitation),
                invitation=None if campaign.anonymous else invitation,
                respondent=None if campaign.anonymous else invitation.recipient,
            )
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    question_id=question_id,
                    value=value if isinstance(value, int) else None,
                    text=value if isinstance(value, str) else "",
                )
                for question_id, value in values.items()
            )
    except (IntegrityError, ValidationError):
        Invitation.objects.filter(pk=invitation_id).update(answered=False)
        raise


def _respondent_group(invitation: Invitation) -> int | None:
    """The respondent's department, only if the wave invites at least the campaign's threshold
    of people from it about this department (a smaller group would single people out)."""
    department_id = invitation.respondent_department_id
    campaign = invitation.wave.campaign
    if department_id is None:
        return None
    if not campaign.anonymous:
        return department_id
    group = (
        Invitation.objects.filter(
            wave_id=invitation.wave_id,
            respondent_department_id=department_id,
            rated_department_id=invitation.rated_department_id,
        )
        .values("recipient")
        .count()
    )
    return department_id if group >= campaign.min_respondents else None


def _validated(
    questions: Mapping[int, CampaignQuestion], answers: Mapping[int, int | str | None]
) -> dict[int, int | str]:
    errors = {}
    values: dict[int, int | str] = {}
    for pk, question in questions.items():
        value = answers.get(pk)
        if value in (None, ""):
            if question.required:
                errors[pk] = _("This question needs an answer.")
            continue
        if question.scale:
            low, high = question.scale
            if not isinstance(value, int) or not low <= value <= high:
                errors[pk] = _("Choose a score from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
                continue
        elif question.kind == QuestionKind.CHOICE and value not in question.choices:
            errors[pk] = _("Choose one of the options.")
            continue
        values[pk] = (
            value if question.scale else without_control_characters(str(value)).strip()[:5000]
        )
    unknown = set(answers) - set(questions)
    if unknown:
        errors[min(unknown)] = _("This question is not part of the survey.")
    if errors:
        raise ValidationError({str(pk): message for pk, message in errors.items()})
    return values
