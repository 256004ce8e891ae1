"""Django settings, read from the environment.

BEACON_MODE      demo | development | test | production (default production)
BEACON_SECRET_KEY  required outside demo/development/test
BEACON_MASTER_KEY  base64 of 32 random bytes wrapping the per-agency data keys
                 (beacon.vault); required outside demo/development/test
BEACON_AUDIT_KEY base64 of 32 random bytes proving audit events (beacon.audit.chain);
                 required outside demo/development/test
BEACON_DATA_DIR  where the SQLite file, uploads and anchors live
                 (default: $XDG_DATA_HOME/beacon, i.e. ~/.local/share/beacon)
DATABASE_URL     e.g. postgres://postgres@127.0.0.1:5432/beacon, or
                 sqlite:////path/to/beacon.sqlite3; default SQLite file
                 $BEACON_DATA_DIR/beacon.sqlite3
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets admin.ModelAdmin[Model] and similar generics work at run time.
django_stubs_ext.monkeypatch()

MODE = os.environ.get("BEACON_MODE", "production")
if MODE not in {"demo", "development", "test", "production"}:
    raise ImproperlyConfigured(
        f"BEACON_MODE must be demo, development, test or production, not {MODE!r}"
    )
RELAXED_MODES = {"demo", "development", "test"}

_DEFAULT_SECRET = "beacon-insecure-default-secret-for-demo-only"  # noqa: S105
SECRET_KEY = os.environ.get("BEACON_SECRET_KEY", _DEFAULT_SECRET)
if MODE not in RELAXED_MODES and (SECRET_KEY == _DEFAULT_SECRET or len(SECRET_KEY) < 32):
    # Fail fast: a production deployment with a guessable secret signs forgeable sessions.
    raise ImproperlyConfigured(
        "BEACON_SECRET_KEY must be set to a random value of at least 32 characters "
        "outside demo mode (set BEACON_MODE=demo to try Beacon with demo data)."
    )

# Wraps the per-agency data keys that encrypt narratives and notes (beacon.vault).
# A rotation keeps the former key in BEACON_MASTER_KEY_PREVIOUS until `beacon keys rotate`.
_DEMO_MASTER_KEY = "YmVhY29uLWRlbW8tbWFzdGVyLWtleS0zMi1ieXRlcyE="  # demo only
MASTER_KEY = os.environ.get("BEACON_MASTER_KEY", _DEMO_MASTER_KEY if MODE in RELAXED_MODES else "")
MASTER_KEY_PREVIOUS = os.environ.get("BEACON_MASTER_KEY_PREVIOUS", "")
# Record notes and field-event notes are sealed in the database (beacon.vault.sealing).
BEACON_SEAL_FREE_TEXT = os.environ.get("BEACON_SEAL_FREE_TEXT", "1") == "1"
if MODE not in RELAXED_MODES and (not MASTER_KEY or MASTER_KEY == _DEMO_MASTER_KEY):
    raise ImproperlyConfigured(
        "BEACON_MASTER_KEY must be set outside demo mode: the base64 of 32 random bytes "
        '(python -c "import base64,os; print(base64.b64encode(os.urandom(32)).decode())").'
    )

# Proves that each audit event was written by Beacon (HMAC-SHA256, beacon.audit.chain): a
# key held outside the database, so write access to the database alone cannot forge,
# edit, reorder or re-chain events (docs/decisions/0007). Base64 of 32 random bytes;
# required outside demo/development/test; never the master key.
_DEMO_AUDIT_KEY = "YmVhY29uLWRlbW8tYXVkaXQta2V5LW5vdC1zZWNyZXQ="  # demo only
AUDIT_KEY = os.environ.get("BEACON_AUDIT_KEY", _DEMO_AUDIT_KEY if MODE in RELAXED_MODES else "")
if MODE not in RELAXED_MODES and (not AUDIT_KEY or AUDIT_KEY in (_DEMO_AUDIT_KEY, MASTER_KEY)):
    raise ImproperlyConfigured(
        "BEACON_AUDIT_KEY must be set outside demo mode, to a key of its own (not the "
        "master key): the base64 of 32 random bytes "
        '(python -c "import base64,os; print(base64.b64encode(os.urandom(32)).decode())").'
    )

_xdg = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
DATA_DIR = Path(os.environ.get("BEACON_DATA_DIR", _xdg / "beacon")).resolve()
DEBUG = MODE == "development"
ALLOWED_HOSTS = os.environ.get("BEACON_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "beacon.core",
    "beacon.agencies",
    "beacon.audit",
    "beacon.access",
    "beacon.records",
    "beacon.operations",
    "beacon.intake",
    "beacon.interchange",
    "beacon.resilience",
    "beacon.web",
    "beacon.vault",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # An unchanged dashboard poll: 304 from the session and one stamp (beacon.web.dashboard_polls).
    "beacon.web.dashboard_polls.DashboardPollMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "beacon.access.middleware.SessionLimitsMiddleware",
    "beacon.access.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: a database outage answers 503; a keyed write runs once (beacon.resilience).
    "beacon.resilience.middleware.DatabaseOutageMiddleware",
    "beacon.resilience.middleware.IdempotencyMiddleware",
]

ROOT_URLCONF = "beacon.urls"
WSGI_APPLICATION = "beacon.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "beacon.web.context.navigation",
            ],
        },
    },
]


def _sqlite(name: str) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two
            # writers queue instead of failing half-way with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            # secure_delete: a deleted or overwritten row is zeroed in its page, not left
            # in free space (a destroyed agency key, text replaced by its sealed form).
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA busy_timeout=30000;"
                "PRAGMA secure_delete=ON;"
            ),
        },
        # Tests use a file, not :memory:, so WAL and synchronous=FULL hold there too.
        "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
    }


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("sqlite:"):
        # The same file settings as the default (WAL, synchronous=FULL, checked on every
        # connection by beacon.core.db), at the path the URL names.
        name = str(dj_database_url.parse(url)["NAME"] or "")
        if name in {"", ":memory:"}:
            raise ImproperlyConfigured(
                "DATABASE_URL names an in-memory SQLite database, which loses every record "
                "when Beacon stops: give a file, e.g. sqlite:////var/lib/beacon/beacon.sqlite3 "
                "(four slashes for an absolute path), or leave DATABASE_URL unset."
            )
        if not Path(name).expanduser().is_absolute():
            # Relative to whatever folder a process starts in: the server and the CLI
            # would each open (and create) a different, empty database.
            raise ImproperlyConfigured(
                f"DATABASE_URL names the relative SQLite path {name!r}, which depends on the "
                "folder Beacon starts in: give an absolute path, with four slashes, e.g. "
                "sqlite:////var/lib/beacon/beacon.sqlite3."
            )
        path = Path(name).expanduser().resolve()
        if not path.parent.is_dir():
            raise ImproperlyConfigured(
                f"DATABASE_URL names the SQLite file {path}, but its folder does not exist."
            )
        return _sqlite(str(path))
    if url:
        if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
            scheme = url.split(":", 1)[0]
            raise ImproperlyConfigured(
                f"DATABASE_URL must be postgres://... or sqlite:///path, not {scheme}://..."
            )
        # Persistent connections are checked before reuse, so after a database restart
        # the first request reconnects instead of failing; an unreachable server is
        # reported within connect_timeout seconds (a fast 503), not after minutes.
        # The check costs no round trip unless the server dropped the connection
        # (beacon.core.postgresql: Django's backend, whose SELECT 1 was one statement in
        # three of a dashboard poll).
        parsed = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        parsed["ENGINE"] = "beacon.core.postgresql"
        parsed["OPTIONS"] = {"connect_timeout": 3, **parsed.get("OPTIONS", {})}
        db: dict[str, object] = dict(parsed)
        # A unique test database per run lets several test runs share one server.
        db["TEST"] = {"NAME": os.environ.get("BEACON_TEST_DB", f"test_beacon_{os.getpid()}")}
        return db
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return _sqlite(str(DATA_DIR / "beacon.sqlite3"))


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": max(8, int(os.environ.get("BEACON_PASSWORD_MIN_LENGTH", "12")))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
PASSWORD_HASHERS = (
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    if os.environ.get("BEACON_FIPS") == "1"
    else [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)

LANGUAGE_CODE = "en"
# Spanish and Portuguese for the task forces of Latin America; the Portuguese catalogue
# follows Brazilian usage ("você", "órgão", "registro"), the language code stays "pt".
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("pt", "Português")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Third-party browser assets come from installed packages (htmx, plotly.js).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "beacon.web.finders.PackageAssetFinder",
]
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "access:sign-in"
LOGIN_REDIRECT_URL = "/"
# Sign-in, lockout and sessions (beacon.access): CJIS 5.9.5 / OWASP ASVS 5.0 L2.
BEACON_LOCKOUT_FAILURES = 5  # consecutive failures ...
BEACON_LOCKOUT_WINDOW_SECONDS = 15 * 60  # ... within this window lock until an admin unlocks
BEACON_LOGIN_RATE = (20, 60)  # at most 20 sign-in attempts per source address per 60 s
# At most this many API requests per account per minute, one count in the database shared
# by every worker of every node (beacon.access.ratelimit): a brake on a runaway integration
# or a scraper, far above what a person or a sync needs.
BEACON_API_RATE_PER_MINUTE = int(os.environ.get("BEACON_API_RATE_PER_MINUTE", "30000"))
# Audit events are chained after their transaction commits (docs/decisions/0005):
# "thread" in served processes, "inline" in tests (no thread outlives a test), or "off".
BEACON_AUDIT_CHAINER = os.environ.get(
    "BEACON_AUDIT_CHAINER", "inline" if MODE == "test" else "thread"
)
# `beacon audit verify` reports an event still unchained this long after it was written.
BEACON_AUDIT_CHAIN_GRACE_SECONDS = int(os.environ.get("BEACON_AUDIT_CHAIN_GRACE_SECONDS", "600"))
BEACON_SESSION_IDLE_SECONDS = 30 * 60
BEACON_SESSION_MAX_SECONDS = 12 * 60 * 60
BEACON_INACTIVE_DAYS = 90
BEACON_TOKEN_MAX_DAYS = 365
OTP_TOTP_ISSUER = "Beacon"
SESSION_COOKIE_AGE = BEACON_SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "beacon_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = MODE == "production"
CSRF_COOKIE_SECURE = MODE == "production"
X_FRAME_OPTIONS = "DENY"
# same-origin: no Referer ever leaves Beacon (no URL, search term or record number reaches
# another site), while Beacon's own form posts keep a real Origin, which CSRF checks
# (with no-referrer, browsers send "Origin: null" and every form post is refused).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS is sent on TLS responses only (SecurityMiddleware); a year, in production.
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if MODE == "production" else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = MODE == "production"
if os.environ.get("BEACON_BEHIND_TLS_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline scripts or styles; nothing framed; nothing fetched from elsewhere. The one hash
# is of the empty string: plotly.js creates empty <style> elements (and one style="") and
# fills them through the CSSOM, which the CSP does not govern (docs/threat-model.md).
EMPTY_INLINE_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
BEACON_CSP = (
    "default-src 'self'; script-src 'self'; "
    f"style-src 'self' 'unsafe-hashes' {EMPTY_INLINE_STYLE}; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
