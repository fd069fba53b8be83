"""The message a published recognition cycle sends (an outbox kind): each award to its awardee,
or to the head of the awarded department, and to that department's group chats and webhooks.
An award of a published cycle never changes, so the message always holds."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.models import Membership
from outbox.kinds import Kind, register
from outbox.models import Message
from outbox.services import fan_out, queue_each
from recognition.models import Award

AWARDED = "recognition.awarded"


def _context(message: Message) -> dict:
    award = message.about
    return {"award": award, "cycle": award.cycle, "awards_path": reverse("recognition:awards")}


def _awarded_department(award: Award) -> list[int]:
    return [award.department_id] if award.department_id else []


register(
    Kind(
        AWARDED,
        "recognition/awarded",
        _context,
        related=("cycle", "department", "person"),
        departments=_awarded_department,
        label=_("An award to you or your department is published"),
        link=lambda message: reverse("recognition:awards"),
    )
)


def tell_awarded(awards: list[Award]) -> list[Message]:
    """Write, in the caller's transaction, one message per award to its awardee (the person, or
    the head of the department) and to the awarded department's group chats and webhooks."""
    heads = {
        membership.department_id: membership.user
        for membership in Membership.objects.heads()
        .filter(department__in=[award.department_id for award in awards if award.department_id])
        .select_related("user")
    }
    addressed = [
        (award, award.person if award.person_id else heads[award.department_id])
        for award in awards
        if award.person_id or award.department_id in heads
    ]
    return queue_each(AWARDED, addressed) + fan_out(AWARDED, awards)
