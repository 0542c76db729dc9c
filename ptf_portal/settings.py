"""Settings for the PTF coordination portal.

Every deploy-time value comes from the environment (see README, "Configuration").
Development defaults need nothing: SQLite and mail files under var/, Celery eager.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from core.version import VERSION as PORTAL_RELEASE
from ptf_portal.env import (
    env_admins,
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_float,
    env_int,
    env_list,
    env_secret_key,
    env_str,
    env_timezone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
# With DEBUG off: refused when missing, the published example, shorter than 50 characters or nearly uniform.
SECRET_KEY = env_secret_key("SECRET_KEY", DEBUG, "dev-only-insecure-key-do-not-use-in-production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public base URL used in e-mails (RSVP links, calendar feeds), where no request exists.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "ptf_portal",
    "instances",
    "membership",
    "meetings",
    "secretariat",
    "secretariat.inbound",
    "search",
    "procedures",
]

MIDDLEWARE = [
    "ptf_portal.request_log.RequestLogMiddleware",  # first: it times all the rest
    "django.middleware.security.SecurityMiddleware",
    "ptf_portal.middleware.SecurityLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ptf_portal.middleware.NoStoreMiddleware",  # below WhiteNoise: static files stay cacheable
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ptf_portal.middleware.SessionTimeoutMiddleware",
    "ptf_portal.middleware.SecondFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ptf_portal.urls"
WSGI_APPLICATION = "ptf_portal.wsgi.application"

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
                "ptf_portal.context_processors.portal",
            ],
            "builtins": ["core.templatetags.french"],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ptf.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer rather than failing at once (worker + web on one file).
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a worker sending hundreds of invitations should not reconnect for each task.
# A `?conn_max_age=` in DATABASE_URL wins over DB_CONN_MAX_AGE.
DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("DB_CONN_MAX_AGE", 60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the account and its roles in one query (membership.roles).
    "membership.accounts.backends.PortalModelBackend",
    # The login of a person of the directory is their e-mail address, in any case.
    "membership.accounts.backends.EmailBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users never get object permissions

# Sessions: absolute lifetime (cookie age) and idle timeout (SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Cache: a Redis cache shared by every process when CACHE_URL is set; sessions are then read from it and
# written through to the database (a session is keyed by its own secret key, so no user reads another's).
# Without it each process keeps a small memory cache and sessions are read from the database.
CACHE_URL = env_url("CACHE_URL", {"redis", "rediss"})
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": "ptf", "TIMEOUT": 300}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


# The reverse proxies in front of the application (docker-compose: nginx, 1). Only then are X-Forwarded-For
# (the client's address, for the lockout and the logs) and X-Forwarded-Proto (HTTPS) believed; with 0 a client
# could write them itself.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# django-axes: a lockout keys on the username *and* the real client address, so failures from one place never
# lock the account out everywhere; a higher limit per address stops password spraying across accounts. The
# lockout expires, and failures during it do not extend it.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "ptf_portal.lockout.PortalAxesHandler"
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ptf_portal.security_log.lockout_response"
# Failures count per login whatever its case (the e-mail login is case-insensitive).
AXES_USERNAME_CALLABLE = "membership.accounts.backends.axes_username"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Per-login slow-down (membership/accounts/slowdown.py): after LOGIN_SLOWDOWN_FREE_FAILURES failures of one login
# within LOGIN_SLOWDOWN_WINDOW seconds, from any addresses, each next attempt waits 2, 4, 8… seconds (at most
# LOGIN_SLOWDOWN_MAX_DELAY) before it is checked. A browser that signed in to that login before is not slowed.
LOGIN_SLOWDOWN_FREE_FAILURES = env_int("LOGIN_SLOWDOWN_FREE_FAILURES", 10)
LOGIN_SLOWDOWN_WINDOW = env_int("LOGIN_SLOWDOWN_WINDOW", 24 * 3600)
LOGIN_SLOWDOWN_MAX_DELAY = env_int("LOGIN_SLOWDOWN_MAX_DELAY", 300)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_timezone("TIME_ZONE", "Africa/Bamako")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# No MEDIA_URL is routed: documents are served by a view that checks permission.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Request bodies: form fields (everything but files) at most this many bytes, or 400; uploaded files above
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, not to memory. The proxy refuses larger bodies first.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# E-mail: files under var/mail/ in development; SMTP when EMAIL_URL-like settings are given.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_email("DEFAULT_FROM_EMAIL", "seg@ptf-mali.example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who receives server-error reports by e-mail (mail_admins); the 500 page says the secretariat was notified only
# when this is set.
ADMINS = env_admins("ADMINS")
# The secretariat's real mailbox: ORGANIZER of calendar invitations, recipient of digests.
SECRETARIAT_EMAIL = env_email("SECRETARIAT_EMAIL", DEFAULT_FROM_EMAIL)
# The right-hand side of invitation Message-IDs (secretariat/message_ids.py); empty: SITE_URL's host.
MESSAGE_ID_DOMAIN = env_str("MESSAGE_ID_DOMAIN", "")

# Celery. Without a broker, tasks run eagerly in-process (development, first run).
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", {"redis", "rediss", "memory"})
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
# The longest countdown a task may be given, in seconds. Invitations use none (the outbox's requeue owns
# retries), so Redis's visibility timeout only has to outlast the longest task.
CELERY_LONGEST_COUNTDOWN = 3600
# Redis hands an unacknowledged message to another worker after this long: it must exceed the longest
# task (a batch of invitations is bounded by INVITATION_BATCH_TIME_LIMIT).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600)
# Publishing from a web request gives up after this long (a frozen broker accepts TCP and never answers).
CELERY_PUBLISH_TIMEOUT = env_float("CELERY_PUBLISH_TIMEOUT", 0.5)

# The invitation outbox (secretariat/outbox.py; README, "Background work").
INVITATION_BATCH_SIZE = env_int("INVITATION_BATCH_SIZE", 50)
INVITATION_BATCH_TIME_LIMIT = env_int("INVITATION_BATCH_TIME_LIMIT", 3600)
INVITATION_MAX_ATTEMPTS = env_int("INVITATION_MAX_ATTEMPTS", 5)
INVITATION_BACKOFF_SECONDS = env_float("INVITATION_BACKOFF_SECONDS", 60)
INVITATION_BACKOFF_MAX_SECONDS = env_float("INVITATION_BACKOFF_MAX_SECONDS", 3600)
INVITATION_SENDING_TIMEOUT = env_float("INVITATION_SENDING_TIMEOUT", 120)
INVITATION_REQUEUE_INTERVAL = env_float("INVITATION_REQUEUE_INTERVAL", 60)
INVITATION_REQUEUE_AFTER = env_float("INVITATION_REQUEUE_AFTER", 600)
EMAIL_CONNECT_TIMEOUT = env_float("EMAIL_CONNECT_TIMEOUT", 60)
EMAIL_COMMAND_TIMEOUT = env_float("EMAIL_COMMAND_TIMEOUT", 600)
SMTP_BREAKER_THRESHOLD = env_int("SMTP_BREAKER_THRESHOLD", 3)
SMTP_BREAKER_OPEN_SECONDS = env_float("SMTP_BREAKER_OPEN_SECONDS", 30)
SMTP_BREAKER_MAX_OPEN_SECONDS = env_float("SMTP_BREAKER_MAX_OPEN_SECONDS", 900)
RSVP_LINK_MAX_AGE_DAYS = env_int("RSVP_LINK_MAX_AGE_DAYS", 90)
# The dashboard flags a partner absent from this many consecutive held meetings of a body.
ASSIDUITY_ABSENT_ALERT = env_int("ASSIDUITY_ABSENT_ALERT", 3)

# The secretariat's mailbox, read back over IMAP (calendar replies, bounces, automatic replies).
# No host: the feature is off (process_mailbox --file still works).
INBOUND_IMAP_HOST = env_str("INBOUND_IMAP_HOST", "")
INBOUND_IMAP_SSL = env_bool("INBOUND_IMAP_SSL", True)
INBOUND_IMAP_PORT = env_int("INBOUND_IMAP_PORT", 993 if INBOUND_IMAP_SSL else 143)
INBOUND_IMAP_USER = env_str("INBOUND_IMAP_USER", "")
INBOUND_IMAP_PASSWORD = env_str("INBOUND_IMAP_PASSWORD", "")
INBOUND_IMAP_FOLDER = env_str("INBOUND_IMAP_FOLDER", "INBOX")
INBOUND_IMAP_DONE_FOLDER = env_str("INBOUND_IMAP_DONE_FOLDER", "Traités")
INBOUND_IMAP_TIMEOUT = env_int("INBOUND_IMAP_TIMEOUT", 30)
INBOUND_POLL_SECONDS = env_int("INBOUND_POLL_SECONDS", 300)
# Who may change an answer by mail: a calendar reply counts only when authenticated as its invitee's (a DKIM
# signature aligned with its From that the portal verifies, or the Authentication-Results header of a server named
# here); otherwise it is held for the secretariat. Off: the From must still be the ATTENDEE, nothing more is checked.
INBOUND_REQUIRE_AUTHENTICATION = env_bool("INBOUND_REQUIRE_AUTHENTICATION", True)
INBOUND_TRUSTED_AUTHSERV_IDS = [value.lower() for value in env_list("INBOUND_TRUSTED_AUTHSERV_IDS", [])]
INBOUND_DKIM_TIMEOUT = env_int("INBOUND_DKIM_TIMEOUT", 5)

# Monitoring (ptf_portal.operations): when a moving part counts as stopped, and who may read /status.
OPS_MAIL_STALL_MINUTES = env_int("OPS_MAIL_STALL_MINUTES", 15)  # an invitation due and not sent for longer
OPS_MAILBOX_STALL_MINUTES = env_int("OPS_MAILBOX_STALL_MINUTES", 60)  # the mailbox not read for longer
OPS_WORKER_SILENCE_SECONDS = env_int("OPS_WORKER_SILENCE_SECONDS", 300)  # the worker's heartbeat runs every 60 s
OPS_BEAT_SILENCE_SECONDS = env_int("OPS_BEAT_SILENCE_SECONDS", 300)
# A bearer token for the operator's monitoring on /status (empty: only signed-in SEG staff and admins).
STATUS_TOKEN = env_str("STATUS_TOKEN", "")

# Backups (manage.py backup / restore, the compose `backup` service): where, and how many are kept.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12)

# Portal accounts (membership.accounts): invitation links, password reset, access after the last mandate.
ACCOUNT_INVITATION_DAYS = env_int("ACCOUNT_INVITATION_DAYS", 3)
ACCOUNT_GRACE_DAYS = env_int("ACCOUNT_GRACE_DAYS", 30)
# Printed meeting documents (secretariat/reports/pdf.py): minutes longer than this many characters, or a document
# whose HTML is longer than this, are refused with a message instead of being rendered.
PDF_MINUTES_MAX_CHARS = env_int("PDF_MINUTES_MAX_CHARS", 100_000)
PDF_MAX_HTML_CHARS = env_int("PDF_MAX_HTML_CHARS", 300_000)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)  # seconds a reset link lasts
# Reset requests accepted per address and per client address (core.client_ip) in PASSWORD_RESET_WINDOW seconds.
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 3)
PASSWORD_RESET_PER_IP = env_int("PASSWORD_RESET_PER_IP", 10)
# Reset e-mails sent to one account in PASSWORD_RESET_WINDOW seconds, whatever address spelling or client asked.
PASSWORD_RESET_PER_ACCOUNT = env_int("PASSWORD_RESET_PER_ACCOUNT", 3)
PASSWORD_RESET_WINDOW = env_int("PASSWORD_RESET_WINDOW", 3600)
# The throttle counters live in the cache (CACHE_URL above: shared by every process when set).

# The directory's import page (membership.directory_io): uploads kept only for the preview's life.
DIRECTORY_IMPORT_DIR = Path(env_str("DIRECTORY_IMPORT_DIR", str(VAR_DIR / "directory-imports")))
DIRECTORY_IMPORT_MAX_BYTES = env_int("DIRECTORY_IMPORT_MAX_BYTES", 5 * 1024 * 1024)  # per file
DIRECTORY_IMPORT_MAX_ROWS = env_int("DIRECTORY_IMPORT_MAX_ROWS", 5000)  # all files together
DIRECTORY_IMPORT_TTL_MINUTES = env_int("DIRECTORY_IMPORT_TTL_MINUTES", 60)

# Security headers. Production values switch on with DEBUG off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload lists are hard to leave: only when the operator opts in (and then submits the domain).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "preload not set": a deliberate choice, see above
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "ptf_portal.views.csrf_failure"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Two-factor: required for secretariat staff and admins (see ptf_portal.middleware).
OTP_TOTP_ISSUER = "PTF Mali"
# TOTP for secretariat staff and admins, in development too: the demo accounts get a device
# from load_demo and `manage.py demo_totp USER` prints their current code.
REQUIRE_2FA_FOR_STAFF = env_bool("REQUIRE_2FA_FOR_STAFF", True)

# `json`: one JSON object per line (python-json-logger), with the request's and task's fields as keys.
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", {"plain", "json"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        # RSVP links, calendar feeds and other capability URLs: the token is the credential, never logged.
        "mask_capabilities": {"()": "ptf_portal.log_filters.MaskCapabilityURLs"},
        # A refusal is logged once, as one line, by ptf.security (SecurityLogMiddleware), without a traceback.
        "drop_denials": {"()": "ptf_portal.log_filters.DropDenials"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["mask_capabilities"]},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["require_debug_false", "mask_capabilities"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Server errors go to ADMINS by e-mail (with DEBUG off), and to the console through the root logger.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.request": {"level": "WARNING", "filters": ["drop_denials"]},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.security": {"level": "INFO"},
        "django.security.csrf": {"level": "INFO", "filters": ["drop_denials"]},
        "ptf.security": {"level": "INFO"},
        # One line per request and per task (ptf_portal.request_log); LOG_REQUESTS=0 leaves them to the proxy.
        "ptf.request": {"level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"},
        "ptf.task": {"level": "INFO"},
        # axes logs every login at INFO; its lockouts (WARNING) are what matters.
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every step of a PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Error reports to Sentry (or a compatible service such as GlitchTip) when SENTRY_DSN is set; off by default.
# No personal data is sent (send_default_pii off): no addresses, cookies or request bodies.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, environment=env_str("SENTRY_ENVIRONMENT", "production"),
                    release=f"ptf-portal@{PORTAL_RELEASE}", traces_sample_rate=0.0)

# Written procedures (procedures app): approval-mode reminders this many hours before the deadline; the beat
# closes procedures whose deadline has passed every PROCEDURE_CLOSE_INTERVAL seconds (answers close at the
# deadline to the second whatever the interval).
PROCEDURE_REMINDER_HOURS = env_int("PROCEDURE_REMINDER_HOURS", 48)
PROCEDURE_CLOSE_INTERVAL = env_int("PROCEDURE_CLOSE_INTERVAL", 60)
