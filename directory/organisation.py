"""Changes to the organisation made by an administrator by hand (the API), under the rules the
directory sync keeps: a model's own validation (codes upper case, no cycle of parents, one head
per department, one membership per person and department), and a department left without a
head is flagged to the administrators (`department_lost_head`), as when the sync or a leaver's
handover removes its head. Each service is one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import Department, Membership
from directory.leavers import department_lost_head


def _require_administrator(user) -> None:
    if not user.is_superuser:
        raise PermissionDenied(_("Only an administrator changes departments and memberships."))


@transaction.atomic
def department_save(*, by, department: Department | None = None, **fields: Any) -> Department:
    """Create a department (`department` None) or change the fields given of one; the model's
    validation applies (a 400 with its messages by field)."""
    _require_administrator(by)
    department = department or Department()
    for name, value in fields.items():
        setattr(department, name, value)
    department.full_clean()
    department.save()
    return department


@transaction.atomic
def membership_add(*, by, user, department: Department, role: str, title: str = "") -> Membership:
    """Make `user` a member (agent, head) of `department`."""
    _require_administrator(by)
    membership = Membership(user=user, department=department, role=role, title=title)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_change(*, by, membership_id: int, **fields: Any) -> Membership:
    """Change the role or title of a membership; a head made member or agent leaves the
    department without a head, flagged as the sync flags it."""
    _require_administrator(by)
    membership = Membership.objects.select_for_update().get(pk=membership_id)
    was_head = membership.role == Membership.Role.HEAD
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.full_clean()
    membership.save()
    if was_head and membership.role != Membership.Role.HEAD:
        department_lost_head(department=membership.department, previous_head=membership.user)
    return membership


@transaction.atomic
def membership_end(*, by, membership_id: int) -> None:
    """End a membership; when it was the head's, the administrators are told the department has
    none (meanwhile the head one level up decides for it, departments.heads)."""
    _require_administrator(by)
    membership = (
        Membership.objects.select_for_update()
        .select_related("department", "user")
        .get(pk=membership_id)
    )
    membership.delete()
    if membership.role == Membership.Role.HEAD:
        department_lost_head(department=membership.department, previous_head=membership.user)
