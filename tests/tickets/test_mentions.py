"""@mentions: `@username` in a comment tells that person, and makes them a watcher, only if they
can see the request (for an internal note: only the provider's agents and head). A mention of
someone who cannot see it stays plain text; the author is told so only for people of the two
departments of the request. Mentions are shown escaped, whatever the comment says."""

import pytest
from django.urls import reverse

from departments.models import Membership
from outbox.kinds import KINDS
from outbox.models import Message
from tests.factories import MembershipFactory, UserFactory
from tickets import conversation, letters
from tickets.mentions import mentioned_usernames, segments
from tickets.models import Mention, Watcher


@pytest.fixture
def ticket(agreement, payroll_extract, file_request):
    return file_request(payroll_extract)


@pytest.fixture
def colleague(sales):
    """Another member of Sales, who does not see `staff`'s request."""
    return MembershipFactory(
        department=sales, role=Membership.Role.MEMBER, user__username="colleague",
        user__first_name="Lin", user__last_name="Wu",
    ).user  # fmt: skip


def mentioned() -> list[str]:
    return sorted(m.recipient.username for m in Message.objects.filter(kind=letters.MENTIONED))


def test_usernames_are_found_once_each_and_without_the_full_stop_ending_a_sentence():
    text = "@agent please ask @head.office. Thanks @agent! mail li@example.com"

    assert mentioned_usernames(text) == ["agent", "head.office"]


def test_a_mention_of_someone_who_sees_the_request_tells_them_and_makes_them_watch(
    ticket, staff, head
):
    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="@head could you look?")

    assert mentioned() == ["head"]
    assert Watcher.objects.filter(ticket=ticket, person=head).exists()


def test_a_mentioned_person_is_not_told_twice_as_a_watcher(ticket, staff, head):
    conversation.ticket_watch(ticket_id=ticket.pk, by=head)

    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="@head could you look?")

    assert mentioned() == ["head"]
    assert not Message.objects.filter(kind=letters.COMMENTED).exists()


def test_a_mention_of_someone_who_cannot_see_the_request_tells_nobody(ticket, staff, colleague):
    comment = conversation.comment_post(ticket_id=ticket.pk, by=staff, text="cc @colleague")

    assert mentioned() == []
    assert not Watcher.objects.exists()
    assert comment.cannot_see == ["Lin Wu"]


def test_a_mention_of_someone_outside_both_departments_is_not_reported(ticket, staff, outsider):
    comment = conversation.comment_post(ticket_id=ticket.pk, by=staff, text="cc @outsider")

    assert comment.cannot_see == []
    assert mentioned() == []


def test_an_internal_note_tells_only_mentioned_people_of_the_provider(ticket, agent, head, sales):
    sales_head = sales.head
    sales_head.username = "saleshead"
    sales_head.save()

    comment = conversation.comment_post(
        ticket_id=ticket.pk, by=agent, text="@head @saleshead numbers are off", internal=True
    )

    assert mentioned() == ["head"]
    assert not Watcher.objects.filter(person=sales_head).exists()
    assert comment.cannot_see == [sales_head.get_full_name()]


def test_the_author_is_told_on_the_page_who_cannot_see_the_request(
    client, ticket, staff, colleague
):
    client.force_login(staff)

    response = client.post(
        reverse("tickets:comment", args=[ticket.pk]), {"text": "cc @colleague"}, follow=True
    )

    assert "Lin Wu cannot see this request and was not told." in response.content.decode()


def test_a_mention_is_shown_by_name_and_an_unseen_one_as_plain_text(
    client, ticket, staff, head, colleague
):
    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="@head and @colleague")
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert '<strong class="mention" title="Fang Liu">@head</strong>' in page
    assert '<strong class="mention" title="Lin Wu">' not in page
    assert " and @colleague" in page


def test_a_comment_with_markup_around_a_mention_is_escaped(client, ticket, staff, head):
    text = '<script>alert(1)</script>@head<img src=x onerror="alert(2)">'
    conversation.comment_post(ticket_id=ticket.pk, by=staff, text=text)
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page
    assert ">@head</strong>" in page


def test_a_person_with_markup_in_their_name_is_escaped_in_a_mention(client, ticket, staff, sales):
    hostile = UserFactory(username="evil", first_name='"><b>x</b>', last_name="")
    MembershipFactory(user=hostile, department=sales.parent, role=Membership.Role.MEMBER)
    MembershipFactory(user=hostile, department=ticket.provider, role=Membership.Role.AGENT)
    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="hi @evil")
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert Mention.objects.filter(person=hostile).exists()
    assert 'title="&quot;&gt;&lt;b&gt;x&lt;/b&gt;">@evil</strong>' in page


def test_segments_keep_every_character_of_the_comment():
    people = {"head": object()}
    text = "@head, see @nobody's note\n@head"

    pieces = segments(text, people)

    assert "".join(piece.text for piece in pieces) == text
    assert [piece.person is not None for piece in pieces] == [True, False, True]


def test_the_mention_e_mail_is_sent_in_the_recipients_message(ticket, staff, head):
    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="@head could you look?")
    [message] = Message.objects.filter(kind=letters.MENTIONED)

    assert KINDS[letters.MENTIONED].title(message) == (
        f"[{ticket.reference}] October payroll: you are mentioned"
    )
