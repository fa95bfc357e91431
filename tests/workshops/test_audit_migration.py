"""Migration 0013 turns the audit trail's old sentences (English or German) into data, and
keeps a sentence it cannot read as it was written."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

BEFORE = [("workshops", "0012_languages")]
AFTER = [("workshops", "0013_structured_audit_details")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_migrations():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


OLD = {
    "en": [
        ("add_participant", "Dana Whitfield added as Head of IT"),
        ("edit_participant", "Dana Whitfield: changed name, email"),
        ("status", "Draft → Collecting answers"),
        ("reveal", "Sharing changed: in the room only, names hidden"),
        ("export", "PDF (letter), Marco Rossi"),
        ("export", "CSV (KPIs)"),
        ("create", "“Mobile 2027”"),
        ("run_again", "Follows “Mobile 2026”, with its 4 executives"),
        ("kpi", "Checkout conversion: 3.5"),
        ("action", "Draft the brief: Sam Lee, done"),
        ("email_failed", "Ada Chen: The mail server could not be reached."),
        ("code_text", "Something the app wrote long ago"),
    ],
    "de": [
        ("add_participant", "Dana Whitfield als CIO hinzugefügt"),
        ("revoke_link", "Link für Dana Whitfield zurückgezogen"),
        ("remove_participant", "Paul Weg (Antworten erhalten)"),
        ("edit_workshop", "Geändert: Titel, Kunde"),
    ],
}


@pytest.mark.django_db(transaction=True)
def test_old_sentences_become_data_in_the_reader_s_language(alice, questionnaire):
    from workshops.models import AuditEvent

    old_apps = _migrate(BEFORE)
    try:
        Workshop = old_apps.get_model("workshops", "Workshop")
        Organisation = old_apps.get_model("workshops", "Organisation")
        Event = old_apps.get_model("workshops", "AuditEvent")
        client = Organisation.objects.create(name="Acme")
        for language, rows in OLD.items():
            workshop = Workshop.objects.create(
                title=f"Before ({language})",
                organisation=client,
                owner_id=alice.pk,
                questionnaire_id=questionnaire.pk,
                language=language,
            )
            for action, detail in rows:
                Event.objects.create(workshop=workshop, action=action, detail=detail)
    finally:
        _migrate(AFTER)
    events = list(AuditEvent.objects.order_by("pk"))
    legacy = [event.legacy_detail for event in events if event.legacy_detail]
    assert legacy == ["Something the app wrote long ago"]  # shown as written
    by_text = dict(zip([d for rows in OLD.values() for _a, d in rows], events, strict=True))
    assert by_text["Dana Whitfield added as Head of IT"].params == {
        "name": "Dana Whitfield",
        "role": "head_it",
    }
    assert by_text["Geändert: Titel, Kunde"].params == {"fields": ["title", "organisation"]}
    assert by_text["PDF (letter), Marco Rossi"].params == {
        "format": "pdf",
        "paper": "letter",
        "name": "Marco Rossi",
    }
    with translation.override("de"):
        german = {text: event.detail for text, event in by_text.items()}
    with translation.override("en"):
        english = {text: event.detail for text, event in by_text.items()}
    # An English workshop's old trail reads German for a German reader, and the reverse.
    assert (
        german["Dana Whitfield added as Head of IT"] == "Dana Whitfield als IT-Leitung hinzugefügt"
    )
    assert german["Draft → Collecting answers"] == "Entwurf → Antworten sammeln"
    assert german["Ada Chen: The mail server could not be reached."] == (
        "Ada Chen: Der Mailserver war nicht erreichbar."
    )
    assert english["Link für Dana Whitfield zurückgezogen"] == "Link withdrawn for Dana Whitfield"
    assert english["Paul Weg (Antworten erhalten)"] == "Paul Weg (answers kept)"
    for old, new in english.items():
        # Now said in words: "target 3.5", "shared KPIs", the status "Done".
        reworded = {"CSV (KPIs)", "Checkout conversion: 3.5", "Draft the brief: Sam Lee, done"}
        if old in dict(OLD["en"]).values() and old not in reworded:
            assert new == old, (old, new)
