"""Draft → proposed → active → superseded or expired, and who may do what."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from agreements import services
from agreements.models import Agreement, AgreementEvent, Coverage, Priority
from departments.models import Membership
from tests.factories import CalendarFactory, DepartmentFactory, MembershipFactory, ServiceFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = timedelta(hours=1)
TARGETS = {Priority.P1: (1 * HOURS, 4 * HOURS), Priority.P3: (8 * HOURS, 40 * HOURS)}


@pytest.fixture
def payroll_extract(finance):
    return ServiceFactory(provider=finance, name="Payroll data extract")


@pytest.fixture
def sales_head(sales):
    return MembershipFactory(department=sales, role=Membership.Role.HEAD).user


def draft(head, finance, services_, customers, **fields):
    agreement = Agreement(
        provider=finance,
        title=fields.pop("title", "Finance services"),
        calendar=fields.pop("calendar", None) or CalendarFactory(name="China office"),
        **fields,
    )
    return services.agreement_save_draft(
        agreement=agreement,
        by=head,
        revision=None,
        services=services_,
        customers=customers,
        targets=TARGETS,
    )


@pytest.fixture
def proposal(head, finance, sales, payroll_extract, sales_head):
    agreement = draft(head, finance, [payroll_extract], [sales])
    return services.agreement_propose(
        agreement_id=agreement.pk, by=head, revision=agreement.revision
    )


def accept(agreement, by, department, **kwargs):
    agreement.refresh_from_db()
    return services.agreement_accept(
        agreement_id=agreement.pk,
        by=by,
        department=department,
        revision=agreement.revision,
        **kwargs,
    )


def test_the_provider_head_saves_a_draft_with_targets(head, finance, sales, payroll_extract):
    agreement = draft(head, finance, [payroll_extract], [sales])

    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.target_for(Priority.P1).resolution == 4 * HOURS
    assert list(agreement.customers.all()) == [sales]
    assert agreement.events.get().action == AgreementEvent.Action.CREATED


def test_only_the_provider_head_drafts_its_agreements(agent, finance, sales, payroll_extract):
    with pytest.raises(PermissionDenied):
        draft(agent, finance, [payroll_extract], [sales])


def test_a_draft_needs_services_customers_and_targets(head, finance, sales, payroll_extract):
    with pytest.raises(services.AgreementError, match="at least one service"):
        draft(head, finance, [], [sales])
    with pytest.raises(services.AgreementError, match="customer departments"):
        draft(head, finance, [payroll_extract], [])


def test_a_department_cannot_agree_with_itself(head, finance, payroll_extract):
    with pytest.raises(services.AgreementError, match="its own customer"):
        draft(head, finance, [payroll_extract], [finance])


def test_a_service_of_another_department_cannot_be_in_the_agreement(head, finance, sales):
    contract_review = ServiceFactory(provider=DepartmentFactory(code="LEGAL"), name="Review")

    with pytest.raises(services.AgreementError, match="not supplied by Finance"):
        draft(head, finance, [contract_review], [sales])


def test_proposing_sends_the_draft_to_the_customer_heads(proposal, sales, sales_head, staff):
    assert proposal.status == Agreement.Status.PROPOSED
    assert services.departments_to_sign(sales_head, proposal) == [sales]
    assert services.departments_to_sign(staff, proposal) == []


def test_a_stale_revision_is_refused(head, finance, sales, payroll_extract):
    agreement = draft(head, finance, [payroll_extract], [sales])

    with pytest.raises(services.StaleAgreement, match="changed since you opened it"):
        services.agreement_propose(
            agreement_id=agreement.pk, by=head, revision=agreement.revision - 1
        )


def test_the_customer_head_accepting_puts_the_agreement_in_force(proposal, sales, sales_head):
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=SHANGHAI), tick=False):
        agreement = accept(proposal, sales_head, sales)

    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.activated_at == datetime(2026, 11, 24, 10, tzinfo=SHANGHAI)
    assert Coverage.objects.filter(agreement=agreement, customer=sales).count() == 1
    assert {"accepted", "activated"} <= set(agreement.events.values_list("action", flat=True))


def test_someone_other_than_the_customer_head_cannot_accept(proposal, sales, staff, head):
    for person in (staff, head):
        with pytest.raises(PermissionDenied):
            accept(proposal, person, sales)


def test_every_customer_head_must_accept_before_the_agreement_is_in_force(
    head, finance, sales, payroll_extract, sales_head, company
):
    marketing = DepartmentFactory(code="MKT", name="Marketing", parent=company)
    marketing_head = MembershipFactory(department=marketing, role=Membership.Role.HEAD).user
    agreement = draft(head, finance, [payroll_extract], [sales, marketing])
    services.agreement_propose(agreement_id=agreement.pk, by=head, revision=agreement.revision)

    assert accept(agreement, sales_head, sales).status == Agreement.Status.PROPOSED
    assert accept(agreement, marketing_head, marketing).status == Agreement.Status.ACTIVE


def test_accepting_twice_for_the_same_department_is_a_conflict(proposal, sales, sales_head):
    accept(proposal, sales_head, sales)

    with pytest.raises(services.StaleAgreement, match="no longer awaiting sign-off"):
        accept(proposal, sales_head, sales)


def test_rejecting_needs_a_reason_and_returns_the_proposal_to_draft(proposal, sales, sales_head):
    with pytest.raises(services.AgreementError, match="Say why"):
        services.agreement_reject(
            agreement_id=proposal.pk,
            by=sales_head,
            department=sales,
            revision=proposal.revision,
            comment=" ",
        )

    agreement = services.agreement_reject(
        agreement_id=proposal.pk,
        by=sales_head,
        department=sales,
        revision=proposal.revision,
        comment="Four hours is too slow for P1.",
    )

    assert agreement.status == Agreement.Status.DRAFT
    rejection = agreement.events.get(action=AgreementEvent.Action.REJECTED)
    assert rejection.comment == "Four hours is too slow for P1."
    assert rejection.department == sales


def test_the_provider_head_withdraws_a_proposal(proposal, head):
    agreement = services.agreement_withdraw(
        agreement_id=proposal.pk, by=head, revision=proposal.revision
    )

    assert agreement.status == Agreement.Status.DRAFT


def test_an_active_agreement_cannot_be_edited_in_place(proposal, sales, sales_head, head):
    agreement = accept(proposal, sales_head, sales)

    with pytest.raises(services.AgreementError, match="Only a draft can be edited"):
        services.agreement_save_draft(
            agreement=agreement,
            by=head,
            revision=agreement.revision,
            services=agreement.services.all(),
            customers=agreement.customers.all(),
            targets=TARGETS,
        )


def test_a_new_version_supersedes_the_old_one_once_accepted(proposal, sales, sales_head, head):
    version_1 = accept(proposal, sales_head, sales)
    version_2 = services.agreement_start_new_version(agreement_id=version_1.pk, by=head)

    assert (version_2.version, version_2.status) == (2, Agreement.Status.DRAFT)
    assert version_2.target_for(Priority.P3).first_response == 8 * HOURS
    version_1.refresh_from_db()
    assert version_1.status == Agreement.Status.ACTIVE

    services.agreement_propose(agreement_id=version_2.pk, by=head, revision=version_2.revision)
    accept(version_2, sales_head, sales)

    version_1.refresh_from_db()
    version_2.refresh_from_db()
    assert version_1.status == Agreement.Status.SUPERSEDED
    assert version_1.ended_at == version_2.activated_at
    assert version_2.status == Agreement.Status.ACTIVE
    assert list(Coverage.objects.values_list("agreement", flat=True)) == [version_2.pk]


def test_only_one_new_version_is_prepared_at_a_time(proposal, sales, sales_head, head):
    version_1 = accept(proposal, sales_head, sales)
    services.agreement_start_new_version(agreement_id=version_1.pk, by=head)

    with pytest.raises(services.AgreementError, match="already being prepared"):
        services.agreement_start_new_version(agreement_id=version_1.pk, by=head)


def test_the_database_allows_one_active_agreement_per_service_and_customer(
    proposal, sales, sales_head, payroll_extract
):
    agreement = accept(proposal, sales_head, sales)

    with pytest.raises(IntegrityError):
        Coverage.objects.create(agreement=agreement, service=payroll_extract, customer=sales)


def test_a_proposal_clashing_with_another_agreement_in_force_is_refused(
    proposal, sales, sales_head, head, finance, payroll_extract
):
    accept(proposal, sales_head, sales)
    rival = draft(
        head, finance, [payroll_extract], [sales], title="Rival", calendar=proposal.calendar
    )

    with pytest.raises(services.AgreementError, match="already covers Payroll data extract"):
        services.agreement_propose(agreement_id=rival.pk, by=head, revision=rival.revision)


def test_a_company_wide_agreement_is_accepted_by_an_administrator(
    head, finance, payroll_extract, admin_user, sales_head
):
    agreement = draft(head, finance, [payroll_extract], [], all_customers=True)
    services.agreement_propose(agreement_id=agreement.pk, by=head, revision=agreement.revision)

    assert services.departments_to_sign(sales_head, agreement) == []
    assert accept(agreement, admin_user, None).status == Agreement.Status.ACTIVE


def test_for_request_returns_the_version_in_force_at_that_time(
    sales, sales_head, head, finance, payroll_extract
):
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=SHANGHAI), tick=False):
        version_1 = draft(head, finance, [payroll_extract], [sales])
        services.agreement_propose(agreement_id=version_1.pk, by=head, revision=version_1.revision)
        version_1 = accept(version_1, sales_head, sales)
        version_2 = services.agreement_start_new_version(agreement_id=version_1.pk, by=head)
        services.agreement_propose(agreement_id=version_2.pk, by=head, revision=version_2.revision)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), tick=False):
        accept(version_2, sales_head, sales)

    assert (
        Agreement.for_request(sales, payroll_extract, datetime(2026, 2, 1, tzinfo=SHANGHAI))
        == version_1
    )
    assert (
        Agreement.for_request(sales, payroll_extract, datetime(2026, 3, 3, tzinfo=SHANGHAI))
        == version_2
    )
    assert (
        Agreement.for_request(sales, payroll_extract, datetime(2025, 12, 1, tzinfo=SHANGHAI))
        is None
    )


def test_for_request_prefers_an_agreement_naming_the_department_over_a_company_wide_one(
    head, finance, sales, sales_head, admin_user, company
):
    laptops = ServiceFactory(provider=finance, name="Corporate card")
    calendar = CalendarFactory(name="China office")
    everyone = draft(
        head, finance, [laptops], [], all_customers=True, title="All", calendar=calendar
    )
    services.agreement_propose(agreement_id=everyone.pk, by=head, revision=everyone.revision)
    accept(everyone, admin_user, None)
    named = draft(head, finance, [laptops], [sales], title="Sales", calendar=calendar)
    services.agreement_propose(agreement_id=named.pk, by=head, revision=named.revision)
    accept(named, sales_head, sales)
    hr = DepartmentFactory(code="HR", parent=company)

    assert Agreement.for_request(sales, laptops, datetime(2030, 1, 1, tzinfo=SHANGHAI)) == named
    assert Agreement.for_request(hr, laptops, datetime(2030, 1, 1, tzinfo=SHANGHAI)) == everyone


def test_for_request_ignores_an_agreement_outside_its_validity_dates(
    head, finance, sales, sales_head, payroll_extract
):
    agreement = draft(
        head,
        finance,
        [payroll_extract],
        [sales],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 6, 30),
    )
    services.agreement_propose(agreement_id=agreement.pk, by=head, revision=agreement.revision)
    with time_machine.travel(datetime(2026, 1, 1, 9, tzinfo=SHANGHAI), tick=False):
        accept(agreement, sales_head, sales)

    assert Agreement.for_request(sales, payroll_extract, datetime(2026, 6, 30, 12, tzinfo=SHANGHAI))
    assert (
        Agreement.for_request(sales, payroll_extract, datetime(2026, 7, 1, 12, tzinfo=SHANGHAI))
        is None
    )


def test_expiry_ends_agreements_past_their_validity_and_is_safe_to_run_twice(
    head, finance, sales, sales_head, payroll_extract
):
    agreement = draft(
        head,
        finance,
        [payroll_extract],
        [sales],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 6, 30),
    )
    services.agreement_propose(agreement_id=agreement.pk, by=head, revision=agreement.revision)
    accept(agreement, sales_head, sales)
    july = datetime(2026, 7, 1, 0, 5, tzinfo=SHANGHAI)

    assert services.agreements_expire(now=july) == 1
    assert services.agreements_expire(now=july) == 0
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.EXPIRED
    assert not Coverage.objects.exists()
    assert agreement.events.filter(action=AgreementEvent.Action.EXPIRED).count() == 1


def test_drafts_are_visible_to_the_provider_only(
    head, agent, staff, finance, sales, payroll_extract, outsider
):
    agreement = draft(head, finance, [payroll_extract], [sales])

    assert agreement in Agreement.objects.visible_to(agent)
    assert agreement not in Agreement.objects.visible_to(staff)
    assert agreement not in Agreement.objects.visible_to(outsider)


def test_proposals_are_visible_to_the_customers_asked_to_sign(proposal, staff, outsider):
    assert proposal in Agreement.objects.visible_to(staff)
    assert proposal not in Agreement.objects.visible_to(outsider)


def test_agreements_in_force_are_visible_to_everyone(proposal, sales, sales_head, outsider):
    accept(proposal, sales_head, sales)

    assert proposal in Agreement.objects.visible_to(outsider)


def test_a_resolution_target_shorter_than_the_first_response_is_refused(
    head, finance, sales, payroll_extract
):
    agreement = Agreement(
        provider=finance, title="Bad", calendar=CalendarFactory(name="China office")
    )

    with pytest.raises(services.AgreementError, match="resolution cannot come before"):
        services.agreement_save_draft(
            agreement=agreement,
            by=head,
            revision=None,
            services=[payroll_extract],
            customers=[sales],
            targets={Priority.P1: (4 * HOURS, 1 * HOURS)},
        )
