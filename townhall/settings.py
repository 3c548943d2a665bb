"""Townhall settings: one module, every knob an environment variable read once.

The README's configuration table lists each variable. Defaults give the embedded
set-up that `make run` needs (SQLite under var/, the database task queue, mail to the
console); production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and friends.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TOWNHALL_VAR_DIR", BASE_DIR / "var"))
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# pytest sets PYTEST_VERSION for the whole session: tests run tasks at once and serve
# static files without a collectstatic manifest.
TESTING = "PYTEST_VERSION" in os.environ
DEBUG = env_bool("DEBUG", False)
# The "django-insecure-" prefix makes `check --deploy` refuse the development key.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-townhall-development-only-key-9f3k2m"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = os.environ.get("SITE_NAME", "Springfield Townhall")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "townhall.activity",
    "townhall.identity",
    "townhall.agencies",
    "townhall.commitments",
    "townhall.conversations",
    "townhall.service_requests",
    "townhall.consultations",
    "townhall.citizens",
    "townhall.privacy",
    "townhall.api",
    "townhall.open311",
    "townhall.transparency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "townhall.agencies.middleware.StaffSessionLimitsMiddleware",
    "townhall.agencies.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "townhall.urls"
WSGI_APPLICATION = "townhall.wsgi.application"
ASGI_APPLICATION = "townhall.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "townhall" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "townhall.context_processors.site",
                "townhall.context_processors.notifications",
                "townhall.context_processors.inbox",
                "townhall.context_processors.moderation",
                "townhall.context_processors.acting_face",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'townhall.sqlite3'}"
# Connections are kept for a minute, SQLite's too: opening one (and its PRAGMAs) cost as
# much as a one-row page (bench/requests_load.py: 700 → 1,400 req/s). Tests run
# live-server threads that die with their connections: no persistent ones there.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker write while pages read; wait instead of failing on a lock.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The pages run many short indexed queries; PostgreSQL's JIT compiler only adds
    # tens to hundreds of milliseconds to them (measured in bench/requests_load.py).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions --------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "townhall.redis_cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Anonymous visitors' status pages are kept rendered this long (service_requests/
# status_pages.py). Only with a cache every process shares: a per-process cache would keep
# one worker's pages after another worker's writes. Tests run in one process.
STATUS_PAGE_CACHE_SECONDS = 60 if REDIS_URL or TESTING else 0
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # citizens: 30 days
# Staff sessions end 12 hours after sign-in or 30 minutes idle (agencies/middleware.py).
STAFF_SESSION_MAX_AGE = 60 * 60 * 12
STAFF_SESSION_IDLE_TIMEOUT = 60 * 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Background tasks -------------------------------------------------------------------
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if TESTING else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ValueError(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}")
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[TASKS_BACKEND],
        "QUEUES": ["default"],
        "ENQUEUE_ON_COMMIT": TASKS_BACKEND == "rq",
    }
}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

# --- Auth and accounts --------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing with a real hasher dominates the suite's run time; tests need no strength.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "identity:account"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "townhall.identity.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "townhall.identity.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Changing email addresses, the password or a sign-in provider asks for the password (or a
# second factor) again if the last one was over 5 minutes ago (factors always do, MFA's
# default), and the old address is told of each change (decision 0016).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_NOTIFICATIONS = True
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_PASSKEY_LOGIN_ENABLED = False
# Staff whose agencies require a security key cannot sign in with an app's code.
MFA_FORMS = {"authenticate": "townhall.agencies.second_factor.StaffAuthenticateForm"}
# OpenID Connect providers are SocialApps (provider "openid_connect") an administrator adds
# in the site administration, each with an IdentityProviderPolicy (README: "Identity
# providers"). PKCE always; an email is never trusted unless the provider says it is
# verified, and never used to sign in to an existing account.
SOCIALACCOUNT_ADAPTER = "townhall.identity.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# Demo staff accounts may skip the second factor, but only on a DEBUG (demo) server.
DEMO_STAFF_SKIP_SECOND_FACTOR = DEBUG

# --- Email -------------------------------------------------------------------------------
# No EMAIL_URL on a DEBUG (demo) server: each message is an .eml file under var/mail/.
EMAIL_URL = os.environ.get("EMAIL_URL", "" if DEBUG else "smtp://127.0.0.1:25")
_email = dj_email_url.parse(EMAIL_URL or "smtp://127.0.0.1:25")
if "EMAIL_BACKEND" not in _email:
    raise ValueError(f"EMAIL_URL scheme must be one of {', '.join(dj_email_url.SCHEMES)}")
EMAIL_BACKEND = _email["EMAIL_BACKEND"] if EMAIL_URL else "townhall.activity.mail.EmlBackend"
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "townhall@springfield.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Replies by email (activity/inbound.py): notification emails carry a signed reply-to
# address reply+<token>@MAILIN_DOMAIN, valid MAILIN_REPLY_DAYS; `townhall mailin` takes
# the replies by SMTP on MAILIN_HOST:MAILIN_PORT, refusing mail over MAILIN_MAX_BYTES.
_site_host = urlsplit(SITE_URL).hostname or "localhost"
MAILIN_DOMAIN = os.environ.get("MAILIN_DOMAIN", "") or (
    "localhost" if _site_host.replace(".", "").isdigit() else _site_host
)
MAILIN_HOST = os.environ.get("MAILIN_HOST", "127.0.0.1")
MAILIN_PORT = int(os.environ.get("MAILIN_PORT", "2525"))
MAILIN_MAX_BYTES = int(os.environ.get("MAILIN_MAX_BYTES", str(25 * 1024 * 1024)))
MAILIN_REPLY_DAYS = int(os.environ.get("MAILIN_REPLY_DAYS", "90"))
# Replies through an email provider's inbound webhook (django-anymail), at
# /notifications/inbound/anymail/ with HTTP basic auth ANYMAIL_WEBHOOK_SECRET ("user:pass").
# Off (404) while the secret is empty. MAILIN_WEBHOOK_ESP: postmark, mailgun, amazon_ses...
MAILIN_WEBHOOK_ESP = os.environ.get("MAILIN_WEBHOOK_ESP", "postmark")
ANYMAIL = {
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", ""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("MAILGUN_WEBHOOK_SIGNING_KEY", ""),
}

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "townhall" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "townhall" / "static",
    ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not (DEBUG or TESTING))
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", not (DEBUG or TESTING))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Service requests ----------------------------------------------------------------------
# The area requests may be located in: "south latitude, west longitude, north latitude,
# east longitude" (the default is Springfield, Illinois, with a margin).
SERVICE_AREA = tuple(
    float(part) for part in os.environ.get("SERVICE_AREA", "39.65,-89.80,39.90,-89.50").split(",")
)
SERVICE_AREA_NAME = os.environ.get("SERVICE_AREA_NAME", "Springfield")
# Open311: the jurisdiction_id this server answers for (clients may also leave it out).
OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "springfield.example.org")
# Open data (transparency/datasets.py): the licence of every dataset and whom to ask.
OPEN_DATA_LICENSE = os.environ.get(
    "OPEN_DATA_LICENSE", "https://creativecommons.org/publicdomain/zero/1.0/"
)
OPEN_DATA_CONTACT_EMAIL = os.environ.get("OPEN_DATA_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
# Largest attachment accepted, in bytes, and how many files one message may carry.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
ATTACHMENT_MAX_FILES = int(os.environ.get("ATTACHMENT_MAX_FILES", "5"))
# Rate limits on the messages one account writes as itself (conversations/moderation.py).
# Tests that write long threads are not about floods: the rate-limit tests set their own.
MESSAGES_PER_MINUTE = int(os.environ.get("MESSAGES_PER_MINUTE", "10000" if TESTING else "10"))
MESSAGES_PER_HOUR = int(os.environ.get("MESSAGES_PER_HOUR", "10000" if TESTING else "100"))
# Reports to the moderators one account may make in an hour (against report floods).
FLAGS_PER_HOUR = int(os.environ.get("FLAGS_PER_HOUR", "10000" if TESTING else "30"))
# Uploads bigger than this are streamed to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "townhall.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "townhall.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "townhall.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_TOKEN_RATE", "10/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Townhall API",
    "DESCRIPTION": "Service requests, conversations and agencies of a Townhall site.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No call-outs to swagger.io's validator: the docs work offline and under our CSP.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- Security ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and env_bool("HTTPS", False))
SESSION_COOKIE_SECURE = env_bool("HTTPS", False)
CSRF_COOKIE_SECURE = env_bool("HTTPS", False)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if env_bool("HTTPS") else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
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

# --- Logging -----------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
