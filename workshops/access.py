"""The one place where workshops and participants are looked up for a request.

Every view goes through these helpers, never a bare id from the request: facilitators see only
workshops they own or co-facilitate, executives only their own response (through the session
their personal link started). Anything else is a 404, so no one learns that it exists.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import Participant, Workshop

SESSION_KEY = "participant_ids"


def get_workshop_for_user(request: HttpRequest, workshop_pk: int) -> Workshop:
    """The workshop if the logged-in facilitator owns or co-facilitates it, else 404."""
    queryset = Workshop.objects.for_facilitator(request.user).select_related(
        "organisation", "questionnaire", "owner"
    )
    return get_object_or_404(queryset, pk=workshop_pk)


def get_participant_for_user(
    request: HttpRequest, workshop: Workshop, participant_pk: int
) -> Participant:
    """A participant of a workshop the facilitator may see (already checked), else 404."""
    return get_object_or_404(
        Participant.objects.active().select_related("response"),
        pk=participant_pk,
        workshop=workshop,
    )


def remember_participant(request: HttpRequest, participant: Participant) -> None:
    """After a valid personal link: this browser may answer as this participant.

    The session keeps the participant's token hash, so revoking or regenerating the link also
    ends every browser session that the old link had started.
    """
    allowed = dict(request.session.get(SESSION_KEY, {}))
    allowed[str(participant.pk)] = participant.token_hash
    request.session.cycle_key()
    request.session[SESSION_KEY] = allowed


def get_participant_for_session(request: HttpRequest, participant_pk: int) -> Participant:
    """The participant this browser opened a personal link for, still valid, else 404."""
    token_hash = request.session.get(SESSION_KEY, {}).get(str(participant_pk))
    if not token_hash:
        raise Http404("Open your personal link again.")
    return get_object_or_404(
        Participant.objects.active()
        .filter(token_revoked_at__isnull=True, token_hash=token_hash)
        .select_related(
            "workshop", "workshop__organisation", "response", "response__questionnaire"
        ),
        pk=participant_pk,
    )


def get_removed_participant_for_user(
    request: HttpRequest, workshop: Workshop, participant_pk: int
) -> Participant:
    """A removed participant of a workshop the facilitator may see (already checked), else 404.

    Only the restore action looks removed participants up; every other view uses
    `get_participant_for_user`, which does not know them.
    """
    return get_object_or_404(
        Participant.objects.removed().select_related("response"),
        pk=participant_pk,
        workshop=workshop,
    )
