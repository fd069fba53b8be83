"""Requests (tickets): their clock, approvals, pauses, timeline and attachments."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, GroupRule, Priority, Service
from departments.models import Delegation, Department, Membership

ATTACHMENT_EXTENSIONS = [
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "txt",
    "csv",
    "xlsx",
    "docx",
    "pptx",
    "zip",
]
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class Status(models.TextChoices):
    NEW = "new", _("New")
    APPROVAL_PENDING = "approval_pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on requester")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = [
    Status.NEW,
    Status.APPROVAL_PENDING,
    Status.APPROVED,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.WAITING,
    Status.REOPENED,
]


def scan_indexes(target: str, met: str) -> list[models.Index]:
    """The partial indexes the breach scan reads: unmet targets of open requests not yet flagged,
    by due time (and by warning time). The scan's WHERE repeats these conditions exactly."""
    return [
        models.Index(
            fields=[f"{target}_{column}_at"],
            condition=Q(**{f"{met}__isnull": True, f"{target}_{marker}_at__isnull": True})
            & Q(status__in=OPEN_STATUSES),
            name=f"ticket_{target[:5]}_{marker[:6]}_scan",
        )
        for column, marker in (("due", "breached"), ("warn", "warned"))
    ]


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user, on: date | None = None) -> TicketQuerySet:
        """The requester, the provider's agents and head, the customer department's head, the
        approvers and whoever decides for them on `on` (default: today), administrators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        memberships = Membership.objects.filter(user=user)
        provider_side = memberships.filter(role__in=[Membership.Role.AGENT, Membership.Role.HEAD])
        customer_heads = memberships.filter(role=Membership.Role.HEAD)
        delegators = Delegation.objects.in_force(on or timezone.localdate()).filter(delegate=user)
        # One condition per row, each a subquery of its own (no join, no DISTINCT): narrowed by
        # a provider, a requester or a search's candidates, it is checked on those rows only.
        approved_by = Approval.objects.filter(
            Q(approver=user) | Q(approver__in=delegators.values("person")) | Q(decided_by=user)
        )
        return self.filter(
            Q(requester=user)
            | Q(provider__in=provider_side.values("department"))
            # The hand-offs a department opened for its own requests (tickets.hand_offs).
            | Q(customer__in=provider_side.values("department"), parent__isnull=False)
            | Q(customer__in=customer_heads.values("department"))
            | Q(pk__in=approved_by.values("ticket_id"))
        )

    def open(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Ticket(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    answers = models.JSONField(_("form answers"), default=dict, blank=True)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority, default=Priority.P3)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("service")
    )
    provider = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="tickets_received",
        verbose_name=_("provider department"),
    )
    customer = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="tickets_filed",
        verbose_name=_("customer department"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tickets_filed",
        verbose_name=_("requester"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("agreement version"),
        help_text=_("The version in force when the request was filed; empty: no agreement."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets_assigned",
        verbose_name=_("assignee"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW)
    version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Bumped on every change; guards against stale forms."
    )
    filed_at = models.DateTimeField(_("filed"))
    # The clock. Due times are indexed columns: the breach scan reads only those.
    resolution_started_at = models.DateTimeField(
        _("resolution clock started"),
        null=True,
        blank=True,
        help_text=_("Filing, or the last approval when the service needs approvals."),
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # When the agreement's warning threshold of each target is crossed.
    first_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by the breach scan once it has recorded a target's warning or breach: the partial
    # indexes below then drop the row, so an idle scan reads nothing.
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when a dispute waived the target's breach (disputes app): the breach stays on record
    # and the target leaves the compliance figures (dashboards.compliance).
    first_response_waived_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_waived_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    # The earliest due time of the unmet targets of an open request (None when no clock runs),
    # kept by save(): the queue is read in this order through its indexes.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Who resolved the request last (cleared on reopening, like `resolved_at`): the person the
    # recognition candidates credit, whoever the request is assigned to.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets_resolved",
        verbose_name=_("resolved by"),
        db_index=False,
    )
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The requester's answer duty (rule of the clock 8): while the request waits on its requester,
    # the answer is due by `requester_answer_due_at` (the agreement's duty, on the provider's
    # calendar, from the question); flagged once per request like the provider's targets.
    requester_answer_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    requester_answer_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    requester_answer_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    requester_answer_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    requester_answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # Confirmation (rule of the clock 7): while resolved, the requester confirms by
    # `confirm_due_at` (the end of the agreement's confirmation period, in working days) or the
    # request confirms itself; `confirm_remind_at` is a working day earlier.
    confirm_due_at = models.DateTimeField(_("confirmation due"), null=True, blank=True)
    confirm_remind_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirm_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_automatically = models.BooleanField(
        _("confirmed automatically"), default=False, db_default=False
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    # A hand-off along a process: this request was opened by the parent's provider, as a
    # customer, for the parent's sake (tickets.hand_offs). Detached: no longer waited on.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent request"),
    )
    detached_at = models.DateTimeField(_("detached from its parent"), null=True, blank=True)
    # Title, description and form answers as one text, kept by save(), for search (tickets.search).
    search_text = models.TextField(editable=False, blank=True, db_default="")

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [
            # The queue: a provider's requests, filtered, the next due first
            # (bench/ticket_queue.py).
            models.Index(
                fields=["provider", "status", "next_due_at", "id"], name="ticket_queue_status"
            ),
            models.Index(
                fields=["provider", "next_due_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_queue_open",
            ),
            models.Index(
                fields=["provider", "priority", "next_due_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_queue_open_priority",
            ),
            models.Index(
                fields=["provider", "assignee", "next_due_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_queue_open_assignee",
            ),
            models.Index(fields=["provider", "next_due_at", "id"], name="ticket_queue_all"),
            models.Index(fields=["requester", "-filed_at"]),
            # The dashboards read a department's requests filed in a period, as supplier and as
            # customer, and the scorecard every request of a period (bench/dashboards.py).
            models.Index(fields=["provider", "filed_at"]),
            models.Index(fields=["customer", "filed_at"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["filed_at"]),
            # A person's requests resolved in a period (recognition's candidates).
            models.Index(
                fields=["resolved_by", "resolved_at"],
                condition=Q(resolved_by__isnull=False),
                name="ticket_resolved_by",
            ),
            # The confirmation scan reads resolved requests by their confirmation (and reminder)
            # time; a request leaves these indexes once confirmed or reopened.
            models.Index(
                fields=["confirm_due_at"],
                condition=Q(status=Status.RESOLVED, confirm_due_at__isnull=False),
                name="ticket_confirm_due_scan",
            ),
            models.Index(
                fields=["confirm_remind_at"],
                condition=Q(status=Status.RESOLVED, confirm_reminded_at__isnull=True)
                & Q(confirm_remind_at__isnull=False),
                name="ticket_confirm_remind_scan",
            ),
            *scan_indexes("first_response", "first_responded_at"),
            *scan_indexes("resolution", "resolved_at"),
            *scan_indexes("requester_answer", "requester_answered_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs) -> None:
        """Save, with `next_due_at` and `search_text` following the fields they derive from."""
        self.next_due_at = self.earliest_unmet_due()
        self.search_text = search_document(self.title, self.description, self.answers)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "next_due_at", "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    def earliest_unmet_due(self):
        """The earliest due time of the targets not yet met, on an open request; None when no
        clock runs (over, paused, or without an agreement)."""
        if self.status not in OPEN_STATUSES:
            return None
        due = [
            due_at
            for due_at, met_at in (
                (self.first_response_due_at, self.first_responded_at),
                (self.resolution_due_at, self.resolved_at),
            )
            if due_at is not None and met_at is None
        ]
        return min(due, default=None)

    @property
    def reference(self) -> str:
        return f"{self.provider.code}-{self.pk}"

    @property
    def first_response_met(self) -> bool | None:
        """True or False once decided; None while running or without an agreement. A target
        met at the exact due time is met."""
        return _met(self.first_responded_at, self.first_response_due_at)

    @property
    def resolution_met(self) -> bool | None:
        return _met(self.resolved_at, self.resolution_due_at)


def search_document(title: str, description: str, answers: object) -> str:
    """What search reads of a request: its title, description and the text of its answers."""
    parts = [title, description]
    values = answers.values() if isinstance(answers, dict) else []
    for value in values:
        parts.extend(str(item) for item in (value if isinstance(value, list) else [value]))
    return "\n".join(part for part in parts if part)


def _met(met_at, due_at) -> bool | None:
    if met_at is None or due_at is None:
        return None
    return met_at <= due_at


class Pause(models.Model):
    """A stretch of time that does not count against the targets: waiting on the requester, or
    between a resolution and a reopening (for the resolution target)."""

    class Reason(models.TextChoices):
        WAITING = "waiting", _("Waiting on the requester")
        RESOLVED = "resolved", _("Resolved until reopened")
        CHILD = "child", _("Waiting on a hand-off")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(max_length=10, choices=Reason)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["started_at"]
        constraints = [
            # Waiting on the requester and on a hand-off may overlap: one open pause of each.
            models.UniqueConstraint(
                fields=["ticket", "reason"],
                condition=Q(ended_at__isnull=True),
                name="pause_one_open_per_ticket_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="pause_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.started_at} – {self.ended_at or '…'}"


class Approval(models.Model):
    """One step of a request's approval chain, with its own window and due time."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        # Another approver of its "any of" group approved first, or one of its "all of" group
        # rejected: nobody decided this step, and nobody needs to any more.
        CLOSED = "closed", _("Closed: no longer needed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="approvals")
    position = models.PositiveSmallIntegerField(_("step"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="approvals_to_decide",
        verbose_name=_("approver"),
    )
    description = models.CharField(max_length=200, blank=True)
    # Steps of one parallel group share a stage (the position of the group's first step) and
    # become current together; the rule says whether all of them or any one must approve.
    stage = models.PositiveSmallIntegerField(_("stage"), null=True, blank=True)
    group_rule = models.CharField(
        _("group needs"),
        max_length=3,
        choices=GroupRule,
        default=GroupRule.ALL,
        db_default=GroupRule.ALL,
    )
    window = models.DurationField(_("window (working time)"), null=True, blank=True)
    current_since = models.DateTimeField(_("current since"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals_decided",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["ticket", "position"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "position"], name="approval_unique_step"),
        ]
        indexes = [
            models.Index(
                fields=[column],
                condition=Q(
                    decision="", current_since__isnull=False, **{f"{marker}__isnull": True}
                ),
                name=f"approval_{column}_scan",
            )
            for column, marker in (("due_at", "breached_at"), ("warn_at", "warned_at"))
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} #{self.position} {self.approver}"

    def save(self, *args, **kwargs) -> None:
        if self.stage is None:
            self.stage = self.position
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.current_since is not None and not self.decision


class Event(models.Model):
    """The request's timeline: filings, transitions, comments, notes, assignments."""

    class Kind(models.TextChoices):
        FILED = "filed", _("filed the request")
        TRANSITION = "transition", _("changed the status")
        COMMENT = "comment", _("commented")
        NOTE = "note", _("added an internal note")
        ASSIGNED = "assigned", _("assigned the request")
        PRIORITY = "priority", _("changed the priority")
        APPROVAL = "approval", _("decided an approval")
        SKIPPED = "skipped", _("skipped an approval step")
        CLOSED = "closed", _("closed an approval step")
        ATTACHMENT = "attachment", _("attached a file")
        RATED = "rated", _("rated the service")
        THANKED = "thanked", _("said thanks")
        AUTO_CONFIRMED = "autoconfirm", _("was confirmed automatically")
        DISPUTE = "dispute", _("disputed a breach")
        HAND_OFF = "hand_off", _("opened a hand-off")
        DETACHED = "detached", _("detached a hand-off")
        CANCELLED_WITH_PARENT = "with_parent", _("cancelled it with its parent request")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=20, choices=Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Status, blank=True)
    text = models.TextField(blank=True)
    is_internal = models.BooleanField(
        default=False, help_text="Internal notes are seen by the provider's agents only."
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


def attachment_path(attachment: Attachment, filename: str) -> str:
    return f"attachments/{attachment.ticket_id}/{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"),
        upload_to=attachment_path,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
