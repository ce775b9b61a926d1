"""Settings for the interview-results dashboard, configured by the environment alone.

Every knob is listed in README.md ("Environment"). SQLite is the embedded default; PostgreSQL is
the production database.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "interviews",
]

MIDDLEWARE = [
    # First: answers /healthz before any host check or SSL redirect can refuse a load balancer.
    "interviews.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise (static files stay cacheable): every signed-in answer is private, no-store.
    "interviews.middleware.PrivateCacheMiddleware",
    "interviews.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: logs out an idle session and says why on the login page.
    "interviews.sessions.SessionTimeoutMiddleware",
    "interviews.middleware.AdminInvalidLookupMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: axes needs the authenticated user and the request's session.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # Take the write lock when the transaction starts, so that concurrent writers queue on
        # the busy timeout instead of failing with "database is locked" when they upgrade a
        # read lock. WAL lets readers go on while one writer writes. synchronous stays FULL
        # (SQLite's default): a delivery is durable before its 200.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;",
    }
    # A file, not the shared in-memory database: the concurrency tests need real connections.
    # The process id keeps parallel test runs on one machine apart.
    _db["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"interview-results-test-{os.getpid()}.sqlite3")
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's psycopg 3 connection pool; CONN_MAX_AGE must stay 0 with it.
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "pool": {
            "min_size": 2,
            "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "8")),
            # How long a request waits for a connection: while the database is unreachable
            # every request waits this long for its 503, so keep it short (load balancers'
            # health checks time out after a few seconds). Threads never outnumber connections.
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "3")),
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Per process: the list's counts and the filter choices (page views never write the database).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every worker and machine: API throttle counts (failed authentication included).
    # The table is created by a migration.
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "interviews_shared_cache",
    },
}

# --- Background tasks (django-tasks; `manage.py db_worker` runs them) ------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Auth -------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The per-account ceiling across addresses (interviews/logins.py): before ModelBackend, so a
    # refused attempt never gets its password checked.
    "interviews.logins.AccountCeilingBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# argon2 first; older hashes still verify and are upgraded on the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "results"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "interviews.proxies.axes_client_ip"
AXES_USERNAME_CALLABLE = "interviews.proxies.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Axes locks the username-and-address pair above; across addresses, an account with this many
# failures in the cool-off hour accepts logins only from addresses that logged in to it before
# (within LOGIN_KNOWN_ADDRESS_DAYS). See interviews/logins.py.
LOGIN_ACCOUNT_FAILURE_CEILING = 50
LOGIN_KNOWN_ADDRESS_DAYS = 180

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Archived PDF reports (personal data: back MEDIA_ROOT up, and erasure deletes from it).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"  # never served directly: reports go through a view that checks the role

# --- Security ---------------------------------------------------------------------------------
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12  # a working day: the absolute limit
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
# Sessions that know their user (deactivating a user ends them): interviews/sessions.py. The
# expiry is fixed at login, so neither setting below may stretch the absolute limit.
SESSION_ENGINE = "interviews.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
CSRF_COOKIE_HTTPONLY = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# --- The webhook ------------------------------------------------------------------------------
WEBHOOK_SECRETS = env_list("WEBHOOK_SECRETS")
WEBHOOK_SECRET_HEADER = os.environ.get("WEBHOOK_SECRET_HEADER", "Authorization").strip()
WEBHOOK_MAX_BODY_BYTES = int(os.environ.get("WEBHOOK_MAX_BODY_BYTES", "524288"))
# Django's own cap on request.body must not undercut the webhook's limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(WEBHOOK_MAX_BODY_BYTES + 1024, 2621440)

# --- PDF report archive (interviews/fetch.py, interviews/reports.py) ------------------------
PDF_ARCHIVE_TRUSTED_HOSTS = env_list("PDF_ARCHIVE_TRUSTED_HOSTS")
PDF_ARCHIVE_MAX_BYTES = int(os.environ.get("PDF_ARCHIVE_MAX_BYTES", str(25 * 1024 * 1024)))
PDF_ARCHIVE_RETRY_BASE_SECONDS = float(os.environ.get("PDF_ARCHIVE_RETRY_BASE_SECONDS", "60"))
PDF_ARCHIVE_TIMEOUT_SECONDS = float(os.environ.get("PDF_ARCHIVE_TIMEOUT_SECONDS", "30"))

# --- Mail (operator alarms) -------------------------------------------------------------------
ADMINS = [("", address) for address in env_list("ADMINS")]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "interview-results@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_URL"):
    vars().update(dj_email_url.parse(os.environ["EMAIL_URL"]))
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every API view needs a role (interviews/roles.py), unless it says otherwise.
    "DEFAULT_PERMISSION_CLASSES": ["interviews.roles.CanViewResults"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Counted in CACHES["shared"] (every worker and machine), failed authentication included.
    "DEFAULT_THROTTLE_CLASSES": [
        "interviews.throttling.AnonThrottle",
        "interviews.throttling.UserThrottle",
    ],
    "EXCEPTION_HANDLER": "interviews.throttling.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/min"),
        "user": os.environ.get("API_THROTTLE_USER", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Interview results API",
    "DESCRIPTION": "Read-only access to the interview results received from the platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["interviews.roles.CanReadAPIDocs"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # httpx logs each request's URL at INFO: a report link is signed (a secret).
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # At DEBUG the template engine logs every failed variable lookup with the whole
        # context, candidates' names included: never below INFO, whatever LOG_LEVEL says.
        "django.template": {"level": "INFO"},
    },
}
