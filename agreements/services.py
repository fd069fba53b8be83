"""The life cycle of an agreement: draft → proposed → active → superseded or expired.

Each function is one transaction, locks the agreement it changes, checks who may act, writes the
agreement's timeline and raises `AgreementError` (or `StaleAgreement`) with a message for people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import letters
from agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementTarget,
    ApprovalWindow,
    Coverage,
    Service,
    SignOff,
)
from common.errors import DomainError
from departments.models import Department

Targets = Mapping[str, tuple[timedelta, timedelta]]


class AgreementError(DomainError):
    """An action that the life cycle of an agreement does not allow now; the message says why."""


class StaleAgreement(AgreementError):
    """The agreement changed since the person acting on it loaded it."""

    status_code = HTTPStatus.CONFLICT


def can_manage(user, agreement: Agreement) -> bool:
    """The provider's head (or an administrator) drafts, proposes and versions agreements."""
    return user.is_superuser or agreement.provider.is_headed_by(user)


def departments_to_sign(user, agreement: Agreement) -> list[Department | None]:
    """The customer departments `user` may still accept or reject this proposal for; `None`
    stands for the company, in a company-wide agreement (administrators sign those)."""
    if agreement.status != Agreement.Status.PROPOSED:
        return []
    signed = set(
        agreement.sign_offs.filter(revision=agreement.revision).values_list("department", flat=True)
    )
    if agreement.all_customers:
        return [None] if user.is_superuser and None not in signed else []
    customers = agreement.customers.exclude(pk__in=[pk for pk in signed if pk])
    if not user.is_superuser:
        customers = customers.filter(memberships__user=user, memberships__role="head")
    return list(customers)


@transaction.atomic
def agreement_save_draft(
    *,
    agreement: Agreement,
    by,
    revision: int | None,
    services: Iterable[Service],
    customers: Iterable[Department],
    targets: Targets,
    approval_windows: Mapping[int, timedelta] | None = None,
) -> Agreement:
    """Create a draft, or save changes to one; `agreement` carries the edited fields."""
    creating = agreement.pk is None
    if creating:
        agreement.created_by = by
        agreement.status = Agreement.Status.DRAFT
    else:
        current = _locked(agreement.pk, revision)
        if current.status != Agreement.Status.DRAFT:
            raise AgreementError(_("Only a draft can be edited; start a new version instead."))
        agreement.revision = current.revision + 1
    if not can_manage(by, agreement):
        raise PermissionDenied(_("Only the head of the provider department edits its agreements."))
    services, customers = list(services), list(customers)
    _check_contents(agreement, services, customers, targets)
    if any(window <= timedelta(0) for window in (approval_windows or {}).values()):
        raise AgreementError(_("An approval window must be longer than zero."))
    agreement.full_clean(exclude=["created_by"] if creating else None)
    agreement.save()
    agreement.services.set(services)
    agreement.customers.set([] if agreement.all_customers else customers)
    agreement.targets.all().delete()
    AgreementTarget.objects.bulk_create(
        AgreementTarget(
            agreement=agreement, priority=priority, first_response=first, resolution=last
        )
        for priority, (first, last) in sorted(targets.items())
    )
    agreement.approval_windows.all().delete()
    ApprovalWindow.objects.bulk_create(
        ApprovalWindow(agreement=agreement, position=position, window=window)
        for position, window in sorted((approval_windows or {}).items())
    )
    _log(agreement, AgreementEvent.Action.CREATED if creating else AgreementEvent.Action.EDITED, by)
    return agreement


@transaction.atomic
def agreement_propose(*, agreement_id: int, by, revision: int) -> Agreement:
    """Send a draft to the customer heads for acceptance."""
    agreement = _locked(agreement_id, revision)
    if not can_manage(by, agreement):
        raise PermissionDenied(_("Only the head of the provider department proposes agreements."))
    if agreement.status != Agreement.Status.DRAFT:
        raise AgreementError(_("Only a draft can be proposed."))
    _check_contents(
        agreement,
        list(agreement.services.all()),
        list(agreement.customers.all()),
        {target.priority: None for target in agreement.targets.all()},
    )
    _check_no_other_agreement_in_force(agreement)
    now = timezone.now()
    _save(agreement, status=Agreement.Status.PROPOSED, proposed_at=now)
    _log(agreement, AgreementEvent.Action.PROPOSED, by, at=now)
    return agreement


@transaction.atomic
def agreement_withdraw(*, agreement_id: int, by, revision: int) -> Agreement:
    """Take a proposal back to draft, e.g. to change it before anyone signs."""
    agreement = _locked(agreement_id, revision)
    if not can_manage(by, agreement):
        raise PermissionDenied(_("Only the head of the provider department withdraws proposals."))
    if agreement.status != Agreement.Status.PROPOSED:
        raise AgreementError(_("Only a proposal can be withdrawn."))
    _save(agreement, status=Agreement.Status.DRAFT, proposed_at=None)
    _log(agreement, AgreementEvent.Action.WITHDRAWN, by)
    return agreement


@transaction.atomic
def agreement_accept(
    *, agreement_id: int, by, department: Department | None, revision: int, comment: str = ""
) -> Agreement:
    """Accept a proposal for one customer department; the last acceptance puts it in force."""
    agreement = _locked(agreement_id, revision)
    _check_may_sign(agreement, by, department)
    now = timezone.now()
    SignOff.objects.create(
        agreement=agreement,
        revision=agreement.revision,
        department=department,
        decided_by=by,
        decision=SignOff.Decision.ACCEPTED,
        comment=comment,
        decided_at=now,
    )
    _log(
        agreement,
        AgreementEvent.Action.ACCEPTED,
        by,
        at=now,
        department=department,
        comment=comment,
    )
    if not departments_to_sign(_Everyone(), agreement):
        _activate(agreement, by, now)
    return agreement


@transaction.atomic
def agreement_reject(
    *, agreement_id: int, by, department: Department | None, revision: int, comment: str
) -> Agreement:
    """Reject a proposal with a reason; it returns to draft for the provider to rework."""
    if not comment.strip():
        raise AgreementError(_("Say why you reject the proposal, so the provider can rework it."))
    agreement = _locked(agreement_id, revision)
    _check_may_sign(agreement, by, department)
    now = timezone.now()
    SignOff.objects.create(
        agreement=agreement,
        revision=agreement.revision,
        department=department,
        decided_by=by,
        decision=SignOff.Decision.REJECTED,
        comment=comment,
        decided_at=now,
    )
    _save(agreement, status=Agreement.Status.DRAFT, proposed_at=None)
    _log(
        agreement,
        AgreementEvent.Action.REJECTED,
        by,
        at=now,
        department=department,
        comment=comment,
    )
    return agreement


@transaction.atomic
def agreement_start_new_version(*, agreement_id: int, by) -> Agreement:
    """Copy an agreement in force into a new draft version; the old one stays in force until
    the new one is accepted."""
    current = Agreement.objects.select_for_update().get(pk=agreement_id)
    if not can_manage(by, current):
        raise PermissionDenied(_("Only the head of the provider department edits its agreements."))
    if current.status != Agreement.Status.ACTIVE:
        raise AgreementError(_("Only the version in force can be the base of a new version."))
    if Agreement.objects.filter(
        series=current.series, status__in=[Agreement.Status.DRAFT, Agreement.Status.PROPOSED]
    ).exists():
        raise AgreementError(_("A new version of this agreement is already being prepared."))
    latest = Agreement.objects.filter(series=current.series).order_by("-version").first()
    draft = Agreement.objects.get(pk=current.pk)
    draft.pk = None
    draft._state.adding = True
    draft.version = latest.version + 1
    draft.revision = 0
    draft.status = Agreement.Status.DRAFT
    draft.created_by = by
    draft.proposed_at = draft.activated_at = draft.ended_at = None
    draft.save()
    draft.services.set(current.services.all())
    draft.customers.set(current.customers.all())
    AgreementTarget.objects.bulk_create(
        AgreementTarget(
            agreement=draft,
            priority=t.priority,
            first_response=t.first_response,
            resolution=t.resolution,
        )
        for t in current.targets.all()
    )
    ApprovalWindow.objects.bulk_create(
        ApprovalWindow(agreement=draft, position=w.position, window=w.window)
        for w in current.approval_windows.all()
    )
    _log(current, AgreementEvent.Action.NEW_VERSION, by, comment=f"v{draft.version}")
    _log(
        draft,
        AgreementEvent.Action.CREATED,
        by,
        comment=_("from version %(version)s") % {"version": current.version},
    )
    return draft


def agreements_expire(*, now: datetime) -> int:
    """End every agreement whose validity is over; safe to run any number of times."""
    today = timezone.localdate(now)
    expired = 0
    for agreement_id in Agreement.objects.filter(
        status=Agreement.Status.ACTIVE, valid_until__lt=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
            if agreement.status != Agreement.Status.ACTIVE:
                continue  # another run got there first
            agreement.coverage.all().delete()
            _save(agreement, status=Agreement.Status.EXPIRED, ended_at=now)
            _log(agreement, AgreementEvent.Action.EXPIRED, None, at=now)
            expired += 1
    return expired


class _Everyone:
    """Stands for "any signer" when asking which departments are still to sign."""

    is_superuser = True


def _locked(agreement_id: int, revision: int | None) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    if revision is not None and agreement.revision != revision:
        raise StaleAgreement(
            _("This agreement changed since you opened it. Reload the page to see the changes.")
        )
    return agreement


def _check_may_sign(agreement: Agreement, by, department: Department | None) -> None:
    if agreement.status != Agreement.Status.PROPOSED:
        raise StaleAgreement(
            _("This agreement is no longer awaiting sign-off (it is %(status)s).")
            % {"status": agreement.get_status_display().lower()}
        )
    allowed = departments_to_sign(by, agreement)
    if department in allowed:
        return
    if department in departments_to_sign(_Everyone(), agreement):
        raise PermissionDenied(_("Only the head of the customer department signs for it."))
    raise StaleAgreement(_("This proposal was already signed for that department."))


def _check_contents(
    agreement: Agreement, services: list[Service], customers: list[Department], targets: Mapping
) -> None:
    if not services:
        raise AgreementError(_("Choose at least one service."))
    if foreign := [s for s in services if s.provider_id != agreement.provider_id]:
        raise AgreementError(
            _("%(service)s is not supplied by %(provider)s.")
            % {"service": foreign[0].name, "provider": agreement.provider}
        )
    if not customers and not agreement.all_customers:
        raise AgreementError(_("Choose the customer departments, or make it company-wide."))
    if any(c.pk == agreement.provider_id for c in customers):
        raise AgreementError(_("A department cannot be its own customer."))
    if not targets:
        raise AgreementError(_("Set the targets of at least one priority."))
    for first_response, resolution in filter(None, targets.values()):
        if first_response <= timedelta(0) or resolution < first_response:
            raise AgreementError(
                _("Targets must be positive, and resolution cannot come before first response.")
            )


def _check_no_other_agreement_in_force(agreement: Agreement) -> None:
    clash = (
        Coverage.objects.filter(service__in=agreement.services.all())
        .exclude(agreement__series=agreement.series)
        .select_related("agreement", "service", "customer")
    )
    if not agreement.all_customers:
        clash = clash.filter(customer__in=agreement.customers.all())
    else:
        clash = clash.filter(customer__isnull=True)
    if first := clash.first():
        raise AgreementError(
            _(
                "“%(other)s” already covers %(service)s for %(customer)s; end it or start a new "
                "version of it instead."
            )
            % {
                "other": first.agreement,
                "service": first.service.name,
                "customer": first.customer or _("every department"),
            }
        )


def _activate(agreement: Agreement, by, now: datetime) -> None:
    previous = (
        Agreement.objects.select_for_update()
        .filter(series=agreement.series, status=Agreement.Status.ACTIVE)
        .first()
    )
    if previous:
        previous.coverage.all().delete()
        _save(previous, status=Agreement.Status.SUPERSEDED, ended_at=now)
        _log(
            previous, AgreementEvent.Action.SUPERSEDED, by, at=now, comment=f"v{agreement.version}"
        )
    customers = [None] if agreement.all_customers else list(agreement.customers.all())
    try:
        with transaction.atomic():
            Coverage.objects.bulk_create(
                Coverage(agreement=agreement, service=service, customer=customer)
                for service in agreement.services.all()
                for customer in customers
            )
    except IntegrityError as error:
        raise AgreementError(
            _(
                "Another agreement came into force for one of these services and customers "
                "meanwhile; the proposal cannot be accepted as it is."
            )
        ) from error
    _save(agreement, status=Agreement.Status.ACTIVE, activated_at=now)
    _log(agreement, AgreementEvent.Action.ACTIVATED, by, at=now)


def _save(agreement: Agreement, **changes) -> None:
    for field, value in changes.items():
        setattr(agreement, field, value)
    agreement.revision += 1
    agreement.save(update_fields=[*changes, "revision"])


def _log(
    agreement: Agreement,
    action: str,
    actor,
    *,
    at: datetime | None = None,
    department: Department | None = None,
    comment: str = "",
) -> None:
    event = AgreementEvent.objects.create(
        agreement=agreement,
        action=action,
        actor=actor,
        department=department,
        comment=comment,
        at=at or timezone.now(),
    )
    letters.event_logged(event)
