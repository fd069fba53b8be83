"""What Accord reads from LDAP entries and settings, without a server."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from directory.ldap_entries import is_disabled, language_code
from directory.ldap_settings import ldap_settings

ldap = pytest.importorskip("ldap", reason="python-ldap is the optional extra `ldap`")


def test_the_server_address_must_be_ldap_or_ldaps():
    with pytest.raises(ImproperlyConfigured):
        ldap_settings(
            {"LDAP_SERVER_URI": "http://ldap.example.com", "LDAP_USER_SEARCH_BASE": "o=x"}
        )


def test_active_directory_marks_a_disabled_account_in_user_account_control():
    assert is_disabled({"userAccountControl": [b"514"]})
    assert not is_disabled({"userAccountControl": ["512"]})
    assert not is_disabled({"uid": ["someone"]})


def test_directory_language_tags_become_accord_languages():
    assert [language_code(tag) for tag in ("zh-CN", "zh_Hans", "en-US", "fr", "")] == [
        "zh-hans", "zh-hans", "en", "", ""
    ]  # fmt: skip
