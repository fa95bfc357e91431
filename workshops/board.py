"""The progress board: one row per participant, worked out once per request.

The open workshop page polls the board every few seconds (`templates/workshops/_board.html`),
and a room can hold sixty executives or more. So the board reads its participants in one query
of plain values, not model instances, and works out here, once per row, what the row shows:
where the answers stand, how the personal link reached them, and which actions make sense. The
template then only places these values; the rules themselves stay on the models
(`ProgressState.of`, `LinkState.of`), shared with the rest of the app.

A row is a dict (`BoardRow`), not an object: the template language looks a name up as a key
first, and a row's dozen names are read sixty times a refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from django.utils import timezone
from django.utils.html import avoid_wrapping
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import gettext

from .models import (
    PREDICTING_SIDES,
    DeliveryState,
    LinkState,
    Participant,
    ProgressState,
    Role,
    Side,
    Workshop,
)


class Delivery(TypedDict):
    """How the latest email carrying the current link went (`InvitationDelivery`)."""

    state: str
    attempts: int
    reason: str
    #: When it got into its state, as the board says it: queued, last tried (failed) or sent.
    ago: str


class BoardRow(TypedDict):
    """One participant's row on the board, with every value it shows already worked out."""

    pk: int
    #: The pk as the page writes it (row id, button value): a number would be localised anew
    #: each time.
    id: str
    name: str
    email: str
    role_label: str
    side_label: str
    state: ProgressState
    state_label: str
    is_submitted: bool
    answered_count: int
    #: Of how many questions (the prediction questions count only for the sides asked them).
    question_total: int
    #: "5 minutes ago" (`time_ago`): the last activity, the submission, the link's state.
    activity_ago: str
    submitted_ago: str
    link_state: LinkState
    link_withdrawn: bool
    link_ago: str
    #: The latest email, when the current link was emailed (None for a link shown to copy, and
    #: for links emailed before emails were queued).
    delivery: Delivery | None
    has_response: bool
    invited: bool
    #: What the actions menu offers, given the workshop's status.
    can_reopen: bool
    can_email: bool
    can_retry: bool


#: Django's own units (`django.utils.timesince`), largest first, so their translations apply.
_UNITS = ((7 * 24 * 60 * 60, "week"), (24 * 60 * 60, "day"), (60 * 60, "hour"), (60, "minute"))
_FOUR_WEEKS = 28 * 24 * 60 * 60


def time_ago(value: datetime | None, now: datetime, said: dict[tuple[str, int], str]) -> str:
    """“5 minutes ago”, in one unit only, which is what a glance at the board needs ("just
    now" under a minute): Django's `timesince(value, depth=1)`, worked out directly under four
    weeks (months and years need the calendar: Django's own then). A board says "3 hours ago"
    many times over: each distinct text is translated once per board, kept in `said`."""
    if value is None:
        return ""
    seconds = int((now - value).total_seconds())
    if seconds >= _FOUR_WEEKS:
        return gettext("%(time)s ago") % {"time": timesince(value, now, depth=1)}
    unit, count = next(
        ((unit, seconds // size) for size, unit in _UNITS if seconds >= size), ("", 0)
    )
    key = (unit, count)
    if key not in said:
        if not unit:
            said[key] = gettext("just now")
        else:
            amount = avoid_wrapping(TIME_STRINGS[unit] % {"num": count})
            said[key] = gettext("%(time)s ago") % {"time": amount}
    return said[key]


def _delivery(
    p: dict[str, Any], now: datetime, said: dict[tuple[str, int], str]
) -> Delivery | None:
    """The latest email's state, and when it got there: queued, last tried (failed), sent."""
    state = p["delivery_state"]
    if state is None:
        return None
    when = {
        DeliveryState.QUEUED: p["queued_at"],
        DeliveryState.FAILED: p["last_tried_at"],
        DeliveryState.SENT: p["sent_at"],
    }.get(state)
    return Delivery(
        state=state, attempts=p["attempts"], reason=p["reason"], ago=time_ago(when, now, said)
    )


def board_rows(workshop: Workshop, question_totals: tuple[int, int] = (0, 0)) -> list[BoardRow]:
    """The board's rows, active participants in the order they were added: one query.
    `question_totals`: how many questions a participant is asked, without and with the
    prediction questions (asked only of the sides in `PREDICTING_SIDES`)."""
    closed = workshop.is_closed
    roles, sides = dict(Role.choices), dict(Side.choices)
    now, said = timezone.now(), {}
    rows = []
    for p in Participant.objects.filter(workshop=workshop).for_board():
        state = ProgressState.of(p["response_id"], p["status"], opened=p["opened"])
        revoked_at, invited_at, issued_at = (
            p["token_revoked_at"],
            p["invited_at"],
            p["token_created_at"],
        )
        link_state = LinkState.of(revoked_at, invited_at, issued_at, unsent=p["link_unsent"])
        delivery = _delivery(p, now, said) if link_state == LinkState.EMAILED else None
        submitted = state == ProgressState.SUBMITTED
        rows.append(
            BoardRow(
                pk=p["pk"],
                id=str(p["pk"]),
                name=p["name"],
                email=p["email"],
                role_label=roles.get(p["role"], p["role"]),
                side_label=sides.get(p["side"], p["side"]),
                state=state,
                state_label=state.label,
                is_submitted=submitted,
                answered_count=p["answered_count"] or 0,
                question_total=question_totals[p["side"] in PREDICTING_SIDES],
                activity_ago=time_ago(p["last_activity_at"], now, said),
                submitted_ago=time_ago(p["submitted_at"], now, said),
                link_state=link_state,
                link_withdrawn=link_state == LinkState.WITHDRAWN,
                link_ago=time_ago(
                    LinkState.since(link_state, revoked_at, invited_at, issued_at), now, said
                ),
                delivery=delivery,
                has_response=p["response_id"] is not None,
                invited=invited_at is not None,
                can_reopen=submitted and not closed,
                can_email=bool(p["email"]) and not closed,
                can_retry=delivery is not None
                and delivery["state"] == DeliveryState.FAILED
                and not closed,
            )
        )
    return rows


@dataclass(frozen=True)
class BoardSummary:
    total: int
    submitted: int
    in_progress: int
    not_opened: int

    @classmethod
    def of(cls, rows: list[BoardRow]) -> BoardSummary:
        states = [row["state"] for row in rows]
        return cls(
            total=len(rows),
            submitted=states.count(ProgressState.SUBMITTED),
            in_progress=states.count(ProgressState.IN_PROGRESS),
            not_opened=states.count(ProgressState.NOT_OPENED),
        )

    @property
    def not_submitted(self) -> int:
        return self.total - self.submitted

    @property
    def percent_submitted(self) -> int:
        return round(100 * self.submitted / self.total) if self.total else 0
