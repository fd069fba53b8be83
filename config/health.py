"""`/healthz`: 200 when the database and the broker answer, 503 naming what is down."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


def database_error() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means "down", reported as text
        return str(error) or error.__class__.__name__
    return None


def broker_error() -> str | None:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    )
    try:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        return str(error) or error.__class__.__name__
    finally:
        broker.release()
    return None


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    errors = {"database": database_error(), "broker": broker_error()}
    checks = {name: error or "ok" for name, error in errors.items()}
    healthy = not any(errors.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
