"""Hand-offs along a process (Rules of the clock 10): Sales asks Finance for a payroll extract;
Finance's `agent` hands part of it off to IT (a new laptop) under IT's agreement with Finance.
Time is frozen in Shanghai on the week of Monday 23 November 2026 (office hours 09:00-12:00 and
13:30-18:00)."""

import pytest
from django.core.exceptions import PermissionDenied

from agreements.models import Priority
from outbox.models import Message
from tests.factories import DepartmentFactory, ServiceFactory, agreement_in_force
from tests.support.clock import at
from tests.support.world import TARGETS
from tickets import conversation, hand_offs, letters, selectors, services
from tickets.models import Event, Pause, Status, Ticket
from tickets.services import StaleTicket, TicketError
from tickets.workflow import Action


@pytest.fixture
def parent(agreement, payroll_extract, file_request, clock_at):
    clock_at(at(23, 9))
    return file_request(payroll_extract, priority=Priority.P2)


def act(ticket, by, action, when, clock_at):
    clock_at(when)
    return services.ticket_transition(
        ticket_id=ticket.pk, by=by, action=action, expected_version=None
    )


def test_an_agent_hands_off_a_child_filed_by_their_department_as_the_customer(
    parent, hand_off, agent, finance, it, it_agreement
):
    child = hand_off(parent)

    assert child.parent == parent
    assert (child.customer, child.provider, child.requester) == (finance, it, agent)
    assert child.agreement == it_agreement
    assert child.resolution_due_at == at(24, 9, 30)  # its own clock, from its own filing
    assert parent.events.filter(kind=Event.Kind.HAND_OFF, text__startswith=child.reference)


def test_a_hand_off_is_announced_to_its_provider_like_any_new_request(parent, hand_off, it_agent):
    child = hand_off(parent)

    assert Message.objects.filter(
        kind=letters.FILED, recipient=it_agent, about_id=child.events.get().pk
    ).exists()


def test_a_hand_off_needs_an_agreement_covering_the_department_as_a_customer(
    parent, hand_off, it, it_agreement
):
    printers = ServiceFactory(provider=it, name="Printer toner")

    with pytest.raises(TicketError, match="No agreement in force covers Finance"):
        hand_off(parent, service=printers)
    assert not Ticket.objects.filter(parent=parent).exists()


def test_a_hand_off_goes_to_another_department(parent, hand_off, unagreed_service):
    with pytest.raises(TicketError, match="another department"):
        hand_off(parent, service=unagreed_service)


def test_the_requester_of_the_parent_may_not_open_a_hand_off(parent, hand_off, staff):
    with pytest.raises(PermissionDenied):
        hand_off(parent, by=staff)


def test_the_provider_of_the_child_may_not_open_a_hand_off_of_the_parent(
    parent, hand_off, it_agent
):
    with pytest.raises(PermissionDenied):
        hand_off(parent, by=it_agent)


def test_a_request_that_is_over_opens_no_hand_off(parent, hand_off, staff, clock_at):
    act(parent, staff, Action.CANCEL, at(23, 10), clock_at)

    with pytest.raises(StaleTicket):
        hand_off(parent)


def test_the_parent_is_not_resolved_while_a_hand_off_is_open(parent, hand_off, agent, clock_at):
    child = hand_off(parent)

    with pytest.raises(TicketError, match=child.reference):
        act(parent, agent, Action.RESOLVE, at(23, 11), clock_at)


def test_the_parent_is_resolved_once_its_hand_off_is_resolved(
    parent, hand_off, agent, it_agent, clock_at
):
    child = hand_off(parent)
    act(child, it_agent, Action.RESOLVE, at(23, 10), clock_at)

    assert act(parent, agent, Action.RESOLVE, at(23, 11), clock_at).status == Status.RESOLVED


def test_the_parent_is_resolved_once_its_hand_off_is_cancelled(parent, hand_off, agent, clock_at):
    child = hand_off(parent)
    act(child, agent, Action.CANCEL, at(23, 10), clock_at)

    assert act(parent, agent, Action.RESOLVE, at(23, 11), clock_at).status == Status.RESOLVED


def test_detaching_a_hand_off_lets_the_parent_be_resolved_and_is_on_both_timelines(
    parent, hand_off, agent, clock_at
):
    child = hand_off(parent)
    clock_at(at(23, 10))

    hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=child.pk, by=agent)

    child.refresh_from_db()
    assert child.detached_at == at(23, 10) and child.status == Status.NEW
    assert parent.events.filter(kind=Event.Kind.DETACHED, actor=agent).exists()
    assert child.events.filter(kind=Event.Kind.DETACHED, actor=agent).exists()
    assert act(parent, agent, Action.RESOLVE, at(23, 11), clock_at).status == Status.RESOLVED


def test_a_hand_off_is_detached_once(parent, hand_off, agent):
    child = hand_off(parent)
    hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=child.pk, by=agent)

    with pytest.raises(StaleTicket):
        hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=child.pk, by=agent)


def test_only_the_parents_agents_detach_a_hand_off(parent, hand_off, staff, it_agent):
    child = hand_off(parent)

    for person in (staff, it_agent):
        with pytest.raises(PermissionDenied):
            hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=child.pk, by=person)


# The clock -----------------------------------------------------------------------------------


def test_the_parent_pauses_while_it_waits_on_its_hand_off_and_resumes_when_it_is_resolved(
    parent, hand_off, pausing, it_agent, clock_at
):
    assert parent.resolution_due_at == at(24, 9, 30)
    clock_at(at(23, 10))
    child = hand_off(parent)

    parent.refresh_from_db()
    assert parent.paused_at == at(23, 10) and parent.resolution_due_at is None
    assert parent.first_response_due_at == at(23, 14, 30)  # the first response still runs
    assert parent.pauses.get().reason == Pause.Reason.CHILD

    act(child, it_agent, Action.RESOLVE, at(23, 15), clock_at)

    parent.refresh_from_db()
    # Paused 10:00-12:00 and 13:30-15:00: 3.5 working hours later than Tuesday 09:30.
    assert parent.paused_at is None
    assert parent.resolution_due_at == at(24, 14, 30)


def test_the_parent_resumes_only_when_its_last_hand_off_is_over(
    parent, hand_off, pausing, agent, it_agent, clock_at
):
    first = hand_off(parent)
    second = hand_off(parent, title="A second screen")
    act(first, it_agent, Action.RESOLVE, at(23, 10), clock_at)

    parent.refresh_from_db()
    assert parent.resolution_due_at is None

    act(second, agent, Action.CANCEL, at(23, 11), clock_at)

    parent.refresh_from_db()
    assert parent.resolution_due_at == at(24, 11, 30)  # paused 09:00-11:00


def test_the_parent_waits_again_when_its_hand_off_is_reopened(
    parent, hand_off, pausing, agent, it_agent, clock_at
):
    child = hand_off(parent)
    act(child, it_agent, Action.RESOLVE, at(23, 10), clock_at)
    act(child, agent, Action.REOPEN, at(23, 11), clock_at)

    parent.refresh_from_db()
    assert parent.resolution_due_at is None and parent.paused_at == at(23, 11)
    with pytest.raises(TicketError):
        act(parent, agent, Action.RESOLVE, at(23, 11, 30), clock_at)


def test_without_its_agreement_saying_so_the_parent_clock_runs_while_it_waits(
    parent, hand_off, agreement
):
    assert not agreement.pauses_for_hand_offs
    hand_off(parent)

    parent.refresh_from_db()
    assert parent.paused_at is None and parent.resolution_due_at == at(24, 9, 30)


def test_an_answer_of_the_requester_does_not_end_the_wait_on_a_hand_off(
    parent, hand_off, pausing, agent, staff, clock_at
):
    act(parent, agent, Action.ASK, at(23, 10), clock_at)
    clock_at(at(23, 11))
    hand_off(parent)
    act(parent, staff, Action.ANSWER, at(23, 13, 30), clock_at)

    parent.refresh_from_db()
    assert parent.status == Status.IN_PROGRESS
    assert parent.paused_at == at(23, 11) and parent.resolution_due_at is None
    assert parent.pauses.filter(ended_at__isnull=True).get().reason == Pause.Reason.CHILD


def test_detaching_the_last_hand_off_resumes_the_parent(parent, hand_off, pausing, agent, clock_at):
    child = hand_off(parent)
    clock_at(at(23, 10))
    hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=child.pk, by=agent)

    parent.refresh_from_db()
    assert parent.resolution_due_at == at(24, 10, 30)


def test_following_the_hand_offs_twice_changes_nothing_more(
    parent, hand_off, pausing, agent, clock_at
):
    hand_off(parent)
    clock_at(at(23, 10))
    for _ in range(2):
        services.parent_follow_children(parent_id=parent.pk, by=agent, at=at(23, 10))

    assert parent.pauses.count() == 1
    assert parent.pauses.get().ended_at is None


# Who hears of it ------------------------------------------------------------------------------


def test_a_resolved_hand_off_is_told_to_the_parents_assignee(
    parent, hand_off, agent, head, it_agent, clock_at
):
    services.ticket_assign(ticket_id=parent.pk, by=head, assignee=head, expected_version=None)
    child = hand_off(parent)
    act(child, it_agent, Action.RESOLVE, at(23, 10), clock_at)

    told = Message.objects.filter(kind=letters.HAND_OFF_RESOLVED)
    assert [message.recipient for message in told] == [head]


def test_a_resolved_hand_off_of_an_unassigned_parent_is_told_to_whoever_opened_it(
    parent, hand_off, agent, it_agent, clock_at
):
    child = hand_off(parent)
    act(child, it_agent, Action.RESOLVE, at(23, 10), clock_at)

    told = Message.objects.filter(kind=letters.HAND_OFF_RESOLVED)
    assert [message.recipient for message in told] == [agent]


# Who sees what --------------------------------------------------------------------------------


def test_the_childs_provider_sees_the_child_but_not_the_parent(parent, hand_off, it_agent):
    child = hand_off(parent)

    assert Ticket.objects.visible_to(it_agent).filter(pk=child.pk).exists()
    assert not Ticket.objects.visible_to(it_agent).filter(pk=parent.pk).exists()
    assert hand_offs.parent_seen(child, it_agent) is None


def test_the_parents_agents_see_the_hand_offs_of_their_department(parent, hand_off, head, finance):
    from tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, department=finance, role="agent")
    child = hand_off(parent)

    assert Ticket.objects.visible_to(colleague).filter(pk=child.pk).exists()
    assert hand_offs.parent_seen(child, colleague) == parent


def test_the_parents_requester_sees_its_hand_offs_listed_but_may_not_open_them(
    parent, hand_off, staff, outsider
):
    child = hand_off(parent)

    [row] = hand_offs.children_seen(parent, staff)
    assert row.ticket == child and not row.linked
    assert not Ticket.objects.visible_to(staff).filter(pk=child.pk).exists()
    assert not Ticket.objects.visible_to(outsider).filter(pk=child.pk).exists()


# Cancelling the parent -------------------------------------------------------------------------


def test_cancelling_the_parent_cancels_its_open_hand_offs_with_it(
    parent, hand_off, staff, it_agent, clock_at
):
    new = hand_off(parent)
    started = hand_off(parent, title="A second screen")
    act(started, it_agent, Action.START, at(23, 9, 30), clock_at)

    act(parent, staff, Action.CANCEL, at(23, 10), clock_at)

    for child in (new, started):
        child.refresh_from_db()
        assert (child.status, child.closed_at) == (Status.CANCELLED, at(23, 10))
    event = new.events.get(kind=Event.Kind.CANCELLED_WITH_PARENT)
    assert (event.actor, event.at, event.text) == (staff, at(23, 10), parent.reference)
    assert (event.from_status, event.to_status) == (Status.NEW, Status.CANCELLED)
    assert not event.is_internal  # the hand-off's requester reads why too
    assert started.events.get(kind=Event.Kind.CANCELLED_WITH_PARENT).from_status == (
        Status.IN_PROGRESS
    )


def test_a_detached_or_resolved_hand_off_is_left_alone_when_the_parent_is_cancelled(
    parent, hand_off, agent, staff, it_agent, clock_at
):
    detached = hand_off(parent)
    hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=detached.pk, by=agent)
    resolved = hand_off(parent, title="A second screen")
    act(resolved, it_agent, Action.RESOLVE, at(23, 9, 30), clock_at)

    act(parent, staff, Action.CANCEL, at(23, 10), clock_at)

    detached.refresh_from_db()
    resolved.refresh_from_db()
    assert (detached.status, resolved.status) == (Status.NEW, Status.RESOLVED)
    assert not Event.objects.filter(kind=Event.Kind.CANCELLED_WITH_PARENT).exists()


def test_a_hand_off_waiting_on_its_requester_stops_waiting_when_cancelled_with_its_parent(
    parent, hand_off, staff, it_agent, clock_at
):
    child = hand_off(parent)
    act(child, it_agent, Action.ASK, at(23, 9, 30), clock_at)

    act(parent, staff, Action.CANCEL, at(23, 10), clock_at)

    child.refresh_from_db()
    assert child.status == Status.CANCELLED and child.paused_at is None
    assert child.pauses.get().ended_at == at(23, 10)


def test_the_hand_offs_of_a_hand_off_are_cancelled_with_it(
    parent, hand_off, staff, it, it_agent, calendar, clock_at
):
    facilities = DepartmentFactory(code="FAC", name="Facilities")
    desk = ServiceFactory(provider=facilities, name="A desk", default_priority=Priority.P2)
    clock_at(at(2, 10))
    agreement_in_force(
        provider=facilities, customers=[it], services=[desk], targets=TARGETS, calendar=calendar
    )
    clock_at(at(23, 9))
    child = hand_off(parent)
    grandchild = hand_off(child, by=it_agent, service=desk, title="A desk for the laptop")

    act(parent, staff, Action.CANCEL, at(23, 10), clock_at)

    grandchild.refresh_from_db()
    assert grandchild.status == Status.CANCELLED
    assert grandchild.events.get(kind=Event.Kind.CANCELLED_WITH_PARENT).text == child.reference


def test_a_hand_off_cancelled_with_its_parent_tells_its_provider_and_its_watchers(
    parent, hand_off, staff, agent, it_agent, clock_at
):
    child = hand_off(parent)
    conversation.ticket_watch(ticket_id=child.pk, by=agent)

    act(parent, staff, Action.CANCEL, at(23, 10), clock_at)

    event = child.events.get(kind=Event.Kind.CANCELLED_WITH_PARENT)
    told = Message.objects.filter(about_id=event.pk)
    assert it_agent in [message.recipient for message in told.filter(kind=letters.CANCELLED)]
    assert [message.recipient for message in told.filter(kind=letters.STATUS_CHANGED)] == [agent]


def test_cancelling_the_parent_ends_its_wait_on_its_hand_offs(
    parent, hand_off, pausing, staff, clock_at
):
    hand_off(parent)

    cancelled = act(parent, staff, Action.CANCEL, at(23, 10), clock_at)

    assert cancelled.status == Status.CANCELLED and cancelled.paused_at is None
    assert parent.pauses.get(reason=Pause.Reason.CHILD).ended_at == at(23, 10)


def test_closing_the_parent_as_a_duplicate_cancels_its_open_hand_offs_as_cancelling_does(
    parent, hand_off, pausing, agent, file_request, payroll_extract, clock_at
):
    original = file_request(payroll_extract, title="October payroll, again")
    child = hand_off(parent)
    clock_at(at(23, 10))

    closed = conversation.ticket_close_as_duplicate(
        ticket_id=parent.pk, original_id=original.pk, by=agent, expected_version=None
    )

    child.refresh_from_db()
    assert (child.status, child.closed_at) == (Status.CANCELLED, at(23, 10))
    event = child.events.get(kind=Event.Kind.CANCELLED_WITH_PARENT)
    assert (event.actor, event.text) == (agent, parent.reference)
    assert closed.status == Status.CANCELLED and closed.paused_at is None
    assert parent.pauses.get(reason=Pause.Reason.CHILD).ended_at == at(23, 10)


def test_a_cancellation_refused_cancels_no_hand_off(parent, hand_off, agent, clock_at):
    child = hand_off(parent)

    with pytest.raises(PermissionDenied):
        act(parent, agent, Action.CANCEL, at(23, 10), clock_at)

    child.refresh_from_db()
    assert child.status == Status.NEW


# The parent's version --------------------------------------------------------------------------


def test_opening_a_hand_off_changes_the_parents_version(parent, hand_off, agent):
    before = parent.version

    hand_off(parent)

    parent.refresh_from_db()
    assert parent.version > before
    with pytest.raises(StaleTicket):
        services.ticket_assign(
            ticket_id=parent.pk, by=agent, assignee=agent, expected_version=before
        )


def test_detaching_a_hand_off_changes_the_parents_version(parent, hand_off, agent):
    child = hand_off(parent)
    parent.refresh_from_db()
    before = parent.version

    hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=child.pk, by=agent)

    parent.refresh_from_db()
    assert parent.version > before


# What the parent waits on ------------------------------------------------------------------------


def test_a_parent_waiting_on_its_requester_and_a_hand_off_waits_on_both(
    parent, hand_off, pausing, agent, clock_at
):
    clock_at(at(23, 9, 30))
    hand_off(parent)
    act(parent, agent, Action.ASK, at(23, 10), clock_at)

    parent.refresh_from_db()
    assert selectors.waiting_on(parent) == {"hand_off": at(23, 9, 30), "requester": at(23, 10)}


def test_a_parent_that_waits_on_nothing_says_so(parent, hand_off, agent):
    hand_off(parent)  # the agreement does not pause for hand-offs

    parent.refresh_from_db()
    assert selectors.waiting_on(parent) == {}
