"""Every page is behind login, except the few that must not be."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The survey answer link is signed and single-use: it works without logging in (issue 6).
PUBLIC_PAGES = {"login", "healthz", "set_language", "admin:login", "api:token", "surveys:answer"}
# Single sign-on starts and comes back before anyone is signed in (404 while it is off).
PUBLIC_PAGES |= {"directory:oidc_start", "directory:oidc_callback"}
# So is the link that confirms a resolved request (who may use it: tests/tickets/test_confirmation).
PUBLIC_PAGES |= {"tickets:confirm_link"}
SAMPLE_ARGUMENTS = {"code": "FIN", "path": "x", "object_id": "1", "app_label": "auth",
                    "content_type_id": "1", "id": "1", "pk": "1"}  # fmt: skip


def named_pages(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_pages(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def page_path(name: str, pattern: URLPattern) -> str:
    from django.urls import NoReverseMatch, reverse

    arguments = {key: SAMPLE_ARGUMENTS.get(key, "1") for key in pattern.pattern.regex.groupindex}
    try:
        return reverse(name, kwargs=arguments)
    except NoReverseMatch:
        pytest.skip(f"{name} needs arguments this test does not know")


# The REST API answers 403 rather than redirect: a program cannot follow a login page.
API_ENDPOINTS = sorted(
    (name, pattern) for name, pattern in named_pages() if name.startswith("api:")
    and name not in {"api:docs", "api:token"}
)  # fmt: skip
PAGES = sorted(
    (name, pattern)
    for name, pattern in named_pages()
    if name not in PUBLIC_PAGES
    and not name.startswith("admin:")
    and (name, pattern) not in API_ENDPOINTS
)


@pytest.mark.parametrize(("name", "pattern"), PAGES, ids=[name for name, _ in PAGES])
def test_page_redirects_an_anonymous_visitor_to_login(client, db, name, pattern):
    path = page_path(name, pattern)

    response = client.get(path)

    assert response.status_code == 302, f"{path} answered {response.status_code}"
    assert response["Location"].startswith("/accounts/login/?next=")


def test_admin_pages_redirect_an_anonymous_visitor_to_login(client, db):
    response = client.get("/admin/departments/department/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/departments/department/"


def test_the_test_above_covers_the_pages_of_the_site():
    names = {name for name, _ in PAGES}

    assert {"home", "departments:list", "departments:detail", "password_change"} <= names


@pytest.mark.parametrize(("name", "pattern"), API_ENDPOINTS, ids=[n for n, _ in API_ENDPOINTS])
def test_api_endpoint_refuses_an_anonymous_client(client, db, name, pattern):
    path = page_path(name, pattern)

    response = client.get(path)

    assert response.status_code in (401, 403), f"{path} answered {response.status_code}"
    assert b"Authentication credentials were not provided." in response.content, path
