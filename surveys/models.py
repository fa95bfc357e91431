"""The questionnaire engine: questionnaires, their questions, and the answers given to them.

`surveys` knows nothing of workshops. A Response belongs to a questionnaire version; whoever
hands out responses (the `workshops` app) links to it, never the other way round.

Answer values are stored as JSON in the shape the scoring reads directly (each kind's class in
`surveys.kinds` parses, shows and checks its own):

    scale       int within [scale_min, scale_max]
    single      str, a Choice.value
    multi       list[str] of Choice.value (empty only when a "none of these" choice exists,
                stored then as [that choice's value])
    ranking     list[str] of Choice.value, best first (top-k: at most rank_limit items)
    numeric     float within [min_value, max_value]
    allocation  dict[str, int], Choice.value -> percent, summing to 100
    text        str of at most max_length characters

"Don't know / not applicable" is `is_unknown=True` with a null value: missing for scoring.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, sql
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from .scoring import Kind


def language_candidates(language: str | None) -> tuple[str, ...]:
    """The translation keys to try for a language, most specific first: "de-at" -> ("de-at",
    "de"); none for no language (then the source texts are shown)."""
    if not language:
        return ()
    code = language.lower().replace("_", "-")
    base = code.split("-", 1)[0]
    return (code,) if base == code else (code, base)


class LocalizedTexts:
    """The texts of one questionnaire object in one language, read as attributes: what
    templates use (`{{ question.localized.prompt }}`, `{{ choice.localized.label }}`). Made
    afresh on each access, never kept on the instance: the frozen questionnaire's instances are
    shared by every request of the process, whatever its language."""

    __slots__ = ("_language", "_of")

    def __init__(self, of: Translatable, language: str | None) -> None:
        self._of = of
        self._language = language

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._of.text(name, self._language)


class Translatable(models.Model):
    """A questionnaire object with texts people read, in the questionnaire's own language (its
    fields) and in others (`translations`: {"de": {"prompt": "...", ...}}, loaded from the
    file's "de" blocks).

    `text(name)` is the text in the active language (`get_language()`), falling back to the
    object's own text for a language it has no translation in. Translations come with the row
    itself: reading them costs no query. Answers never hold texts (choice values, numbers), so
    people answering in different languages are compared as they are.
    """

    #: The fields whose text people read, and the `meta` keys that hold such a text (written
    #: "meta.<key>"): what a translation may give, and what `surveys.loading` may update in a
    #: questionnaire that has answers.
    TEXTS: ClassVar[tuple[str, ...]] = ()

    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text="Texts in other languages: {language: {field: text}}.",
    )

    class Meta:
        abstract = True

    def text(self, name: str, language: str | None = None) -> str:
        """The text `name` ("prompt", "meta.area_label") in `language` (default: the active
        one), or in the questionnaire's own language when it has no translation there."""
        if name not in self.TEXTS:
            raise AttributeError(f"{type(self).__name__} has no text “{name}”")
        translations = self.translations or {}
        for code in language_candidates(language if language is not None else get_language()):
            found = _text_at(translations.get(code), name)
            if found:
                return found
        return _text_at(self, name)

    @property
    def localized(self) -> LocalizedTexts:
        """The texts in the active language, for templates."""
        return LocalizedTexts(self, get_language())


def _text_at(holder: Any, name: str) -> str:
    """The text `name` of a model instance or of one language's translations ("meta.kpi" reads
    `meta["kpi"]`); "" when absent."""
    if holder is None:
        return ""
    head, _, key = name.partition(".")
    value = holder.get(head) if isinstance(holder, dict) else getattr(holder, head, "")
    if key:
        value = value.get(key) if isinstance(value, dict) else ""
    return value if isinstance(value, str) else ""


class QuestionnaireStatus(models.TextChoices):
    """A questionnaire is a draft while it is being built (never answered, never offered to a
    workshop) and published once it is a version workshops may use. Publishing is one-way."""

    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def published(self) -> QuestionnaireQuerySet:
        return self.filter(status=QuestionnaireStatus.PUBLISHED)

    def visible_to(self, user: Any) -> QuestionnaireQuerySet:
        """What a facilitator may see (and copy): their own, those shared with them, and the
        built-in ones (no owner). `surveys.access` is the one place requests use it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        shared = Questionnaire.shared_with.through.objects.filter(user_id=user.pk).values(
            "questionnaire_id"
        )
        return self.filter(Q(owner__isnull=True) | Q(owner=user) | Q(pk__in=shared))

    def editable_by(self, user: Any) -> QuestionnaireQuerySet:
        """What a facilitator may change: their own and those shared with them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        shared = Questionnaire.shared_with.through.objects.filter(user_id=user.pk).values(
            "questionnaire_id"
        )
        return self.filter(Q(owner=user) | Q(pk__in=shared))

    def usable_by(self, user: Any) -> QuestionnaireQuerySet:
        """What a facilitator may give a workshop: published versions they may see."""
        return self.published().visible_to(user)


class Questionnaire(Translatable):
    """One version of a questionnaire. Once a response exists it is frozen: changes make a new
    version (same slug, version + 1), so every answer keeps the meaning it was given (only its
    texts may be corrected or translated in place: `surveys.loading`).

    A questionnaire without an `owner` is built in (the default, loaded from its data file):
    read-only for everyone, and copyable. A facilitator's own questionnaires are built in the
    builder (`surveys.builder`) as drafts, and published as versions; a published version is
    never changed in the builder (editing it makes a draft of the next version).
    """

    TEXTS = ("title", "description")

    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField(default=1)
    #: The language its own texts are written in; `translations` hold the others.
    language = models.CharField(max_length=12, default="en")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_digest = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the data file this version came from."
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: Who builds it; null for a built-in questionnaire (read-only, copyable).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
    )
    #: Published versions are what workshops use; loaded files are published.
    status = models.CharField(
        max_length=10, choices=QuestionnaireStatus.choices, default=QuestionnaireStatus.PUBLISHED
    )
    #: Other facilitators who may see and edit it.
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shared_questionnaires"
    )
    #: The questionnaire it was copied from (the previous version, or another questionnaire).
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    #: One more with every change in the builder: a save made on an older revision is refused
    #: (two facilitators editing at once never overwrite each other silently).
    edit_revision = models.PositiveIntegerField(default=0)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="questionnaire_slug_version"),
            models.CheckConstraint(
                condition=Q(status__in=QuestionnaireStatus.values),
                name="questionnaire_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text('title')} (v{self.version})"  # in the reader's language

    @property
    def languages(self) -> list[str]:
        """The languages its texts are in: its own first, then those it is translated into."""
        return [self.language, *sorted(set(self.translations or {}) - {self.language})]

    @property
    def is_draft(self) -> bool:
        return self.status == QuestionnaireStatus.DRAFT

    @property
    def is_built_in(self) -> bool:
        return self.owner_id is None

    @property
    def is_frozen(self) -> bool:
        """A questionnaire that has answers cannot change in place."""
        return self.responses.exists()

    def ordered_sections(self) -> list[Section]:
        """Sections with their questions and choices, in two queries plus one."""
        return list(
            self.sections.prefetch_related(
                Prefetch(
                    "questions",
                    queryset=Question.objects.order_by("position").prefetch_related(
                        Prefetch("choices", queryset=Choice.objects.order_by("position"))
                    ),
                )
            ).order_by("position")
        )

    @property
    def structure_key(self) -> tuple:
        """Names this version's structure wherever it is kept (the memo of `cached_sections`,
        rendered questions): created_at and source_digest tell a re-created row with a reused
        pk (a test database rolled back, a restored dump) from the version kept under that pk."""
        return (self.pk, self.source_digest, self.created_at)

    def cached_sections(self, response: Response, *, predictions: bool = True) -> list[Section]:
        """`ordered_sections()`, read once per process for a questionnaire that has responses.

        Why a per-process memo is right here (and not the shared cache): a questionnaire with
        a response is frozen. It never changes in place (`surveys.loading` refuses and makes a
        new version, the admin turns read-only), so its sections, questions and choices read
        once stay true for the life of the process, in every process: the memo is keyed by
        `structure_key`, and no server can hold a version another has not. The database cache
        instead would cost a query and unpickling every time, for nothing to share (measured
        per answering request: twice the memo's time; reading afresh, three times). The caller
        proves the freeze by passing a saved response of this questionnaire; without one this
        reads `ordered_sections()`.

        The instances are shared by every request (and thread) of the process: read them,
        never change them. `question.choices.all()` reads the prefetched list.

        `predictions=False` leaves the prediction questions out (for someone who is not asked
        them): the same sections, each a copy whose `questions.all()` lists the others.
        """
        if response.pk is None or response.questionnaire_id != self.pk:
            sections = self.ordered_sections()
            return sections if predictions else without_predictions(sections)
        if predictions:
            return _frozen_sections(self.structure_key, self)
        return _frozen_sections_without_predictions(self.structure_key, self)


@lru_cache(maxsize=16)
def _frozen_sections(structure_key: tuple, questionnaire: Questionnaire) -> list[Section]:
    """The sections of the frozen questionnaire version `structure_key` names (see
    `cached_sections`; the instance, equal to any other with its pk, only reads them): a few
    versions are in use at a time; the least recently used goes first."""
    return questionnaire.ordered_sections()


@lru_cache(maxsize=16)
def _frozen_sections_without_predictions(
    structure_key: tuple, questionnaire: Questionnaire
) -> list[Section]:
    """`_frozen_sections` without the prediction questions (read, never changed, likewise)."""
    return without_predictions(_frozen_sections(structure_key, questionnaire))


def without_predictions(sections: list[Section]) -> list[Section]:
    """Copies of sections read with `ordered_sections()` whose `questions.all()` leaves the
    prediction questions out (the questions themselves are the same instances)."""
    copies = []
    for section in sections:
        kept = [q for q in section.questions.all() if q.predicts_id is None]
        questions = Question.objects.filter(section_id=section.pk).order_by("position")
        questions._result_cache = kept  # read as prefetched: no query
        questions._prefetch_done = True
        copy = Section(**{f.attname: getattr(section, f.attname) for f in Section._meta.fields})
        copy._state.adding, copy._state.db = False, section._state.db
        copy._prefetched_objects_cache = {"questions": questions}
        copies.append(copy)
    return copies


class ChangeAction(models.TextChoices):
    """What a change in the builder did: a code, put into words by `QuestionnaireChange.text`
    in the reader's language (its `params` name what it was done to)."""

    CREATED = "created", gettext_lazy("Created")
    IMPORTED = "imported", gettext_lazy("Imported")
    COPIED = "copied", gettext_lazy("Copied")
    NEW_VERSION = "new_version", gettext_lazy("New version")
    DETAILS = "details", gettext_lazy("Details changed")
    PUBLISHED = "published", gettext_lazy("Published")
    SHARED = "shared", gettext_lazy("Shared")
    UNSHARED = "unshared", gettext_lazy("No longer shared")
    SECTION_ADDED = "section_added", gettext_lazy("Section added")
    SECTION_CHANGED = "section_changed", gettext_lazy("Section changed")
    SECTION_MOVED = "section_moved", gettext_lazy("Section moved")
    SECTION_REMOVED = "section_removed", gettext_lazy("Section removed")
    QUESTION_ADDED = "question_added", gettext_lazy("Question added")
    QUESTION_CHANGED = "question_changed", gettext_lazy("Question changed")
    QUESTION_RECODED = "question_recoded", gettext_lazy("Question's meaning changed")
    QUESTION_MOVED = "question_moved", gettext_lazy("Question moved")
    QUESTION_REMOVED = "question_removed", gettext_lazy("Question removed")


#: Each action in words, filled from its params (missing ones read as "").
CHANGE_TEXTS: dict[str, Any] = {
    ChangeAction.CREATED: gettext_lazy("Created the questionnaire “%(title)s”."),
    ChangeAction.IMPORTED: gettext_lazy("Imported “%(title)s” from the file %(file)s."),
    ChangeAction.COPIED: gettext_lazy("Copied from “%(source)s” (version %(version)s)."),
    ChangeAction.NEW_VERSION: gettext_lazy(
        "Started version %(version)s from the published version %(previous)s."
    ),
    ChangeAction.DETAILS: gettext_lazy("Changed the title, description or languages."),
    ChangeAction.PUBLISHED: gettext_lazy("Published version %(version)s."),
    ChangeAction.SHARED: gettext_lazy("Shared with %(user)s."),
    ChangeAction.UNSHARED: gettext_lazy("Stopped sharing with %(user)s."),
    ChangeAction.SECTION_ADDED: gettext_lazy("Added the section “%(section)s”."),
    ChangeAction.SECTION_CHANGED: gettext_lazy("Changed the section “%(section)s”."),
    ChangeAction.SECTION_MOVED: gettext_lazy("Moved the section “%(section)s” to place %(to)s."),
    ChangeAction.SECTION_REMOVED: gettext_lazy("Removed the section “%(section)s”."),
    ChangeAction.QUESTION_ADDED: gettext_lazy("Added the question “%(question)s”."),
    ChangeAction.QUESTION_CHANGED: gettext_lazy("Changed the question “%(question)s”."),
    ChangeAction.QUESTION_RECODED: gettext_lazy(
        "Changed what the question “%(question)s” measures: it is now compared as a new "
        "question (%(old_code)s → %(code)s)."
    ),
    ChangeAction.QUESTION_MOVED: gettext_lazy("Moved the question “%(question)s” to place %(to)s."),
    ChangeAction.QUESTION_REMOVED: gettext_lazy("Removed the question “%(question)s”."),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


class QuestionnaireChange(models.Model):
    """One change made in the builder: who, when, and what (a code and its params, never a
    sentence: `text` words it in the reader's language)."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20, choices=ChangeAction.choices)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ChangeAction.values), name="questionnaire_change_action"
            )
        ]
        indexes = [models.Index(fields=["questionnaire", "-at"], name="questionnaire_change_at")]

    def __str__(self) -> str:
        return f"{self.action} on {self.questionnaire_id}"

    @property
    def text(self) -> str:
        """The change in words, in the active language."""
        template = CHANGE_TEXTS.get(self.action)
        if template is None:
            return self.action
        params = self.params if isinstance(self.params, dict) else {}
        return str(template) % _Blank({k: str(v) for k, v in params.items()})


class Section(Translatable):
    TEXTS = ("title", "intro")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveIntegerField()
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="section_position_unique"
            ),
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_code_unique"),
        ]

    def __str__(self) -> str:
        return self.title


#: What each question kind is called where people choose or read it (the admin, the
#: comparison's filter, the dashboard's question rows): the one place a kind's label is written.
KIND_LABELS: dict[Kind, str] = {
    Kind.SCALE: gettext_lazy("Scale"),
    Kind.SINGLE: gettext_lazy("Single choice"),
    Kind.MULTI: gettext_lazy("Multiple choice"),
    Kind.RANKING: gettext_lazy("Ranking"),
    Kind.NUMERIC: gettext_lazy("Numeric target"),
    Kind.ALLOCATION: gettext_lazy("Allocation"),
    Kind.TEXT: gettext_lazy("Free text"),
}

#: The question kinds as the database stores them: built from `scoring.Kind`, the one list of
#: kinds (scoring imports nothing from Django, so the list lives there), with the labels above.
#: `QuestionKind.SCALE == Kind.SCALE`; a kind added to `scoring.Kind` without a label fails here,
#: at import. Everything a kind does lives in its class in `surveys.kinds`.
QuestionKind = models.TextChoices(
    "QuestionKind",
    [(kind.name, (kind.value, KIND_LABELS[kind])) for kind in Kind],
    module=__name__,
)


class ScalePolarity(models.TextChoices):
    """What a scale's ends are (`scoring.Polarity`, same values): opposites (bipolar, the
    direction rule applies) or one quantity from none to most (unipolar, the size rule alone)."""

    BIPOLAR = "bipolar", gettext_lazy("Bipolar: the ends are opposites")
    UNIPOLAR = "unipolar", gettext_lazy("Unipolar: from none to most")


class QuestionQuerySet(models.QuerySet["Question"]):
    def predictions(self) -> QuestionQuerySet:
        """The prediction questions ("what do you think the other side answered?")."""
        return self.filter(predicts__isnull=False)

    def without_predictions(self) -> QuestionQuerySet:
        """The questions people answer for themselves: what is scored, counted and required."""
        return self.filter(predicts__isnull=True)


class Question(Translatable):
    TEXTS = (
        "prompt",
        "help_text",
        "scale_min_label",
        "scale_max_label",
        "unit",
        "discussion_prompt",
        "meta.area_label",
        "meta.kpi",
    )

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    code = models.SlugField(max_length=60, help_text="Stable key across questionnaire versions.")
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    prompt = models.CharField(max_length=400)
    help_text = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    allow_unknown = models.BooleanField(
        default=False, help_text="Offer a “Don't know / not applicable” answer."
    )
    importance = models.FloatField(default=1.0, help_text="Weight in section and agenda scores.")
    # Scale
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    scale_min_label = models.CharField(max_length=80, blank=True)
    scale_max_label = models.CharField(max_length=80, blank=True)
    polarity = models.CharField(
        max_length=8,
        choices=ScalePolarity.choices,
        default=ScalePolarity.BIPOLAR,
        help_text="A scale's ends: opposites (bipolar) or none to most (unipolar).",
    )
    # Numeric target
    unit = models.CharField(max_length=30, blank=True)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    tolerance = models.FloatField(default=0.10, help_text="Relative tolerance T for scoring.")
    absolute_tolerance = models.FloatField(
        null=True, blank=True, help_text="Tolerance in the unit, for values that can be 0 or <0."
    )
    higher_is_ambitious = models.BooleanField(default=True)
    # Ranking
    rank_limit = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Top-k ranking: how many items to rank (blank: all)."
    )
    # Free text
    max_length = models.PositiveIntegerField(default=1000)
    # Single choice partial credit: [[value_a, value_b, weight], ...]
    partial_credit = models.JSONField(default=list, blank=True)
    # Published reference figure with provenance (BENCHMARKS.md), or {}.
    benchmark = models.JSONField(default=dict, blank=True)
    # Presentation hints for the dashboard, e.g. {"area": "mobile_web", "tense": "should"} for
    # the ownership matrix or {"kpi": "Page load time"} for the KPI table; any question may have
    # a {"topic": ...} (a `surveys.topics.TOPICS` code) the run-sheet discusses it under.
    meta = models.JSONField(default=dict, blank=True)
    discussion_prompt = models.CharField(max_length=400, blank=True)
    #: A prediction question ("What do you think the other side answered?") is a companion of
    #: the question it predicts, loaded right after it from `"prediction": true` with the same
    #: kind, settings and options, code `<code>-predicted`, never required. Being an ordinary
    #: question, it is answered, saved, drafted and kept private like any other; everything
    #: that scores, counts or requires answers leaves it out (`is_prediction`,
    #: `Question.objects.without_predictions()`).
    predicts = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="predictions",
        help_text="The question whose other side's answer this question predicts.",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "position"], name="question_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="question_scale_range"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gt=0), name="question_tolerance_positive"
            ),
            models.CheckConstraint(
                condition=Q(importance__gt=0), name="question_importance_positive"
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=ScalePolarity.values), name="question_polarity_valid"
            ),
            models.CheckConstraint(
                condition=~Q(predicts=F("pk")), name="question_predicts_another"
            ),
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def is_prediction(self) -> bool:
        """Whether this asks what the other side answered (no query: reads the column)."""
        return self.predicts_id is not None

    def partial_credit_for(self, a: str, b: str) -> float:
        for first, second, weight in self.partial_credit:
            if {first, second} == {a, b}:
                return float(weight)
        return 0.0


class Choice(Translatable):
    TEXTS = ("label",)

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField()
    value = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    is_none = models.BooleanField(default=False, help_text="An explicit “none of these”.")

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="choice_value_unique"),
            models.UniqueConstraint(fields=["question", "position"], name="choice_position_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    def copy_for(self, question: Question, translations: dict[str, Any] | None = None) -> Choice:
        """This option, unsaved, for `question` (a copy of its own): the same position, value,
        label and "none" flag, with `translations` (by default its own)."""
        return Choice(
            question=question,
            position=self.position,
            value=self.value,
            label=self.label,
            is_none=self.is_none,
            translations=self.translations if translations is None else translations,
        )


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class ResponseQuerySet(models.QuerySet["Response"]):
    def update_counting(self, **changes: Any) -> int | None:
        """`update(**changes)` on at most one response, returning its `answered_count` as the
        change left it, or None when no response matched: one statement (UPDATE ...
        RETURNING, which SQLite and PostgreSQL both run), where reading the count afterwards
        would cost a query more on every answer saved. On a backend without RETURNING the
        count is read in the same transaction."""
        query = self.query.chain(sql.UpdateQuery)
        query.add_update_values(changes)
        counted = self.model._meta.get_field("answered_count")
        with transaction.mark_for_rollback_on_error(using=self.db):
            rows = query.get_compiler(self.db).execute_returning_sql([counted])
        if not rows:
            return None
        if not rows[0]:  # updated, but the backend returns no columns
            return self.values_list("answered_count", flat=True).get()
        return rows[0][0]

    def recount_answers(self) -> int:
        """Set what these responses store about their answers from the answers themselves (the
        count, a new revision, the change time): for answers written outside
        `surveys.answering` (bulk loads, the admin, data fixes), which keeps them in step
        itself. One UPDATE; returns the responses updated."""
        answered = (
            Answer.objects.answered()
            .filter(response=OuterRef("pk"))
            .order_by()
            .values("response")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.update(
            answered_count=Coalesce(Subquery(answered), 0),
            revision=F("revision") + 1,
            updated_at=timezone.now(),
        )


class Response(models.Model):
    """One respondent's answers to one questionnaire version."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_section = models.PositiveIntegerField(default=1)
    #: How many questions the response answers (`Answer.is_answered`: a value or "don't know").
    #: Stored, so that pages listing many responses (the progress board, the facilitator's home)
    #: read it rather than count answers on every request: `surveys.answering` changes it, with
    #: `revision` and `updated_at`, in the transaction that saves each answer. Whatever writes
    #: answers another way calls `Response.objects.filter(...).recount_answers()`.
    answered_count = models.PositiveIntegerField(default=0, editable=False)
    #: One more with every change to the answers (a draft included) and to the status: with
    #: `answered_count`, where the answers stand, for reusing what was computed from them
    #: (a counter, not a time: app servers' clocks may disagree).
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ResponseStatus.values), name="response_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="response_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A draft questionnaire is still being built: it is never answered (its next edit
        # would change what the answers mean). Workshops are offered published ones only;
        # this is the last guard. The questionnaire is usually at hand (no query).
        if self._state.adding and self.questionnaire.is_draft:
            raise ValueError(f"{self.questionnaire} is a draft: publish it before it is answered.")
        super().save(*args, **kwargs)

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED

    def count_answered(self) -> int:
        """How many questions this response answers (`Answer.is_answered`): one query."""
        return Answer.objects.answered().filter(response_id=self.pk).count()


class AnswerQuerySet(models.QuerySet["Answer"]):
    def answered(self) -> AnswerQuerySet:
        """Answers that count as given (a value, or "don't know"): `Answer.is_answered`."""
        return self.filter(Q(is_unknown=True) | Q(value__isnull=False))


class Answer(models.Model):
    """One answer to one question. `revision` increases on each change so that two tabs editing
    the same answer cannot silently overwrite each other (optimistic concurrency)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    is_unknown = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    #: What the respondent last entered when it was not yet a valid answer (shares that do not
    #: add up yet, a partial ranking, a number out of range): this question's raw form inputs,
    #: kept so that closing the page loses nothing. Never scored; the next valid save clears it.
    draft = models.JSONField(null=True, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_one_per_question"
            ),
            models.CheckConstraint(
                condition=Q(is_unknown=False) | Q(value__isnull=True),
                name="answer_unknown_has_no_value",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id} in response {self.response_id}"

    @property
    def is_answered(self) -> bool:
        return self.is_unknown or self.value is not None
