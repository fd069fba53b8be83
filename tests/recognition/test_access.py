"""Who sees what of recognition, through every door (pages, export, API): HR runs the cycles and
sees every candidate; everyone signed in sees published awards; a person's figures show only to
them, the heads of their departments and HR; a department's to those who see the scorecard."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.navigation import navigation_for
from departments.models import Delegation
from recognition import services
from tests.factories import UserFactory
from tests.support.clock import at

HR_PAGES = ["recognition:cycles", "recognition:cycle_new"]


def api(person) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=person)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def exported(client, cycle) -> dict[str, dict]:
    """The rows of the CSV export of `cycle`, by title."""
    response = client.get(reverse("recognition:export", args=[cycle.pk, "csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return {row["Title"]: row for row in csv.DictReader(io.StringIO(text))}


# HR's pages


@pytest.mark.parametrize("person", ["staff", "agent", "head", "outsider"])
def test_hr_pages_are_a_404_to_everyone_else(november, person, request, client):
    client.force_login(request.getfixturevalue(person))

    for name in HR_PAGES:
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(november.get_absolute_url()).status_code == 404
    for name in ("recognition:award_add", "recognition:publish"):
        assert client.post(reverse(name, args=[november.pk])).status_code == 404, name


def test_hr_opens_every_recognition_page(november, hr, client):
    client.force_login(hr)

    for name in HR_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(november.get_absolute_url()).status_code == 200


# The awards page


def test_the_awards_page_has_an_empty_state_and_no_drafts(november, staff, client):
    client.force_login(staff)

    page = client.get(reverse("recognition:awards")).content.decode()

    assert "No awards have been published yet." in page and "November 2026" not in page


def test_everyone_signed_in_sees_published_awards_and_their_reasons(published, outsider, client):
    client.force_login(outsider)

    page = client.get(reverse("recognition:awards")).content.decode()

    assert "Most thanked agent" in page and "Thanked for every request." in page
    assert "Best supplier" in page


def test_a_persons_figures_show_to_them_their_head_and_hr_only(published, client, request):
    for person, sees in [
        ("agent", True),
        ("head", True),
        ("hr", True),
        ("staff", False),
        ("outsider", False),
    ]:
        client.force_login(request.getfixturevalue(person))
        page = client.get(reverse("recognition:awards")).content.decode()
        assert ("Requests resolved" in page) is sees, person


def test_a_departments_figures_show_to_heads_and_hr_not_to_staff(published, staff, head, client):
    client.force_login(staff)
    assert "Compliance" not in client.get(reverse("recognition:awards")).content.decode()

    client.force_login(head)
    assert "Compliance" in client.get(reverse("recognition:awards")).content.decode()


def test_the_awards_page_never_renders_a_reason_as_html(november, hr, finance, staff, client):
    services.award_add(
        cycle_id=november.pk, by=hr, department=finance, title="<i>T</i>", reason="<b>R</b>"
    )
    services.cycle_publish(cycle_id=november.pk, by=hr)
    client.force_login(staff)

    page = client.get(reverse("recognition:awards")).content.decode()

    assert "&lt;b&gt;R&lt;/b&gt;" in page and "<b>R</b>" not in page


# The export


def test_the_export_leaves_out_the_figures_the_reader_may_not_see(published, staff, client):
    client.force_login(staff)

    rows = exported(client, published)

    person = rows["Most thanked agent"]
    assert person["Username"] == "agent" and person["Reason"] == "Thanked for every request."
    assert person["Kudos"] == person["Requests resolved"] == ""
    assert rows["Best supplier"]["Compliance"] == ""


def test_the_export_carries_every_figure_for_hr(published, hr, client):
    client.force_login(hr)

    rows = exported(client, published)

    assert rows["Most thanked agent"]["Kudos"] == "1"
    assert rows["Most thanked agent"]["Resolved in time"] == "1"
    assert rows["Best supplier"]["Compliance"] == "100.0"


def test_the_export_of_a_draft_is_a_404_but_for_hr(november, staff, hr, client):
    client.force_login(staff)
    url = reverse("recognition:export", args=[november.pk, "xlsx"])
    assert client.get(url).status_code == 404

    client.force_login(hr)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# Navigation


def test_hr_sees_recognition_and_everyone_awards_once_published(november, hr, staff, finance):
    assert navigation_for(hr).recognition and not navigation_for(staff).recognition
    assert not navigation_for(staff).awards

    services.award_add(cycle_id=november.pk, by=hr, department=finance, title="T", reason="R")
    services.cycle_publish(cycle_id=november.pk, by=hr)

    assert navigation_for(staff).awards and navigation_for(hr).awards


# The API


def test_the_api_lists_published_cycles_to_everyone_and_drafts_to_hr(november, staff, hr):
    assert api(staff).get("/api/recognition/cycles/").json()["results"] == []
    assert api(staff).get(f"/api/recognition/cycles/{november.pk}/").status_code == 404
    [cycle] = api(hr).get("/api/recognition/cycles/").json()["results"]
    assert cycle["status"] == "draft"


def test_only_hr_creates_cycles_and_reads_candidates_through_the_api(published, staff, hr):
    body = {"name": "Q", "starts_on": "2026-11-01", "ends_on": "2026-11-30"}
    candidates = f"/api/recognition/cycles/{published.pk}/candidates/"

    assert api(staff).post("/api/recognition/cycles/", body, format="json").status_code == 403
    assert api(staff).get(candidates).status_code == 403
    answer = api(hr).get(candidates)
    assert answer.status_code == 200
    assert answer.json()["people"][0]["figures"]["kudos"] == 1


def test_a_drafts_candidates_are_a_404_to_everyone_but_hr(november, head):
    response = api(head).get(f"/api/recognition/cycles/{november.pk}/candidates/")

    assert response.status_code == 404


def test_the_api_shows_a_persons_figures_to_them_and_not_to_others(published, agent, staff):
    def figures(person):
        awards = api(person).get("/api/recognition/awards/").json()["results"]
        return {award["title"]: award["figures"] for award in awards}

    assert figures(staff)["Most thanked agent"] is None
    assert figures(staff)["Best supplier"] is None
    mine = {figure["key"]: figure["value"] for figure in figures(agent)["Most thanked agent"]}
    assert mine == {"kudos": 1, "resolved": 1, "resolved_met": 1}


def test_hr_picks_and_publishes_through_the_api(november, hr, staff, finance):
    body = {"cycle": november.pk, "department": "FIN", "title": "Best", "reason": "Fast."}

    assert api(staff).post("/api/recognition/awards/", body, format="json").status_code == 403
    created = api(hr).post("/api/recognition/awards/", body, format="json")
    published = api(hr).post(f"/api/recognition/cycles/{november.pk}/publish/")

    assert created.status_code == 201 and created.json()["awarded_to"] == "Finance"
    assert published.status_code == 200 and published.json()["status"] == "published"
    [award] = api(staff).get("/api/recognition/awards/").json()["results"]
    assert award["title"] == "Best"


def test_the_api_refuses_an_award_to_nobody(november, hr):
    body = {"cycle": november.pk, "title": "Best", "reason": "Fast."}

    response = api(hr).post("/api/recognition/awards/", body, format="json")

    assert response.status_code == 400


# A head's delegate in force sees what the head sees of their department's people


@pytest.fixture
def deputy(head):
    """Finance's head is away from 20 to 27 November 2026; `deputy` decides for them."""
    person = UserFactory(username="deputy")
    Delegation.objects.create(
        person=head, delegate=person, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 27)
    )
    return person


def test_a_heads_deputy_sees_the_persons_figures_on_the_awards_page(published, deputy, client):
    client.force_login(deputy)

    assert "Requests resolved" in client.get(reverse("recognition:awards")).content.decode()


def test_a_heads_deputy_sees_the_persons_figures_in_the_export(published, deputy, client):
    client.force_login(deputy)

    assert exported(client, published)["Most thanked agent"]["Kudos"] == "1"


def test_a_heads_deputy_sees_the_persons_figures_through_the_api(published, deputy):
    awards = api(deputy).get("/api/recognition/awards/").json()["results"]

    [person] = [award for award in awards if award["title"] == "Most thanked agent"]
    assert {figure["key"]: figure["value"] for figure in person["figures"]}["kudos"] == 1


def test_a_deputy_sees_no_persons_figures_once_the_delegation_ended(
    published, deputy, client, clock_at
):
    clock_at(at(28, 9))
    client.force_login(deputy)

    assert "Requests resolved" not in client.get(reverse("recognition:awards")).content.decode()
    assert exported(client, published)["Most thanked agent"]["Kudos"] == ""
    awards = api(deputy).get("/api/recognition/awards/").json()["results"]
    assert all(award["figures"] is None for award in awards)
