"""The difference between a directory snapshot and Accord: read everything the sync may touch
in a fixed number of queries, then work out, in memory, the rows to create, update and delete
(`Work`) and the lines that say so (`Plan`). `directory.sync` writes the work.

Scope: the departments linked to the snapshot's source (and those it adopts: not yet linked,
same code or name), the people linked to it (and those it adopts: not yet linked, same username
or e-mail), and the memberships of those people in those departments. Departments and people
Accord has that the directory never named are left alone.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

from departments.models import Department, Membership, Profile
from directory.changes import Plan
from directory.models import DirectoryAccount
from directory.snapshot import Person, Snapshot, Unit

HEAD, AGENT, MEMBER = Membership.Role.HEAD, Membership.Role.AGENT, Membership.Role.MEMBER
NAME_MAX = Department._meta.get_field("name").max_length
CODE_MAX = Department._meta.get_field("code").max_length
NOT_IN_CODE = re.compile(r"[^A-Z0-9_-]")
PERSON_FIELDS = ("username", "email", "first_name", "last_name")


def _digest(text: str, length: int = 6) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:length].upper()


def department_code(unit: Unit) -> str:
    """The unit's code as a department code: upper case, letters, digits, - and _, at most 20
    characters; derived from the key when nothing of it is left (e.g. a Chinese code)."""
    code = NOT_IN_CODE.sub("", unit.code.strip().upper().replace(" ", "-"))[:CODE_MAX]
    return code or "D" + _digest(unit.key, 8)


def preferred_language(value: str) -> str:
    """A directory's language tag as one of Accord's languages, or "" when it has none of them."""
    tag = value.strip().lower().replace("_", "-")
    if tag.startswith("zh"):
        return "zh-hans"
    return "en" if tag.startswith("en") else ""


@dataclass
class Work:
    """The rows a plan writes, grouped so that `directory.sync` can write them in bulk and in an
    order the database's constraints accept."""

    new_departments: list[Department] = field(default_factory=list)
    changed_departments: list[Department] = field(default_factory=list)
    department_fields: set[str] = field(default_factory=set)  # those changed, on any of them
    # Departments whose new name or code another changed department holds now.
    swapping_departments: list[Department] = field(default_factory=list)
    leavers: list[int] = field(default_factory=list)
    new_users: list = field(default_factory=list)
    changed_users: dict[str, list] = field(default_factory=dict)  # field name → users
    new_accounts: list[DirectoryAccount] = field(default_factory=list)
    new_profiles: list[Profile] = field(default_factory=list)
    changed_profiles: list[Profile] = field(default_factory=list)
    removed_memberships: list[int] = field(default_factory=list)
    demotions: list[Membership] = field(default_factory=list)
    promotions: list[Membership] = field(default_factory=list)
    new_memberships: list[Membership] = field(default_factory=list)
    lost_heads: list[tuple[Department, int]] = field(default_factory=list)


class OrgDiff:
    """Reads Accord as it stands (`read`), then compares it with `snapshot`: departments first,
    then people (`directory.membership_diff` then compares their memberships)."""

    def __init__(self, snapshot: Snapshot, now: datetime):
        self.snapshot = snapshot
        self.source = snapshot.source
        self.now = now
        self.plan = Plan(source=snapshot.source)
        self.work = Work()
        self.new_users: dict = {}  # a new person's key → their unsaved user
        self.User = get_user_model()
        self.default_language = settings.LANGUAGE_CODE

    # Reading ------------------------------------------------------------------------------------

    def read(self) -> None:
        """Everything the comparison needs, in a fixed number of queries however many rows."""
        self.departments = {d.pk: d for d in Department.objects.order_by("pk")}
        User = get_user_model()
        self.users = {
            row[0]: row
            for row in User.objects.values_list("pk", *PERSON_FIELDS, "is_active").order_by("pk")
        }
        self.accounts = dict(
            DirectoryAccount.objects.filter(source=self.source).values_list("key", "user_id")
        )
        self.memberships = list(
            Membership.objects.values_list("pk", "user_id", "department_id", "role")
        )
        self.languages = dict(Profile.objects.values_list("user_id", "language"))

    # Comparing ----------------------------------------------------------------------------------

    def compare_departments(self) -> dict[str, Department]:
        """The department of each unit (found, adopted or new), renamed, moved, archived or
        restored as the snapshot says."""
        linked = {
            d.directory_key: d
            for d in self.departments.values()
            if d.directory_source == self.source and d.directory_key
        }
        unlinked = [d for d in self.departments.values() if not d.directory_key]
        by_code = {d.code.upper(): d for d in unlinked}
        by_name = {d.name: d for d in unlinked}
        units = sorted(self.snapshot.units, key=lambda u: u.key)
        found: dict[str, Department | None] = {u.key: linked.get(u.key) for u in units}
        # Adopted by code first, then by name: a code is the surer match.
        for unit in units:
            if found[unit.key] is None:
                found[unit.key] = by_code.pop(department_code(unit), None)
        adopted = {d.pk for d in found.values() if d is not None}
        for unit in units:
            if found[unit.key] is None:
                department = by_name.pop(unit.name.strip(), None)
                if department is not None and department.pk not in adopted:
                    adopted.add(department.pk)
                    found[unit.key] = department
        for unit in units:
            found[unit.key] = found[unit.key] or Department(
                directory_source=self.source, directory_key=unit.key
            )
        names, codes = self._names_and_codes(found)
        parents = {u.key: u.parent_key for u in self.snapshot.units}
        original = {}
        for key, department in found.items():
            if department.pk is not None:
                original[key] = (department.name, department.code, department.parent_id)
        for key, department in found.items():
            department.name, department.code = names[key], codes[key]
            parent_key = parents[key]
            department.parent = found[parent_key] if parent_key else None
        for key, department in found.items():
            if department.pk is None:
                self.work.new_departments.append(department)
                parent = department.parent.name if department.parent else None
                self.plan.add(
                    "department_created", name=department.name, code=department.code, parent=parent
                )
                continue
            old_name, old_code, old_parent = original[key]
            changed = []
            if department.directory_key != key or department.directory_source != self.source:
                department.directory_source, department.directory_key = self.source, key
                changed += ["directory_source", "directory_key"]
            if old_name != department.name:
                self.plan.add("department_renamed", old=old_name, new=department.name)
                changed.append("name")
            if old_code != department.code:
                self.plan.add(
                    "department_recoded", name=department.name, old=old_code, new=department.code
                )
                changed.append("code")
            if old_parent != (department.parent.pk if department.parent else None):
                old = self.departments[old_parent].name if old_parent else None
                new = department.parent.name if department.parent else None
                self.plan.add("department_moved", name=department.name, old=old, new=new)
                changed.append("parent")
            if department.archived_at is not None:
                department.archived_at = None
                self.plan.add("department_restored", name=department.name)
                changed.append("archived_at")
            if changed:
                self.work.changed_departments.append(department)
                self.work.department_fields.update(changed)
        self._swaps(original, found)
        kept = {d.pk for d in found.values() if d.pk is not None}
        for department in self.departments.values():
            if (
                department.directory_source == self.source
                and department.directory_key
                and department.pk not in kept
                and department.archived_at is None
            ):
                department.archived_at = self.now
                self.work.changed_departments.append(department)
                self.work.department_fields.add("archived_at")
                self.plan.add("department_archived", name=department.name)
        return found

    def _names_and_codes(self, found: dict[str, Department]):
        """Unique names and codes for the units' departments; a name or code some other
        department holds gets the unit's code (or a digest of its key) appended."""
        mine = {d.pk for d in found.values() if d.pk is not None}
        others = [d for d in self.departments.values() if d.pk not in mine]
        taken_names = {d.name for d in others}
        taken_codes = {d.code.upper() for d in others}
        units = {u.key: u for u in self.snapshot.units}
        names, codes = {}, {}
        for key in found:
            unit = units[key]
            code = department_code(unit)
            if code in taken_codes:
                code = code[: CODE_MAX - 7] + "-" + _digest(key)
            taken_codes.add(code)
            codes[key] = code
            name = unit.name.strip()[:NAME_MAX] or code
            if name in taken_names:
                name = f"{name[: NAME_MAX - len(code) - 3]} ({code})"
            if name in taken_names:
                name = f"{name[: NAME_MAX - 9]} ({_digest(key)})"
            taken_names.add(name)
            names[key] = name
        return names, codes

    def _swaps(self, original: dict, found: dict[str, Department]) -> None:
        """Changed departments whose present name or code another department is to take are
        first given a temporary one, so that no INSERT or UPDATE meets the unique constraints
        halfway (two departments swapping names, a new one taking an old one's name)."""
        moving = [*self.work.new_departments, *self.work.changed_departments]
        wanted_names = {department.name for department in moving}
        wanted_codes = {department.code for department in moving}
        for key, department in found.items():
            if department.pk is None or key not in original:
                continue
            old_name, old_code, _parent = original[key]
            if (old_name != department.name and old_name in wanted_names) or (
                old_code != department.code and old_code in wanted_codes
            ):
                self.work.swapping_departments.append(department)
                self.work.department_fields.update(("name", "code"))

    def compare_people(self) -> dict[str, int | str]:
        """The user of each active person of the snapshot: an id, or for a new person their key
        (their unsaved user in `new_users`);
        leavers, reactivations, new accounts and changed names recorded on the way."""
        User = self.User
        by_username = {row[1].casefold(): pk for pk, row in self.users.items()}
        emails: dict[str, list[int]] = {}
        for pk, row in self.users.items():
            if row[2]:
                emails.setdefault(row[2].casefold(), []).append(pk)
        linked_ids = set(self.accounts.values())
        adopted: set[int] = set()
        people: dict[str, int | str] = {}
        seen_keys = set()
        for person in sorted(self.snapshot.people, key=lambda p: p.key):
            seen_keys.add(person.key)
            user_id = self.accounts.get(person.key)
            if user_id is None:
                user_id = self._adoptable(person, by_username, emails, linked_ids | adopted)
                if user_id is not None:
                    adopted.add(user_id)
                    self.work.new_accounts.append(
                        DirectoryAccount(user_id=user_id, source=self.source, key=person.key)
                    )
                    self.plan.add("person_linked", username=self.users[user_id][1])
            if user_id is None:
                if person.active and person.username.casefold() in by_username:
                    # Held by someone linked to another key of this directory.
                    self.plan.add("username_in_use", username=person.username)
                elif person.active:
                    user = User(
                        username=person.username,
                        email=person.email,
                        first_name=person.first_name,
                        last_name=person.last_name,
                        is_active=True,
                        # Unusable (as make_password(None) makes it), at a fraction of the cost.
                        password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
                    )
                    self.work.new_users.append(user)
                    self.work.new_accounts.append(
                        DirectoryAccount(user=user, source=self.source, key=person.key)
                    )
                    name = f"{person.first_name} {person.last_name}".strip() or person.email
                    self.plan.add("person_created", username=person.username, name=name)
                    self._language(person, new_user=user)
                    self.new_users[person.key] = user
                    people[person.key] = person.key
                continue
            if self._update_person(user_id, person, by_username):
                people[person.key] = user_id
        for key, user_id in self.accounts.items():
            if key not in seen_keys and self.users.get(user_id, (None,) * 6)[5]:
                self.work.leavers.append(user_id)
                self.plan.add("person_deactivated", username=self.users[user_id][1])
        return people

    def _adoptable(self, person: Person, by_username, emails, taken: set[int]) -> int | None:
        user_id = by_username.get(person.username.casefold())
        if user_id is None and person.email:
            matches = emails.get(person.email.casefold(), [])
            user_id = matches[0] if len(matches) == 1 else None
        return None if user_id in taken else user_id

    def _update_person(self, user_id: int, person: Person, by_username) -> bool:
        """Bring one known person in line; True when they are to have memberships."""
        User = self.User
        row = dict(zip(("pk", *PERSON_FIELDS, "is_active"), self.users[user_id], strict=True))
        username = row["username"]
        wanted = {
            "username": person.username,
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
        }
        holder = by_username.get(person.username.casefold())
        if person.username != username and holder not in (None, user_id):
            self.plan.add("username_taken", username=username, new=person.username)
            wanted["username"] = username
        changed = [name for name in PERSON_FIELDS if wanted[name] != row[name]]
        if person.active and not row["is_active"]:
            self.plan.add("person_reactivated", username=person.username)
            changed.append("is_active")
            wanted["is_active"] = True
        if changed:
            user = User(pk=user_id, **{name: wanted[name] for name in changed})
            for name in changed:
                self.work.changed_users.setdefault(name, []).append(user)
            shown = [name for name in changed if name != "is_active"]
            if shown:
                self.plan.add("person_updated", username=wanted["username"], fields=shown)
        language_changed = self._language(person, user_id=user_id)
        if language_changed and not [name for name in changed if name != "is_active"]:
            self.plan.add("person_updated", username=wanted["username"], fields=["language"])
        if not person.active and row["is_active"]:
            self.work.leavers.append(user_id)
            self.plan.add("person_deactivated", username=username)
            return False
        return person.active

    def _language(self, person: Person, *, user_id: int | None = None, new_user=None) -> bool:
        """Record the person's language if the directory gives one Accord has; True when an
        existing person's language changes (a new person's is part of their creation)."""
        language = preferred_language(person.language)
        if not language:
            return False
        if new_user is not None:
            self.work.new_profiles.append(Profile(user=new_user, language=language))
            return False
        if user_id not in self.languages:
            if language == self.default_language:
                return False
            self.work.new_profiles.append(Profile(user_id=user_id, language=language))
            return True
        if self.languages[user_id] == language:
            return False
        self.work.changed_profiles.append(Profile(user_id=user_id, language=language))
        return True
