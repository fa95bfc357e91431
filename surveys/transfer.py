"""A questionnaire to a file and back: the format of the questionnaire data files
(surveys/questionnaires/*.json, read by `surveys.loading`), described key by key in
docs/QUESTIONNAIRE_FORMAT.md.

`export_definition` writes a stored questionnaire as a file would describe it, so that the
default questionnaire exports as its own data file (with its `"format"`), and an exported file
imports as the same questionnaire. `read_upload` turns the bytes of an uploaded file into a
checked definition, or refuses it with every problem named by its place.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from .builder import record
from .kinds import KINDS
from .kinds.base import COMMON_FIELDS
from .loading import FORMAT_VERSION, QuestionnaireInvalid, build, check_definition, save_rows
from .models import (
    ChangeAction,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    Section,
)

#: The largest file an upload may be (the default questionnaire is about a tenth of it).
MAX_FILE_BYTES = 1_000_000

#: The order of a question's keys in a file, as the default questionnaire writes them.
_QUESTION_ORDER = (
    "code",
    "kind",
    "prompt",
    "help_text",
    "required",
    "allow_unknown",
    "importance",
    "prediction",
    "scale_min",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
    "polarity",
    "unit",
    "min_value",
    "max_value",
    "tolerance",
    "absolute_tolerance",
    "higher_is_ambitious",
    "rank_limit",
    "max_length",
    "choices",
    "partial_credit",
    "benchmark",
    "meta",
    "discussion_prompt",
)

_UNORDERED = (COMMON_FIELDS | frozenset().union(*(k.fields for k in KINDS.values()))) - set(
    _QUESTION_ORDER
)
_STRAY = {
    key: sorted(k.file_keeps - k.fields) for key, k in KINDS.items() if k.file_keeps - k.fields
}
if _STRAY:  # pragma: no cover - a kind keeping a setting it does not have
    raise ImportError(f"surveys.transfer: file_keeps names settings a kind lacks: {_STRAY}")
if _UNORDERED:  # pragma: no cover - a setting added without its place in a file
    raise ImportError(f"surveys.transfer: no place in _QUESTION_ORDER for {sorted(_UNORDERED)}")


def _number(value: Any) -> Any:
    """A number as a person writes it: 2 rather than 2.0 (the float a FloatField reads back)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _block(holder: Any, texts: tuple[str, ...], language: str) -> dict[str, Any]:
    """An object's translation block for `language`, its texts in the order the object lists
    them (`Translatable.TEXTS`; "meta.kpi" goes into the block's "meta")."""
    stored = (holder.translations or {}).get(language) or {}
    block: dict[str, Any] = {}
    for name in texts:
        head, _, key = name.partition(".")
        value = stored.get(head)
        if key:
            value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, str) and value:
                block.setdefault(head, {})[key] = value
        elif isinstance(value, str) and value:
            block[head] = value
    return block


def _translated(holder: Any, texts: tuple[str, ...], languages: list[str]) -> dict[str, Any]:
    blocks = {language: _block(holder, texts, language) for language in languages[1:]}
    return {language: block for language, block in blocks.items() if block}


def _question(
    question: Question, choices: list[Choice], languages: list[str], *, predicted: bool
) -> dict[str, Any]:
    kind = KINDS[question.kind]
    always = kind.file_keeps
    written: dict[str, Any] = {}
    for name in _QUESTION_ORDER:
        if name not in COMMON_FIELDS and name not in kind.fields:
            continue
        if name in ("code", "kind", "prompt"):
            written[name] = getattr(question, name)
            continue
        if name == "prediction":
            if predicted:  # the loader adds its companion question (`Question.predicts`)
                written[name] = True
            continue
        if name == "choices":
            written[name] = [
                {"value": c.value, "label": c.label, **({"is_none": True} if c.is_none else {})}
                for c in choices
            ]
            continue
        value = getattr(question, name)
        default = Question._meta.get_field(name).get_default()
        if value is None or value == "" or (value == default and name not in always):
            continue
        if name == "partial_credit":
            value = [[a, b, _number(weight)] for a, b, weight in value]
        written[name] = _number(value)
    for language, block in _translated(question, Question.TEXTS, languages).items():
        written[language] = block
    for language in languages[1:]:
        labels = {
            c.value: c.translations[language]["label"]
            for c in choices
            if isinstance((c.translations or {}).get(language), dict)
            and c.translations[language].get("label")
        }
        if labels:
            written.setdefault(language, {})["choices"] = labels
    return written


def _section(
    section: Section,
    questions: list[tuple[Question, list[Choice]]],
    languages: list[str],
    predicted: set[int],
) -> dict[str, Any]:
    written: dict[str, Any] = {"code": section.code, "title": section.title}
    if section.intro:
        written["intro"] = section.intro
    written.update(_translated(section, Section.TEXTS, languages))
    written["questions"] = [
        _question(q, choices, languages, predicted=q.pk in predicted)
        for q, choices in questions
        if q.predicts_id is None  # a prediction question is its question's `"prediction"`
    ]
    return written


def export_definition(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as a data file describes it (docs/QUESTIONNAIRE_FORMAT.md): what
    `surveys.loading` reads back as the same questionnaire. Reads its sections, questions and
    choices in three queries (`Questionnaire.ordered_sections`)."""
    languages = questionnaire.languages
    written: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "slug": questionnaire.slug,
        "version": questionnaire.version,
    }
    if languages != ["en"]:
        written["languages"] = languages
    written["title"] = questionnaire.title
    if questionnaire.description:
        written["description"] = questionnaire.description
    written.update(_translated(questionnaire, Questionnaire.TEXTS, languages))
    sections = questionnaire.ordered_sections()
    predicted = {q.predicts_id for s in sections for q in s.questions.all() if q.predicts_id}
    written["sections"] = [
        _section(
            section,
            [(q, list(q.choices.all())) for q in section.questions.all()],
            languages,
            predicted,
        )
        for section in sections
    ]
    return written


def export_json(questionnaire: Questionnaire) -> str:
    """`export_definition` as the text of a file: UTF-8 JSON, indented as the data files are."""
    return json.dumps(export_definition(questionnaire), ensure_ascii=False, indent=2) + "\n"


def export_filename(questionnaire: Questionnaire) -> str:
    """The file's name, as the data files are named: "<slug>.v<version>.json"."""
    return f"{questionnaire.slug}.v{questionnaire.version}.json"


def _duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise _RepeatedKey(repeated[0])
    return dict(pairs)


class _TooManyDigits(ValueError):
    """A whole number with more digits than Python reads (4300)."""


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _TooManyDigits(text[:20]) from None


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def read_upload(data: bytes, *, size: int | None = None) -> dict[str, Any]:
    """The checked definition of an uploaded file's bytes, or `QuestionnaireInvalid` with every
    problem named by its place: a file too large, not UTF-8 text, not JSON (with the line and
    column), in another format, or any problem `surveys.loading` finds in its questionnaire
    (`check_definition`, then the rows' own validation: `build`). `size` is the file's size
    where its bytes were not all read (it is too large)."""
    size = len(data) if size is None else size
    if size > MAX_FILE_BYTES:
        raise QuestionnaireInvalid(
            [
                gettext(
                    "The file is too large: %(size)s kB, where a questionnaire file may be at "
                    "most %(limit)s kB."
                )
                % {"size": (size + 999) // 1000, "limit": MAX_FILE_BYTES // 1000}
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QuestionnaireInvalid(
            [
                gettext("The file is not UTF-8 text (byte %(position)s cannot be read).")
                % {"position": error.start + 1}
            ]
        ) from error
    try:
        definition = json.loads(text, object_pairs_hook=_duplicate_keys, parse_int=_whole_number)
    except _RepeatedKey as error:
        raise QuestionnaireInvalid(
            [
                gettext("The file names the key “%(key)s” twice in one object.")
                % {"key": error.key[:60]}
            ]
        ) from error
    except (json.JSONDecodeError, RecursionError, _TooManyDigits) as error:
        if isinstance(error, json.JSONDecodeError):
            where = gettext("line %(line)s, column %(column)s") % {
                "line": error.lineno,
                "column": error.colno,
            }
        elif isinstance(error, _TooManyDigits):
            where = gettext("a number has more digits than can be read")
        else:
            where = gettext("it nests too deep")
        raise QuestionnaireInvalid(
            [gettext("The file is not valid JSON: %(where)s.") % {"where": where}]
        ) from error
    if problems := check_definition(definition):
        raise QuestionnaireInvalid(problems)
    build(definition)  # the rows' own validation (lengths, codes): raises with every problem
    return definition


def _free_slug(slug: str) -> str:
    """`slug`, or the first of "slug-2", "slug-3"... that no questionnaire uses: a slug names
    the versions of one questionnaire (`surveys.builder`), so an imported file never becomes a
    version of someone else's. One query."""
    taken = set(
        Questionnaire.objects.filter(slug__startswith=slug[:70]).values_list("slug", flat=True)
    )
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug[: 79 - len(str(number))]}-{number}"
    return candidate


@transaction.atomic
def import_definition(
    definition: dict[str, Any], *, owner: Any, filename: str = ""
) -> Questionnaire:
    """A checked definition (`read_upload`) as a new draft of `owner`'s, whole or not at all;
    recorded in the questionnaire's changes. It keeps the file's slug and version unless
    another questionnaire has the slug (then "<slug>-2", ...)."""
    built = build(definition)
    questionnaire = Questionnaire.objects.create(
        slug=_free_slug(definition["slug"]),
        version=definition["version"],
        owner=owner,
        status=QuestionnaireStatus.DRAFT,
        **built.questionnaire,
    )
    save_rows(questionnaire, built)
    # Created from a file: its name says which (the params name it, never a sentence).
    record(
        questionnaire, owner, ChangeAction.IMPORTED, title=questionnaire.title, file=filename[:200]
    )
    return questionnaire
