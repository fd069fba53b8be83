"""The messages of agreements (outbox kinds): a proposal reaches the heads asked to sign it; each
acceptance or rejection reaches the provider's heads. A proposal's message is withdrawn when the
proposal is no longer open (withdrawn, rejected, in force, or proposed again since)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, AgreementEvent, SignOff
from departments.heads import acting_heads
from departments.models import Membership
from outbox.kinds import Kind, register
from outbox.models import Message
from outbox.services import queue

PROPOSED = "agreements.proposed"
ACCEPTED = "agreements.accepted"
REJECTED = "agreements.rejected"

RELATED = ("agreement__provider", "department", "actor")


def _context(message: Message) -> dict:
    return {"agreement": message.about.agreement, "agreement_event": message.about}


def _proposal_withdrawn(message: Message) -> str:
    event, agreement = message.about, message.about.agreement
    if agreement.status != Agreement.Status.PROPOSED or agreement.proposed_at != event.at:
        return Message.CancelReason.AGREEMENT_CHANGED
    return ""


def _customers(about: AgreementEvent) -> list[int]:
    return list(about.agreement.customers.values_list("pk", flat=True))


def _provider(about: AgreementEvent) -> list[int]:
    return [about.agreement.provider_id]


def _agreement_page(message: Message) -> str:
    return message.about.agreement.get_absolute_url()


register(
    Kind(
        PROPOSED,
        "agreements/proposed",
        _context,
        _proposal_withdrawn,
        RELATED,
        _customers,
        label=_("An agreement is proposed to you"),
        link=_agreement_page,
    )
)
for name, label in [
    (ACCEPTED, _("Your agreement is accepted")),
    (REJECTED, _("Your agreement is rejected")),
]:
    register(
        Kind(
            name,
            name.replace(".", "/"),
            _context,
            related=RELATED,
            departments=_provider,
            label=label,
            link=_agreement_page,
        )
    )


def event_logged(event: AgreementEvent) -> None:
    """Tell those whom an agreement's event concerns, in the caller's transaction."""
    agreement = event.agreement
    if event.action == AgreementEvent.Action.PROPOSED:
        queue(PROPOSED, event, _signers(agreement))
    elif event.action == AgreementEvent.Action.ACCEPTED:
        queue(ACCEPTED, event, _heads([agreement.provider_id]))
    elif event.action == AgreementEvent.Action.REJECTED:
        queue(REJECTED, event, _heads([agreement.provider_id]))


def _signers(agreement: Agreement) -> list:
    """The heads of the customer departments; administrators for a company-wide agreement, and
    for a customer without a head (its head left): they may sign for any department."""
    customers = agreement.customers.values_list("pk", flat=True)
    return _may_sign(set(customers), company_wide=agreement.all_customers)


def _may_sign(department_ids: set[int], *, company_wide: bool = False) -> list:
    """Who may sign for `department_ids`: each one's head, and the administrators when the
    agreement is company-wide or one of them has no head (the head above may not sign)."""
    memberships = Membership.objects.heads().filter(
        department__in=department_ids, user__is_active=True
    )
    heads = {
        membership.department_id: membership.user
        for membership in memberships.select_related("user")
    }
    if company_wide or department_ids - heads.keys():
        return [
            *heads.values(),
            *get_user_model().objects.filter(is_superuser=True, is_active=True),
        ]
    return list(heads.values())


def _heads(department_ids) -> list:
    """The departments' heads; for one without a head, the head one level up (and so on)."""
    return list({head.pk: head for head in acting_heads(department_ids).values()}.values())


# Reminders while a proposal waits for a signature (agreements.reminders) --------------------

SIGNATURE_REMINDER = "agreements.signature_reminder"


def pending_signers(agreement: Agreement) -> list:
    """Who may still sign the open proposal of `agreement`: the heads of the customer
    departments not signed for yet; the administrators for a company-wide agreement or a
    department without a head."""
    signed = set(
        SignOff.objects.filter(agreement=agreement, revision=agreement.revision).values_list(
            "department", flat=True
        )
    )
    if agreement.all_customers:
        return [] if None in signed else _signers(agreement)
    waiting = agreement.customers.exclude(pk__in=[pk for pk in signed if pk is not None])
    return _may_sign(set(waiting.values_list("pk", flat=True)))


def _reminder_withdrawn(message: Message) -> str:
    """Withdrawn once the proposal is no longer open, or its recipient has signed it (or heads
    no department that still has to)."""
    reason = _proposal_withdrawn(message)
    if reason:
        return reason
    signers = pending_signers(message.about.agreement)
    return "" if message.recipient in signers else Message.CancelReason.AGREEMENT_CHANGED


def _reminder_context(message: Message) -> dict:
    return {**_context(message), "waiting_since": message.about.at}


register(
    Kind(
        SIGNATURE_REMINDER,
        "agreements/signature_reminder",
        _reminder_context,
        _reminder_withdrawn,
        RELATED,
        label=_("An agreement still waits for your signature"),
        link=_agreement_page,
    )
)
