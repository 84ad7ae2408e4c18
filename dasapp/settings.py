"""Settings for dasapp, read from the environment.

With nothing set, the application runs on SQLite under var/ with an embedded
file-system Celery broker. With DATABASE_URL and REDIS_URL set, it runs on
PostgreSQL and Redis. DJANGO_ENV=production turns on every production safeguard and
requires SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import environ
from csp.constants import NONCE

from dasapp.env import (
    ConfigurationError,
    development_secret_key,
    env_bool,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DASAPP_VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ConfigurationError(
        f"DJANGO_ENV must be development, production or test, not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test" or "pytest" in sys.modules

DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ConfigurationError("DEBUG must be false when DJANGO_ENV=production.")

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50:
        raise ConfigurationError("SECRET_KEY must be at least 50 characters in production.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ConfigurationError("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
else:
    SECRET_KEY = env_str("SECRET_KEY") or development_secret_key(VAR_DIR)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "django_celery_results",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "csp",
    "dasapp",
    "org",
    "people",
    "calls",
    "cases",
    "partners",
    "risk",
    "marac",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dasapp.middleware.SessionTimeoutMiddleware",
    "dasapp.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dasapp.urls"
WSGI_APPLICATION = "dasapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "dasapp.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL is set.
VAR_DIR.mkdir(parents=True, exist_ok=True)
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        _db = environ.Env.db_url_config(_database_url)
    except Exception as exc:  # environ raises several types for a bad URL
        raise ConfigurationError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    _scheme = _database_url.split("://", 1)[0] if "://" in _database_url else ""
    if not _db.get("ENGINE") or _scheme not in environ.Env.DB_SCHEMES:
        raise ConfigurationError(
            f"DATABASE_URL must start with postgres:// or sqlite://, not {_scheme or 'no scheme'!r}."
        )
    _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    _db["CONN_HEALTH_CHECKS"] = True
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})
        # A statement may not run longer than this; the call-taker's look-up degrades
        # to a warning instead of hanging the page.
        _db["OPTIONS"].setdefault(
            "options", f"-c statement_timeout={env_int('DATABASE_STATEMENT_TIMEOUT_MS', 15000)}"
        )
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "dasapp.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not Django's in-memory default: the browser tests' live server
            # serves concurrent requests, which shared-cache memory databases refuse
            # ("table is locked") where a WAL file waits its turn as in production.
            # One file per test process, so two test runs on one machine do not collide.
            "TEST": {"NAME": VAR_DIR / f"test_dasapp_{os.getpid()}.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "dasapp.User"

# Caches: Redis when configured, else local memory.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    from urllib.parse import urlsplit

    try:
        _redis = urlsplit(REDIS_URL)
        _redis.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        _redis = None
    if _redis is None or _redis.scheme not in {"redis", "rediss"} or not _redis.hostname:
        raise ConfigurationError(
            "REDIS_URL must look like redis://host:6379/0 (or rediss:// for TLS)."
        )
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Authentication
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    # Argon2id at OWASP's recommended cost (dasapp/hashers.py); the others only read
    # older hashes, which are upgraded on the next sign-in.
    "dasapp.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: five wrong passwords for one username from one address lock it out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions: idle timeout with a warning before it, and an absolute lifetime.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 15 * 60, minimum=60)
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 2 * 60, minimum=10)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60, minimum=600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Roles that must use two-factor authentication.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["supervisor"])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "DA Case Management")

# Security headers. Production turns on HTTPS-only behaviour.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE (not the string "'nonce'") makes django-csp 4 add this response's nonce.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Internationalisation: British English, times shown in Europe/London, stored in UTC.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files: vendored GOV.UK Frontend and MOJ Frontend built files.
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Email: console in development, SMTP when EMAIL_URL is set.
_email_url = env_str("EMAIL_URL")
if _email_url:
    vars().update(environ.Env.email_url_config(_email_url))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@dasapp.invalid")

# Django REST framework
REST_FRAMEWORK = {
    # Token first: a call with no credentials gets 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["dasapp.permissions.HasAnyRole"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dasapp.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"user": "600/min"},
}
# The audit trail keeps every reason in full (a grade or risk reason, a reassignment's
# why): the history's change reason is a text column, not 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

SPECTACULAR_SETTINGS = {
    "TITLE": "Domestic abuse case management API",
    "DESCRIPTION": (
        "Calls, risk assessments, cases, safety plans and MARAC. Every endpoint applies "
        "the same permission rules as the pages; errors share one shape."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (no CDN), so the CSP holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AddressKindEnum": "people.choices.AddressKind",
        "ContactChannelEnum": "partners.choices.ContactChannel",
        "ContactOutcomeEnum": "partners.choices.ContactOutcome",
        "GradeEnum": "calls.choices.Grade",
        "IncidentRoleEnum": "calls.choices.IncidentRole",
        "IncidentStatusEnum": "calls.choices.IncidentStatus",
        "IncidentOutcomeEnum": "calls.choices.IncidentOutcome",
        "NameKindEnum": "people.choices.NameKind",
        "PhoneKindEnum": "people.choices.PhoneKind",
        "RelationshipKindEnum": "people.choices.RelationshipKind",
        "RiskLevelEnum": "dasapp.choices.RiskLevel",
        "CaseStatusEnum": "cases.choices.CaseStatus",
        "TaskStatusEnum": "cases.choices.TaskStatus",
        "AssessmentStatusEnum": "risk.choices.AssessmentStatus",
        "AbsenceKindEnum": "org.choices.AbsenceKind",
        "AbandonReasonEnum": "calls.choices.AbandonReason",
    },
}

# Celery: Redis when REDIS_URL is set, else a file-system broker under var/.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    for _sub in ("in", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "in"),
        "data_folder_out": str(CELERY_BROKER_DIR / "in"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
HEARTBEAT_INTERVAL_SECONDS = env_int("HEARTBEAT_INTERVAL_SECONDS", 30, minimum=5)

# The call-taker's look-up runs as PostgreSQL prepared statements (parsed and planned
# once per connection: about 3 ms faster a look-up at a million incidents). That they
# read what the plain statements read, while tables are emptied and refilled and
# connections come and go, is a test (`test_prepared_and_plain_lookups_agree_...`).
# Turn it off behind a proxy that pools by transaction (PgBouncer in transaction
# mode), where a prepared statement may be on another server session.
LOOKUP_PREPARED_STATEMENTS = env_bool("DASAPP_LOOKUP_PREPARED", True)

# Logging: no personal data is written to logs; records carry ids only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry full URLs; keep them at warning so query strings with
        # search terms are not written at info level.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

SILENCED_SYSTEM_CHECKS: list[str] = []

# WhiteNoise serves the vendored files straight from static/ outside production, so the
# embedded default needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# The address staff use to reach the service, for links in emails: by default the one
# `make run` serves on.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('DASAPP_PORT', 8000, minimum=1)}")
