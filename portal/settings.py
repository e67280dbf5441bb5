"""Crossdock settings: every value comes from the environment, with a safe, documented default.

The defaults describe the embedded deployment (SQLite, local files, a file-system Celery
broker, the simulators on loopback). Production sets DATABASE_URL, REDIS_URL and the S3
variables; nothing in the code branches on which deployment it is.
"""

from datetime import time
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CROSSDOCK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("DJANGO_REQUIRE_SECRET", False):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
    # Only the embedded deployment may run on this key; production sets DJANGO_REQUIRE_SECRET.
    SECRET_KEY = "crossdock-insecure-embedded-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("CROSSDOCK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "apps.core",
    "apps.accounts",
    "apps.partners",
    "apps.workspace",
    "apps.orders",
    "apps.exceptions",
    "apps.fulfillment",
    "apps.milestones",
    "apps.claims",
    "apps.documents",
    "apps.launches",
    "apps.allocations",
    "apps.conversations",
    "apps.sync",
    "apps.sfcc",
    "apps.tradinggrid",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.partners.mfa.RequireMfaMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "apps.core.middleware.LoginRequiredMiddleware",
    "apps.core.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "apps.core.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'crossdock.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker write the same file: WAL lets readers run beside a writer, IMMEDIATE
    # takes the write lock at BEGIN (so a read-then-write never fails on upgrade) and the
    # timeout makes the second writer wait instead of raising "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Services own their transactions (atomic, locked, short); a request-wide transaction would
# also make every SQLite page view take the write lock.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache --------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL.startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "crossdock"),
        }
    }
else:
    # A file cache is shared by the web, worker and beat processes of the embedded deployment.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_URL or str(VAR_DIR / "cache"),
        }
    }

# --- Auth and accounts --------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "apps.accounts.adapter.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
# allauth's defaults throttle failed logins, resets and confirmations; keep them on.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Crossdock"
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7)
# Trade documents: how many days before a certificate expires its renewal is requested.
DOCUMENTS_RENEWAL_DAYS = env_int("DOCUMENTS_RENEWAL_DAYS", 30)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: files leave only through an authorising view

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "us-east-1"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "location": env_str("AWS_LOCATION", "media"),
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_BYTES = env_int("FILE_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
# Uploads stream to disk past this size, so a large upload never sits in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Workspace ----------------------------------------------------------------------------
# The retailer's own working hours: the SLA clock counts these while a case waits on us.
RETAILER_TIME_ZONE = env_str("RETAILER_TIME_ZONE", "America/New_York")
RETAILER_BUSINESS_WEEKDAYS = [int(d) for d in env_list("RETAILER_BUSINESS_WEEKDAYS", ["0", "1", "2", "3", "4"])]
RETAILER_BUSINESS_START = time.fromisoformat(env_str("RETAILER_BUSINESS_START", "08:00"))
RETAILER_BUSINESS_END = time.fromisoformat(env_str("RETAILER_BUSINESS_END", "18:00"))
INBOX_PAGE_SIZE = env_int("INBOX_PAGE_SIZE", 50)

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Crossdock <crossdock@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
# Secure cookies unless DEBUG (a plain-HTTP deployment must say DJANGO_SECURE_COOKIES=0).
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A working day, not two weeks (an idle timeout that slides would write the session on every
# request; not done yet).
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDS", 8 * 60 * 60)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"  # the PDF preview view alone allows same-origin framing
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Crossdock API",
    "DESCRIPTION": "The partner collaboration API: cases, messages, files and transitions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: no CDN, and the split view keeps scripts out of line.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Trading Grid ---------------------------------------------------------------------------
# The retailer's mailbox on the network; the defaults point at the simulator of `make run`.
TRADINGGRID_ENABLED = env_bool("TRADINGGRID_ENABLED", True)
TRADINGGRID_TRANSPORT_URL = env_str("TRADINGGRID_TRANSPORT_URL", "sftp://crossdock@127.0.0.1:8722/")
TRADINGGRID_PASSWORD = env_str("TRADINGGRID_PASSWORD")
TRADINGGRID_PRIVATE_KEY_PATH = env_str("TRADINGGRID_PRIVATE_KEY_PATH")
TRADINGGRID_KNOWN_HOSTS_PATH = env_str(
    "TRADINGGRID_KNOWN_HOSTS_PATH", str(VAR_DIR / "tradinggrid" / "known_hosts")
)
TRADINGGRID_QUALIFIER = env_str("TRADINGGRID_QUALIFIER", "ZZ")
TRADINGGRID_ID = env_str("TRADINGGRID_ID", "CROSSDOCK")
TRADINGGRID_POLL_SECONDS = env_int("TRADINGGRID_POLL_SECONDS", 10)
TRADINGGRID_ACK_DEADLINE_MINUTES = env_int("TRADINGGRID_ACK_DEADLINE_MINUTES", 60)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = Path(env_str("CELERY_BROKER_DIR", str(VAR_DIR / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # The default polls once a second, which caps a worker near one task a second.
        "polling_interval": 0.05,
    }
    # kombu's file-system transport expects its folders to exist.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Longer than any task's hard time limit, so a slow task is never handed out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "workspace-sweep-sla": {"task": "apps.workspace.tasks.sweep_sla", "schedule": 60.0},
    "workspace-daily-digest": {
        "task": "apps.workspace.tasks.send_daily_digests",
        "schedule": crontab(hour=env_int("DIGEST_HOUR_UTC", 7), minute=0),
    },
    "accounts-expire-invitations": {
        "task": "apps.partners.tasks.expire_invitations",
        "schedule": crontab(minute=0),
    },
    "core-purge-idempotency-records": {
        "task": "apps.core.tasks.purge_idempotency_records",
        "schedule": crontab(minute=17),
    },
    # Sweeps expire when no worker takes them in time, so a stopped worker does not come
    # back to a queue of stale sweeps. Commits queue outbox drains themselves; this one is
    # the safety net, and the clock for retries.
    "sync-sweep-outbox": {
        "task": "apps.sync.tasks.deliver_outbox",
        "schedule": 10.0,
        "options": {"expires": 10},
    },
    "sync-sweep-inbox": {
        "task": "apps.sync.tasks.sweep_inbox",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    "sync-purge-outbox": {
        "task": "apps.sync.tasks.purge_outbox",
        "schedule": crontab(hour=3, minute=41),
    },
    "tradinggrid-poll-inbound": {
        "task": "apps.tradinggrid.tasks.poll_inbound",
        "schedule": float(TRADINGGRID_POLL_SECONDS),
        "options": {"expires": TRADINGGRID_POLL_SECONDS},
    },
    "fulfillment-check-dispatch-deadlines": {
        "task": "apps.fulfillment.tasks.check_dispatch_deadlines",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    # Trade documents: renewal asked DOCUMENTS_RENEWAL_DAYS before a certificate expires.
    "documents-sweep-renewals": {
        "task": "apps.documents.tasks.sweep_renewals",
        "schedule": crontab(minute=23),
    },
    "tradinggrid-check-ack-deadlines": {
        "task": "apps.tradinggrid.tasks.check_ack_deadlines",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
}

# --- Sync (outbox and inbox; defaults in apps/sync/conf.py) ---------------------------------
SYNC_MAX_ATTEMPTS = env_int("SYNC_MAX_ATTEMPTS", 12)
SYNC_BACKOFF_BASE_SECONDS = env_int("SYNC_BACKOFF_BASE_SECONDS", 2)
SYNC_BACKOFF_MAX_SECONDS = env_int("SYNC_BACKOFF_MAX_SECONDS", 600)
SYNC_LEASE_SECONDS = env_int("SYNC_LEASE_SECONDS", 120)
SYNC_DELIVERY_BATCH = env_int("SYNC_DELIVERY_BATCH", 50)
SYNC_SWEEP_BATCH = env_int("SYNC_SWEEP_BATCH", 200)
SYNC_OUTBOX_RETENTION_DAYS = env_int("SYNC_OUTBOX_RETENTION_DAYS", 30)

# --- SFCC ---------------------------------------------------------------------------------
# Defaults point at the SFCC simulator on loopback (see docs/sfcc-integration.md).
SFCC_ENABLED = env_bool("SFCC_ENABLED", True)
SFCC_BASE_URL = env_str("SFCC_BASE_URL", "http://127.0.0.1:8701").rstrip("/")
SFCC_AUTH_URL = env_str("SFCC_AUTH_URL", f"{SFCC_BASE_URL}/dwsso/oauth2/access_token")
SFCC_OCAPI_BASE_URL = env_str("SFCC_OCAPI_BASE_URL", SFCC_BASE_URL)
SFCC_CLIENT_ID = env_str("SFCC_CLIENT_ID", "crossdock-sim-client")
SFCC_CLIENT_SECRET = env_str("SFCC_CLIENT_SECRET", "crossdock-sim-secret")  # the simulator's
SFCC_TENANT = env_str("SFCC_TENANT", "zzxy_prd")
SFCC_ORGANIZATION_ID = env_str("SFCC_ORGANIZATION_ID", f"f_ecom_{SFCC_TENANT}")
SFCC_SITE_ID = env_str("SFCC_SITE_ID", "RefArch")
SFCC_PUSH_SECRET = env_str("SFCC_PUSH_SECRET")  # empty: pushes are refused
SFCC_POLL_SECONDS = env_int("SFCC_POLL_SECONDS", 30)
SFCC_POLL_LOOKBACK_HOURS = env_int("SFCC_POLL_LOOKBACK_HOURS", 24)
SFCC_INVENTORY_LIST_ID = env_str("SFCC_INVENTORY_LIST_ID", "inventory_m")  # OCAPI inventory list read for plans
SFCC_WRITE_ALLOCATIONS = env_bool("SFCC_WRITE_ALLOCATIONS", True)  # c_ attributes on products
CELERY_BEAT_SCHEDULE["sfcc-poll-orders"] = {
    "task": "apps.sfcc.tasks.poll_orders",
    "schedule": float(SFCC_POLL_SECONDS),
    "options": {"expires": SFCC_POLL_SECONDS},
}
CELERY_BEAT_SCHEDULE["sfcc-sync-campaigns"] = {
    "task": "apps.sfcc.tasks.sync_campaigns",
    "schedule": float(env_int("SFCC_CAMPAIGN_SYNC_SECONDS", 300)),
    "options": {"expires": 300},
}
CELERY_BEAT_SCHEDULE["launches-send-reminders"] = {
    "task": "apps.launches.tasks.send_launch_reminders",
    "schedule": crontab(minute=5),
}

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pydifact": {"level": "WARNING"},  # it logs every parse at INFO
        # One line per request; every outbound call is already recorded as a delivery attempt.
        "httpx": {"level": "WARNING"},
    },
}
