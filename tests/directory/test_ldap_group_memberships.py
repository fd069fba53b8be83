"""Memberships and heads from LDAP groups placed inside the OUs (LDAP_UNIT_MEMBERS_GROUP_CN,
LDAP_UNIT_HEADS_GROUP_CN; groupOfNames/member), in addition to the OU a person sits in or, with
LDAP_MEMBERS_FROM_OU off, instead of it: read from the real slapd of tests/support/slapd.py."""

from contextlib import ExitStack

import pytest

from departments.models import Membership
from directory import sync
from directory.sources.ldap import read_snapshot
from tests.support.slapd import COMPANY, person_dn, use_ldap

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
HEAD, AGENT, MEMBER = Membership.Role.HEAD, Membership.Role.AGENT, Membership.Role.MEMBER


def roles(username):
    """Department name → role of `username`'s memberships."""
    return dict(
        Membership.objects.filter(user__username=username).values_list("department__name", "role")
    )


def group(slapd, cn: str, ou: str, *uids: str):
    """For the duration of a test, a groupOfNames `cn` inside `ou` listing `uids`."""
    dn = f"cn={cn},ou={ou},{COMPANY}"
    attributes = [
        ("objectClass", [b"groupOfNames"]),
        ("cn", [cn.encode()]),
        ("member", [person_dn(uid).encode() for uid in uids]),
    ]
    return slapd.changed(lambda d: d.add_s(dn, attributes), lambda d: d.delete_s(dn))


@pytest.fixture
def groups(settings, slapd):
    """Use the groups named accord-members and accord-heads; `add(...)` creates one."""
    with ExitStack() as stack:

        def configure(**environment):
            use_ldap(
                settings,
                slapd.environment(
                    LDAP_UNIT_MEMBERS_GROUP_CN="accord-members",
                    LDAP_UNIT_HEADS_GROUP_CN="accord-heads",
                    **environment,
                ),
            )

        def add(cn, ou, *uids):
            stack.enter_context(group(slapd, cn, ou, *uids))

        configure.add = add
        yield configure


def synced():
    return sync.apply(read_snapshot(), dry_run=False)


def test_groups_inside_ous_add_memberships_and_name_heads(groups):
    groups(LDAP_HEADS_FROM_MANAGER="true")
    groups.add("accord-members", "Sales", "fliu", "mchen")
    groups.add("accord-heads", "HR", "hlin")

    synced()

    assert roles("fliu") == {"Finance": HEAD, "Sales": MEMBER}
    assert roles("mchen") == {"Finance": MEMBER, "Sales": MEMBER}
    assert roles("hlin") == {"HR": HEAD}
    assert roles("hyang") == {"HR": MEMBER}  # the heads group names her, the unit's group wins
    assert roles("lwang") == {"Sales": HEAD}


def test_with_members_from_groups_only_the_ou_a_person_sits_in_gives_no_membership(groups):
    groups(LDAP_MEMBERS_FROM_OU="false", LDAP_HEADS_GROUP="", LDAP_AGENTS_GROUP="")
    groups.add("accord-members", "Finance", "mchen", "ahuang", "lwang")
    groups.add("accord-heads", "Finance", "fliu")

    synced()

    assert roles("mchen") == {"Finance": MEMBER}
    assert roles("lwang") == {"Finance": MEMBER}  # sits in Sales
    assert roles("fliu") == {"Finance": HEAD}
    assert roles("sli") == {}
    assert roles("hsun") == {"Helpdesk": AGENT}  # the agents group inside Helpdesk


def test_two_heads_in_a_unit_group_leave_one_head_and_a_notice(groups):
    groups(LDAP_HEADS_GROUP="")
    groups.add("accord-heads", "Sales", "lwang", "sli")

    plan = synced()

    assert roles("lwang") == {"Sales": HEAD}
    assert roles("sli") == {"Sales": AGENT}
    assert any("also named head of Sales" in line for line in plan.notice_lines())


def test_leaving_a_group_ends_the_membership_at_the_next_sync(groups, slapd):
    import ldap

    groups(LDAP_MEMBERS_FROM_OU="false")
    groups.add("accord-members", "Sales", "fliu", "mchen")
    synced()
    assert "Sales" in roles("mchen")

    dn = f"cn=accord-members,ou=Sales,{COMPANY}"
    only_fliu = [(ldap.MOD_REPLACE, "member", [person_dn("fliu").encode()])]
    with slapd.changed(lambda d: d.modify_s(dn, only_fliu), lambda d: None):
        plan = synced()

    assert roles("mchen") == {}
    assert "mchen leaves Sales." in plan.lines()
    assert roles("fliu") == {"Finance": HEAD, "Sales": MEMBER}
