"""The LDAP / Active Directory source of the directory sync: an OU tree becomes departments.

Below LDAP_DIRECTORY_BASE (the base itself included), every entry matching LDAP_UNIT_FILTER (an
organizationalUnit) is a department, whose parent is the OU it sits in. Every entry matching
LDAP_PERSON_FILTER is a person, a member of the OU they sit in (unless LDAP_MEMBERS_FROM_OU is
off) and of each OU holding a group named LDAP_UNIT_MEMBERS_GROUP_CN that lists them. Heads come
from groups named LDAP_UNIT_HEADS_GROUP_CN inside an OU (heads of that OU), from LDAP_HEADS_GROUP
(every member heads the OU they sit in) and/or, with LDAP_HEADS_FROM_MANAGER, from the `manager`
attribute (see `heads_from_managers`); agents from LDAP_AGENTS_GROUP (agents of the OU they sit
in) and from groups named LDAP_UNIT_AGENTS_GROUP_CN inside an OU (agents of that OU). Disabled
accounts (Active Directory's userAccountControl, OpenLDAP's pwdAccountLockedTime, or
LDAP_DISABLED_FILTER) are inactive. Searches are paged (Active Directory answers at most 1,000
entries a search otherwise). python-ldap is imported only when the source is read.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _

from directory.ldap_entries import first_value, is_disabled, language_code, normal_dn
from directory.snapshot import Person, Snapshot, Unit
from directory.sync import SyncError

logger = logging.getLogger(__name__)

SOURCE = "ldap"
CODE_LENGTH = 20  # Department.code
GROUP_CLASSES = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=group))"
MEMBER_ATTRIBUTES = ("member", "uniqueMember", "memberUid")


def read_snapshot() -> Snapshot:
    """The company as the LDAP directory describes it now; SyncError when it cannot be read."""
    import ldap

    try:
        connection = connect()
        try:
            return DirectoryReader(connection).snapshot()
        finally:
            connection.unbind_s()
    except ldap.LDAPError as error:
        logger.warning("The LDAP directory could not be read: %r", error)
        raise SyncError(
            _("The LDAP directory could not be read (%(reason)s); nothing was changed.")
            % {"reason": ldap_reason(error)}
        ) from error


def ldap_reason(error) -> str:
    """The server's or the library's own words for an LDAPError."""
    details = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    return ": ".join(str(details[k]) for k in ("desc", "info") if details.get(k)) or str(error)


def connect():
    """A connection to LDAP_SERVER_URI bound as LDAP_BIND_DN, with the TLS settings of sign-in."""
    import ldap

    connection = ldap.initialize(settings.AUTH_LDAP_SERVER_URI)
    for option, value in settings.AUTH_LDAP_CONNECTION_OPTIONS.items():
        connection.set_option(option, value)
    if settings.AUTH_LDAP_START_TLS:
        connection.start_tls_s()
    connection.simple_bind_s(settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD)
    return connection


def parent_dn(dn: str) -> str:
    import ldap.dn

    return ldap.dn.dn2str(ldap.dn.str2dn(dn)[1:]).lower()


def entry_key(dn: str, attributes: dict) -> str:
    """The entry's stable id (LDAP_KEY_ATTRIBUTE: entryUUID, Active Directory's binary
    objectGUID), which survives a move; its DN when the entry has none."""
    name = settings.LDAP_KEY_ATTRIBUTE.lower()
    values = next((v for k, v in attributes.items() if k.lower() == name and v), None)
    if not values:
        return normal_dn(dn)
    value = values[0]
    if name == "objectguid" and len(value) == 16:
        return str(uuid.UUID(bytes_le=value))
    return value.decode("utf-8", "replace")


class DirectoryReader:
    """Reads units, people, groups and managers through one bound connection."""

    def __init__(self, connection):
        self.connection = connection
        self.base = settings.LDAP_DIRECTORY_BASE

    def search(self, base: str, filterstr: str, attributes: list[str]) -> Iterator[tuple]:
        """(dn, attributes) of every entry below `base` matching `filterstr`, page by page."""
        import ldap
        from ldap.controls import SimplePagedResultsControl

        paging = SimplePagedResultsControl(True, size=settings.LDAP_PAGE_SIZE, cookie="")
        while True:
            message = self.connection.search_ext(
                base, ldap.SCOPE_SUBTREE, filterstr, attributes, serverctrls=[paging]
            )
            _, entries, _, controls = self.connection.result3(message)
            for dn, found in entries:
                if dn is not None:  # not a referral
                    yield dn, found
            paging.cookie = next(
                (c.cookie for c in controls if c.controlType == paging.controlType), b""
            )
            if not paging.cookie:
                return

    def group_members(self, dn: str) -> set[str]:
        """The normalised DNs (or, for posixGroup, usernames) of a group's members, reading
        Active Directory's ranged `member;range=0-1499` answers to the end."""
        import ldap

        members: set[str] = set()
        wanted = list(MEMBER_ATTRIBUTES)
        while wanted:
            found = self.connection.search_s(dn, ldap.SCOPE_BASE, "(objectClass=*)", wanted)
            attributes = found[0][1] if found else {}
            wanted = []
            for name, values in attributes.items():
                base_name, _, value_range = name.partition(";range=")
                for value in values:
                    member = value.decode("utf-8", "replace").split("#")[0]
                    members.add(normal_dn(member) if "=" in member else member.lower())
                if value_range and not value_range.endswith("-*"):
                    next_start = int(value_range.split("-")[1]) + 1
                    wanted.append(f"{base_name};range={next_start}-*")
        return members

    def snapshot(self) -> Snapshot:
        units = self.read_units()
        people = self.read_people(units)
        heads = self.heads(units, people)
        agents = self.agents(units, people)
        members = self.unit_groups(settings.LDAP_UNIT_MEMBERS_GROUP_CN, units, people)
        return Snapshot(
            source=SOURCE,
            units=tuple(units.values()),
            people=tuple(
                person.finish(
                    heads.get(dn, ()),
                    agents.get(dn, ()),
                    members.get(dn, ()),
                    in_own_unit=settings.LDAP_MEMBERS_FROM_OU,
                )
                for dn, person in people.items()
            ),
        )

    def read_units(self) -> dict[str, Unit]:
        """The OUs as units, by normalised DN, parents before their children."""
        name_attribute = settings.LDAP_UNIT_NAME_ATTRIBUTE
        code_attribute = settings.LDAP_UNIT_CODE_ATTRIBUTE
        wanted = [settings.LDAP_KEY_ATTRIBUTE, "ou", name_attribute]
        if code_attribute:
            wanted.append(code_attribute)
        entries = {
            normal_dn(dn): attributes
            for dn, attributes in self.search(self.base, settings.LDAP_UNIT_FILTER, wanted)
        }
        keys = {dn: entry_key(dn, attributes) for dn, attributes in entries.items()}
        names = unique_names(
            {
                dn: first_value(attributes, name_attribute) or first_value(attributes, "ou")
                for dn, attributes in entries.items()
            },
            parents={dn: parent_dn(dn) for dn in entries},
        )
        codes: set[str] = set()
        units: dict[str, Unit] = {}
        for dn in sorted(entries, key=lambda dn: (dn.count(","), dn)):
            given = first_value(entries[dn], code_attribute) if code_attribute else ""
            code = unique_code(given or names[dn], keys[dn], codes)
            parent = parent_dn(dn)
            units[dn] = Unit(keys[dn], names[dn], code, keys.get(parent))
        return units

    def read_people(self, units: dict[str, Unit]) -> dict[str, PersonEntry]:
        """The people below the base, by normalised DN."""
        mapping = settings.AUTH_LDAP_USER_ATTR_MAP
        username_attribute = settings.LDAP_USERNAME_ATTRIBUTE
        language_attribute = settings.LDAP_LANGUAGE_ATTRIBUTE
        wanted = [
            settings.LDAP_KEY_ATTRIBUTE,
            username_attribute,
            *mapping.values(),
            "manager",
            "userAccountControl",
            "pwdAccountLockedTime",
        ]
        if language_attribute:
            wanted.append(language_attribute)
        disabled = set()
        if settings.LDAP_DISABLED_FILTER:
            both = f"(&{settings.LDAP_PERSON_FILTER}{settings.LDAP_DISABLED_FILTER})"
            disabled = {normal_dn(dn) for dn, _ in self.search(self.base, both, ["1.1"])}
        people: dict[str, PersonEntry] = {}
        for dn, attributes in self.search(self.base, settings.LDAP_PERSON_FILTER, wanted):
            dn = normal_dn(dn)
            username = first_value(attributes, username_attribute).strip().lower()
            if not username:
                logger.warning("LDAP person %s has no %s: left out", dn, username_attribute)
                continue
            unit = units.get(parent_dn(dn))
            manager = first_value(attributes, "manager")
            people[dn] = PersonEntry(
                key=entry_key(dn, attributes),
                username=username,
                email=first_value(attributes, mapping.get("email", "mail")),
                first_name=first_value(attributes, mapping.get("first_name", "givenName")),
                last_name=first_value(attributes, mapping.get("last_name", "sn")),
                active=not (is_disabled(attributes) or dn in disabled),
                unit_key=unit.key if unit else None,
                manager_dn=normal_dn(manager) if manager else None,
                language=language_code(first_value(attributes, language_attribute))
                if language_attribute
                else "",
            )
        return people

    def heads(self, units: dict[str, Unit], people: dict[str, PersonEntry]) -> dict[str, list]:
        """Person DN → the keys of the units they head: from the groups inside the units first
        (two named there are left for the sync to settle, with a notice), then the heads group,
        then the managers for the units still without a head."""
        by_person: dict[str, list] = defaultdict(list)
        unit_heads = self.unit_groups(settings.LDAP_UNIT_HEADS_GROUP_CN, units, people)
        for dn, unit_keys in unit_heads.items():
            by_person[dn].extend(unit_keys)
        headed: dict[str, str | None] = dict.fromkeys(
            (key for keys in unit_heads.values() for key in keys), None
        )  # unit key → person DN (None: headed through its group)
        if settings.LDAP_HEADS_GROUP:
            members = self.members_in(settings.LDAP_HEADS_GROUP, people)
            for dn in sorted(members):
                unit_key = people[dn].unit_key
                if unit_key is None:
                    continue
                if unit_key in headed:
                    logger.warning("LDAP unit %s has two heads: %s stays a member", unit_key, dn)
                    continue
                headed[unit_key] = dn
        if settings.LDAP_HEADS_FROM_MANAGER:
            for unit_key, dn in heads_from_managers(units, people).items():
                headed.setdefault(unit_key, dn)
        for unit_key, dn in headed.items():
            if dn is not None:
                by_person[dn].append(unit_key)
        return by_person

    def agents(self, units: dict[str, Unit], people: dict[str, PersonEntry]) -> dict[str, list]:
        """Person DN → the keys of the units whose queue they work."""
        agent_of: dict[str, list] = defaultdict(list)
        if settings.LDAP_AGENTS_GROUP:
            for dn in self.members_in(settings.LDAP_AGENTS_GROUP, people):
                if people[dn].unit_key is not None:
                    agent_of[dn].append(people[dn].unit_key)
        for dn, unit_keys in self.unit_groups(
            settings.LDAP_UNIT_AGENTS_GROUP_CN, units, people
        ).items():
            agent_of[dn].extend(unit_keys)
        return agent_of

    def unit_groups(
        self, cn: str, units: dict[str, Unit], people: dict[str, PersonEntry]
    ) -> dict[str, list]:
        """Person DN → the keys of the units holding (directly inside their OU) a group whose
        common name is `cn` and which lists them; nothing when `cn` is empty."""
        import ldap.filter

        found: dict[str, list] = defaultdict(list)
        if not cn:
            return found
        wanted = f"(&(cn={ldap.filter.escape_filter_chars(cn)}){GROUP_CLASSES})"
        for group_dn in sorted(dn for dn, _entry in self.search(self.base, wanted, ["1.1"])):
            unit = units.get(parent_dn(group_dn))
            if unit is None:
                continue
            for dn in sorted(self.members_in(group_dn, people)):
                found[dn].append(unit.key)
        return found

    def members_in(self, group_dn: str, people: dict[str, PersonEntry]) -> set[str]:
        """The DNs of the people (read below the base) in a group."""
        members = self.group_members(group_dn)
        by_username = {person.username: dn for dn, person in people.items()}
        return {dn for dn in people if dn in members} | {
            by_username[name] for name in members if name in by_username
        }


class PersonEntry:
    """A person as read, before their heads and agents roles are known."""

    def __init__(self, *, unit_key: str | None, manager_dn: str | None, **fields):
        self.unit_key = unit_key
        self.manager_dn = manager_dn
        self.fields = fields
        self.username = fields["username"]

    def finish(self, head_of, agent_of, member_of=(), *, in_own_unit: bool = True) -> Person:
        own = (self.unit_key,) if self.unit_key and in_own_unit else ()
        head_of = tuple(dict.fromkeys(head_of))
        agent_of = tuple(key for key in dict.fromkeys(agent_of) if key not in head_of)
        return Person(
            unit_keys=tuple(dict.fromkeys((*own, *member_of, *head_of, *agent_of))),
            head_of=head_of,
            agent_of=agent_of,
            **self.fields,
        )


def heads_from_managers(units: dict[str, Unit], people: dict[str, PersonEntry]) -> dict:
    """Unit key → DN of its head by the `manager` attribute: the person most of the unit's
    members report to among those who sit in the unit; if nobody in the unit manages one of
    them, the one most of them report to in the parent unit. Ties go to the first DN."""
    parent_of = {unit.key: unit.parent_key for unit in units.values()}
    reports: dict[str, Counter] = defaultdict(Counter)
    for dn, person in people.items():
        manager = people.get(person.manager_dn or "")
        if person.unit_key and manager and person.manager_dn != dn:
            reports[person.unit_key][person.manager_dn] += 1
    heads = {}
    for unit_key, managers in reports.items():
        for place in (unit_key, parent_of.get(unit_key)):
            candidates = [
                (-count, dn) for dn, count in managers.items() if people[dn].unit_key == place
            ]
            if place is not None and candidates:
                heads[unit_key] = min(candidates)[1]
                break
    return heads


def unique_names(names: dict[str, str], parents: dict[str, str]) -> dict[str, str]:
    """The units' names, those used twice (IT in two countries) followed by their parent's."""
    counts = Counter(names.values())
    return {
        dn: f"{name} ({names[parents[dn]]})" if counts[name] > 1 and parents[dn] in names else name
        for dn, name in names.items()
    }


def unique_code(text: str, key: str, taken: set[str]) -> str:
    """A department code (letters, digits, hyphens; at most 20) made from `text`, or from the
    unit's key when `text` has no Latin letters (财务部), distinct from those `taken`."""
    code = slugify(text).upper()[:CODE_LENGTH].strip("-")
    if not code:
        code = "OU-" + hashlib.sha256(key.encode()).hexdigest()[:8].upper()
    candidate, number = code, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = code[: CODE_LENGTH - len(suffix)] + suffix
    taken.add(candidate)
    return candidate
