"""Configuration, read from the environment.

DATABASE_URL   default: SQLite file var/mutualaid.sqlite3 (WAL, IMMEDIATE transactions).
               production: postgres://USER:PASSWORD@HOST:5432/NAME
SECRET_KEY     default: generated once into var/secret_key (never committed).
DEBUG          "1"/"true" to turn on; off by default.
ALLOWED_HOSTS  comma-separated; default "127.0.0.1,localhost".
EMAIL_URL      "console:" (default) or smtp://user:pass@host:port (smtp+tls:// for STARTTLS).
DEFAULT_FROM_EMAIL, SITE_URL (used in e-mailed links; https:// turns on secure cookies, HSTS and the redirect to
               https), LANGUAGE_CODE.
RESTORE_MAX_BYTES  the most an archive may declare for `mutualaid restore` to accept it; default 2 GiB.
SECURE_COOKIES, SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD,
SECURE_PROXY_SSL_HEADER (e.g. X-Forwarded-Proto), TRUSTED_PROXY_COUNT, LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES,
SIGNUPS_PER_ADDRESS_PER_HOUR, API_TOKEN_IDLE_DAYS:
               see the README's "Production" section.
"""
from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(os.environ.get("MUTUALAID_VAR_DIR", BASE_DIR / "var"))
if not VAR_DIR.is_dir():
    # The database, the secret key and uploads live here: only this account may enter (whatever the umask).
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    VAR_DIR.chmod(0o700)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        _create_private(path, secrets.token_urlsafe(50).encode())
    return path.read_text().strip()


def _create_private(path: Path, content: bytes = b"") -> None:
    """Create `path` mode 0600 (whatever the umask), holding `content` from the start; if another process created
    it meanwhile, theirs is kept."""
    staged = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(staged, path)  # atomic, and never replaces an existing file
    except FileExistsError:
        pass
    finally:
        staged.unlink(missing_ok=True)


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
                 if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs page's Swagger UI from our static files (no CDN, no inline script)
    "axes",
    "csp",
    "django_countries",  # country names in the active language (the group form's country and time zone)
    "mutualaid.audit",
    "mutualaid.networks",
    "mutualaid.circulation",
    "mutualaid.backups",
    "mutualaid.front",
    "django_q",  # the worker's schedules and queue, in the database (mutualaid.core.periodic)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mutualaid.core.middleware.DatabaseUnavailableMiddleware",  # database unreachable: 503, not a stack trace
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mutualaid.networks.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out log-in into the 429 answer
]

ROOT_URLCONF = "mutualaid.urls"
WSGI_APPLICATION = "mutualaid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mutualaid.networks.context_processors.navigation",
            ],
            "libraries": {"dates": "mutualaid.core.dates"},  # {{ moment|when }}: one date format per language
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'mutualaid.sqlite3'}"
# Each worker thread keeps its connection for good (checked before each request, so a restarted or unreachable
# database is noticed): reopening them all every minute made every page wait behind a burst of new connections.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=None, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept across requests, as on PostgreSQL; the backend's health check notices the file being moved or replaced.
    DATABASES["default"]["ENGINE"] = "mutualaid.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue up instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # SQLite would create the file (and its -wal and -shm, which take the file's mode) by the umask: create it 0600.
    _database_file = Path(str(DATABASES["default"]["NAME"]))
    if (str(_database_file) not in ("", ":memory:") and not str(_database_file).startswith("file:")
            and _database_file.parent.is_dir() and not _database_file.exists()):
        _create_private(_database_file)  # an empty file is an empty SQLite database
    # A file (not the in-memory default) so that threads in tests really use separate connections.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    # One test database per test process, so that two suites on one server never drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# `mutualaid restore` refuses an archive whose manifest declares more bytes in all than this (2 GiB by default).
RESTORE_MAX_BYTES = int(os.environ.get("RESTORE_MAX_BYTES", 2 * 1024 ** 3))

# Each worker's own memory: the group board's fragment as members see it (circulation/_board.html), keyed on the
# group's stamp, which every change to the group writes in its own transaction (audit.ScopeStamp): nothing to run
# beside the app, and never older than the data.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default",
                "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_ENTRIES", "2000"))}},
}

AUTH_USER_MODEL = "networks.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out (user name, IP address) before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
FORMAT_MODULE_PATH = ["mutualaid.formats"]

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
TESTING = env_bool("MUTUALAID_TESTING") or "pytest" in sys.modules
if DEBUG or TESTING:
    # No collectstatic step needed (the manifest is built by `make run` / deploys).
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = DEBUG or TESTING  # served straight from the source tree without collectstatic
if TESTING:
    STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "console:")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mutual Aid Network <noreply@localhost>")
_email = urlparse(EMAIL_URL)
if _email.scheme in {"smtp", "smtp+tls", "smtps"}:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587 if _email.scheme == "smtp+tls" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
elif _email.scheme == "memory":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security -------------------------------------------------------------------------------------
# Served over HTTPS (SITE_URL https://...): secure cookies, HSTS and a redirect from http, each overridable.
SERVED_OVER_HTTPS = not DEBUG and SITE_URL.startswith("https://")
SESSION_COOKIE_HTTPONLY = True
# Messages ("Your need is posted") travel in a cookie, never in the session: a request that carries one is never
# answered "not modified" (mutualaid.core.conditional), and that needs no session read to tell.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SERVED_OVER_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SERVED_OVER_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000 if SERVED_OVER_HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    # Behind a reverse proxy that terminates TLS, e.g. "X-Forwarded-Proto" (the proxy must overwrite it).
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].upper().replace("-", "_"), "https")
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# The map pickers' tiles (Leaflet, vendored): a tile server's URL template, e.g.
# MAP_TILE_URL="https://tile.openstreetmap.org/{z}/{x}/{y}.png" with MAP_TILE_ATTRIBUTION="© OpenStreetMap
# contributors" (mind the server's usage policy, or run your own). Empty, the default: no tiles are fetched, and the
# maps draw the group's named areas on a plain background. Its origin is added to the pages' img-src.
MUTUALAID_MAP_TILES = os.environ.get("MAP_TILE_URL", "")
MUTUALAID_MAP_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
_tiles = urlparse(MUTUALAID_MAP_TILES)
# {s} in the host: the server's subdomains (a, b, c), allowed as a wildcard for the rest of the host's name.
_TILE_HOST = "*." + _tiles.netloc.split(".", 1)[-1] if "{s}" in _tiles.netloc else _tiles.netloc
_TILE_ORIGIN = f"{_tiles.scheme}://{_TILE_HOST}" if MUTUALAID_MAP_TILES else ""

# Content-Security-Policy (django-csp): our own files only. No inline script or style anywhere, no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + ([_TILE_ORIGIN] if _TILE_ORIGIN else []),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Guessing limits (django-axes, counted in the database so they hold across server processes): after
# LOGIN_FAILURE_LIMIT failed log-ins (web or API token) for one user name from one IP address within
# LOGIN_LOCKOUT_MINUTES, that pair is refused (429) until the window has passed, even with the right password.
# Failed sign-ups count the same way, per IP address. See mutualaid/networks/throttle.py.
MUTUALAID_LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 10))
MUTUALAID_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15))
AXES_FAILURE_LIMIT = MUTUALAID_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=MUTUALAID_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "mutualaid.networks.throttle.attempt_key"
AXES_LOCKOUT_CALLABLE = "mutualaid.networks.throttle.refusal"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a fixed window, so "try again in N minutes" holds
AXES_DISABLE_ACCESS_LOG = True  # no record of successful log-ins (IP addresses are personal data)
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "email", "password", "password_again", "csrfmiddlewaretoken"]
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, or behind N reverse proxies (TRUSTED_PROXY_COUNT=N) from X-Forwarded-For.
MUTUALAID_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "mutualaid.networks.throttle.client_ip"
# Successful sign-ups (web and API) from one client address within an hour; 0 turns the limit off.
SIGNUPS_PER_ADDRESS_PER_HOUR = int(os.environ.get("SIGNUPS_PER_ADDRESS_PER_HOUR", 20))
# The worker (django-q2, its broker the database itself: no extra server).
Q_CLUSTER = {"name": "mutualaid", "orm": "default", "workers": 1, "timeout": 600, "retry": 900, "max_attempts": 1,
             "catch_up": False, "poll": 5, "save_limit": 100, "label": "Worker"}
# An API token stops working after this many days without use; 0: tokens never expire.
API_TOKEN_IDLE_DAYS = int(os.environ.get("API_TOKEN_IDLE_DAYS", 30))
# Password reset links (Django's own views) work for this long.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# --- Logging: no personal data, no request bodies -------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Product settings -----------------------------------------------------------------------------
MUTUALAID_PAGE_SIZE = 20
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # fast tests only
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
