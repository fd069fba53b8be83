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
