from django.core.management.base import BaseCommand, CommandError

from surveys.models import Questionnaire
from workshops.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo


class Command(BaseCommand):
    help = "Create the demo facilitator and workshop, and print fresh personal links."

    def handle(self, *args: object, **options: object) -> None:
        questionnaire = Questionnaire.objects.filter(slug="joint-mobile-strategy").first()
        if questionnaire is None:
            raise CommandError("Load the questionnaire first: manage.py load_questionnaire")
        workshop, invitations, created = seed_demo(questionnaire)
        self.stdout.write(("Created" if created else "Refreshed") + f" demo workshop: {workshop}")
        self.stdout.write(f"Facilitator log in: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        for invitation in invitations:
            participant = invitation.participant
            self.stdout.write(f"  {participant.get_role_display():<18} {invitation.url}")
