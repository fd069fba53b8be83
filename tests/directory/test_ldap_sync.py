"""The directory sync (directory.sync) fed by the LDAP source from the real slapd of
tests/support/slapd.py: the org chart it builds, a second run that writes nothing, a move and a
disabled account. What a leaver hands over is tested with the sync itself (test_leavers)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department, Membership
from directory import sync
from directory.sources.ldap import read_snapshot
from directory.tasks import sync_directory
from tests.support.slapd import COMPANY, person_dn, use_ldap
from tests.support.smtp import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
User = get_user_model()
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def directory(settings, slapd):
    use_ldap(settings, slapd.environment(LDAP_HEADS_FROM_MANAGER="true"))
    return slapd


def synced():
    return sync.apply(read_snapshot(), dry_run=False)


def roles(username):
    """Department name → role of `username`'s memberships."""
    return dict(
        Membership.objects.filter(user__username=username).values_list("department__name", "role")
    )


def test_a_sync_from_the_directory_builds_the_org_chart(directory):
    synced()

    parents = dict(Department.objects.values_list("name", "parent__name"))
    assert parents == {
        "Company": None, "Finance": "Company", "Sales": "Company", "HR": "Company",
        "IT": "Company", "Helpdesk": "IT",
    }  # fmt: skip
    assert roles("fliu") == {"Finance": Membership.Role.HEAD}
    assert roles("ahuang") == {"Finance": Membership.Role.AGENT}
    assert roles("mchen") == {"Finance": Membership.Role.MEMBER}
    assert roles("izhou") == {"IT": Membership.Role.HEAD, "Helpdesk": Membership.Role.HEAD}
    assert roles("hsun") == {"Helpdesk": Membership.Role.AGENT}
    mchen = User.objects.get(username="mchen")
    assert (mchen.first_name, mchen.email, mchen.profile.language) == (
        "Mei", "mchen@example.com", "zh-hans"
    )  # fmt: skip
    assert not mchen.has_usable_password()


def test_a_second_sync_with_no_change_writes_nothing(directory):
    synced()

    with CaptureQueriesContext(connection) as queries:
        second = synced()

    assert not second
    assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith(WRITES)] == []


def test_a_person_moved_to_another_ou_moves_their_membership(directory):
    synced()
    mchen = User.objects.get(username="mchen")

    with directory.changed(
        lambda d: d.rename_s(person_dn("mchen"), "uid=mchen", f"ou=Sales,{COMPANY}"),
        lambda d: d.rename_s(f"uid=mchen,ou=Sales,{COMPANY}", "uid=mchen", f"ou=Finance,{COMPANY}"),
    ):
        synced()

    assert User.objects.get(username="mchen").pk == mchen.pk
    assert roles("mchen") == {"Sales": Membership.Role.MEMBER}


def test_an_account_disabled_in_the_directory_becomes_a_leaver(directory):
    import ldap

    synced()
    assert User.objects.get(username="hlin").is_active

    locked = [(ldap.MOD_ADD, "pwdAccountLockedTime", b"000001010000Z")]
    unlocked = [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)]
    with directory.changed(
        lambda d: d.modify_s(person_dn("hlin"), locked),
        lambda d: d.modify_s(person_dn("hlin"), unlocked),
    ):
        plan = synced()

    assert not User.objects.get(username="hlin").is_active
    assert any("hlin" in line for line in plan.lines())


def test_the_command_shows_what_a_sync_from_ldap_would_change_then_applies_it(directory):
    planned = StringIO()
    call_command("sync_directory", "--dry-run", stdout=planned)

    assert "nothing was changed" in planned.getvalue()
    assert not Department.objects.exists()
    call_command("sync_directory", stdout=StringIO())
    assert Department.objects.filter(name="Helpdesk", parent__name="IT").exists()


def test_the_nightly_job_run_twice_syncs_from_ldap_once(directory):
    first, second = sync_directory(), sync_directory()

    assert first["source"] == second["source"] == "ldap"
    assert first["changes"] > 0
    assert second == {"source": "ldap", "changes": 0}


def test_a_directory_out_of_reach_is_reported_and_changes_nothing(settings, slapd):
    use_ldap(settings, slapd.environment(LDAP_SERVER_URI=f"ldap://127.0.0.1:{free_port()}"))

    with pytest.raises(CommandError, match="The LDAP directory could not be read"):
        call_command("sync_directory", stdout=StringIO())
    assert "could not be read" in sync_directory()["error"]
    assert not Department.objects.exists()
