"""`make bench` only: Django as `startproject` makes it, serving one page with one query.

The second yardstick of the benchmark (bench/run.py serves it with a gunicorn of its own, beside
the app's): the limit for any Django page that reads the database. It has Django's standard
middleware and nothing of the project's (no security headers, no session lifetime, no login
throttle), and the project's own database settings, so that both baselines and every page
open, keep and close their connections the same way. Never used by the app itself.
"""

from config.settings import ALLOWED_HOSTS, DATABASES, DEBUG, SECRET_KEY  # noqa: F401

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]

# `django-admin startproject`'s list, in its order.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bench.baseline_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
