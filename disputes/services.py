"""Operations on disputes of breaches: open, decide, and send up those whose window lapsed.
Each is one transaction that locks the dispute (or the breach), writes a step of the trail and
an event on the request's timeline, and queues the messages (disputes.notifications).

Who decides (PRODUCT.md, rule 9):
- first the customer department's acting head, within the agreement's dispute window (working
  time on the provider's calendar);
- when they reject it, or let the window pass, the acting head of the nearest department above
  both (departments.heads.nearest_common_superior). Silence is neither consent nor refusal: the
  breach keeps counting while the dispute waits, and an undecided window sends it up, so that
  the provider is not left waiting and the customer's silence waives nothing by itself;
- nobody decides a dispute they are a party to (who opened it, the heads of either
  department) or decide it twice: such a person is skipped for the head one level further up,
  and when nobody is left, an administrator decides;
- the person asked may leave the decision to their delegate in force (departments Delegation,
  as for approvals), who decides on their behalf (the step records both) unless a party."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError
from departments.heads import acting_head, deciding_head, nearest_common_superior
from departments.models import Delegation, acting_for
from disputes import notifications
from disputes.models import DISPUTABLE_TARGETS, Dispute, DisputeStep, Reason
from disputes.selectors import parties
from disputes.signals import breach_waived
from tickets.models import Breach, Event, Ticket

Action = DisputeStep.Action
Stage = Dispute.Stage


class DisputeError(DomainError):
    """A dispute operation refused now; the message says why."""


class StaleDispute(DisputeError):
    """The dispute (or the breach) changed since the person acting on it loaded it."""

    status_code = HTTPStatus.CONFLICT


def may_open(user, breach: Breach) -> bool:
    """The provider department's head, or its acting head while it has none."""
    if not user.is_authenticated or breach.target not in DISPUTABLE_TARGETS:
        return False
    provider = breach.ticket.provider
    return provider.is_headed_by(user) or acting_head(provider) == user


def may_decide(user, dispute: Dispute) -> bool:
    """The person the dispute waits on; their delegate in force today, or an administrator when
    nobody is named, as long as they are no party to it."""
    if not dispute.is_open or not user.is_authenticated:
        return False
    if dispute.decider_id == user.pk:
        return True
    if dispute.decider_id is None:
        standing_in = user.is_superuser
    else:
        standing_in = dispute.decider_id in acting_for(user, timezone.localdate())
    return standing_in and user.pk not in parties(dispute)


def went_up_past(user, dispute: Dispute) -> str:
    """Why `user` may decide no more ("" when that is not why): they were asked first (or
    stood in for the person asked) and the window ended undecided, so it went up."""
    if dispute.stage != Stage.SUPERIOR or not user.is_authenticated or may_decide(user, dispute):
        return ""
    first_and_lapse = dispute.steps.filter(action__in=[Action.OPENED, Action.LAPSED])
    steps = {step.action: step for step in first_and_lapse}
    if Action.LAPSED not in steps or Action.OPENED not in steps:
        return ""
    asked_first = steps[Action.OPENED].asked_id
    if asked_first is None or asked_first not in acting_for(user, timezone.localdate()):
        return ""
    if dispute.decider is None:
        return _(
            "The window to decide this dispute ended, so it went up to an administrator: it is "
            "no longer yours to decide."
        )
    decider = dispute.decider.get_full_name() or dispute.decider.get_username()
    return _(
        "The window to decide this dispute ended, so it went up to %(decider)s, the nearest head "
        "above both departments: it is no longer yours to decide."
    ) % {"decider": decider}


@transaction.atomic
def dispute_open(*, breach_id: int, by, reason: str, text: str) -> Dispute:
    """Contest a breach of the provider's own targets; the customer's head is asked to decide
    within the agreement's dispute window."""
    breach = (
        Breach.objects.select_for_update(of=("self",))
        .select_related("ticket__provider", "ticket__customer", "agreement__calendar")
        .get(pk=breach_id)
    )
    ticket = breach.ticket
    if breach.target not in DISPUTABLE_TARGETS:
        raise DisputeError(
            _("Only a missed first response or resolution can be disputed by the provider.")
        )
    if not may_open(by, breach):
        raise PermissionDenied(_("Only the head of the provider department disputes a breach."))
    if Dispute.objects.filter(breach=breach).exists():
        raise StaleDispute(_("This breach is already disputed."))
    errors = {}
    if reason not in Reason.values:
        errors["reason"] = _("Choose a reason.")
    if not text.strip():
        errors["text"] = _("Explain why the breach should be waived.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    agreement = breach.agreement or ticket.agreement
    dispute = Dispute(
        breach=breach,
        ticket=ticket,
        provider=ticket.provider,
        customer=ticket.customer,
        reason=reason,
        text=text.strip(),
        opened_by=by,
        opened_at=now,
        stage=Stage.CUSTOMER,
        due_at=agreement.calendar.as_clock().add(now, agreement.dispute_window),
    )
    dispute.decider = deciding_head(ticket.customer, excluding=[by.pk])
    dispute.save()
    step = _step(dispute, Action.OPENED, by, now, f"{dispute.get_reason_display()}: {dispute.text}")
    notifications.to_decide(dispute, step)
    return dispute


@transaction.atomic
def dispute_decide(
    *, dispute_id: int, by, waive: bool, comment: str, expected_version: int | None = None
) -> Dispute:
    """Accept (waive the breach) or reject the dispute, as the person it waits on. The
    customer's rejection sends it to the head above both departments; theirs is final."""
    dispute = _locked(dispute_id)
    # Said before a stale version is: reloading would not make it theirs again.
    if reason := went_up_past(by, dispute):
        raise StaleDispute(reason)
    _check_version(dispute, expected_version)
    if not may_decide(by, dispute):
        raise PermissionDenied(_("This dispute is not yours to decide."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say why you decide so.")})
    now = timezone.now()
    # A delegate decides for the person asked: the step records both.
    for_whom = dispute.decider if dispute.decider_id not in (None, by.pk) else None
    if dispute.stage == Stage.CUSTOMER:
        if waive:
            _waive(dispute, by, now, Action.ACCEPTED, comment, for_whom)
        else:
            _send_up(dispute, by, now, Action.REJECTED, comment, for_whom)
    elif waive:
        _waive(dispute, by, now, Action.WAIVED, comment, for_whom)
    else:
        dispute.stage, dispute.outcome = Stage.DECIDED, Dispute.Outcome.UPHELD
        dispute.decided_at, dispute.decider = now, None
        _save(dispute)
        step = _step(dispute, Action.UPHELD, by, now, comment.strip(), for_whom)
        notifications.decided(dispute, step)
    return dispute


def disputes_send_up_lapsed(*, now: datetime) -> int:
    """Send up every dispute whose customer's window ended undecided; returns how many. Each in
    its own transaction, claimed by its row lock: run twice or by two workers, each dispute is
    sent up once."""
    lapsed = Dispute.objects.filter(stage=Stage.CUSTOMER, due_at__lte=now)
    sent = 0
    for dispute_id in lapsed.values_list("pk", flat=True):
        with transaction.atomic():
            dispute = (
                Dispute.objects.select_for_update(skip_locked=True)
                .filter(pk=dispute_id, stage=Stage.CUSTOMER, due_at__lte=now)
                .first()
            )
            if dispute is not None:
                asked = dispute.decider
                step = _send_up(dispute, None, now, Action.LAPSED, "")
                notifications.lapsed(dispute, step, _asked_and_delegates(asked, now))
                sent += 1
    return sent


def _asked_and_delegates(asked, now: datetime) -> list:
    """Who had a dispute on their list to decide: the person asked and their delegates then."""
    if asked is None:
        return []
    delegations = Delegation.objects.in_force(timezone.localdate(now)).filter(person=asked)
    return [asked, *(delegation.delegate for delegation in delegations.select_related("delegate"))]


def _send_up(
    dispute: Dispute, by, now: datetime, action: str, comment: str, for_whom=None
) -> DisputeStep:
    common = nearest_common_superior(dispute.provider, dispute.customer)
    asked_before = dispute.decider_id
    dispute.stage, dispute.due_at = Stage.SUPERIOR, None
    excluded = parties(dispute) | {asked_before, by.pk if by else None} - {None}
    dispute.decider = deciding_head(common, excluding=excluded) if common else None
    _save(dispute)
    step = _step(dispute, action, by, now, comment.strip(), for_whom)
    notifications.to_decide(dispute, step)
    return step


def _waive(dispute: Dispute, by, now: datetime, action: str, comment: str, for_whom) -> None:
    dispute.stage, dispute.outcome = Stage.DECIDED, Dispute.Outcome.WAIVED
    dispute.decided_at, dispute.decider = now, None
    _save(dispute)
    target = dispute.breach.target
    Ticket.objects.filter(pk=dispute.ticket_id).update(**{f"{target}_waived_at": now})
    step = _step(dispute, action, by, now, comment.strip(), for_whom)
    notifications.decided(dispute, step)
    breach_waived.send(sender=Dispute, ticket=dispute.ticket)


def _locked(dispute_id: int) -> Dispute:
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("breach", "ticket", "provider", "customer")
        .get(pk=dispute_id)
    )
    if not dispute.is_open:
        raise StaleDispute(_("This dispute was already decided."))
    return dispute


def _check_version(dispute: Dispute, expected_version: int | None) -> None:
    if expected_version is not None and dispute.version != expected_version:
        raise StaleDispute(
            _("This dispute moved on since you opened it. Reload the page and decide again.")
        )


def _save(dispute: Dispute) -> None:
    dispute.version += 1
    dispute.save()


def _step(
    dispute: Dispute, action: str, by, now: datetime, text: str, for_whom=None
) -> DisputeStep:
    """The step of the trail, and the same on the request's timeline (its audit trail)."""
    step = DisputeStep.objects.create(
        dispute=dispute,
        action=action,
        actor=by,
        on_behalf_of=for_whom,
        at=now,
        text=text,
        asked=dispute.decider,
    )
    target = dispute.breach.get_target_display()
    acted = step.get_action_display()
    if for_whom is not None:
        person = for_whom.get_full_name() or for_whom.get_username()
        acted += " (" + _("for %(person)s, as their delegate") % {"person": person} + ")"
    Event.objects.create(
        ticket=dispute.ticket,
        kind=Event.Kind.DISPUTE,
        actor=by,
        at=now,
        text=f"{target}: {acted}" + (f" ({text})" if text else ""),
    )
    return step
