"""What Accord reads from an LDAP entry, the same way at sign-in and in the directory sync:
whether the account is disabled, and the language it prefers. Values may be bytes (python-ldap)
or text (django-auth-ldap decodes them); attribute names are matched without regard to case."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import get_supported_language_variant

# Active Directory's userAccountControl flag ACCOUNTDISABLE.
ACCOUNT_DISABLE = 0x2


def first_value(attributes: Mapping[str, Sequence[bytes | str]], name: str) -> str:
    """The first value of attribute `name` as text, or "" when the entry has none."""
    wanted = name.lower()
    for key, values in attributes.items():
        if key.lower() == wanted and values:
            value = values[0]
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return ""


def normal_dn(dn: str) -> str:
    """`dn` in one spelling (no spaces around separators, lower case), to compare DNs."""
    import ldap.dn

    return ldap.dn.dn2str(ldap.dn.str2dn(dn)).lower()


def is_disabled(attributes: Mapping[str, Sequence[bytes | str]] | None) -> bool:
    """Whether the directory has disabled the account: Active Directory's ACCOUNTDISABLE bit of
    userAccountControl, or OpenLDAP's pwdAccountLockedTime (ppolicy) set."""
    if not attributes:
        return False
    control = first_value(attributes, "userAccountControl")
    if control.lstrip("-").isdigit() and int(control) & ACCOUNT_DISABLE:
        return True
    return bool(first_value(attributes, "pwdAccountLockedTime"))


def language_code(value: str) -> str:
    """The Accord language for a directory's language tag (`zh-CN`, `zh_Hans`, `en-US`), or ""
    when Accord does not speak it."""
    value = value.strip().replace("_", "-").lower()
    if not value:
        return ""
    try:
        return get_supported_language_variant(value)
    except LookupError:
        return ""
