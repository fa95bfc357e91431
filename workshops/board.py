"""The progress board: one row per participant, worked out once per request.

The open workshop page polls the board every few seconds (`templates/workshops/_board.html`),
and a room can hold sixty executives or more. So the board reads its participants in one query
of plain values, not model instances, and works out here, once per row, what the row shows:
where the answers stand, how the personal link reached them, and which actions make sense. The
template then only places these values; the rules themselves stay on the models
(`ProgressState.of`, `LinkState.of`), shared with the rest of the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.html import avoid_wrapping
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import gettext

from .models import DeliveryState, LinkState, Participant, ProgressState, Role, Side, Workshop

#: What the board offers for each participant, by URL name (`workshops:participant_<action>`).
PARTICIPANT_ACTIONS = ("reopen", "invite", "retry_email", "new_link", "revoke", "edit", "remove")


@dataclass(frozen=True, slots=True)
class Delivery:
    """How the latest email carrying the current link went (`InvitationDelivery`)."""

    state: str
    attempts: int
    reason: str
    #: When it got into its state, as the board says it: queued, last tried (failed) or sent.
    ago: str


@dataclass(slots=True)
class BoardRow:
    """One participant's row on the board, with every value it shows already worked out."""

    pk: int
    name: str
    email: str
    role_label: str
    side_label: str
    state: ProgressState
    answered_count: int
    #: "5 minutes ago" (`time_ago`): the last activity, the submission, the link's state.
    activity_ago: str
    submitted_ago: str
    link_state: LinkState
    link_ago: str
    #: The latest email, when the current link was emailed (None for a link shown to copy, and
    #: for links emailed before emails were queued).
    delivery: Delivery | None
    has_response: bool
    invited: bool
    #: The action URLs by action (`PARTICIPANT_ACTIONS`).
    urls: dict[str, str]
    #: What the actions menu offers, given the workshop's status.
    can_reopen: bool
    can_email: bool
    can_retry: bool

    @property
    def state_label(self) -> str:
        return self.state.label

    @property
    def is_submitted(self) -> bool:
        return self.state == ProgressState.SUBMITTED

    @property
    def link_withdrawn(self) -> bool:
        return self.link_state == LinkState.WITHDRAWN


def action_urls(workshop: Workshop) -> Callable[[int], dict[str, str]]:
    """A participant's action URLs by action, from one reverse() per action and page rather
    than one per link (seven links a participant, 420 for a room of 60): each URL reversed
    once with a stand-in participant, whose number is then replaced."""
    parts: dict[str, tuple[str, str]] = {}
    for action in PARTICIPANT_ACTIONS:
        sample = reverse(f"workshops:participant_{action}", args=[workshop.pk, 0])
        head, _, tail = sample.rpartition("/0/")
        assert sample == f"{head}/0/{tail}", sample
        parts[action] = (head, tail)
    return lambda pk: {action: f"{head}/{pk}/{tail}" for action, (head, tail) in parts.items()}


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


def _delivery_ago(row: dict, now: datetime, said: dict[tuple[str, int], str]) -> str:
    """When the latest email got into its state: queued, last tried (failed) or sent."""
    when = {
        DeliveryState.QUEUED: row["queued_at"],
        DeliveryState.FAILED: row["last_tried_at"],
        DeliveryState.SENT: row["sent_at"],
    }.get(row["delivery_state"])
    return time_ago(when, now, said)


def board_rows(workshop: Workshop) -> list[BoardRow]:
    """The board's rows, active participants in the order they were added: one query."""
    urls = action_urls(workshop)
    closed = workshop.is_closed
    roles, sides = dict(Role.choices), dict(Side.choices)
    now, said = timezone.now(), {}
    rows = []
    for p in Participant.objects.filter(workshop=workshop).for_board():
        state = ProgressState.of(p["response_id"], p["status"], p["first_opened_at"])
        revoked_at, invited_at, issued_at = (
            p["token_revoked_at"],
            p["invited_at"],
            p["token_created_at"],
        )
        link_state = LinkState.of(revoked_at, invited_at, issued_at)
        delivery = None
        if link_state == LinkState.EMAILED and p["delivery_state"] is not None:
            delivery = Delivery(
                p["delivery_state"], p["attempts"], p["reason"], _delivery_ago(p, now, said)
            )
        rows.append(
            BoardRow(
                pk=p["pk"],
                name=p["name"],
                email=p["email"],
                role_label=roles.get(p["role"], p["role"]),
                side_label=sides.get(p["side"], p["side"]),
                state=state,
                answered_count=p["answered_count"] or 0,
                activity_ago=time_ago(p["last_activity_at"], now, said),
                submitted_ago=time_ago(p["submitted_at"], now, said),
                link_state=link_state,
                link_ago=time_ago(
                    LinkState.since(link_state, revoked_at, invited_at, issued_at), now, said
                ),
                delivery=delivery,
                has_response=p["response_id"] is not None,
                invited=invited_at is not None,
                urls=urls(p["pk"]),
                can_reopen=state == ProgressState.SUBMITTED and not closed,
                can_email=bool(p["email"]) and not closed,
                can_retry=delivery is not None
                and delivery.state == DeliveryState.FAILED
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
        states = [row.state for row in rows]
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
