"""Every sentence the dashboard builds in Python, in one place and through gettext.

Scoring returns numbers and codes (`surveys.scoring.Detail`); the report's parts return
numbers, codes and labels. What the facilitator reads is worded here, in the language active
when the page renders, or in the templates. Nothing here is kept beyond one request: a page
cached in one language is keyed by that language (`workshops.dashboard.caching`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from surveys.entry import format_number
from surveys.kinds.numeric import points_text, with_unit
from surveys.presenting import scale_text
from surveys.scoring import (
    Comparison,
    Detail,
    DetailCode,
    GroupConsensus,
    Magnitude,
    cliffs_magnitude,
)

from .labels import _number

if TYPE_CHECKING:
    from .loading import Item

#: A label as a word inside a sentence ("size rule: agree"), lower case where the language
#: wants it; the chips and tables use `labels.LABEL_TEXT`.
LABEL_WORD = {
    "agree": pgettext_lazy("label in a sentence", "agree"),
    "partly": pgettext_lazy("label in a sentence", "partly"),
    "differ": pgettext_lazy("label in a sentence", "differ"),
    "insufficient": pgettext_lazy("label in a sentence", "insufficient data"),
}

MAGNITUDE_WORD = {
    Magnitude.NEGLIGIBLE: pgettext_lazy("effect size", "negligible"),
    Magnitude.SMALL: pgettext_lazy("effect size", "small"),
    Magnitude.MEDIUM: pgettext_lazy("effect size", "medium"),
    Magnitude.LARGE: pgettext_lazy("effect size", "large"),
}

#: Ownership conflicts (`ownership.ownership_conflict`'s reasons) in the room's words.
CONFLICT_TEXT = {
    "both_claim": gettext_lazy("Both claim sole ownership"),
    "each_hands_over": gettext_lazy("Each hands it to the other: nobody claims it"),
    "rival_owners": gettext_lazy("Rival sole owners named"),
    "nobody_claims": gettext_lazy("Nobody claims it for the CIO, the CMO or jointly"),
    # Today: who owns it is a fact they see differently, not a claim.
    "both_own_today": gettext_lazy(
        "Each says their own side owns it today: a disagreement about the facts"
    ),
    "each_names_other_today": gettext_lazy(
        "Each says the other side owns it today: a disagreement about the facts"
    ),
    "rival_owners_today": gettext_lazy(
        "They name different sole owners today: a disagreement about the facts"
    ),
    "nobody_today": gettext_lazy("Neither names the CIO, the CMO or a joint owner today"),
}

#: How close to 0 "beyond chance" reads as "no better than random answers".
CHANCE_BAND = 0.05


def percent_text(share: float) -> str:
    """A share in [0, 1] as the pages print it: "83 %"."""
    return gettext("%(percent)s %%") % {"percent": round(100 * share)}


def weight_text(importance: float) -> str:
    """ "counts double", "counts ×1.5", "counts half"; "" for the usual weight of 1."""
    if importance == 1:
        return ""
    if importance == 2:
        return gettext("counts double")
    if importance == 0.5:
        return gettext("counts half")
    return gettext("counts ×%(weight)s") % {"weight": _number(importance)}


def chance_words(beyond_chance: float) -> str:
    """Beyond chance, A = (S - S0) / (1 - S0), in the room's words: 0 is what two people
    answering at random would reach and 1 identical answers, so below 0 is less alike than
    random and 0.5 halfway from random to identical. Within 0.05 of 0 reads as no better than
    random (the figure moves by more than that with one answer)."""
    if beyond_chance < -CHANCE_BAND:
        return gettext("less alike than answers picked at random would be")
    if beyond_chance <= CHANCE_BAND:
        return gettext("no more alike than answers picked at random would be")
    if beyond_chance < 0.5:
        return gettext(
            "more alike than answers picked at random, but less than halfway to identical"
        )
    return gettext("well beyond chance: more than halfway from random answers to identical")


def people_count(count: int) -> str:
    return ngettext("%(count)d person", "%(count)d people", count) % {"count": count}


# How a question was scored, or why it was not -------------------------------------------------


def _either(groups: Sequence[str]) -> dict[str, str]:
    return {"group": groups[0], "a": groups[0], "b": groups[-1]}


def not_scored_reason(comparison: Comparison, item: Item, unanswered_groups: Sequence[str]) -> str:
    """Why a question is not scored, in the room's words ("" when it is scored).
    `unanswered_groups`: the groups (by label) in which nobody has answered yet."""
    if comparison.scored:
        return ""
    if item.question_kind.coded:
        return gettext("Free text: read both answers together (the facilitator may code the pair).")
    if unanswered_groups:
        if len(unanswered_groups) == 1:
            text = gettext("Not scored: no answer yet from %(group)s.")
        else:
            text = gettext("Not scored: no answer yet from %(a)s or %(b)s.")
        return text % _either(unanswered_groups)
    codes = {detail.code for detail in comparison.detail}
    if DetailCode.NOTHING_CHOSEN in codes:
        return gettext("Not scored: both chose nothing and there is no “none of these” option.")
    if DetailCode.NO_COMPARABLE_PAIR in codes:
        return gettext("Not scored: no comparable pair of answers.")
    return gettext("Not scored: an answer could not be read.")


def how_scored(comparison: Comparison, item: Item, a: str, b: str) -> tuple[str, ...]:
    """The lines of "How this was scored", with the two groups by name (`a`, `b`)."""
    lines = (_how(detail, item, a, b) for detail in comparison.detail)
    return tuple(line for line in lines if line)


def _how(detail: Detail, item: Item, a: str, b: str) -> str:
    values = detail.params
    match detail.code:
        case DetailCode.SCALE:
            return gettext("%(a)s vs %(b)s on %(low)s..%(high)s: s = %(s)s") % {
                "a": _number(values["a"]),
                "b": _number(values["b"]),
                "low": values["scale_min"],
                "high": values["scale_max"],
                "s": format_number(values["similarity"], ".2f"),
            }
        case DetailCode.SCALE_RULES:
            return gettext("size rule: %(size)s; direction rule: %(direction)s") % {
                "size": LABEL_WORD[str(values["size"])],
                "direction": LABEL_WORD[str(values["direction"])],
            }
        case DetailCode.UNIPOLAR_SCALE:
            return gettext(
                "size rule: %(size)s (the scale runs from none to most: no direction rule)"
            ) % {"size": LABEL_WORD[str(values["size"])]}
        case DetailCode.SAME_CHOICE:
            return gettext("both chose “%(choice)s”") % {"choice": item.label_of(values["a"])}
        case DetailCode.PARTIAL_CREDIT | DetailCode.DIFFERENT_CHOICES:
            if detail.code is DetailCode.PARTIAL_CREDIT:
                text = gettext("“%(a)s” vs “%(b)s”: partial credit")
            else:
                text = gettext("“%(a)s” vs “%(b)s”: different choices")
            return text % {"a": item.label_of(values["a"]), "b": item.label_of(values["b"])}
        case DetailCode.DICE:
            return gettext("Dice %(dice)s, Jaccard %(jaccard)s") % {
                "dice": format_number(values["dice"], ".2f"),
                "jaccard": format_number(values["jaccard"], ".2f"),
            }
        case DetailCode.PAIRS_IN_ORDER:
            return gettext("%(share)s of item pairs in the same order") % {
                "share": percent_text(values["share"])
            }
        case DetailCode.GAP:
            return gettext("%(difference)s apart (tolerance %(tolerance)s)") % {
                "difference": _gap(item, values["difference"]),
                "tolerance": _gap(item, values["tolerance"]),
            }
        case DetailCode.RELATIVE_GAP:
            return gettext("%(share)s apart (tolerance %(tolerance)s)") % {
                "share": percent_text(values["share"]),
                "tolerance": percent_text(values["tolerance"]),
            }
        case DetailCode.MORE_AMBITIOUS:
            if item.estimate:
                return ""
            group = a if values["side"] == "a" else b
            return gettext("%(group)s is more ambitious") % {"group": group}
        case DetailCode.SAME_TARGET:
            return gettext("the same value") if item.estimate else gettext("the same target")
        case DetailCode.BUDGET_MOVED:
            return gettext("%(share)s of the budget would have to move") % {
                "share": percent_text(values["share"])
            }
        case DetailCode.CODED:
            return gettext("coded by the facilitator: %(verdict)s") % {
                "verdict": LABEL_WORD.get(values["verdict"], values["verdict"])
            }
        case DetailCode.MEAN_OVER_PAIRS:
            pairs = values["pairs"]
            return ngettext(
                "mean similarity over %(count)d pair of answers across the groups",
                "mean similarity over %(count)d pairs of answers across the groups",
                pairs,
            ) % {"count": pairs}
    return ""


def _gap(item: Item, number: float) -> str:
    """A gap in the question's unit: percentage points where the unit is percent."""
    if item.unit_key == "%":
        return points_text(number, _number(number))
    return with_unit(number, item.unit, item.unit_key, _number(number))


# The whole room on one question -----------------------------------------------------------------


def consensus_text(consensus: GroupConsensus | None, item: Item) -> str:
    """The whole group on one question, e.g. "5 of 6 above the midpoint"."""
    if consensus is None or consensus.label is None:
        return ""
    return "; ".join(line for detail in consensus.detail if (line := _consensus_line(detail, item)))


def _consensus_line(detail: Detail, item: Item) -> str:
    values = detail.params
    undefined = gettext("undefined")

    def figure(key: str = "value") -> str:
        value = values[key]
        return undefined if value is None else format_number(value, ".2f")

    match detail.code:
        case DetailCode.MEDIAN:
            return gettext("median %(value)s") % {"value": _scale_text(item, values["median"])}
        case DetailCode.BANDS:
            return (
                gettext(
                    "%(above)d of %(answered)d above the midpoint, %(at)d at it, %(below)d below"
                )
                % values
            )
        case DetailCode.MODAL_SHARE:
            choices = gettext(" or ").join(
                gettext("“%(choice)s”") % {"choice": item.label_of(value)}
                for value in values["modal"]
            )
            return gettext("%(chosen)d of %(answered)d chose %(choices)s") % {
                **values,
                "choices": choices,
            }
        case DetailCode.MEAN_DICE:
            return gettext("mean pairwise Dice %(value)s") % {"value": figure()}
        case DetailCode.KENDALLS_W:
            return gettext("Kendall's W %(value)s") % {"value": figure()}
        case DetailCode.MEAN_SIMILARITY:
            return gettext("mean pairwise similarity %(value)s") % {"value": figure()}
        case DetailCode.TOO_FEW_ANSWERS:
            return ngettext(
                "%(count)d answer: at least 2 needed",
                "%(count)d answers: at least 2 needed",
                values["answered"],
            ) % {"count": values["answered"]}
        case DetailCode.TEXT_NOT_SCORED:
            return gettext("free text is not scored")
    return ""


def cliffs_text(delta: float | None, a: str, b: str) -> str:
    """Cliff's delta in words: which group tends to answer higher, and by how much."""
    if delta is None:
        return ""
    magnitude = cliffs_magnitude(delta)
    values = {
        "delta": format_number(delta, "+.2f"),
        "size": MAGNITUDE_WORD[magnitude],
        "a": a,
        "b": b,
    }
    if magnitude is Magnitude.NEGLIGIBLE:
        text = gettext(
            "Cliff's delta %(delta)s (%(size)s): no meaningful difference between the groups."
        )
    elif delta > 0:
        text = gettext(
            "Cliff's delta %(delta)s (%(size)s): %(a)s tends to answer higher than %(b)s."
        )
    else:
        text = gettext(
            "Cliff's delta %(delta)s (%(size)s): %(a)s tends to answer lower than %(b)s."
        )
    return text % values


# Answers in their own terms ----------------------------------------------------------------------


def _scale_text(item: Item, value: float) -> str:
    """ "5 of 5 (Critically important)", "2 of 7, towards “Security first”", "3 of 5"."""
    return scale_text(
        float(value),
        scale_min=item.spec.scale_min,
        scale_max=item.spec.scale_max,
        low_label=item.scale_min_label,
        high_label=item.scale_max_label,
    )


#: A group's position on a question ("median 4 of 5"), by the kind's `position_form`, around
#: the answer it amounts to.
POSITION_TEXT = {
    "median": gettext_lazy("median %(answer)s"),
    "mean_rank": gettext_lazy("by mean rank: %(answer)s"),
    "mean_split": gettext_lazy("mean split: %(answer)s"),
}


def and_more(shown: str, more: int) -> str:
    return ngettext("%(shown)s and %(count)d more", "%(shown)s and %(count)d more", more) % {
        "shown": shown,
        "count": more,
    }


# The whole questionnaire -------------------------------------------------------------------------


def unscored_text(questions: int, free_text: int, unanswered: int, a: str, b: str) -> str:
    """Why some of the questionnaire's questions are not scored, e.g. "The questionnaire has
    44 questions: 1 free-text question is read, not scored; 1 is missing an answer from CIO or
    CMO (skipped or “don't know”), so it is not scored." ("" when every question is scored.)"""
    reasons: list[str] = []
    if free_text:
        reasons.append(
            ngettext(
                "%(count)d free-text question is read, not scored",
                "%(count)d free-text questions are read, not scored",
                free_text,
            )
            % {"count": free_text}
        )
    if unanswered:
        reasons.append(
            ngettext(
                "%(count)d is missing an answer from %(a)s or %(b)s (skipped or “don't know”), "
                "so it is not scored",
                "%(count)d are missing an answer from %(a)s or %(b)s (skipped or “don't know”), "
                "so they are not scored",
                unanswered,
            )
            % {"count": unanswered, "a": a, "b": b}
        )
    if not reasons:
        return ""
    return ngettext(
        "The questionnaire has %(count)d question: %(reasons)s.",
        "The questionnaire has %(count)d questions: %(reasons)s.",
        questions,
    ) % {"count": questions, "reasons": "; ".join(reasons)}
