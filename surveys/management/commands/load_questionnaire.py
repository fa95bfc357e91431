from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.loading import (
    DEFAULT_QUESTIONNAIRE,
    QuestionnaireFrozen,
    QuestionnaireInvalid,
    load_questionnaire,
)


class Command(BaseCommand):
    help = "Load a questionnaire version from its data file (default: Joint mobile strategy)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_QUESTIONNAIRE))

    def handle(self, *args: object, **options: str) -> None:
        try:
            questionnaire, created = load_questionnaire(Path(options["path"]))
        except (QuestionnaireFrozen, QuestionnaireInvalid, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        verb = "Loaded" if created else "Already loaded"
        self.stdout.write(f"{verb}: {questionnaire}")
