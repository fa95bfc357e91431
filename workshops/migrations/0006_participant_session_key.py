"""Participant.session_key: what an executive's access cookie carries instead of the link's hash.

Added nullable, filled row by row, then made required: a default on AddField would be computed
once and give every existing participant the same key. A participant whose link works gets
their current link's hash as key, which is what the cookies of their open pages carry today, so
nobody answering during the upgrade loses their page. A withdrawn link or a removed participant
gets a fresh random key: their old cookies must not come back to life with a new link.
"""

import secrets

from django.db import migrations, models

import workshops.models

BATCH = 500


def fill_session_keys(apps, schema_editor):
    Participant = apps.get_model("workshops", "Participant")
    rows = Participant.objects.filter(session_key__isnull=True).only(
        "pk", "token_hash", "token_revoked_at", "removed_at"
    )
    batch = []
    for participant in rows.iterator(chunk_size=BATCH):
        still_open = participant.token_revoked_at is None and participant.removed_at is None
        participant.session_key = (
            participant.token_hash if still_open else secrets.token_urlsafe(32)
        )
        batch.append(participant)
        if len(batch) == BATCH:
            Participant.objects.bulk_update(batch, ["session_key"])
            batch = []
    if batch:
        Participant.objects.bulk_update(batch, ["session_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0002_answer_draft"),
        ("workshops", "0005_invitation_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="session_key",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_session_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="participant",
            name="session_key",
            field=models.CharField(
                default=workshops.models.new_session_key, editable=False, max_length=64
            ),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.CheckConstraint(
                condition=models.Q(("session_key", ""), _negated=True),
                name="participant_session_key_set",
            ),
        ),
    ]
