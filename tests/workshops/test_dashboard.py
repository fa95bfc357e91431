"""The consensus dashboard, the side-by-side comparison and the agenda, through the client.

Designed answers for a CIO and a CMO check what the room sees: labels, the agenda's order,
ownership conflicts, KPI gaps, reference figures with their provenance, split roles, filters,
drafts, the live partial, and a constant number of queries whatever the workshop's size.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, Response, ResponseStatus
from workshops.dashboard import alignment_for_workshops
from workshops.dashboard.loading import WorkshopAnswers
from workshops.demo import CIO_ANSWERS, CMO_ANSWERS, HEAD_MARKETING_ANSWERS
from workshops.models import AuditEvent, Role, TextCoding, Workshop

from ..conftest import client_for
from ..factories import give_answers, invite, make_workshop, question

PAGES = ["dashboard", "comparison", "agenda"]


def url(workshop: Workshop, page: str, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse(f"workshops:{page}", args=[workshop.pk]) + (f"?{query}" if query else "")


def rows_by_code(response) -> dict:
    return {row.item.code: row for row in response.context["report"].rows}


# Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitor_is_sent_to_log_in(client, workshop, page):
    response = client.get(url(workshop, page))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_other_facilitator_gets_404(charlie, workshop, page):
    assert client_for(charlie).get(url(workshop, page)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_owner_and_co_facilitator_see_the_pages(alice_client, bob, workshop, cio, cmo, page):
    assert alice_client.get(url(workshop, page)).status_code == 200
    assert client_for(bob).get(url(workshop, page)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_pages_accept_get_only(alice_client, workshop, page):
    assert alice_client.post(url(workshop, page)).status_code == 405


def test_missing_workshop_is_404(alice_client, workshop):
    missing = reverse("workshops:dashboard", args=[workshop.pk + 999])
    assert alice_client.get(missing).status_code == 404


# Labels and scores --------------------------------------------------------------------------


def test_identical_scale_answers_agree_and_2_vs_5_differs(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4, "obj-engagement": 2}, submitted=True)
    give_answers(cmo, {"obj-channels": 4, "obj-engagement": 5}, submitted=True)
    response = alice_client.get(url(workshop, "comparison"))
    rows = rows_by_code(response)
    assert (rows["obj-channels"].label, rows["obj-channels"].score) == ("agree", 100)
    assert (rows["obj-engagement"].label, rows["obj-engagement"].score) == ("differ", 25)
    html = response.content.decode()
    channels = _article(html, "obj-channels")
    assert "cg-label-agree" in channels and "Agree" in channels
    engagement = _article(html, "obj-engagement")
    assert "cg-label-differ" in engagement and "Differ" in engagement
    assert "4 of 5" in channels
    assert "5 of 5 (Critically important)" in engagement


def test_one_step_across_the_midpoint_is_only_partly(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-talent": 3}, submitted=True)
    give_answers(cmo, {"obj-talent": 4}, submitted=True)
    row = rows_by_code(alice_client.get(url(workshop, "comparison")))["obj-talent"]
    assert (row.label, row.score) == ("partly", 75)


def test_each_kind_is_shown_in_its_own_terms(alice_client, workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    html = alice_client.get(url(workshop, "comparison")).content.decode()
    ranking = _article(html, "obj-ranking")
    assert "<ol" in ranking and "Internal cost savings" in ranking
    allocation = _article(html, "aud-split")
    assert '<svg class="paired-bar"' in allocation and "75 %" in allocation
    assert 'style="' not in html  # the CSP forbids inline styles
    multi = _article(html, "aud-customer-channels")
    assert "A native app for Android" in multi
    text = _article(html, "wow-counterpart")
    assert "Bring marketing into architecture reviews early" in text
    assert "Let us test ideas with customers in weeks" in text
    assert "Not scored" in text
    numeric = _article(html, "kpi-load-time")
    assert "2 seconds" in numeric and "4 seconds" in numeric
    assert "More ambitious" in numeric


def test_dashboard_shows_overall_alignment_coverage_and_counts(alice_client, workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    response = alice_client.get(url(workshop, "dashboard"))
    overall = response.context["report"].overall
    assert overall.aggregate.scored == overall.aggregate.scorable == 42
    html = response.content.decode()
    assert f'{overall.score}<span class="of"> / 100</span>' in html
    assert "42 of 42</strong> questions scored (100 % coverage)" in html
    counts = overall.aggregate
    assert counts.agree + counts.partly + counts.differ == 42
    assert "p-value" not in html.replace("No p-values", "")
    # The section chart is server-side SVG with a table equivalent.
    assert html.count('<svg class="chart-bar"') == 6
    assert "Show as a table" in html


def test_few_answers_give_insufficient_data(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4, "obj-engagement": 4}, submitted=True)
    give_answers(cmo, {"obj-channels": 4}, submitted=True)
    response = alice_client.get(url(workshop, "dashboard"))
    assert response.context["report"].overall.label == "insufficient"
    html = response.content.decode()
    assert "cg-label-insufficient" in html and "Insufficient data" in html


# Agenda -------------------------------------------------------------------------------------


def test_agenda_puts_the_biggest_weighted_gap_first(alice_client, workshop, cio, cmo):
    give_answers(
        cio,
        {
            "obj-channels": 2,  # s = 0.25, weight 1: gap 0.75
            "aud-split": {"b2c": 40, "b2b": 20, "b2e": 40},  # s = 0.125, weight 2: gap 1.75
            "obj-productivity": 4,  # s = 0.75, weight 1: agree, not on the agenda
            "kpi-conversion": 2.5,  # s = 0.72, weight 1: partly, gap 0.28
        },
        submitted=True,
    )
    give_answers(
        cmo,
        {
            "obj-channels": 5,
            "aud-split": {"b2c": 75, "b2b": 20, "b2e": 5},
            "obj-productivity": 5,
            "kpi-conversion": 3,
        },
        submitted=True,
    )
    response = alice_client.get(url(workshop, "agenda"))
    codes = [entry.row.item.code for entry in response.context["items"]]
    assert codes == ["aud-split", "obj-channels", "kpi-conversion"]
    html = response.content.decode()
    positions = [html.index(_prompt(code)) for code in codes]
    assert positions == sorted(positions)
    # Each item has both answers and its opening question.
    assert question("aud-split").discussion_prompt in html
    assert "Consumers (B2C)" in html


def test_agenda_shows_published_figure_with_provenance_footnote(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 2}, submitted=True)
    give_answers(cmo, {"obj-channels": 5}, submitted=True)
    html = alice_client.get(url(workshop, "agenda")).content.decode()
    assert "CMOs 82 %, CIOs 76 %" in html
    assert 'href="#footnote-1"' in html and 'id="footnote-1"' in html
    footnote = html[html.index('id="footnote-1"') :]
    assert "Netbiscuits survey conducted with Vanson Bourne" in footnote
    assert "autumn 2013" in footnote
    assert "300 CIOs, CMOs and other C-level executives" in footnote
    assert "“important”" in footnote


def test_agenda_lists_ten_and_offers_the_rest(alice_client, workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    response = alice_client.get(url(workshop, "agenda"))
    total = len(response.context["report"].agenda)
    assert total > 10
    assert len(response.context["items"]) == 10
    assert f"Show all {total} questions to discuss" in response.content.decode()
    everything = alice_client.get(url(workshop, "agenda", all="1"))
    assert len(everything.context["items"]) == total


# Ownership and KPIs -------------------------------------------------------------------------


def test_both_claiming_the_mobile_web_is_a_highlighted_conflict(alice_client, workshop, cio, cmo):
    give_answers(cio, {"own-mobile-web-should": "cio", "own-mobile-web-today": "cio"})
    give_answers(cmo, {"own-mobile-web-should": "cmo", "own-mobile-web-today": "cio"})
    response = alice_client.get(url(workshop, "dashboard"))
    ownership = {(r.area_label, r.tense): r for r in response.context["report"].ownership}
    assert ownership[("Mobile web", "should")].conflict == "rival"
    assert ownership[("Mobile web", "today")].conflict == ""
    html = response.content.decode()
    assert "Both claim sole ownership" in html
    conflict_row = r'<tr class="is-conflict[^"]*">\s*<th[^>]*><span class="area-name">Mobile web'
    assert re.search(conflict_row, html)


def test_nobody_taking_ownership_is_a_conflict_too(alice_client, workshop, cio, cmo):
    give_answers(cio, {"own-content-should": "cmo"})
    give_answers(cmo, {"own-content-should": "cio"})
    report = alice_client.get(url(workshop, "dashboard")).context["report"]
    content = next(r for r in report.ownership if r.area_label == "Mobile content")
    assert content.conflict == "nobody"
    assert "nobody claims it" in content.conflict_text


def test_joint_against_sole_ownership_is_partly_not_a_conflict(alice_client, workshop, cio, cmo):
    give_answers(cio, {"own-apps-should": "joint"})
    give_answers(cmo, {"own-apps-should": "cmo"})
    report = alice_client.get(url(workshop, "dashboard")).context["report"]
    apps = next(r for r in report.ownership if (r.area_label, r.tense) == ("Mobile apps", "should"))
    assert (apps.conflict, apps.row.label) == ("", "partly")


def test_kpi_table_gives_gap_and_more_ambitious_side(alice_client, workshop, cio, cmo):
    give_answers(cio, {"kpi-load-time": 2, "kpi-engagement": 30})
    give_answers(cmo, {"kpi-load-time": 4, "kpi-engagement": 30})
    response = alice_client.get(url(workshop, "dashboard"))
    kpis = {kpi.item.code: kpi for kpi in response.context["report"].kpis}
    load = kpis["kpi-load-time"]
    assert load.row.ambitious_group.label == "CIO"  # lower load time is more ambitious
    assert load.gap == "2 seconds (50 % apart)"
    assert load.row.label == "differ"
    assert kpis["kpi-engagement"].row.ambitious_group is None
    html = response.content.decode()
    assert "lower is more ambitious" in html
    assert "Same target" in html


# Reference figures --------------------------------------------------------------------------


def test_each_executive_is_held_against_their_roles_published_figure(
    alice_client, workshop, cio, cmo
):
    give_answers(cio, {"obj-channels": 2, "own-mobile-web-today": "cio"}, submitted=True)
    give_answers(cmo, {"obj-channels": 5, "own-mobile-web-today": "cio"}, submitted=True)
    response = alice_client.get(url(workshop, "dashboard"))
    rows = rows_by_code(response)
    checks = {c.person.name: c for c in rows["obj-channels"].reference.checks}
    assert checks["Dana Whitfield"].figure.text == "76 % of CIOs"
    assert checks["Dana Whitfield"].in_bucket is False
    assert checks["Marcus Reyes"].figure.text == "82 % of CMOs"
    assert checks["Marcus Reyes"].in_bucket is True
    today = {c.person.name: c for c in rows["own-mobile-web-today"].reference.checks}
    assert today["Dana Whitfield"].figure.text == "44 % of organisations"
    html = response.content.decode()
    assert "Against published figures" in html
    assert "Netbiscuits survey conducted with Vanson Bourne, autumn 2013" in html
    assert "Answer bucket: “important”" in html


def test_other_c_level_executives_get_the_other_c_level_figure(alice_client, workshop, cio, cmo):
    ceo = invite(workshop, "Priya Natarajan", Role.CEO)
    give_answers(cio, {"own-mobile-web-should": "cio"})
    give_answers(cmo, {"own-mobile-web-should": "cmo"})
    give_answers(ceo, {"own-mobile-web-should": "joint"})
    row = rows_by_code(alice_client.get(url(workshop, "comparison")))["own-mobile-web-should"]
    checks = {c.person.name: c for c in (*row.reference.checks, *row.reference.other_checks)}
    assert checks["Priya Natarajan"].figure.group == "other_c_level"
    assert checks["Priya Natarajan"].in_bucket is True
    assert checks["Dana Whitfield"].figure is None  # no published figure for CIOs here


# More than two people -----------------------------------------------------------------------


def test_split_role_is_flagged_when_two_marketing_people_disagree(alice_client, workshop, cio, cmo):
    head = invite(workshop, "Lena Fischer", Role.HEAD_MARKETING)
    give_answers(cio, {"wow-security-flex": 2, "obj-channels": 4}, submitted=True)
    give_answers(cmo, {"wow-security-flex": 7, "obj-channels": 4}, submitted=True)
    give_answers(head, {"wow-security-flex": 1, "obj-channels": 4}, submitted=True)
    response = alice_client.get(url(workshop, "dashboard"))
    report = response.context["report"]
    splits = {split.group.label: split for split in report.splits}
    marketing = splits["Marketing side"]
    assert [item.code for item, _ in marketing.rows] == ["wow-security-flex"]
    assert splits["Marketing side"].checked == 2
    html = response.content.decode()
    assert "Marketing side is split</strong> on 1 of 2 questions" in html
    # Whole-group consensus per question, with three people.
    assert report.whole_group
    channels = rows_by_code(response)["obj-channels"]
    assert channels.consensus.label == "agree"


def test_comparing_sides_uses_positions_and_warns_on_the_row(alice_client, workshop, cio, cmo):
    head = invite(workshop, "Lena Fischer", Role.HEAD_MARKETING)
    give_answers(cio, {"wow-security-flex": 2})
    give_answers(cmo, {"wow-security-flex": 7})
    give_answers(head, {"wow-security-flex": 1})
    response = alice_client.get(
        url(workshop, "comparison", a="side:technology", b="side:marketing")
    )
    row = rows_by_code(response)["wow-security-flex"]
    assert (row.a.group.label, row.b.group.label) == ("Technology side", "Marketing side")
    assert row.b.split and not row.a.split
    assert row.b.position.text.startswith("median 4 of 7")
    assert row.cliffs is not None
    html = _article(response.content.decode(), "wow-security-flex")
    assert "Marketing side is split on this question" in html
    assert (
        "Cliff&#x27;s delta +0.00 (negligible): no meaningful difference between the groups" in html
    )


def test_how_each_question_was_scored_is_worded_from_scorings_codes(
    alice_client, workshop, cio, cmo
):
    """Scoring returns codes and numbers; the comparison words them, with the groups by name."""
    ceo = invite(workshop, "Priya Natarajan", Role.CEO)
    give_answers(
        cio, {"obj-channels": 4, "kpi-load-time": 2, "own-mobile-web-should": "cio"}, submitted=True
    )
    give_answers(cmo, {"obj-channels": 3, "kpi-load-time": 4, "own-mobile-web-should": "cmo"})
    give_answers(ceo, {"obj-channels": 5})
    html = alice_client.get(url(workshop, "comparison")).content.decode()
    scale = _article(html, "obj-channels")
    assert "<li>4 vs 3 on 1..5: s = 0.75</li>" in scale
    assert "<li>size rule: agree; direction rule: partly</li>" in scale
    # The whole room (three people): the median in the scale's words, and the bands.
    assert "median 4 of 5, towards “Critically important”; 2 of 3 above the midpoint" in scale
    numeric = _article(html, "kpi-load-time")
    assert "<li>50 % apart (tolerance 20 %)</li>" in numeric
    assert "<li>CIO is more ambitious</li>" in numeric  # not "side a"
    single = _article(html, "own-mobile-web-should")
    assert "<li>“CIO / IT” vs “CMO / marketing”: different choices</li>" in single
    unanswered = _article(html, "aud-split")
    assert "Not scored: no answer yet from CIO or CMO." in unanswered


def test_unknown_group_falls_back_to_cio_and_cmo(alice_client, workshop, cio, cmo):
    response = alice_client.get(url(workshop, "dashboard", a="role:nobody", b="side:<script>"))
    assert (response.context["a"].key, response.context["b"].key) == ("role:cio", "role:cmo")


def test_comparing_a_group_with_itself_says_so(alice_client, workshop, cio, cmo):
    for page in ("dashboard", "comparison", "agenda"):
        html = alice_client.get(url(workshop, page, a="role:cio", b="role:cio")).text
        assert "You are comparing CIO with the same group" in html
    assert "with the same group" not in alice_client.get(url(workshop, "dashboard")).text
    give_answers(cio, {"obj-channels": 3})  # counted people only
    overlapping = alice_client.get(url(workshop, "dashboard", a="side:technology", b="role:cio"))
    assert "Dana Whitfield is in both groups" in overlapping.text
    assert "in both groups" not in alice_client.get(url(workshop, "dashboard")).text


def test_without_a_cio_and_cmo_the_sides_are_compared(alice_client, workshop):
    invite(workshop, "Tom Becker", Role.HEAD_IT)
    invite(workshop, "Lena Fischer", Role.HEAD_MARKETING)
    response = alice_client.get(url(workshop, "dashboard"))
    assert (response.context["a"].key, response.context["b"].key) == (
        "side:technology",
        "side:marketing",
    )


# Drafts, filters, live refresh --------------------------------------------------------------


def test_drafts_count_and_are_marked_until_submitted_only(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    give_answers(cmo, {"obj-channels": 4})  # still a draft
    response = alice_client.get(url(workshop, "comparison"))
    assert rows_by_code(response)["obj-channels"].label == "agree"
    html = _article(response.content.decode(), "obj-channels")
    assert 'class="draft-tag"' in html
    submitted = alice_client.get(url(workshop, "comparison", submitted="1"))
    row = rows_by_code(submitted)["obj-channels"]
    assert row.label == "none"
    assert "no answer yet from CMO" in row.reason
    legend = alice_client.get(url(workshop, "dashboard", submitted="1")).content.decode()
    assert "not counted" in legend
    assert 'name="submitted" value="1" id="submitted-only" checked' in legend


def test_removed_participants_do_not_count(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    give_answers(cmo, {"obj-channels": 1}, submitted=True)
    cmo.participant.removed_at = timezone.now()
    cmo.participant.save(update_fields=["removed_at"])
    response = alice_client.get(url(workshop, "dashboard"))
    assert "Marcus Reyes" not in response.content.decode()


def test_filters_by_section_label_and_kind(alice_client, workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    response = alice_client.get(
        url(workshop, "comparison", section="objectives", label="differ", kind="scale")
    )
    rows = response.context["rows"]
    assert rows
    assert all(
        (r.item.section_code, r.label, r.item.kind) == ("objectives", "differ", "scale")
        for r in rows
    )
    assert len(rows) < len(response.context["report"].rows)
    bogus = alice_client.get(url(workshop, "comparison", label="bogus"))
    assert bogus.context["filters"].label == ""


def test_live_refresh_renders_the_same_partial_with_the_same_filters(
    alice_client, workshop, cio, cmo
):
    query = {"a": "role:cio", "b": "role:cmo", "section": "kpis", "label": "differ"}
    page = alice_client.get(url(workshop, "comparison", **query)).content.decode()
    poll = re.search(r'id="comparison-live"[^>]*hx-get="([^"]+)"', page).group(1)
    assert "section=kpis" in poll and "label=differ" in poll
    assert 'hx-trigger="every 10s"' in page
    partial = alice_client.get(poll.replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="comparison-live"')
    assert "<html" not in html
    dashboard = alice_client.get(url(workshop, "dashboard"), HTTP_HX_REQUEST="true")
    assert dashboard.content.decode().lstrip().startswith('<div id="dashboard-live"')


def test_a_closed_workshop_stops_refreshing(alice_client, workshop, cio, cmo):
    workshop.status = "closed"
    workshop.save(update_fields=["status"])
    html = alice_client.get(url(workshop, "dashboard")).content.decode()
    assert "hx-trigger" not in html
    assert "the workshop is closed: these answers are final" in html


def test_new_answers_show_on_the_next_refresh(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    before = alice_client.get(url(workshop, "dashboard"), HTTP_HX_REQUEST="true")
    assert before.context["report"].overall.aggregate.scored == 0
    give_answers(cmo, {"obj-channels": 4})
    after = alice_client.get(url(workshop, "dashboard"), HTTP_HX_REQUEST="true")
    assert after.context["report"].overall.aggregate.scored == 1


def test_unreadable_stored_answer_does_not_break_the_dashboard(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4})
    give_answers(cmo, {"obj-channels": 4})
    stored = Answer.objects.filter(response=cmo.participant.response)
    stored.filter(question=question("obj-channels")).update(value=42)
    response = alice_client.get(url(workshop, "comparison"))
    assert response.status_code == 200
    assert rows_by_code(response)["obj-channels"].label == "none"


# Free-text coding ---------------------------------------------------------------------------


def _code(client, workshop, code: str, verdict: str, **extra: str):
    url_ = reverse("workshops:code_text", args=[workshop.pk, question(code).pk])
    return client.post(url_, {"a": "role:cio", "b": "role:cmo", "verdict": verdict, **extra})


def test_free_text_is_not_scored_until_the_facilitator_codes_it(alice_client, workshop, cio, cmo):
    give_answers(cio, {"wow-counterpart": "Bring marketing into reviews.", "obj-channels": 4})
    give_answers(cmo, {"wow-counterpart": "Security reviews with a date.", "obj-channels": 4})
    before = alice_client.get(url(workshop, "comparison"))
    assert rows_by_code(before)["wow-counterpart"].label == "none"
    assert before.context["report"].overall.aggregate.scored == 1
    assert "Having read both, code this pair" in _article(
        before.content.decode(), "wow-counterpart"
    )

    response = _code(alice_client, workshop, "wow-counterpart", "partly", section="ways-of-working")
    assert response.status_code == 302
    assert response["Location"].endswith("section=ways-of-working#q-wow-counterpart")

    after = alice_client.get(url(workshop, "comparison"))
    row = rows_by_code(after)["wow-counterpart"]
    assert (row.label, row.score, row.comparison.facilitator_coded) == ("partly", 50, True)
    assert after.context["report"].overall.aggregate.facilitator_coded == 1
    html = _article(after.content.decode(), "wow-counterpart")
    assert "coded by the facilitator" in html and "Alice" in html
    # The same pair in the other order shares the coding; another pair does not.
    swapped = alice_client.get(url(workshop, "comparison", a="role:cmo", b="role:cio"))
    assert rows_by_code(swapped)["wow-counterpart"].label == "partly"
    sides = alice_client.get(url(workshop, "comparison", a="side:technology", b="side:marketing"))
    assert rows_by_code(sides)["wow-counterpart"].label == "none"
    assert AuditEvent.objects.filter(workshop=workshop, action="code_text").count() == 1


def test_a_changed_answer_marks_the_coding_as_out_of_date(
    alice_client, workshop, cio, cmo, django_assert_max_num_queries
):
    give_answers(cio, {"val-success": "Field app used daily."})
    give_answers(cmo, {"val-success": "One in three sales on a phone."})
    _code(alice_client, workshop, "val-success", "differ")
    assert not rows_by_code(alice_client.get(url(workshop, "comparison")))[
        "val-success"
    ].coding_stale
    give_answers(cmo, {"val-success": "Half of all sales on a phone."})
    # Answering (surveys.answering.save_answer) stamps the change; the factory does not.
    Answer.objects.filter(response=cmo.participant.response).update(updated_at=timezone.now())
    with django_assert_max_num_queries(10):  # a coded pair adds one query, no more
        row = rows_by_code(alice_client.get(url(workshop, "comparison")))["val-success"]
    assert row.coding_stale and row.label == "differ"


def test_clearing_a_coding_unscores_the_pair(alice_client, workshop, cio, cmo):
    give_answers(cio, {"val-success": "A"})
    give_answers(cmo, {"val-success": "B"})
    _code(alice_client, workshop, "val-success", "agree")
    _code(alice_client, workshop, "val-success", "")
    assert (
        rows_by_code(alice_client.get(url(workshop, "comparison")))["val-success"].label == "none"
    )
    assert not TextCoding.objects.exists()


def test_coding_refuses_other_kinds_bad_verdicts_and_other_facilitators(
    alice_client, charlie, workshop, cio, cmo
):
    assert _code(alice_client, workshop, "obj-channels", "agree").status_code == 404
    assert _code(alice_client, workshop, "val-success", "maybe").status_code == 400
    assert _code(alice_client, workshop, "val-success", "agree", a="role:boss").status_code == 400
    assert _code(client_for(charlie), workshop, "val-success", "agree").status_code == 404
    code_url = reverse("workshops:code_text", args=[workshop.pk, question("val-success").pk])
    assert alice_client.get(code_url).status_code == 405
    assert not TextCoding.objects.exists()


def test_a_group_is_never_coded_against_itself(alice, alice_client, workshop, cio, cmo):
    """`role:cio|role:cio` would score the CIO's text as agreeing with itself."""
    from django.db import IntegrityError, transaction

    from workshops import coding

    give_answers(cio, {"val-success": "Field app used daily."})
    give_answers(cmo, {"val-success": "One in three sales on a phone."})
    refused = _code(alice_client, workshop, "val-success", "agree", b="role:cio")
    assert refused.status_code == 400
    assert "cannot be coded against itself" in refused.text
    with pytest.raises(coding.SameGroupTwice):
        coding.code_text_pair(
            workshop=workshop,
            question=question("val-success"),
            a="side:marketing",
            b="side:marketing",
            verdict="agree",
            actor=alice,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        TextCoding.objects.create(
            workshop=workshop, question=question("val-success"), pair="role:cio|role:cio"
        )
    assert not TextCoding.objects.exists()
    # Comparing a group with itself offers no coding form.
    page = alice_client.get(url(workshop, "comparison", a="role:cio", b="role:cio"))
    assert "Having read both, code this pair" not in _article(page.content.decode(), "val-success")


# Queries ------------------------------------------------------------------------------------


def _populate(workshop: Workshop, participants: int) -> None:
    """A CIO, a CMO and then heads of IT and marketing, all having answered everything."""
    roles = [Role.CIO, Role.CMO] + [
        Role.HEAD_IT if i % 2 else Role.HEAD_MARKETING for i in range(participants - 2)
    ]
    answer_sets = [CIO_ANSWERS, CMO_ANSWERS, HEAD_MARKETING_ANSWERS]
    questions = {q.code: q for q in [question(code) for code in CIO_ANSWERS]}
    answers = []
    for index, role in enumerate(roles):
        invitation = invite(workshop, f"Executive {index}", role)
        response = Response.objects.create(
            questionnaire=workshop.questionnaire,
            status=ResponseStatus.SUBMITTED if index % 3 else ResponseStatus.DRAFT,
            submitted_at=timezone.now() if index % 3 else None,
        )
        invitation.participant.response = response
        invitation.participant.save(update_fields=["response"])
        chosen = answer_sets[index % len(answer_sets)]
        answers += [
            Answer(response=response, question=questions[code], value=value)
            for code, value in chosen.items()
        ]
    Answer.objects.bulk_create(answers)


@pytest.mark.parametrize("participants", [2, 30])
@pytest.mark.parametrize("page", PAGES)
def test_pages_use_a_constant_number_of_queries(
    alice_client, workshop, django_assert_max_num_queries, participants, page
):
    _populate(workshop, participants)
    alice_client.get(url(workshop, page))  # warm the session
    with django_assert_max_num_queries(10):
        response = alice_client.get(url(workshop, page))
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        alice_client.get(url(workshop, page, a="side:technology", b="side:marketing"))
    with django_assert_max_num_queries(10):
        alice_client.get(url(workshop, page), HTTP_HX_REQUEST="true")


def test_dashboard_queries_do_not_grow_with_the_workshop(
    alice_client, workshop, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _populate(workshop, 2)
    alice_client.get(url(workshop, "agenda"))  # warm the session (another page's figures)
    with CaptureQueriesContext(connection) as small:  # computed: the most queries it makes
        alice_client.get(url(workshop, "dashboard"))
    assert len(small) <= 10
    _populate(workshop, 28)  # 28 more participants and their answers: a new version
    with django_assert_num_queries(len(small)):
        alice_client.get(url(workshop, "dashboard"))
    # Nothing changed since: the figures come from the cache, without the codings and answers
    # (the frozen questionnaire's questions and choices are read once per process).
    with django_assert_num_queries(len(small) - 2):
        alice_client.get(url(workshop, "dashboard"))


def test_group_comparisons_are_scorings_compare_groups(alice_client, workshop):
    """The report reuses each group's position; the result must be compare_groups' own."""
    from surveys import scoring

    _populate(workshop, 9)
    response = alice_client.get(
        url(workshop, "comparison", a="side:technology", b="side:marketing")
    )
    report = response.context["report"]
    for row in report.rows:
        a_values = report.answers.values(row.item, report.a.people)
        b_values = report.answers.values(row.item, report.b.people)
        expected = scoring.compare_groups(row.item.spec, a_values, b_values)
        assert row.comparison.label == expected.label, row.item.code
        if expected.similarity is None:
            assert row.comparison.similarity is None
        else:
            assert row.comparison.similarity == pytest.approx(expected.similarity), row.item.code


# Home integration ---------------------------------------------------------------------------


def test_alignment_for_a_page_of_workshops_in_constant_queries(
    alice, workshop, cio, cmo, django_assert_max_num_queries
):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    empty = make_workshop(alice, title="No answers yet")
    workshops = list(Workshop.objects.filter(pk__in=[workshop.pk, empty.pk]))
    with django_assert_max_num_queries(4):
        alignments = alignment_for_workshops(workshops)
    direct = WorkshopAnswers.load(workshop)
    assert alignments[workshop.pk].alignment == pytest.approx(
        _overall(alice, workshop).aggregate.alignment
    )
    assert direct.counted
    assert alignments[empty.pk].label == "insufficient"
    assert alignments[empty.pk].alignment is None


def test_home_alignment_figure_links_to_the_dashboard(alice, workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    empty = make_workshop(alice, title="No answers yet")
    home = client_for(alice).get(reverse("workshops:home")).text
    rows = {
        pk: home[home.index(reverse("workshops:detail", args=[pk])) :].split("</tr>", 1)[0]
        for pk in (workshop.pk, empty.pk)
    }
    score = _overall(alice, workshop).score
    assert f"<strong>{score}</strong>" in rows[workshop.pk]
    assert reverse("workshops:dashboard", args=[workshop.pk]) in rows[workshop.pk]
    assert "No answers to compare yet" in rows[empty.pk]


def _overall(user, workshop):
    return client_for(user).get(url(workshop, "dashboard")).context["report"].overall


# The demo workshop --------------------------------------------------------------------------


def test_demo_workshop_shows_agreement_conflict_split_and_missing_answers(questionnaire):
    from workshops.demo import DEMO_USERNAME, seed_demo

    workshop, _, _ = seed_demo(questionnaire)
    from django.contrib.auth import get_user_model

    client = client_for(get_user_model().objects.get(username=DEMO_USERNAME))
    response = client.get(url(workshop, "dashboard"))
    report = response.context["report"]
    html = response.content.decode()
    assert report.overall.label in {"partly", "agree", "differ"}
    assert report.overall.aggregate.agree and report.overall.aggregate.differ
    assert "Both claim sole ownership" in html
    assert any(split.rows for split in report.splits)
    assert "Draft · 13 answered" in html
    assert "Not opened" in html
    for page in ["comparison", "agenda"]:
        assert client.get(url(workshop, page)).status_code == 200


# Helpers ------------------------------------------------------------------------------------


def _article(html: str, code: str) -> str:
    start = html.index(f'id="q-{code}"')
    end = html.find("</article>", start)
    return html[start:end]


def _prompt(code: str) -> str:
    from django.utils.html import escape

    return escape(question(code).prompt)
