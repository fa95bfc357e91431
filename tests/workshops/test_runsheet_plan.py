"""The run-sheet's planning: grouping by theme, ordering, time boxes and the facilitator's
changes, as pure functions (no database)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshops.runsheet import (
    AGREEMENTS,
    OPENING,
    OWNERS,
    PARKING,
    THEME,
    BlockChoice,
    CannotChange,
    PlanItem,
    allocate,
    arrange,
    change,
    choices_of,
    default_blocks,
    time_boxes,
)


def item(pk, *, label="differ", gap=0.5, topic="", section="s", similarity=None, **kw):
    return PlanItem(
        pk=pk,
        number=kw.pop("number", pk),
        section_code=section,
        topic=topic,
        label=label,
        gap=gap,
        similarity=(None if gap is None else 1 - gap) if similarity is None else similarity,
        **kw,
    )


def keys(blocks):
    return [block.key for block in blocks]


def test_blocks_in_order_opening_agreements_themes_owners_parking():
    blocks = default_blocks([item(1, topic="growth"), item(2, label="agree", gap=0.0)])
    assert keys(blocks) == [OPENING, AGREEMENTS, "topic:growth", OWNERS, PARKING]
    assert [i.pk for i in blocks[1].items] == [2]


def test_one_underlying_disagreement_shares_a_block_across_sections():
    items = [
        item(1, topic="growth", section="objectives"),
        item(2, topic="growth", section="kpis"),
        item(3, section="value"),
    ]
    themes = [b for b in default_blocks(items) if b.part == THEME]
    assert {b.key: [i.pk for i in b.items] for b in themes} == {
        "topic:growth": [1, 2],
        "section:value": [3],
    }


def test_only_partly_and_differ_are_discussed_and_unscored_are_left_out():
    items = [
        item(1, label="partly", gap=0.3),
        item(2, label="insufficient", gap=None),
        item(3, gap=0.6),
    ]
    themes = [b for b in default_blocks(items) if b.part == THEME]
    assert [i.pk for b in themes for i in b.items] == [3, 1]


def test_biggest_weighted_gap_leads_and_ties_break_in_the_stated_order():
    items = [
        item(1, gap=1.0, similarity=0.0, importance=1.0, number=1),
        item(2, gap=1.0, similarity=0.0, importance=1.0, has_reference=True, number=2),
        item(3, gap=1.0, similarity=0.5, importance=2.0, number=3),  # counts double
        item(4, gap=1.5, similarity=0.25, importance=2.0, number=4),
        item(5, gap=1.0, similarity=0.0, importance=1.0, number=5),
    ]
    (theme,) = [b for b in default_blocks(items) if b.part == THEME]
    # gap first (4); among gap 1.0: lower alignment (1, 2, 5 before 3); then importance
    # (equal); then a published figure (2); then the questionnaire's order (1 before 5).
    assert [i.pk for i in theme.items] == [4, 2, 1, 5, 3]


def test_themes_follow_each_other_by_their_total_gap():
    items = [item(1, topic="a", gap=0.4), item(2, topic="b", gap=0.5), item(3, topic="b", gap=0.2)]
    themes = [b.key for b in default_blocks(items) if b.part == THEME]
    assert themes == ["topic:b", "topic:a"]


@pytest.mark.parametrize("minutes", [15, 45, 60, 90, 120, 240])
def test_time_boxes_add_up_to_the_session(minutes):
    items = [item(i, topic=f"t{i % 4}", gap=0.1 * i) for i in range(1, 12)]
    items.append(item(99, label="agree", gap=0.0))
    blocks = default_blocks(items)
    timing = time_boxes(blocks, minutes)
    assert sum(b.minutes for b in blocks) == minutes
    assert timing.planned == minutes and timing.over == 0


def test_a_set_time_box_is_kept_and_the_others_share_the_rest():
    blocks = default_blocks([item(1, topic="a"), item(2, topic="b")])
    blocks[0].fixed = 20
    time_boxes(blocks, 90)
    assert blocks[0].minutes == 20
    assert sum(b.minutes for b in blocks) == 90


def test_time_boxes_that_overrun_are_reported():
    blocks = default_blocks([item(1, topic="a")])
    for block in blocks:
        block.fixed = 30
    timing = time_boxes(blocks, 90)
    assert timing.over == 60
    assert timing.under == 0


def test_a_dropped_block_gets_no_time_and_the_rest_still_adds_up():
    blocks = default_blocks([item(1, topic="a"), item(2, topic="b")])
    blocks = change(blocks, "drop", "topic:b")
    time_boxes(blocks, 90)
    dropped = next(b for b in blocks if b.key == "topic:b")
    assert dropped.minutes == 0
    assert sum(b.minutes for b in blocks) == 90


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared machine
@given(
    total=st.integers(min_value=0, max_value=600),
    desired=st.dictionaries(
        st.sampled_from("abcdefghijkl"), st.floats(min_value=0, max_value=100), max_size=12
    ),
)
def test_allocate_always_adds_up(total, desired):
    minutes = allocate(total, desired)
    assert set(minutes) == set(desired)
    if desired and total > 0:
        assert sum(minutes.values()) == total
    assert all(value >= 0 for value in minutes.values())


def test_reorder_merge_drop_and_retime_survive_storing():
    items = [item(1, topic="a", gap=0.9), item(2, topic="b", gap=0.5), item(3, topic="c", gap=0.1)]
    blocks = default_blocks(items)
    blocks = change(blocks, "down", "topic:a")  # a after b
    blocks = change(blocks, "merge", "topic:c")  # c into the theme above it (a)
    blocks = change(blocks, "drop", PARKING)
    blocks = change(blocks, "minutes", OPENING, minutes=5)
    stored = choices_of(blocks)
    again = arrange(default_blocks(items), stored)
    assert keys(again) == [OPENING, AGREEMENTS, "topic:b", "topic:a", OWNERS, PARKING]
    merged = next(b for b in again if b.key == "topic:a")
    assert merged.merged == ["topic:c"] and [i.pk for i in merged.items] == [1, 3]
    assert next(b for b in again if b.key == PARKING).dropped
    assert again[0].fixed == 5


def test_split_brings_merged_themes_back():
    items = [item(1, topic="a", gap=0.9), item(2, topic="b", gap=0.5)]
    blocks = change(default_blocks(items), "merge", "topic:b")
    blocks = change(blocks, "split", "topic:a")
    again = arrange(default_blocks(items), choices_of(blocks))
    assert "topic:b" in keys(again)
    assert [i.pk for i in next(b for b in again if b.key == "topic:a").items] == [1]


def test_a_new_disagreement_goes_before_owners():
    stored = choices_of(default_blocks([item(1, topic="a")]))
    again = arrange(default_blocks([item(1, topic="a"), item(2, topic="new")]), stored)
    assert keys(again).index("topic:new") == keys(again).index(OWNERS) - 1


def test_changes_that_do_not_apply_are_refused():
    blocks = default_blocks([item(1, topic="a")])
    with pytest.raises(CannotChange):
        change(blocks, "merge", OPENING)
    with pytest.raises(CannotChange):
        change(blocks, "merge", "topic:a")  # no theme above it
    with pytest.raises(CannotChange):
        change(blocks, "drop", "topic:gone")
    with pytest.raises(CannotChange):
        change(blocks, "explode", "topic:a")


def test_stored_choices_for_blocks_the_plan_lost_are_ignored():
    again = arrange(
        default_blocks([item(1, topic="a")]),
        [BlockChoice("topic:gone", THEME, 10), BlockChoice(OPENING, OPENING, 7)],
    )
    assert "topic:gone" not in keys(again)
    assert again[0].key == OPENING and again[0].fixed == 7
