"""The directory sync: bring Accord's departments, people and memberships in line with a
snapshot of the company's directory (LDAP or an org file).

`plan(snapshot)` says what would change; `apply(snapshot, dry_run=False)` changes it, in one
transaction: a run that fails or is killed halfway leaves nothing half-done. Idempotent: a run
that finds nothing to change writes nothing. Everything is read up front and written in bulk, so
the number of queries does not grow with the number of people (only with the number of leavers,
each handed over by `directory.leavers.deactivate_person`, and of chunks of 1,000 rows).

Never deletes history: a department that leaves the directory is archived (its agreements and
requests stay), a person who leaves it or is disabled is deactivated and hands over what they
hold. People the sync creates have no usable password: they sign in through the directory.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from common.text import without_control_characters
from departments.models import Department, Membership, Profile
from directory.changes import Plan
from directory.membership_diff import compare_memberships
from directory.models import DirectoryAccount, SyncRun
from directory.org_diff import OrgDiff, Work
from directory.snapshot import Person, Snapshot, Unit

CHUNK = 1000
# A first sync of a large company makes tens of thousands of changes; its record keeps the first.
CHANGES_RECORDED = 2000
# Any constant: the PostgreSQL advisory lock that keeps two syncs from running at once.
SYNC_LOCK = 0x5C_D1_2E_C7
LEAVER_REASON = _("No longer active in the company's directory.")


class SyncError(DomainError):
    """The snapshot cannot be applied as it is (nothing was changed)."""


def plan(snapshot: Snapshot) -> Plan:
    """What applying `snapshot` would change, changing nothing."""
    return apply(snapshot, dry_run=True)


def apply(snapshot: Snapshot, *, dry_run: bool, by=None) -> Plan:
    """Bring Accord in line with `snapshot` in one transaction (nothing at all when `dry_run`),
    and return what changed; a run that changed something is recorded as a SyncRun. Too many
    leavers at once are held back until an administrator confirms (directory.mass_leavers)."""
    from directory import mass_leavers

    snapshot = _checked(_tidied(snapshot))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SYNC_LOCK])
        now = timezone.now()
        diff = OrgDiff(snapshot, now)
        diff.read()
        found = diff.compare_departments()
        people = diff.compare_people()
        hold = mass_leavers.open_hold(snapshot.source)
        held = mass_leavers.hold_back(diff, hold)
        compare_memberships(diff, found, people)
        if dry_run:
            return diff.plan
        mass_leavers.record_hold(snapshot.source, hold, held, now)
        if not diff.plan.changes:
            return diff.plan
        _write(diff.work)
        SyncRun.objects.create(
            source=snapshot.source,
            finished_at=now,
            by=by,
            change_count=len(diff.plan.changes),
            changes=[change.as_json() for change in diff.plan.changes[:CHANGES_RECORDED]],
        )
        diff.plan.applied = True
        return diff.plan


def _write(work: Work) -> None:
    """Write the work in an order the constraints accept: departments before the memberships
    that point at them, leavers handed over before their places are taken, heads demoted or
    removed before others are made head."""
    from directory.leavers import deactivate_person, department_lost_head

    if work.swapping_departments:
        placeholders = [
            Department(pk=department.pk, name=f"~{department.pk}", code=f"~{department.pk}")
            for department in work.swapping_departments
        ]
        Department.objects.bulk_update(placeholders, ["name", "code"], CHUNK)
    # A new department's parent may be new too: they are created a level of the tree at a time,
    # parents first, so that each has its parent's id (queries grow with the depth, not the size).
    remaining = work.new_departments
    while remaining:
        level = [d for d in remaining if d.parent is None or d.parent.pk is not None]
        Department.objects.bulk_create(level, CHUNK)
        remaining = [d for d in remaining if d.pk is None]
    if work.department_fields:
        Department.objects.bulk_update(
            work.changed_departments, sorted(work.department_fields), CHUNK
        )
    User = get_user_model()
    for leaver in User.objects.filter(pk__in=work.leavers).order_by("pk"):
        deactivate_person(user=leaver, by=None, reason=str(LEAVER_REASON))
    User.objects.bulk_create(work.new_users, CHUNK)
    for name, users in work.changed_users.items():
        User.objects.bulk_update(users, [name], CHUNK)
    DirectoryAccount.objects.bulk_create(work.new_accounts, CHUNK)
    Profile.objects.bulk_create(work.new_profiles, CHUNK)
    Profile.objects.bulk_update(work.changed_profiles, ["language"], CHUNK)
    for start in range(0, len(work.removed_memberships), CHUNK):
        Membership.objects.filter(pk__in=work.removed_memberships[start : start + CHUNK]).delete()
    Membership.objects.bulk_update(work.demotions, ["role"], CHUNK)
    Membership.objects.bulk_update(work.promotions, ["role"], CHUNK)
    Membership.objects.bulk_create(work.new_memberships, CHUNK)
    for department, previous_head_id in work.lost_heads:
        department_lost_head(
            department=department, previous_head=User.objects.get(pk=previous_head_id)
        )


def _line(text: str, limit: int) -> str:
    return " ".join(without_control_characters(text).split())[:limit]


def _tidied(snapshot: Snapshot) -> Snapshot:
    """The snapshot's text as Accord stores it: no control characters, no runs of spaces, cut
    to the columns' lengths (bulk writes bypass the models' own cleaning)."""
    User = get_user_model()
    limits = {
        name: User._meta.get_field(name).max_length
        for name in ("username", "email", "first_name", "last_name")
    }
    units = tuple(
        replace(unit, name=_line(unit.name, 200), code=_line(unit.code, 200))
        for unit in snapshot.units
    )
    people = []
    for person in snapshot.people:
        tidy = {name: _line(getattr(person, name), limit) for name, limit in limits.items()}
        if any(getattr(person, name) != value for name, value in tidy.items()):
            person = replace(person, **tidy)
        people.append(person)
    return replace(snapshot, units=units, people=tuple(people))


def _checked(snapshot: Snapshot) -> Snapshot:
    """The snapshot, if it can be applied; SyncError saying what is wrong otherwise."""
    if not snapshot.source or len(snapshot.source) > 20:
        raise SyncError(_("A directory source needs a short name (at most 20 characters)."))
    if not snapshot.units:
        # An empty answer is far likelier a broken source than a company without departments.
        raise SyncError(_("The directory has no departments; nothing was changed."))
    units: dict[str, Unit] = {}
    for unit in snapshot.units:
        if unit.key in units:
            raise SyncError(_("Two departments have the key %(key)s.") % {"key": unit.key})
        units[unit.key] = unit
    for unit in snapshot.units:
        _check_ancestry(unit, units)
    keys: set[str] = set()
    usernames: set[str] = set()
    for person in snapshot.people:
        _check_person(person, units, keys, usernames)
    return snapshot


def _check_ancestry(unit: Unit, units: dict[str, Unit]) -> None:
    seen = {unit.key}
    node = unit
    while node.parent_key is not None:
        if node.parent_key not in units:
            raise SyncError(
                _("Department %(name)s is under %(parent)s, which is not in the directory.")
                % {"name": node.name, "parent": node.parent_key}
            )
        if node.parent_key in seen:
            raise SyncError(
                _("Department %(name)s is inside itself (its parents make a cycle).")
                % {"name": unit.name}
            )
        seen.add(node.parent_key)
        node = units[node.parent_key]


def _check_person(person: Person, units: dict, keys: set[str], usernames: set[str]) -> None:
    if not person.key or not person.username:
        raise SyncError(
            _("A person in the directory has no key or no username (%(name)s).")
            % {"name": person.username or person.email or person.key}
        )
    if person.key in keys:
        raise SyncError(_("Two people have the key %(key)s.") % {"key": person.key})
    if person.username.casefold() in usernames:
        raise SyncError(
            _("Two people have the username %(username)s.") % {"username": person.username}
        )
    keys.add(person.key)
    usernames.add(person.username.casefold())
    for key in (*person.unit_keys, *person.head_of, *person.agent_of):
        if key not in units:
            raise SyncError(
                _("%(username)s belongs to %(key)s, which is not a department in the directory.")
                % {"username": person.username, "key": key}
            )
