"""The builder's forms: a questionnaire's details, a section, and a question of any kind.

A question's form is put together from what its kind says (`surveys.kinds`): the kind's own
settings form, its options (if it takes any), weighted pairs of options (if it has partial
credit) and the texts to translate. What was entered is then checked as a questionnaire file's
question would be (`BaseKind.check` and the loader's translation check), so the builder and
the file loader refuse the same things; each problem is shown beside its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from .kinds import KINDS, BaseKind
from .kinds.base import decimal_field
from .loading import _check_translations
from .models import Question, Questionnaire, Section
from .topics import TOPICS

#: How a text is called where the builder asks for its translation.
TEXT_LABELS: dict[str, Any] = {
    "title": gettext_lazy("Title"),
    "intro": gettext_lazy("Introduction"),
    "description": gettext_lazy("Description"),
    "prompt": gettext_lazy("Question"),
    "help_text": gettext_lazy("Help text"),
    "scale_min_label": gettext_lazy("What the lowest point means"),
    "scale_max_label": gettext_lazy("What the highest point means"),
    "unit": gettext_lazy("Unit"),
    "discussion_prompt": gettext_lazy("Prompt for the discussion"),
    "meta.area_label": gettext_lazy("Ownership area (name)"),
    "meta.kpi": gettext_lazy("KPI it sets a target for"),
}


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def translation_fields(
    form: forms.Form, texts: tuple[str, ...], languages: list[str], initial: dict[str, Any]
) -> None:
    """Add a field per text and language other than the questionnaire's own ("de.prompt"),
    named as the loader names a problem of that translation."""
    for language in languages[1:]:
        for name in texts:
            key = f"{language}.{name}"
            field = forms.CharField(
                label=f"{TEXT_LABELS.get(name, name)} ({language_name(language)})",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2})
                if name in ("intro", "description", "help_text")
                else forms.TextInput(),
            )
            field.widget.attrs["lang"] = language
            form.fields[key] = field
            block = initial.get(language) or {}
            head, _, inner = name.partition(".")
            value = block.get(head)
            form.initial[key] = value.get(inner, "") if inner and isinstance(value, dict) else value


def translations_of(form: forms.Form, texts: tuple[str, ...], languages: list[str]) -> dict:
    """The translation blocks entered, in the file's format ({"de": {"prompt": ...}})."""
    blocks: dict[str, dict[str, Any]] = {}
    for language in languages[1:]:
        block: dict[str, Any] = {}
        for name in texts:
            value = (form.cleaned_data.get(f"{language}.{name}") or "").strip()
            if not value:
                continue
            head, _, inner = name.partition(".")
            if inner:
                block.setdefault(head, {})[inner] = value
            else:
                block[head] = value
        blocks[language] = block
    return blocks


class NewQuestionnaireForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    source = forms.TypedChoiceField(
        label=gettext_lazy("Start from"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, sources: list[Questionnaire], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", gettext_lazy("Nothing: start from scratch"))] + [
            (q.pk, f"{q.text('title')} · v{q.version}") for q in sources
        ]


class DetailsForm(forms.Form):
    """A draft's title, description and the languages it offers (its own first)."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Also offered in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Every text then needs a translation into these languages."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    TEXTS = ("title", "description")

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        others = [code for code, _ in settings.LANGUAGES if code != questionnaire.language]
        self.fields["languages"].choices = [(code, language_name(code)) for code in others]
        self.initial.setdefault("title", questionnaire.title)
        self.initial.setdefault("description", questionnaire.description)
        self.initial.setdefault("languages", questionnaire.languages[1:])
        self.initial.setdefault("revision", questionnaire.edit_revision)
        translation_fields(
            self, self.TEXTS, questionnaire.languages, questionnaire.translations or {}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("languages") or []
        for language in self.questionnaire.languages[1:]:
            if language not in chosen:
                continue
            if data.get("title") and not (data.get(f"{language}.title") or "").strip():
                self.add_error(f"{language}.title", gettext("The translation is missing."))
            if data.get("description") and not (data.get(f"{language}.description") or "").strip():
                self.add_error(f"{language}.description", gettext("The translation is missing."))
        return data


class SectionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    intro = forms.CharField(
        label=gettext_lazy("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(
        self, *args: Any, questionnaire: Questionnaire, section: Section | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.languages = questionnaire.languages
        self.initial.setdefault("revision", questionnaire.edit_revision)
        if section is not None:
            self.initial.setdefault("title", section.title)
            self.initial.setdefault("intro", section.intro)
        translation_fields(
            self, Section.TEXTS, self.languages, (section.translations if section else {}) or {}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        definition = {
            "title": data.get("title") or "",
            "intro": data.get("intro") or "",
            **translations_of(self, Section.TEXTS, self.languages),
        }
        for field, message in _check_translations(
            definition, Section.TEXTS, self.languages, required="title"
        ):
            self.add_error(field if field in self.fields else None, message)
        return data


class CommonForm(forms.Form):
    """What every question has, whatever its kind."""

    prompt = forms.CharField(
        label=gettext_lazy("Question"), max_length=400, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_text = forms.CharField(
        label=gettext_lazy("Help text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    allow_unknown = forms.BooleanField(
        label=gettext_lazy("Offer “Don't know / not applicable”"), required=False
    )
    importance = decimal_field(
        gettext_lazy("Importance"),
        help_text=gettext_lazy("Its weight in section scores and the agenda: 1 is normal."),
    )
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False)
    discussion_prompt = forms.CharField(
        label=gettext_lazy("Prompt for the discussion"), max_length=400, required=False
    )
    prediction = forms.BooleanField(
        label=gettext_lazy("Also ask for a prediction of the other side's answer"),
        required=False,
        help_text=gettext_lazy(
            "Each executive then also says what they think the other side answered: a "
            "companion question right after this one, never required."
        ),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    kind = forms.ChoiceField(widget=forms.HiddenInput, choices=[(k, k) for k in KINDS])
    confirm_new_code = forms.BooleanField(
        required=False,
        label=gettext_lazy("Yes, it measures something new: compare it as a new question"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", gettext_lazy("Its section"))] + [
            (code, topic.title) for code, topic in TOPICS.items()
        ]

    def clean_importance(self) -> float | None:
        value = self.cleaned_data.get("importance")
        if value is not None and value <= 0:
            raise forms.ValidationError(gettext("Enter a number greater than 0."))
        return value


class OptionForm(forms.Form):
    """One option of a choice question (a choice, an item to rank, a segment)."""

    label = forms.CharField(label=gettext_lazy("Label"), max_length=200, required=False)
    value = forms.SlugField(label=gettext_lazy("Key"), max_length=60, required=False)
    is_none = forms.BooleanField(label=gettext_lazy("“None of these”"), required=False)

    def __init__(
        self, *args: Any, languages: list[str], none_allowed: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not none_allowed:
            del self.fields["is_none"]
        for language in languages[1:]:
            field = forms.CharField(
                label=f"{gettext('Label')} ({language_name(language)})",
                max_length=200,
                required=False,
            )
            field.widget.attrs["lang"] = language
            self.fields[f"label_{language}"] = field

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            (value or "").strip()
            for name, value in data.items()
            if name.startswith(("value", "label"))
        )


class PairForm(forms.Form):
    """Two options that count as partly the same, with the weight of that (0 to 1)."""

    first = forms.CharField(label=gettext_lazy("Option"), required=False, max_length=60)
    second = forms.CharField(label=gettext_lazy("and option"), required=False, max_length=60)
    weight = decimal_field(gettext_lazy("count as the same by"), required=False)


OptionFormSet = forms.formset_factory(OptionForm, extra=3, max_num=60, absolute_max=80)
PairFormSet = forms.formset_factory(PairForm, extra=2, max_num=40, absolute_max=60)


class QuestionEditor:
    """All the forms of one question of one kind, bound to a post or filled from a question."""

    def __init__(
        self,
        *,
        questionnaire: Questionnaire,
        kind: BaseKind,
        question: Question | None,
        choices: list[Any],
        data: Any = None,
        predicted: bool = False,
    ) -> None:
        self.questionnaire = questionnaire
        self.kind = kind
        self.question = question
        self.languages = questionnaire.languages
        # The question's own settings fill the form, unless the form is for another kind.
        stored = question if question is not None and KINDS[question.kind] is kind else None
        common_initial: dict[str, Any] = {
            "revision": questionnaire.edit_revision,
            "kind": kind.kind,
            "required": True,
            "importance": 1.0,
        }
        if question is not None:
            common_initial.update(
                {
                    name: getattr(question, name)
                    for name in (
                        "prompt",
                        "help_text",
                        "required",
                        "allow_unknown",
                        "importance",
                        "discussion_prompt",
                    )
                }
            )
            common_initial["topic"] = (question.meta or {}).get("topic", "")
        common_initial["prediction"] = predicted
        self.common = CommonForm(data, prefix="q", initial=common_initial)
        if kind.coded:  # compared by the facilitator's coding, not scored: nothing to predict
            del self.common.fields["prediction"]
        translation_fields(
            self.common,
            kind.texts,
            self.languages,
            _translation_initial(question) if question is not None else {},
        )
        self.settings = kind.settings_form(
            data,
            prefix="k",
            initial=kind.settings_form.initial_for(stored) if stored is not None else None,
        )
        self.options = None
        self.pairs = None
        if kind.takes_options:
            self.options = OptionFormSet(
                data,
                prefix="c",
                initial=[_option_initial(choice) for choice in choices],
                form_kwargs={"languages": self.languages, "none_allowed": kind.none_allowed},
            )
        if kind.weighs_pairs:
            credit = stored.partial_credit if stored is not None else []
            self.pairs = PairFormSet(
                data,
                prefix="pc",
                initial=[{"first": a, "second": b, "weight": w} for a, b, w in credit or []],
            )
        if self.pairs is not None:
            offered = [("", "—"), *self.option_choices]
            for form in self.pairs.forms:
                for name in ("first", "second"):
                    form.fields[name].widget = forms.Select(choices=offered)
        self.definition: dict[str, Any] = {}
        self.option_rows: list[OptionForm] = []
        self.pair_rows: list[PairForm] = []

    @property
    def translation_groups(self) -> list[tuple[str, str, list[Any]]]:
        """The translation fields by language: (code, name, bound fields)."""
        return [
            (
                language,
                language_name(language),
                [
                    self.common[name]
                    for name in self.common.fields
                    if name.startswith(f"{language}.")
                ],
            )
            for language in self.languages[1:]
        ]

    @property
    def option_choices(self) -> list[tuple[str, str]]:
        """The options as the weighted pairs offer them (the stored ones, or those posted)."""
        if self.options is None:
            return []
        found = []
        for form in self.options.forms:
            value = form["value"].value() or slugify(form["label"].value() or "")
            if value:
                found.append((value, form["label"].value() or value))
        return found

    def forms(self) -> list[Any]:
        return [f for f in (self.common, self.settings, self.options, self.pairs) if f is not None]

    def is_valid(self) -> bool:
        """Each form checks its fields; then the whole question is checked as the file loader
        checks one, each problem put beside its field. Builds `definition` on the way."""
        valid = all(form.is_valid() for form in self.forms())
        if not valid:
            return False
        self.definition = self._definition()
        settings_only = {k: v for k, v in self.definition.items() if k not in self.languages}
        for problem in self.kind.check(settings_only):
            self._place(problem.field, problem.message)
        for field, message in _check_translations(
            self.definition,
            Question.TEXTS,
            self.languages,
            required="prompt",
            choices=self.definition.get("choices"),
        ):
            self._place(field, message)
        return not self.has_errors

    @property
    def has_errors(self) -> bool:
        return any(
            (form.errors if isinstance(form, forms.Form) else form.total_error_count())
            for form in self.forms()
        ) or bool(self.options is not None and self.options.non_form_errors())

    def _definition(self) -> dict[str, Any]:
        common = self.common.cleaned_data
        definition: dict[str, Any] = {
            "kind": self.kind.kind,
            "prompt": common["prompt"],
            "help_text": common["help_text"],
            "required": common["required"],
            "allow_unknown": common["allow_unknown"],
            "importance": common["importance"],
            "discussion_prompt": common["discussion_prompt"],
            **self.settings.definition(),
        }
        if common["topic"]:
            definition.setdefault("meta", {})["topic"] = common["topic"]
        if common.get("prediction"):
            definition["prediction"] = True
        if self.question is not None and self.question.benchmark:
            definition["benchmark"] = self.question.benchmark
        blocks = translations_of(self.common, self.kind.texts, self.languages)
        self.option_rows: list[OptionForm] = []
        if self.options is not None:
            choices = []
            labels: dict[str, dict[str, str]] = {language: {} for language in self.languages[1:]}
            for form in self.options.forms:
                if form.is_blank:
                    continue
                row = form.cleaned_data
                value = row.get("value") or slugify(row.get("label") or "")[:60]
                choice = {"value": value, "label": (row.get("label") or "").strip()}
                if self.kind.none_allowed and row.get("is_none"):
                    choice["is_none"] = True
                choices.append(choice)
                self.option_rows.append(form)
                for language in self.languages[1:]:
                    translated = (row.get(f"label_{language}") or "").strip()
                    if translated:
                        labels[language][value] = translated
            definition["choices"] = choices
            for language in self.languages[1:]:
                blocks[language]["choices"] = labels[language]
        self.pair_rows: list[PairForm] = []
        if self.pairs is not None:
            credit = []
            for form in self.pairs.forms:
                row = getattr(form, "cleaned_data", {})
                if not (row.get("first") or row.get("second")) and row.get("weight") is None:
                    continue
                weight = row.get("weight")
                credit.append([row.get("first") or "", row.get("second") or "", weight])
                self.pair_rows.append(form)
            definition["partial_credit"] = credit
        for language, block in blocks.items():
            definition[language] = block
        return definition

    def _option_row_for(self, index: int | None) -> OptionForm | None:
        """The option row a problem of the options is about: the one named, else the second
        of two alike, else the first empty row (where another option would go)."""
        if index is not None and index <= len(self.option_rows):
            return self.option_rows[index - 1]
        seen: set[str] = set()
        for form in self.option_rows:
            value, label = _same(form)
            if value in seen or label in seen:
                return form
            seen.update((value, label))
        blank = [form for form in self.options.forms if form not in self.option_rows]
        return blank[0] if blank else None

    def _place(self, field: str, message: str) -> None:
        """Put a problem of the check beside the field it names."""
        head = field.split("[", 1)[0]
        index = _index(field)
        if field.startswith(tuple(f"{language}." for language in self.languages[1:])):
            language, _, rest = field.partition(".")
            if rest.startswith("choices."):
                value = rest.split(".", 1)[1]
                for form in self.option_rows:
                    if _value_of(form) == value:
                        form.add_error(f"label_{language}", message)
                        return
            if field in self.common.fields:
                self.common.add_error(field, message)
                return
            self.common.add_error(None, f"{field}: {message}")
            return
        if head == "choices" and self.options is not None:
            row = self._option_row_for(index)
            if row is not None:
                row.add_error("label", message)
            else:
                self.options._non_form_errors = self.options.non_form_errors() + [message]
            return
        if head == "partial_credit" and self.pairs is not None:
            if index is not None and index <= len(self.pair_rows):
                self.pair_rows[index - 1].add_error("weight", message)
            else:
                self.pairs._non_form_errors = self.pairs.non_form_errors() + [message]
            return
        name = self.settings.field_for(field)
        if name is not None:
            self.settings.add_error(name, message)
        elif field in self.common.fields:
            self.common.add_error(field, message)
        else:
            self.common.add_error(None, f"{field}: {message}")


def _same(form: OptionForm) -> tuple[str, str]:
    return _value_of(form), " ".join((form.cleaned_data.get("label") or "").split()).casefold()


def _index(field: str) -> int | None:
    if "[" not in field:
        return None
    try:
        return int(field.split("[", 1)[1].split("]", 1)[0])
    except ValueError:
        return None


def _value_of(form: OptionForm) -> str:
    row = form.cleaned_data
    return row.get("value") or slugify(row.get("label") or "")[:60]


def _option_initial(choice: Any) -> dict[str, Any]:
    initial = {"value": choice.value, "label": choice.label, "is_none": choice.is_none}
    for language, block in (choice.translations or {}).items():
        if isinstance(block, dict):
            initial[f"label_{language}"] = block.get("label", "")
    return initial


def _translation_initial(question: Question) -> dict[str, Any]:
    """A question's translations with the meta texts in a "meta" object, as the file has
    them (stored alike)."""
    return question.translations or {}
