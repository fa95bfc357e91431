from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.loading import (
    DEFAULT_QUESTIONNAIRE,
    Outcome,
    QuestionnaireFrozen,
    QuestionnaireInvalid,
    load,
)

#: What the command says it did.
_SAID = {
    Outcome.CREATED: "Loaded",
    Outcome.REBUILT: "Reloaded (no answers yet)",
    Outcome.TEXTS_UPDATED: "Texts updated (answers keep their meaning)",
    Outcome.UNCHANGED: "Already loaded",
}


class Command(BaseCommand):
    help = "Load a questionnaire version from its data file (default: Joint mobile strategy)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_QUESTIONNAIRE))

    def handle(self, *args: object, **options: str) -> None:
        try:
            questionnaire, outcome = load(Path(options["path"]))
        except (QuestionnaireFrozen, QuestionnaireInvalid, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{_SAID[outcome]}: {questionnaire}")
