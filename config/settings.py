"""Accord settings, read from the environment (12-factor).

Production differs from development only by environment variables; see the README for the list.
"""

import math
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=true to develop).")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Fernet keys of the credentials kept in the database (common.encrypted): the first encrypts, all
# decrypt. None: one derived from SECRET_KEY (and SECRET_KEY_FALLBACKS).
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])
for _key in ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS: each key must be a Fernet key (32 url-safe base64-encoded bytes, "
            'e.g. from python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())").'
        ) from None

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "departments",
    "outbox",
    "chats",
    "webhooks",
    "agreements",
    "tickets",
    "disputes",
    "surveys",
    "feedback",
    "directory",
    "dashboards",
    "recognition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "config.middleware.PrivateWhenSignedInMiddleware",
    "config.middleware.PersonalTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After CSPMiddleware, so that it adds to the policy before CSPMiddleware writes it.
    "config.middleware.SignOutFormActionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.navigation",
            ],
            "libraries": {"figures": "common.figure_filters"},
        },
    },
]

if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'accord.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web and the workers write to one file: the WAL journal lets readers go on while one
    # writes; a writer waits up to 20 s for another instead of failing with "database is
    # locked"; and every transaction takes the write lock when it begins, so that two
    # transactions that read first never deadlock when both want to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        timeout=20,
        transaction_mode="IMMEDIATE",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's cache holds the dashboards counted in the last minute and the sign-in provider's
# discovery document. Each process keeps its own unless CACHE_URL names a shared one
# (redis://host:6379/1): with several web processes, a shared cache counts each dashboard once
# a minute instead of once per process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "directory.passwords.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on (OpenID Connect), on when OIDC_CLIENT_ID or OIDC_ISSUER is set. The provider's
# endpoints are read from OIDC_ISSUER/.well-known/openid-configuration when first needed (not at
# start-up) and kept for an hour; OIDC_*_ENDPOINT / OIDC_JWKS_URI set them by hand instead.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
SINGLE_SIGN_ON = bool(OIDC_ISSUER or OIDC_RP_CLIENT_ID)
if SINGLE_SIGN_ON and not (OIDC_ISSUER and OIDC_RP_CLIENT_ID):
    raise ImproperlyConfigured("Single sign-on needs both OIDC_ISSUER and OIDC_CLIENT_ID.")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_URI", default="")
# Where signing out goes on to after a single sign-on (directory.sign_out), when the discovery
# document announces no end_session_endpoint or another one should be used.
OIDC_END_SESSION_ENDPOINT = env.str("OIDC_END_SESSION_ENDPOINT", default="")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT_SECONDS", default=10.0)
OIDC_AUTHENTICATION_CALLBACK_URL = "directory:oidc_callback"
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", default="email")
OIDC_GIVEN_NAME_CLAIM = env.str("OIDC_GIVEN_NAME_CLAIM", default="given_name")
OIDC_FAMILY_NAME_CLAIM = env.str("OIDC_FAMILY_NAME_CLAIM", default="family_name")
OIDC_LOCALE_CLAIM = env.str("OIDC_LOCALE_CLAIM", default="locale")
# Someone the username claim does not name may be matched by a verified e-mail address instead.
OIDC_MATCH_EMAIL = env.bool("OIDC_MATCH_EMAIL", default=False)
# Off: people come from the directory; someone unknown is told whom to ask (DIRECTORY_CONTACT).
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=False)
DIRECTORY_CONTACT = env.str("DIRECTORY_CONTACT", default="")
# Local passwords; when off, only the BREAK_GLASS_USERNAMES may still use theirs.
PASSWORD_LOGIN = env.bool("PASSWORD_LOGIN", default=True)
BREAK_GLASS_USERNAMES = env.list("BREAK_GLASS_USERNAMES", default=[])
if SINGLE_SIGN_ON:
    AUTHENTICATION_BACKENDS.append("directory.oidc.SingleSignOnBackend")

# Login throttling: a username is locked from one address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# LDAP / Active Directory: sign-in with directory credentials and the directory the sync reads,
# only when LDAP_SERVER_URI is set (python-ldap is the optional extra `ldap`). Every LDAP_*
# variable is in the README's "LDAP / Active Directory".
LDAP_SERVER_URI = env.str("LDAP_SERVER_URI", default="")
if LDAP_SERVER_URI:
    import os

    from directory.ldap_settings import BACKEND as LDAP_BACKEND
    from directory.ldap_settings import ldap_settings

    vars().update(ldap_settings(os.environ))
    # After django-axes (which throttles it too), before the local passwords.
    AUTHENTICATION_BACKENDS.insert(1, LDAP_BACKEND)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per kind and language (config/formats); shown in the person's time zone.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"

# E-mail: EMAIL_URL (e.g. smtp://user:pass@mail.example.com:587/?tls=True) or the console in DEBUG.
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Accord <accord@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="accord.localhost")
# Links in e-mail point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Outgoing webhooks. Private, loopback and link-local addresses (and plain http) are refused
# unless allowed here: allowing them lets whoever may add a webhook reach internal services.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)
# A webhook is disabled, and its owner told, after this many failed deliveries in a row.
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=10)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5.0)

# Complaints and suggestions: the working hours a head has to respond, the share of them after
# which they are warned, and the working hours after a missed response before the parent
# department's head is told.


def _working_hours(name: str, default: float) -> timedelta:
    try:
        hours = env.float(name, default=default)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of working hours.") from None
    if not math.isfinite(hours) or hours <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number of working hours.")
    return timedelta(hours=hours)


COMPLAINT_RESPONSE_TARGET = _working_hours("COMPLAINT_RESPONSE_HOURS", 16)
COMPLAINT_PARENT_TOLD_AFTER = _working_hours("COMPLAINT_PARENT_TOLD_AFTER_HOURS", 8)
try:
    _warning_percent = env.float("COMPLAINT_WARNING_PERCENT", default=75)
except ValueError:
    _warning_percent = math.nan
if not 0 < _warning_percent < 100:
    raise ImproperlyConfigured("COMPLAINT_WARNING_PERCENT must be above 0 and below 100.")
COMPLAINT_WARNING_SHARE = _warning_percent / 100

# Celery: Redis in production; with no REDIS_URL, a broker on local files so that nothing needs
# a server to try Accord.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Fail fast when the broker is down: the web keeps working and the outbox catches up later.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
# A worker that loses Redis retries until it is back (by default it gives up after 100 retries,
# some 45 minutes), so that beat's next scan catches up however long the outage lasted.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(hours=1)
# Beat runs in UTC: crontab schedules in local time misfire at daylight-saving changes.
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# The directory sync's org file, for companies without LDAP: the nightly job reads it when set
# (and LDAP_SERVER_URI is not); see the README's "Directory sync and the org file".
DIRECTORY_ORG_FILE = env.str("DIRECTORY_ORG_FILE", default="")
# A sync that would deactivate more than this share of the active people it manages, and more
# than the floor, deactivates nobody until an administrator confirms (directory.mass_leavers).
try:
    DIRECTORY_DEACTIVATION_LIMIT_PERCENT = env.float(
        "DIRECTORY_DEACTIVATION_LIMIT_PERCENT", default=10
    )
    DIRECTORY_DEACTIVATION_LIMIT_FLOOR = env.int("DIRECTORY_DEACTIVATION_LIMIT_FLOOR", default=3)
except ValueError:
    DIRECTORY_DEACTIVATION_LIMIT_PERCENT, DIRECTORY_DEACTIVATION_LIMIT_FLOOR = math.nan, -1
if not 0 <= DIRECTORY_DEACTIVATION_LIMIT_PERCENT <= 100 or DIRECTORY_DEACTIVATION_LIMIT_FLOOR < 0:
    raise ImproperlyConfigured(
        "DIRECTORY_DEACTIVATION_LIMIT_PERCENT must be 0 to 100 and "
        "DIRECTORY_DEACTIVATION_LIMIT_FLOOR 0 or more."
    )
CELERY_BEAT_SCHEDULE = {
    "scan-breaches": {"task": "tickets.scan_breaches", "schedule": timedelta(minutes=1)},
    "escalate-breaches": {"task": "tickets.escalate_breaches", "schedule": timedelta(minutes=1)},
    "confirm-resolved": {"task": "tickets.confirm_resolved", "schedule": timedelta(minutes=1)},
    # On the hour (UTC): each digest gathers the alerts queued before the hour it is sent.
    "send-alert-digests": {"task": "tickets.send_alert_digests", "schedule": crontab(minute=0)},
    "send-up-lapsed-disputes": {
        "task": "disputes.send_up_lapsed",
        "schedule": timedelta(minutes=5),
    },
    "heartbeat": {"task": "config.celery.heartbeat", "schedule": timedelta(minutes=1)},
    "expire-agreements": {"task": "agreements.expire_agreements", "schedule": timedelta(hours=1)},
    "remind-signers": {"task": "agreements.remind_signers", "schedule": timedelta(hours=1)},
    "send-unsent-messages": {"task": "outbox.send_unsent", "schedule": timedelta(minutes=5)},
    "launch-due-surveys": {"task": "surveys.launch_due_campaigns", "schedule": timedelta(hours=1)},
    "send-survey-reminders": {
        "task": "surveys.send_due_reminders",
        "schedule": timedelta(hours=1),
    },
    "scan-feedback-responses": {
        "task": "feedback.scan_responses",
        "schedule": timedelta(minutes=1),
    },
    "remind-action-owners": {
        "task": "feedback.remind_action_owners",
        "schedule": timedelta(hours=1),
    },
    "refresh-dashboard-rollup": {
        "task": "dashboards.refresh_rollup",
        "schedule": timedelta(minutes=5),
    },
    # 03:30 in Shanghai: every day recounted, for changes made outside the workflow (the admin).
    "recount-dashboard-rollup": {
        "task": "dashboards.recount_rollup",
        "schedule": crontab(minute=30, hour=19),
    },
    # 02:00 in Shanghai: the org chart from LDAP or DIRECTORY_ORG_FILE, when either is set.
    "sync-directory": {"task": "directory.sync_directory", "schedule": crontab(minute=0, hour=18)},
}

REST_FRAMEWORK = {
    # Token first: a request without credentials is then 401 with `WWW-Authenticate: Token`
    # (DRF answers 403 when the first class, like the session's, names no scheme).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "common.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Accord API",
    "DESCRIPTION": "Internal service-level agreements between departments.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "Priority": "agreements.models.Priority",
        "AgreementStatus": "agreements.models.Agreement.Status",
        "CampaignStatus": "surveys.models.Campaign.Status",
        "DisputeOutcome": "disputes.models.Dispute.Outcome",
        "ActionStatus": "feedback.models.action_plans.ActionStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.add_error_responses",
        "webhooks.schema.add_webhook_payloads",
    ],
    # Swagger UI from the drf-spectacular-sidecar package: nothing is loaded from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Security. Every default below is the safe one outside DEBUG; each can be set from the
# environment (e.g. SECURE_SSL_REDIRECT=false behind a proxy that already redirects).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
