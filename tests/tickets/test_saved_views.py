"""Saved views of the queue: filters saved under a name, private or shared with the department's
agents and head; renamed and deleted by their owner only; a view whose filters no longer apply
says so rather than failing."""

import pytest
from django.urls import reverse

from agreements.models import Priority
from departments.models import Membership
from tests.factories import DepartmentFactory, MembershipFactory, ServiceFactory, UserFactory
from tickets.models import SavedView


@pytest.fixture
def requests(agreement, payroll_extract, file_request):
    return {
        "urgent": file_request(payroll_extract, title="Urgent extract", priority=Priority.P1),
        "normal": file_request(payroll_extract, title="Normal extract", priority=Priority.P3),
    }


@pytest.fixture
def hr_agent(human_resources):
    person = UserFactory(username="hr_agent")
    MembershipFactory(user=person, department=human_resources, role=Membership.Role.AGENT)
    return person


def save_view(client, name="Urgent ones", shared=False, **filters):
    data = {"department": "FIN", "status": "open", "name": name, **filters}
    if shared:
        data["shared"] = "on"
    return client.post(reverse("tickets:saved_view_new"), data)


def a_view(owner, finance, shared=False, name="Urgent ones", **filters):
    filters = {"status": "open", "service": "", "priority": "P1", "assignee": "", **filters}
    return SavedView.objects.create(
        owner=owner, department=finance, name=name, shared=shared, filters=filters
    )


def open_view(client, view):
    return client.get(reverse("tickets:queue"), {"view": view.pk})


def test_an_agent_saves_the_queue_filters_and_opens_them_again(client, agent, requests):
    client.force_login(agent)

    response = save_view(client, priority=Priority.P1)

    view = SavedView.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('tickets:queue')}?view={view.pk}"
    assert (view.owner, view.department.code, view.shared) == (agent, "FIN", False)
    assert view.filters == {"status": "open", "service": "", "priority": "P1", "assignee": ""}
    page = open_view(client, view).content.decode()
    assert "Urgent extract" in page
    assert "Normal extract" not in page
    assert "Showing the saved view “Urgent ones”" in page


def test_the_queue_lists_my_views_and_those_shared_in_the_department(
    client, agent, head, finance, requests
):
    mine = a_view(agent, finance, name="Mine")
    shared = a_view(head, finance, shared=True, name="Head's shared")
    private = a_view(head, finance, name="Head's private")
    client.force_login(agent)

    page = client.get(reverse("tickets:queue")).content.decode()

    assert f"?view={mine.pk}" in page
    assert "Shared in Finance:" in page
    assert f"?view={shared.pk}" in page
    assert f"?view={private.pk}" not in page
    assert open_view(client, private).status_code == 404
    assert open_view(client, shared).status_code == 200


@pytest.mark.parametrize("person", ["staff", "outsider", "hr_agent"])
def test_a_shared_view_is_not_for_anyone_outside_the_department(
    client, request, head, finance, requests, person
):
    shared = a_view(head, finance, shared=True, name="Head's shared")
    client.force_login(request.getfixturevalue(person))

    response = open_view(client, shared)

    assert response.status_code in (200, 404)
    assert "Head's shared" not in response.content.decode()
    assert "Urgent extract" not in response.content.decode()


def test_an_own_view_of_a_queue_one_no_longer_works_is_not_found(client, agent, finance, requests):
    view = a_view(agent, finance)
    DepartmentFactory(code="OPS", name="Operations")
    Membership.objects.filter(user=agent).update(department=DepartmentFactory(code="OPS"))
    client.force_login(agent)

    assert open_view(client, view).status_code == 404


@pytest.mark.parametrize("value", ["abc", "0", "99999999999999999999"])
def test_a_malformed_view_number_is_not_found(client, agent, requests, value):
    client.force_login(agent)

    assert client.get(reverse("tickets:queue"), {"view": value}).status_code == 404


def test_the_owner_renames_and_shares_a_view(client, agent, head, finance, requests):
    view = a_view(agent, finance)
    client.force_login(agent)

    form = client.get(reverse("tickets:saved_view_edit", args=[view.pk]))
    response = client.post(
        reverse("tickets:saved_view_edit", args=[view.pk]), {"name": "P1", "shared": "on"}
    )

    assert form.status_code == 200
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.shared) == ("P1", True)
    client.force_login(head)
    assert "P1" in client.get(reverse("tickets:queue")).content.decode()


def test_the_owner_deletes_a_view(client, agent, finance, requests):
    view = a_view(agent, finance)
    client.force_login(agent)

    response = client.post(reverse("tickets:saved_view_delete", args=[view.pk]))

    assert response.status_code == 302
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("person", ["head", "staff", "outsider"])
def test_only_the_owner_renames_or_deletes_even_a_shared_view(
    client, request, agent, finance, requests, person
):
    view = a_view(agent, finance, shared=True)
    client.force_login(request.getfixturevalue(person))

    edit = client.get(reverse("tickets:saved_view_edit", args=[view.pk]))
    rename = client.post(reverse("tickets:saved_view_edit", args=[view.pk]), {"name": "Mine"})
    delete = client.post(reverse("tickets:saved_view_delete", args=[view.pk]))

    assert (edit.status_code, rename.status_code, delete.status_code) == (404, 404, 404)
    view.refresh_from_db()
    assert view.name == "Urgent ones"


def test_a_second_view_of_the_same_name_is_refused(client, agent, finance, requests):
    a_view(agent, finance)
    client.force_login(agent)

    response = save_view(client, priority=Priority.P3)

    assert response.status_code == 400
    assert "You already have a view of this name." in response.content.decode()
    assert SavedView.objects.count() == 1


@pytest.mark.parametrize(
    ("filters", "message"),
    [({"priority": "P9"}, "Priority"), ({"service": "abc"}, "Service"), ({"name": ""}, "")],
)
def test_saving_invalid_filters_or_no_name_is_refused(client, agent, requests, filters, message):
    client.force_login(agent)

    response = save_view(client, **filters)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("person", ["staff", "outsider", "hr_agent"])
def test_nobody_saves_a_view_of_a_queue_they_do_not_work(client, request, requests, person):
    client.force_login(request.getfixturevalue(person))

    response = save_view(client)

    assert response.status_code == 404
    assert not SavedView.objects.exists()


def test_a_view_whose_filter_value_is_no_longer_valid_says_so(client, agent, finance, requests):
    view = a_view(agent, finance, priority="P9")
    client.force_login(agent)

    response = open_view(client, view)

    assert response.status_code == 400
    page = response.content.decode()
    assert "The saved view “Urgent ones” no longer applies:" in page
    assert "Urgent extract" not in page


def test_a_view_whose_assignee_left_the_department_says_so(client, agent, head, finance, requests):
    leaver = MembershipFactory(department=finance, role=Membership.Role.AGENT).user
    view = a_view(head, finance, shared=True, assignee=str(leaver.pk), priority="")
    Membership.objects.filter(user=leaver).delete()
    client.force_login(agent)

    response = open_view(client, view)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Its assignee no longer works in Finance." in page
    assert "Ask the person who shared it to save it again." in page


def test_a_view_whose_service_went_elsewhere_says_so(
    client, agent, finance, requests, human_resources, payroll_extract
):
    other = ServiceFactory(provider=human_resources)
    view = a_view(agent, finance, service=str(other.pk), priority="")
    client.force_login(agent)

    response = open_view(client, view)

    assert response.status_code == 400
    assert "Its service is no longer one of Finance." in response.content.decode()


def test_a_view_with_damaged_filters_says_so(client, agent, finance, requests):
    view = SavedView.objects.create(owner=agent, department=finance, name="Odd", filters=["x"])
    client.force_login(agent)

    response = open_view(client, view)

    assert response.status_code == 400
    assert "Its filters were damaged." in response.content.decode()


def test_the_queue_tools_read_in_chinese(client, agent, finance, requests):
    a_view(agent, finance, name="紧急")
    client.force_login(agent)

    page = client.get(reverse("tickets:queue"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "我的视图：" in page
    assert "对已勾选的请求" in page
    assert "指派给我" in page
    assert "将这些筛选条件保存为视图" in page
