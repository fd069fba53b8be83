"""Who acts as a department's head: its own head, or, while it has none (its head left, or the
directory names nobody), the head of the nearest department above it that has one. Approvals
asked of a head, escalations and the messages addressed to a department's head read it here, so
a vacancy sends them one level up rather than to nobody."""

from __future__ import annotations

from collections.abc import Iterable

from departments.models import Department, Membership


def acting_heads(department_ids: Iterable[int]) -> dict[int, object]:
    """Each department's acting head (an active user), by department id; a department with no
    head at or above it is left out. Two queries however many departments."""
    wanted = set(department_ids)
    if not wanted:
        return {}
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    heads = {
        membership.department_id: membership.user
        for membership in Membership.objects.heads()
        .filter(user__is_active=True)
        .select_related("user")
    }
    acting = {}
    for department_id in wanted:
        head = head_at_or_above(parents, heads, department_id)
        if head is not None:
            acting[department_id] = head
    return acting


def acting_head(department: Department):
    """The department's acting head, or None when neither it nor any department above has one."""
    return acting_heads([department.pk]).get(department.pk)


def head_at_or_above(parents: dict[int, int | None], heads: dict[int, object], department_id):
    """The head of `department_id`, else of its parent, and so on up (stops at a cycle)."""
    seen = set()
    while department_id is not None and department_id not in seen:
        if department_id in heads:
            return heads[department_id]
        seen.add(department_id)
        department_id = parents.get(department_id)
    return None
