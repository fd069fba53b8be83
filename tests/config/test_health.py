import pytest
from django.db import OperationalError, connection
from django.test import override_settings


@pytest.fixture
def database_down(monkeypatch):
    """The database server refusing connections is outside our control, so it is simulated."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refuse)
        yield


def test_healthz_answers_200_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "breach_scan": "ok"}


def test_healthz_needs_no_login(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_answers_503_naming_the_broker_when_it_is_down(client, db):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"


def test_healthz_answers_503_naming_the_database_when_it_is_down(client, db, database_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "connection refused", "broker": "ok"}


def test_healthz_is_never_cached(client, db):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_healthz_reports_the_last_breach_scan(client, db):
    from tickets.alerting.breach_scan import breach_scan

    result = breach_scan()
    body = client.get("/healthz").json()

    assert body["checks"]["breach_scan"] == "ok"
    assert body["last_breach_scan"] is not None
    assert result.statements <= 20


def test_healthz_answers_503_when_the_last_breach_scan_is_over_five_minutes_old(client, db):
    from datetime import timedelta

    import time_machine

    from tickets.alerting.breach_scan import breach_scan

    breach_scan()
    with time_machine.travel(timedelta(minutes=6)):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["breach_scan"].startswith("the last breach scan completed at")
