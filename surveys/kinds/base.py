"""What every question kind has, and the reading of a question's settings.

A kind is to a question what a `Field` subclass is to a Django model: one object knows how the
kind's answer is entered (its form inputs and their template), read from a post, shown back,
described in words, prepared for scoring, and which settings a question of that kind takes.
The rest of the code asks the kind (`surveys.kinds.kind_for`) instead of branching on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext

from ..entry import field_name
from ..models import KIND_LABELS, Choice, Question
from ..scoring import Kind, QuestionSpec
from ..topics import TOPICS

if TYPE_CHECKING:
    from ..presenting import QuestionField


@dataclass
class Option:
    """One option of a question as the answering page shows it: a scale point, a choice, an
    item to rank or a segment of a split, with what the executive entered for it."""

    value: str
    label: str
    is_none: bool = False
    checked: bool = False
    rank: str = ""
    share: str = ""
    #: What keeps this box of a split from counting (`kinds.allocation.SHARE_*`), shown beside it.
    share_problem: str = ""
    input_id: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a question's settings: the field it is in ("scale_max",
    "meta.tense", "choices"), and what is wrong with it."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ChoiceSetting:
    """One option of a choice question, as its settings list it."""

    value: str
    label: str
    is_none: bool = False


#: The settings of every question, whatever its kind.
COMMON_FIELDS = frozenset(
    {
        "code",
        "kind",
        "prompt",
        "help_text",
        "required",
        "allow_unknown",
        "importance",
        "benchmark",
        "meta",
        "discussion_prompt",
        "prediction",
    }
)
#: Settings of a file's question that are not columns of the question: `"prediction": true`
#: makes the loader add a companion question (`Question.predicts`).
FILE_ONLY_FIELDS = frozenset({"prediction"})
#: Text settings a questionnaire file may leave null, read as empty.
_BLANK_WHEN_NULL = frozenset({"help_text", "unit", "scale_min_label", "scale_max_label"})


def is_number(value: object) -> bool:
    """A number a float holds: not a flag, not NaN or Infinity (which Python's JSON reader
    takes), not a whole number beyond a float (JSON allows 10**400)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def holds_nul(value: object) -> bool:
    """Whether a text in `value` (its keys too, however deep) holds a NUL character (U+0000):
    JSON allows it, PostgreSQL stores it in no text, so it is refused where it comes in."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


class SettingsReader:
    """A question's settings as a kind reads them, from a questionnaire file's definition or
    from a stored question, noting each problem with the field it is in.

    One reading serves both: checking a file before it loads (`problems`), and giving the rest
    of the code a typed view of a stored question (`BaseKind.settings`), so the schema of a
    kind's settings is written once. A setting the definition leaves out reads as the model's
    default, as it will be stored.
    """

    def __init__(
        self, values: Mapping[str, Any], choices: Sequence[Any], *, from_file: bool
    ) -> None:
        self._values = values
        self._choices = choices
        self._from_file = from_file
        self._meta: Mapping[str, Any] | None = None
        self.problems: list[Problem] = []

    @classmethod
    def of_definition(cls, definition: Mapping[str, Any]) -> SettingsReader:
        choices = definition.get("choices", [])
        return cls(definition, choices if isinstance(choices, list) else [], from_file=True)

    @classmethod
    def of_question(cls, question: Question) -> SettingsReader:
        values = {name: getattr(question, name) for name in _QUESTION_COLUMNS}
        choices = [
            {"value": c.value, "label": c.label, "is_none": c.is_none}
            for c in question.choices.all()
        ]
        return cls(values, choices, from_file=False)

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message))

    def get(self, name: str) -> Any:
        """The setting as given, or the model's default when it is not given."""
        value = self._values.get(name)
        if name in self._values and not (value is None and name in _BLANK_WHEN_NULL):
            return value
        return Question._meta.get_field(name).get_default()

    def number(self, name: str, *, optional: bool = False) -> float | None:
        value = self.get(name)
        if value is None and optional:
            return None
        if not is_number(value):
            self.problem(name, gettext("must be a number."))
            return None
        return float(value)

    def whole(self, name: str, *, optional: bool = False, minimum: int = 0) -> int | None:
        value = self.get(name)
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.problem(
                name,
                gettext("must be a whole number of at least %(minimum)s.") % {"minimum": minimum},
            )
            return None
        return value

    def text(self, name: str) -> str:
        value = self.get(name)
        if not isinstance(value, str):
            self.problem(name, gettext("must be text."))
            return ""
        return value

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if not isinstance(value, bool):
            self.problem(name, gettext("must be true or false."))
            return bool(value)
        return value

    def meta(self) -> Mapping[str, Any]:
        """`Question.meta`: the presentation hints of the kind (`BaseKind.meta_keys`)."""
        if self._meta is None:
            meta = self.get("meta")
            if not isinstance(meta, Mapping):
                self.problem("meta", gettext("must be an object of named settings."))
                meta = {}
            self._meta = meta
        return self._meta

    def meta_text(self, key: str, *, required: bool = False) -> str:
        """A text setting in `meta`: "" when absent (a problem if `required`)."""
        value = self.meta().get(key)
        if value is None:
            if required:
                self.problem(f"meta.{key}", gettext("is missing."))
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(f"meta.{key}", gettext("must be some text."))
            return ""
        return value

    def choices(
        self, *, none_allowed: bool = False, at_least: int = 2
    ) -> tuple[ChoiceSetting, ...]:
        """The question's options: each with a value and a label, values distinct, at most one
        "none of these" (only where `none_allowed`)."""
        if self._from_file and not isinstance(self._values.get("choices", []), list):
            self.problem("choices", gettext("must be a list of options."))
            return ()
        found: list[ChoiceSetting] = []
        for position, raw in enumerate(self._choices, start=1):
            field = f"choices[{position}]"
            if not isinstance(raw, Mapping):
                self.problem(field, gettext("must be an object with a value and a label."))
                continue
            value, label = raw.get("value"), raw.get("label")
            if not isinstance(value, str) or not value or not isinstance(label, str) or not label:
                self.problem(field, gettext("needs a value and a label."))
                continue
            is_none = raw.get("is_none", False)
            if not isinstance(is_none, bool):
                self.problem(f"{field}.is_none", gettext("must be true or false."))
                is_none = False
            found.append(ChoiceSetting(value, label, is_none))
        values = [choice.value for choice in found]
        if len(set(values)) != len(values):
            self.problem("choices", gettext("two options share a value."))
        labels = [" ".join(choice.label.split()).casefold() for choice in found]
        if len(set(labels)) != len(labels):
            self.problem("choices", gettext("two options have the same label."))
        nones = [choice for choice in found if choice.is_none]
        if nones and not none_allowed:
            self.problem(
                "choices",
                gettext("only a multiple choice can have a “none of these” option."),
            )
        elif len(nones) > 1:
            self.problem("choices", gettext("at most one option can be “none of these”."))
        if len(found) < at_least:
            self.problem(
                "choices", gettext("needs at least %(count)s options.") % {"count": at_least}
            )
        return tuple(found)


#: The question's columns a kind may read: all but its place, identity and wording.
_QUESTION_COLUMNS = tuple(
    f.name
    for f in Question._meta.concrete_fields
    if f.name not in ("id", "section", "position", "code", "kind", "prompt", "predicts")
)


class KindSettingsForm(forms.Form):
    """The settings a kind adds to a question, as the builder asks for them (`surveys.builder`):
    a subclass per kind (`BaseKind.settings_form`) lists its fields, named as in a
    questionnaire file; those in `meta_fields` are keys of `Question.meta`. The form checks
    only what a field can tell alone; `definition()` gives the settings in the file's format,
    which the kind then checks as a whole (`BaseKind.check`), as when a file loads."""

    #: Form field -> key in `Question.meta`.
    meta_fields: ClassVar[dict[str, str]] = {}

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        """The form's initial values from a stored question."""
        meta = question.meta or {}
        return {
            name: meta.get(cls.meta_fields[name], "")
            if name in cls.meta_fields
            else getattr(question, name)
            for name in cls.base_fields
        }

    def definition(self) -> dict[str, Any]:
        """The settings entered, in the questionnaire file's format."""
        found: dict[str, Any] = {}
        meta: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name in self.meta_fields:
                if value not in ("", None, False):
                    meta[self.meta_fields[name]] = value
            else:
                found[name] = value
        if meta:
            found["meta"] = meta
        return found

    def field_for(self, problem_field: str) -> str | None:
        """The form field a problem of the kind's check is about ("meta.kpi" -> "kpi")."""
        if problem_field in self.fields:
            return problem_field
        for name, key in self.meta_fields.items():
            if problem_field == f"meta.{key}":
                return name
        return None


def decimal_field(label: Any, *, required: bool = True, **kwargs: Any) -> forms.FloatField:
    """A number with decimals, typed as the page's language writes it (0,1 in German)."""
    field = forms.FloatField(label=label, required=required, localize=True, **kwargs)
    field.widget.attrs["inputmode"] = "decimal"
    return field


class NoSettings(KindSettingsForm):
    """A kind whose questions take no settings of their own."""


class BaseKind:
    """Everything one question kind does; one instance per kind, in `surveys.kinds.KINDS`.

    A subclass sets `kind` and `fields`, and implements `read_settings` (its settings, typed),
    `parse` (a post to the stored value), `show_value` and `show_entry` (the answer back in its
    inputs) and `display` (the answer in words). Its inputs are in the template
    `surveys/kinds/<kind>.html`, included in the question by `respond/_question.html`; it reads
    the `field` (`surveys.presenting.QuestionField`), `q` (the question) and, for values
    computed from both, `field.extra` (`BaseKind.extra`).
    """

    #: Which kind this is.
    kind: ClassVar[Kind]
    #: The question's settings this kind reads, beyond those every question has
    #: (`COMMON_FIELDS`): a questionnaire file giving any other is refused when it loads.
    fields: ClassVar[frozenset[str]] = frozenset()
    #: The keys `Question.meta` may hold for this kind (presentation hints for the dashboard).
    meta_keys: ClassVar[frozenset[str]] = frozenset()
    #: The rules a published figure's `answer_counts_as_yes` may use for this kind
    #: (`counts_as_yes`).
    counts_as_yes_rules: ClassVar[frozenset[str]] = frozenset()
    #: Answered by typing: a refused change shows back what was typed, to copy.
    typed: ClassVar[bool] = False
    #: Compared by the facilitator's coding of a pair of answers, not scored by a rule.
    coded: ClassVar[bool] = False
    #: A group of several people has a position (median, mean split, mean-rank order).
    has_position: ClassVar[bool] = False
    #: Each answer is a point on one line (a scale point, a number): the dashboard says which
    #: group tends to answer higher (Cliff's delta).
    on_a_line: ClassVar[bool] = False
    #: What the autosave reply updates beside the status line ("" for nothing).
    autosave_template_name: ClassVar[str] = ""
    #: What the room agrees on in this kind's terms, when a session decides the question: a
    #: code the run-sheet puts into words ("target": agree a target in the question's unit).
    agreed_terms: ClassVar[str] = "position"

    # The builder (`surveys.builder_forms`) asks the kind for these rather than branching on it.
    #: The form of the kind's own settings.
    settings_form: ClassVar[type[KindSettingsForm]] = NoSettings
    #: What its options are called in the builder ("Options", "Items to rank"), or None when
    #: the kind has none.
    options_label: ClassVar[Any] = None
    #: Whether one of its options may be an explicit "none of these".
    none_allowed: ClassVar[bool] = False

    @property
    def takes_options(self) -> bool:
        return "choices" in self.fields

    @property
    def weighs_pairs(self) -> bool:
        """Whether two different options may count as partly the same (`partial_credit`)."""
        return "partial_credit" in self.fields

    @property
    def texts(self) -> tuple[str, ...]:
        """The question's texts people read for this kind (`Question.TEXTS` it uses): what
        the builder asks to translate."""
        own = COMMON_FIELDS | self.fields | {f"meta.{key}" for key in self.meta_keys}
        return tuple(name for name in Question.TEXTS if name in own)

    # How the consensus dashboard shows the kind: codes it words, never words (see
    # `workshops/dashboard/answers.py` and `rows.py`; the meta keys `area` and `kpi` put a
    # question in the ownership matrix and the KPI table).
    #: The form of one answer (`answer_parts` gives its parts): "point" (on a scale), "choice"
    #: (one option), "choices" (a set of options), "order" (options ranked), "amount" (a number
    #: in the question's unit), "shares" (a split into segments), "text" (read in full).
    answer_form: ClassVar[str] = "text"
    #: How a group's position is named: "median", "mean_rank", "mean_split" ("" for none).
    position_form: ClassVar[str] = ""
    #: The chart the comparison draws for both groups: "strip" (everyone on the scale),
    #: "paired_bars" (each group's split), "options" (who chose which option), "" for none.
    chart: ClassVar[str] = ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.kind}>"

    @property
    def label(self) -> str:
        """The kind's name for people ("Numeric target")."""
        return KIND_LABELS[self.kind]

    @property
    def template_name(self) -> str:
        """The template of the kind's inputs."""
        return f"surveys/kinds/{self.kind}.html"

    # Settings ---------------------------------------------------------------------------------

    def read_settings(self, reader: SettingsReader) -> Any:
        """The kind's settings, typed (a frozen dataclass of the kind's module), read through
        `reader`, which notes each problem."""
        raise NotImplementedError

    def settings(self, question: Question) -> Any:
        """A stored question's settings, typed (checked when its questionnaire loaded)."""
        return self.read_settings(SettingsReader.of_question(question))

    def check(self, definition: Mapping[str, Any]) -> list[Problem]:
        """The problems of a question's definition in a questionnaire file, for this kind:
        settings that are not this kind's, and each of its own that is wrong."""
        reader = SettingsReader.of_definition(definition)
        allowed = COMMON_FIELDS | self.fields
        for name in definition:
            if name not in allowed:
                reader.problem(
                    name,
                    gettext("is not a setting of a question of kind “%(kind)s”.")
                    % {"kind": self.kind},
                )
        for key in reader.meta():
            if key == "topic":
                if reader.meta()[key] not in TOPICS:
                    reader.problem(
                        "meta.topic",
                        gettext("must be one of the topics: %(topics)s.")
                        % {"topics": ", ".join(TOPICS)},
                    )
                continue
            if key not in self.meta_keys:
                reader.problem(
                    f"meta.{key}",
                    gettext("is not a setting of a question of kind “%(kind)s”.")
                    % {"kind": self.kind},
                )
        settings = self.read_settings(reader)
        self._check_benchmark(reader, settings)
        if "prediction" in definition and reader.flag("prediction") and self.coded:
            reader.problem(
                "prediction",
                gettext("a question that is not scored cannot be predicted."),
            )
        return reader.problems

    def _check_benchmark(self, reader: SettingsReader, settings: Any) -> None:
        """A published figure: its figures as percentages, and its rule for which answers
        count as the published bucket."""
        benchmark = reader.get("benchmark")
        if not benchmark:
            return
        if not isinstance(benchmark, Mapping):
            reader.problem("benchmark", gettext("must be an object."))
            return
        figures = benchmark.get("figures", [])
        if not isinstance(figures, list):
            reader.problem("benchmark.figures", gettext("must be a list."))
            figures = []
        for position, figure in enumerate(figures, start=1):
            if not (
                isinstance(figure, Mapping)
                and isinstance(figure.get("group"), str)
                and is_number(figure.get("percent"))
                and 0 <= figure["percent"] <= 100
            ):
                reader.problem(
                    f"benchmark.figures[{position}]",
                    gettext("needs a group and a percent between 0 and 100."),
                )
        rule = benchmark.get("answer_counts_as_yes", {})
        if not isinstance(rule, Mapping):
            reader.problem("benchmark.answer_counts_as_yes", gettext("must be an object."))
            return
        for name, value in rule.items():
            field = f"benchmark.answer_counts_as_yes.{name}"
            if name not in self.counts_as_yes_rules:
                reader.problem(
                    field,
                    gettext("is not a rule for a question of kind “%(kind)s”.")
                    % {"kind": self.kind},
                )
            elif message := self.check_counts_as_yes(settings, name, value):
                reader.problem(field, message)

    def check_counts_as_yes(self, settings: Any, rule: str, value: Any) -> str:
        """What is wrong with one rule of a published figure's `answer_counts_as_yes`, or ""."""
        return ""

    # Answering --------------------------------------------------------------------------------

    def parse(self, question: Question, posted: QueryDict) -> Any:
        """The value to store from the question's posted inputs (shapes in `surveys.models`),
        None when nothing is entered; `surveys.entry.AnswerError` when it is not an answer."""
        raise NotImplementedError

    def inputs(self, question: Question) -> dict[str, int]:
        """The form inputs the question's page sends, each with how many values it may carry:
        its answer and "don't know" (what a draft may keep, `answering.question_inputs`)."""
        return {field_name(question): 1, field_name(question, "unknown"): 1}

    def rounded(self, question: Question, posted: QueryDict, value: Any) -> bool:
        """Whether the stored value differs from what was entered (the executive is told)."""
        return False

    # Presenting -------------------------------------------------------------------------------

    def options(self, question: Question) -> list[Option]:
        """The question's options on the answering page (none for a kind without options)."""
        return []

    def show_value(self, view: QuestionField, value: Any) -> None:
        """Show a stored value (never None) in the field's inputs."""
        raise NotImplementedError

    def show_entry(self, view: QuestionField, posted: QueryDict) -> None:
        """Show exactly what was posted in the field's inputs (nothing entered is lost)."""
        raise NotImplementedError

    def extra(self, view: QuestionField) -> dict[str, Any]:
        """What the kind's template reads beyond the field and the question (`field.extra`)."""
        return {}

    def display(self, question: Question, value: Any) -> str:
        """A stored value (never None) in words, for the review page and the results."""
        return str(value)

    def plain(self, question: Question, value: Any) -> str | int | float:
        """A stored value (never None) in a plain form for spreadsheets and exports: a number
        stays a number, options are named by their value (stable across languages and
        wording), several of them joined with "; ", in the question's order where the answer
        has none of its own. Never words of the interface. Reads `question.choices.all()`
        (prefetch it for many questions)."""
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int | float | str):
            return value
        return str(value)

    def stored_problem(self, question: Question, value: Any) -> str:
        """What is wrong with a value given as stored (never None), e.g. in a transfer file
        (`workshops.transfer`), or "" when it is an answer this question could have stored.
        Expects `question.choices.all()` prefetched where the kind has options."""
        return ""

    def answer_parts(self, spec: QuestionSpec, value: Any) -> Any:
        """A stored answer (not missing) in the parts its `answer_form` shows, in order and
        without words: a number, an option's value, the chosen values, the ranked buckets,
        the (segment, share) pairs, the text. May raise TypeError or ValueError on a value
        that no longer fits the question (the dashboard then shows it as stored)."""
        return str(value)

    # Scoring ----------------------------------------------------------------------------------

    def spec(self, question: Question, choices: Sequence[Choice] | None = None) -> QuestionSpec:
        """What `surveys.scoring` needs to know about the question, detached from the ORM.
        `choices` are the question's, in order (default: `question.choices.all()`)."""
        if choices is None:
            choices = question.choices.all()
        none_value = next((choice.value for choice in choices if choice.is_none), None)
        return QuestionSpec(
            kind=self.kind,
            scale_min=question.scale_min,
            scale_max=question.scale_max,
            items=tuple(choice.value for choice in choices),
            none_value=none_value,
            partial_credit=tuple(tuple(entry) for entry in question.partial_credit or ()),
            tolerance=question.tolerance,
            absolute_tolerance=question.absolute_tolerance,
            higher_is_ambitious=question.higher_is_ambitious,
            rank_limit=question.rank_limit,
            importance=question.importance,
            polarity=question.polarity,
        )

    def scoring_value(self, value: Any, is_unknown: bool) -> Any:
        """A stored answer as `surveys.scoring` reads it: None when missing or "don't know".
        Values are stored in the shape scoring reads, so the value itself otherwise."""
        return None if is_unknown else value

    def counts_as_yes(self, rule: Mapping[str, Any], value: Any) -> bool | None:
        """Whether an answer falls in a published figure's bucket by the figure's
        `answer_counts_as_yes` rule; None when the rule or the answer cannot tell."""
        return None


class ChoiceKind(BaseKind):
    """A kind answered from the question's own options (choices, items, segments)."""

    fields: ClassVar[frozenset[str]] = frozenset({"choices"})

    def options(self, question: Question) -> list[Option]:
        return [
            Option(
                value=choice.value,
                label=choice.text("label"),
                is_none=choice.is_none,
                input_id=f"q{question.pk}-{choice.value}",
            )
            for choice in question.choices.all()
        ]

    @staticmethod
    def choice_values(question: Question) -> list[str]:
        return [choice.value for choice in question.choices.all()]

    @staticmethod
    def labels(question: Question) -> dict[str, str]:
        """The options' labels in the active language, by value."""
        return {choice.value: choice.text("label") for choice in question.choices.all()}


def typed_entry(view: QuestionField, posted: QueryDict) -> None:
    """What was typed into the question's one box, as typed (bounded, without NUL characters):
    for the kinds answered by typing a number or a text."""
    question = view.question
    view.text = posted.get(view.name, "").replace("\x00", "")[: question.max_length * 2 + 100]


class OnePick:
    """For kinds answered by ticking one option (a point of a scale, one choice): the option
    that holds the stored value, or the one posted, is checked."""

    def show_value(self, view: QuestionField, value: Any) -> None:
        for option in view.options:
            option.checked = option.value == str(value)

    def show_entry(self, view: QuestionField, posted: QueryDict) -> None:
        raw = posted.get(view.name, "")
        for option in view.options:
            option.checked = option.value == raw
