"""The snapshot the LDAP source reads from the real slapd of tests/support/slapd.py (its company
is described there)."""

import uuid

import pytest

from directory.sources.ldap import read_snapshot
from directory.sync import SyncError
from tests.support.slapd import use_ldap
from tests.support.smtp import free_port

pytestmark = pytest.mark.slow


def snapshot_of(settings, slapd, **environment):
    use_ldap(settings, slapd.environment(**environment))
    return read_snapshot()


def unit_names(snapshot):
    return {unit.key: unit.name for unit in snapshot.units}


def people_by_username(snapshot):
    return {person.username: person for person in snapshot.people}


def heads(snapshot):
    """Unit name → username of its head."""
    names = unit_names(snapshot)
    return {names[key]: person.username for person in snapshot.people for key in person.head_of}


def test_every_ou_below_the_base_is_a_unit_under_its_parent(settings, slapd):
    snapshot = snapshot_of(settings, slapd)

    names = unit_names(snapshot)
    assert snapshot.source == "ldap"
    assert {
        unit.name: names.get(unit.parent_key) for unit in snapshot.units
    } == {
        "Company": None, "Finance": "Company", "Sales": "Company", "HR": "Company",
        "IT": "Company", "Helpdesk": "IT",
    }  # fmt: skip
    assert {unit.name: unit.code for unit in snapshot.units}["Helpdesk"] == "HELPDESK"


def test_keys_are_the_entries_uuids_which_survive_a_move(settings, slapd):
    snapshot = snapshot_of(settings, slapd)

    for key in [unit.key for unit in snapshot.units] + [p.key for p in snapshot.people]:
        assert str(uuid.UUID(key)) == key


def test_each_person_is_a_member_of_the_ou_they_sit_in(settings, slapd):
    snapshot = snapshot_of(settings, slapd, LDAP_HEADS_GROUP="", LDAP_AGENTS_GROUP="",
                           LDAP_UNIT_AGENTS_GROUP_CN="")  # fmt: skip

    names = unit_names(snapshot)
    people = people_by_username(snapshot)
    assert {username: [names[key] for key in p.unit_keys] for username, p in people.items()} == {
        "wzhang": ["Company"], "axu": ["Company"],
        "fliu": ["Finance"], "ahuang": ["Finance"], "mchen": ["Finance"],
        "lwang": ["Sales"], "sli": ["Sales"], "dma": ["Sales"],
        "hyang": ["HR"], "hlin": ["HR"], "izhou": ["IT"], "awu": ["IT"], "hsun": ["Helpdesk"],
    }  # fmt: skip
    assert (people["mchen"].first_name, people["mchen"].last_name, people["mchen"].email) == (
        "Mei", "Chen", "mchen@example.com"
    )  # fmt: skip


def test_a_directory_larger_than_the_server_answers_at_once_is_read_page_by_page(settings, slapd):
    # The test server answers Accord's account at most 10 entries a search (as Active Directory
    # answers at most 1,000); pages of 4 read all 13 people.
    snapshot = snapshot_of(settings, slapd, LDAP_PAGE_SIZE="4")

    assert len(snapshot.people) == 13


def test_the_heads_group_makes_each_member_head_of_the_ou_they_sit_in(settings, slapd):
    snapshot = snapshot_of(settings, slapd)

    assert heads(snapshot) == {
        "Company": "wzhang", "Finance": "fliu", "Sales": "lwang", "HR": "hyang", "IT": "izhou",
    }  # fmt: skip


def test_managers_head_the_ou_whose_members_report_to_them(settings, slapd):
    snapshot = snapshot_of(settings, slapd, LDAP_HEADS_GROUP="", LDAP_HEADS_FROM_MANAGER="true")

    assert heads(snapshot) == {
        "Company": "wzhang", "Finance": "fliu", "Sales": "lwang", "HR": "hyang", "IT": "izhou",
        # Nobody in Helpdesk manages anyone; its people report to IT's head, in the parent OU.
        "Helpdesk": "izhou",
    }  # fmt: skip
    names = unit_names(snapshot)
    izhou = people_by_username(snapshot)["izhou"]
    assert [names[key] for key in izhou.unit_keys] == ["IT", "Helpdesk"]


def test_agents_come_from_the_company_agents_group_and_an_ous_own_agents_group(settings, slapd):
    snapshot = snapshot_of(settings, slapd)

    names = unit_names(snapshot)
    assert {
        p.username: [names[key] for key in p.agent_of] for p in snapshot.people if p.agent_of
    } == {"ahuang": ["Finance"], "hsun": ["Helpdesk"]}


def test_a_disabled_account_is_inactive(settings, slapd):
    snapshot = snapshot_of(settings, slapd)

    assert {p.username for p in snapshot.people if not p.active} == {"dma"}


def test_a_disabled_filter_marks_whom_it_matches_inactive(settings, slapd):
    snapshot = snapshot_of(settings, slapd, LDAP_DISABLED_FILTER="(uid=hlin)")

    assert {p.username for p in snapshot.people if not p.active} == {"dma", "hlin"}


def test_the_language_comes_from_the_configured_attribute(settings, slapd):
    snapshot = snapshot_of(settings, slapd)

    people = people_by_username(snapshot)
    assert (people["mchen"].language, people["sli"].language, people["fliu"].language) == (
        "zh-hans", "en", ""
    )  # fmt: skip


def test_a_directory_that_cannot_be_read_is_a_sync_error_saying_why(settings, slapd):
    use_ldap(settings, slapd.environment(LDAP_BIND_PASSWORD="not-the-password"))

    with pytest.raises(SyncError, match=r"\(Invalid credentials\); nothing was changed"):
        read_snapshot()


def test_an_unreachable_directory_is_a_sync_error(settings, slapd):
    use_ldap(settings, slapd.environment(LDAP_SERVER_URI=f"ldap://127.0.0.1:{free_port()}"))

    with pytest.raises(SyncError, match="Can't contact LDAP server"):
        read_snapshot()
