"""The cap on mass deactivation (directory.mass_leavers): a sync that would deactivate too many
people at once deactivates nobody, applies the rest, keeps a hold told once to the
administrators, and the next sync after a confirmation applies it. An empty source deactivates
nobody at all."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory import letters, sync
from directory.mass_leavers import HoldClosed, confirm_hold, deactivation_limit
from directory.models import DeactivationHold, Handover
from directory.snapshot import Unit
from directory.tasks import sync_directory
from outbox import sending
from outbox.models import Message
from tests.directory.test_sync import COMPANY, FINANCE, person, snapshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
WRITES = ("INSERT", "UPDATE", "DELETE")


def company(size: int, *, leaving: int = 0, finance_name: str = "Finance"):
    """`size` people in Finance, the last `leaving` of them gone from the directory."""
    finance = Unit(key=FINANCE.key, name=finance_name, code="FIN", parent_key=COMPANY.key)
    people = [person(f"p{n:02}", FINANCE.key) for n in range(size - leaving)]
    return snapshot(*people, units=(COMPANY, finance))


def active(*usernames: str) -> list[bool]:
    found = dict(User.objects.filter(username__in=usernames).values_list("username", "is_active"))
    return [found[name] for name in usernames]


@pytest.fixture
def admins():
    return [
        UserFactory(username="root", is_staff=True, is_superuser=True),
        UserFactory(username="ops", is_staff=True, is_superuser=True),
    ]


def test_the_limit_is_a_share_of_the_active_people_but_never_below_the_floor(settings):
    settings.DIRECTORY_DEACTIVATION_LIMIT_PERCENT = 10
    settings.DIRECTORY_DEACTIVATION_LIMIT_FLOOR = 3

    assert [deactivation_limit(n) for n in (0, 12, 39, 40, 50, 1000)] == [3, 3, 3, 4, 5, 100]


def test_a_small_company_can_lose_up_to_the_floor_in_one_sync(admins):
    sync.apply(company(12), dry_run=False)

    plan = sync.apply(company(12, leaving=3), dry_run=False)

    assert active("p08", "p09", "p10", "p11") == [True, False, False, False]
    assert plan.notices == []
    assert not DeactivationHold.objects.exists()


def test_too_many_leavers_are_held_and_the_rest_of_the_sync_is_applied(admins):
    sync.apply(company(30), dry_run=False)

    plan = sync.apply(company(30, leaving=4, finance_name="Finance & Tax"), dry_run=False)

    assert active("p25", "p26", "p29") == [True, True, True]
    assert "Department Finance is renamed Finance & Tax." in plan.lines()
    assert not any("deactivated" in line for line in plan.lines())
    assert plan.notice_lines() == [
        "4 people are no longer active in the directory, more than the 3 one sync may "
        "deactivate (of 30 active): nobody is deactivated until an administrator confirms."
    ]
    hold = DeactivationHold.objects.get()
    assert (hold.source, hold.active_count, hold.limit, hold.confirmed_at) == ("ldap", 30, 3, None)
    assert sorted(hold.people.values_list("username", flat=True)) == ["p26", "p27", "p28", "p29"]
    told = Message.objects.filter(kind=letters.DEACTIVATIONS_HELD)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["ops", "root"]
    assert not Handover.objects.exists()


def test_the_administrators_are_told_once_and_a_second_sync_writes_nothing(admins):
    sync.apply(company(30), dry_run=False)
    sync.apply(company(30, leaving=4), dry_run=False)

    with CaptureQueriesContext(connection) as queries:
        plan = sync.apply(company(30, leaving=4), dry_run=False)

    assert not plan and len(plan.notices) == 1
    assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith(WRITES)] == []
    assert Message.objects.filter(kind=letters.DEACTIVATIONS_HELD).count() == 2


def test_the_held_e_mail_names_the_people_and_links_to_the_hold(admins, mailoutbox):
    sync.apply(company(30), dry_run=False)
    sync.apply(company(30, leaving=4), dry_run=False)
    sending.send(
        Message.objects.filter(kind=letters.DEACTIVATIONS_HELD).values_list("pk", flat=True)
    )

    hold = DeactivationHold.objects.get()
    email = mailoutbox[0]
    assert email.subject == "Directory sync: 4 deactivations held back"
    assert "p26, p27, p28, p29" in email.body
    assert reverse("admin:directory_deactivationhold_change", args=[hold.pk]) in email.body


def test_a_dry_run_shows_the_hold_and_records_nothing(admins):
    sync.apply(company(30), dry_run=False)

    plan = sync.plan(company(30, leaving=4))

    assert len(plan.notices) == 1
    assert not DeactivationHold.objects.exists()
    assert not Message.objects.filter(kind=letters.DEACTIVATIONS_HELD).exists()


def test_confirmed_deactivations_are_applied_by_the_next_sync_which_closes_the_hold(admins):
    sync.apply(company(30), dry_run=False)
    sync.apply(company(30, leaving=4), dry_run=False)
    hold = DeactivationHold.objects.get()

    confirm_hold(hold_id=hold.pk, by=admins[0])
    assert active("p26") == [True]
    plan = sync.apply(company(30, leaving=4), dry_run=False)

    assert active("p25", "p26", "p29") == [True, False, False]
    assert plan.counts()["person_deactivated"] == 4
    assert Handover.objects.count() == 4
    hold.refresh_from_db()
    assert hold.confirmed_by == admins[0]
    assert hold.closed_at is not None
    assert Message.objects.filter(kind=letters.DEACTIVATIONS_HELD).count() == 2


def test_a_confirmation_covers_only_the_people_held(admins):
    sync.apply(company(30), dry_run=False)
    sync.apply(company(30, leaving=4), dry_run=False)
    first = DeactivationHold.objects.get()
    confirm_hold(hold_id=first.pk, by=admins[0])

    sync.apply(company(30, leaving=8), dry_run=False)

    assert active("p21", "p22", "p26") == [True, True, False]
    second = DeactivationHold.objects.get(closed_at__isnull=True)
    assert sorted(second.people.values_list("username", flat=True)) == [
        "p22", "p23", "p24", "p25",
    ]  # fmt: skip
    assert Message.objects.filter(kind=letters.DEACTIVATIONS_HELD, about_id=second.pk).count() == 2


def test_a_hold_closes_when_the_directory_names_the_people_again(admins):
    sync.apply(company(30), dry_run=False)
    sync.apply(company(30, leaving=4), dry_run=False)

    sync.apply(company(30), dry_run=False)

    assert DeactivationHold.objects.get().closed_at is not None
    assert active("p29") == [True]
    with pytest.raises(HoldClosed):
        confirm_hold(hold_id=DeactivationHold.objects.get().pk, by=admins[0])


def test_a_directory_that_names_nobody_active_is_refused_and_deactivates_nobody(admins):
    sync.apply(company(3), dry_run=False)

    with pytest.raises(sync.SyncError, match="names nobody active"):
        sync.apply(company(3, leaving=3), dry_run=False)

    assert active("p00", "p01", "p02") == [True, True, True]


# The org file, the nightly job and the command -----------------------------------------------

HEADER = "department_code,department_name,parent_code,username,email,first_name,last_name,role\n"


def org_file_of(path, size: int) -> None:
    rows = [f"FIN,Finance,,p{n:02},p{n:02}@example.com,P,{n},member\n" for n in range(size)]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")


@pytest.fixture
def org_file(tmp_path, settings):
    path = tmp_path / "org.csv"
    org_file_of(path, 30)
    settings.DIRECTORY_ORG_FILE = str(path)
    settings.LDAP_SERVER_URI = ""
    return path


def test_the_nightly_job_holds_mass_leavers_of_the_org_file_and_logs_why(org_file, caplog, admins):
    sync_directory()
    org_file_of(org_file, 20)

    assert sync_directory() == {"source": "orgfile", "changes": 0}
    assert sync_directory() == {"source": "orgfile", "changes": 0}

    assert active("p19", "p20", "p29") == [True, True, True]
    assert "10 people are no longer active" in caplog.text
    assert Message.objects.filter(kind=letters.DEACTIVATIONS_HELD).count() == 2


def test_the_command_confirms_the_held_deactivations_and_applies_them(org_file, admins):
    sync_directory()
    org_file_of(org_file, 20)
    sync_directory()
    out = StringIO()

    call_command("sync_directory", "--confirm-deactivations", stdout=out)

    assert "Confirmed the 10 deactivations" in out.getvalue()
    assert "10 changes applied." in out.getvalue()
    assert active("p19", "p20", "p29") == [True, False, False]
    assert DeactivationHold.objects.get().closed_at is not None


def test_the_command_has_nothing_to_confirm_without_a_hold(org_file):
    with pytest.raises(CommandError, match="nothing to confirm"):
        call_command("sync_directory", "--confirm-deactivations", stdout=StringIO())


def test_an_empty_org_file_deactivates_nobody(org_file):
    sync_directory()
    org_file.write_text("", encoding="utf-8")

    assert "error" in sync_directory()
    org_file.write_text(HEADER, encoding="utf-8")
    assert "error" in sync_directory()
    with pytest.raises(CommandError):
        call_command("sync_directory", stdout=StringIO())

    assert User.objects.filter(is_active=True).count() == 30


def test_an_org_file_of_departments_without_people_deactivates_nobody(org_file):
    sync_directory()
    org_file.write_text(HEADER + "FIN,Finance,,,,,,\n", encoding="utf-8")

    assert "names nobody active" in sync_directory()["error"]
    assert User.objects.filter(is_active=True).count() == 30


# The admin --------------------------------------------------------------------------------------


@pytest.fixture
def hold(admins):
    sync.apply(company(30), dry_run=False)
    sync.apply(company(30, leaving=4), dry_run=False)
    return DeactivationHold.objects.get()


def confirm_in_admin(client, hold):
    return client.post(
        reverse("admin:directory_deactivationhold_changelist"),
        {"action": "confirm_deactivations", "_selected_action": [hold.pk]},
    )


def test_an_administrator_confirms_a_hold_in_the_admin_and_the_next_sync_applies_it(client, hold):
    client.force_login(User.objects.get(username="root"))

    page = client.get(reverse("admin:directory_deactivationhold_change", args=[hold.pk]))
    assert "p26, p27, p28, p29" in page.content.decode()
    response = confirm_in_admin(client, hold)

    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.confirmed_by.username == "root"
    sync.apply(company(30, leaving=4), dry_run=False)
    assert active("p26") == [False]


def test_whoever_may_sync_the_directory_may_confirm(client, hold):
    syncer = UserFactory(is_staff=True)
    syncer.user_permissions.add(Permission.objects.get(codename="sync_directory"))
    client.force_login(syncer)

    assert confirm_in_admin(client, hold).status_code == 302

    hold.refresh_from_db()
    assert hold.confirmed_by == syncer


def test_staff_who_may_not_sync_neither_see_nor_confirm_holds(client, hold):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("admin:directory_deactivationhold_changelist")).status_code == 403
    assert confirm_in_admin(client, hold).status_code == 403

    hold.refresh_from_db()
    assert hold.confirmed_at is None


# LDAP (the real slapd of tests/support/slapd.py) -----------------------------------------------


@pytest.fixture
def directory(settings, slapd):
    from tests.support.slapd import use_ldap

    use_ldap(settings, slapd.environment(LDAP_HEADS_FROM_MANAGER="true"))
    sync_directory()
    assert User.objects.filter(is_active=True).count() == 12
    return slapd


@pytest.mark.slow
def test_an_ldap_search_that_finds_nobody_deactivates_nobody(directory, settings):
    settings.LDAP_PERSON_FILTER = "(&(objectClass=inetOrgPerson)(uid=nobody-at-all))"

    assert "names nobody active" in sync_directory()["error"]

    assert User.objects.filter(is_active=True).count() == 12


@pytest.mark.slow
def test_an_ldap_base_that_is_gone_deactivates_nobody(directory, settings):
    settings.LDAP_DIRECTORY_BASE = "ou=Gone,dc=example,dc=com"

    assert "could not be read" in sync_directory()["error"]

    assert User.objects.filter(is_active=True).count() == 12


@pytest.mark.slow
def test_an_ldap_server_out_of_reach_deactivates_nobody(directory, settings):
    from tests.support.smtp import free_port

    settings.AUTH_LDAP_SERVER_URI = f"ldap://127.0.0.1:{free_port()}"

    assert "could not be read" in sync_directory()["error"]

    assert User.objects.filter(is_active=True).count() == 12


@pytest.mark.slow
def test_too_many_people_gone_from_ldap_are_held_until_confirmed(directory, settings, admins):
    settings.DIRECTORY_DEACTIVATION_LIMIT_FLOOR = 1
    settings.LDAP_PERSON_FILTER = "(&(objectClass=inetOrgPerson)(!(uid=h*)))"

    sync_directory()
    assert active("hyang", "hlin", "hsun") == [True, True, True]
    hold = DeactivationHold.objects.get()
    assert sorted(hold.people.values_list("username", flat=True)) == ["hlin", "hsun", "hyang"]

    call_command("sync_directory", "--confirm-deactivations", stdout=StringIO())
    assert active("hyang", "hlin", "hsun", "fliu") == [False, False, False, True]
