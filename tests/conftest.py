"""The named cast of the tests, matching the demo: `staff` in Sales files requests with Finance,
where `agent` works the queue and `head` leads; `hr` runs surveys; `outsider` may see nothing.

The fixtures every test may ask for by name live in tests/support/ and are loaded below: a test
module never imports a fixture, only plain constants and functions of tests.support."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from departments.models import Membership
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytest_plugins = [
    "tests.support.clock",
    "tests.support.world",
    "tests.support.hand_offs",
    "tests.support.dashboards",
    "tests.support.surveys",
    "tests.support.alerts",
    "tests.support.disputes",
    "tests.support.smtp",
    "tests.support.celery",
    "tests.support.slapd",
    "tests.support.oidc",
    "tests.support.migrations",
    "tests.support.recognition",
]

BROWSER_TESTS = Path(__file__).parent / "browser"

# Property tests check what is true, not how fast: a time limit per example fails them at random
# on a busy machine (Hypothesis's default is 200 ms).
hypothesis_settings.register_profile("accord", deadline=None)
hypothesis_settings.load_profile("accord")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a `browser` test; a transactional test is `slow` (on
    PostgreSQL every table is truncated after it, a second or more). `make test-fast` leaves
    both out."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
        database = item.get_closest_marker("django_db")
        transactional = database is not None and database.kwargs.get("transaction", False)
        if transactional or "transactional_db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def plain_http(settings):
    """The test client speaks plain HTTP; production redirects it to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False
    # WhiteNoise would otherwise index every static file for each test client.
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def english_by_default():
    """A test request in Chinese leaves that language active in the thread; start each test in
    English so that messages do not depend on the order tests run in."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Strong hashing is slow on purpose; the tests create hundreds of passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def company(db):
    company = DepartmentFactory(code="EXEC", name="Executive Office")
    return company


@pytest.fixture
def sales(company):
    return DepartmentFactory(code="SALES", name="Sales", parent=company)


@pytest.fixture
def finance(company):
    return DepartmentFactory(code="FIN", name="Finance", parent=company)


@pytest.fixture
def human_resources(company):
    return DepartmentFactory(code="HR", name="Human Resources", parent=company)


@pytest.fixture
def staff(sales):
    user = UserFactory(username="staff", first_name="Sam", last_name="Li")
    MembershipFactory(user=user, department=sales, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def agent(finance):
    user = UserFactory(username="agent", first_name="Alex", last_name="Huang")
    MembershipFactory(user=user, department=finance, role=Membership.Role.AGENT)
    return user


@pytest.fixture
def head(finance):
    user = UserFactory(username="head", first_name="Fang", last_name="Liu")
    MembershipFactory(user=user, department=finance, role=Membership.Role.HEAD)
    return user


@pytest.fixture
def hr(human_resources):
    user = UserFactory(username="hr", first_name="Hannah", last_name="Yang")
    MembershipFactory(user=user, department=human_resources, role=Membership.Role.MEMBER)
    group, _ = Group.objects.get_or_create(name="HR")
    group.permissions.add(Permission.objects.get(codename="view_company_reports"))
    user.groups.add(group)
    return user


@pytest.fixture
def outsider(db):
    """A logged-in person with no department: sees only what every employee sees."""
    return UserFactory(username="outsider", first_name="Charlie", last_name="Out")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)
