"""The session's run-sheet, planned from the comparison: pure functions over plain values.

Blocks, in order: opening and reveal; agreements to confirm (every question the two groups
agree on, listed so the room can bank them quickly); one block per theme; owners and next
steps; the parking lot. A theme is a declared topic (`surveys.topics`: questions that express
one underlying disagreement, across sections) or, for a question without one, its section.
Only questions that are partly or differ are discussed in a theme, and those on which a side
misreads the other (a misperception: what it expected the other to answer differs from what
the other answered), whatever their label: a misperception is often the most productive item.

Order: within a block, the biggest importance-weighted gap leads (`ITEM_ORDER`); themes follow
each other by the sum of their items' weighted gaps. Time boxes add up to the session's length
(`time_boxes`): the facilitator may set a block's minutes, and the blocks left to the plan share
what remains. The facilitator's arrangement (order, merges, drops, minutes) is stored as
`BlockChoice`s and applied with `arrange`; nothing here reads the database or writes prose.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

OPENING, AGREEMENTS, THEME, OWNERS, PARKING = "opening", "agreements", "theme", "owners", "parking"
DISCUSSED = frozenset({"partly", "differ"})


@dataclass(frozen=True, slots=True)
class PlanItem:
    """A question as the run-sheet orders it."""

    pk: int
    #: Its place in the questionnaire (1, 2, ...): the last tie-breaker.
    number: int
    section_code: str
    topic: str
    #: "agree", "partly", "differ", or anything else (not scored).
    label: str
    #: Importance-weighted gap, (1 - similarity) x importance; None when not scored.
    gap: float | None
    similarity: float | None
    importance: float = 1.0
    has_reference: bool = False
    #: A side misreads the other here (`workshops.dashboard.perception`): discussed, never
    #: only confirmed, even when the two agree.
    misperceived: bool = False

    @property
    def discussed(self) -> bool:
        return self.label in DISCUSSED or self.misperceived

    @property
    def theme(self) -> str:
        """The theme block the question is discussed in."""
        return f"topic:{self.topic}" if self.topic else f"section:{self.section_code}"


def item_order(item: PlanItem) -> tuple:
    """How items are ordered within a block. Ties are broken in this order: the lower
    alignment, the question that counts more, the one with a published figure, and finally
    the questionnaire's own order."""
    return (
        -(item.gap or 0.0),
        item.similarity if item.similarity is not None else 1.0,
        -item.importance,
        not item.has_reference,
        item.number,
    )


#: The stated order of tie-breakers (the page explains it): codes, not words.
ITEM_ORDER = ("gap", "alignment", "importance", "published_figure", "questionnaire_order")


@dataclass(frozen=True, slots=True)
class BlockChoice:
    """The facilitator's arrangement of one block, as stored (`RunSheetBlock`)."""

    key: str
    part: str
    minutes: int | None = None
    merged_into: str = ""
    dropped: bool = False


@dataclass
class Block:
    key: str
    part: str
    items: list[PlanItem] = field(default_factory=list)
    #: Minutes the facilitator set (None: the plan shares the time left).
    fixed: int | None = None
    minutes: int = 0
    #: Keys of the blocks merged into this one, in order.
    merged: list[str] = field(default_factory=list)
    dropped: bool = False

    @property
    def weight(self) -> float:
        return sum(item.gap or 0.0 for item in self.items)

    @property
    def first_number(self) -> int:
        return min((item.number for item in self.items), default=0)

    @property
    def themes(self) -> list[str]:
        """The themes this block covers: its own key and those merged into it."""
        return [self.key, *self.merged]


def default_blocks(items: Iterable[PlanItem]) -> list[Block]:
    """The plan before the facilitator changes anything."""
    items = list(items)
    agreements = sorted(
        (i for i in items if i.label == "agree" and not i.misperceived), key=lambda i: i.number
    )
    themes: dict[str, list[PlanItem]] = {}
    for item in sorted((i for i in items if i.discussed), key=item_order):
        themes.setdefault(item.theme, []).append(item)
    theme_blocks = [Block(key, THEME, group) for key, group in themes.items()]
    theme_blocks.sort(key=lambda block: (-block.weight, block.first_number))
    return [
        Block(OPENING, OPENING),
        Block(AGREEMENTS, AGREEMENTS, agreements),
        *theme_blocks,
        Block(OWNERS, OWNERS),
        Block(PARKING, PARKING),
    ]


def arrange(blocks: Sequence[Block], choices: Sequence[BlockChoice]) -> list[Block]:
    """Apply the stored arrangement: the stored order (blocks the plan has gained since, e.g. a
    theme with a new disagreement, go before "owners"), minutes set, merges and drops. A merge
    into a block that no longer exists is undone; a stored block the plan lost is ignored."""
    if not choices:
        return [replace(block, items=list(block.items)) for block in blocks]
    by_key = {block.key: replace(block, items=list(block.items), merged=[]) for block in blocks}
    stored = [choice for choice in choices if choice.key in by_key]
    order = [choice.key for choice in stored]
    known = set(order)
    new = [block.key for block in blocks if block.key not in known]
    at = order.index(OWNERS) if OWNERS in order else len(order)
    order[at:at] = new
    for choice in stored:
        block = by_key[choice.key]
        block.fixed = choice.minutes
        block.dropped = choice.dropped
    arranged = []
    for key in order:
        block = by_key[key]
        choice = next((c for c in stored if c.key == key), None)
        target = by_key.get(choice.merged_into) if choice and choice.merged_into else None
        if target is not None and target is not block and target.part == block.part == THEME:
            target.merged.append(block.key)
            target.items.extend(block.items)
            continue
        arranged.append(block)
    for block in arranged:
        block.items.sort(key=item_order)
    return arranged


def allocate(total: int, desired: Mapping[str, float]) -> dict[str, int]:
    """Whole minutes for each key, in proportion to `desired`, adding up to exactly `total`
    (largest remainder; ties to the earlier key). Nothing desired: all to none."""
    if total <= 0 or not desired:
        return dict.fromkeys(desired, 0)
    weight = sum(max(value, 0.0) for value in desired.values())
    if weight <= 0:
        desired = dict.fromkeys(desired, 1.0)
        weight = float(len(desired))
    exact = {key: total * max(value, 0.0) / weight for key, value in desired.items()}
    minutes = {key: math.floor(value) for key, value in exact.items()}
    left = total - sum(minutes.values())
    keys = list(exact)
    for key in sorted(keys, key=lambda k: (-(exact[k] - minutes[k]), keys.index(k)))[:left]:
        minutes[key] += 1
    return minutes


def desired_minutes(block: Block, total: int, theme_share: float) -> float:
    """What a block left to the plan would like, before fitting into the time left: a tenth of
    the session to open, half a minute per agreement to confirm (two at least, ten at most),
    15 % for owners and next steps, five minutes of parking lot (three in a short session); the
    themes share the rest by their weighted gaps (`theme_share` a unit of gap)."""
    if block.part == OPENING:
        return max(5.0, total * 0.10)
    if block.part == AGREEMENTS:
        return 0.0 if not block.items else min(10.0, 2.0 + len(block.items) * 0.5)
    if block.part == OWNERS:
        return max(5.0, total * 0.15)
    if block.part == PARKING:
        return 5.0 if total >= 60 else 3.0
    return max(block.weight, 0.05) * theme_share


@dataclass(frozen=True, slots=True)
class Timing:
    total: int
    #: Minutes the blocks add up to, and by how much they miss the session's length (positive:
    #: over; only when the facilitator's own time boxes leave nothing to share or too much).
    planned: int
    over: int

    @property
    def under(self) -> int:
        return max(-self.over, 0)


def time_boxes(blocks: Sequence[Block], total: int) -> Timing:
    """Set each kept block's minutes so that they add up to `total`: set time boxes are kept,
    and the others share what is left (`desired_minutes`, fitted by `allocate`)."""
    kept = [block for block in blocks if not block.dropped]
    for block in blocks:
        block.minutes = 0
    fixed = sum(block.fixed or 0 for block in kept if block.fixed is not None)
    auto = [block for block in kept if block.fixed is None]
    structural = sum(desired_minutes(b, total, 0.0) for b in auto if b.part != THEME)
    theme_weight = sum(max(b.weight, 0.05) for b in auto if b.part == THEME)
    room = max(total - fixed - structural, 0.0)
    theme_share = room / theme_weight if theme_weight else 0.0
    desired = {block.key: desired_minutes(block, total, theme_share) for block in auto}
    shares = allocate(max(total - fixed, 0), desired)
    for block in kept:
        block.minutes = block.fixed if block.fixed is not None else shares[block.key]
    planned = sum(block.minutes for block in kept)
    return Timing(total=total, planned=planned, over=planned - total)


def choices_of(blocks: Sequence[Block]) -> list[BlockChoice]:
    """The arrangement as it stands, to store: every block, merged ones after their own place."""
    found: list[BlockChoice] = []
    for block in blocks:
        found.append(BlockChoice(block.key, block.part, block.fixed, "", block.dropped))
        found.extend(BlockChoice(key, THEME, None, block.key, False) for key in block.merged)
    return found


class CannotChange(ValueError):
    """A change that does not apply to the run-sheet as it stands (a stale page)."""


def change(blocks: list[Block], op: str, key: str, *, minutes: int | None = None) -> list[Block]:
    """One change by the facilitator: "up", "down", "drop", "restore", "merge" (into the theme
    block above), "split" (undo the merges into it), "minutes" (set a time box; None: back
    to the plan). Returns the new arrangement; `CannotChange` when it does not apply."""
    index = next((i for i, block in enumerate(blocks) if block.key == key), None)
    if index is None:
        raise CannotChange(key)
    block = blocks[index]
    blocks = list(blocks)
    if op == "up" and index > 0:
        blocks[index - 1], blocks[index] = blocks[index], blocks[index - 1]
    elif op == "down" and index < len(blocks) - 1:
        blocks[index + 1], blocks[index] = blocks[index], blocks[index + 1]
    elif op == "drop":
        block.dropped = True
    elif op == "restore":
        block.dropped = False
    elif op == "minutes":
        block.fixed = minutes
    elif op == "merge":
        above = next((b for b in reversed(blocks[:index]) if b.part == THEME), None)
        if block.part != THEME or above is None:
            raise CannotChange(key)
        above.merged.extend([block.key, *block.merged])
        above.items.extend(block.items)
        above.items.sort(key=item_order)
        if above.fixed is not None or block.fixed is not None:
            above.fixed = (above.fixed or 0) + (block.fixed or 0) or None
        del blocks[index]
    elif op == "split":
        if not block.merged:
            raise CannotChange(key)
        block.merged = []  # the merged blocks come back where the plan puts them
    else:
        raise CannotChange(op)
    return blocks
