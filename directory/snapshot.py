"""What a directory source (LDAP, an org file) says the company looks like at one moment.

A source reads its whole directory into a `Snapshot`; `directory.sync` compares it with Accord's
departments and people and brings them in line. The dataclasses are frozen plain values so a
source needs no database and a snapshot can be built in tests by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """A department in the source. `key` is the source's stable id (an LDAP entryUUID or DN, an
    org file's department code); `parent_key` is the key of the parent unit, None at the top."""

    key: str
    name: str
    code: str
    parent_key: str | None


@dataclass(frozen=True)
class Person:
    """A person in the source. `key` is the source's stable id; `unit_keys` the departments the
    person is a member of; `head_of` (a subset of `unit_keys`) the departments they head;
    `agent_of` those whose queue they work. `language` is a language code, or "" for the default.
    """

    key: str
    username: str
    email: str
    first_name: str
    last_name: str
    active: bool
    unit_keys: tuple[str, ...]
    head_of: tuple[str, ...] = ()
    agent_of: tuple[str, ...] = ()
    language: str = ""


@dataclass(frozen=True)
class Snapshot:
    """The whole directory as one source sees it. `source` names the source ("ldap", "orgfile");
    keys are unique per source."""

    source: str
    units: tuple[Unit, ...]
    people: tuple[Person, ...]
