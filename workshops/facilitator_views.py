"""The facilitator's side: workshops, participants, invitations and progress.

Every view finds its workshop through `access.get_workshop_for_user` (a 404 for workshops the
user neither owns nor co-facilitates) and its participant through
`access.get_participant_for_user`. Every change is a POST, and every change worth knowing about
is written to the workshop's audit trail by the service that makes it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from surveys.models import Question

from . import services
from .access import (
    get_participant_for_user,
    get_removed_participant_for_user,
    get_workshop_for_user,
)
from .board import BoardRow, BoardSummary, board_rows
from .dashboard import attach_alignment
from .forms import AddParticipantForm, ParticipantForm, RevealForm, WorkshopForm
from .models import LinkState, Participant, ParticipantAddition, StatusMove, Workshop
from .paths import each_path

WORKSHOPS_PER_PAGE = 20
AUDIT_EVENTS_ON_BOARD = 15
AUDIT_EVENTS_PER_PAGE = 50
BOARD_REFRESH_SECONDS = 5


# Home.


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The facilitator's workshops (owned or co-facilitated) with progress, searchable.

    The page's participants are read once, with what their responses store (no answer is
    counted or read while nothing changed): they give each workshop's progress and the key
    of its alignment, computed earlier from the same participants and answers."""
    search = request.GET.get("q", "").strip()[:100]
    workshops = Workshop.objects.for_home(request.user, search)
    page = Paginator(workshops, WORKSHOPS_PER_PAGE).get_page(request.GET.get("page"))
    listed = Workshop.objects.home_page(page.object_list)  # with their progress
    # The participants are read only for alignments not kept from an earlier request.
    page.object_list = attach_alignment(listed)
    detail_url = each_path("workshops:detail")
    dashboard_url = each_path("workshops:dashboard")
    for workshop in listed:
        workshop.co_facilitating = workshop.owner_id != request.user.pk
        workshop.detail_url = detail_url(workshop.pk)
        workshop.dashboard_url = dashboard_url(workshop.pk)
        # The 0-100 figure of the alignment (0-1) the dashboard opens with.
        alignment = None if workshop.alignment is None else workshop.alignment.alignment
        workshop.alignment_score = None if alignment is None else round(100 * alignment)
    return render(request, "workshops/home.html", {"page": page, "search": search})


# Workshops.


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def workshop_create(request: HttpRequest) -> HttpResponse:
    form = WorkshopForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        workshop = services.plan_workshop(owner=request.user, **form.workshop_values())
        messages.success(
            request,
            gettext("“%(title)s” is ready. Add the participants next.") % {"title": workshop.title},
        )
        return redirect("workshops:detail", workshop.pk)
    return render(request, "workshops/workshop_form.html", {"form": form, "workshop": None})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def workshop_edit(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    form = WorkshopForm(request.POST or None, instance=workshop, user=request.user)
    if request.method == "POST" and form.is_valid():
        changed = services.update_workshop(workshop, actor=request.user, **form.workshop_values())
        messages.success(
            request, gettext("Workshop saved.") if changed else gettext("Nothing changed.")
        )
        return redirect("workshops:detail", workshop.pk)
    return render(request, "workshops/workshop_form.html", {"form": form, "workshop": workshop})


def _confirmation_url(workshop: Workshop, step: str, **choices: bool) -> str:
    """The workshop page asking to confirm `step` ("reveal" or a status), choices carried on."""
    query = urlencode({"confirm": step, **{name: "on" for name, on in choices.items() if on}})
    anchor = "reveal" if step == "reveal" else "confirm-status"
    return f"{reverse('workshops:detail', args=[workshop.pk])}?{query}#{anchor}"


@require_POST
@login_required
def workshop_status(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Move the workshop to its next (or previous) stage; closing stops all answering, so the
    workshop page asks first (a POST without `confirmed` is sent there)."""
    workshop = get_workshop_for_user(request, workshop_pk)
    status = request.POST.get("status", "")
    if not workshop.can_move_to(status):
        messages.error(request, gettext("That change of status is not possible from here."))
        return redirect("workshops:detail", workshop.pk)
    move = next(move for move in workshop.status_moves() if move.status == status)
    if move.needs_confirmation and request.POST.get("confirmed") != "1":
        return redirect(_confirmation_url(workshop, status))
    services.change_status(workshop, status, actor=request.user)
    messages.success(
        request,
        gettext("The workshop is now: %(status)s.") % {"status": workshop.get_status_display()},
    )
    return redirect("workshops:detail", workshop.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def workshop_delete(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Only the owner deletes, after a confirmation page that says what goes with it."""
    workshop = get_workshop_for_user(request, workshop_pk)
    if not workshop.is_owned_by(request.user):
        raise PermissionDenied(gettext("Only the workshop's owner can delete it."))
    if request.method == "POST":
        title = workshop.title
        services.delete_workshop(workshop, actor=request.user)
        messages.success(
            request, gettext("“%(title)s” and all its answers are deleted.") % {"title": title}
        )
        return redirect("workshops:home")
    participants = workshop.participants.all()
    return render(
        request,
        "workshops/workshop_delete.html",
        {
            "workshop": workshop,
            "participant_count": len(participants),
            "response_count": sum(1 for p in participants if p.response_id),
        },
    )


# The progress board.


def _board_context(request: HttpRequest, workshop: Workshop) -> dict[str, object]:
    """Everything the board partial shows, in two queries whatever the number of people
    (`workshops.board`).

    A row offers its actions on request: "Actions" asks for the board again with
    `?participant=<pk>`, and only that row shows its menu, open. The board, polled every few
    seconds, so renders one small button a row rather than a menu of six actions a row. Every
    action submits the board's one form to its own URL (`formaction`). The CSRF field is
    rendered once (`csrf_input`) for every form of the page: each {% csrf_token %} masks the
    token afresh."""
    totals = Question.objects.filter(section__questionnaire_id=workshop.questionnaire_id).aggregate(
        own=Count("pk", filter=Q(predicts__isnull=True)), all=Count("pk")
    )
    rows = board_rows(workshop, (totals["own"], totals["all"]))
    chosen = request.GET.get("participant", "")
    question_total = totals["own"]
    return {
        "workshop": workshop,
        "participants": rows,
        "chosen": int(chosen) if chosen.isdecimal() and len(chosen) < 19 else None,
        "summary": BoardSummary.of(rows),
        "question_total": question_total,
        "csrf_input": csrf_input(request),
        "refreshed_at": timezone.now(),
        "refresh_seconds": BOARD_REFRESH_SECONDS,
        "remind_count": sum(
            1
            for row in rows
            if not row["is_submitted"] and row["email"] and row["link_state"] == LinkState.EMAILED
        ),
        "waiting_count": sum(1 for row in rows if not row["is_submitted"]),
        "unsent_count": sum(1 for row in rows if row["link_state"] == LinkState.NOT_SENT),
    }


def _confirmations(
    request: HttpRequest, workshop: Workshop, participants: list[BoardRow]
) -> dict[str, Any]:
    """What the workshop page asks to confirm (`?confirm=closed` or `?confirm=reveal`), and
    whether a reveal is possible at all: the board's answer counts tell, without a query."""
    step = request.GET.get("confirm", "")
    answered_total = sum(1 for participant in participants if participant["answered_count"])
    moves = workshop.status_moves()
    confirm_move: StatusMove | None = next(
        (move for move in moves if move.needs_confirmation and move.status == step), None
    )
    confirm_reveal = step == "reveal" and answered_total > 0 and not workshop.is_revealed
    reveal_choice: dict[str, bool] = {}
    if confirm_reveal:
        form = RevealForm(request.GET)
        form.is_valid()  # two checkboxes: always valid
        reveal_choice = form.cleaned_data
    return {
        "status_moves": moves,
        "confirm_move": confirm_move,
        "confirm_reveal": confirm_reveal,
        "reveal_choice": reveal_choice,
        "nothing_to_reveal": "" if answered_total else services.NOTHING_TO_REVEAL,
        "answered_total": answered_total,
    }


@require_safe
@login_required
def workshop_detail(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """The workshop page: the live progress board, invitations, reveal and audit trail."""
    workshop = get_workshop_for_user(request, workshop_pk)
    context = _board_context(request, workshop)
    context.update(_confirmations(request, workshop, context["participants"]))
    add_form = AddParticipantForm(workshop=workshop)
    context.update(
        {
            "co_facilitators": list(workshop.co_facilitators.all()),
            "is_owner": workshop.is_owned_by(request.user),
            "add_form": add_form,
            "side_for_role": add_form.fields["side"].widget.attrs["data-side-for-role"],
            "reveal_form": RevealForm(
                initial={
                    "results_visible_to_participants": workshop.results_visible_to_participants,
                    "anonymous": workshop.anonymous,
                }
            ),
            "removed": list(
                Participant.objects.removed()
                .filter(workshop=workshop)
                .select_related("response")
                .order_by("-removed_at")
            ),
            "audit_events": list(
                workshop.audit_events.select_related("actor")[:AUDIT_EVENTS_ON_BOARD]
            ),
        }
    )
    return render(request, "workshops/detail.html", context)


@require_safe
@login_required
def workshop_board(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """The board partial alone: what the open workshop page polls every few seconds."""
    workshop = get_workshop_for_user(request, workshop_pk)
    return render(request, "workshops/_board.html", _board_context(request, workshop))


@require_safe
@login_required
def workshop_audit(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """The whole audit trail: who did what, and when."""
    workshop = get_workshop_for_user(request, workshop_pk)
    events = workshop.audit_events.select_related("actor")
    page = Paginator(events, AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "workshops/audit.html", {"workshop": workshop, "page": page})


# Blind until reveal.


@require_POST
@login_required
def workshop_reveal(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Reveal the results, once confirmed on the workshop page; afterwards, change what the
    reveal shares (no confirmation needed)."""
    workshop = get_workshop_for_user(request, workshop_pk)
    form = RevealForm(request.POST)
    form.is_valid()  # two checkboxes: always valid
    first_time = not workshop.is_revealed
    if first_time and request.POST.get("confirmed") != "1":
        return redirect(_confirmation_url(workshop, "reveal", **form.cleaned_data))
    try:
        services.reveal_results(
            workshop,
            actor=request.user,
            visible_to_participants=form.cleaned_data["results_visible_to_participants"],
            anonymous=form.cleaned_data["anonymous"],
        )
    except services.NothingToReveal as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("The results are revealed.")
            if first_time
            else gettext("Sharing settings saved."),
        )
    return redirect(reverse("workshops:detail", args=[workshop.pk]) + "#reveal")


@require_POST
@login_required
def workshop_hide_results(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    services.hide_results(workshop, actor=request.user)
    messages.success(
        request, gettext("The results are hidden again: everyone is blind until you reveal.")
    )
    return redirect(reverse("workshops:detail", args=[workshop.pk]) + "#reveal")


# Invitations.


@require_POST
@login_required
def workshop_invite_not_invited(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Email the invitation to everyone not invited yet (a follow-up's executives)."""
    workshop = get_workshop_for_user(request, workshop_pk)
    try:
        report = services.invite_everyone_not_invited(workshop, actor=request.user)
    except services.InvitationNotSent as error:
        messages.error(request, str(error))
        return redirect("workshops:detail", workshop.pk)
    if report.invited:
        count = len(report.invited)
        messages.success(
            request,
            ngettext(
                "Invitation queued for %(count)d participant, with their personal link. The "
                "board shows when it is sent.",
                "Invitations queued for %(count)d participants, each with their personal link. "
                "The board shows each one as it is sent.",
                count,
            )
            % {"count": count},
        )
    elif not report.without_email:
        messages.info(request, gettext("Nobody to invite: everyone has been sent a link."))
    if report.without_email:
        names = ", ".join(p.name for p in report.without_email)
        messages.warning(
            request,
            gettext(
                "No email address, so not invited: %(names)s. Copy their link from Actions in "
                "their row."
            )
            % {"names": names},
        )
    return redirect("workshops:detail", workshop.pk)


@require_POST
@login_required
def workshop_remind(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Email a new personal link to everyone who has not submitted yet."""
    workshop = get_workshop_for_user(request, workshop_pk)
    try:
        report = services.remind_everyone(workshop, actor=request.user)
    except services.InvitationNotSent as error:
        messages.error(request, str(error))
        return redirect("workshops:detail", workshop.pk)
    if report.reminded:
        count = len(report.reminded)
        messages.success(
            request,
            ngettext(
                "Reminder queued for %(count)d participant, with a new personal link (the "
                "earlier link no longer works). The board shows when it is sent.",
                "Reminder queued for %(count)d participants, with a new personal link each "
                "(their earlier links no longer work). The board shows each one as it is sent.",
                count,
            )
            % {"count": count},
        )
    elif not report.without_email and not report.passed_on:
        messages.info(
            request, gettext("Nobody to remind: everyone with a working link has submitted.")
        )
    if report.without_email:
        names = ", ".join(p.name for p in report.without_email)
        messages.warning(
            request, gettext("No email address, so not reminded: %(names)s.") % {"names": names}
        )
    if report.passed_on:
        messages.info(
            request,
            gettext(
                "Not reminded, since you pass their link on yourself (a reminder would replace "
                "it): %(names)s. To email them, use “Email invitation” in their row."
            )
            % {"names": ", ".join(p.name for p in report.passed_on)},
        )
    return redirect("workshops:detail", workshop.pk)


def _to_participant(participant: Participant) -> HttpResponse:
    url = reverse("workshops:detail", args=[participant.workshop_id])
    return redirect(f"{url}#participant-{participant.pk}")


@require_POST
@login_required
def participant_invite(request: HttpRequest, workshop_pk: int, participant_pk: int) -> HttpResponse:
    """Queue (or queue again) the invitation email, with a new personal link."""
    workshop = get_workshop_for_user(request, workshop_pk)
    participant = get_participant_for_user(request, workshop, participant_pk)
    participant.workshop = workshop
    resend = participant.invited_at is not None
    try:
        services.email_new_link(participant, actor=request.user)
    except services.InvitationNotSent as error:
        messages.error(request, str(error))
    else:
        text = (
            gettext(
                "Invitation to %(name)s <%(email)s> queued again, with a new link. "
                "The board shows when it is sent."
            )
            if resend
            else gettext(
                "Invitation to %(name)s <%(email)s> queued. The board shows when it is sent."
            )
        )
        messages.success(request, text % {"name": participant.name, "email": participant.email})
    return _to_participant(participant)


@require_POST
@login_required
def participant_retry_email(
    request: HttpRequest, workshop_pk: int, participant_pk: int
) -> HttpResponse:
    """Try a failed email again, as it was: same link, the worker's tries start afresh."""
    workshop = get_workshop_for_user(request, workshop_pk)
    participant = get_participant_for_user(request, workshop, participant_pk)
    participant.workshop = workshop
    try:
        services.retry_email(participant, actor=request.user)
    except services.InvitationNotSent as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("The email to %(name)s is queued again. The board shows when it is sent.")
            % {"name": participant.name},
        )
    return _to_participant(participant)


@require_POST
@login_required
def participant_new_link(
    request: HttpRequest, workshop_pk: int, participant_pk: int
) -> HttpResponse:
    """Issue a new personal link and show it once, to copy. The old link stops working.

    Pages the participant already has open keep working, unless the facilitator says the old
    link leaked (`leaked=1`, its own item in the actions menu): then every page opened with it
    is closed as well.

    Only a hash of each link is stored, so the current link cannot be shown again: this page is
    the only place the new one appears (it is deliberately not a redirect).
    """
    workshop = get_workshop_for_user(request, workshop_pk)
    participant = get_participant_for_user(request, workshop, participant_pk)
    participant.workshop = workshop
    leaked = request.POST.get("leaked") == "1"
    invitation = services.regenerate_link(participant, actor=request.user, end_sessions=leaked)
    return _show_link(request, invitation, leaked=leaked)


def _show_link(
    request: HttpRequest,
    invitation: services.Invitation,
    *,
    not_emailed: str = "",
    leaked: bool = False,
) -> HttpResponse:
    """The page that shows a personal link once, to copy: after "Copy a new link" (`leaked`
    when it replaced one that leaked), or after adding someone who was not emailed
    (`not_emailed` says why)."""
    participant = invitation.participant
    return render(
        request,
        "workshops/participant_link.html",
        {
            "workshop": participant.workshop,
            "participant": participant,
            "invitation": invitation,
            "added": bool(not_emailed),
            "not_emailed": not_emailed,
            "leaked": leaked,
        },
    )


@require_POST
@login_required
def participant_revoke(request: HttpRequest, workshop_pk: int, participant_pk: int) -> HttpResponse:
    """Withdraw the personal link: it and every browser session it started stop working."""
    workshop = get_workshop_for_user(request, workshop_pk)
    participant = get_participant_for_user(request, workshop, participant_pk)
    participant.workshop = workshop
    services.revoke_link(participant, actor=request.user)
    messages.success(
        request,
        gettext(
            "%(name)s's link is withdrawn. Their answers are kept; "
            "create a new link to let them continue."
        )
        % {"name": participant.name},
    )
    return _to_participant(participant)


# Participants.


def _email_on_adding(
    invitation: services.Invitation, *, wanted: bool, actor: AbstractBaseUser
) -> str:
    """Email a new participant their link if asked and possible; "" when sent, else why not."""
    participant = invitation.participant
    if not participant.email:
        return gettext("Not emailed: %(name)s has no email address.") % {"name": participant.name}
    if not wanted:
        return gettext("Not emailed: you chose to send the link yourself.")
    try:
        services.send_invitation(invitation, actor=actor)
    except services.InvitationNotSent as error:
        return gettext("Not emailed. %(reason)s") % {"reason": error}
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def participant_add(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Add an executive and email them their link; when it is not emailed, show it to copy."""
    workshop = get_workshop_for_user(request, workshop_pk)
    form = AddParticipantForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        added = _add_once(workshop, data, actor=request.user)
        if isinstance(added, Participant):  # this form had added them already
            messages.info(
                request,
                gettext(
                    "%(name)s was already added with this form (it was sent twice). Their "
                    "link was shown once: if you need it again, use Actions ▸ Copy a new link."
                )
                % {"name": added.name},
            )
            return _to_participant(added)
        invitation = added
        not_emailed = _email_on_adding(
            invitation, wanted=data["send_invitation"], actor=request.user
        )
        if not_emailed:
            return _show_link(request, invitation, not_emailed=not_emailed)
        participant = invitation.participant
        messages.success(
            request,
            gettext(
                "%(name)s is added and invited by email. The board shows when the email is sent."
            )
            % {"name": participant.name},
        )
        return _to_participant(participant)
    return render(
        request,
        "workshops/participant_form.html",
        {"workshop": workshop, "form": form, "participant": None},
        status=422 if form.is_bound else 200,
    )


def _add_once(
    workshop: Workshop, data: dict[str, Any], *, actor: AbstractBaseUser
) -> services.Invitation | Participant:
    """Add the executive the form describes, or return the one this same form added before.

    The form's one-time key is recorded in the transaction that adds the executive (see
    `ParticipantAddition`): of two identical requests at once, one adds and the other, refused
    by the database, returns what the first added. The emails go after the transaction.
    """
    key = data["submission"]
    if earlier := ParticipantAddition.added_by(workshop, key):
        return earlier
    try:
        with transaction.atomic():
            invitation = services.add_participant(
                workshop=workshop,
                name=data["name"],
                email=data["email"],
                role=data["role"],
                side=data["side"],
                actor=actor,
            )
            if key:
                ParticipantAddition.objects.create(
                    workshop=workshop, form_key=key, participant=invitation.participant
                )
    except IntegrityError:
        if earlier := ParticipantAddition.added_by(workshop, key):
            return earlier
        raise
    return invitation


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def participant_edit(request: HttpRequest, workshop_pk: int, participant_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    participant = get_participant_for_user(request, workshop, participant_pk)
    participant.workshop = workshop
    form = ParticipantForm(request.POST or None, instance=participant, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = services.edit_participant(
            participant,
            actor=request.user,
            name=data["name"],
            email=data["email"],
            role=data["role"],
            side=data["side"],
        )
        messages.success(
            request,
            gettext("%(name)s saved.") % {"name": participant.name}
            if changed
            else gettext("Nothing changed."),
        )
        return _to_participant(participant)
    return render(
        request,
        "workshops/participant_form.html",
        {"workshop": workshop, "form": form, "participant": participant},
        status=422 if form.is_bound else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def participant_remove(request: HttpRequest, workshop_pk: int, participant_pk: int) -> HttpResponse:
    """Remove a participant; if they have answered, confirm first (their answers are kept)."""
    workshop = get_workshop_for_user(request, workshop_pk)
    participant = get_participant_for_user(request, workshop, participant_pk)
    participant.workshop = workshop
    has_answers = participant.has_answers
    confirmed = request.method == "POST" and (
        request.POST.get("confirmed") == "1" or not has_answers
    )
    if confirmed:
        services.remove_participant(participant, actor=request.user)
        messages.success(
            request,
            (
                gettext(
                    "%(name)s is removed and their link no longer works. Their answers are "
                    "kept: restore them below if needed."
                )
                if has_answers
                else gettext("%(name)s is removed and their link no longer works.")
            )
            % {"name": participant.name},
        )
        return redirect(reverse("workshops:detail", args=[workshop.pk]) + "#removed")
    if request.method == "POST":
        return redirect("workshops:participant_remove", workshop.pk, participant.pk)
    return render(
        request,
        "workshops/participant_remove.html",
        {"workshop": workshop, "participant": participant, "has_answers": has_answers},
    )


@require_POST
@login_required
def participant_restore(
    request: HttpRequest, workshop_pk: int, participant_pk: int
) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    participant = get_removed_participant_for_user(request, workshop, participant_pk)
    participant.workshop = workshop
    services.restore_participant(participant, actor=request.user)
    messages.success(
        request,
        gettext(
            "%(name)s is back, with their answers. Their old link stays withdrawn: "
            "send the invitation again or copy a new link."
        )
        % {"name": participant.name},
    )
    return _to_participant(participant)


@require_POST
@login_required
def participant_reopen(request: HttpRequest, workshop_pk: int, participant_pk: int) -> HttpResponse:
    """Let a participant change their submitted answers again."""
    workshop = get_workshop_for_user(request, workshop_pk)
    participant = get_participant_for_user(request, workshop, participant_pk)
    participant.workshop = workshop
    try:
        services.reopen_answers(participant, actor=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext(
                "%(name)s's answers are open again: they can change them with their "
                "link and must submit again."
            )
            % {"name": participant.name},
        )
    return _to_participant(participant)
