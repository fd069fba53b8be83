"""`/healthz`: 200 when the database and the broker answer, 503 naming what is down."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu import Connection

from tickets.models import ScanState

BROKER_TIMEOUT_SECONDS = 2
SCAN_STALE_AFTER = timedelta(minutes=5)


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


def breach_scan_error(last_completed_at: datetime | None) -> str | None:
    """Stale when beat or the workers are down; a new installation waits for its first scan."""
    if last_completed_at is not None and timezone.now() - last_completed_at > SCAN_STALE_AFTER:
        return f"the last breach scan completed at {last_completed_at.isoformat()}"
    return None


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    errors = {"database": database_error(), "broker": broker_error()}
    last_scan = None
    if errors["database"] is None:
        last_scan = ScanState.objects.values_list("last_completed_at", flat=True).first()
        errors["breach_scan"] = breach_scan_error(last_scan)
    checks = {name: error or "ok" for name, error in errors.items()}
    healthy = not any(errors.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": checks,
            "last_breach_scan": last_scan and last_scan.isoformat(),
        },
        status=200 if healthy else 503,
    )
