"""Settings of the console, all read from environment variables (see README's table).

Every default is embedded so that a fresh clone runs with nothing installed: SQLite under
var/, a filesystem Celery broker under var/, and a secret key generated once into var/.
"""

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QUERYPIE_VAR_DIR", BASE_DIR / "var"))
# var/ holds the database, session keys and the secret key: private to this account
# (folders 700, files 600) whatever the umask, and so is everything created under it.
os.umask(0o077)
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
with contextlib.suppress(PermissionError):  # a shared folder someone else owns stays theirs
    VAR_DIR.chmod(0o700)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _generated_secret_key() -> str:
    """Keep one random key per installation so sessions and encrypted secrets survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _generated_secret_key()
DEBUG = _env_bool("DEBUG")
CONSOLE_BASE_URL = os.environ.get("CONSOLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
# The public host always works, so setting CONSOLE_BASE_URL alone is enough behind a proxy.
ALLOWED_HOSTS.append(urlsplit(CONSOLE_BASE_URL).hostname or "127.0.0.1")
CSRF_TRUSTED_ORIGINS = [CONSOLE_BASE_URL]
if CONSOLE_BASE_URL.startswith("https://"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Browsers that once reached the console over https never try plain http again.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))

# Content-Security-Policy on every page: scripts, styles and everything else from this
# console only, nothing inline (the templates load static/ files), never in a frame.
# form-action is left open: signing out and Single Logout post to the console, which
# redirects the browser to the IdP.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files
    "django_celery_beat",
    "querypie_admin",
    "okta",
    "sso",
    "scim",
    "sync",
    "okta_insights",
    "event_hooks",
    "access_reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "querypie_admin.urls"
WSGI_APPLICATION = "querypie_admin.wsgi.application"

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
                "querypie_admin.context_processors.console",
            ],
        },
    },
]

# The embedded SQLite default holds parallel writers (Okta pushes one group's members in
# parallel; several gunicorn processes write): WAL lets readers work beside a writer, a
# write transaction takes the lock when it begins (IMMEDIATE) so it never fails half-way
# when upgrading a read lock, and a writer waits its turn for up to SQLITE_BUSY_SECONDS.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": float(os.environ.get("SQLITE_BUSY_SECONDS", "30")),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

# psycopg prepares a statement after 5 runs on a connection; only the server-bound cursor of
# querypie_admin.prepared_statements does so (Django's own cursor binds on the client).
POSTGRESQL_OPTIONS = {"prepare_threshold": 5}


def _database(url: str) -> dict:
    database = dj_database_url.parse(url, conn_max_age=60)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    elif "postgresql" in database["ENGINE"]:
        database["OPTIONS"] = {**POSTGRESQL_OPTIONS, **database.get("OPTIONS", {})}
    return database


DATABASES = {
    "default": _database(os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "querypie_admin.User"
AUTHENTICATION_BACKENDS = ["querypie_admin.auth_backends.LoginIdBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
# Password sign-in lock-out (querypie_admin/lockout.py): failures within the window.


def _cache() -> dict:
    """Shared by every process of the console (sign-in lock-out counts live here)."""
    url = os.environ.get("CACHE_URL", "")
    if url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {
        "BACKEND": "querypie_admin.cache.FileCache",
        "LOCATION": str(VAR_DIR / "cache"),
        # Django culls a third of the entries past MAX_ENTRIES (300 by default): lock-out
        # counts must not vanish because someone tried many login IDs.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }


CACHES = {"default": _cache()}


def _email(url: str) -> dict:
    """Django's email settings from EMAIL_URL: smtp://user:pass@host:587 (STARTTLS with
    ?tls=true, the default on port 587), smtps://… (TLS from the start, port 465), or
    nothing: a file backend under var/mail/, so the embedded start needs no mail server."""
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(VAR_DIR / "mail"),
        }
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("EMAIL_URL must start with smtp:// or smtps://")
    options = {k.lower(): v.lower() for k, v in parse_qsl(parts.query)}
    ssl = parts.scheme == "smtps" or options.get("ssl") in ("1", "true", "yes", "on")
    port = parts.port or (465 if ssl else 25)
    starttls = options.get("tls", "true" if port == 587 else "false")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": not ssl and starttls in ("1", "true", "yes", "on"),
        "EMAIL_TIMEOUT": 30,
    }


globals().update(_email(os.environ.get("EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "QueryPie Admin <noreply@localhost>")
SIGNIN_LOCKOUT_FAILURES = int(os.environ.get("SIGNIN_LOCKOUT_FAILURES", "5"))
SIGNIN_LOCKOUT_IP_FAILURES = int(os.environ.get("SIGNIN_LOCKOUT_IP_FAILURES", "30"))
# Failures for one login ID from every address: well above SIGNIN_LOCKOUT_FAILURES, which
# counts per login ID and address, so one address cannot lock the Owner out (lockout.py).
SIGNIN_LOCKOUT_ACCOUNT_FAILURES = int(os.environ.get("SIGNIN_LOCKOUT_ACCOUNT_FAILURES", "50"))
SIGNIN_LOCKOUT_SECONDS = int(os.environ.get("SIGNIN_LOCKOUT_SECONDS", "900"))
# Reverse proxies whose X-Real-IP names the client for the sign-in lock-out and its audit
# (docs/PRODUCTION.md); from any other address the header is ignored.
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("TRUSTED_PROXIES", "").split(",") if a.strip()]
SESSION_COOKIE_AGE = 8 * 3600

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "querypie_admin.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["querypie_admin.api.permissions.IsConsoleAdmin"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QueryPie Admin API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ loads Swagger UI from our static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # drf-spectacular serves the schema to anyone by default; /api/v1/ is for admins only.
    "SERVE_PERMISSIONS": ["querypie_admin.api.permissions.IsConsoleAdmin"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "querypie_admin.api.openapi.document_errors",
    ],
}


def _broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url:
        return url
    (VAR_DIR / "broker" / "queue").mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "broker" / "processed").mkdir(parents=True, exist_ok=True)
    return "filesystem://"


CELERY_BROKER_URL = _broker_url()
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
        # The worker polls the folder for messages, and its stop waits for the poll in
        # progress: 1 s (kombu's default) made Ctrl-C take 6-8 s. Listing an empty folder
        # five times a second costs nothing measurable when idle (docs/PERFORMANCE.md).
        "polling_interval": 0.2,
    }
    if CELERY_BROKER_URL == "filesystem://"
    else {}
)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = _env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_403_traceback": {"()": "querypie_admin.logfilters.NoTracebackFor403"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["no_403_traceback"]},
    },
}

# login_id is unique case-insensitively (a functional constraint the check cannot see).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# --- sso app (SAML 2.0 single sign-on) ---------------------------------------------------
# Metadata URL fetch: loopback addresses are refused unless this is on (tests turn it on).
SSO_METADATA_FETCH_ALLOW_LOOPBACK = _env_bool("SSO_METADATA_FETCH_ALLOW_LOOPBACK")
SSO_METADATA_FETCH_TIMEOUT = float(os.environ.get("SSO_METADATA_FETCH_TIMEOUT", "10"))
SSO_METADATA_MAX_BYTES = int(os.environ.get("SSO_METADATA_MAX_BYTES", str(1024 * 1024)))
# An IdP certificate that neither the current metadata nor Okta's key list names any more still
# verifies sign-ins this long (assertions already in flight), then it is retired. One hour:
# Okta signs with a newly activated key at once, so a longer overlap only helps a planted key.
SSO_CERTIFICATE_UNLISTED_GRACE_SECONDS = int(
    os.environ.get("SSO_CERTIFICATE_UNLISTED_GRACE_SECONDS", "3600")
)
# --- end sso app -----------------------------------------------------------------------------

# Okta API: loopback (the fake Okta on 127.0.0.1, for tests and demos) only when this is on;
# private, link-local and NAT64/6to4-mapped addresses never (querypie_admin/outbound.py).
OKTA_API_ALLOW_LOOPBACK = _env_bool("OKTA_API_ALLOW_LOOPBACK")
# An Okta run (sync, collection, Event Hooks processing) whose heartbeat is older than this
# was killed: the next start closes it (okta/runs/heartbeat.py beats every sixth of it).
OKTA_RUN_DEAD_AFTER_SECONDS = float(os.environ.get("OKTA_RUN_DEAD_AFTER_SECONDS", "60"))

# --- scim: SCIM 2.0 provisioning (owned by the scim app) ---
INSTALLED_APPS += ["django_scim"]
SCIM_SERVICE_PROVIDER = {
    "NETLOC": CONSOLE_BASE_URL.split("://", 1)[-1].split("/", 1)[0],
    "SCHEME": CONSOLE_BASE_URL.split("://", 1)[0],
    "AUTHENTICATION_SCHEMES": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token"}],
    "USER_ADAPTER": "scim.adapters.users.ScimUserAdapter",
    "GROUP_ADAPTER": "scim.adapters.groups.ScimGroupAdapter",
    "GROUP_MODEL": "querypie_admin.models.Group",
    "USER_FILTER_PARSER": "scim.filters.UserFilterQuery",
    "GROUP_FILTER_PARSER": "scim.filters.GroupFilterQuery",
    "SERVICE_PROVIDER_CONFIG_MODEL": "scim.schemas.ServiceProviderConfig",
    "BASE_LOCATION_GETTER": "scim.schemas.base_location",
    "SCHEMAS_GETTER": "scim.schemas.all_schemas",
    "AUTH_CHECK_MIDDLEWARE": "scim.auth.ScimTokenCheck",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="SCIM"',
    "EXPOSE_SCIM_EXCEPTIONS": False,
}
# --- end scim ---
