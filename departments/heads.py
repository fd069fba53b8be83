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


def nearest_common_superior(a: Department, b: Department) -> Department | None:
    """The nearest department that is `a` or above it and also `b` or above it (one of them
    when one sits inside the other), or None when they share no department at the top."""
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    above_b = set(_chain(parents, b.pk))
    for department_id in _chain(parents, a.pk):
        if department_id in above_b:
            return Department.objects.get(pk=department_id)
    return None


def deciding_head(department: Department, *, excluding: Iterable[int] = ()):
    """The person who decides for `department`: its acting head, except that nobody decides a
    matter they are a party to or have already decided. When the acting head is one of the
    `excluding` user ids, the head of the next department up decides, and so on; None when
    nobody is left at the top (an administrator decides then)."""
    excluded = set(excluding)
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    heads: dict[int, list] = {}
    active_heads = Membership.objects.heads().filter(user__is_active=True).order_by("pk")
    for membership in active_heads.select_related("user"):
        heads.setdefault(membership.department_id, []).append(membership.user)
    for department_id in _chain(parents, department.pk):
        for head in heads.get(department_id, []):
            if head.pk not in excluded:
                return head
    return None


def _chain(parents: dict[int, int | None], department_id: int | None) -> list[int]:
    """`department_id`, its parent, and so on to the top (stops at a cycle)."""
    chain: list[int] = []
    while department_id is not None and department_id not in chain:
        chain.append(department_id)
        department_id = parents.get(department_id)
    return chain
