"""Departments and memberships through the API: everyone signed in reads them as the pages show
them (archived departments flagged), administrators change them under the directory's rules (the
model's validation, one head per department, a department left without a head flagged to the
administrators as the sync flags it)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from departments.models import Department, Membership
from directory import letters
from outbox.models import Message
from tests.factories import DepartmentFactory, UserFactory

CAST = ["outsider", "staff", "agent", "head", "hr", "admin_user"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def head_vacant_notes(department) -> list[str]:
    return list(
        Message.objects.filter(kind=letters.HEAD_VACANT, about_id=department.pk).values_list(
            "recipient__username", flat=True
        )
    )


@pytest.mark.parametrize("who", CAST)
def test_everyone_signed_in_reads_the_departments_and_their_members(
    request, who, staff, agent, head, finance, human_resources
):
    client = api(request.getfixturevalue(who))
    listed = client.get("/api/departments/").json()
    assert [d["code"] for d in listed["results"]] == ["EXEC", "FIN", "HR", "SALES"]
    finance_row = client.get("/api/departments/fin/").json()
    assert finance_row["head"] == "head" and finance_row["member_count"] == 2
    assert finance_row["parent"]["code"] == "EXEC"
    members = client.get("/api/memberships/", {"department": "FIN"}).json()["results"]
    assert [(m["person"]["username"], m["role"]) for m in members] == [
        ("head", "head"),
        ("agent", "agent"),
    ]


def test_an_archived_department_is_flagged_and_can_be_left_out(staff, company):
    DepartmentFactory(code="OLD", name="Old Office", archived_at=timezone.now())
    client = api(staff)
    old = client.get("/api/departments/OLD/").json()
    assert old["archived"] is True and old["archived_at"]
    assert [d["code"] for d in client.get("/api/departments/", {"archived": "no"}).json()[
        "results"
    ]] == ["EXEC", "SALES"]  # fmt: skip
    assert [d["code"] for d in client.get("/api/departments/", {"archived": "yes"}).json()[
        "results"
    ]] == ["OLD"]  # fmt: skip


@pytest.mark.parametrize("who", ["outsider", "staff", "agent", "head", "hr"])
def test_only_administrators_change_the_organisation(request, who, finance, agent):
    client = api(request.getfixturevalue(who))
    membership = Membership.objects.get(user=agent)
    assert client.post("/api/departments/", {"code": "LEGAL", "name": "Legal"}).status_code == 403
    assert client.patch("/api/departments/FIN/", {"name": "Money"}).status_code == 403
    assert (
        client.post(
            "/api/memberships/", {"user": "agent", "department": "EXEC", "role": "member"}
        ).status_code
        == 403
    )
    assert client.patch(f"/api/memberships/{membership.pk}/", {"role": "head"}).status_code == 403
    assert client.delete(f"/api/memberships/{membership.pk}/").status_code == 403
    assert not Department.objects.filter(code="LEGAL").exists()
    assert Membership.objects.filter(pk=membership.pk, role="agent").exists()


def test_an_administrator_creates_and_changes_a_department(admin_user, company):
    client = api(admin_user)
    created = client.post(
        "/api/departments/", {"code": "legal", "name": "Legal", "parent": "EXEC"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["code"] == "LEGAL" and created.json()["parent"]["code"] == "EXEC"
    changed = client.patch("/api/departments/LEGAL/", {"name": "Legal & Compliance"})
    assert changed.status_code == 200 and changed.json()["name"] == "Legal & Compliance"


def test_a_department_cannot_sit_inside_itself(admin_user, company, finance):
    answer = api(admin_user).patch("/api/departments/EXEC/", {"parent": "FIN"}, format="json")
    assert answer.status_code == 400 and "parent" in answer.json()
    assert Department.objects.get(code="EXEC").parent is None


def test_a_code_or_name_taken_is_a_400_by_field(admin_user, finance):
    answer = api(admin_user).post("/api/departments/", {"code": "fin", "name": "Finance"})
    assert answer.status_code == 400
    assert {"code", "name"} <= set(answer.json())


def test_an_administrator_adds_and_changes_a_membership(admin_user, finance, staff):
    client = api(admin_user)
    added = client.post(
        "/api/memberships/", {"user": "staff", "department": "fin", "role": "agent"}
    )
    assert added.status_code == 201
    assert added.json()["department"]["code"] == "FIN"
    assert added.json()["person"]["username"] == "staff"
    changed = client.patch(f"/api/memberships/{added.json()['id']}/", {"title": "Accountant"})
    assert changed.json()["title"] == "Accountant" and changed.json()["role"] == "agent"


def test_a_second_head_is_refused(admin_user, finance, head, staff):
    answer = api(admin_user).post(
        "/api/memberships/", {"user": "staff", "department": "FIN", "role": "head"}
    )
    assert answer.status_code == 400
    assert "already has a head" in answer.json()["detail"]


def test_ending_the_heads_membership_tells_the_administrators(admin_user, finance, head):
    other_admin = UserFactory(username="admin2", is_superuser=True)
    membership = Membership.objects.get(user=head)
    assert api(admin_user).delete(f"/api/memberships/{membership.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert sorted(head_vacant_notes(finance)) == sorted(["admin", other_admin.username])


def test_a_head_made_agent_leaves_the_department_without_a_head(admin_user, finance, head):
    membership = Membership.objects.get(user=head)
    answer = api(admin_user).patch(f"/api/memberships/{membership.pk}/", {"role": "agent"})
    assert answer.status_code == 200
    assert head_vacant_notes(finance) == ["admin"]


def test_ending_an_agents_membership_tells_nobody(admin_user, finance, agent, head):
    membership = Membership.objects.get(user=agent)
    assert api(admin_user).delete(f"/api/memberships/{membership.pk}/").status_code == 204
    assert head_vacant_notes(finance) == []


@pytest.mark.parametrize(
    ("endpoint", "query"),
    [
        ("departments", {"archived": "perhaps"}),
        ("departments", {"parent": "X" * 21}),
        ("memberships", {"role": "boss"}),
        ("memberships", {"department": "X" * 21}),
    ],
)
def test_a_filter_out_of_bounds_is_a_400(staff, endpoint, query):
    answer = api(staff).get(f"/api/{endpoint}/", query)
    assert answer.status_code == 400 and set(query) <= set(answer.json())


def test_an_unknown_department_is_a_404(staff, company):
    assert api(staff).get("/api/departments/NOPE/").status_code == 404
    assert api(staff).get("/api/departments/%00/").status_code == 404


def test_anonymous_clients_get_a_401(company):
    assert APIClient().get("/api/departments/").status_code == 401
    assert APIClient().get("/api/memberships/").status_code == 401
