"""Published reference figures (BENCHMARKS.md) beside a question, with their provenance, and
each executive's answer held against the figure for their role."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext, pgettext_lazy

from surveys.models import language_candidates

from ..models import Role
from .answers import Shown, show
from .labels import LIST_UP_TO, _number
from .loading import Group, Item, Person, WorkshopAnswers
from .safe import safe_is_missing

#: Which published figure an executive is held against: their own role's, else (for questions
#: about the organisation, e.g. who owns the mobile web today) the organisations' figure.
#: Heads of IT and marketing were not in the surveyed population (C-level executives).
FIGURE_GROUP_FOR_ROLE = {
    Role.CIO: "cio",
    Role.CMO: "cmo",
    Role.CEO: "other_c_level",
    Role.CTO: "other_c_level",
    Role.CDO: "other_c_level",
    Role.CFO: "other_c_level",
}


#: The words of a published figure as the questionnaire file gives them (English), in the
#: reader's language: group labels, qualifiers, answer buckets, the survey's source, date and
#: population. A text not listed here is shown as the file has it. (The survey's own question
#: and the notes on other write-ups are quoted as published.)
PUBLISHED_WORDS = {
    "CIOs": pgettext_lazy("published figure", "CIOs"),
    "CMOs": pgettext_lazy("published figure", "CMOs"),
    "Organisations": pgettext_lazy("published figure", "Organisations"),
    "Other C-level executives": pgettext_lazy("published figure", "Other C-level executives"),
    "over": pgettext_lazy("published figure", "over"),
    "important": pgettext_lazy("published figure", "important"),
    "owned by the CIO": pgettext_lazy("published figure", "owned by the CIO"),
    "sole ownership by the CMO": pgettext_lazy("published figure", "sole ownership by the CMO"),
    "room for joint CIO–CMO ownership": pgettext_lazy(
        "published figure", "room for joint CIO–CMO ownership"
    ),
    "favour a 3-second load-time goal": pgettext_lazy(
        "published figure", "favour a 3-second load-time goal"
    ),
    "listed customer engagement as an objective": pgettext_lazy(
        "published figure", "listed customer engagement as an objective"
    ),
    "Respondents": pgettext_lazy("published figure", "Respondents"),
    "CIOs and CMOs together": pgettext_lazy("published figure", "CIOs and CMOs together"),
    "a goal of 3 seconds or less": pgettext_lazy("published figure", "a goal of 3 seconds or less"),
    "customer engagement as an objective": pgettext_lazy(
        "published figure", "customer engagement as an objective"
    ),
    "has it as a goal": pgettext_lazy("published figure", "has it as a goal"),
    "room for joint ownership": pgettext_lazy("published figure", "room for joint ownership"),
    "the CIO owns it": pgettext_lazy("published figure", "the CIO owns it"),
    "want a faster site": pgettext_lazy("published figure", "want a faster site"),
    "sole ownership should be the CMO's": pgettext_lazy(
        "published figure", "sole ownership should be the CMO's"
    ),
    "Netbiscuits survey conducted with Vanson Bourne": pgettext_lazy(
        "published figure", "Netbiscuits survey conducted with Vanson Bourne"
    ),
    "autumn 2013": pgettext_lazy("published figure", "autumn 2013"),
    "300 CIOs, CMOs and other C-level executives (200 US, 100 UK)": pgettext_lazy(
        "published figure", "300 CIOs, CMOs and other C-level executives (200 US, 100 UK)"
    ),
}
#: A group inside a sentence ("44 % of organisations"), where it differs from its label.
GROUP_IN_SENTENCE = {
    "Organisations": pgettext_lazy("published figure, after “of”", "organisations"),
    "Other C-level executives": pgettext_lazy(
        "published figure, after “of”", "other C-level executives"
    ),
    "Respondents": pgettext_lazy("published figure, after “of”", "respondents"),
    "CIOs and CMOs together": pgettext_lazy(
        "published figure, after “of”", "CIOs and CMOs together"
    ),
}


def published_words(text: str) -> str:
    """A published figure's word in the reader's language (as written when not listed)."""
    return str(PUBLISHED_WORDS.get(text, text))


@dataclass(frozen=True, slots=True)
class Figure:
    group: str
    group_label: str
    percent: float
    qualifier: str = ""
    #: The answer it counts, when not the reference's own (a second figure of the survey).
    bucket: str = ""
    #: Where this value was published, when not the reference's own source.
    source: str = ""
    #: Which answers count as in its bucket, when not the reference's own rule.
    rule: tuple[tuple[str, Any], ...] = ()
    #: The group as a sentence needs it, where the language inflects it ("der Befragten").
    group_in_sentence: str = ""

    @property
    def label(self) -> str:
        """The group's label in the reader's language, e.g. "CIOs", "Organisationen"."""
        return published_words(self.group_label)

    @property
    def bucket_words(self) -> str:
        return published_words(self.bucket)

    @property
    def source_words(self) -> str:
        return published_words(self.source)

    @property
    def text(self) -> str:
        """E.g. "76 % of CIOs", "over 50 % of CMOs", "44 % of respondents"."""
        if self.group_in_sentence:  # the file's own translation
            group = self.group_in_sentence
        elif self.group_label in GROUP_IN_SENTENCE:
            group = str(GROUP_IN_SENTENCE[self.group_label])
        else:
            group = self.label
            if group[1:2].islower():  # "Organisations", not "CIOs"
                group = group[0].lower() + group[1:]
        qualifier = published_words(self.qualifier)
        values = {"qualifier": qualifier, "percent": _number(self.percent), "group": group}
        if self.qualifier:
            return gettext("%(qualifier)s %(percent)s %% of %(group)s") % values
        return gettext("%(percent)s %% of %(group)s") % values

    @property
    def short(self) -> str:
        """E.g. "CIOs 76 %", "CMOs over 50 %"."""
        qualifier = published_words(self.qualifier)
        values = {"qualifier": qualifier, "percent": _number(self.percent)}
        if self.qualifier:
            return gettext("%(group)s %(qualifier)s %(percent)s %%") % {
                **values,
                "group": self.label,
            }
        return gettext("%(group)s %(percent)s %%") % {**values, "group": self.label}


@dataclass(frozen=True, slots=True)
class ExtraCheck:
    """An answer held against a second published figure for the same role (its own bucket)."""

    figure: Figure
    in_bucket: bool | None


@dataclass(frozen=True, slots=True)
class Check:
    """One executive's answer held against the published figure for their role."""

    person: Person
    shown: Shown
    in_bucket: bool | None
    figure: Figure | None
    extra: tuple[ExtraCheck, ...] = ()


@dataclass(frozen=True, slots=True)
class BucketCount:
    """A large group against a published figure: how many of those who answered are in it."""

    label: str
    in_bucket: int
    answered: int


@dataclass(frozen=True, slots=True)
class Reference:
    """A published figure with its provenance (BENCHMARKS.md): never shown as a bare number."""

    source: str
    date: str
    population: str
    question: str
    bucket: str
    also_published: str
    seed: str
    figures: tuple[Figure, ...]
    checks: tuple[Check, ...] = ()
    other_checks: tuple[Check, ...] = ()
    counts: tuple[BucketCount, ...] = ()
    #: Who published the survey and when ("Netbiscuits", "2013"): named in every headline.
    vendor: str = ""
    year: str = ""
    #: Further figures of the survey with their own bucket or source (`Figure.bucket`).
    extra_figures: tuple[Figure, ...] = ()
    #: What the published sources disagree on, and what this overlay counts.
    conflict: str = ""
    bucket_note: str = ""

    @property
    def all_figures(self) -> tuple[Figure, ...]:
        return self.figures + self.extra_figures

    @property
    def headline(self) -> str:
        """The vendor and year, then the figures and the answer they count, e.g.
        "Netbiscuits 2013, as reported: CIOs 76 %, CMOs 82 % “important”"; a second bucket of
        the same survey follows after a semicolon."""
        parts = [
            gettext("%(figures)s “%(bucket)s”")
            % {"figures": ", ".join(f.short for f in self.figures), "bucket": self.bucket_words}
        ]
        parts.extend(
            gettext("%(figures)s “%(bucket)s”")
            % {"figures": figure.short, "bucket": published_words(figure.bucket or self.bucket)}
            for figure in self.extra_figures
        )
        return gettext("%(vendor)s %(year)s, as reported: %(figures)s") % {
            "vendor": self.vendor,
            "year": self.year,
            "figures": "; ".join(parts),
        }

    @property
    def sourced_figures(self) -> tuple[Figure, ...]:
        """The figures published somewhere else than the reference's source."""
        return tuple(f for f in self.all_figures if f.source)

    @property
    def bucket_words(self) -> str:
        return published_words(self.bucket)

    @property
    def source_words(self) -> str:
        return published_words(self.source)

    @property
    def date_words(self) -> str:
        return published_words(self.date)

    @property
    def population_words(self) -> str:
        return published_words(self.population)


def _counts_as_yes(rule: Mapping[str, Any], value: Any) -> bool | None:
    try:
        if "scale_at_least" in rule:
            return float(value) >= float(rule["scale_at_least"])
        if "choice_in" in rule:
            return str(value) in {str(v) for v in rule["choice_in"]}
        if "value_at_most" in rule:
            return float(value) <= float(rule["value_at_most"])
        if "value_equals" in rule:
            return float(value) == float(rule["value_equals"])
    except (TypeError, ValueError):
        return None
    return None


#: The texts of a published figure a file may translate, in a block per language inside the
#: figure ("de": {"bucket": ..., "figures": [{"group_label": ...}], "extra_figures": [...]}).
REFERENCE_TEXTS = ("source", "date", "population", "question", "bucket", "also_published")
REFERENCE_TEXTS += ("conflict", "bucket_note")
FIGURE_TEXTS = ("group_label", "group_in_sentence", "qualifier", "bucket", "source")


def _translation(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The figure's block for the active language ({} when it has none: the file's own texts)."""
    for code in language_candidates(get_language()):
        block = data.get(code)
        if isinstance(block, Mapping):
            return block
    return {}


def _figure(data: Mapping[str, Any], translated: Any = None) -> Figure:
    rule = data.get("answer_counts_as_yes")
    texts = {name: str(data.get(name, "")) for name in FIGURE_TEXTS if name != "group_label"}
    texts["group_label"] = str(data.get("group_label", data.get("group", "")))
    if isinstance(translated, Mapping):
        texts.update({k: str(v) for k, v in translated.items() if k in FIGURE_TEXTS and v})
    return Figure(
        group=str(data.get("group", "")),
        percent=float(data.get("percent", 0)),
        rule=tuple(rule.items()) if isinstance(rule, Mapping) else (),
        **texts,
    )


def _figures(data: Mapping[str, Any], key: str, block: Mapping[str, Any]) -> tuple[Figure, ...]:
    translated = block.get(key)
    translated = translated if isinstance(translated, list) else []
    return tuple(
        _figure(figure, translated[index] if index < len(translated) else None)
        for index, figure in enumerate(data.get(key) or ())
    )


def _year(date: str) -> str:
    """The year in a published date ("autumn 2013" -> "2013"), for files that name none."""
    years = re.findall(r"\b(?:19|20)\d\d\b", date)
    return years[-1] if years else date


def reference_for(
    item: Item,
    answers: WorkshopAnswers,
    groups: Sequence[Group],
    others: Iterable[Person] = (),
) -> Reference | None:
    """The question's published figure, and each person's answer against their role's figure
    (the two groups' people in `checks`, anyone else who answered and has a figure in
    `other_checks`); a group too large to list gets a count in `counts` instead."""
    data = item.benchmark
    if not data or not data.get("figures"):
        return None
    block = _translation(data)
    text = {name: str(block.get(name) or data.get(name, "")) for name in REFERENCE_TEXTS}
    figures = _figures(data, "figures", block)
    extra_figures = _figures(data, "extra_figures", block)
    by_group = {figure.group: figure for figure in figures}
    rule = data.get("answer_counts_as_yes", {})

    def check(person: Person) -> Check:
        value = answers.value(person, item)
        group = FIGURE_GROUP_FOR_ROLE.get(person.role, "")
        figure = by_group.get(group) or by_group.get("organisations") or by_group.get("respondents")
        cell = answers.cell(person, item)
        shown = show(item, value, bool(cell and cell[1]))
        in_bucket = None if shown.missing else _counts_as_yes(rule, value)
        extra = tuple(
            ExtraCheck(f, None if shown.missing else _counts_as_yes(dict(f.rule), value))
            for f in extra_figures
            if f.group == group and f.rule
        )
        return Check(person, shown, in_bucket, figure, extra)

    # Beyond the two groups, only people who answered and have a figure for their role.
    others_checked = [
        check(p) for p in others if not safe_is_missing(item.spec, answers.value(p, item))
    ]
    others_checked = [c for c in others_checked if c.figure is not None]
    return Reference(
        source=text["source"],
        date=text["date"],
        population=text["population"],
        question=text["question"],
        bucket=text["bucket"],
        also_published=text["also_published"],
        seed=str(data.get("seed", "")),
        figures=figures,
        vendor=str(data.get("vendor") or str(data.get("source", "")).partition(" ")[0]),
        year=str(data.get("year") or _year(str(data.get("date", "")))),
        extra_figures=extra_figures,
        conflict=text["conflict"],
        bucket_note=text["bucket_note"],
        checks=tuple(
            check(person)
            for group in groups
            if len(group.people) <= LIST_UP_TO
            for person in group.people
        ),
        other_checks=tuple(others_checked),
        counts=tuple(
            BucketCount(
                group.label,
                sum(1 for c in group_checks if c.in_bucket),
                sum(1 for c in group_checks if c.in_bucket is not None),
            )
            for group in groups
            if len(group.people) > LIST_UP_TO
            for group_checks in [[check(person) for person in group.people]]
        ),
    )
