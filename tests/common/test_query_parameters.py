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
