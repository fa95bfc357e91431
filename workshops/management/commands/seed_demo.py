from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.loading import DEFAULT_QUESTIONNAIRE, read_definition
from surveys.models import Questionnaire
from workshops.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo


class Command(BaseCommand):
    help = "Create the demo facilitator and workshop, and print fresh personal links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-published-password",
            action="store_true",
            help="Create the demo login with its published password although DEBUG is off "
            "(a public demonstration server, never one with real workshops).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG and not options["with_published_password"]:
            raise CommandError(
                f"DEBUG is off: this looks like production, and the demo login "
                f"({DEMO_USERNAME} / {DEMO_PASSWORD}) has a published password. Run it with "
                "DEBUG=1, or add --with-published-password on a demonstration server."
            )
        # The default version (`make run` loads it), else the newest version loaded.
        default = read_definition(DEFAULT_QUESTIONNAIRE)
        versions = Questionnaire.objects.filter(slug=default["slug"])
        questionnaire = (
            versions.filter(version=default["version"]).first()
            or versions.order_by("-version").first()
        )
        if questionnaire is None:
            raise CommandError("Load the questionnaire first: manage.py load_questionnaire")
        workshop, invitations, created = seed_demo(questionnaire)
        self.stdout.write(("Created" if created else "Refreshed") + f" demo workshop: {workshop}")
        self.stdout.write(f"Facilitator log in: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        for invitation in invitations:
            participant = invitation.participant
            self.stdout.write(f"  {participant.get_role_display():<18} {invitation.url}")
