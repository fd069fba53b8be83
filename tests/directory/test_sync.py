"""The directory sync: what it plans, what it applies, and that a second run writes nothing."""

from dataclasses import replace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department, Membership, Profile
from directory import sync
from directory.models import DirectoryAccount, SyncRun
from directory.snapshot import Person, Snapshot, Unit
from outbox.models import Message
from tests.factories import DepartmentFactory

User = get_user_model()
WRITES = ("INSERT", "UPDATE", "DELETE")

COMPANY = Unit(key="ou=company", name="Company", code="CO", parent_key=None)
FINANCE = Unit(key="ou=finance", name="Finance", code="FIN", parent_key="ou=company")
SALES = Unit(key="ou=sales", name="Sales", code="SALES", parent_key="ou=company")


def person(username, *units, head_of=(), agent_of=(), active=True, **fields):
    return Person(
        key=fields.pop("key", f"uid={username}"),
        username=username,
        email=fields.pop("email", f"{username}@example.com"),
        first_name=fields.pop("first_name", username.title()),
        last_name=fields.pop("last_name", "Doe"),
        active=active,
        unit_keys=tuple(units),
        head_of=tuple(head_of),
        agent_of=tuple(agent_of),
        **fields,
    )


def snapshot(*people, units=(COMPANY, FINANCE, SALES)):
    return Snapshot(source="ldap", units=tuple(units), people=tuple(people))


def company_of(size: int) -> Snapshot:
    units = [COMPANY] + [
        Unit(key=f"ou=d{n}", name=f"Department {n}", code=f"D{n}", parent_key="ou=company")
        for n in range(10)
    ]
    people = [
        person(
            f"p{n}",
            f"ou=d{n % 10}",
            head_of=[f"ou=d{n % 10}"] if n < 10 else [],
            agent_of=[f"ou=d{n % 10}"] if n % 3 == 0 and n >= 10 else [],
        )
        for n in range(size)
    ]
    return snapshot(*people, units=units)


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]


def roles() -> set[tuple[str, str, str]]:
    return set(Membership.objects.values_list("user__username", "department__code", "role"))


ORG = snapshot(
    person("fang", "ou=finance", head_of=["ou=finance"], language="zh-CN"),
    person("alex", "ou=finance", agent_of=["ou=finance"]),
    person("sam", "ou=sales"),
)


@pytest.mark.django_db
def test_plan_says_what_would_change_and_changes_nothing():
    plan = sync.plan(ORG)

    lines = plan.lines()
    assert "New department Finance (FIN) under Company." in lines
    assert "New department Company (CO) under the top level." in lines
    assert "New person fang (Fang Doe), signing in through the directory." in lines
    assert "fang joins Finance as Head." in lines
    assert "alex joins Finance as Agent." in lines
    assert "Head of Finance: nobody becomes fang." in lines
    assert not plan.applied
    assert not Department.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_apply_builds_the_org_chart_with_parents_roles_and_sso_only_people():
    plan = sync.apply(ORG, dry_run=False)

    assert plan.applied
    finance = Department.objects.get(code="FIN")
    assert finance.parent.code == "CO" and finance.directory_key == "ou=finance"
    assert roles() == {
        ("fang", "FIN", "head"),
        ("alex", "FIN", "agent"),
        ("sam", "SALES", "member"),
    }
    fang = User.objects.get(username="fang")
    assert fang.is_active and not fang.has_usable_password()
    assert fang.email == "fang@example.com" and fang.first_name == "Fang"
    assert Profile.objects.get(user=fang).language == "zh-hans"
    assert DirectoryAccount.objects.get(user=fang).key == "uid=fang"
    run = SyncRun.objects.get()
    assert run.change_count == len(plan.changes) and run.source == "ldap"


@pytest.mark.django_db
def test_a_dry_run_writes_nothing():
    with CaptureQueriesContext(connection) as queries:
        plan = sync.apply(ORG, dry_run=True)

    assert plan.changes and not plan.applied
    assert writes(queries) == []


@pytest.mark.django_db
def test_a_second_run_with_no_change_writes_nothing():
    sync.apply(ORG, dry_run=False)

    with CaptureQueriesContext(connection) as queries:
        plan = sync.apply(ORG, dry_run=False)

    assert plan.changes == [] and not plan.applied
    assert writes(queries) == []
    assert SyncRun.objects.count() == 1


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_people():
    counts = []
    for size in (50, 500):
        Membership.objects.all().delete()
        DirectoryAccount.objects.all().delete()
        User.objects.all().delete()
        Department.objects.update(parent=None)
        Department.objects.all().delete()
        with CaptureQueriesContext(connection) as first:
            sync.apply(company_of(size), dry_run=False)
        with CaptureQueriesContext(connection) as second:
            sync.apply(company_of(size), dry_run=False)
        counts.append((len(first), len(second)))
        assert Membership.objects.count() == size

    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_a_department_that_leaves_the_directory_is_archived_and_restored_when_it_returns():
    sync.apply(ORG, dry_run=False)
    without_sales = snapshot(
        person("fang", "ou=finance", head_of=["ou=finance"], language="zh-CN"),
        person("alex", "ou=finance", agent_of=["ou=finance"]),
        person("sam", "ou=finance"),
        units=(COMPANY, FINANCE),
    )

    plan = sync.apply(without_sales, dry_run=False)

    sales = Department.objects.get(code="SALES")
    assert sales.archived_at is not None
    assert "Department Sales is archived: it is no longer in the directory." in plan.lines()
    assert ("sam", "SALES", "member") not in roles()
    assert Department.objects.current().filter(code="SALES").exists() is False

    plan = sync.apply(ORG, dry_run=False)

    assert "Department Sales is restored: it is back in the directory." in plan.lines()
    sales.refresh_from_db()
    assert sales.archived_at is None
    assert ("sam", "SALES", "member") in roles()


@pytest.mark.django_db
def test_renames_and_moves_follow_the_directory():
    sync.apply(ORG, dry_run=False)
    moved = snapshot(
        person("sam", "ou=sales"),
        units=(
            COMPANY,
            FINANCE,
            Unit(key="ou=sales", name="Sales & Marketing", code="SALES", parent_key="ou=finance"),
        ),
    )

    plan = sync.apply(moved, dry_run=False)

    sales = Department.objects.get(code="SALES")
    assert sales.name == "Sales & Marketing" and sales.parent.code == "FIN"
    assert "Department Sales is renamed Sales & Marketing." in plan.lines()
    assert "Department Sales & Marketing moves from under Company to under Finance." in plan.lines()


@pytest.mark.django_db
def test_two_departments_may_swap_names():
    sync.apply(ORG, dry_run=False)
    swapped = snapshot(
        *ORG.people,
        units=(
            COMPANY,
            Unit(key="ou=finance", name="Sales", code="SALES", parent_key="ou=company"),
            Unit(key="ou=sales", name="Finance", code="FIN", parent_key="ou=company"),
        ),
    )

    sync.apply(swapped, dry_run=False)

    assert Department.objects.get(directory_key="ou=finance").name == "Sales"
    assert Department.objects.get(directory_key="ou=sales").code == "FIN"


@pytest.mark.django_db
def test_a_new_head_takes_over_and_the_old_one_stays_an_agent():
    sync.apply(ORG, dry_run=False)
    new_head = snapshot(
        person("fang", "ou=finance", agent_of=["ou=finance"], language="zh-CN"),
        person("alex", "ou=finance", head_of=["ou=finance"]),
        person("sam", "ou=sales"),
    )

    plan = sync.apply(new_head, dry_run=False)

    assert ("alex", "FIN", "head") in roles() and ("fang", "FIN", "agent") in roles()
    assert "Head of Finance: fang becomes alex." in plan.lines()
    assert "fang in Finance: Head becomes Agent." in plan.lines()


@pytest.mark.django_db
def test_a_department_left_without_a_head_is_flagged_to_the_administrators(admin_user):
    sync.apply(ORG, dry_run=False)
    headless = snapshot(
        person("fang", "ou=finance", language="zh-CN"),
        person("alex", "ou=finance", agent_of=["ou=finance"]),
        person("sam", "ou=sales"),
    )

    plan = sync.apply(headless, dry_run=False)

    assert "Head of Finance: fang becomes nobody." in plan.lines()
    assert Message.objects.filter(kind="directory.head_vacant", recipient=admin_user).exists()


@pytest.mark.django_db
def test_a_second_head_named_for_a_department_is_made_an_agent_with_a_notice():
    plan = sync.apply(
        snapshot(
            person("fang", "ou=finance", head_of=["ou=finance"]),
            person("alex", "ou=finance", head_of=["ou=finance"]),
        ),
        dry_run=False,
    )

    assert roles() == {("alex", "FIN", "head"), ("fang", "FIN", "agent")}
    assert plan.notice_lines() == [
        "fang is also named head of Finance, which alex heads: made an agent."
    ]


@pytest.mark.django_db
def test_a_person_who_leaves_or_is_disabled_is_deactivated_and_handed_over():
    sync.apply(ORG, dry_run=False)
    leavers = snapshot(
        person("fang", "ou=finance", head_of=["ou=finance"], language="zh-CN"),
        person("alex", "ou=finance", agent_of=["ou=finance"], active=False),
    )

    plan = sync.apply(leavers, dry_run=False)

    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {
        "alex",
        "sam",
    }
    assert "sam is deactivated and hands over what they hold." in plan.lines()
    assert roles() == {("fang", "FIN", "head")}
    assert User.objects.get(username="sam").handovers.exists()
    assert sync.apply(leavers, dry_run=False).changes == []


@pytest.mark.django_db
def test_a_person_back_in_the_directory_is_active_again():
    sync.apply(ORG, dry_run=False)
    sync.apply(snapshot(person("fang", "ou=finance", head_of=["ou=finance"])), dry_run=False)

    plan = sync.apply(ORG, dry_run=False)

    assert User.objects.get(username="sam").is_active
    assert "sam is active again." in plan.lines()
    assert ("sam", "SALES", "member") in roles()


@pytest.mark.django_db
def test_people_and_departments_typed_by_hand_are_adopted_not_duplicated(staff, sales):
    plan = sync.apply(
        snapshot(
            person("staff", "ou=sales", first_name="Sam", last_name="Li"),
            units=(replace(SALES, parent_key=None),),
        ),
        dry_run=False,
    )

    assert "staff, already in Accord, is linked to the directory." in plan.lines()
    assert Department.objects.get(pk=sales.pk).directory_key == "ou=sales"
    assert DirectoryAccount.objects.get(key="uid=staff").user == staff
    assert User.objects.filter(username="staff").count() == 1
    assert staff.memberships.get().department == sales
    staff.refresh_from_db()
    assert staff.has_usable_password(), "an adopted person keeps their password"


@pytest.mark.django_db
def test_a_mover_keeps_past_requests_under_the_department_filed_for(
    staff, sales, finance, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    sync.apply(
        snapshot(
            person("staff", "ou=finance", first_name="Sam", last_name="Li"),
            units=(replace(FINANCE, parent_key=None), replace(SALES, parent_key=None)),
        ),
        dry_run=False,
    )

    ticket.refresh_from_db()
    assert ticket.customer == sales and ticket.requester == staff
    assert list(staff.memberships.values_list("department__code", flat=True)) == ["FIN"]


@pytest.mark.django_db
def test_a_unit_code_without_latin_letters_gets_a_code_of_its_own():
    sync.apply(
        snapshot(units=(Unit(key="ou=财务部", name="财务部", code="财务", parent_key=None),)),
        dry_run=False,
    )

    department = Department.objects.get(name="财务部")
    assert department.code.startswith("D") and len(department.code) == 9


@pytest.mark.django_db
def test_a_name_some_other_department_holds_gets_the_code_appended():
    DepartmentFactory(
        code="EXEC", name="Executive Office", directory_source="orgfile", directory_key="exec"
    )
    sync.apply(
        snapshot(units=(Unit(key="ou=x", name="Executive Office", code="EO", parent_key=None),)),
        dry_run=False,
    )

    assert Department.objects.get(code="EO").name == "Executive Office (EO)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (snapshot(units=()), "The directory has no departments; nothing was changed."),
        (
            snapshot(units=(Unit(key="a", name="A", code="A", parent_key="b"),)),
            "Department A is under b, which is not in the directory.",
        ),
        (
            snapshot(
                units=(
                    Unit(key="a", name="A", code="A", parent_key="b"),
                    Unit(key="b", name="B", code="B", parent_key="a"),
                )
            ),
            "Department A is inside itself (its parents make a cycle).",
        ),
        (
            snapshot(person("sam", "ou=nowhere")),
            "sam belongs to ou=nowhere, which is not a department in the directory.",
        ),
        (
            snapshot(person("sam", "ou=sales"), person("SAM", "ou=sales", key="uid=other")),
            "Two people have the username SAM.",
        ),
    ],
)
def test_a_snapshot_that_cannot_be_applied_changes_nothing(bad, message):
    with pytest.raises(sync.SyncError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sync.apply(bad, dry_run=False)

    assert not Department.objects.exists()


@pytest.mark.django_db
def test_a_sync_failing_halfway_leaves_nothing_done(monkeypatch):
    def fail(**fields):
        raise RuntimeError("killed halfway")

    monkeypatch.setattr(SyncRun.objects, "create", fail)

    with pytest.raises(RuntimeError):
        sync.apply(ORG, dry_run=False)

    assert not Department.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_a_newcomer_whose_username_another_linked_person_holds_is_left_out_with_a_notice():
    sync.apply(ORG, dry_run=False)
    newcomer = person("SAM", "ou=sales", key="uid=sam-2")

    plan = sync.apply(
        snapshot(
            *[p for p in ORG.people if p.username != "sam"],
            newcomer,
            person("sam2", "ou=sales", key="uid=sam"),
        ),
        dry_run=False,
    )

    assert plan.notice_lines() == [
        "SAM is not added: another person in Accord, linked to another entry of the directory, "
        "has that username."
    ]
    assert set(User.objects.values_list("username", flat=True)) == {"fang", "alex", "sam2"}


@pytest.mark.django_db
def test_a_new_department_may_take_the_name_an_adopted_one_gives_up():
    DepartmentFactory(code="FIN", name="Finance")
    units = (
        Unit(key="ou=money", name="Money", code="FIN", parent_key=None),
        Unit(key="ou=finance", name="Finance", code="FINANCE", parent_key=None),
    )

    sync.apply(snapshot(units=units), dry_run=False)

    assert set(Department.objects.values_list("code", "name")) == {
        ("FIN", "Money"),
        ("FINANCE", "Finance"),
    }


@pytest.mark.django_db
def test_two_departments_may_swap_names_and_keep_their_codes():
    sync.apply(ORG, dry_run=False)
    swapped = snapshot(
        *ORG.people,
        units=(
            COMPANY,
            Unit(key="ou=finance", name="Sales", code="FIN", parent_key="ou=company"),
            Unit(key="ou=sales", name="Finance", code="SALES", parent_key="ou=company"),
        ),
    )

    sync.apply(swapped, dry_run=False)

    assert set(Department.objects.values_list("code", "name")) == {
        ("CO", "Company"),
        ("FIN", "Sales"),
        ("SALES", "Finance"),
    }
    assert sync.apply(swapped, dry_run=False).changes == []
