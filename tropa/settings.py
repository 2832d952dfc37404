"""Django settings, read from TROPA_* environment variables (see tropa/conf.py).

There are no defaults for secrets: the server refuses to start until
`tropa init` has written them into the data directory, or the environment
provides them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tropa.conf import (
    database_from_url,
    env_bool,
    env_days_by_name,
    env_int,
    env_list,
    env_optional_secret,
    env_secret,
    env_str,
)
from tropa.vault import KDF_INTERACTIVE, KDF_MODERATE, KDF_SENSITIVE

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DATA_DIR", "tropa-data")).resolve()
SECRETS_DIR = DATA_DIR / "secrets"

SECRET_KEY = env_secret("SECRET_KEY", SECRETS_DIR / "secret_key")
# Keys the fast derivations (requester codenames, login throttle, Telegram ids);
# see tropa/vault/requester.py. Any secret text becomes exactly 32 bytes.
TROPA_PEPPER = hashlib.sha256(env_secret("PEPPER", SECRETS_DIR / "pepper").encode()).digest()

DEBUG = env_bool("DEBUG", False)
# `tropa demo` sets TROPA_DEMO and writes a marker into its own fresh data directory;
# both are needed, so no production data directory can be switched into demo mode.
TROPA_DEMO = env_bool("DEMO", False) and (DATA_DIR / "DEMO").is_file()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tropa.core",
    "tropa.audit",
    "tropa.keyring",
    "tropa.accounts",
    "tropa.notify",
    "tropa.cases",
    "tropa.intake",
    "tropa.journeys",
    "tropa.assistance",
    "tropa.reports",
    "tropa.channels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tropa.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tropa.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tropa.core.middleware.RefuseUnreadableBodies",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tropa.core.session_secrets.HeldSecretMiddleware",
    "tropa.accounts.middleware.StaffAccessMiddleware",
    "tropa.notify.watchdog.WatchdogMiddleware",
]

ROOT_URLCONF = "tropa.urls"
WSGI_APPLICATION = "tropa.wsgi.application"

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
                "tropa.core.context_processors.tropa",
            ],
        },
    }
]

# Databases: SQLite in WAL mode in the data directory, or PostgreSQL.
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "tropa.sqlite3",
            "OPTIONS": {
                # IMMEDIATE: writers queue on the lock instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # WAL for concurrent readers; synchronous=FULL so an acknowledged write
                # survives power loss; secure_delete so a shredded key is overwritten.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA secure_delete=ON;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Scheduled backups (tropa/accounts/backups.py): off unless a folder is named.
TROPA_BACKUP_DIR = env_str("BACKUP_DIR", "")
TROPA_BACKUP_HOURS = env_int("BACKUP_HOURS", 24, minimum=1)
TROPA_BACKUP_KEEP = env_int("BACKUP_KEEP", 7, minimum=1)
# Retention (tropa/cases/retention.py, tropa/audit/anchors.py): closed cases
# are shredded this many days after closing, requests nobody answered after
# this many days without activity, audit entries summarised after this many.
TROPA_RETAIN_CLOSED_DAYS = env_int("RETAIN_CLOSED_DAYS", 180, minimum=1)
# A closed case's period by its outcome, where it differs ("detained=730").
TROPA_RETAIN_CLOSED_BY_OUTCOME = env_days_by_name("RETAIN_CLOSED_BY_OUTCOME")
TROPA_RETAIN_UNANSWERED_DAYS = env_int("RETAIN_UNANSWERED_DAYS", 365, minimum=1)
TROPA_RETAIN_AUDIT_DAYS = env_int("RETAIN_AUDIT_DAYS", 365, minimum=30)
# How long each process trusts what it read of surge mode (tropa/core/surge.py).
TROPA_SURGE_CACHE_SECONDS = env_int("SURGE_CACHE_SECONDS", 5, minimum=0)
# Handover notes between duty coordinators are shredded after this many days.
TROPA_HANDOVER_DAYS = env_int("HANDOVER_DAYS", 14, minimum=1)

AUTH_USER_MODEL = "accounts.Staff"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:staff_home"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Argon2id limits for wrapping staff private keys (docs/security.md explains the choice).
TROPA_KDF_LIMITS = {
    "interactive": KDF_INTERACTIVE,
    "moderate": KDF_MODERATE,
    "sensitive": KDF_SENSITIVE,
}[env_str("KDF", "moderate")]

# Login throttling per account; never per address.
TROPA_LOGIN_FAILURES_BEFORE_LOCK = env_int("LOGIN_FAILURES_BEFORE_LOCK", 5, minimum=3)
TROPA_LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15, minimum=1)

# Sessions: server-side rows that expire after inactivity; the key that unlocks a
# staff member's private key lives only in the browser's cookie.
SESSION_ENGINE = "tropa.core.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=5) * 60
SESSION_SAVE_EVERY_REQUEST = True
# A request that changes nothing in the session, within the minute its row
# already ends on, does not write the row again (tropa/core/sessions.py).
TROPA_SESSION_SKIP_SAME_WRITE = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "tropa_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
TROPA_HELD_COOKIE_PREFIX = "tropa_"
TROPA_KEY_COOKIE_NAME = TROPA_HELD_COOKIE_PREFIX + "key"
CSRF_COOKIE_NAME = "tropa_csrf"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "tropa.core.views.csrf_failure"

# TLS: behind a TLS-terminating proxy set TROPA_HTTPS=true. An onion service runs
# without TLS and keeps these off.
TROPA_HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = TROPA_HTTPS
CSRF_COOKIE_SECURE = TROPA_HTTPS
LANGUAGE_COOKIE_SECURE = TROPA_HTTPS
SECURE_SSL_REDIRECT = TROPA_HTTPS and env_bool("SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 63072000 if TROPA_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TROPA_HTTPS
SECURE_HSTS_PRELOAD = False
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: with no-referrer browsers send "Origin: null"
# on form posts and Django's CSRF check refuses them. There is no other origin
# to leak a referrer to: pages load nothing from elsewhere.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Languages: Russian first; requester pages default to Russian whatever the
# browser says (Tor Browser always says en-US).
LANGUAGE_CODE = "ru"
# Every language with a catalog (tropa/core/languages.py: requesters may use
# them all; staff pages speak Russian and English).
LANGUAGES = [
    ("ru", "Русский"),
    ("en", "English"),
    ("uz", "Oʻzbekcha"),
    ("tg", "Тоҷикӣ"),
    ("ky", "Кыргызча"),
    ("ne", "नेपाली"),
    ("hi", "हिन्दी"),
    ("kk", "Қазақша"),
    ("ta", "தமிழ்"),
    ("bn", "বাংলা"),
    ("si", "සිංහල"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("fa-af", "دری"),
]
LANGUAGE_COOKIE_NAME = "tropa_lang"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Strict"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = None  # WhiteNoise serves straight from the app folders (USE_FINDERS)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Upload limits; bigger bodies are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_FORM_BYTES", 256 * 1024, minimum=16 * 1024)
# Uploads stay in memory (anything larger is dropped): no view can write a
# plaintext upload to disk. The portal swaps in tropa.cases.uploads' sealing
# handler, which encrypts files as they arrive.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
TROPA_MAX_FILE_MB = env_int("MAX_FILE_MB", 10, minimum=1)
TROPA_MAX_FILES = 5
# Failed codename sign-ins per minute, for everyone together (no addresses).
TROPA_PORTAL_FAILURES_PER_MINUTE = env_int("PORTAL_FAILURES_PER_MINUTE", 300, minimum=10)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "tropa@localhost")

# One writer thread per process commits concurrent SQLite writes together
# (tropa/core/groupcommit.py). Off in tests, which run inside one transaction.
TROPA_GROUP_COMMIT = env_bool("GROUP_COMMIT", True)

# Discarded requests can be restored for this long, then they are crypto-shredded.
TROPA_DISCARD_UNDO_MINUTES = env_int("DISCARD_UNDO_MINUTES", 30, minimum=1)

# The Telegram bot (docs/telegram.md): off unless a token is configured.
TROPA_TELEGRAM_TOKEN = env_optional_secret("TELEGRAM_TOKEN", SECRETS_DIR / "telegram_token")
# Only tests and a local Bot API server change this.
TROPA_TELEGRAM_API_URL = env_str("TELEGRAM_API_URL", "https://api.telegram.org")
# Set to the public https URL of /telegram/hook/ to receive updates by webhook
# instead of long polling.
TROPA_TELEGRAM_WEBHOOK_URL = env_str("TELEGRAM_WEBHOOK_URL", "")
TROPA_TELEGRAM_POLL_SECONDS = env_int("TELEGRAM_POLL_SECONDS", 25, minimum=0)
# Consultant hours, in the helpline's time zone; outside them the bot says when
# someone will answer.
TROPA_TELEGRAM_HOURS = env_str("TELEGRAM_HOURS", "10:00-22:00")
TROPA_TELEGRAM_TIMEZONE = env_str("TELEGRAM_TIMEZONE", "Europe/Moscow")
TROPA_TELEGRAM_AWAY_RU = env_str("TELEGRAM_AWAY_RU", "")
TROPA_TELEGRAM_AWAY_EN = env_str("TELEGRAM_AWAY_EN", "")
# The helpline's official handles and addresses, for /official.
TROPA_TELEGRAM_OFFICIAL = env_list("TELEGRAM_OFFICIAL", [])
# The web portal (best: its onion address), offered once as the safer channel.
TROPA_PORTAL_URL = env_str("PORTAL_URL", "")

TROPA_WATCH_INTERVAL_SECONDS = env_int("WATCH_INTERVAL_SECONDS", 5, minimum=1)
TROPA_WATCHER_STALE_SECONDS = 120

# Logs go to stderr only, through a filter that strips anything shaped like an
# IP address, so no client address can reach a log even by accident.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_addresses": {"()": "tropa.core.logging.StripAddresses"},
        "refusals": {"()": "tropa.core.logging.Refusals"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "filters": ["no_addresses"],
            "formatter": "plain",
        },
        "refusals": {
            "class": "logging.StreamHandler",
            "filters": ["refusals", "no_addresses"],
            "formatter": "plain",
        },
        # A logger with no handler at all falls back on Python's last-resort
        # handler, which prints to stderr unfiltered: silence goes here instead.
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger names paths only, but keep it to real errors.
        "django.request": {"level": "ERROR"},
        # A bad Host header is refused with 400; logging it would write whatever
        # address or name someone put there.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
        "django.security": {"handlers": ["refusals"], "propagate": False},
        # httpx logs every request URL at INFO, and a Bot API URL holds the
        # bot's token; python-telegram-bot logs it at DEBUG.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "telegram": {"level": "WARNING"},
    },
}
