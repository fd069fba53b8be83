"""Satisfaction surveys: a question bank, campaigns that launch themselves in waves, one
invitation per recipient and rated department, and responses kept apart from identity when the
campaign is anonymous."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from departments.models import Department, sees_company_reports

# The floor of the anonymity threshold: below it a "group" is one or two identifiable people.
MIN_RESPONDENTS_FLOOR = 3


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Agreement, 1 to 5")
    RECOMMEND = "recommend", _("Recommendation, 0 to 10")
    CHOICE = "choice", _("Single choice")
    TEXT = "text", _("Free text")


# The answers each scored kind accepts.
SCALES = {QuestionKind.LIKERT: (1, 5), QuestionKind.RECOMMEND: (0, 10)}


class QuestionWording(models.Model):
    """What a question asks and how it is answered; shared by bank questions and the frozen
    copies a campaign keeps."""

    text = models.CharField(_("question"), max_length=300)
    text_zh_hans = models.CharField(
        _("question in Simplified Chinese"),
        max_length=300,
        blank=True,
        help_text=_("Shown to people who read Accord in Chinese; empty: the English text."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("The options of a single choice.")
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.text

    @property
    def localized_text(self) -> str:
        language = get_language() or ""
        return self.text_zh_hans if language.startswith("zh") and self.text_zh_hans else self.text

    @property
    def scale(self) -> tuple[int, int] | None:
        return SCALES.get(self.kind)

    def clean(self) -> None:
        if self.kind == QuestionKind.CHOICE:
            options = [str(option).strip() for option in self.choices or [] if str(option).strip()]
            if len(options) < 2:
                raise ValidationError({"choices": _("A single choice needs at least two options.")})
            self.choices = options
        else:
            self.choices = []


class Question(QuestionWording):
    """A question of the bank, to reuse across campaigns."""

    dimension = models.SlugField(
        _("dimension"),
        max_length=40,
        blank=True,
        help_text=_("What the question measures, e.g. responsiveness; used to compare waves."),
    )
    in_default_template = models.BooleanField(
        _("in the default template"),
        default=False,
        help_text=_("Chosen for a new campaign until HR picks otherwise."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    archived = models.BooleanField(
        _("archived"), default=False, help_text=_("No longer offered for new campaigns.")
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("bank question")
        verbose_name_plural = _("question bank")


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def manageable_by(self, user) -> CampaignQuerySet:
        """HR (the company-reports permission) and administrators manage every campaign."""
        if sees_company_reports(user):
            return self
        return self.none()

    def due(self, now) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.ACTIVE, next_launch_at__lte=now)


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class Cadence(models.TextChoices):
        ONCE = "once", _("Once")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    class Audience(models.TextChoices):
        REQUESTERS = "requesters", _("Each person who filed a request rates that department")
        CHOSEN = "chosen", _("Chosen departments rate chosen suppliers")
        EVERYONE = "everyone", _("Everyone rates every department they work with")

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    cadence = models.CharField(
        _("cadence"), max_length=10, choices=Cadence, default=Cadence.QUARTERLY
    )
    starts_on = models.DateField(_("first launch on"))
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience, default=Audience.REQUESTERS
    )
    respondent_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("departments that answer"),
        help_text=_("Only for chosen departments rating chosen suppliers."),
    )
    rated_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("departments rated"),
        help_text=_("Only for chosen departments rating chosen suppliers."),
    )
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Answers are stored without any link to the person who gave them."),
    )
    min_respondents = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=5,
        validators=[MinValueValidator(MIN_RESPONDENTS_FLOOR)],
        help_text=_("Figures describing fewer respondents than this are hidden (at least 3)."),
    )
    min_comment_group = models.PositiveSmallIntegerField(
        _("smallest group whose comments are shown"),
        default=10,
        validators=[MinValueValidator(MIN_RESPONDENTS_FLOOR)],
    )
    reminder_days = models.JSONField(
        _("reminders (days after launch)"),
        default=list,
        blank=True,
        help_text=_("Those who have not answered are reminded on these days."),
    )
    next_launch_at = models.DateTimeField(_("next launch"), null=True, blank=True, db_index=True)
    launched_at = models.DateTimeField(_("first launched"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_respondents__gte=MIN_RESPONDENTS_FLOOR)
                & Q(min_comment_group__gte=MIN_RESPONDENTS_FLOOR),
                name="campaign_anonymity_threshold_at_least_3",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("surveys:campaign", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        """Settings, questions and thresholds are fixed once the campaign launches."""
        return self.status == self.Status.DRAFT

    def clean(self) -> None:
        days = self.reminder_days or []
        if any(not isinstance(day, int) or day < 1 for day in days):
            raise ValidationError({"reminder_days": _("Reminders are whole days after launch.")})
        if any(day >= self.answer_days for day in days):
            raise ValidationError(
                {"reminder_days": _("Every reminder must come before the answer window closes.")}
            )
        self.reminder_days = sorted(set(days))


class CampaignQuestion(QuestionWording):
    """A campaign's own copy of a question, so that editing the bank never changes a survey
    that people have answered."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questions")
    source = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dimension = models.SlugField(_("dimension"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["campaign", "position"]
        verbose_name = _("campaign question")
        verbose_name_plural = _("campaign questions")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "position"], name="campaign_question_one_per_position"
            ),
        ]


class Wave(models.Model):
    """One launch of a campaign: its audience is drawn from the period before the launch."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveSmallIntegerField(_("wave"))
    period_start = models.DateTimeField(_("period from"))
    period_end = models.DateTimeField(_("period until"))
    launched_at = models.DateTimeField(_("launched"))
    closes_at = models.DateTimeField(_("closes"), db_index=True)
    # How many e-mails each unanswered invitation should have had: 1 at launch, +1 per reminder.
    email_round = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["campaign", "-number"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="wave_one_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:results", args=[self.pk])

    def is_open(self, now) -> bool:
        return now < self.closes_at

    def results_released(self, now) -> bool:
        """Whether results may be shown: an anonymous campaign's appear once the wave closes,
        since two looks at them while answers come in differ by exactly the answers between."""
        return not self.campaign.anonymous or not self.is_open(now)

    def reminder_due_at(self, round_number: int):
        """When reminder number `round_number` (1-based) is due, or None if there is none."""
        days = self.campaign.reminder_days
        if round_number > len(days):
            return None
        return self.launched_at + timedelta(days=days[round_number - 1])


class Invitation(models.Model):
    """One per recipient and rated department in a wave. In an anonymous campaign it only ever
    learns that it was answered: no time, no link to the response."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    rated_department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("rated department")
    )
    respondent_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("respondent's department"),
    )
    answered = models.BooleanField(_("answered"), default=False)

    class Meta:
        ordering = ["wave", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "recipient", "rated_department"],
                name="invitation_one_per_recipient_and_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave}: {self.recipient} → {self.rated_department}"


class Response(models.Model):
    """A completed survey. Anonymous: only the wave, the rated department and, when its group is
    large enough, the respondent's department. No time finer than the wave is kept, and the id is
    random, so that neither orders responses by when they were given."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    rated_department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("rated department")
    )
    respondent_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("respondent's department"),
    )
    # Only in a campaign that is not anonymous.
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("respondent"),
    )

    class Meta:
        ordering = ["wave", "pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["wave", "rated_department"])]

    def __str__(self) -> str:
        return f"{self.wave} → {self.rated_department}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CampaignQuestion, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_one_per_question"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=10),
                name="answer_score_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value if self.value is not None else self.text}"
