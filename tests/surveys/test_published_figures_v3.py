"""Every published figure in questionnaire v3 against BENCHMARKS.md (../shared/design/).

The table is transcribed below, row by row as the file has it; where the file is present (in the
development checkout, beside the project) the transcription is checked against it, so a change
of either shows here. Each figure in v3 names the row it comes from (`topic`), and its value,
its group and its source's vendor and year must be in that row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surveys.loading import DEFAULT_QUESTIONNAIRE, read_definition

BENCHMARKS = Path(__file__).resolve().parents[3] / "shared" / "design" / "BENCHMARKS.md"

#: The table of BENCHMARKS.md: topic -> (as the seed gives it, also published, respondent group).
TABLE = {
    "Goal: more channels for customer interaction": (
        "CMOs 82 %, CIOs 76 %",
        'CMOs 53 %, CIOs 35 % rate it "critically important"',
        "CMOs / CIOs",
    ),
    "Objective: customer engagement": (
        "CMOs 44 %, CIOs 29 %",
        'same, as "critically important"',
        "CMOs / CIOs",
    ),
    "Who owns mobile web strategy today": (
        "CIO in 44 % of organisations; CMO in about 1 in 5",
        "CIO 44 %, joint 27 %, CMO 20 %; or CIO 44 %, CMO 21 %, about a quarter split, 8 % a "
        "dedicated function",
        "organisations",
    ),
    "CMOs who believe sole ownership should be theirs": (
        "over 50 %",
        "51 % of CMOs want more ownership",
        "CMOs",
    ),
    "Room for joint ownership": (
        "30 %",
        "23 % of CIOs, 9 % of CMOs, 30 % of other C-level executives",
        "the 30 % is other C-level executives only",
    ),
    "Testing is important to deliver the right experience": (
        "CIOs 74 %, CMOs 50 %",
        "same",
        "CIOs / CMOs",
    ),
    "Want a faster site": (
        "90 % of CIOs and CMOs",
        "40 % of CIOs vs 24 % of CMOs favour a 3-second load-time goal",
        "CIOs and CMOs",
    ),
    "Increasing sales through the mobile channel is important": (
        "CIOs 79 %, CMOs 86 %",
        "one write-up gives 86 % for CIOs",
        "CIOs / CMOs",
    ),
}
#: The survey every figure comes from, as BENCHMARKS.md's opening paragraph describes it.
SURVEY = {"vendor": "Netbiscuits", "partner": "Vanson Bourne", "year": 2013, "season": "autumn"}
POPULATION = ("300", "CIOs, CMOs and other C-level executives", "200", "US", "100", "UK")

#: How a figure's group is named in a row of the table.
GROUP_WORDS = {
    "cio": ("CIO",),
    "cmo": ("CMO",),
    "other_c_level": ("other C-level",),
    "respondents": ("organisations",),  # the table's word; the survey counted respondents
    "cio_and_cmo": ("CIOs and CMOs",),
}


def _parse(text: str) -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("Topic", "") and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = (cells[1], cells[2], cells[3])
    return rows


@pytest.mark.skipif(not BENCHMARKS.exists(), reason="BENCHMARKS.md is not beside this checkout")
def test_the_transcription_is_the_table_of_benchmarks_md():
    text = BENCHMARKS.read_text(encoding="utf-8")
    assert _parse(text) == TABLE
    for word in (SURVEY["vendor"], SURVEY["partner"], str(SURVEY["year"]), SURVEY["season"]):
        assert word in text
    for word in POPULATION:
        assert word in text


def _figures():
    """(question code, benchmark, figure) for every published figure in v3."""
    definition = read_definition(DEFAULT_QUESTIONNAIRE)
    found = []
    for section in definition["sections"]:
        for question in section["questions"]:
            benchmark = question.get("benchmark")
            if not benchmark:
                continue
            for figure in benchmark["figures"]:
                found.append((question["code"], benchmark, {"topic": benchmark["topic"], **figure}))
            for figure in benchmark.get("extra_figures", []):
                found.append((question["code"], benchmark, figure))
    return found


FIGURES = _figures()


def test_v3_has_published_figures_and_each_names_its_row():
    assert len(FIGURES) >= 10
    for code, _, figure in FIGURES:
        assert figure["topic"] in TABLE, (code, figure)


@pytest.mark.parametrize(
    ("code", "benchmark", "figure"),
    FIGURES,
    ids=[f"{code}-{figure['group']}-{figure['percent']}" for code, _, figure in FIGURES],
)
def test_each_published_figure_is_in_benchmarks_md(code, benchmark, figure):
    seed, also, group = TABLE[figure["topic"]]
    row = " ".join((figure["topic"], seed, also, group))
    percent = figure["percent"]
    assert re.search(rf"(?<!\d){percent:g} %", row), (code, percent, row)
    words = GROUP_WORDS[figure["group"]]
    assert any(word in row for word in words), (code, figure["group"], row)
    if figure.get("qualifier"):
        assert f"{figure['qualifier']} {percent:g} %" in row
    # Vendor, year and population as the survey's.
    assert benchmark["vendor"] == SURVEY["vendor"]
    assert benchmark["year"] == SURVEY["year"]
    assert SURVEY["partner"] in benchmark["source"]
    assert benchmark["date"] == f"{SURVEY['season']} {SURVEY['year']}"
    for word in POPULATION:
        assert word in benchmark["population"]


def test_group_specific_figures_are_not_shown_as_everyone_s():
    """The joint-ownership 30 % is other C-level executives only, and the CIO and CMO figures
    stand beside it; "more than half want sole ownership" sits on the mobile web question."""
    by_code = {}
    for code, _, figure in FIGURES:
        by_code.setdefault(code, []).append(figure)
    web_should = {(f["group"], f["percent"]) for f in by_code["owner-web-should"]}
    assert {("cio", 23), ("cmo", 9), ("other_c_level", 30), ("cmo", 50)} <= web_should
    assert "owner-strategy-should" not in by_code
    today = by_code["owner-web-today"]
    assert [(f["group"], f["group_label"]) for f in today] == [("respondents", "Respondents")]


def test_the_load_time_figures_name_their_own_sources_and_count_three_seconds_or_less():
    definition = read_definition(DEFAULT_QUESTIONNAIRE)
    load = next(
        q for s in definition["sections"] for q in s["questions"] if q["code"] == "kpi-load-time"
    )
    benchmark = load["benchmark"]
    assert benchmark["answer_counts_as_yes"] == {"value_at_most": 3}
    assert all(f["source"] for f in benchmark["figures"])
    seed_figure = benchmark["extra_figures"][0]
    assert (seed_figure["percent"], "Daniel Weisbeck" in seed_figure["source"]) == (90, True)
    assert "90 %" in benchmark["conflict"] and "40 % of CIOs" in benchmark["conflict"]


def test_the_engagement_overlay_is_dropped_where_the_buckets_differ():
    definition = read_definition(DEFAULT_QUESTIONNAIRE)
    engagement = next(
        q for s in definition["sections"] for q in s["questions"] if q["code"] == "obj-engagement"
    )
    benchmark = engagement["benchmark"]
    assert "answer_counts_as_yes" not in benchmark  # no in/out overlay
    assert (
        "listed" in benchmark["also_published"] and "primary concern" in benchmark["also_published"]
    )


def test_the_figures_name_their_sources_not_our_seed_numbers():
    """What executives and the printed agenda read names each source in full."""
    for code, benchmark, _ in FIGURES:
        shown = {k: v for k, v in benchmark.items() if k != "seed"}
        assert "seed" not in str(shown).lower(), code
