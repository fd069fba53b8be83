"""Sign-in through the login page with directory credentials, against the real slapd of
tests/support/slapd.py (StartTLS or ldaps with the test's own certificate authority)."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from departments.models import preferred_language
from tests.factories import UserFactory
from tests.support.slapd import GROUPS, password_of, use_ldap

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
User = get_user_model()


@pytest.fixture
def ldap_sign_in(settings, slapd):
    """Accord configured for the test slapd, as by LDAP_* environment variables."""
    use_ldap(settings, slapd.environment())
    return slapd


def sign_in(client, uid, password=None):
    password = password_of(uid) if password is None else password
    return client.post(reverse("login"), {"username": uid, "password": password})


def signed_in_user(client):
    return (
        User.objects.get(pk=client.session[SESSION_KEY]) if SESSION_KEY in client.session else None
    )


def test_a_person_signs_in_with_their_directory_password_over_starttls(client, ldap_sign_in):
    response = sign_in(client, "sli")

    assert response.status_code == 302
    user = signed_in_user(client)
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "sli", "Sam", "Li", "sli@example.com"
    )  # fmt: skip
    assert not user.has_usable_password()
    assert not user.is_staff


def test_a_person_signs_in_over_ldaps(client, settings, slapd):
    use_ldap(
        settings,
        slapd.environment(LDAP_SERVER_URI=slapd.ldaps_uri, LDAP_START_TLS="false"),
    )

    assert sign_in(client, "sli").status_code == 302
    assert signed_in_user(client).username == "sli"


def test_the_username_is_matched_without_regard_to_case(client, ldap_sign_in):
    UserFactory(username="sli")

    assert sign_in(client, "SLi", password_of("sli")).status_code == 302
    assert signed_in_user(client).username == "sli"
    assert User.objects.filter(username__iexact="sli").count() == 1


def test_someone_accord_deactivated_is_not_signed_in_by_the_directory(client, ldap_sign_in):
    UserFactory(username="sli", is_active=False)

    response = sign_in(client, "sli")

    assert response.status_code == 200
    assert signed_in_user(client) is None


def test_a_server_whose_certificate_the_ca_file_does_not_vouch_for_is_not_trusted(
    client, settings, slapd
):
    use_ldap(settings, slapd.environment(LDAP_CA_CERT_FILE=""))

    response = sign_in(client, "sli")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="sli").exists()


def test_a_wrong_password_is_refused(client, ldap_sign_in):
    response = sign_in(client, "sli", "not-my-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="sli").exists()


def test_repeated_wrong_passwords_lock_the_sign_in(client, ldap_sign_in, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "sli", "not-my-password")

    response = sign_in(client, "sli")

    assert response.status_code == 429
    assert signed_in_user(client) is None


def test_a_disabled_account_is_refused(client, ldap_sign_in):
    response = sign_in(client, "dma")

    assert response.status_code == 200
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="dma").exists()


def test_an_account_the_disabled_filter_matches_is_refused(client, settings, slapd):
    use_ldap(settings, slapd.environment(LDAP_DISABLED_FILTER="(uid=hlin)"))

    assert sign_in(client, "hlin").status_code == 200
    assert signed_in_user(client) is None
    assert sign_in(client, "hyang").status_code == 302


def test_the_hr_group_gives_the_company_reports_permission(client, ldap_sign_in):
    sign_in(client, "hyang")

    assert signed_in_user(client).has_perm("departments.view_company_reports")


def test_group_names_are_compared_as_dns_not_as_text(client, settings, slapd):
    use_ldap(settings, slapd.environment(LDAP_HR_GROUP=f"CN=HR, {GROUPS.upper()}"))

    sign_in(client, "hyang")

    assert signed_in_user(client).has_perm("departments.view_company_reports")


def test_someone_outside_the_hr_group_has_no_company_reports_permission(client, ldap_sign_in):
    sign_in(client, "hlin")

    assert not signed_in_user(client).has_perm("departments.view_company_reports")


def test_the_admins_group_makes_an_administrator(client, ldap_sign_in):
    sign_in(client, "awu")

    user = signed_in_user(client)
    assert user.is_staff and user.is_superuser


def test_leaving_the_admins_group_takes_administration_away_at_the_next_sign_in(
    client, ldap_sign_in
):
    sign_in(client, "awu")
    client.logout()

    with ldap_sign_in.without_member(f"cn=admins,{GROUPS}", "awu"):
        sign_in(client, "awu")

    user = signed_in_user(client)
    assert (user.username, user.is_staff, user.is_superuser) == ("awu", False, False)


def test_leaving_the_hr_group_takes_the_hr_permission_away_at_the_next_sign_in(
    client, ldap_sign_in
):
    sign_in(client, "hyang")
    client.logout()
    assert User.objects.get(username="hyang").has_perm("departments.view_company_reports")

    with ldap_sign_in.without_member(f"cn=hr,{GROUPS}", "hyang"):
        sign_in(client, "hyang")

    user = User.objects.get(username="hyang")
    assert not user.groups.exists()
    assert not user.has_perm("departments.view_company_reports")


def test_the_profile_language_comes_from_the_directory(client, ldap_sign_in):
    sign_in(client, "mchen")

    assert preferred_language(signed_in_user(client)) == "zh-hans"


def test_with_creation_off_only_people_already_in_accord_sign_in(client, settings, slapd):
    use_ldap(settings, slapd.environment(LDAP_CREATE_USERS="false"))
    UserFactory(username="fliu")

    assert sign_in(client, "sli").status_code == 200
    assert not User.objects.filter(username="sli").exists()
    assert sign_in(client, "fliu").status_code == 302
    assert signed_in_user(client).first_name == "Fang"


def test_a_required_group_keeps_everyone_else_out(client, settings, slapd):
    use_ldap(settings, slapd.environment(LDAP_REQUIRE_GROUP=f"cn=heads,{GROUPS}"))

    assert sign_in(client, "sli").status_code == 200
    assert signed_in_user(client) is None
    assert sign_in(client, "lwang").status_code == 302


def test_a_local_password_still_works_beside_the_directory(client, ldap_sign_in):
    UserFactory(username="breakglass", password="a-long-local-password")

    assert sign_in(client, "breakglass", "a-long-local-password").status_code == 302
