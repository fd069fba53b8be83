"""Only the answer link works without logging in; every other survey page sends an anonymous
visitor to the login page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("surveys:home", []),
        ("surveys:campaigns", []),
        ("surveys:campaign_new", []),
        ("surveys:campaign", [1]),
        ("surveys:wave_progress", [1]),
        ("surveys:questions", []),
        ("surveys:results_index", []),
        ("surveys:results", [1]),
        ("surveys:department_results", [1, "FIN"]),
        ("surveys:export", [1, "results", "xlsx"]),
    ],
)
def test_survey_pages_redirect_an_anonymous_visitor_to_login(client, name, args):
    response = client.get(reverse(name, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_answer_link_is_public(client):
    response = client.get(reverse("surveys:answer", args=["not-a-token"]))

    assert response.status_code == 404
    assert "not a valid survey link" in response.content.decode()
