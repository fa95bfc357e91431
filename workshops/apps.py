from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            sessions,  # noqa: F401  (starts a login's clock when logging in)
        )
        from .dashboard import freshness  # noqa: F401  (dashboard versions follow every change)
