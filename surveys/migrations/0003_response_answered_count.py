"""Responses store how many questions they answer (`Response.answered_count`, counted here once
for the answers given before) and a revision moved by every change; `surveys.answering` keeps
both in step from now on."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def count_answers(apps, schema_editor):
    Answer = apps.get_model("surveys", "Answer")
    Response = apps.get_model("surveys", "Response")
    answered = (
        Answer.objects.filter(Q(is_unknown=True) | Q(value__isnull=False), response=OuterRef("pk"))
        .order_by()
        .values("response")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Response.objects.update(answered_count=Coalesce(Subquery(answered), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_answer_draft"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="answered_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="response",
            name="revision",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_answers, migrations.RunPython.noop, elidable=True),
    ]
