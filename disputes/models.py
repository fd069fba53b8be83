"""Disputes of breaches (PRODUCT.md, rule 9): the provider's head contests a missed target, the
customer's head accepts or rejects it within the agreement's dispute window, and when they
disagree (or the window passes) the nearest head above both departments decides. A waived
breach stays on record, with this whole trail, and leaves the compliance figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Delegation, Department, Membership
from tickets.models import Breach, Target, Ticket

# The targets a provider answers for: an approval step's window is its approver's.
DISPUTABLE_TARGETS = (Target.FIRST_RESPONSE, Target.RESOLUTION)


class Reason(models.TextChoices):
    CUSTOMER = "customer", _("Caused by the customer")
    PRIORITY = "priority", _("Wrong priority")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    OTHER = "other", _("Other")


class DisputeQuerySet(models.QuerySet["Dispute"]):
    def visible_to(self, user) -> DisputeQuerySet:
        """Whoever sees its request (its steps are on the request's timeline too), the heads of
        both departments, whoever was asked to decide or took part, the delegate in force of
        the person asked, and administrators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        headed = Membership.objects.filter(user=user, role=Membership.Role.HEAD).values(
            "department"
        )
        return self.filter(
            Q(provider__in=headed)
            | Q(customer__in=headed)
            | Q(ticket__in=Ticket.objects.visible_to(user))
            | Q(decider=user)
            | Q(decider__in=_delegators_of(user))
            | Q(pk__in=DisputeStep.objects.filter(Q(actor=user) | Q(asked=user)).values("dispute"))
        )

    def to_decide_by(self, user) -> DisputeQuerySet:
        """Open disputes waiting on `user`: named as their decider; or, as long as `user` is no
        party to them, those whose decider delegated to `user` today, and, for an administrator,
        those that have nobody left to decide them."""
        if not user.is_authenticated:
            return self.none()
        waiting = self.exclude(stage=Dispute.Stage.DECIDED)
        standing_in = Q(decider__in=_delegators_of(user))
        if user.is_superuser:
            standing_in |= Q(decider__isnull=True)
        return waiting.filter(Q(decider=user) | (standing_in & ~_party_to(user)))


def _delegators_of(user):
    """Those who delegated their decisions to `user` today (departments.models.acting_for)."""
    return Delegation.objects.in_force(timezone.localdate()).filter(delegate=user).values("person")


def _party_to(user) -> Q:
    """The disputes `user` is a party to (disputes.selectors.parties, as a filter): opened,
    decided in, or between departments `user` heads."""
    headed = Membership.objects.heads().filter(user=user).values("department")
    decided = (
        DisputeStep.objects.filter(actor=user)
        .exclude(action=DisputeStep.Action.OPENED)
        .values("dispute")
    )
    return Q(opened_by=user) | Q(provider__in=headed) | Q(customer__in=headed) | Q(pk__in=decided)


class Dispute(models.Model):
    class Stage(models.TextChoices):
        CUSTOMER = "customer", _("With the customer's head")
        SUPERIOR = "superior", _("With the head above both departments")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        WAIVED = "waived", _("Breach waived")
        UPHELD = "upheld", _("Breach upheld")

    breach = models.OneToOneField(
        Breach, on_delete=models.PROTECT, related_name="dispute", verbose_name=_("breach")
    )
    # The request and its two departments, copied from the breach: what permissions read.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="disputes", verbose_name=_("request")
    )
    provider = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    customer = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    text = models.TextField(_("explanation"), max_length=4000)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage, default=Stage.CUSTOMER)
    # Who is to decide now; empty while open: nobody is left who is not a party, so an
    # administrator decides.
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to be decided by"),
    )
    # The end of the customer's window (working time on the provider's calendar): undecided
    # by then, the dispute goes to the head above both departments.
    due_at = models.DateTimeField(_("customer's decision due"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every step; a decision on an older version is refused."
    )

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(stage="customer"), name="dispute_window_scan"
            ),
            models.Index(fields=["decider", "stage"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(stage="decided") & ~Q(outcome=""))
                | (~Q(stage="decided") & Q(outcome="")),
                name="dispute_outcome_when_decided",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.breach.get_target_display()}"

    def get_absolute_url(self) -> str:
        return reverse("disputes:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.DECIDED


class DisputeStep(models.Model):
    """One step of a dispute's trail: opened, decided, or sent up. Never changed afterwards."""

    class Action(models.TextChoices):
        OPENED = "opened", _("disputed the breach")
        ACCEPTED = "accepted", _("accepted the dispute: the breach is waived")
        REJECTED = "rejected", _("rejected the dispute")
        LAPSED = "lapsed", _("left the dispute undecided past its window")
        WAIVED = "waived", _("decided for the provider: the breach is waived")
        UPHELD = "upheld", _("decided for the customer: the breach stands")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=10, choices=Action)
    # Empty for a window that lapsed: nobody acted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("comment"), blank=True)
    # The person asked to decide, when their delegate in force decided for them (the actor).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    # Who was asked to decide after this step (empty: an administrator, or nobody once decided).
    asked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("then asked"),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("dispute step")
        verbose_name_plural = _("dispute steps")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def get_absolute_url(self) -> str:
        return self.dispute.get_absolute_url()
