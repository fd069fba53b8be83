"""Migrate, seed and serve the test provider on 127.0.0.1, on a port the system picks; the first
line printed is that port. Run as `python -m tests.support.oidc_provider.serve` with
DJANGO_SETTINGS_MODULE=tests.support.oidc_provider.settings and PROVIDER_DIR set."""

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def seed() -> None:
    for username, person in settings.SEED["people"].items():
        User.objects.create_user(username, password=person["password"])
    for client in settings.SEED["clients"]:
        Application.objects.create(
            name=client["name"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            post_logout_redirect_uris=" ".join(client["post_logout_redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    seed()
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    print(server.server_address[1], flush=True)
    server.serve_forever()
