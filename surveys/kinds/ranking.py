"""A ranking: the question's items in order of importance, every item or the top few.

Stored as a list[str] of Choice.value, best first (a top-k ranking: at most rank_limit items).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from ..entry import AnswerError, clean_text, field_name, parse_whole_number
from ..models import Question
from ..scoring import Kind, QuestionSpec
from .base import ChoiceKind, ChoiceSetting, KindSettingsForm, SettingsReader

if TYPE_CHECKING:
    from ..presenting import QuestionField


@dataclass(frozen=True, slots=True)
class RankingSettings:
    items: tuple[ChoiceSetting, ...]
    #: How many items to rank (a top-k ranking), or None for every item.
    rank_limit: int | None


class RankingSettingsForm(KindSettingsForm):
    rank_limit = forms.IntegerField(
        label=gettext_lazy("Rank only the top"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("Leave empty to rank every item."),
    )


class Ranking(ChoiceKind):
    file_keeps = frozenset({"choices"})
    kind = Kind.RANKING
    settings_form = RankingSettingsForm
    options_label = gettext_lazy("Items to rank")
    agreed_terms = "order"
    fields = ChoiceKind.fields | {"rank_limit"}
    has_position = True
    answer_form = "order"
    position_form = "mean_rank"

    def read_settings(self, reader: SettingsReader) -> RankingSettings:
        items = reader.choices()
        limit = reader.whole("rank_limit", optional=True, minimum=1)
        if limit is not None and items and limit > len(items):
            reader.problem(
                "rank_limit",
                gettext("must be at most the number of items (%(count)s).") % {"count": len(items)},
            )
        return RankingSettings(items, limit)

    def parse(self, question: Question, posted: QueryDict) -> list[str] | None:
        values = self.choice_values(question)
        limit = question.rank_limit or len(values)
        ranks: dict[str, int] = {}
        for value in values:
            raw = clean_text(posted.get(field_name(question, value), ""))
            if not raw:
                continue
            rank = parse_whole_number(raw)
            if rank is None:
                raise AnswerError(gettext("Ranks must be whole numbers."))
            if not 1 <= rank <= limit:
                raise AnswerError(gettext("Use ranks from 1 to %(limit)s.") % {"limit": limit})
            ranks[value] = rank
        if not ranks:
            return None
        used = sorted(ranks.values())
        if len(set(used)) != len(used):
            raise AnswerError(gettext("Each rank can be used once: two items share the same rank."))
        if used != list(range(1, len(used) + 1)):
            raise AnswerError(gettext("Ranks must run 1, 2, 3… without gaps."))
        # The question asks for every item, or for the top few: a ranking stopped halfway waits
        # as a draft (scoring would read the unranked items as tied last, which nobody said).
        needed = min(limit, len(values))
        if len(used) < needed:
            if question.rank_limit:
                raise AnswerError(
                    gettext("Give your top %(needed)s (%(ranked)s ranked so far).")
                    % {"needed": needed, "ranked": len(used)}
                )
            raise AnswerError(
                gettext("Rank every item (%(ranked)s of %(needed)s so far).")
                % {"needed": needed, "ranked": len(used)}
            )
        return sorted(ranks, key=ranks.__getitem__)

    def inputs(self, question: Question) -> dict[str, int]:
        """One rank per item."""
        inputs = super().inputs(question)
        inputs.update({field_name(question, value): 1 for value in self.choice_values(question)})
        return inputs

    def show_value(self, view: QuestionField, value: Any) -> None:
        ranks = {item: position for position, item in enumerate(value, start=1)}
        for option in view.options:
            option.rank = str(ranks.get(option.value, ""))

    def show_entry(self, view: QuestionField, posted: QueryDict) -> None:
        for option in view.options:
            option.rank = posted.get(field_name(view.question, option.value), "")[:4]

    def extra(self, view: QuestionField) -> dict[str, Any]:
        """`rank_choices`: the ranks each item's list offers."""
        limit = view.question.rank_limit or len(view.options)
        return {"rank_choices": list(range(1, limit + 1))}

    def answer_parts(self, spec: QuestionSpec, value: Any) -> list[Any]:
        """The ranked buckets, first first: an item, or several tied (a list)."""
        return list(value)

    def display(self, question: Question, value: Any) -> str:
        labels = self.labels(question)
        return " › ".join(f"{n}. {labels.get(item, item)}" for n, item in enumerate(value, 1))

    def plain(self, question: Question, value: Any) -> str:
        """Best first: ``a > b > c``."""
        return " > ".join(str(item) for item in value)

    def stored_problem(self, question: Question, value: Any) -> str:
        values = self.choice_values(question)
        limit = question.rank_limit or len(values)
        if (
            not isinstance(value, list)
            or not 0 < len(value) <= limit
            or any(not isinstance(item, str) or item not in values for item in value)
            or len(set(value)) != len(value)
        ):
            return gettext(
                "must be a list of at most %(limit)s different values of the question's options."
            ) % {"limit": limit}
        return ""
