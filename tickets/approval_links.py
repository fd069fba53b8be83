"""Signed, expiring, single-use links that let an approver decide from the e-mail.

The signature covers the approval and its undecided state, so a link stops working once the
step is decided (by the link or otherwise): single use without storing tokens. Opening a link
shows a confirmation page; only its POST decides.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from common.signed_links import InvalidLink, link_fields, link_token
from tickets.models import Approval

SALT = "accord.tickets.approval-link"
MAX_AGE = timedelta(days=7)


def approval_link_token(approval: Approval) -> str:
    return link_token(SALT, approval=approval.pk, approver=approval.approver_id)


def approval_link_path(approval: Approval) -> str:
    return reverse("tickets:approval_link", args=[approval_link_token(approval)])


class InvalidApprovalLink(Exception):
    """Tampered with, expired, or already used."""


def approval_from_token(token: str) -> Approval:
    """The undecided approval a token names; InvalidApprovalLink otherwise (the message says
    which: expired, already decided, or not a valid link)."""
    try:
        data = link_fields(token, salt=SALT, max_age=MAX_AGE)
    except InvalidLink as error:
        raise InvalidApprovalLink(error.reason) from error
    approval = (
        Approval.objects.select_related("ticket")
        .filter(pk=data.get("approval"), approver_id=data.get("approver"))
        .first()
    )
    if approval is None:
        raise InvalidApprovalLink("invalid")
    if approval.decision == Approval.Decision.CLOSED:
        raise InvalidApprovalLink("closed")
    if approval.decision:
        raise InvalidApprovalLink("used")
    return approval
