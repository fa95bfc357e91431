"""System checks of the workshops app (the deployment ones run by `manage.py check --deploy`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 (names, not a bind)


@register(Tags.security, deploy=True)
def check_site_url(**_kwargs: object) -> list[CheckMessage]:
    """Personal links in invitations are built on SITE_URL: in production it must be the
    public https address, or every emailed link leads nowhere."""
    parts = urlsplit(settings.SITE_URL)
    problems = []
    if parts.hostname in LOCAL_HOSTS or not parts.hostname:
        problems.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: invitation links would point at this "
                "machine, not at your site.",
                hint="Set SITE_URL to the public address, e.g. https://workshops.example.com.",
                id="workshops.W001",
            )
        )
    elif parts.scheme != "https":
        problems.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: personal links would travel unencrypted.",
                hint="Use an https:// address.",
                id="workshops.W002",
            )
        )
    return problems


@register()
def check_task_backend(**_kwargs: object) -> list[CheckMessage]:
    """Invitation emails are enqueued inside the transaction that records them
    (`services.send_invitation`): that is only safe with a queue kept in the same database,
    where a rollback takes the task with it. Any other backend could send an email for an
    invitation that was rolled back, or (the immediate backend) talk to the mail server
    inside the transaction again."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        return []
    return [
        Error(
            f"TASKS['default'] is {type(backend).__name__}: invitation emails need a queue "
            "kept in the database, which rolls back with the invitation.",
            hint="Use 'django_tasks_db.DatabaseBackend' (see config/settings.py).",
            id="workshops.E001",
        )
    ]
