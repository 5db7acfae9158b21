"""Django settings, read from the environment.

``DATABASE_URL`` (SQLite under ``var/`` by default), ``SECRET_KEY`` (generated once
into ``var/`` when absent and ``DEBUG`` is on), ``DEBUG`` and ``ALLOWED_HOSTS``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTEFEUILLES_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: one key per checkout, kept out of git under var/.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    # Django's admin, with its login page sent to ours (lockout and second factor).
    "portefeuilles.accounts.admin_apps.PortefeuillesAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portefeuilles.accounts",
    "portefeuilles.referential",
    "portefeuilles.portfolios",
    "portefeuilles.audit",
    "portefeuilles.transfers",
]

MIDDLEWARE = [
    "portefeuilles.audit.context.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portefeuilles.accounts.middleware.PageLoginRequiredMiddleware",
    "portefeuilles.audit.middleware.DeniedAccessJournalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Idle and absolute timeouts, « Mes sessions »: needs the user, messages and htmx.
    "portefeuilles.accounts.middleware.UserSessionMiddleware",
]

ROOT_URLCONF = "portefeuilles.urls"
WSGI_APPLICATION = "portefeuilles.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portefeuilles" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portefeuilles.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead
        # of failing with "database is locked" when one upgrades its read lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "portefeuilles.accounts.validators.EmailLocalPartValidator"},
    {"NAME": "portefeuilles.accounts.validators.FirmNameValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The project-wide assets (app.css, app.js, vendored htmx) sit in the package,
# outside any app's static/ folder, so the app-directories finder misses them.
STATICFILES_DIRS = [BASE_DIR / "portefeuilles" / "static"]
STATIC_ROOT = VAR_DIR / "static"

CSRF_FAILURE_VIEW = "portefeuilles.accounts.views.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"portefeuilles": {"handlers": ["console"], "level": "INFO"}},
}

# Clients listed per page in a portfolio dialog.
PORTFOLIO_CLIENTS_PAGE_SIZE = 50

# Number of reverse proxies in front of the application that append to
# X-Forwarded-For; 0 means clients connect directly and REMOTE_ADDR is theirs.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Days a journal entry is kept before `portefeuilles purge_journal` deletes it.
JOURNAL_RETENTION_DAYS = env_int("JOURNAL_RETENTION_DAYS", 365)
# Days a résilié portfolio can be restored before `portefeuilles purge_terminated`
# deletes it for good.
TERMINATED_PORTFOLIO_RETENTION_DAYS = env_int("TERMINATED_PORTFOLIO_RETENTION_DAYS", 30)

# -- Accounts and security ----------------------------------------------------
# Everything below is read by portefeuilles.accounts; durations are in seconds.


# A session ends after this long without a request, and after the absolute
# timeout whatever its activity. The session cookie lives no longer than that.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# Sensitive actions (résilier, change a profile, deactivate a user, reset a
# second factor) need the password, and the second factor when enrolled,
# entered within this delay.
REAUTHENTICATION_MAX_AGE = env_int("REAUTHENTICATION_MAX_AGE", 10 * 60)

# Brute force: failed logins counted per identifiant and per client address.
LOGIN_FAILURE_WINDOW = 15 * 60
LOGIN_FAILURE_LIMIT_PER_USERNAME = 5
LOGIN_FAILURE_LIMIT_PER_ADDRESS = 20
LOGIN_LOCKOUT_DURATION = 15 * 60

PASSWORD_RESET_TIMEOUT = 60 * 60
INVITATION_TIMEOUT = 7 * 24 * 60 * 60
SIGNUP_CONFIRMATION_TIMEOUT = 48 * 60 * 60

OTP_TOTP_ISSUER = "Portefeuilles"

DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Portefeuilles <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if DEBUG:
    # `make run`: every message is written as a file under var/mail/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
# -- End of accounts and security ----------------------------------------------
# Imports of clients and abonnés (portefeuilles.transfers). Sizes in bytes.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 20 * 1000 * 1000)
# An XLSX or ODS file is a zip archive: refuse it when its entries would inflate
# past this size or this ratio of uncompressed to compressed bytes.
IMPORT_MAX_INFLATED_BYTES = env_int("IMPORT_MAX_INFLATED_BYTES", 200 * 1000 * 1000)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 200)
IMPORT_MAX_ZIP_ENTRIES = 1000
IMPORT_MAX_COLUMNS = 200
IMPORT_MAX_LINE_LENGTH = 10_000
IMPORT_MAX_LINES = env_int("IMPORT_MAX_LINES", 1_000_000)
# Seconds of checking work one page load of an import preview does before it
# shows the progress and asks the browser to come back.
IMPORT_STEP_SECONDS = float(os.environ.get("IMPORT_STEP_SECONDS", 2))
# Uploads above this size are spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1000 * 1000
