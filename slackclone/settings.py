"""Slackclone settings: one module, read from the environment.

No variables set gives the embedded default (SQLite under var/, in-memory channel
layer, local-memory cache, eager Celery, console email, one process) so that
`make run` works on any machine with Python. DATABASE_URL and REDIS_URL switch
to the real stack: PostgreSQL, the Redis channel layer, the Redis cache (which
django-ratelimit shares) and Celery on Redis.
"""

import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from slackclone.database_url import parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SLACKCLONE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Comma-separated IP networks in CIDR notation (a bare address is a network of one), normalised."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated networks such as 127.0.0.0/8,::1/128, not {item!r}"
            ) from exc
    return networks


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value!r}")
    return number


def env_gc_thresholds(name: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    value = os.environ.get(name)
    if not value:
        return default
    parts = value.split(",")
    if len(parts) != 3 or not all(part.strip().isdigit() and int(part) > 0 for part in parts):
        raise ImproperlyConfigured(f"{name} must be three whole numbers above 0, as 10000,20,100; not {value!r}")
    first, second, third = (int(part) for part in parts)
    return first, second, third


DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
REAL_STACK = bool(DATABASE_URL and REDIS_URL)

# --- Core -------------------------------------------------------------------------

INSECURE_DEFAULT_SECRET_KEY = "django-insecure-slackclone-embedded-default-do-not-deploy"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not REAL_STACK)
if not DEBUG and SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the built-in development key. "
        "Set SECRET_KEY to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "slackclone.apps.SlackcloneConfig",
    "slackclone.apps.SlackcloneAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "workspaces",
    "chat",
    "notifications",
    "integrations",
    "realtime",
    "slack_api",
    "slack_apps",
    "audit",
    "outbox",
    "identity",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "allauth.usersessions",
    "directory",
    "scim",
]

MIDDLEWARE = [
    # First, so it times and counts every answer, the other middleware's included (slackclone.metrics.http).
    "slackclone.metrics.http.ObserveRequestsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "slackclone.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.context.AuditRequestMiddleware",
    "slackclone.i18n.PersonLanguageMiddleware",
    "slackclone.db_router.PinAfterWriteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "identity.middleware.SessionActivityMiddleware",
    "identity.form_targets.SignInFormTargetsMiddleware",
    # A session entering a workspace (its pages, the REST API) meets the workspace's sign-in policy.
    "identity.policy_gate.SignInPolicyMiddleware",
]

ROOT_URLCONF = "slackclone.urls"
WSGI_APPLICATION = "slackclone.wsgi.application"
ASGI_APPLICATION = "slackclone.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------

# Under ASGI, Django runs each request's synchronous code in a thread of its own, and connections are per
# thread: persistent connections would be opened anew for every request (docs/performance.md, API: a
# connection pool under ASGI). ASGI processes (slackclone/asgi.py) therefore take connections from a psycopg
# pool, checked on checkout; other processes (Celery, commands) keep one connection each.
DATABASE_POOL = env_bool("DATABASE_POOL", False)
DATABASE_POOL_MIN = env_int("DATABASE_POOL_MIN", 2)
DATABASE_POOL_MAX = env_int("DATABASE_POOL_MAX", 20)
# How long a request waits for a pooled connection (seconds) before it is answered 503 service_unavailable
# (slackclone.db_unavailable): long enough to ride out a short failover, short enough for clients to retry.
DATABASE_POOL_TIMEOUT = env_int("DATABASE_POOL_TIMEOUT", 10)
# The threads an ASGI process runs requests in (slackclone/asgi_http.py): two per core it may run on, at most
# one per pooled connection. The request's Python work holds the GIL, shared with the event loop that writes
# to the sockets; more threads than that add no throughput, only requests taking the GIL from each other
# and from the loop, which shows as tail latency (docs/performance.md, A company's day). The gateway's worker
# threads take connections from the same pool.
ASGI_REQUEST_THREADS = env_int(
    "ASGI_REQUEST_THREADS", min(DATABASE_POOL_MAX, 2 * len(os.sched_getaffinity(0))), minimum=1
)
# The threads the real-time gateway runs its database calls in (posts, marks, resumes over the socket),
# beside the request threads: one per core by default, as each more only takes the GIL from the others.
GATEWAY_DATABASE_THREADS = env_int("GATEWAY_DATABASE_THREADS", len(os.sched_getaffinity(0)), minimum=1)
# The cyclic garbage collector's thresholds in an ASGI process (gc.set_threshold). Each collection stops the
# whole process, sockets included. At Python's (700, 10, 10) a process holding a thousand sockets made a full
# collection every few seconds, each walking every long-lived object and finding nothing; larger thresholds
# leave young objects time to die before they are examined (docs/performance.md, A company's day).
ASGI_GC_THRESHOLDS = env_gc_thresholds("ASGI_GC_THRESHOLDS", (10_000, 20, 100))

# Shown as pg_stat_activity's application_name, so an operator sees which process holds which
# connection (the cluster names each process: asgi-1, celery-notifications, …).
DATABASE_APPLICATION_NAME = os.environ.get("DATABASE_APPLICATION_NAME", "slackclone")
# Prepared statements: parameters bound by the server (psycopg's server-side binding), and a statement
# prepared on its connection at its sixth run, as pgJDBC does by default. PostgreSQL then parses each of
# the app's statements once per connection and, once a generic plan prices no higher than its own, stops
# planning it: parsing and planning were most of its CPU for the short statements a request makes
# (docs/performance.md, Prepared statements). A statement that steers the planner with SET LOCAL (search,
# unread counts) asks for a plan of its own each time (plan_cache_mode). Off behind a pooler that cannot
# keep them (PgBouncer in transaction mode before 1.21).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
POSTGRES_OPTIONS: dict[str, object] = {"application_name": DATABASE_APPLICATION_NAME}
if DATABASE_PREPARED_STATEMENTS:
    POSTGRES_OPTIONS.update(server_side_binding=True, prepare_threshold=5)

if DATABASE_URL and DATABASE_POOL and DATABASE_URL.startswith(("postgres://", "postgresql://")):
    # With a pool, CONN_HEALTH_CHECKS makes Django check each connection as it is taken from it.
    DATABASES = {"default": parse_database_url("DATABASE_URL", DATABASE_URL, conn_max_age=0, conn_health_checks=True)}
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # keeping the URL's own (sslmode=…)
        pool={"min_size": DATABASE_POOL_MIN, "max_size": DATABASE_POOL_MAX, "timeout": DATABASE_POOL_TIMEOUT},
        **POSTGRES_OPTIONS,
    )
elif DATABASE_URL:
    DATABASES = {"default": parse_database_url("DATABASE_URL", DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASE_URL.startswith(("postgres://", "postgresql://")):
        DATABASES["default"].setdefault("OPTIONS", {}).update(POSTGRES_OPTIONS)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "slackclone.sqlite3",  # type: ignore[typeddict-item]  # Django takes a Path; the stubs want str
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A PostgreSQL streaming replica for the heavy reads (history, threads, unread counts, search), with
# read-your-writes and a fallback to the primary when it is down or lagging: slackclone/db_router.py.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_URL and DATABASE_REPLICA_URL:
    DATABASES["replica"] = parse_database_url(
        "DATABASE_REPLICA_URL", DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"].setdefault("OPTIONS", {}).update(connect_timeout=2, **POSTGRES_OPTIONS)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["slackclone.db_router.PrimaryRouter"]
READ_YOUR_WRITES_SECONDS = env_int("READ_YOUR_WRITES_SECONDS", 10)
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5)
REPLICA_CHECK_SECONDS = 1.0
# A replica that answers as a primary (not in recovery) is taken for one that a failover promoted: reads go to the
# primary and the replica connections are reopened. Off only for a replica that is a primary of its own (a logical
# replication subscriber), or the one-server stand-in of slackclone/tests/test_db_router.py.
REPLICA_MUST_BE_STANDBY = env_bool("REPLICA_MUST_BE_STANDBY", True)

# --- Cache, channel layer, Celery -------------------------------------------------

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "slackclone.redis_cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sc",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.layer.BatchedRedisChannelLayer",
            # redis-py's socket timeout (5 s by default) must outlast channels-redis's 5 s blocking read,
            # or an idle receive fails with "Timeout reading".
            "CONFIG": {
                "hosts": [
                    {"address": url, "socket_timeout": 30} for url in env_list("CHANNEL_LAYER_URLS", [REDIS_URL])
                ],
                "prefix": "sc:layer",
                "capacity": 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # One process: the local-memory cache is shared by everything that rate-limits.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

RATELIMIT_USE_CACHE = "default"

# Queues, routes and the beat schedule are in slackclone/celery.py. Every task is idempotent, so
# the reliable settings below may run a task twice (a worker that dies mid-task) but never lose it.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # acknowledged when done, so a task a dead worker held is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed pool process puts its task back on the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds one task beyond those it runs: no hoarding
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # they are redelivered; don't run them twice
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery closes every database connection before and after each task unless this is set; a new PostgreSQL
# backend per task cost the primary more CPU than the task's own queries (docs/performance.md, API: a
# connection pool under ASGI). Workers keep their connections instead, checked around each task exactly as a
# request checks them (slackclone/celery.py), and Celery still recycles them every this many tasks.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "UTC"
# A task taken but not acknowledged within this many seconds (its worker died) goes back to the
# queue. It must exceed the longest task and the longest countdown (NOTIFY_EMAIL_DELAY_SECONDS).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for tasks a dead worker left unacknowledged.
    "unacked_restore_interval": max(1, min(60, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
}
# The outbox (outbox/): a job due within OUTBOX_FAST_PATH_SECONDS is handed to Celery by the process that
# committed it; the relay hands it over OUTBOX_FAST_PATH_GRACE_SECONDS after it was due if it is not done by
# then (the broker was down), and again after each lease (OUTBOX_LEASE_SECONDS, doubling) while it is not done.
OUTBOX_FAST_PATH_SECONDS = env_int("OUTBOX_FAST_PATH_SECONDS", 60)
OUTBOX_FAST_PATH_GRACE_SECONDS = env_int("OUTBOX_FAST_PATH_GRACE_SECONDS", 20)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 60)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 12)
OUTBOX_RELAY_RETRY_SECONDS = env_int("OUTBOX_RELAY_RETRY_SECONDS", 5)
OUTBOX_KEEP_DONE_HOURS = env_int("OUTBOX_KEEP_DONE_HOURS", 24)
# Missed-message emails wait this long after the first unread mention or DM, then summarise
# everything still unread (nothing if it was all read meanwhile).
NOTIFY_EMAIL_DELAY_SECONDS = env_int("NOTIFY_EMAIL_DELAY_SECONDS", 120)
# Account events of the audit log (signing in and out, passwords; no workspace) are deleted after this many
# days; 0 keeps them. Each workspace's own events follow its owners' setting (Workspace.audit_retention_days).
AUDIT_ACCOUNT_RETENTION_DAYS = env_int("AUDIT_ACCOUNT_RETENTION_DAYS", 0)
# The address people reach the site at, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Auth -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# Local passwords first: a correct one never reaches a directory. Then workspaces' LDAP / Active Directory
# servers (directory.backends; docs/identity.md).
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend", "directory.backends.DirectoryBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-allauth (identity/): the login stages, single sign-on, two-factor and the sessions list.
# Sign-up, email verification and passwords stay on Slackclone's own pages (identity.adapters).
ACCOUNT_ADAPTER = "identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "identity.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# A provider's account is linked by its subject, never by an email address alone.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"
# SAML: allauth's views with our provider class, which enforces signed assertions, audience and replay rules.
SOCIALACCOUNT_PROVIDERS = {"saml": {"provider_class": "identity.saml.provider.WorkspaceSAMLProvider"}}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Slackclone"
# identity.middleware refreshes a session's "last seen" at most this often (seconds), not on every request.
USERSESSIONS_TRACK_ACTIVITY = False
SESSION_SEEN_INTERVAL = env_int("SESSION_SEEN_INTERVAL", 300)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security ---------------------------------------------------------------------
# HTTPS=1 behind TLS turns on the transport-only protections; plain local HTTP
# (the embedded default, the loopback cluster) cannot use them.

HTTPS = env_bool("HTTPS", default=False)
# The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: comma-separated addresses or
# networks, none by default. The ASGI server applies them (the Procfile, the cluster and the README pass this
# same variable to Uvicorn's --forwarded-allow-ips): a request from anyone else keeps its own address, which the
# per-address rate limits count, and its own scheme. Behind a TLS proxy with HTTPS=1, list the proxy here, or
# every request looks like plain HTTP and is redirected.
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", [])


# Requests the server makes to URLs people typed (apps' request URLs) never reach loopback, private,
# link-local or metadata addresses, except in these networks (slackclone.outgoing).
OUTGOING_ALLOWED_NETWORKS = env_networks("OUTGOING_ALLOWED_NETWORKS")
# A CA bundle for those requests' TLS instead of the system's (for a private CA).
OUTGOING_CA_BUNDLE = os.environ.get("OUTGOING_CA_BUNDLE", "")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Not Django's SECURE_PROXY_SSL_HEADER, which believes X-Forwarded-Proto from anyone: the request's scheme is the
# ASGI scope's, which the server takes from X-Forwarded-Proto only when a FORWARDED_ALLOW_IPS proxy sent it.
SECURE_PROXY_SSL_HEADER = None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation, static and media files --------------------------------

# The interface speaks the person's chosen language (User.language), else the browser's (Accept-Language),
# else English; a text missing from a catalog is shown in English (slackclone/i18n.py, locale/).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "slackclone.storage.StaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_BYTES = env_int("FILE_UPLOAD_MAX_BYTES", 25 * 1024 * 1024)
# The largest request body of any route that takes no file, checked by the ASGI handler before the body is
# read (chunked bodies included); upload routes take their file's limit plus the multipart framing. Reasons
# and the routes: slackclone/request_limits.py. Django's own in-memory limit for form and JSON bodies agrees.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 4 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
# SCIM requests (/scim/v2/) are one person or group each (bulk is not offered): 1 MiB is far above the largest
# group push of 1,000 members, and a larger body is refused before it is read, in SCIM's error shape.
SCIM_REQUEST_BODY_MAX_BYTES = env_int("SCIM_REQUEST_BODY_MAX_BYTES", 1024 * 1024)

# SCIM 2.0 provisioning (the scim app) through django-scim2: our adapters, filters and authentication.
SCIM_SERVICE_PROVIDER = {
    "USER_MODEL_GETTER": "scim.schemas.get_member_model",
    "USER_ADAPTER": "scim.adapters.UserAdapter",
    "GROUP_MODEL": "workspaces.models.UserGroup",
    "GROUP_ADAPTER": "scim.adapters.GroupAdapter",
    "USER_FILTER_PARSER": "scim.filters.UserFilter",
    "GROUP_FILTER_PARSER": "scim.filters.GroupFilter",
    "SERVICE_PROVIDER_CONFIG_MODEL": "scim.schemas.ServiceProviderConfig",
    "BASE_LOCATION_GETTER": "scim.schemas.base_location",
    "GET_EXTRA_MODEL_FILTER_KWARGS_GETTER": "scim.adapters.extra_filter_kwargs_getter",
    "GET_IS_AUTHENTICATED_PREDICATE": "scim.adapters.is_authenticated",
    "AUTH_CHECK_MIDDLEWARE": "scim.auth.ScimAuthMiddleware",
    "SCHEMAS_GETTER": "scim.schemas.schemas",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A workspace's SCIM token, made by its owners at /<workspace>/admin/scim/.",
            "primary": True,
        }
    ],
}

# --- Email ------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Slackclone <noreply@localhost>")

# --- Web Push ---------------------------------------------------------------------

# The VAPID key pair that signs pushes (RFC 8292): the private key as base64url (its 32 raw bytes, or DER), from
# the environment, else from WEBPUSH_VAPID_KEY_FILE (`make run` writes one under var/ with
# `manage.py generate_vapid_keys --write`). Without one, desktop push is off and the client offers none.
WEBPUSH_VAPID_KEY_FILE = Path(os.environ.get("WEBPUSH_VAPID_KEY_FILE", VAR_DIR / "webpush-vapid.key"))
WEBPUSH_VAPID_PRIVATE_KEY = os.environ.get("WEBPUSH_VAPID_PRIVATE_KEY", "").strip()
if not WEBPUSH_VAPID_PRIVATE_KEY and WEBPUSH_VAPID_KEY_FILE.is_file():
    WEBPUSH_VAPID_PRIVATE_KEY = WEBPUSH_VAPID_KEY_FILE.read_text().strip()
# Who push services write to about this server's pushes (the VAPID `sub` claim): a mailto: or https: URL.
WEBPUSH_VAPID_SUBJECT = os.environ.get("WEBPUSH_VAPID_SUBJECT", "mailto:admin@localhost")
# How long a push service keeps a push for a device that is offline, in seconds.
WEBPUSH_TTL_SECONDS = env_int("WEBPUSH_TTL_SECONDS", 3600)
# How long after a message its push waits, so that reading it on a device already open stops the push.
WEBPUSH_DELAY_SECONDS = env_int("WEBPUSH_DELAY_SECONDS", 5)
# Each person's subscriptions (devices) at most; a new one beyond replaces their oldest.
WEBPUSH_MAX_SUBSCRIPTIONS = env_int("WEBPUSH_MAX_SUBSCRIPTIONS", 20)

# --- Product limits ---------------------------------------------------------------

# The server fetches previews of links in messages (chat.unfurls.previews); each workspace may also turn them off.
LINK_PREVIEWS = env_bool("LINK_PREVIEWS", True)
MESSAGE_MAX_CHARS = 40_000
# Longer request paths are answered 414 before URL resolution (ours are under 100 characters; nginx's default
# request-line buffer is 8 KiB). Django's admin has a pattern that backtracks in the square of the path's length.
REQUEST_PATH_MAX_CHARS = env_int("REQUEST_PATH_MAX_CHARS", 2048)
# JSON from outside (REST, the Web API, webhooks, socket frames, Slack exports) nested deeper than this is refused
# as invalid_json before it is parsed (slackclone/jsonlimits.py). Slack's Block Kit nests about ten levels.
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 64)
INVITATION_DEFAULT_DAYS = 14
# A link that proves an email address works this long, once.
EMAIL_VERIFICATION_MAX_AGE_SECONDS = env_int("EMAIL_VERIFICATION_MAX_AGE_SECONDS", 3 * 24 * 3600)
# Sign-up and verification mail to one address, whoever asks for it: a form cannot be used to flood a mailbox.
ACCOUNT_EMAILS_PER_ADDRESS_RATE = os.environ.get("ACCOUNT_EMAILS_PER_ADDRESS_RATE", "5/h")

# import_slack_export reads the zip's entries as streams and stops as soon as one of these is passed,
# whatever the zip's headers say: the uncompressed size of one entry and of all the entries it reads,
# the number of entries, and how many times its compressed size an entry may grow (deflate shrinks
# zeros about a thousand times; export JSON, even very repetitive, far less).
IMPORT_ENTRY_MAX_BYTES = env_int("IMPORT_ENTRY_MAX_BYTES", 64 * 1024 * 1024)
IMPORT_TOTAL_MAX_BYTES = env_int("IMPORT_TOTAL_MAX_BYTES", 10 * 1024 * 1024 * 1024)
IMPORT_MAX_ENTRIES = env_int("IMPORT_MAX_ENTRIES", 1_000_000)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 200)

# Real-time sockets, counted across every ASGI process (realtime/limits.py); 0 turns a limit off.
# At most this many open at once per person (browser tabs, apps and bots together) and per API token.
SOCKETS_PER_USER_MAX = env_int("SOCKETS_PER_USER_MAX", 50)
SOCKETS_PER_TOKEN_MAX = env_int("SOCKETS_PER_TOKEN_MAX", 50)
# New sockets per person per minute (a bucket this big, refilled evenly over the minute). A restart of
# the processes one after another can move each of a person's sockets twice within a minute: twice the
# per-person limit, and some room, so reconnecting tabs never meet it.
SOCKET_CONNECTS_PER_MINUTE = env_int("SOCKET_CONNECTS_PER_MINUTE", 120)
# Typing indicators go only to channels of at most this many members (DMs and group DMs always): in a
# larger channel "someone is typing" tells a reader little and costs a frame on every member's socket.
# Zulip's MAX_STREAM_SIZE_FOR_TYPING_NOTIFICATIONS is the same rule, at the same 100.
TYPING_MAX_CHANNEL_MEMBERS = env_int("TYPING_MAX_CHANNEL_MEMBERS", 100, minimum=2)
# Reactions in a channel of more than this many members go live only to the sockets that have it in view
# (the `view` frame) and to sockets that never said what they view (bots, RTM clients); a browser reads
# the others' reactions with the channel's newest page when it opens it. In an all-hands channel a
# reaction is otherwise a frame on every member's socket, most of them showing another channel.
LIVE_REACTIONS_MAX_CHANNEL_MEMBERS = env_int("LIVE_REACTIONS_MAX_CHANNEL_MEMBERS", 100, minimum=2)
# Presence changes are gathered and sent to each workspace this often (seconds; 0: at every tick of the
# gateway, about once a second). Each batch goes to every socket of the workspace, so its interval sets
# presence's cost in a large one; a dot a few seconds late is not noticed (Zulip's clients ask once a minute).
PRESENCE_BATCH_SECONDS = env_int("PRESENCE_BATCH_SECONDS", 5, minimum=0)

# --- REST API (/api/v1/) ----------------------------------------------------------
# Session (browser, with CSRF) or `Authorization: Bearer <token>`; one error shape from
# slackclone.api.exceptions; rate limits are django-ratelimit counters in the default cache.

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "slackclone.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "slackclone.api.exceptions.api_exception_handler",
}
# Per user on every write; per client address on login, sign-up and token creation.
API_WRITE_RATE = os.environ.get("API_WRITE_RATE", "300/m")
API_AUTH_RATE = os.environ.get("API_AUTH_RATE", "10/m")
# Failed sign-ins per account, from any address: slows a distributed guess at one password to a crawl,
# while a person locked out by someone else's guesses waits at most the window.
AUTH_FAILURES_PER_ACCOUNT_RATE = os.environ.get("AUTH_FAILURES_PER_ACCOUNT_RATE", "20/h")
WEBHOOK_RATE = os.environ.get("WEBHOOK_RATE", "60/m")  # posts per incoming webhook

SPECTACULAR_SETTINGS = {
    "TITLE": "Slackclone REST API",
    "DESCRIPTION": (
        "Workspaces, channels, DMs, messages, threads, reactions, pins, files and search. "
        "Authenticate with a session (browser, CSRF token on writes) or `Authorization: Bearer <token>`. "
        'Every error is `{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "slackclone.api.schema.document_unsupported_media_type",
    ],
    # Two choice sets share the field name `type`: name each.
    "ENUM_NAME_OVERRIDES": {
        "ShortcutTypeEnum": ["global", "message"],
        "InteractionContainerTypeEnum": ["message", "view"],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Metrics ----------------------------------------------------------------------
# Prometheus metrics (slackclone/metrics/, docs/operations.md). An ASGI process answers GET /metrics on its own
# port to the loopback, to these networks, or to a request bearing METRICS_TOKEN; anyone else gets a 404.
METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128", *env_networks("METRICS_ALLOWED_NETWORKS")]
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# A Celery worker or beat serves its metrics over HTTP on this port (0: none); a prefork worker also needs
# PROMETHEUS_MULTIPROC_DIR, a directory of its own, to add up its pool processes.
METRICS_PORT = env_int("METRICS_PORT", 0)
# Whether this process's /metrics also reads the database (outbox backlogs, replica lag). Beat always does;
# one process of a kind is enough, or every ASGI process would run the same queries on every scrape.
METRICS_DATABASE_COLLECTORS = env_bool("METRICS_DATABASE_COLLECTORS", False)
# Each outbox's backlog, as (rows owed, age of the oldest in seconds), from a selector of the app that owns it.
# A selector whose app is not installed is skipped.
METRICS_BACKLOG_SELECTORS = {
    "outbox": "outbox.selectors.outbox_backlog",
    "app_events": "slack_apps.selectors.app_event_backlog",
}
METRICS_FAILED_SELECTORS = {"outbox": "outbox.selectors.outbox_failed_count"}
# How long a replica-lag reading is reused, and how long the replica may take to answer.
METRICS_REPLICA_LAG_CACHE_SECONDS = 5.0
METRICS_REPLICA_LAG_TIMEOUT_MS = 500

# --- Logging ----------------------------------------------------------------------

# Every line goes through one handler whose filter redacts secrets (API tokens, ?token= and ?ticket=, and the
# tokens in invitation, password-reset, unsubscribe, upload and webhook URLs: slackclone/log_redaction.py).
# Django's own loggers lose Django's default handlers and reach it through the root, and so do Uvicorn's: its
# access log and errors are set up by Uvicorn before Django starts and rerouted here when it does (their levels
# stay Uvicorn's --log-level). Celery's handlers and Daphne's access log get the same redaction on their side.
# LOG_FORMAT=json writes one JSON object per line instead (slackclone/logs.py), with the request id on each, and
# adds one line per HTTP request (slackclone.requests) and per Celery task (slackclone.tasks).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
# X-Request-ID is believed only from a reverse proxy that sets it on every request (the cluster's nginx does):
# by default when FORWARDED_ALLOW_IPS names one. Otherwise each request gets an id of its own.
REQUEST_ID_FROM_PROXY = env_bool("REQUEST_ID_FROM_PROXY", bool(FORWARDED_ALLOW_IPS))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "slackclone.log_redaction.RedactSecrets"},
        "request_id": {"()": "slackclone.logs.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "slackclone.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["redact_secrets", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "uvicorn": {"handlers": [], "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": True},
        "uvicorn.error": {"handlers": [], "propagate": True},
        # The per-request and per-task lines of LOG_FORMAT=json, whatever LOG_LEVEL says of the rest.
        "slackclone.requests": {"level": "INFO"},
        "slackclone.tasks": {"level": "INFO"},
    },
}
