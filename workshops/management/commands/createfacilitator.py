from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workshops.services import create_facilitator


class Command(BaseCommand):
    help = "Create a facilitator account (a password is generated and printed if none is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default=None, help="Default: a generated password.")

    def handle(self, *args: object, **options: str) -> None:
        try:
            user, password = create_facilitator(
                username=options["username"], email=options["email"], password=options["password"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        shown = "as given" if options["password"] else password
        self.stdout.write(f"Created facilitator {user.get_username()} (password: {shown})")
