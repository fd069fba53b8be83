"""Reads of the agreements app for pages and the API."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from agreements.models import Agreement, AgreementTarget, Coverage, Service, SignOff
from departments.models import Department


def catalogue(*, provider_code: str = "", query: str = "") -> QuerySet[Service]:
    """Active services, optionally of one provider and matching a search."""
    services = (
        Service.objects.active().select_related("provider").order_by("provider__name", "name")
    )
    if provider_code:
        services = services.filter(provider__code__iexact=provider_code)
    if query:
        services = services.filter(
            Q(name__icontains=query)
            | Q(description__icontains=query)
            | Q(provider__name__icontains=query)
        )
    return services


def agreements_in_force_for(service: Service) -> QuerySet[Agreement]:
    """Active agreements covering `service`, with what a page needs to show their targets."""
    return (
        Agreement.objects.filter(status=Agreement.Status.ACTIVE, services=service)
        .select_related("calendar")
        .prefetch_related(
            "customers", Prefetch("targets", AgreementTarget.objects.order_by("priority"))
        )
        .order_by("title")
    )


def served_departments(department: Department) -> QuerySet[Department]:
    """Departments an agreement in force makes customers of `department`."""
    return Department.objects.filter(
        pk__in=Coverage.objects.filter(agreement__provider=department).values("customer")
    ).order_by("name")


def serves_everyone(department: Department) -> bool:
    return Coverage.objects.filter(agreement__provider=department, customer__isnull=True).exists()


def suppliers_of(department: Department) -> QuerySet[Department]:
    """Departments with an agreement in force serving `department` by name."""
    return Department.objects.filter(
        pk__in=Coverage.objects.filter(customer=department).values("agreement__provider")
    ).order_by("name")


def awaiting_signature(user) -> QuerySet[Agreement]:
    """Proposals still to be signed for a department `user` heads (every proposal, for an
    administrator)."""
    proposals = Agreement.objects.filter(status=Agreement.Status.PROPOSED).select_related(
        "provider"
    )
    if user.is_superuser:
        return proposals
    signed = SignOff.objects.filter(
        agreement=OuterRef(OuterRef("pk")), revision=OuterRef(OuterRef("revision"))
    ).values("department")
    unsigned_customers = Department.objects.filter(
        agreements_as_customer=OuterRef("pk"), memberships__user=user, memberships__role="head"
    ).exclude(pk__in=signed)
    return proposals.filter(Exists(unsigned_customers))
