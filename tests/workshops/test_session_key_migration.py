"""The migration that gives participants a session key keeps open pages open, and only those."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("workshops", "0005_invitation_delivery")]
AFTER = [("workshops", "0006_participant_session_key")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_participants_get_a_key_their_open_pages_already_carry(alice, questionnaire):
    old_apps = _migrate(BEFORE)
    try:
        Workshop = old_apps.get_model("workshops", "Workshop")
        Organisation = old_apps.get_model("workshops", "Organisation")
        Participant = old_apps.get_model("workshops", "Participant")
        workshop = Workshop.objects.create(
            title="Before the upgrade",
            organisation=Organisation.objects.create(name="Acme"),
            owner_id=alice.pk,
            questionnaire_id=questionnaire.pk,
        )
        now = timezone.now()
        rows = {
            "answering": {},
            "withdrawn": {"token_revoked_at": now},
            "removed": {"token_revoked_at": now, "removed_at": now},
        }
        for number, (name, fields) in enumerate(rows.items()):
            Participant.objects.create(
                workshop=workshop,
                name=name,
                role="cio",
                side="technology",
                token_hash=f"{number:064x}",
                **fields,
            )
    finally:
        new_apps = _migrate(AFTER)
    try:
        keys = {
            p.name: (p.session_key, p.token_hash)
            for p in new_apps.get_model("workshops", "Participant").objects.all()
        }
    finally:
        _migrate_to_latest()  # the tests that follow need every later migration
    # A working link: the key is the hash its open pages' cookies hold, so they keep working.
    assert keys["answering"][0] == keys["answering"][1]
    # A withdrawn link or a removed participant: fresh random keys, so a new link later does
    # not bring their old pages back.
    for name in ("withdrawn", "removed"):
        key, token_hash = keys[name]
        assert key and key != token_hash and len(key) >= 43
    assert keys["withdrawn"][0] != keys["removed"][0]


@pytest.fixture(autouse=True)
def _back_to_the_latest_migrations():
    """Leave the database fully migrated: tests that run after this one on the same database
    need the tables of the migrations after `AFTER` (0007, 0008...)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
