"""Test settings: the project's settings with a fast hasher and in-memory email."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Emails go through the database queue, as in production (not the immediate backend): a test
# runs the worker with `tests.factories.run_queued_tasks()`, then reads the locmem outbox.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Plain http (the live server of the browser tests): no __Host- prefix, which needs Secure.
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
SECURE_HSTS_SECONDS = 0
SECURE_SSL_REDIRECT = False
AXES_ENABLED = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "local": CACHES["local"],  # noqa: F405
}

# SQLite: a file, not Django's default shared in-memory database. The live server would otherwise
# run every request thread on the test's one connection, so transactions, IMMEDIATE locking and
# the busy timeout would not apply and concurrency tests would prove nothing. WAL and the other
# pragmas in config.settings apply to this file as they do in production. The process id keeps
# concurrent test runs on one machine apart (pytest-xdist adds its own worker suffix).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"common-ground-tests-{os.getpid()}.sqlite3")
    }
else:
    # PostgreSQL: one test database per run, so two runs on one server do not drop each other's.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"  # noqa: F405
    }
