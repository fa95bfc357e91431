"""Settings for every environment, read from the environment with safe defaults.

Development: `make run` sets DEBUG=1 and uses a SQLite file in the project.
Production: DEBUG unset, SECRET_KEY and ALLOWED_HOSTS required, DATABASE_URL pointing at PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# How many reverse proxies in front of the app append the client's address to X-Forwarded-For
# (0: none, the peer's address is the client's). Every throttle reads the client's address
# through config.client_address, which believes only the entry the outermost of them wrote.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES must be 0 or more, not {TRUSTED_PROXIES}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "surveys",
    "workshops",
]

MIDDLEWARE = [
    # The headers first, so that every response passes through them on its way out, the 400s
    # of the middleware below included (a Host not allowed, a body that cannot be read).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The language from the language cookie or the browser's Accept-Language, chosen before
    # anything can answer (the 503 and 400 pages below are in it too; it reads no session).
    # No language prefix in the URLs: the language is the person's
    # (config.middleware.PersonLanguageMiddleware below, and the executive's pages through
    # workshops.access), so one address is the same page in either language.
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.middleware.RefuseUnstorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "workshops.sessions.SessionLifetimeMiddleware",
    "config.middleware.LoginRedirectForHtmxMiddleware",
    "config.middleware.MethodNotAllowedPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL in production through DATABASE_URL. Connections
# are kept between requests (CONN_MAX_AGE seconds, checked before reuse) on both: on SQLite,
# opening one (with the pragmas below) and closing it (a WAL checkpoint) cost more than a short
# request itself: `make bench` measured a whole 44-answer response at 470 ms of server CPU with
# connections closed after each request and 253 to 301 ms with them kept (README, Benchmark).
# Each gunicorn worker keeps its own; runserver closes its request threads' connections anyway.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (a room full of executives autosaving): WAL lets readers run beside
    # the writer, IMMEDIATE takes the write lock at BEGIN so two writers queue instead of
    # failing on upgrade, and the busy timeout makes them wait rather than raise "locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }

# "default" lives in the database, so that several app servers share it and nothing is kept on
# local disk: the dashboard's figures and the home's alignments, each keyed by the workshop's
# dashboard version (workshops/dashboard/caching.py). Nothing the app relies on is kept there
# (the link-guessing throttle counts in its own table, workshops.LinkGuessWindow).
# "local" is each process's own: rendered questions of frozen questionnaires, keyed by
# everything their HTML depends on (surveys/presenting.py), so that no key ever names two
# different values and no server can hold a copy another would not.
CACHES = {
    "default": {
        # Django's database cache, writing each entry in one statement (config/cache.py).
        "BACKEND": "config.cache.UpsertDatabaseCache",
        "LOCATION": "common_ground_cache",
    },
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "common-ground-local",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workshops:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures per username and address lock the pair for 15 minutes, and
# 20 failures from one address, whatever the usernames (password spraying), lock the address
# (config.login_throttle). Both read the client's address through config.client_address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
AXES_HANDLER = "config.login_throttle.AddressLimitingAxesHandler"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "config.login_throttle.lockout_response"

# The interface in English and German. Which one a page uses is the person's: a facilitator's
# setting (workshops.FacilitatorProfile), an executive's choice or else the workshop's language;
# anyone else gets the language cookie's or their browser's. Translations live in locale/ as .po
# files; the .mo files are compiled by `make` (compilemessages), never committed.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions live in the database, so several app servers can share one PostgreSQL.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A facilitator's login lasts 30 days from logging in, and ends sooner after SESSION_IDLE_HOURS
# without activity (workshops.sessions). Activity is written to the session at most every
# SESSION_ACTIVITY_REFRESH seconds, not on every request. An executive's access cookie also
# lasts SESSION_COOKIE_AGE (workshops.access).
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_HOURS", 10) * 60 * 60
if not 0 < SESSION_IDLE_TIMEOUT <= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured("SESSION_IDLE_HOURS must be between 1 and 720 (30 days).")
SESSION_ACTIVITY_REFRESH = 5 * 60

# Security headers. The CSP allows no inline script or style: everything is a static file.
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin": no Referer ever leaves for another site, while same-site form posts keep the
# Origin header that CSRF protection checks (with "no-referrer" browsers send "Origin: null"
# and every HTTPS form post would fail). The personal-link redirect sends "no-referrer".
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: browsers accept these cookies only when Secure, for the whole site (path /) and
    # from this host alone (no Domain), so neither a plain-http page nor another subdomain can
    # set or replace them. (The executive's access cookie, scoped to one participant's path,
    # gets __Secure-: workshops.access.access_cookie_name.)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Email: the console in development unless EMAIL_HOST is set; SMTP in production.
EMAIL_HOST_NAME = os.environ.get("EMAIL_HOST", "")
if DEBUG and not EMAIL_HOST_NAME:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST_NAME or "localhost",
                "port": env_int("EMAIL_PORT", 587 if EMAIL_HOST_NAME else 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST_NAME)),
                "timeout": 10,
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Common Ground <workshops@localhost>")

# Emails leave the request: they are queued in the database, in the same transaction as the
# change that asks for them, and a worker (`manage.py db_worker`, started by `make run`) sends
# them. A database queue needs no other server, and the web processes never wait on SMTP.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# An invitation email is tried once, then again after each of these waits (seconds), before
# the board shows it as failed with a Retry button: five tries over about an hour and a half.
INVITATION_EMAIL_RETRY_DELAYS = [60, 300, 1200, 3600]

# `make bench` only: a trivial page (one template, one query) that every page is measured against.
BENCH_BASELINE = env_bool("BENCH_BASELINE", False)

# Personal links are masked in every log (config.logs): runserver's request lines, Django's
# warnings for 4xx answers ("Gone: /p/…/"), and gunicorn's logs (config/gunicorn.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_links": {"()": "config.logs.MaskPersonalLinks"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_links"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_links"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default configuration gives "django" a console handler of its own (when
        # DEBUG is on) that would write request warnings a second time, unmasked: "django"
        # writes through the root's console only.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
