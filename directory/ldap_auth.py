"""Sign-in with LDAP / Active Directory credentials (django-auth-ldap), and what the directory's
groups make of the person: administrators (LDAP_ADMIN_GROUP, mapped by django-auth-ldap's
USER_FLAGS_BY_GROUP), HR (LDAP_HR_GROUP: membership of the Django group that holds the company
reports permission), and the language of their profile.

Enabled by config/settings.py only when LDAP_SERVER_URI is set; its settings come from
directory.ldap_settings. Each sign-in brings the roles up to date, so that someone taken out of
a group loses the role at their next sign-in.
"""

from __future__ import annotations

import logging

import ldap
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django_auth_ldap import backend

from departments.models import Profile
from directory.ldap_entries import is_disabled, language_code, normal_dn

logger = logging.getLogger(__name__)

COMPANY_REPORTS = ("departments", "view_company_reports")


class LDAPBackend(backend.LDAPBackend):
    """django-auth-ldap's backend that refuses accounts the directory has disabled and maps
    groups to Accord's roles."""

    def get_or_build_user(self, username, ldap_user):
        if is_disabled(ldap_user.attrs) or matches_disabled_filter(ldap_user):
            # The directory may still accept the password (OpenLDAP without ppolicy).
            raise ldap_user.AuthenticationFailed(f"{ldap_user.dn} is disabled in the directory")
        return super().get_or_build_user(username, ldap_user)

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is not None:
            apply_directory_roles(user=user, ldap_user=ldap_user)
        return user


def matches_disabled_filter(ldap_user) -> bool:
    """Whether the account matches LDAP_DISABLED_FILTER (the leavers the sync deactivates)."""
    if not settings.LDAP_DISABLED_FILTER:
        return False
    found = ldap_user.connection.search_s(
        ldap_user.dn, ldap.SCOPE_BASE, settings.LDAP_DISABLED_FILTER, ["1.1"]
    )
    return bool(found)


def hr_group() -> Group:
    """The Django group whose members may see the company reports (created on first use)."""
    group, created = Group.objects.get_or_create(name=settings.LDAP_HR_DJANGO_GROUP)
    if created:
        app_label, codename = COMPANY_REPORTS
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group


@transaction.atomic
def apply_directory_roles(*, user, ldap_user) -> None:
    """Bring `user`'s HR group membership and profile language in line with the directory."""
    if settings.LDAP_HR_GROUP:
        group = hr_group()
        if normal_dn(settings.LDAP_HR_GROUP) in {normal_dn(dn) for dn in ldap_user.group_dns}:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    attribute = settings.LDAP_LANGUAGE_ATTRIBUTE
    language = language_code(ldap_user.attrs.get(attribute, [""])[0]) if attribute else ""
    if language:
        Profile.objects.update_or_create(user=user, defaults={"language": language})
