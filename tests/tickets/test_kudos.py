"""Kudos: a requester who confirmed a request thanks the agent who resolved it and the provider
department, once, in plain text; the agent is told through the outbox. On the request page (at
the confirm step, or after it) and through POST /api/tickets/{id}/kudos/."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from outbox.models import Message
from tickets import services
from tickets.confirm_links import confirm_link_path
from tickets.kudos import AlreadyThanked, kudos_give
from tickets.models import Event, Kudos, Status
from tickets.services import TicketError
from tickets.workflow import Action


def step(ticket, by, action):
    return services.ticket_transition(
        ticket_id=ticket.pk, by=by, action=action, expected_version=None
    )


@pytest.fixture
def resolved(agreement, payroll_extract, file_request, agent):
    """A request of `staff` that `agent` acknowledged and resolved."""
    ticket = file_request(payroll_extract)
    step(ticket, agent, Action.ACKNOWLEDGE)
    return step(ticket, agent, Action.RESOLVE)


@pytest.fixture
def confirmed(resolved, staff):
    return services.ticket_confirm(ticket_id=resolved.pk, by=staff, expected_version=None, rating=5)


def api(person) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=person)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_requester_thanks_the_agent_who_resolved_and_the_provider(confirmed, staff, agent):
    kudos = kudos_give(ticket_id=confirmed.pk, by=staff, message="  Quick and   clear, thanks! ")

    assert (kudos.agent, kudos.department_id, kudos.message) == (
        agent,
        confirmed.provider_id,
        "Quick and clear, thanks!",
    )
    assert confirmed.events.filter(kind=Event.Kind.THANKED, actor=staff).exists()


def test_the_thanked_agent_is_told_through_the_outbox(confirmed, staff, agent):
    kudos_give(ticket_id=confirmed.pk, by=staff, message="Thanks!")

    [message] = Message.objects.filter(kind="tickets.thanked")
    assert message.recipient == agent


def test_thanks_wait_for_the_confirmation(resolved, staff):
    with pytest.raises(TicketError, match="once the request is confirmed"):
        kudos_give(ticket_id=resolved.pk, by=staff, message="Thanks!")

    assert not Kudos.objects.exists()


def test_only_the_requester_may_thank(confirmed, agent, head):
    for person in (agent, head):
        with pytest.raises(PermissionDenied):
            kudos_give(ticket_id=confirmed.pk, by=person, message="Thanks!")


def test_a_request_is_thanked_for_once(confirmed, staff):
    kudos_give(ticket_id=confirmed.pk, by=staff, message="Thanks!")

    with pytest.raises(AlreadyThanked):
        kudos_give(ticket_id=confirmed.pk, by=staff, message="Thanks again!")

    assert Kudos.objects.count() == 1


def test_thanks_are_a_few_words_of_bounded_length(confirmed, staff):
    for message in ("   ", "x" * 501):
        with pytest.raises(ValidationError):
            kudos_give(ticket_id=confirmed.pk, by=staff, message=message)


# The request page


def test_the_confirm_step_takes_thanks_along(resolved, staff, agent, client):
    client.force_login(staff)
    page = client.get(resolved.get_absolute_url()).content.decode()
    assert 'name="kudos"' in page

    response = client.post(
        reverse("tickets:act", args=[resolved.pk]),
        {"action": "confirm", "version": resolved.version, "rating": "5", "kudos": "Spot on"},
    )

    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert Kudos.objects.get().message == "Spot on"


def test_the_page_offers_thanks_after_confirming_until_given(confirmed, staff, client):
    client.force_login(staff)
    assert "Say thanks" in client.get(confirmed.get_absolute_url()).content.decode()

    response = client.post(
        reverse("tickets:thank", args=[confirmed.pk]), {"message": "<b>Great</b> work"}
    )

    assert response.status_code == 302
    page = client.get(confirmed.get_absolute_url()).content.decode()
    assert "Say thanks" not in page
    assert "&lt;b&gt;Great&lt;/b&gt; work" in page and "<b>Great</b>" not in page


def test_the_page_does_not_offer_thanks_to_the_agent_and_refuses_them(confirmed, agent, client):
    client.force_login(agent)
    assert "Say thanks" not in client.get(confirmed.get_absolute_url()).content.decode()

    response = client.post(reverse("tickets:thank", args=[confirmed.pk]), {"message": "Me!"})

    assert response.status_code == 403
    assert not Kudos.objects.exists()


def test_the_thank_page_is_a_404_for_who_cannot_see_the_request(confirmed, outsider, client):
    client.force_login(outsider)

    response = client.post(reverse("tickets:thank", args=[confirmed.pk]), {"message": "Hi"})

    assert response.status_code == 404


def test_thanks_before_confirming_are_refused_on_the_page(resolved, staff, client):
    client.force_login(staff)

    response = client.post(reverse("tickets:thank", args=[resolved.pk]), {"message": "Hi"})

    assert response.status_code == 400
    assert not Kudos.objects.exists()


# The signed link that confirms without logging in


def test_the_confirm_link_takes_thanks_along(resolved, agent, client):
    path = confirm_link_path(resolved)
    assert 'name="kudos"' in client.get(path).content.decode()

    done = client.post(path, {"rating": "5", "kudos": "Spot on, thanks"})

    assert done.status_code == 200 and "Your thanks were passed on." in done.content.decode()
    kudos = Kudos.objects.get()
    assert (kudos.message, kudos.agent, kudos.given_by_id) == (
        "Spot on, thanks",
        agent,
        resolved.requester_id,
    )


def test_the_confirm_link_bounds_the_thanks_and_confirms_nothing_then(resolved, client):
    response = client.post(confirm_link_path(resolved), {"kudos": "x" * 501})

    assert response.status_code == 400
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED and not Kudos.objects.exists()


# The API


def test_the_api_records_thanks_once(confirmed, staff, agent):
    url = f"/api/tickets/{confirmed.pk}/kudos/"

    given = api(staff).post(url, {"message": "Thanks!"}, format="json")
    again = api(staff).post(url, {"message": "Thanks!"}, format="json")

    assert given.status_code == 201
    assert given.json()["agent"] == "agent" and given.json()["department"] == "FIN"
    assert again.status_code == 400


def test_the_api_refuses_thanks_from_others_and_hides_the_request_from_outsiders(
    confirmed, agent, outsider
):
    url = f"/api/tickets/{confirmed.pk}/kudos/"

    assert api(agent).post(url, {"message": "Me!"}, format="json").status_code == 403
    assert api(outsider).post(url, {"message": "Hi"}, format="json").status_code == 404


def test_the_api_bounds_the_message(confirmed, staff):
    response = api(staff).post(
        f"/api/tickets/{confirmed.pk}/kudos/", {"message": "x" * 501}, format="json"
    )

    assert response.status_code == 400
    assert "message" in response.json()
