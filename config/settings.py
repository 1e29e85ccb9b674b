"""Settings for Commitment Tracker, read once from the environment and its file.

Production is the default: debugging is on only when DJANGO_DEBUG=true asks for it (the
run-site and test commands do), and without debugging a missing secret stops the server
instead of running insecurely. The development key is never used without debugging.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.envfile import DEFAULT_ENV_FILE, env_file_path, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent

# The deployment's configuration file (/etc/tracker/tracker.env): read here, by every process
# that loads the settings (gunicorn's workers, manage.py, the timers' jobs).
load_env_file()
TRACKER_ENV_FILE = env_file_path()


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A forgotten setting must not run production in debug mode: debug pages list every URL and
# show settings, and cookies lose Secure.
DEBUG = envbool("DJANGO_DEBUG", "false")

# Published in this repository, so only for development: the system check tracker.E001
# refuses it (and any short key) whenever DEBUG is off.
DEVELOPMENT_SECRET_KEY = "dev-insecure-commitment-tracker-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is not true "
            f"(production is the default: put it in {DEFAULT_ENV_FILE}; "
            "set DJANGO_DEBUG=true for development)"
        )
    # Development only: a fixed key so sessions survive restarts of the dev server.
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
# Earlier keys, still accepted for signatures (sessions, password resets, open correction
# forms) but never used to sign: rotate by moving the old key here, drop it a few days later.
SECRET_KEY_FALLBACKS = envlist("DJANGO_SECRET_KEY_FALLBACKS", "")

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is not true "
        "(the host names the site answers to, comma-separated)"
    )
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# The editors' desk and the public site come first: their templates override the admin's
# and simple-history's. Both import the core (app label "tracker"), never each other.
INSTALLED_APPS = [
    "tracker.desk",
    "tracker.public",
    "tracker.follow",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "tracker.desk.apps.AxesConfig",  # django-axes, with a translated name
    "tracker.core",
]

MIDDLEWARE = [
    # First: NUL or broken UTF-8 anywhere in a request is a 400 before any view or query.
    "tracker.core.middleware.RefuseMalformedInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files come precompressed), before the session and CSRF
    # layers, whose marks tell it which responses carry a secret (see config/middleware.py).
    "config.middleware.PublicGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.UrlLanguageLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A write refused by a read-only database is a 503 with a message (tracker.core.middleware).
    "tracker.core.middleware.ReadOnlyDatabaseMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite is the zero-setup default: one file beside the code, nothing to install. WAL and a
# busy timeout let readers and a writer work at once; IMMEDIATE transactions take the write
# lock up front so two writers queue instead of failing with "database is locked".
# Production sets DATABASE_URL=postgres://user:password@host:5432/name.
# Connections are kept between requests (each worker has its own): opening one and running
# the PRAGMAs above on every request halved the throughput of cached pages and 304s
# (bench/RESULTS.md). A broken connection is noticed and replaced before it is reused.
# Production names its database: a forgotten DATABASE_URL must not quietly create an empty
# SQLite file beside the code and serve from it.
if not DEBUG and not os.environ.get("DATABASE_URL") and not os.environ.get("SQLITE_PATH"):
    raise ImproperlyConfigured(
        "DATABASE_URL must be set when DJANGO_DEBUG is not true "
        f"(or SQLITE_PATH to run on SQLite; the configuration file is {DEFAULT_ENV_FILE})"
    )
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "600"),
        conn_health_checks=True,
    )
}
# A database this process may only read (a read-only file or folder, a copy for reporting,
# DJANGO_DATABASE_READ_ONLY=true) is opened read-only: pages, export and check_data work,
# and a write is refused in one line ("the database is read-only") instead of every
# connection failing while it sets up WAL or takes the write lock.
DATABASE_READ_ONLY = envbool("DJANGO_DATABASE_READ_ONLY", "false")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    DATABASE_READ_ONLY = DATABASE_READ_ONLY or (
        _sqlite_file.exists()
        and not (os.access(_sqlite_file, os.W_OK) and os.access(_sqlite_file.parent, os.W_OK))
    )
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "DEFERRED" if DATABASE_READ_ONLY else "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            ("PRAGMA query_only=ON;" if DATABASE_READ_ONLY else "PRAGMA journal_mode=WAL;")
            + "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    if DATABASE_READ_ONLY:
        # A WAL database needs its -shm file: where it is missing and the folder is read-only
        # too, the file is opened as immutable (nobody writes it while it is read-only).
        shm_missing = not Path(f"{_sqlite_file}-shm").exists()
        immutable = shm_missing and not os.access(_sqlite_file.parent, os.W_OK)
        DATABASES["default"]["NAME"] = f"file:{_sqlite_file}?mode=ro" + (
            "&immutable=1" if immutable else ""
        )

# "pages" holds rendered public pages, keyed by the data version and the query parameters
# each page reads (tracker.public.caching); "aggregates" the counts over the whole table (the
# list's filter menus), keyed the same way. By default each worker keeps its own in memory,
# bounded by bytes (DJANGO_PAGE_CACHE_MB per worker, default 64: any query string could
# otherwise add an entry, and 2,000 sitemaps are 0.8 GB); DJANGO_CACHE_URL=redis://...
# (the one variable for a shared cache) shares one copy between all workers and hosts, so a
# page is rendered once after a save, not once per worker (README, "Caching").
# DJANGO_PAGE_CACHE_ENTRIES=0 turns the page cache off (every request renders; benchmarks).
PAGE_CACHE_ENTRIES = envint("DJANGO_PAGE_CACHE_ENTRIES", "2000")
PAGE_CACHE_BYTES = envint("DJANGO_PAGE_CACHE_MB", "64") * 1024 * 1024
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "").strip()


def redis_caches(url: str) -> dict:
    """Return every cache in the Redis server at URL (the caching tests use it too)."""
    # Old versions' keys are never asked for again: a day's expiry lets Redis drop them
    # even without a maxmemory policy.
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "TIMEOUT": 24 * 3600,
    }
    return {
        "default": shared | {"KEY_PREFIX": "tracker", "TIMEOUT": 300},
        "pages": shared | {"KEY_PREFIX": "tracker-pages"},
        "aggregates": shared | {"KEY_PREFIX": "tracker-aggregates"},
    }


if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "DJANGO_CACHE_URL must start with redis://, rediss:// or unix:// "
            f"(got {CACHE_URL.split(':', 1)[0]!r}...)"
        )
    CACHES = redis_caches(CACHE_URL)
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "tracker.public.page_cache.BytesBoundedLocMemCache",
            "LOCATION": "tracker-pages",
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_ENTRIES, "MAX_BYTES": PAGE_CACHE_BYTES},
        },
        "aggregates": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tracker-aggregates",
            "TIMEOUT": None,
        },
    }
if not PAGE_CACHE_ENTRIES:
    CACHES["pages"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

AUTHENTICATION_BACKENDS = [
    # django-axes counts failed logins and refuses a locked-out client before the password
    # is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Files the service writes: the downloads (data package, zip), built once per data version,
# and backups (manage.py backup_database), private to the service's user.
TRACKER_DOWNLOADS_DIR = Path(
    os.environ.get("TRACKER_DOWNLOADS_DIR", BASE_DIR / "var" / "downloads")
)
# Past this many published commitments the downloads (data package and zip) are built in the
# background after a change while the previous build is served (tracker/public/download_builds.py):
# the real corpus, 1,187, builds in about 2 s; 100 times it in minutes.
TRACKER_DOWNLOADS_INLINE_LIMIT = envint("TRACKER_DOWNLOADS_INLINE_LIMIT", "5000")
TRACKER_BACKUP_DIR = Path(os.environ.get("TRACKER_BACKUP_DIR", BASE_DIR / "var" / "backups"))

# To stderr (the journal, under systemd), in gunicorn's own line format and time zone (its
# error log: deploy/gunicorn.conf.py), so one service's lines read as one log.
LOG_DATE_FORMAT = "[%Y-%m-%d %H:%M:%S %z]"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
            "datefmt": LOG_DATE_FORMAT,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        # check_data --log reports every finding; those needing an editor are warnings.
        "tracker.check_data": {"level": "INFO"},
    },
}

TRACKER_SITE_NAME = _("政策承諾追蹤")
# Who publishes the record: the feeds' atom:author and the data package's publisher.
TRACKER_PUBLISHER = os.environ.get("DJANGO_PUBLISHER", "") or "政策承諾追蹤編輯室"
# Feed and entry ids are tag: URIs (RFC 4151) under this authority, "<domain or email>,<date
# it was held>". Unlike an http URL it does not change when the site moves to another host
# or scheme, so subscribers never see an entry twice; set it once and never change it.
TRACKER_TAG_AUTHORITY = os.environ.get(
    "DJANGO_FEED_TAG_AUTHORITY", "commitment-tracker.example.org,2026"
)
if not re.fullmatch(r"[A-Za-z0-9.@-]+,\d{4}(-\d{2}(-\d{2})?)?", TRACKER_TAG_AUTHORITY):
    raise ImproperlyConfigured(
        "DJANGO_FEED_TAG_AUTHORITY must look like example.org,2026 (a domain or email, a comma,"
        f" the year or date it was held), got {TRACKER_TAG_AUTHORITY!r}"
    )
# The licence of the downloads, as an SPDX id; the title and address of the common ones are
# known, others need DJANGO_DATA_LICENSE_URL. CC BY 4.0 by default: see the README.
DATA_LICENSES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": (
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "OGDL-Taiwan-1.0": (
        "政府資料開放授權條款－第1版",
        "https://data.gov.tw/license",
    ),
}
TRACKER_DATA_LICENSE = os.environ.get("DJANGO_DATA_LICENSE", "") or "CC-BY-4.0"
_license_url = os.environ.get("DJANGO_DATA_LICENSE_URL", "")
if TRACKER_DATA_LICENSE not in DATA_LICENSES and not _license_url:
    raise ImproperlyConfigured(
        f"DJANGO_DATA_LICENSE {TRACKER_DATA_LICENSE!r} is not one of "
        f"{', '.join(DATA_LICENSES)}: set DJANGO_DATA_LICENSE_URL to its text's address too"
    )
TRACKER_DATA_LICENSE_TITLE, TRACKER_DATA_LICENSE_URL = DATA_LICENSES.get(
    TRACKER_DATA_LICENSE, (TRACKER_DATA_LICENSE, _license_url)
)
TRACKER_DATA_LICENSE_URL = _license_url or TRACKER_DATA_LICENSE_URL
# Public timelines say which entries the newsroom wrote; with this on they also name the
# editor (first and last name as set in the admin, never the login name).
TRACKER_SHOW_EDITOR_NAMES = envbool("TRACKER_SHOW_EDITOR_NAMES", "false")
# The local clone of upstream's repository that `manage.py sync_upstream` pulls and imports.
TRACKER_UPSTREAM_REPO = os.environ.get("TRACKER_UPSTREAM_REPO", "")


# Days an agency has to answer the newsroom's question, per channel, unless the editor sets
# a deadline. 政府資訊公開法 第12條: a decision within 15 days of receiving the application
# (extendable once by 15 days, with notice to the applicant: the editor then moves the
# deadline). The others have no statutory period; they are the newsroom's conventions.
QUESTION_CHANNELS = ("letter", "foi", "email", "press", "other")
TRACKER_QUESTION_DEADLINE_DAYS = {"letter": 30, "foi": 15, "email": 14, "press": 7, "other": 14}
for _item in envlist("TRACKER_QUESTION_DEADLINE_DAYS", ""):
    _channel, _, _days = _item.partition("=")
    if _channel.strip() not in QUESTION_CHANNELS or not _days.strip().isdigit():
        raise ImproperlyConfigured(
            "TRACKER_QUESTION_DEADLINE_DAYS must be channel=days pairs separated by commas, "
            f"channels among {', '.join(QUESTION_CHANNELS)}; got {_item!r}"
        )
    TRACKER_QUESTION_DEADLINE_DAYS[_channel.strip()] = int(_days)

# Mail (confirmations and digests of tracker.follow): printed to the console by default, so
# development and tests never send by accident; production sets EMAIL_BACKEND to Django's
# SMTP backend and the server's address and login (README, "E-mail digests").
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
# Links in mail are absolute and mail is sent without a request (the digest timer): the
# site's public address, e.g. https://tracker.example.org. Sending refuses to run without it.
TRACKER_SITE_URL = os.environ.get("TRACKER_SITE_URL", "http://localhost:8000" if DEBUG else "")
FOLLOW_LIST_ID = os.environ.get("FOLLOW_LIST_ID", "digest.commitment-tracker.example.org")
# Unconfirmed subscriptions (and addresses left with none) are deleted after this many days.
FOLLOW_UNCONFIRMED_DAYS = envint("FOLLOW_UNCONFIRMED_DAYS", "7")
# Confirmation mails: per address a day, per client (keyed hash of its IP) an hour.
FOLLOW_CONFIRMATIONS_PER_ADDRESS = envint("FOLLOW_CONFIRMATIONS_PER_ADDRESS", "10")
FOLLOW_CONFIRMATIONS_PER_CLIENT = envint("FOLLOW_CONFIRMATIONS_PER_CLIENT", "20")

# Dates are shown and typed as ISO (2026-01-27) in both languages, not 2026年1月27日.
FORMAT_MODULE_PATH = ["config.formats"]
# Security ----------------------------------------------------------------------------------
# Headers on every response, the admin included. No inline script or style anywhere: pages
# load their CSS and any script from /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
# The embeddable card (/embed/commitments/<id>/) is the one exception: the sites that may
# frame it, as CSP frame-ancestors sources; any site by default (newsrooms put it in
# articles). Every other page keeps frame-ancestors 'none' and X-Frame-Options DENY.
TRACKER_EMBED_FRAME_ANCESTORS = envlist("TRACKER_EMBED_FRAME_ANCESTORS", "*")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Behind a TLS-terminating reverse proxy (the deployment the README describes), the proxy
# sets X-Forwarded-Proto and X-Forwarded-For; PROXY_COUNT says how many proxies to trust.
# 0 by default: without a proxy that overwrites it, X-Forwarded-For is whatever the client
# sends, and trusting it would let one client pose as many (defeating the login lockout and
# the corrections limit). The deployment sets DJANGO_PROXY_COUNT=1.
PROXY_COUNT = envint("DJANGO_PROXY_COUNT", "0")
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Monitoring may ask gunicorn directly, over plain HTTP (/healthz).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "true")
    SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", "true")

# Password guessing: after 5 failures a username is locked for 15 minutes from that client
# only, so one client cannot lock an editor out everywhere.
AXES_FAILURE_LIMIT = envint("DJANGO_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("DJANGO_LOGIN_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Failed logins are logged (as warnings) with the username and the client's address, which
# django-axes masks by default: an operator needs both to tell an attack from a typo. The
# password is always masked.
AXES_SENSITIVE_PARAMETERS = []
# The proxy overwrites X-Forwarded-For with the client's address (README's nginx config), so
# the header holds PROXY_COUNT - 1 proxy addresses after the client's. A longer, spoofed chain
# is not trusted: its attempts all count against the proxy's own address, so rotating fake
# addresses cannot get around the lockout.
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)
