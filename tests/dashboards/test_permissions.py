"""Who opens which dashboard: a department's head and today's deputy, HR and administrators;
everyone else gets a 404 on every page of it. The scorecard: administrators, HR and heads."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from departments.models import Delegation
from tests.factories import UserFactory

DEPARTMENT_PAGES = [
    ("dashboards:department", []),
    ("dashboards:requests", []),
    ("dashboards:export", ["summary", "csv"]),
    ("dashboards:export", ["requests", "xlsx"]),
]
SCORECARD_PAGES = [
    ("dashboards:scorecard", []),
    ("dashboards:scorecard_export", ["scorecard", "csv"]),
]


def urls(department, pages):
    return [reverse(name, args=[department.code, *args]) for name, args in pages]


def shows(response, department) -> bool:
    """The page is `department`'s dashboard (or the requests behind it), or the download is
    one of its tables."""
    if response.has_header("Content-Disposition"):
        return f'filename="{department.code}-' in response["Content-Disposition"]
    return response.context["department"] == department


def shows_nothing_of(response, department) -> bool:
    """A refusal that leaks nothing: no dashboard, no download, no name of the department."""
    return (
        "dashboard" not in (response.context or {})
        and not response.has_header("Content-Disposition")
        and department.name not in response.content.decode()
    )


@pytest.fixture
def deputy(head, db):
    """Someone the head of Finance has delegated to for this week."""
    user = UserFactory(username="deputy")
    today = date.today()
    Delegation.objects.create(
        person=head,
        delegate=user,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )
    return user


@pytest.mark.parametrize("person", ["head", "deputy", "hr", "admin_user"])
def test_the_head_their_deputy_hr_and_admins_open_finances_dashboard(
    client, request, finance, person
):
    client.force_login(request.getfixturevalue(person))
    for url in urls(finance, DEPARTMENT_PAGES):
        response = client.get(url)
        assert response.status_code == 200, url
        assert shows(response, finance), url


@pytest.mark.parametrize("person", ["agent", "staff", "outsider"])
def test_anyone_else_gets_a_404_on_every_page_of_a_dashboard(client, request, finance, person):
    client.force_login(request.getfixturevalue(person))
    for url in urls(finance, DEPARTMENT_PAGES):
        response = client.get(url)
        assert response.status_code == 404, url
        assert shows_nothing_of(response, finance), url


def test_a_head_does_not_see_another_departments_dashboard(client, head, sales):
    client.force_login(head)
    for url in urls(sales, DEPARTMENT_PAGES):
        response = client.get(url)
        assert response.status_code == 404, url
        assert shows_nothing_of(response, sales), url


def test_a_delegation_that_has_ended_gives_no_dashboard(client, head, finance):
    former = UserFactory(username="former")
    Delegation.objects.create(
        person=head,
        delegate=former,
        starts_on=date.today() - timedelta(days=10),
        ends_on=date.today() - timedelta(days=1),
    )
    client.force_login(former)

    response = client.get(reverse("dashboards:department", args=[finance.code]))

    assert response.status_code == 404
    assert shows_nothing_of(response, finance)


@pytest.mark.parametrize("person", ["head", "hr", "admin_user"])
def test_heads_hr_and_admins_open_the_scorecard(client, request, finance, person):
    client.force_login(request.getfixturevalue(person))
    for name, args in SCORECARD_PAGES:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        if name == "dashboards:scorecard":
            assert "rows" in response.context
        else:
            assert 'filename="scorecard-' in response["Content-Disposition"]


@pytest.mark.parametrize("person", ["agent", "staff", "outsider"])
def test_anyone_else_gets_a_404_on_the_scorecard(client, request, finance, person):
    client.force_login(request.getfixturevalue(person))
    for name, args in SCORECARD_PAGES:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 404
        assert "rows" not in (response.context or {})
        assert not response.has_header("Content-Disposition")


def test_the_index_lists_only_the_dashboards_one_may_open(client, head, finance, sales):
    client.force_login(head)
    response = client.get(reverse("dashboards:index"))
    assert response.status_code == 200
    assert list(response.context["departments"]) == [finance]
    assert response.context["scorecard"]


def test_the_index_explains_dashboards_to_someone_without_any(client, staff):
    client.force_login(staff)
    response = client.get(reverse("dashboards:index"))
    assert response.status_code == 200
    assert not response.context["departments"]
    assert not response.context["scorecard"]
    assert "for its head" in response.text


def test_an_anonymous_visitor_is_sent_to_log_in(client, finance):
    for url in [reverse("dashboards:index"), *urls(finance, DEPARTMENT_PAGES)]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
