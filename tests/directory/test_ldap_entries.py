"""What Accord reads from LDAP entries and settings, without a server."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from directory.ldap_entries import is_disabled, language_code
from directory.ldap_settings import ldap_settings
from directory.sources.ldap import unique_code, unique_names

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


def test_a_unit_code_is_made_from_its_name_and_kept_unique():
    taken = set()

    codes = [unique_code(name, "key", taken) for name in ("Finance", "finance", "Human Resources")]

    assert codes == ["FINANCE", "FINANCE-2", "HUMAN-RESOURCES"]


def test_a_unit_named_without_latin_letters_gets_a_code_from_its_key():
    assert unique_code("财务部", "0b6f", set()) == unique_code("财务部", "0b6f", set())
    assert unique_code("财务部", "0b6f", set()).startswith("OU-")
    assert unique_code("财务部", "0b6f", set()) != unique_code("财务部", "9a1c", set())


def test_a_unit_name_used_twice_is_followed_by_its_parents():
    names = {
        "ou=it,ou=sales": "IT",
        "ou=it,ou=china": "IT",
        "ou=sales": "Sales",
        "ou=china": "China",
    }
    parents = {"ou=it,ou=sales": "ou=sales", "ou=it,ou=china": "ou=china", "ou=sales": "",
               "ou=china": ""}  # fmt: skip

    assert unique_names(names, parents) == {
        "ou=it,ou=sales": "IT (Sales)", "ou=it,ou=china": "IT (China)", "ou=sales": "Sales",
        "ou=china": "China",
    }  # fmt: skip
