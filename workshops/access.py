"""The one place where workshops and participants are looked up for a request.

Every view goes through these helpers, never a bare id from the request: facilitators see only
workshops they own or co-facilitate, executives only their own response (through the access
cookie their personal link set). Anything else is a 404, so no one learns that it exists.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation

from .models import Organisation, Participant, SignOff, Workshop

#: The cookie that lets a browser answer as one participant: signed, scoped to that
#: participant's pages (/respond/<pk>/), holding the participant's id and session key.
ACCESS_COOKIE = "participant_access"
_ACCESS_SALT = "workshops.access.participant"


def access_cookie_name() -> str:
    """The access cookie's name: `__Secure-` prefixed when cookies are Secure (production), so
    browsers refuse it from a plain-http page. Not `__Host-`, which needs the path /."""
    return f"__Secure-{ACCESS_COOKIE}" if settings.SESSION_COOKIE_SECURE else ACCESS_COOKIE


def get_workshop_for_user(request: HttpRequest, workshop_pk: int) -> Workshop:
    """The workshop if the logged-in facilitator owns or co-facilitates it, else 404."""
    queryset = Workshop.objects.for_facilitator(request.user).select_related(
        "organisation", "questionnaire", "owner"
    )
    return get_object_or_404(queryset, pk=workshop_pk)


def get_workshop_for_outcome(request: HttpRequest, workshop_pk: int) -> Workshop:
    """`get_workshop_for_user` for the run-sheet and the outcome: also reads, in the same
    query, the biases and parking lot (`outcome_notes`) and the standing sign-off."""
    return get_object_or_404(
        outcome_workshops(
            Workshop.objects.for_facilitator(request.user).select_related(
                "organisation", "questionnaire", "owner"
            )
        ),
        pk=workshop_pk,
    )


def outcome_workshops(queryset: QuerySet[Workshop]) -> QuerySet[Workshop]:
    """Workshops with their outcome notes and standing sign-off (`signed_by`, `signed_at`:
    None when the outcome is not signed off), read in the workshop's own query."""
    standing = SignOff.objects.filter(workshop=OuterRef("pk"), reopened_at__isnull=True)
    return queryset.select_related("outcome_notes").annotate(
        signed_by=Subquery(standing.values("signed_by")[:1]),
        signed_at=Subquery(standing.values("signed_at")[:1]),
    )


def get_organisation_for_user(request: HttpRequest, organisation_pk: int) -> Organisation:
    """A client of a workshop the facilitator owns or co-facilitates (or one they created),
    else 404. Its page lists only the workshops they may see."""
    return get_object_or_404(Organisation.objects.for_facilitator(request.user), pk=organisation_pk)


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for support staff only (the Django admin's users): anyone else is sent to the
    admin's login, which refuses facilitators. Importing a workshop file is one."""
    return staff_member_required(view)


def get_participant_for_user(
    request: HttpRequest, workshop: Workshop, participant_pk: int
) -> Participant:
    """A participant of a workshop the facilitator may see (already checked), else 404."""
    return get_object_or_404(
        Participant.objects.active().select_related("response"),
        pk=participant_pk,
        workshop=workshop,
    )


def remember_participant(response: HttpResponse, participant: Participant) -> HttpResponse:
    """After a valid personal link: this browser may answer as this participant.

    A signed cookie rather than a server-side session: reading it costs no query on the pages
    an executive uses most. It keeps the participant's session key (not the link's hash),
    which every request checks against the database: a reminder or a new link leaves the page
    working, while withdrawing the link or replacing a leaked one (`Participant.end_sessions`)
    ends access from every browser at once. It expires like a session (SESSION_COOKIE_AGE).
    """
    response.set_signed_cookie(
        access_cookie_name(),
        f"{participant.pk}:{participant.session_key}",
        salt=_ACCESS_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        path=reverse("workshops:respond", args=[participant.pk]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def access_cookie_value(participant: Participant) -> str:
    """The access cookie's value for this participant, as a browser holds it (for scripts that
    play executives, such as the benchmark)."""
    return remember_participant(HttpResponse(), participant).cookies[access_cookie_name()].value


class NotInQuestionnaire(Http404):
    """A page that does not exist for an executive whose link works (a section number out of
    range, results not shared yet): the 404 page says what is wrong and leads back to their
    questionnaire, rather than asking them to open their link again."""

    def __init__(self, participant_pk: int, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.participant_pk = participant_pk
        self.message = message
        self.detail = detail


def get_participant_for_session(
    request: HttpRequest, participant_pk: int, *, for_page: bool = True
) -> Participant:
    """The participant this browser opened a personal link for, still valid, else 404.

    Still valid: the participant is not removed, their link is not withdrawn, and the cookie's
    session key is the current one; all three in the one query the lookup costs.

    `for_page=False` reads only what autosave uses (`ParticipantQuerySet.answering`); anything
    else on the participant, its workshop or its response would cost a query more.
    """
    try:
        value = request.get_signed_cookie(
            access_cookie_name(), salt=_ACCESS_SALT, max_age=settings.SESSION_COOKIE_AGE
        )
    except (KeyError, signing.BadSignature):  # no cookie, a forged one, or an expired one
        raise Http404("Open your personal link again.") from None
    pk, _, session_key = value.partition(":")
    if pk != str(participant_pk) or not session_key:
        raise Http404("Open your personal link again.")
    participant = get_object_or_404(
        Participant.objects.answering(for_page=for_page), pk=participant_pk, session_key=session_key
    )
    speak_their_language(request, participant)
    return participant


def speak_their_language(request: HttpRequest, participant: Participant) -> None:
    """The executive's pages in their language: the one they chose with the switcher, else the
    workshop's (whatever the browser or a facilitator's session in it would say)."""
    language = participant.answering_language
    translation.activate(language)
    request.LANGUAGE_CODE = language


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
