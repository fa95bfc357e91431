"""Load a workshop's transfer file: `manage.py import_workshop FILE --owner USERNAME`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workshops.transfer import TransferError, import_workshop, read_file


class Command(BaseCommand):
    help = "Import a workshop from its JSON transfer file (all of it, or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--owner", required=True, help="Username of the facilitator.")

    def handle(self, *args: Any, file: Path, owner: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"No user {owner!r}.")
        try:
            result = import_workshop(read_file(file.read_bytes()), owner=user)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except TransferError as error:
            raise CommandError("Nothing imported:\n" + "\n".join(error.problems)) from None
        if result.created:
            self.stdout.write(
                f"Imported workshop {result.workshop.pk} “{result.workshop.title}”: "
                f"{result.participants} participants, {result.answers} answers."
            )
        else:
            self.stdout.write(
                f"Already imported as workshop {result.workshop.pk} "
                f"“{result.workshop.title}”: nothing added."
            )
