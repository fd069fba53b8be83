"""Leavers hand over what they hold when they are deactivated, in one transaction and on record:
approval steps waiting on them go to their delegate, else their head; requests assigned to them
go back to the queue and its agents are told once each; their memberships, API tokens, sessions
and unsent messages end; a head role left empty is flagged to the administrators while
escalations and approvals go one level up.

The example is tests/support/world.py: Finance (headed by `head`) in the Executive Office
supplies Sales; purchases need the head of Finance, then the CFO."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from agreements.models import Agreement, Priority
from config.celery import app as celery_app
from dashboards.periods import Period
from dashboards.selectors import CUSTOMER, department_dashboard
from departments.models import Delegation, Membership, Profile
from directory import letters
from directory.leavers import deactivate_person, department_lost_head
from directory.models import Handover, HandoverItem
from outbox import sending
from outbox.models import Message
from surveys.audience import audience
from surveys.models import Invitation
from surveys.services import campaign_launch
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from tests.support.clock import HOUR, LAUNCH, NOW, at
from tickets import letters as ticket_letters
from tickets import services
from tickets.alerting.breach_scan import breach_scan
from tickets.alerting.escalation import escalate_breaches
from tickets.models import Approval, Event, Ticket


@pytest.fixture
def ceo(company):
    """The head of the Executive Office, one level above Finance."""
    user = UserFactory(username="ceo", first_name="Wei", last_name="Zhang")
    MembershipFactory(user=user, department=company, role=Membership.Role.HEAD)
    return user


@pytest.fixture
def deputy(finance):
    user = UserFactory(username="deputy", first_name="Dan", last_name="Deng")
    MembershipFactory(user=user, department=finance, role=Membership.Role.AGENT)
    return user


@pytest.fixture
def colleague(finance):
    """A second agent of Finance."""
    user = UserFactory(username="colleague", first_name="Cora", last_name="Chen")
    MembershipFactory(user=user, department=finance, role=Membership.Role.AGENT)
    return user


@pytest.fixture
def purchase_request(agreement, purchase, file_request):
    """A purchase waiting on its first step, the head of Finance."""
    return file_request(purchase, title="Two laptops")


def messages(kind, **filters):
    return Message.objects.filter(kind=kind, **filters).order_by("pk")


def send_all() -> None:
    sending.send(Message.objects.filter(state=Message.State.PENDING).values_list("pk", flat=True))


# Approvals ----------------------------------------------------------------------------------


def test_a_leavers_current_approval_goes_to_their_delegate(
    purchase_request, head, deputy, ceo, clock_at
):
    Delegation.objects.create(
        person=head, delegate=deputy, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 30)
    )

    handover = deactivate_person(user=head, reason="Left the company")

    step = Approval.objects.get(ticket=purchase_request, position=1)
    assert step.approver == deputy
    assert messages(ticket_letters.APPROVAL_NEEDED, recipient=deputy, about_id=step.pk).exists()
    item = handover.items.get(what=HandoverItem.What.APPROVAL)
    assert (item.approval, item.to) == (step, deputy)
    assert Event.objects.filter(ticket=purchase_request, text__contains="Dan Deng").exists()


def test_without_a_delegate_the_approval_goes_to_the_head_one_level_up(purchase_request, head, ceo):
    deactivate_person(user=head, reason="Left the company")

    step = Approval.objects.get(ticket=purchase_request, position=1)
    assert step.approver == ceo
    assert purchase_request in Ticket.objects.visible_to(ceo)
    services.approval_decide(approval_id=step.pk, by=ceo, approve=True)
    assert Approval.objects.get(pk=step.pk).decision == Approval.Decision.APPROVED


def test_a_named_approvers_later_step_goes_to_the_head_of_their_own_department(
    purchase_request, head, cfo, ceo, company
):
    MembershipFactory(user=cfo, department=company, role=Membership.Role.MEMBER)

    deactivate_person(user=cfo, reason="Retired")

    later = Approval.objects.get(ticket=purchase_request, position=2)
    assert later.approver == ceo
    assert not messages(ticket_letters.APPROVAL_NEEDED, about_id=later.pk).exists()
    first = Approval.objects.get(ticket=purchase_request, position=1)
    services.approval_decide(approval_id=first.pk, by=head, approve=True)
    assert messages(ticket_letters.APPROVAL_NEEDED, recipient=ceo, about_id=later.pk).exists()


def test_a_request_filed_while_a_department_has_no_head_asks_the_head_above(
    agreement, purchase, head, ceo, file_request
):
    deactivate_person(user=head, reason="Left the company")

    ticket = file_request(purchase, title="A printer")

    assert Approval.objects.get(ticket=ticket, position=1).approver == ceo


# Requests assigned to them ------------------------------------------------------------------


def test_assigned_requests_go_back_to_the_queue_and_each_agent_is_told_once(
    agreement, payroll_extract, file_request, agent, head, colleague
):
    tickets = [file_request(payroll_extract, title=title) for title in ("October", "November")]
    for ticket in tickets:
        services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=agent, expected_version=None)
    Message.objects.all().delete()

    handover = deactivate_person(user=agent, reason="Moved to another company")

    assert list(Ticket.objects.filter(assignee__isnull=False)) == []
    assert (
        Event.objects.filter(kind=Event.Kind.ASSIGNED, actor=None, text__contains="Alex").count()
        == 2
    )
    told = messages(letters.RETURNED_TO_QUEUE)
    assert sorted(message.recipient.username for message in told) == ["colleague", "head"]
    assert {message.about_id for message in told} == {handover.pk}
    send_all()
    assert len(mail.outbox) == 2
    body = mail.outbox[0].body
    assert all(ticket.reference in body for ticket in tickets)
    assert "Alex Huang has left" in mail.outbox[0].subject


def test_the_queue_message_is_withdrawn_once_every_request_is_taken_on(
    agreement, payroll_extract, file_request, agent, head, colleague
):
    ticket = file_request(payroll_extract)
    services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=agent, expected_version=None)
    deactivate_person(user=agent, reason="Left")

    services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=colleague, expected_version=None)
    send_all()

    told = messages(letters.RETURNED_TO_QUEUE)
    assert {message.state for message in told} == {Message.State.CANCELLED}
    assert not [email for email in mail.outbox if "has left" in email.subject]


# Memberships, the head role, escalations -----------------------------------------------------


def test_memberships_end_and_history_stays(agreement, payroll_extract, file_request, staff):
    ticket = file_request(payroll_extract)

    handover = deactivate_person(user=staff, reason="Left")

    assert not Membership.objects.filter(user=staff).exists()
    ticket.refresh_from_db()
    assert (ticket.requester, ticket.customer.code) == (staff, "SALES")
    item = handover.items.get(what=HandoverItem.What.MEMBERSHIP)
    assert (item.department.code, item.role) == ("SALES", Membership.Role.MEMBER)


def test_a_head_role_left_empty_is_flagged_to_the_administrators_in_their_language(
    head, finance, ceo, admin_user
):
    Profile.objects.update_or_create(user=admin_user, defaults={"language": "zh-hans"})

    deactivate_person(user=head, reason="Left")

    flagged = messages(letters.HEAD_VACANT)
    assert [(m.recipient, m.about) for m in flagged] == [(admin_user, finance)]
    send_all()
    assert mail.outbox[0].subject == "Finance 没有负责人了"
    assert "Wei Zhang" in mail.outbox[0].body


def test_a_vacancy_is_not_flagged_once_the_department_has_a_head_again(head, finance, admin_user):
    Membership.objects.filter(user=head).delete()
    MembershipFactory(department=finance, role=Membership.Role.HEAD)

    department_lost_head(department=finance, previous_head=head)

    assert not messages(letters.HEAD_VACANT).exists()


def test_each_vacancy_is_flagged_in_a_round_of_its_own(head, finance, admin_user):
    Membership.objects.filter(user=head).delete()
    department_lost_head(department=finance, previous_head=head)
    department_lost_head(department=finance, previous_head=head)

    assert [m.round for m in messages(letters.HEAD_VACANT)] == [1, 2]


@pytest.fixture
def tasks_run_inline():
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def run(django_capture_on_commit_callbacks, clock_at, tasks_run_inline):
    def job(function, now):
        clock_at(now)
        with django_capture_on_commit_callbacks(execute=True):
            return function()

    return job


def test_escalations_go_one_level_up_while_a_department_has_no_head(
    agreement, payroll_extract, file_request, company, run
):
    """Finance sits in the Executive Office (head vacant), itself in the Group (the chair): the
    level-2 escalation of a Finance breach reaches the chair meanwhile."""
    group = DepartmentFactory(code="GROUP", name="Group")
    company.parent = group
    company.save()
    chair = UserFactory(username="chair", first_name="Lan", last_name="Zhou")
    MembershipFactory(user=chair, department=group, role=Membership.Role.HEAD)
    Agreement.objects.filter(pk=agreement.pk).update(escalation_after=2 * HOUR)
    file_request(payroll_extract, title="Payroll", priority=Priority.P1)
    run(breach_scan, at(23, 10, 1))
    run(escalate_breaches, at(23, 10, 1))
    mail.outbox.clear()

    run(escalate_breaches, at(23, 12))

    (escalated,) = [m for m in mail.outbox if "escalation" in m.subject]
    assert escalated.to == [chair.email]
    assert "Executive Office, which has no head at the moment" in escalated.body


# Surveys and the outbox ----------------------------------------------------------------------


def test_a_leaver_is_not_invited_to_surveys(campaign, requests_filed, sales, finance, staff, hr):
    requests_filed(
        customer=sales, provider=finance, people=[staff], filed_at=LAUNCH - timedelta(days=14)
    )
    colleague = MembershipFactory(department=sales).user
    requests_filed(
        customer=sales, provider=finance, people=[colleague], filed_at=LAUNCH - timedelta(days=14)
    )
    deactivate_person(user=staff, reason="Left")
    draft = campaign()

    wave = campaign_launch(campaign_id=draft.pk, by=hr, now=LAUNCH).waves.get()

    assert Invitation.objects.filter(wave=wave, recipient=colleague).exists()

    assert not Invitation.objects.filter(wave=wave, recipient=staff).exists()


def test_messages_not_yet_sent_to_a_leaver_are_cancelled(
    purchase_request, head, ceo, django_capture_on_commit_callbacks
):
    waiting = messages(ticket_letters.APPROVAL_NEEDED, recipient=head).get()
    unsent = Message.objects.filter(recipient=head, state=Message.State.PENDING).count()

    handover = deactivate_person(user=head, reason="Left")

    waiting.refresh_from_db()
    assert waiting.state == Message.State.CANCELLED
    assert handover.messages_cancelled == unsent
    assert not Message.objects.filter(recipient=head, state=Message.State.PENDING).exists()


def test_the_outbox_never_emails_someone_inactive(purchase_request, head):
    """Made inactive by other means than a hand-over: the message waiting for them is withdrawn
    when its turn comes."""
    head.is_active = False
    head.save()

    send_all()

    waiting = messages(ticket_letters.APPROVAL_NEEDED, recipient=head).get()
    assert (waiting.state, waiting.cancel_reason) == (
        Message.State.CANCELLED,
        Message.CancelReason.GONE,
    )
    assert head.email not in [address for email in mail.outbox for address in email.to]


# Sign-in ----------------------------------------------------------------------------------------


def test_a_leavers_api_tokens_are_deleted_and_sessions_end(client, agent, agreement):
    token = Token.objects.create(user=agent)
    client.force_login(agent)
    assert client.get(reverse("tickets:queue")).status_code == 200

    handover = deactivate_person(user=agent, reason="Left")

    assert handover.api_tokens_deleted == 1
    assert client.get(reverse("tickets:queue")).status_code == 302
    answer = client.get("/api/tickets/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert answer.status_code == 401


def test_a_leavers_sessions_end_whichever_backend_let_them_in(client, agent, settings):
    """A backend that does not itself refuse inactive people (as SSO and LDAP backends may not)."""
    lenient = "django.contrib.auth.backends.AllowAllUsersModelBackend"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, lenient]
    client.force_login(agent, backend=lenient)
    assert client.get(reverse("tickets:queue")).status_code == 200

    deactivate_person(user=agent, reason="Left")

    assert client.get(reverse("tickets:queue")).status_code == 302


# Idempotence and atomicity -------------------------------------------------------------------


def test_deactivating_twice_changes_nothing(purchase_request, head, ceo, admin_user):
    first = deactivate_person(user=head, reason="Left")
    counts = (Message.objects.count(), Event.objects.count(), HandoverItem.objects.count())

    again = deactivate_person(user=head, reason="Left again")

    assert again == first
    assert Handover.objects.count() == 1
    assert (Message.objects.count(), Event.objects.count(), HandoverItem.objects.count()) == counts


@pytest.fixture
def outbox_refusing_queue_messages():
    """A trigger that makes the database refuse the agents' message, written halfway through a
    hand-over (after the approvals and requests have moved)."""
    if connection.vendor != "postgresql":
        pytest.skip("the failure is a PostgreSQL trigger")
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_queue_message() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.kind = '{letters.RETURNED_TO_QUEUE}' THEN "
            "RAISE unique_violation USING MESSAGE = 'refused'; END IF; RETURN NEW; END $$ "
            "LANGUAGE plpgsql"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_queue_message BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_queue_message()"
        )


def test_a_failure_halfway_leaves_the_person_active_and_nothing_moved(
    purchase_request, payroll_extract, file_request, head, ceo, colleague,
    outbox_refusing_queue_messages,
):  # fmt: skip
    assigned = file_request(payroll_extract)
    services.ticket_assign(ticket_id=assigned.pk, by=head, assignee=head, expected_version=None)

    with pytest.raises(IntegrityError):
        deactivate_person(user=head, reason="Left")

    head.refresh_from_db()
    assert head.is_active and head.has_usable_password()
    assert Approval.objects.get(ticket=purchase_request, position=1).approver == head
    assert Ticket.objects.get(pk=assigned.pk).assignee == head
    assert Membership.objects.filter(user=head, role=Membership.Role.HEAD).exists()
    assert not Handover.objects.exists()


# Movers --------------------------------------------------------------------------------------


def test_a_mover_keeps_past_requests_under_the_department_they_filed_them_for(
    finance_week, staff, sales, finance, human_resources, campaign, clock_at
):
    """`staff` filed the hand-computed week of Sales' requests with Finance, then moves to HR."""
    clock_at(NOW)
    week = Period("custom", date(2026, 11, 23), date(2026, 11, 25))
    filed = list(Ticket.objects.filter(requester=staff).values_list("pk", "customer"))
    as_customer = department_dashboard(sales, CUSTOMER, week, NOW)
    surveyed = audience(campaign(), since=at(23, 0), until=at(26, 0))

    Membership.objects.filter(user=staff, department=sales).delete()
    MembershipFactory(user=staff, department=human_resources)

    assert list(Ticket.objects.filter(requester=staff).values_list("pk", "customer")) == filed
    assert {customer for _pk, customer in filed} == {sales.pk}
    after = department_dashboard(sales, CUSTOMER, week, NOW)
    assert after.summary == as_customer.summary and after.summary.received == 8
    assert department_dashboard(human_resources, CUSTOMER, week, NOW).summary.received == 0
    assert audience(campaign(), since=at(23, 0), until=at(26, 0)) == surveyed
    assert (staff.pk, finance.pk, sales.pk) in surveyed
