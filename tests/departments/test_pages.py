from django.urls import reverse

from departments.models import Membership
from departments.views import MEMBERS_PER_PAGE
from tests.factories import DepartmentFactory, MembershipFactory


def test_department_list_shows_every_department_with_its_head(client, staff, head):
    client.force_login(staff)

    page = client.get(reverse("departments:list")).content.decode()

    for name in ("Executive Office", "Sales", "Finance"):
        assert name in page
    assert "Fang Liu" in page


def test_department_list_searches_by_name_or_code(client, staff, finance):
    client.force_login(staff)

    response = client.get(reverse("departments:list"), {"q": "fin"})

    assert list(response.context["page"].object_list) == [finance]


def test_department_list_says_when_nothing_matches(client, staff):
    client.force_login(staff)

    page = client.get(reverse("departments:list"), {"q": "zzz"}).content.decode()

    assert "No department matches" in page


def test_department_list_costs_the_same_queries_for_many_departments(
    client, staff, company, django_assert_max_num_queries
):
    for _ in range(30):
        department = DepartmentFactory(parent=company)
        MembershipFactory(department=department, role=Membership.Role.HEAD)
    client.force_login(staff)

    with django_assert_max_num_queries(7):  # the navigation's one query included
        client.get(reverse("departments:list"))


def test_department_page_shows_head_members_parent_and_children(
    client, staff, finance, head, agent
):
    payroll = DepartmentFactory(code="PAY", name="Payroll", parent=finance)
    client.force_login(staff)

    page = client.get(reverse("departments:detail", args=["fin"])).content.decode()

    assert "Fang Liu" in page
    assert "Alex Huang" in page
    assert "Executive Office" in page
    assert payroll.name in page


def test_department_page_paginates_members(client, staff, finance):
    for _ in range(MEMBERS_PER_PAGE + 5):
        MembershipFactory(department=finance)
    client.force_login(staff)

    response = client.get(reverse("departments:detail", args=["FIN"]), {"page": 2})

    assert len(response.context["page"].object_list) == 5


def test_unknown_department_is_404(client, staff):
    client.force_login(staff)

    response = client.get(reverse("departments:detail", args=["NOPE"]))

    assert response.status_code == 404
    assert "This page does not exist, or it is not yours to see." in response.content.decode()


def test_pages_speak_simplified_chinese_when_asked(client, staff):
    client.force_login(staff)

    page = client.get(reverse("departments:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'lang="zh-hans"' in page
    assert "部门" in page


def test_the_language_switcher_remembers_the_choice(client, staff):
    client.force_login(staff)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert 'lang="zh-hans"' in client.get(reverse("home")).content.decode()
