"""Query parameters go through one validating layer (forms and django-filter): numbers that are
not ids (Unicode digits, beyond 64 bits, negative) and dates outside the years Accord reckons
with are a clear 400 or a form error, never a 500."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

NOT_IDS = ["²", "99999999999999999999999", "-1"]
FAR_DATES = ["9999-12-01", "0001-01-01"]


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("path", ["/api/tickets/", "/api/agreements/"])
def test_an_api_list_answers_400_with_a_message_on_an_id_that_is_not_one(head, path, value):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=head).key}")

    response = client.get(path, {"service": value})

    assert response.status_code == 400
    assert response.json()["service"][0].startswith(("Enter a whole number", "Ensure this"))


@pytest.mark.parametrize("param", ["service", "assignee"])
@pytest.mark.parametrize("value", NOT_IDS)
def test_the_queue_answers_400_on_an_id_that_is_not_one(client, agent, param, value):
    client.force_login(agent)

    response = client.get("/requests/queue/", {param: value})

    assert response.status_code == 400
    assert b"number" in response.content or b"Ensure" in response.content


HOSTILE = [*NOT_IDS, "abc", "9999-12-01"]
REQUEST_PAGES = {
    "my requests": ("/requests/", ["status", "page"]),
    "queue": ("/requests/queue/", ["department", "status", "service", "priority", "assignee"]),
}


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("page", REQUEST_PAGES)
def test_a_requests_list_answers_hostile_parameters_with_a_page_or_its_form_errors(
    client, agent, page, value
):
    path, params = REQUEST_PAGES[page]
    client.force_login(agent)

    for param in params:
        response = client.get(path, {param: value})

        assert response.status_code in (200, 400), (param, response.status_code)
        if response.status_code == 400:
            assert response["Content-Type"].startswith("text/html")
            assert 'class="errorlist"' in response.content.decode(), param


@pytest.mark.parametrize("value", HOSTILE)
def test_the_due_time_preview_answers_hostile_parameters_with_its_form_errors(
    client, staff, sales, payroll_extract, value
):
    client.force_login(staff)
    path = f"/requests/new/{payroll_extract.pk}/due-times/"

    for param in ("customer", "priority"):
        response = client.get(path, {param: value})

        assert response.status_code == 400, param
        assert 'class="errorlist"' in response.content.decode(), param


def test_the_queue_shows_its_form_errors_on_the_queue_page_translated(client, agent):
    client.force_login(agent)

    response = client.get(
        "/requests/queue/", {"status": "abc", "service": "²"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Finance" in page  # the queue page, with its filters to correct
    assert "状态: " in page and "服务: " in page  # "Status" and "Service", naming their errors
    assert "No request matches these filters." not in page


def test_my_requests_names_the_status_it_does_not_know(client, staff):
    client.force_login(staff)

    response = client.get("/requests/", {"status": "abc"})

    assert response.status_code == 400
    assert "Status: Select a valid choice. abc is not one of the available choices." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "query",
    [
        {"service": "²"},
        {"other": "99999999999999999999999"},
        *({"week": day} for day in FAR_DATES),
    ],
)
def test_the_requests_behind_a_dashboard_figure_ignore_what_is_not_a_filter(client, head, query):
    client.force_login(head)

    response = client.get("/dashboards/department/FIN/requests/", query)

    assert response.status_code == 200
    assert response.context["filter_labels"] == []


@pytest.mark.parametrize(("first", "last"), [("9999-12-01", "9999-12-31"), FAR_DATES[::-1]])
def test_a_custom_period_beyond_the_years_of_accord_is_a_form_error(client, head, first, last):
    client.force_login(head)

    response = client.get(
        "/dashboards/department/FIN/", {"period": "custom", "from": first, "to": last}
    )

    assert response.status_code == 200
    assert "Choose a date from" in str(response.context["form"].errors)
    assert response.context["period"].kind == "30d"
