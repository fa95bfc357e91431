"""Each question kind's validation, and saving that never duplicates or silently overwrites."""

import pytest
from django.db import transaction
from django.http import QueryDict

from surveys.answering import (
    AnswerError,
    ResponseLocked,
    parse_answer,
    save_answer,
    save_draft,
    submit_response,
)
from surveys.models import Answer, Response
from surveys.presenting import display_answer

from ..factories import question

pytestmark = pytest.mark.django_db


def posted(q, **fields) -> QueryDict:
    """Form fields for question q: '' -> q<pk>, other keys -> q<pk>-<key>."""
    data = QueryDict(mutable=True)
    for key, value in fields.items():
        name = f"q{q.pk}" if key == "main" else f"q{q.pk}-{key.replace('_', '-')}"
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("5", 5), (" 3 ", 3), ("", None)])
def test_scale_accepts_points_on_its_range(questionnaire, raw, expected):
    q = question("obj-channels")
    assert parse_answer(q, posted(q, main=raw)) == (expected, False)


@pytest.mark.parametrize("raw", ["0", "6", "three", "3.5", "1e3", "\x00"])
def test_scale_rejects_points_off_its_range(questionnaire, raw):
    q = question("obj-channels")
    with pytest.raises(AnswerError):
        parse_answer(q, posted(q, main=raw))


def test_single_choice_accepts_only_its_own_options(questionnaire):
    q = question("aud-web-vs-apps")
    assert parse_answer(q, posted(q, main="mix")) == ("mix", False)
    with pytest.raises(AnswerError, match="Pick one"):
        parse_answer(q, posted(q, main="cio"))  # a choice of another question


def test_multi_choice_keeps_question_order_and_rejects_foreign_options(questionnaire):
    q = question("aud-customer-channels")
    value, _ = parse_answer(q, posted(q, main=["social", "responsive-web", "social"]))
    assert value == ["responsive-web", "social"]
    with pytest.raises(AnswerError):
        parse_answer(q, posted(q, main=["responsive-web", "fax"]))


def test_none_of_these_cannot_be_combined(questionnaire):
    q = question("aud-customer-channels")
    assert parse_answer(q, posted(q, main=["none"]))[0] == ["none"]
    with pytest.raises(AnswerError, match="cannot be combined"):
        parse_answer(q, posted(q, main=["none", "social"]))


def test_full_ranking_returns_items_best_first(questionnaire):
    q = question("obj-ranking")
    values = [c.value for c in q.choices.all()]
    ranks = {value: str(len(values) - i) for i, value in enumerate(values)}
    value, _ = parse_answer(q, posted(q, **{v.replace("-", "_"): r for v, r in ranks.items()}))
    assert value == list(reversed(values))


def test_ranking_rejects_a_duplicate_rank(questionnaire):
    q = question("obj-ranking")
    with pytest.raises(AnswerError, match="same rank"):
        parse_answer(q, posted(q, channels="1", engagement="1"))


def test_ranking_rejects_gaps_and_out_of_range_ranks(questionnaire):
    q = question("kpi-priority")  # top 3
    with pytest.raises(AnswerError, match="without gaps"):
        parse_answer(q, posted(q, load_time="1", conversion="3"))
    with pytest.raises(AnswerError, match="from 1 to 3"):
        parse_answer(q, posted(q, load_time="4"))


def test_a_ranking_stopped_halfway_is_not_an_answer_yet(questionnaire):
    full = question("obj-ranking")  # every item
    with pytest.raises(AnswerError, match=r"Rank every item \(3 of 7 so far\)"):
        parse_answer(full, posted(full, channels="1", engagement="2", talent="3"))
    top = question("kpi-priority")  # top 3
    with pytest.raises(AnswerError, match=r"Give your top 3 \(2 ranked so far\)"):
        parse_answer(top, posted(top, load_time="1", conversion="2"))


def test_top_k_ranking_accepts_k_items(questionnaire):
    q = question("kpi-priority")
    value, _ = parse_answer(q, posted(q, conversion="2", load_time="1", engagement="3"))
    assert value == ["load-time", "conversion", "engagement"]


@pytest.mark.parametrize(("raw", "expected"), [("2.5", 2.5), ("3", 3.0), (" 4 ", 4.0)])
def test_numeric_target_within_bounds(questionnaire, raw, expected):
    q = question("kpi-load-time")
    assert parse_answer(q, posted(q, main=raw)) == (expected, False)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "Enter a number"),
        ("nan", "Enter a number"),
        ("inf", "Enter a number"),
        ("0.1", "at least"),
        ("99", "at most"),
    ],
)
def test_numeric_target_rejects_bad_values_with_a_clear_message(questionnaire, raw, message):
    q = question("kpi-load-time")
    with pytest.raises(AnswerError, match=message):
        parse_answer(q, posted(q, main=raw))


def test_dont_know_is_an_answer_of_its_own(questionnaire):
    q = question("kpi-load-time")
    assert parse_answer(q, posted(q, main="", unknown="1")) == (None, True)


def test_allocation_must_total_one_hundred(questionnaire):
    q = question("aud-split")
    assert parse_answer(q, posted(q, b2c="50", b2b="30", b2e="20"))[0] == {
        "b2c": 50,
        "b2b": 30,
        "b2e": 20,
    }
    with pytest.raises(AnswerError, match="add up to 90"):
        parse_answer(q, posted(q, b2c="50", b2b="20", b2e="20"))
    with pytest.raises(AnswerError, match="between 0 and 100"):
        parse_answer(q, posted(q, b2c="150", b2b="-30", b2e="-20"))


def test_allocation_renormalises_only_a_rounding_difference(questionnaire):
    q = question("aud-split")
    value, _ = parse_answer(q, posted(q, b2c="33.3", b2b="33.3", b2e="33.3"))
    assert sum(value.values()) == 100


def test_free_text_has_a_length_limit_and_refuses_nul(questionnaire):
    q = question("wow-counterpart")
    assert parse_answer(q, posted(q, main="  Talk more.  "))[0] == "Talk more."
    with pytest.raises(AnswerError, match="characters"):
        parse_answer(q, posted(q, main="x" * (q.max_length + 1)))
    with pytest.raises(AnswerError, match="NUL"):
        parse_answer(q, posted(q, main="bad\x00byte"))


def test_saving_twice_keeps_one_row_and_reports_unchanged(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("obj-channels")
    first = save_answer(response, q, value=4, is_unknown=False, base_revision=None)
    again = save_answer(response, q, value=4, is_unknown=False, base_revision=None)
    assert (first.status, again.status) == ("saved", "unchanged")
    assert Answer.objects.filter(response=response, question=q).count() == 1


def test_a_stale_tab_never_overwrites_a_newer_value(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("obj-channels")
    saved = save_answer(response, q, value=2, is_unknown=False, base_revision=None)
    tab_a_revision = saved.answer.revision
    newer = save_answer(response, q, value=5, is_unknown=False, base_revision=tab_a_revision)
    assert newer.status == "saved"
    stale = save_answer(response, q, value=3, is_unknown=False, base_revision=tab_a_revision)
    assert stale.conflict
    assert Answer.objects.get(response=response, question=q).value == 5


def test_a_submitted_response_is_locked(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("obj-channels")
    save_answer(response, q, value=2, is_unknown=False, base_revision=None)
    assert submit_response(response) is True
    assert submit_response(response) is False  # a double submit changes nothing
    with pytest.raises(ResponseLocked):
        save_answer(response, q, value=3, is_unknown=False, base_revision=1)
    assert Answer.objects.get(response=response, question=q).value == 2


def test_an_empty_answer_to_an_unanswered_question_stores_no_row(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    result = save_answer(
        response, question("obj-channels"), value=None, is_unknown=False, base_revision=None
    )
    assert result.status == "unchanged"
    assert not Answer.objects.filter(response=response).exists()


def test_a_first_answer_from_a_page_that_showed_none_meets_what_is_stored(questionnaire):
    """A first answer is inserted without reading first; when the page was out of date (another
    tab answered, or a draft was kept) the unique constraint refuses the insert and the answer
    is compared with what is stored, as any other change."""
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("obj-channels")
    first = save_answer(response, q, value=4, is_unknown=False, base_revision=None)
    assert (first.status, first.answered_changed, first.answer.revision) == ("saved", True, 1)
    elsewhere = save_answer(response, q, value=2, is_unknown=False, base_revision=None)
    assert elsewhere.conflict and elsewhere.answer.value == 4
    # A draft alone is replaced by the first answer, which then counts.
    other = question("kpi-load-time")
    save_draft(response, other, {f"q{other.pk}": ["fast"]})
    over_draft = save_answer(response, other, value=None, is_unknown=True, base_revision=None)
    assert over_draft.status == "saved" and over_draft.answered_changed
    stored = Answer.objects.get(response=response, question=other)
    assert (stored.value, stored.is_unknown, stored.draft) == (None, True, None)
    assert Answer.objects.filter(response=response).count() == 2
    assert response.count_answered() == 2


def test_a_refused_first_insert_leaves_an_enclosing_transaction_usable(questionnaire):
    """Inside a caller's transaction the refused insert rolls back to its savepoint only
    (PostgreSQL aborts the whole transaction otherwise)."""
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("obj-channels")
    with transaction.atomic():
        save_answer(response, q, value=4, is_unknown=False, base_revision=None)
        again = save_answer(response, q, value=4, is_unknown=False, base_revision=None)
        assert again.status == "unchanged"
        assert Answer.objects.filter(response=response).count() == 1


def test_a_first_answer_to_a_submitted_response_is_refused(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    submit_response(response)
    with pytest.raises(ResponseLocked):
        save_answer(
            response, question("obj-channels"), value=3, is_unknown=False, base_revision=None
        )
    assert not Answer.objects.filter(response=response).exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2,5", 2.5),
        ("2.5", 2.5),
        ("2,5 %", 2.5),
        ("1,500", 1500.0),
        ("1.500,5", 1500.5),
        ("1,500.5", 1500.5),
        ("12", 12.0),
    ],
)
def test_numbers_read_decimal_commas_and_thousands_as_people_write_them(raw, expected):
    from surveys.answering import parse_number

    assert parse_number(raw) == expected


def test_an_ambiguous_number_is_refused_not_guessed():
    from surveys.answering import parse_number

    with pytest.raises(AnswerError):
        parse_number("1,2,3")


def test_an_unreadable_share_names_its_option(questionnaire):
    q = question("aud-split")
    with pytest.raises(AnswerError, match="“Employees .*”: enter a percentage, for example 25"):
        parse_answer(q, posted(q, b2c="50", b2b="30", b2e="abc"))


def test_every_bad_share_is_named_not_only_the_first(questionnaire):
    q = question("aud-split")
    labels = {choice.value: choice.label for choice in q.choices.all()}
    with pytest.raises(AnswerError) as refused:
        parse_answer(q, posted(q, b2c="abc", b2b="x", b2e="120"))
    message = str(refused.value)
    assert f"“{labels['b2c']}” and “{labels['b2b']}”: enter a percentage" in message
    assert f"“{labels['b2e']}” must be between 0 and 100 %." in message
    with pytest.raises(AnswerError, match="must each be between 0 and 100 %"):
        parse_answer(q, posted(q, b2c="150", b2b="-5", b2e=""))


def test_a_point_on_a_two_ended_scale_says_which_end_it_leans_to(questionnaire):
    q = question("wow-experiment")  # 1 = full evaluation ... 7 = try quickly
    assert display_answer(q, 3, False) == (
        "3 of 7, towards “Full evaluation and procurement before any use”"
    )
    assert display_answer(q, 7, False).startswith("7 of 7 (Try quickly")
    assert display_answer(q, 4, False) == "4 of 7"  # the midpoint leans nowhere


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.5", 2.5),
        ("-3", -3.0),
        (" 7 ", 7.0),
        ("+4", 4.0),
        ("\u22123", -3.0),  # the typographic minus sign
        (".5", 0.5),
        ("25 %", 25.0),
        ("1 500", 1500.0),
        ("1\u00a0500,5", 1500.5),
        ("1,500,000", 1_500_000.0),
        ("0", 0.0),
    ],
)
def test_numbers_read_as_people_write_them(raw, expected):
    from surveys.answering import parse_number

    assert parse_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1_2",  # Python's digit grouping, not a person's
        "\u0663",  # Arabic-Indic three
        "\U0001d7d1",  # mathematical bold three
        "\uff11",  # fullwidth one
        "\u00b2",  # superscript two
        "\u00bd",  # one half
        "1e3",
        "1E-2",
        "0x10",
        "nan",
        "inf",
        "1 2",  # two numbers, or a typo: not twelve
        "1,2,3",
        "1.2.3",
        "1,500 000",  # two kinds of grouping in one number
        "--3",
        "3-",
        "+",
        ".",
        "9" * 400,  # not finite as a float
    ],
)
def test_numbers_a_person_would_not_write_are_refused(raw):
    from surveys.answering import parse_number

    with pytest.raises(AnswerError, match="Enter a number"):
        parse_number(raw)


def test_another_convention_reads_the_same_text_its_own_way():
    """A locale plugs in its own decimal separator: 1,500 is fifteen hundred in English and
    one and a half in German."""
    from surveys.answering import DECIMAL_COMMA, ENGLISH, parse_number

    assert parse_number("1,500", formats=(ENGLISH,)) == 1500.0
    assert parse_number("1,500", formats=(DECIMAL_COMMA,)) == 1.5
    assert parse_number("1.500,5", formats=(DECIMAL_COMMA,)) == 1500.5
    with pytest.raises(AnswerError):
        parse_number("2,5", formats=(ENGLISH,))


@pytest.mark.parametrize("raw", ["\u0663", "\U0001d7d1", "\uff13", "3_0", "3.0", "9" * 5000])
def test_scale_points_and_ranks_are_plain_whole_numbers(questionnaire, raw):
    scale = question("obj-channels")
    with pytest.raises(AnswerError, match="Pick a point"):
        parse_answer(scale, posted(scale, main=raw))
    ranking = question("obj-ranking")
    first, *others = [c.value for c in ranking.choices.all()]
    ranks = {first.replace("-", "_"): raw}
    ranks.update({value.replace("-", "_"): str(n) for n, value in enumerate(others, 2)})
    with pytest.raises(AnswerError, match="whole numbers"):
        parse_answer(ranking, posted(ranking, **ranks))
