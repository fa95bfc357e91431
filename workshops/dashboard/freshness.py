"""When a workshop's dashboard changes: every write that changes what it shows moves
`Workshop.dashboard_version` on, in the same transaction (`WorkshopQuerySet.dashboard_changed`).

What the dashboard reads, and what moves the version on when it changes:

* answers (value, "don't know", how many): any save or deletion of an `Answer` (the answering
  pages, the admin); a deletion that comes from deleting responses (a workshop deleted) does not,
  since its participants are gone already;
* responses submitted or reopened: any save of a `Response` (the admin), and
  `note_answers_changed`, called by the two writes that change a response's status with a
  queryset update (`respond_views.submit`, `services.reopen_answers`);
* participants (name, role, side, link opened, response, removed or restored): any save or
  deletion of a `Participant`;
* the facilitator's codings of free-text pairs: any save or deletion of a `TextCoding`.

A write made some other way (a queryset `update()`, raw SQL) must call `dashboard_changed()`
itself. Connected by `WorkshopsConfig.ready`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from surveys.models import Answer, Response

from ..models import Participant, TextCoding, Workshop


def note_answers_changed(response_id: int) -> None:
    """The answers or the status of this response changed: its workshop's dashboard with them."""
    Workshop.objects.dashboard_changed_for_response(response_id)


def _from_deleting(origin: Any, model: type) -> bool:
    return isinstance(origin, model) or (isinstance(origin, QuerySet) and origin.model is model)


@receiver(post_save, sender=Answer, dispatch_uid="dashboard_answer_saved")
@receiver(post_delete, sender=Answer, dispatch_uid="dashboard_answer_deleted")
def _answer_changed(sender: type, instance: Answer, origin: Any = None, **kwargs: Any) -> None:
    if _from_deleting(origin, Response) or _from_deleting(origin, Workshop):
        return
    note_answers_changed(instance.response_id)


@receiver(post_save, sender=Response, dispatch_uid="dashboard_response_saved")
def _response_changed(sender: type, instance: Response, **kwargs: Any) -> None:
    note_answers_changed(instance.pk)


@receiver(post_save, sender=Participant, dispatch_uid="dashboard_participant_saved")
@receiver(post_delete, sender=Participant, dispatch_uid="dashboard_participant_deleted")
def _participant_changed(
    sender: type, instance: Participant, origin: Any = None, **kwargs: Any
) -> None:
    if _from_deleting(origin, Workshop):
        return
    Workshop.objects.filter(pk=instance.workshop_id).dashboard_changed()


@receiver(post_save, sender=TextCoding, dispatch_uid="dashboard_coding_saved")
@receiver(post_delete, sender=TextCoding, dispatch_uid="dashboard_coding_deleted")
def _coding_changed(sender: type, instance: TextCoding, origin: Any = None, **kwargs: Any) -> None:
    if _from_deleting(origin, Workshop):
        return
    Workshop.objects.filter(pk=instance.workshop_id).dashboard_changed()
