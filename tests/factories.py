import factory
from django.contrib.auth import get_user_model

from departments.models import Department, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@accord.test")
    password = factory.django.Password("demo")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.LazyAttribute(lambda department: f"Department {department.code}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = Membership.Role.MEMBER


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "agreements.BusinessCalendar"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Asia/Shanghai"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "agreements.Service"

    provider = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "Something a department supplies."


def agreement_in_force(*, provider, customers, services, targets, calendar=None, windows=None):
    """An agreement put in force through the real life cycle: the provider's head drafts and
    proposes it, each customer's head accepts it."""
    from agreements import services as agreement_services
    from agreements.models import Agreement

    head = provider.head or MembershipFactory(department=provider, role=Membership.Role.HEAD).user
    agreement = agreement_services.agreement_save_draft(
        agreement=Agreement(
            provider=provider,
            title=f"{provider.name} services",
            calendar=calendar or CalendarFactory(name="China office"),
        ),
        by=head,
        revision=None,
        services=services,
        customers=customers,
        targets=targets,
        approval_windows=windows,
    )
    agreement = agreement_services.agreement_propose(
        agreement_id=agreement.pk, by=head, revision=agreement.revision
    )
    for customer in customers:
        signer = (
            customer.head or MembershipFactory(department=customer, role=Membership.Role.HEAD).user
        )
        agreement.refresh_from_db()
        agreement = agreement_services.agreement_accept(
            agreement_id=agreement.pk, by=signer, department=customer, revision=agreement.revision
        )
    return agreement
