"""Settings come from the environment; each case runs Django in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "broker": settings.CELERY_BROKER_URL,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "time_zone": settings.TIME_ZONE, "use_tz": settings.USE_TZ,
    "email_backend": settings.EMAIL_BACKEND, "email_host": settings.EMAIL_HOST,
    "email_port": settings.EMAIL_PORT,
    "secret_key": settings.SECRET_KEY,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "languages": [code for code, _ in settings.LANGUAGES],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
}))
"""
ACCORD_VARIABLES = {
    "DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND", "ALLOWED_HOSTS", "EMAIL_URL", "TIME_ZONE", "CACHE_URL",
}  # fmt: skip


def settings_with(**variables: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in ACCORD_VARIABLES}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **variables)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_manage(*arguments: str, **variables: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ACCORD_VARIABLES}
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_defaults_need_no_server_sqlite_and_a_file_system_broker():
    values = settings_with(DEBUG="true")

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("var/accord.sqlite3")
    assert values["broker"] == "filesystem://"
    assert values["time_zone"] == "Asia/Shanghai"
    assert values["use_tz"] is True
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert values["languages"] == ["en", "zh-hans"]
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_database_redis_hosts_time_zone_and_email_come_from_the_environment():
    values = settings_with(
        SECRET_KEY="s" * 50,
        DATABASE_URL="postgres://accord:pw@db.internal:5433/accord",
        REDIS_URL="redis://cache.internal:6379/2",
        ALLOWED_HOSTS="accord.example.com,www.accord.example.com",
        TIME_ZONE="Europe/Berlin",
        EMAIL_URL="smtp://mailer:secret@mail.example.com:2525",
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["host"]) == ("accord", "db.internal")
    assert values["broker"] == "redis://cache.internal:6379/2"
    assert values["allowed_hosts"] == ["accord.example.com", "www.accord.example.com"]
    assert values["time_zone"] == "Europe/Berlin"
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["email_host"], values["email_port"]) == ("mail.example.com", 2525)
    assert values["debug"] is False
    assert values["session_cookie_secure"] is True


def test_celery_broker_url_wins_over_redis_url():
    values = settings_with(
        DEBUG="true", REDIS_URL="redis://cache:6379/0", CELERY_BROKER_URL="redis://queue:6379/1"
    )

    assert values["broker"] == "redis://queue:6379/1"


def test_cache_url_names_a_cache_shared_by_every_process():
    values = settings_with(DEBUG="true", CACHE_URL="redis://cache.internal:6379/3")

    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["cache_location"] == "redis://cache.internal:6379/3"


def test_production_refuses_to_start_without_a_secret_key():
    completed = run_manage("check")

    assert completed.returncode != 0
    assert "Set SECRET_KEY" in completed.stderr


def test_deploy_check_is_clean_with_production_settings():
    completed = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k3y-" + "x9Q!7zLp" * 8,
        ALLOWED_HOSTS="accord.example.com",
        DATABASE_URL=os.environ["DATABASE_URL"],
    )

    assert completed.returncode == 0, completed.stderr
    assert "no issues" in completed.stdout
