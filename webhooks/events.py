"""The events a webhook may receive, and the JSON payload of each (schema version 1, documented
in the README and the OpenAPI document).

The payload is read from the row the outbox message is about, by shape rather than by class:
this app sits below tickets and agreements and imports neither."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCHEMA_VERSION = 1
TEST = "webhooks.test"


class Event(models.TextChoices):
    FILED = "tickets.filed", _("Request filed")
    APPROVAL_NEEDED = "tickets.approval_needed", _("Approval needed")
    INPUT_NEEDED = "tickets.input_needed", _("Waiting on the requester")
    RESOLVED = "tickets.resolved", _("Request resolved")
    REOPENED = "tickets.reopened", _("Request reopened")
    REJECTED = "tickets.rejected", _("Request rejected")
    WARNING = "tickets.warning", _("Target about to be missed")
    BREACH = "tickets.breach", _("Target missed (breach)")
    ESCALATION = "tickets.escalation", _("Breach escalated")
    AGREEMENT_PROPOSED = "agreements.proposed", _("Agreement proposed")
    AGREEMENT_ACCEPTED = "agreements.accepted", _("Agreement accepted")
    AGREEMENT_REJECTED = "agreements.rejected", _("Agreement rejected")
    AWARDED = "recognition.awarded", _("Award published")


def envelope(kind: str, data: dict, *, now: datetime | None = None) -> dict:
    """The outer shape every payload shares."""
    return {
        "type": kind,
        "version": SCHEMA_VERSION,
        "timestamp": _iso(now or timezone.now()),
        "data": data,
    }


def payload(kind: str, about, *, now: datetime | None = None) -> dict:
    """The payload of an event of `kind` about `about` (an outbox message's `about`)."""
    now = now or timezone.now()
    data: dict = {}
    if hasattr(about, "cycle") and hasattr(about, "reason"):  # an award
        data["award"] = _award(about)
        return envelope(kind, data, now=now)
    if hasattr(about, "breach"):  # an escalation
        data["escalation"] = {"level": about.level, "department": _department(about.department)}
        about = about.breach
    if hasattr(about, "agreement") and not hasattr(about, "ticket"):
        data["agreement"] = _agreement(about.agreement)
        data["department"] = _department(about.department) if about.department_id else None
        data["comment"] = about.comment
        return envelope(kind, data, now=now)
    ticket = about.ticket
    data["request"] = _request(ticket)
    if hasattr(about, "detected_at"):  # a warning or a breach
        data["target"] = {
            "name": about.target,
            "step": about.step,
            "due_at": _iso(about.due_at),
            "overdue": about.due_at < now,
            "overdue_seconds": max(0, int((now - about.due_at).total_seconds())),
        }
    if hasattr(about, "position"):  # an approval step
        data["approval"] = {"step": about.position, "due_at": _iso(about.due_at)}
    if hasattr(about, "actor_id") and hasattr(about, "text"):  # an event of the timeline
        data["actor"] = _person(about.actor) if about.actor_id else None
    return envelope(kind, data, now=now)


def test_payload(webhook, *, now: datetime | None = None) -> dict:
    return envelope(
        TEST,
        {"webhook": {"id": webhook.pk}, "message": "A test event from Accord."},
        now=now,
    )


def _request(ticket) -> dict:
    return {
        "id": ticket.pk,
        "number": ticket.reference,
        "title": ticket.title,
        "status": ticket.status,
        "priority": ticket.priority,
        "service": {"id": ticket.service_id, "name": ticket.service.name},
        "provider": _department(ticket.provider),
        "customer": _department(ticket.customer),
        "filed_at": _iso(ticket.filed_at),
        "first_response_due_at": _iso(ticket.first_response_due_at),
        "resolution_due_at": _iso(ticket.resolution_due_at),
        "link": settings.SITE_URL + ticket.get_absolute_url(),
    }


def _agreement(agreement) -> dict:
    return {
        "id": agreement.pk,
        "title": agreement.title,
        "version": agreement.version,
        "status": agreement.status,
        "provider": _department(agreement.provider),
        "link": settings.SITE_URL + agreement.get_absolute_url(),
    }


def _award(award) -> dict:
    return {
        "id": award.pk,
        "title": award.title,
        "reason": award.reason,
        "cycle": {
            "id": award.cycle_id,
            "name": award.cycle.name,
            "starts_on": award.cycle.starts_on.isoformat(),
            "ends_on": award.cycle.ends_on.isoformat(),
        },
        "department": _department(award.department) if award.department_id else None,
        "person": _person(award.person) if award.person_id else None,
        "link": settings.SITE_URL + reverse("recognition:awards"),
    }


def _department(department) -> dict:
    return {"code": department.code, "name": department.name}


def _person(user) -> dict:
    return {"username": user.get_username(), "name": user.get_full_name()}


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None
