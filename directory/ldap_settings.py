"""The settings of LDAP / Active Directory sign-in and of the LDAP directory source, built from
the environment.

config/settings.py calls `ldap_settings(os.environ)` only when LDAP_SERVER_URI is set, so that
nothing needs python-ldap otherwise. This module is read while the settings load, before any app
is ready: it imports no model (the backend, which does, is directory.ldap_auth).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BACKEND = "directory.ldap_auth.LDAPBackend"

# The search for a user's groups and the django-auth-ldap type that reads their members.
GROUP_TYPES = {
    "groupOfNames": ("(objectClass=groupOfNames)", "GroupOfNamesType"),
    "nestedGroupOfNames": ("(objectClass=groupOfNames)", "NestedGroupOfNamesType"),
    "groupOfUniqueNames": ("(objectClass=groupOfUniqueNames)", "GroupOfUniqueNamesType"),
    "posixGroup": ("(objectClass=posixGroup)", "PosixGroupType"),
    "activeDirectory": ("(objectClass=group)", "ActiveDirectoryGroupType"),
    "nestedActiveDirectory": ("(objectClass=group)", "NestedActiveDirectoryGroupType"),
}


def ldap_settings(environment: Mapping[str, str]) -> dict[str, Any]:
    """The AUTH_LDAP_* settings of django-auth-ldap and the LDAP_* settings of Accord (group
    roles, the directory source), read from `environment`; see the README for each variable."""
    import ldap
    from django_auth_ldap import config

    env = environ.Env()
    env.ENVIRON = environment
    uri = env.str("LDAP_SERVER_URI")
    if not uri.startswith(("ldap://", "ldaps://")):
        raise ImproperlyConfigured("LDAP_SERVER_URI must start with ldap:// or ldaps://.")
    user_base = env.str("LDAP_USER_SEARCH_BASE", default="")
    if not user_base:
        raise ImproperlyConfigured("Set LDAP_USER_SEARCH_BASE (where people are searched).")
    group_type = env.str("LDAP_GROUP_TYPE", default="groupOfNames")
    if group_type not in GROUP_TYPES:
        raise ImproperlyConfigured(f"LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}.")
    group_filter, group_type_class = GROUP_TYPES[group_type]
    group_base = env.str("LDAP_GROUP_SEARCH_BASE", default=user_base)
    hr_group = env.str("LDAP_HR_GROUP", default="")
    admin_group = env.str("LDAP_ADMIN_GROUP", default="")
    require_group = env.str("LDAP_REQUIRE_GROUP", default="")
    language_attribute = env.str("LDAP_LANGUAGE_ATTRIBUTE", default="")
    timeout = env.float("LDAP_TIMEOUT_SECONDS", default=10.0)

    # Options of each connection; OPT_X_TLS_NEWCTX comes last so that the TLS options before it
    # apply to this connection (python-ldap builds the TLS context when it is set).
    connection_options: dict[int, Any] = {
        ldap.OPT_REFERRALS: 0,  # Active Directory's referrals lead to servers we cannot bind to
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
        ldap.OPT_X_TLS_REQUIRE_CERT: ldap.OPT_X_TLS_DEMAND,
    }
    ca_file = env.str("LDAP_CA_CERT_FILE", default="")
    if ca_file:
        connection_options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
    connection_options[ldap.OPT_X_TLS_NEWCTX] = 0

    attributes = {
        "first_name": "givenName",
        "last_name": "sn",
        "email": "mail",
        **env.dict("LDAP_USER_ATTR_MAP", default={}),
    }
    flags_by_group = {}
    if admin_group:
        flags_by_group = {"is_staff": admin_group, "is_superuser": admin_group}
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_START_TLS": env.bool("LDAP_START_TLS", default=False),
        "AUTH_LDAP_CONNECTION_OPTIONS": connection_options,
        "AUTH_LDAP_BIND_DN": env.str("LDAP_BIND_DN", default=""),
        "AUTH_LDAP_BIND_PASSWORD": env.str("LDAP_BIND_PASSWORD", default=""),
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(
            user_base,
            ldap.SCOPE_SUBTREE,
            env.str("LDAP_USER_FILTER", default="(uid=%(user)s)"),
        ),
        # The operational attribute that marks a locked OpenLDAP account is read too.
        "AUTH_LDAP_USER_ATTRLIST": ["*", "pwdAccountLockedTime"],
        "AUTH_LDAP_USER_ATTR_MAP": attributes,
        "AUTH_LDAP_GROUP_SEARCH": config.LDAPSearch(group_base, ldap.SCOPE_SUBTREE, group_filter),
        "AUTH_LDAP_GROUP_TYPE": getattr(config, group_type_class)(),
        "AUTH_LDAP_REQUIRE_GROUP": require_group or None,
        "AUTH_LDAP_USER_FLAGS_BY_GROUP": flags_by_group,
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_NO_NEW_USERS": not env.bool("LDAP_CREATE_USERS", default=True),
        "LDAP_HR_GROUP": hr_group,
        "LDAP_HR_DJANGO_GROUP": env.str("LDAP_HR_DJANGO_GROUP", default="HR"),
        "LDAP_LANGUAGE_ATTRIBUTE": language_attribute,
        # The directory source (directory.sources.ldap).
        "LDAP_DIRECTORY_BASE": env.str("LDAP_DIRECTORY_BASE", default=user_base),
        "LDAP_UNIT_FILTER": env.str("LDAP_UNIT_FILTER", default="(objectClass=organizationalUnit)"),
        "LDAP_UNIT_NAME_ATTRIBUTE": env.str("LDAP_UNIT_NAME_ATTRIBUTE", default="ou"),
        "LDAP_UNIT_CODE_ATTRIBUTE": env.str("LDAP_UNIT_CODE_ATTRIBUTE", default=""),
        "LDAP_PERSON_FILTER": env.str("LDAP_PERSON_FILTER", default="(objectClass=inetOrgPerson)"),
        "LDAP_USERNAME_ATTRIBUTE": env.str("LDAP_USERNAME_ATTRIBUTE", default="uid"),
        "LDAP_KEY_ATTRIBUTE": env.str("LDAP_KEY_ATTRIBUTE", default="entryUUID"),
        "LDAP_HEADS_GROUP": env.str("LDAP_HEADS_GROUP", default=""),
        "LDAP_HEADS_FROM_MANAGER": env.bool("LDAP_HEADS_FROM_MANAGER", default=False),
        "LDAP_AGENTS_GROUP": env.str("LDAP_AGENTS_GROUP", default=""),
        "LDAP_UNIT_AGENTS_GROUP_CN": env.str("LDAP_UNIT_AGENTS_GROUP_CN", default=""),
        "LDAP_UNIT_MEMBERS_GROUP_CN": env.str("LDAP_UNIT_MEMBERS_GROUP_CN", default=""),
        "LDAP_UNIT_HEADS_GROUP_CN": env.str("LDAP_UNIT_HEADS_GROUP_CN", default=""),
        "LDAP_MEMBERS_FROM_OU": env.bool("LDAP_MEMBERS_FROM_OU", default=True),
        "LDAP_DISABLED_FILTER": env.str("LDAP_DISABLED_FILTER", default=""),
        "LDAP_PAGE_SIZE": env.int("LDAP_PAGE_SIZE", default=500),
    }
