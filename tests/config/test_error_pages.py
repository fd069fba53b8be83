from django.contrib.auth.decorators import login_not_required
from django.test import Client, override_settings
from django.urls import path


@login_not_required
def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken_view)]


def test_a_missing_page_is_a_404_in_the_site_layout(client, staff):
    client.force_login(staff)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist, or it is not yours to see." in page
    assert 'aria-label="Main"' in page


def test_a_refusal_is_a_403_that_says_why(client, agent, finance):
    client.force_login(agent)

    response = client.get("/agreements/new/FIN/")

    assert response.status_code == 403
    assert "Only the head of Finance drafts its agreements." in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_shows_a_plain_page_in_the_visitors_language(db):
    client = Client(raise_request_exception=False)

    response = client.get("/broken/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 500
    assert "错误已记录" in response.content.decode()


def test_a_nul_character_in_the_address_is_a_400_not_a_500(client, staff):
    client.force_login(staff)

    api = client.get("/api/agreements/", {"provider": "\x00"})
    page = client.get("/services/", {"q": "a\x00b"})

    assert (api.status_code, page.status_code) == (400, 400)
    assert api.json() == {"detail": "The address contains a NUL character."}
    assert page.content.decode() == "The address contains a NUL character."
