"""A real OpenID Connect provider on loopback (tests/support/oidc_provider: django-oauth-toolkit,
RS256, PKCE required) started once per test session in a subprocess with its own SQLite file.

`oidc_provider` yields its issuer URL; `single_sign_on` points Accord at it (client "accord",
provider name "Contoso"). The people it knows are in PEOPLE; `provider_sign_in` plays a
browser at the provider for tests that use Django's test client."""

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BACKEND = "directory.oidc.SingleSignOnBackend"
CLIENT_SECRET = "accord-client-secret-for-tests"
CALLBACK_PATH = "/sign-in/oidc/callback/"
LOGIN_PATH = "/accounts/login/"
START_SECONDS = 60

PASSWORD = "provider-password"
PEOPLE = {
    # In Accord's directory, with a Chinese locale at the provider.
    "wang.fang": {
        "given_name": "Fang",
        "family_name": "Wang",
        "email": "wang.fang@contoso.example",
        "locale": "zh-CN",
    },
    # In the directory under another username, with the same e-mail address.
    "lei.li": {
        "given_name": "Lei",
        "family_name": "Li",
        "email": "li.lei@contoso.example",
        "locale": "en-GB",
    },
    # Not in Accord's directory.
    "newcomer": {
        "given_name": "Nina",
        "family_name": "New",
        "email": "newcomer@contoso.example",
        "locale": "de-DE",
    },
    # Deactivated in Accord.
    "leaver": {
        "given_name": "Leo",
        "family_name": "Left",
        "email": "leaver@contoso.example",
        "locale": "en",
    },
}
REDIRECT_URIS = [
    # Loopback redirect URIs match on any port (RFC 8252, 7.3): the live server's is dynamic.
    f"http://localhost{CALLBACK_PATH}",
    f"http://127.0.0.1{CALLBACK_PATH}",
    f"http://testserver{CALLBACK_PATH}",
]
# Where the provider may send the browser back after signing out (RP-Initiated Logout).
POST_LOGOUT_REDIRECT_URIS = [
    f"http://localhost{LOGIN_PATH}",
    f"http://127.0.0.1{LOGIN_PATH}",
    f"http://testserver{LOGIN_PATH}",
]
CLIENTS = [
    {"name": "accord", "client_id": "accord"},
    # Its ID tokens are issued for "another-app": Accord configured with it must refuse them.
    {"name": "misissued", "client_id": "accord-misissued"},
]


def seed() -> dict:
    return {
        "people": {name: {**person, "password": PASSWORD} for name, person in PEOPLE.items()},
        "clients": [
            {
                **client,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": REDIRECT_URIS,
                "post_logout_redirect_uris": POST_LOGOUT_REDIRECT_URIS,
            }
            for client in CLIENTS
        ],
    }


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The running provider's issuer URL (http://127.0.0.1:<port>/o)."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    (folder / "seed.json").write_text(json.dumps(seed()))
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.support.oidc_provider.settings",
        "PROVIDER_DIR": str(folder),
    }
    with (folder / "provider.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.oidc_provider.serve"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        ready, _, _ = select.select([process.stdout], [], [], START_SECONDS)
        line = process.stdout.readline().strip() if ready else ""
        if not line.isdigit():
            pytest.fail(f"The OIDC provider did not start: {(folder / 'provider.log').read_text()}")
        issuer = f"http://127.0.0.1:{line}/o"
        wait_until_serving(f"{issuer}/.well-known/openid-configuration")
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_serving(url: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"The OIDC provider does not answer at {url}")
        time.sleep(0.1)


@pytest.fixture
def single_sign_on(settings, oidc_provider: str) -> str:
    """Accord signs people in with the test provider as client "accord"; returns the issuer."""
    settings.SINGLE_SIGN_ON = True
    settings.OIDC_ISSUER = oidc_provider
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Contoso"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return oidc_provider


def provider_sign_in(
    authorize_url: str,
    username: str,
    password: str = PASSWORD,
    browser: requests.Session | None = None,
) -> str:
    """Follow `authorize_url` at the provider as a browser would, signing in there as
    `username`; return the URL the provider sends the browser back to (Accord's callback).
    Pass a `browser` to keep the provider's session (its cookies) for later requests."""
    browser = requests.Session() if browser is None else browser
    url = authorize_url
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and 'name="password"' in response.text:
            response = browser.post(
                url,
                data={
                    "username": username,
                    "password": password,
                    "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                },
                headers={"Referer": url},
                allow_redirects=False,
                timeout=10,
            )
        if response.status_code not in (301, 302, 303):
            raise AssertionError(f"The provider answered {response.status_code}: {response.text}")
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(origin):
            return url
    raise AssertionError("The provider redirected too many times")
