"""The memberships part of the sync's comparison: a person's memberships in the directory's
departments become exactly the snapshot's (roles member, agent, head; one head per department),
and a department left without a head is noted for `department_lost_head`."""

from __future__ import annotations

from departments.models import Department, Membership
from directory.org_diff import AGENT, HEAD, MEMBER, OrgDiff

Ref = int | str  # an existing user's id, or the key of a person the sync creates


def _username(diff: OrgDiff, ref: Ref) -> str:
    return diff.users[ref][1] if isinstance(ref, int) else diff.new_users[ref].username


def compare_memberships(
    diff: OrgDiff, found: dict[str, Department], people: dict[str, Ref]
) -> None:
    """Record in `diff` the memberships to add, remove and re-role, and the heads that change."""
    plan, work = diff.plan, diff.work
    managed = {
        d.pk for d in diff.departments.values() if d.directory_source == diff.source and d.pk
    } | {d.pk for d in found.values() if d.pk is not None}
    in_scope = {ref for ref in people.values() if isinstance(ref, int)}
    leavers = set(work.leavers)
    current: dict[tuple[int, int], tuple[int, str]] = {}
    heads_before: dict[int, tuple[int, int]] = {}  # department → (user, membership)
    for membership_id, user_id, department_id, role in diff.memberships:
        if department_id not in managed:
            continue
        if user_id in in_scope:
            current[(user_id, department_id)] = (membership_id, role)
        if role == HEAD:
            heads_before[department_id] = (user_id, membership_id)

    wanted = _wanted_roles(diff, found, people)
    wanted_heads = {unit_key: ref for (ref, unit_key), role in wanted.items() if role == HEAD}
    for (ref, unit_key), role in wanted.items():
        department = found[unit_key]
        pair = (ref, department.pk) if isinstance(ref, int) and department.pk else None
        if pair in current:
            membership_id, old_role = current.pop(pair)
            if old_role != role:
                membership = Membership(pk=membership_id, role=role)
                (work.promotions if role == HEAD else work.demotions).append(membership)
                plan.add(
                    "role_changed",
                    username=_username(diff, ref),
                    department=department.name,
                    old=old_role,
                    new=role,
                )
            continue
        user = {"user_id": ref} if isinstance(ref, int) else {"user": diff.new_users[ref]}
        work.new_memberships.append(Membership(department=department, role=role, **user))
        plan.add(
            "membership_added",
            username=_username(diff, ref),
            department=department.name,
            role=role,
        )
    for (user_id, department_id), (membership_id, _role) in sorted(current.items()):
        work.removed_memberships.append(membership_id)
        plan.add(
            "membership_removed",
            username=_username(diff, user_id),
            department=diff.departments[department_id].name,
        )

    for unit_key, department in sorted(found.items()):
        old_head, old_membership = heads_before.get(department.pk, (None, None))
        new_head = wanted_heads.get(unit_key)
        outside = old_head is not None and old_head not in in_scope and old_head not in leavers
        if new_head is None and outside:
            continue  # a head the directory does not know keeps the role
        if outside:
            # Someone Accord has but the directory does not name heads it: they stay a member.
            work.demotions.append(Membership(pk=old_membership, role=MEMBER))
            plan.add(
                "role_changed",
                username=_username(diff, old_head),
                department=department.name,
                old=HEAD,
                new=MEMBER,
            )
        if old_head != new_head:
            plan.add(
                "head_changed",
                department=department.name,
                old=_username(diff, old_head) if old_head is not None else None,
                new=_username(diff, new_head) if new_head is not None else None,
            )
        if new_head is None and old_head is not None and old_head not in leavers:
            # A leaver's vacancies are flagged by the hand-over itself.
            work.lost_heads.append((department, old_head))


def _wanted_roles(
    diff: OrgDiff, found: dict[str, Department], people: dict[str, Ref]
) -> dict[tuple[Ref, str], str]:
    """(person, unit) → role, as the snapshot says; a second head named for a unit is made an
    agent there, with a notice."""
    wanted: dict[tuple[Ref, str], str] = {}
    heads: dict[str, Ref] = {}
    for person in sorted(diff.snapshot.people, key=lambda p: p.key):
        ref = people.get(person.key)
        if ref is None:
            continue
        for unit_key in dict.fromkeys((*person.unit_keys, *person.agent_of, *person.head_of)):
            if unit_key in person.head_of and unit_key not in heads:
                heads[unit_key] = ref
                role = HEAD
            elif unit_key in person.head_of:
                diff.plan.add(
                    "extra_head_ignored",
                    username=_username(diff, ref),
                    department=found[unit_key].name,
                    head=_username(diff, heads[unit_key]),
                )
                role = AGENT
            else:
                role = AGENT if unit_key in person.agent_of else MEMBER
            wanted[(ref, unit_key)] = role
    return wanted
