"""The REST API of calendars, the service catalogue and agreements: who may do what, the life
cycle of an agreement, the errors a client gets, the schema and its docs page."""

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agreements import services
from agreements.models import (
    Agreement,
    AgreementEvent,
    ApprovalStep,
    BusinessCalendar,
    CalendarClosure,
    CalendarDay,
    Priority,
    Service,
)
from departments.models import Membership
from tests.factories import CalendarFactory, DepartmentFactory, MembershipFactory, ServiceFactory

HOURS = timedelta(hours=1)
TARGETS = {Priority.P1: (1 * HOURS, 4 * HOURS)}


def api(user=None) -> APIClient:
    """A client logged in as `user` through the session, as a browser would be."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def fields(response) -> dict:
    """The messages by field of an error answer, beside its `detail` (every error has one)."""
    errors = response.json()
    assert isinstance(errors.pop("detail"), str)
    return errors


@pytest.fixture
def sales_head(sales):
    return MembershipFactory(department=sales, role=Membership.Role.HEAD).user


@pytest.fixture
def calendar(db):
    return CalendarFactory(name="China office")


@pytest.fixture
def payroll_extract(finance):
    return ServiceFactory(
        provider=finance,
        name="Payroll data extract",
        description="Salaries per department for a month.",
        form_fields=[{"name": "month", "label": "Which month", "type": "date", "required": True}],
    )


@pytest.fixture
def sales_forecast(sales):
    return ServiceFactory(provider=sales, name="Sales forecast", description="Next quarter.")


def save_draft(by, provider, services_, customers, calendar, **fields) -> Agreement:
    """A draft saved through the service, as the pages would."""
    return services.agreement_save_draft(
        agreement=Agreement(
            provider=provider, calendar=calendar, **{"title": "Finance for Sales", **fields}
        ),
        by=by,
        revision=None,
        services=services_,
        customers=customers,
        targets=TARGETS,
    )


@pytest.fixture
def draft(head, finance, sales, payroll_extract, calendar, sales_head):
    return save_draft(head, finance, [payroll_extract], [sales], calendar)


@pytest.fixture
def proposal(draft, head):
    return services.agreement_propose(agreement_id=draft.pk, by=head, revision=draft.revision)


@pytest.fixture
def in_force(proposal, sales_head, sales):
    return services.agreement_accept(
        agreement_id=proposal.pk, by=sales_head, department=sales, revision=proposal.revision
    )


@pytest.fixture
def company_wide_proposal(head, finance, payroll_extract, calendar):
    agreement = save_draft(
        head, finance, [payroll_extract], [], calendar, title="Payroll for all", all_customers=True
    )
    return services.agreement_propose(
        agreement_id=agreement.pk, by=head, revision=agreement.revision
    )


def draft_body(calendar, service, **overrides) -> dict:
    return {
        "title": "Finance for Sales",
        "provider": "FIN",
        "customers": ["SALES"],
        "services": [service.pk],
        "calendar": calendar.pk,
        "relationship": "functional",
        "targets": [{"priority": "P1", "first_response": "PT1H", "resolution": "PT4H"}],
        "approval_windows": [{"position": 1, "window": "PT8H"}],
        **overrides,
    }


def url(agreement: Agreement, action: str = "") -> str:
    return f"/api/agreements/{agreement.pk}/" + (f"{action}/" if action else "")


def current(agreement: Agreement) -> Agreement:
    agreement.refresh_from_db()
    return agreement


# The service catalogue


def test_the_catalogue_lists_services_with_their_provider_and_approval_chain(
    staff, payroll_extract, head, finance
):
    ApprovalStep.objects.create(
        service=payroll_extract,
        position=1,
        approver=ApprovalStep.Approver.DEPARTMENT_HEAD,
        department=finance,
        description="always",
    )

    response = api(staff).get("/api/services/")

    assert response.status_code == 200
    [service] = response.json()["results"]
    assert service["name"] == "Payroll data extract"
    assert service["provider"] == {"id": finance.pk, "code": "FIN", "name": "Finance"}
    assert service["form_fields"][0]["name"] == "month"
    assert service["default_priority"] == "P3"
    assert service["approval_steps"] == [
        {
            "position": 1,
            "approver": "department_head",
            "person": None,
            "department": {"id": finance.pk, "code": "FIN", "name": "Finance"},
            "condition": None,
            "with_previous": False,
            "group_rule": "all",
            "description": "always",
        }
    ]


def test_the_catalogue_filters_by_provider_code(staff, payroll_extract, sales_forecast):
    response = api(staff).get("/api/services/", {"provider": "sales"})

    assert [s["name"] for s in response.json()["results"]] == ["Sales forecast"]


def test_the_catalogue_searches_names_and_descriptions(staff, payroll_extract, sales_forecast):
    by_name = api(staff).get("/api/services/", {"search": "payroll"}).json()["results"]
    by_description = api(staff).get("/api/services/", {"search": "quarter"}).json()["results"]

    assert [s["name"] for s in by_name] == ["Payroll data extract"]
    assert [s["name"] for s in by_description] == ["Sales forecast"]


def test_inactive_services_are_listed_only_when_asked_for(staff, payroll_extract, finance):
    ServiceFactory(provider=finance, name="Old report", is_active=False)

    active = api(staff).get("/api/services/").json()["results"]
    everything = api(staff).get("/api/services/", {"include_inactive": "1"}).json()["results"]

    assert [s["name"] for s in active] == ["Payroll data extract"]
    assert [s["name"] for s in everything] == ["Old report", "Payroll data extract"]


def test_a_service_is_retrieved_by_id(staff, payroll_extract):
    response = api(staff).get(f"/api/services/{payroll_extract.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == payroll_extract.pk


def test_the_provider_head_adds_a_service_to_the_catalogue(head, finance):
    body = {"name": "Expense audit", "provider": "FIN", "default_priority": "P2"}

    response = api(head).post("/api/services/", body, format="json")

    assert response.status_code == 201, response.json()
    service = Service.objects.get(name="Expense audit")
    assert (service.provider, service.default_priority) == (finance, "P2")


def test_a_head_cannot_add_a_service_to_another_department(head, sales):
    response = api(head).post(
        "/api/services/", {"name": "Leads", "provider": "SALES"}, format="json"
    )

    assert response.status_code == 403
    assert not Service.objects.filter(name="Leads").exists()


@pytest.mark.parametrize("who", ["staff", "agent", "outsider"])
def test_only_heads_add_services(request, who, finance):
    response = api(request.getfixturevalue(who)).post(
        "/api/services/", {"name": "Expense audit", "provider": "FIN"}, format="json"
    )

    assert response.status_code == 403
    assert not Service.objects.filter(name="Expense audit").exists()


def test_the_provider_head_edits_a_service(head, payroll_extract):
    response = api(head).patch(
        f"/api/services/{payroll_extract.pk}/", {"is_active": False}, format="json"
    )

    assert response.status_code == 200
    assert not Service.objects.get(pk=payroll_extract.pk).is_active


def test_an_agent_of_the_provider_cannot_edit_its_service(agent, payroll_extract):
    response = api(agent).patch(
        f"/api/services/{payroll_extract.pk}/", {"name": "Renamed"}, format="json"
    )

    assert response.status_code == 403
    assert Service.objects.get(pk=payroll_extract.pk).name == "Payroll data extract"


def test_an_administrator_edits_any_service(admin_user, payroll_extract):
    response = api(admin_user).patch(
        f"/api/services/{payroll_extract.pk}/", {"description": "New text"}, format="json"
    )

    assert response.status_code == 200
    assert Service.objects.get(pk=payroll_extract.pk).description == "New text"


def test_a_bad_request_form_answers_400_on_form_fields(head, payroll_extract):
    response = api(head).patch(
        f"/api/services/{payroll_extract.pk}/",
        {"form_fields": [{"name": "Amount", "label": "Amount", "type": "number"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "needs a name of lower-case letters" in response.json()["form_fields"][0]


def test_a_second_service_of_the_same_name_answers_400_on_name(head, payroll_extract):
    response = api(head).post(
        "/api/services/", {"name": "Payroll data extract", "provider": "FIN"}, format="json"
    )

    assert response.status_code == 400
    assert fields(response) == {"name": ["Finance already offers a service of this name."]}


def test_a_service_stays_with_its_provider(head, payroll_extract, sales):
    response = api(head).patch(
        f"/api/services/{payroll_extract.pk}/", {"provider": "SALES"}, format="json"
    )

    assert response.status_code == 400
    assert "provider" in response.json()


def test_services_cannot_be_deleted_through_the_api(admin_user, payroll_extract):
    assert api(admin_user).delete(f"/api/services/{payroll_extract.pk}/").status_code == 405
    assert Service.objects.filter(pk=payroll_extract.pk).exists()


# Business calendars


def test_everyone_logged_in_reads_calendars_with_their_days_and_closures(outsider, calendar):
    CalendarDay.objects.create(
        calendar=calendar, date=date(2026, 10, 1), kind="holiday", name="National Day"
    )
    CalendarClosure.objects.create(
        calendar=calendar,
        starts_at="2026-11-02T09:00+08:00",
        ends_at="2026-11-02T18:00+08:00",
        reason="Office move",
    )

    response = api(outsider).get(f"/api/calendars/{calendar.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "Asia/Shanghai"
    assert body["weekly_hours"]["0"] == [["09:00", "12:00"], ["13:30", "18:00"]]
    assert body["days"] == [{"date": "2026-10-01", "kind": "holiday", "name": "National Day"}]
    assert body["closures"][0]["reason"] == "Office move"


def test_an_administrator_creates_a_calendar(admin_user):
    body = {
        "name": "Paris office",
        "time_zone": "Europe/Paris",
        "weekly_hours": {"0": [["09:00", "17:00"]], "4": [["09:00", "12:00"]]},
        "country": "FR",
    }

    response = api(admin_user).post("/api/calendars/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["weekly_hours"] == body["weekly_hours"]


@pytest.mark.parametrize("who", ["staff", "head", "hr"])
def test_only_administrators_create_calendars(request, who):
    response = api(request.getfixturevalue(who)).post(
        "/api/calendars/", {"name": "Mine", "time_zone": "Asia/Shanghai"}, format="json"
    )

    assert response.status_code == 403
    assert not BusinessCalendar.objects.filter(name="Mine").exists()


def test_an_administrator_changes_a_calendars_hours(admin_user, calendar):
    response = api(admin_user).patch(
        f"/api/calendars/{calendar.pk}/",
        {"weekly_hours": {"5": [["10:00", "16:00"]]}},
        format="json",
    )

    assert response.status_code == 200
    calendar.refresh_from_db()
    assert calendar.weekly_hours == {"5": [["10:00", "16:00"]]}


def test_an_unknown_time_zone_answers_400_on_time_zone(admin_user):
    response = api(admin_user).post(
        "/api/calendars/", {"name": "Moon base", "time_zone": "Moon/Base"}, format="json"
    )

    assert response.status_code == 400
    assert list(fields(response)) == ["time_zone"]


@pytest.mark.parametrize(
    ("weekly_hours", "message"),
    [
        ({"0": [["09:00", "12:00"], ["11:00", "18:00"]]}, "overlap"),
        ({"0": [["18:00", "09:00"]]}, "ends before it starts"),
        ({"0": [], "6": []}, "no working time"),
        ({"0": [["09:00", "25:00"]]}, "HH:MM"),
    ],
    ids=["overlapping", "reversed", "empty week", "bad time"],
)
def test_working_hours_that_make_no_sense_answer_400_on_weekly_hours(
    admin_user, weekly_hours, message
):
    response = api(admin_user).post(
        "/api/calendars/",
        {"name": "Odd", "time_zone": "Asia/Shanghai", "weekly_hours": weekly_hours},
        format="json",
    )

    assert response.status_code == 400
    assert message in response.json()["weekly_hours"][0]


@pytest.mark.parametrize(
    "weekly_hours",
    [["09:00-12:00"], {"monday": [["09:00", "12:00"]]}, {"0": ["09:00", "12:00"]}, {"0": 9}],
)
def test_weekly_hours_of_the_wrong_shape_answer_400_on_weekly_hours(admin_user, weekly_hours):
    response = api(admin_user).post(
        "/api/calendars/",
        {"name": "Odd", "time_zone": "Asia/Shanghai", "weekly_hours": weekly_hours},
        format="json",
    )

    assert response.status_code == 400
    assert "Weekly hours map a weekday" in response.json()["weekly_hours"][0]


def test_an_administrator_deletes_an_unused_calendar(admin_user, calendar):
    assert api(admin_user).delete(f"/api/calendars/{calendar.pk}/").status_code == 204
    assert not BusinessCalendar.objects.filter(pk=calendar.pk).exists()


def test_a_calendar_that_agreements_run_on_cannot_be_deleted(admin_user, draft):
    response = api(admin_user).delete(f"/api/calendars/{draft.calendar_id}/")

    assert response.status_code == 409
    assert "Agreements run on this calendar" in response.json()["detail"]


# Who sees and does what


ENDPOINTS = [
    ("get", "/api/"),
    ("get", "/api/calendars/"),
    ("post", "/api/calendars/"),
    ("get", "/api/services/"),
    ("post", "/api/services/"),
    ("get", "/api/agreements/"),
    ("post", "/api/agreements/"),
    ("get", "/api/agreements/{id}/"),
    ("patch", "/api/agreements/{id}/"),
    ("post", "/api/agreements/{id}/propose/"),
    ("post", "/api/agreements/{id}/withdraw/"),
    ("post", "/api/agreements/{id}/accept/"),
    ("post", "/api/agreements/{id}/reject/"),
    ("post", "/api/agreements/{id}/new-version/"),
    ("get", "/api/schema/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_an_anonymous_client_is_refused_everywhere(draft, method, path):
    response = getattr(api(), method)(path.format(id=draft.pk), {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert b"Authentication credentials were not provided." in response.content


def test_the_list_shows_an_outsider_only_agreements_in_force(outsider, draft, finance, sales):
    other = save_draft(
        draft.created_by, finance, list(draft.services.all()), [sales], draft.calendar
    )
    other = services.agreement_propose(
        agreement_id=other.pk, by=draft.created_by, revision=other.revision
    )
    services.agreement_accept(
        agreement_id=other.pk,
        by=sales.head,
        department=sales,
        revision=other.revision,
    )

    response = api(outsider).get("/api/agreements/")

    assert [a["id"] for a in response.json()["results"]] == [other.pk]


def test_an_outsider_gets_404_for_a_draft(outsider, draft):
    response = api(outsider).get(url(draft))

    assert response.status_code == 404
    assert draft.title not in response.content.decode()


def test_an_outsider_gets_404_for_a_proposal_not_addressed_to_them(outsider, proposal):
    assert api(outsider).get(url(proposal)).status_code == 404
    assert api(outsider).post(url(proposal, "accept"), {"revision": 2}).status_code == 404
    assert current(proposal).status == Agreement.Status.PROPOSED
    assert not proposal.sign_offs.exists()


def test_a_customer_member_gets_404_for_the_draft_of_its_provider(staff, draft):
    response = api(staff).get(url(draft))

    assert response.status_code == 404
    assert draft.title not in response.content.decode()


def test_everyone_sees_an_agreement_in_force(outsider, in_force):
    response = api(outsider).get(url(in_force))

    assert response.status_code == 200
    assert response.json()["actions"] == []


def test_a_person_without_a_head_role_cannot_draft(staff, calendar, payroll_extract):
    response = api(staff).post(
        "/api/agreements/", draft_body(calendar, payroll_extract), format="json"
    )

    assert response.status_code == 403
    assert not Agreement.objects.exists()


def test_a_head_cannot_draft_for_another_department(sales_head, calendar, payroll_extract):
    response = api(sales_head).post(
        "/api/agreements/", draft_body(calendar, payroll_extract), format="json"
    )

    assert response.status_code == 403
    assert not Agreement.objects.exists()


def test_an_agent_of_the_provider_cannot_edit_its_draft(agent, draft):
    before = (draft.title, draft.revision)

    response = api(agent).patch(
        url(draft), {"title": "Mine", "revision": draft.revision}, format="json"
    )

    assert response.status_code == 403
    assert (current(draft).title, draft.revision) == before


def test_an_agent_of_the_provider_cannot_propose(agent, draft):
    response = api(agent).post(url(draft, "propose"), {"revision": draft.revision})

    assert response.status_code == 403
    assert current(draft).status == Agreement.Status.DRAFT


def test_staff_cannot_propose_a_draft_of_their_own_department(
    staff, sales_head, sales, finance, calendar, sales_forecast
):
    sales_draft = save_draft(sales_head, sales, [sales_forecast], [finance], calendar)

    response = api(staff).post(url(sales_draft, "propose"), {"revision": sales_draft.revision})

    assert response.status_code == 403
    assert "Only the head of the provider department" in response.json()["detail"]


def test_a_customer_member_who_is_not_its_head_cannot_accept(staff, proposal):
    response = api(staff).post(
        url(proposal, "accept"), {"revision": proposal.revision, "department": "SALES"}
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the head of the customer department signs for it."


def test_the_provider_head_cannot_accept_for_the_customer(head, proposal):
    response = api(head).post(
        url(proposal, "accept"), {"revision": proposal.revision, "department": "SALES"}
    )

    assert response.status_code == 403
    assert current(proposal).status == Agreement.Status.PROPOSED
    assert not proposal.sign_offs.exists()


def test_the_customer_head_cannot_withdraw_the_proposal(sales_head, proposal):
    response = api(sales_head).post(url(proposal, "withdraw"), {"revision": proposal.revision})

    assert response.status_code == 403
    assert current(proposal).status == Agreement.Status.PROPOSED


def test_only_the_provider_head_starts_a_new_version(sales_head, in_force):
    response = api(sales_head).post(url(in_force, "new-version"))

    assert response.status_code == 403
    assert list(Agreement.objects.filter(series=in_force.series)) == [in_force]


def test_a_department_head_cannot_accept_a_company_wide_agreement(
    sales_head, company_wide_proposal
):
    response = api(sales_head).post(
        url(company_wide_proposal, "accept"),
        {"revision": company_wide_proposal.revision, "department": None},
        format="json",
    )

    assert response.status_code == 403
    assert current(company_wide_proposal).status == Agreement.Status.PROPOSED
    assert not company_wide_proposal.sign_offs.exists()


def test_an_administrator_accepts_a_company_wide_agreement(admin_user, company_wide_proposal):
    response = api(admin_user).post(
        url(company_wide_proposal, "accept"),
        {"revision": company_wide_proposal.revision, "department": None},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    assert response.json()["sign_offs"][0]["department"] is None


# The life cycle through the API


def test_the_provider_head_creates_a_draft(head, calendar, payroll_extract, sales, finance):
    response = api(head).post(
        "/api/agreements/", draft_body(calendar, payroll_extract), format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert body["provider"] == {"id": finance.pk, "code": "FIN", "name": "Finance"}
    assert body["customers"] == [{"id": sales.pk, "code": "SALES", "name": "Sales"}]
    assert body["services"] == [{"id": payroll_extract.pk, "name": "Payroll data extract"}]
    assert body["targets"] == [
        {"priority": "P1", "first_response": "P0DT01H00M00S", "resolution": "P0DT04H00M00S"}
    ]
    assert body["approval_windows"] == [{"position": 1, "window": "P0DT08H00M00S"}]
    assert body["actions"] == ["edit", "propose"]
    assert [event["action"] for event in body["events"]] == ["created"]
    assert body["events"][0]["actor"] == "head"


def test_the_provider_head_edits_a_draft_with_the_revision_it_read(head, draft):
    response = api(head).patch(
        url(draft),
        {
            "revision": draft.revision,
            "title": "Finance for Sales, 2027",
            "targets": [{"priority": "P2", "first_response": "PT2H", "resolution": "P1D"}],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Finance for Sales, 2027"
    assert body["revision"] == draft.revision + 1
    assert [t["priority"] for t in body["targets"]] == ["P2"]
    assert body["customers"][0]["code"] == "SALES"  # what the edit left out stays


def test_a_draft_is_proposed_and_accepted_into_force(head, sales_head, draft):
    proposed = api(head).post(url(draft, "propose"), {"revision": draft.revision})

    assert proposed.status_code == 200, proposed.json()
    assert proposed.json()["status"] == "proposed"
    assert proposed.json()["actions"] == ["withdraw"]

    to_sign = api(sales_head).get(url(draft)).json()
    assert to_sign["actions"] == ["accept", "reject"]
    assert to_sign["sign_for"] == ["SALES"]

    accepted = api(sales_head).post(
        url(draft, "accept"),
        {"revision": proposed.json()["revision"], "department": "SALES", "comment": "Fine."},
    )

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "active"
    assert accepted.json()["activated_at"] is not None
    assert accepted.json()["sign_offs"][0]["decision"] == "accepted"
    assert api(head).get(url(draft)).json()["actions"] == ["new_version"]


def test_a_rejection_with_a_comment_returns_the_proposal_to_draft(sales_head, proposal, head):
    response = api(sales_head).post(
        url(proposal, "reject"),
        {"revision": proposal.revision, "department": "SALES", "comment": "Too slow for us."},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "draft"
    rejection = response.json()["events"][-1]
    assert rejection["action"] == "rejected"
    assert rejection["department"] == "SALES"
    assert rejection["comment"] == "Too slow for us."
    assert api(head).get(url(proposal)).json()["actions"] == ["edit", "propose"]


def test_withdrawing_a_proposal_makes_it_a_draft_again(head, proposal):
    response = api(head).post(url(proposal, "withdraw"), {"revision": proposal.revision})

    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_a_new_version_supersedes_the_old_one_once_accepted(head, sales_head, in_force):
    started = api(head).post(url(in_force, "new-version"))

    assert started.status_code == 201, started.json()
    v2 = Agreement.objects.get(pk=started.json()["id"])
    assert (v2.version, v2.status, v2.series) == (2, "draft", in_force.series)
    assert api(head).get(url(in_force)).json()["actions"] == []  # one new version at a time

    proposed = api(head).post(url(v2, "propose"), {"revision": started.json()["revision"]})
    assert proposed.status_code == 200, proposed.json()
    accepted = api(sales_head).post(
        url(v2, "accept"), {"revision": proposed.json()["revision"], "department": "SALES"}
    )

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "active"
    v1 = api(head).get(url(in_force)).json()
    assert v1["status"] == "superseded"
    assert v1["ended_at"] is not None
    assert v1["events"][-1]["action"] == AgreementEvent.Action.SUPERSEDED


def test_the_list_filters_by_status_provider_customer_and_service(
    head, draft, company_wide_proposal, payroll_extract, sales_forecast
):
    client = api(head)

    def ids(**params):
        return [a["id"] for a in client.get("/api/agreements/", params).json()["results"]]

    assert ids(status="draft") == [draft.pk]
    assert ids(status="proposed") == [company_wide_proposal.pk]
    assert sorted(ids(provider="FIN")) == sorted([draft.pk, company_wide_proposal.pk])
    assert ids(provider="SALES") == []
    assert sorted(ids(customer="SALES")) == sorted([draft.pk, company_wide_proposal.pk])
    assert ids(customer="HR") == [company_wide_proposal.pk]
    assert len(ids(service=payroll_extract.pk)) == 2
    assert ids(service=sales_forecast.pk) == []


def test_the_list_leaves_actions_to_the_detail(head, draft):
    [item] = api(head).get("/api/agreements/").json()["results"]

    assert "actions" not in item


# What a client is told when something is wrong


def test_a_stale_revision_answers_409(head, draft):
    api(head).patch(url(draft), {"revision": draft.revision, "notes": "First"}, format="json")

    response = api(head).patch(
        url(draft), {"revision": draft.revision, "notes": "Second"}, format="json"
    )

    assert response.status_code == 409
    assert "changed since you opened it" in response.json()["detail"]
    assert current(draft).notes == "First"


def test_proposing_with_a_stale_revision_answers_409(head, draft):
    response = api(head).post(url(draft, "propose"), {"revision": draft.revision + 1})

    assert response.status_code == 409
    assert "changed since you opened it" in response.json()["detail"]
    assert current(draft).status == Agreement.Status.DRAFT


def test_accepting_a_proposal_already_accepted_answers_409(sales_head, proposal):
    client = api(sales_head)
    body = {"revision": proposal.revision, "department": "SALES"}
    client.post(url(proposal, "accept"), body)

    response = client.post(url(proposal, "accept"), body)

    assert response.status_code == 409
    assert current(proposal).status == Agreement.Status.ACTIVE
    assert proposal.sign_offs.count() == 1


def test_an_edit_without_the_revision_answers_400_on_revision(head, draft):
    response = api(head).patch(url(draft), {"title": "New"}, format="json")

    assert response.status_code == 400
    assert "revision" in response.json()


def test_editing_a_proposal_answers_400_with_the_reason(head, proposal):
    response = api(head).patch(
        url(proposal), {"revision": proposal.revision, "title": "New"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "Only a draft can be edited; start a new version instead."}


def test_proposing_an_agreement_in_force_answers_400_with_the_reason(head, in_force):
    response = api(head).post(url(in_force, "propose"), {"revision": in_force.revision})

    assert response.status_code == 400
    assert response.json() == {"detail": "Only a draft can be proposed."}


def test_a_service_of_another_provider_answers_400_on_services(
    head, calendar, payroll_extract, sales_forecast
):
    body = draft_body(calendar, payroll_extract, services=[payroll_extract.pk, sales_forecast.pk])

    response = api(head).post("/api/agreements/", body, format="json")

    assert response.status_code == 400
    assert response.json()["services"] == ["Sales forecast is not supplied by Finance."]


def test_an_unknown_service_id_answers_400_on_services(head, calendar, payroll_extract, sales):
    body = draft_body(calendar, payroll_extract, services=[987654])

    response = api(head).post("/api/agreements/", body, format="json")

    assert response.status_code == 400
    assert "services" in response.json()


def test_an_unknown_department_code_answers_400_on_customers(
    head, calendar, payroll_extract, sales
):
    body = draft_body(calendar, payroll_extract, customers=["SALES", "NOPE"])

    response = api(head).post("/api/agreements/", body, format="json")

    assert response.status_code == 400
    assert response.json()["customers"] == ["No department has the code “NOPE”."]


def test_a_resolution_before_the_first_response_answers_400_on_targets(
    head, calendar, payroll_extract, sales
):
    targets = [{"priority": "P1", "first_response": "PT4H", "resolution": "PT1H"}]

    response = api(head).post(
        "/api/agreements/", draft_body(calendar, payroll_extract, targets=targets), format="json"
    )

    assert response.status_code == 400
    assert "resolution cannot come before" in response.json()["targets"]["0"]["non_field_errors"][0]


def test_a_priority_given_twice_answers_400_on_targets(head, calendar, payroll_extract, sales):
    target = {"priority": "P1", "first_response": "PT1H", "resolution": "PT4H"}

    response = api(head).post(
        "/api/agreements/",
        draft_body(calendar, payroll_extract, targets=[target, target]),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["targets"] == ["“P1” is given twice."]


def test_an_edit_with_an_incomplete_target_answers_400_on_targets(head, draft):
    response = api(head).patch(
        url(draft),
        {"revision": draft.revision, "targets": [{"priority": "P2", "resolution": "PT8H"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["targets"] == {"0": {"first_response": ["This field is required."]}}


def test_a_zero_approval_window_answers_400_on_approval_windows(
    head, calendar, payroll_extract, sales
):
    windows = [{"position": 1, "window": "PT0S"}]

    response = api(head).post(
        "/api/agreements/",
        draft_body(calendar, payroll_extract, approval_windows=windows),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["approval_windows"] == {
        "0": {"window": ["An approval window must be longer than zero."]}
    }


def test_an_agreement_ending_before_it_starts_answers_400(head, calendar, payroll_extract, sales):
    body = draft_body(calendar, payroll_extract, valid_from="2027-01-01", valid_until="2026-01-01")

    response = api(head).post("/api/agreements/", body, format="json")

    assert response.status_code == 400
    assert fields(response) == {"non_field_errors": ["An agreement cannot end before it starts."]}


def test_a_draft_without_customers_answers_400_with_the_reason(
    head, calendar, payroll_extract, sales
):
    body = draft_body(calendar, payroll_extract, customers=[])

    response = api(head).post("/api/agreements/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Choose the customer departments, or make it company-wide."
    }


def test_a_reject_without_a_comment_answers_400_on_comment(sales_head, proposal):
    response = api(sales_head).post(
        url(proposal, "reject"), {"revision": proposal.revision, "department": "SALES"}
    )

    assert response.status_code == 400
    assert list(fields(response)) == ["comment"]
    assert current(proposal).status == Agreement.Status.PROPOSED


def test_signing_for_a_department_that_is_not_a_customer_answers_400_on_department(
    sales_head, proposal, human_resources
):
    response = api(sales_head).post(
        url(proposal, "accept"), {"revision": proposal.revision, "department": "HR"}
    )

    assert response.status_code == 400
    assert response.json()["department"] == ["Human Resources is not a customer of this agreement."]


def test_signing_for_an_unknown_department_answers_400_on_department(sales_head, proposal):
    response = api(sales_head).post(
        url(proposal, "accept"), {"revision": proposal.revision, "department": "NOPE"}
    )

    assert response.status_code == 400
    assert "department" in response.json()


def test_an_unknown_status_filter_answers_400_on_status(head):
    response = api(head).get("/api/agreements/", {"status": "lost"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_a_service_filter_that_is_not_an_id_answers_400_on_service(head):
    response = api(head).get("/api/agreements/", {"service": "payroll"})

    assert response.status_code == 400
    assert "service" in response.json()


# The schema, its docs page and the browsable API


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    assert "/api/agreements/{id}/new-version/" in (tmp_path / "schema.yml").read_text()


def test_the_schema_answers_a_logged_in_person(staff):
    response = api(staff).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert "/api/agreements/{id}/accept/" in response.json()["paths"]


def test_the_docs_page_loads_swagger_ui_from_this_site_without_inline_code(staff):
    response = api(staff).get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle" in page
    assert "/api/docs/?script=" in page
    assert "<script>" not in page
    assert "<style" not in page
    assert "//cdn" not in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_docs_page_script_is_served_as_javascript(staff):
    response = api(staff).get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


def test_the_docs_page_sends_an_anonymous_visitor_to_login(db):
    response = api().get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_browsable_api_renders_the_agreements(head, draft):
    response = api(head).get(url(draft), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert "Finance for Sales" in response.content.decode()


# Queries


def count_queries(client: APIClient, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_listing_agreements_costs_as_many_queries_for_ten_as_for_one(
    head, draft, django_assert_max_num_queries
):
    client = api(head)
    one = count_queries(client, "/api/agreements/")
    for service in ServiceFactory.create_batch(9, provider=draft.provider):
        made = save_draft(
            head,
            draft.provider,
            [service],
            [],
            draft.calendar,
            title=service.name,
            all_customers=True,
        )
        services.agreement_propose(agreement_id=made.pk, by=head, revision=made.revision)

    with django_assert_max_num_queries(one):
        response = client.get("/api/agreements/")

    assert response.json()["count"] == 10


def test_listing_services_costs_as_many_queries_for_ten_as_for_one(
    staff, finance, django_assert_max_num_queries
):
    client = api(staff)
    ServiceFactory(provider=finance)
    one = count_queries(client, "/api/services/")
    for service in ServiceFactory.create_batch(9, provider=DepartmentFactory()):
        ApprovalStep.objects.create(service=service, position=1, approver="requester_head")

    with django_assert_max_num_queries(one):
        response = client.get("/api/services/")

    assert response.json()["count"] == 10


def test_listing_calendars_costs_as_many_queries_for_ten_as_for_one(
    staff, calendar, django_assert_max_num_queries
):
    client = api(staff)
    one = count_queries(client, "/api/calendars/")
    for made in CalendarFactory.create_batch(9):
        CalendarDay.objects.create(calendar=made, date=date(2026, 10, 1), kind="holiday")

    with django_assert_max_num_queries(one):
        response = client.get("/api/calendars/")

    assert response.json()["count"] == 10


@pytest.mark.parametrize(
    "overrides",
    [
        {"targets": [{"priority": "P1", "first_response": "PT1H", "resolution": "P999999999D"}]},
        {"targets": [{"priority": "P1", "first_response": "P366D", "resolution": "P400D"}]},
        {"approval_windows": [{"position": 1, "window": "P999999999D"}]},
        {"escalation_after": "P999999999D"},
    ],
    ids=["resolution", "first_response", "approval_window", "escalation_after"],
)
def test_a_duration_beyond_a_year_of_working_time_answers_400_on_its_field(
    head, calendar, payroll_extract, sales, overrides
):
    response = api(head).post(
        "/api/agreements/", draft_body(calendar, payroll_extract, **overrides), format="json"
    )

    assert response.status_code == 400
    assert "Enter at most 8760 hours of working time." in json.dumps(fields(response))
    assert not Agreement.objects.exists()


def test_the_admin_refuses_a_target_beyond_a_year_of_working_time_too(draft):
    target = draft.targets.first()
    target.resolution = timedelta(days=999_999_999)

    with pytest.raises(ValidationError) as refused:
        target.full_clean()

    assert refused.value.message_dict == {
        "resolution": ["Enter at most 8760 hours of working time."]
    }
