"""The executive's journey through the personal link: open, answer, resume, review, submit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, ResponseStatus
from workshops.models import Participant, WorkshopStatus
from workshops.services import regenerate_link, revoke_link

from ..factories import give_answers, question

pytestmark = pytest.mark.django_db


def section_url(invitation, position=1):
    return reverse("workshops:respond_section", args=[invitation.participant.pk, position])


def autosave_url(invitation, code):
    return reverse(
        "workshops:respond_autosave", args=[invitation.participant.pk, question(code).pk]
    )


def test_opening_the_link_redirects_to_a_url_without_the_token(client, cio):
    response = client.get(cio.path)
    assert response.status_code == 302
    assert cio.token not in response["Location"]
    assert response["Location"] == reverse("workshops:respond", args=[cio.participant.pk])
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Dana Whitfield" in page.text


def test_the_token_is_stored_only_as_a_hash(cio):
    participant = Participant.objects.get(pk=cio.participant.pk)
    assert cio.token not in participant.token_hash
    assert len(cio.token) >= 43  # 256 bits, URL-safe base64


def test_a_wrong_token_is_a_friendly_404(client, cio):
    response = client.get(reverse("workshops:open_link", args=[cio.token[:-1] + "x"]))
    assert response.status_code == 404
    assert "link doesn" in response.text


def test_a_revoked_link_is_gone_and_ends_sessions_it_started(client, cio):
    client.get(cio.path)
    revoke_link(cio.participant, actor=None)
    assert client.get(cio.path).status_code == 410
    assert client.get(section_url(cio)).status_code == 404


def test_a_regenerated_link_replaces_the_old_one_and_keeps_answers(client, cio):
    client.get(cio.path)
    client.post(autosave_url(cio, "obj-channels"), {f"q{question('obj-channels').pk}": "4"})
    cio.participant.refresh_from_db()
    new = regenerate_link(cio.participant, actor=None)
    assert client.get(cio.path).status_code == 410  # "a newer link replaces this one"
    assert client.get(section_url(cio)).status_code == 200  # the open page keeps working
    fresh = client.get(new.path, follow=True)
    assert fresh.status_code == 200
    assert Answer.objects.get(response=new.participant.response).value == 4


def test_a_closed_workshop_refuses_the_link_with_410(client, cio, workshop):
    workshop.status = WorkshopStatus.CLOSED
    workshop.save()
    response = client.get(cio.path)
    assert response.status_code == 410
    assert "closed" in response.text
    # Whom to contact, by name and address.
    assert "Your facilitator, Alice" in response.text
    assert 'href="mailto:alice@example.com"' in response.text


def test_another_executives_response_is_not_reachable(cio_client, cmo):
    cmo_section = reverse("workshops:respond_section", args=[cmo.participant.pk, 1])
    assert cio_client.get(cmo_section).status_code == 404
    assert (
        cio_client.post(
            reverse(
                "workshops:respond_autosave", args=[cmo.participant.pk, question("obj-channels").pk]
            ),
            {},
        ).status_code
        == 404
    )


def test_section_page_shows_progress_and_every_question_of_the_section(cio_client, cio):
    page = cio_client.get(section_url(cio))
    assert page.status_code == 200
    assert "Section 1 of 6" in page.text
    assert "0</strong> of 44 answered" in page.text
    for code in ("obj-channels", "obj-ranking"):
        assert f'id="question-{question(code).pk}"' in page.text
    assert page["Cache-Control"] == "no-store"


def test_autosave_stores_one_answer_and_answers_with_saved_state(cio_client, cio):
    q = question("obj-channels")
    reply = cio_client.post(
        autosave_url(cio, "obj-channels"), {f"q{q.pk}": "4"}, HTTP_HX_REQUEST="true"
    )
    assert reply.status_code == 200
    assert "Saved" in reply.text
    assert 'hx-swap-oob="true"' in reply.text
    assert Answer.objects.get(response__participant=cio.participant, question=q).value == 4


def test_autosave_with_bad_input_explains_and_keeps_it_as_a_draft_that_counts_for_nothing(
    cio_client, cio
):
    q = question("kpi-load-time")
    reply = cio_client.post(autosave_url(cio, "kpi-load-time"), {f"q{q.pk}": "fast"})
    assert reply.status_code == 200  # the draft is stored: not an error for the browser
    assert "Saved as a draft: Enter a number" in reply.text
    stored = Answer.objects.get(question=q)
    assert stored.value is None and not stored.is_answered
    assert stored.draft == {f"q{q.pk}": ["fast"]}


def test_a_half_done_allocation_survives_a_closed_tab_and_counts_once_complete(client, cio):
    q = question("aud-budget-split")
    shares = [f"q{q.pk}-{choice.value}" for choice in q.choices.all()]
    client.get(cio.path)
    partial = {shares[0]: "40", shares[1]: "30"}
    assert client.post(autosave_url(cio, "aud-budget-split"), partial).status_code == 200
    # The tab is closed; the executive opens the link again on another device.
    other_device = client.__class__()
    other_device.get(cio.path)
    page = other_device.get(section_url(cio, 2)).text
    assert f'name="{shares[0]}" id="q{q.pk}-{q.choices.all()[0].value}" value="40"' in page
    assert "Saved as a draft: The shares add up to 70 %" in page
    review = other_device.get(reverse("workshops:respond_review", args=[cio.participant.pk]))
    # A required question: listed once, among those still to answer, marked as a draft.
    assert "(draft not finished)" in review.text and "1 draft not finished" not in review.text
    assert "Draft not finished: The shares add up to 70 %" in review.text
    complete = {**partial, shares[2]: "30"}  # the other shares left empty: 0 %
    reply = other_device.post(autosave_url(cio, "aud-budget-split"), complete)
    assert reply.status_code == 200 and "Saved" in reply.text
    stored = Answer.objects.get(question=q)
    assert stored.draft is None and sum(stored.value.values()) == 100
    review = other_device.get(reverse("workshops:respond_review", args=[cio.participant.pk]))
    assert "draft" not in review.text.lower()


def test_each_bad_box_of_a_split_is_marked_invalid_with_its_own_message(cio_client, cio):
    q = question("aud-budget-split")
    values = [choice.value for choice in q.choices.all()]
    posted = {f"q{q.pk}-{values[0]}": "lots", f"q{q.pk}-{values[1]}": "140"}
    posted[f"q{q.pk}-{values[2]}"] = "20"
    reply = cio_client.post(autosave_url(cio, "aud-budget-split"), posted)
    # The autosave sends each box's message out of band; the page script marks the box.
    unreadable, out_of_range, fine = (f"q{q.pk}-{value}-problem" for value in values[:3])
    assert f'id="{unreadable}" hx-swap-oob="true">Enter a percentage' in reply.text
    assert f'id="{out_of_range}" hx-swap-oob="true">Between 0 and 100 %' in reply.text
    assert f'id="{fine}" hx-swap-oob="true"></p>' in reply.text
    page = cio_client.get(section_url(cio, 2)).text
    first, second, third = (f'id="q{q.pk}-{value}"' for value in values[:3])
    assert page.count('aria-invalid="true"') == 2
    for box, invalid in ((first, True), (second, True), (third, False)):
        tag = page[page.index(box) : page.index(">", page.index(box))]
        assert ('aria-invalid="true"' in tag) is invalid
        assert f'aria-describedby="{box[4:-1]}-problem"' in tag


def test_plain_post_saves_the_valid_answers_and_keeps_the_invalid_ones_on_the_page(cio_client, cio):
    channels, engagement = question("obj-channels"), question("obj-engagement")
    ranking = question("obj-ranking")
    reply = cio_client.post(
        section_url(cio),
        {
            f"q{channels.pk}": "5",
            f"q{engagement.pk}": "9",
            f"q{ranking.pk}-channels": "1",
            f"q{ranking.pk}-engagement": "1",
            "go": "next",
        },
    )
    assert reply.status_code == 422
    assert "Pick a point between 1 and 5" in reply.text
    assert "same rank" in reply.text
    assert Answer.objects.get(question=channels).value == 5
    assert not Answer.objects.answered().filter(question=engagement).exists()
    assert Answer.objects.get(question=ranking).draft[f"q{ranking.pk}-engagement"] == ["1"]
    assert "saved as a draft; finish it now, or continue and come back to it later" in reply.text
    assert 'value="later">Continue, finish later →' in reply.text
    # the duplicate ranks the executive typed are still on the page
    assert reply.text.count('<option value="1" selected>') == 2


def test_plain_post_without_errors_moves_to_the_next_section(cio_client, cio):
    q = question("obj-channels")
    reply = cio_client.post(section_url(cio), {f"q{q.pk}": "3", "go": "next"})
    assert reply.status_code == 302
    assert reply["Location"] == section_url(cio, 2)


def test_reopening_the_link_resumes_where_the_executive_last_answered(client, cio):
    client.get(cio.path)
    client.get(section_url(cio, 3))
    q = question("own-mobile-web-should")  # a question of section 3
    assert (
        client.post(autosave_url(cio, "own-mobile-web-should"), {f"q{q.pk}": "joint"}).status_code
        == 200
    )
    client.get(section_url(cio, 1))  # reading another section does not move the resume point
    other_device = client.__class__()
    welcome = other_device.get(cio.path, follow=True)
    assert "Continue where you left off" in welcome.text
    assert section_url(cio, 3) in welcome.text
    # The way back in comes before the introduction, which a returning executive has read.
    introduction = cio.participant.workshop.questionnaire.description[:60]
    assert welcome.text.index("Continue where you left off") < welcome.text.index(introduction)


def test_review_lists_required_questions_still_open_and_submit_refuses(cio_client, cio):
    give_answers(cio, {"obj-channels": 4})
    review = cio_client.get(reverse("workshops:respond_review", args=[cio.participant.pk]))
    assert "required questions still to answer" in review.text
    reply = cio_client.post(reverse("workshops:respond_submit", args=[cio.participant.pk]))
    assert reply.status_code == 302
    cio.participant.response.refresh_from_db()
    assert cio.participant.response.status == ResponseStatus.DRAFT


def complete_answers(questionnaire):
    """A valid answer to every required question."""
    answers = {}
    for section in questionnaire.ordered_sections():
        for q in section.questions.all():
            if not q.required:
                continue
            values = [c.value for c in q.choices.all()]
            answers[q.code] = {
                "scale": lambda q=q, v=values: q.scale_min,
                "single": lambda q=q, v=values: v[0],
                "multi": lambda q=q, v=values: [v[0]],
                "ranking": lambda q=q, v=values: v[: q.rank_limit or None],
                "numeric": lambda q=q, v=values: q.min_value,
                "allocation": lambda q=q, v=values: {v[0]: 100},
                "text": lambda q=q, v=values: "Yes",
            }[q.kind]()
    return answers


def test_submit_locks_the_response_and_a_double_submit_changes_nothing(
    cio_client, cio, questionnaire
):
    give_answers(cio, complete_answers(questionnaire))
    submit = reverse("workshops:respond_submit", args=[cio.participant.pk])
    assert cio_client.post(submit).status_code == 302
    response = cio.participant.response
    response.refresh_from_db()
    first_submitted_at = response.submitted_at
    assert response.status == ResponseStatus.SUBMITTED
    assert cio_client.post(submit).status_code == 302
    response.refresh_from_db()
    assert response.submitted_at == first_submitted_at
    review = cio_client.get(reverse("workshops:respond_review", args=[cio.participant.pk]))
    assert "your answers are submitted" in review.text
    q = question("obj-channels")
    refused = cio_client.post(autosave_url(cio, "obj-channels"), {f"q{q.pk}": "5"})
    assert "can no longer be changed" in refused.text
    assert Answer.objects.get(response=response, question=q).value == q.scale_min


def test_answering_after_the_workshop_closed_is_refused(cio_client, cio, workshop):
    workshop.status = WorkshopStatus.CLOSED
    workshop.save()
    q = question("obj-channels")
    reply = cio_client.post(autosave_url(cio, "obj-channels"), {f"q{q.pk}": "5"})
    assert "closed" in reply.text
    assert not Answer.objects.filter(question=q).exists()
    assert cio_client.post(section_url(cio), {f"q{q.pk}": "5"}).status_code == 410


def test_token_guessing_is_throttled(client, cio):
    for _ in range(30):
        client.get(reverse("workshops:open_link", args=["x" * 43]))
    assert client.get(reverse("workshops:open_link", args=["y" * 43])).status_code == 429
    assert client.get(cio.path).status_code == 302, "a current link always opens"


def _queries(captured):
    """SQL statements run, transaction control (SAVEPOINT/RELEASE) left out, as the bench does."""
    return [
        q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]


@pytest.mark.parametrize("answered", [False, True], ids=["no answers", "all answered"])
def test_section_page_uses_a_constant_number_of_queries(cio_client, cio, questionnaire, answered):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if answered:
        give_answers(cio, complete_answers(questionnaire))
    sections = questionnaire.ordered_sections()
    with CaptureQueriesContext(connection) as cold:
        assert cio_client.get(section_url(cio, 1)).status_code == 200
    # Participant, the structure (sections, questions, choices), answers, the touch.
    assert len(_queries(cold)) <= 6
    # The questionnaire is frozen (the participant has a response): its structure is now cached.
    # Participant and answers, whatever the section's size (the access cookie needs no query:
    # the session is not read). Reading a section writes
    # nothing: the activity time was written moments ago (it is kept to 30 s) and where to
    # resume moves with answers, not with reading.
    sizes = {len(s.questions.all()) for s in sections}
    assert len(sizes) > 1
    for position in [*range(2, len(sections) + 1), 1]:
        with CaptureQueriesContext(connection) as captured:
            assert cio_client.get(section_url(cio, position)).status_code == 200
        assert len(_queries(captured)) == 2, _queries(captured)
    q = question("own-mobile-web-should")
    url = autosave_url(cio, "own-mobile-web-should")
    stored = Answer.objects.filter(response__participant=cio.participant, question=q).first()
    posted = {f"q{q.pk}": "joint", f"q{q.pk}-rev": stored.revision if stored else ""}
    with CaptureQueriesContext(connection) as captured:
        captured_reply = cio_client.post(url, posted)
    assert captured_reply.status_code == 200
    # Participant; the response locked and stamped (updated_at, resume point), which returns
    # its answered count for the progress bar (UPDATE ... RETURNING: no COUNT); then a first
    # answer is inserted at once, while a change reads the
    # stored answer (locked) and updates it (the count, and the bar, stay as they were). Either
    # moves the workshop's dashboard version on, in the same transaction.
    statements = [sql.split()[0] for sql in _queries(captured)]
    bump = next(sql for sql in _queries(captured) if "dashboard_version" in sql)
    assert bump.startswith('UPDATE "workshops_workshop" SET "dashboard_version"')
    if answered:
        assert statements == ["SELECT", "UPDATE", "SELECT", "UPDATE", "UPDATE"], _queries(captured)
    else:
        assert statements == ["SELECT", "UPDATE", "INSERT", "UPDATE"], _queries(captured)
        assert "RETURNING" in _queries(captured)[1]
    assert ('id="progress"' in captured_reply.text) is not answered
    assert Answer.objects.get(response__participant=cio.participant, question=q).value == "joint"


def test_an_ended_session_gets_a_page_that_says_how_to_get_back(client, cio):
    response = client.get(section_url(cio))
    assert response.status_code == 404
    assert "open your personal link again" in response.text.lower()


def test_save_and_continue_moves_the_resume_point_to_the_next_section(cio_client, cio):
    q = question("obj-channels")
    cio_client.post(section_url(cio, 1), {f"q{q.pk}": "3", "go": "next"})
    cio.participant.refresh_from_db()
    assert cio.participant.response.last_section == 2
    cio_client.post(section_url(cio, 2), {"go": "previous"})
    cio.participant.response.refresh_from_db()
    assert cio.participant.response.last_section == 1


def test_activity_is_recorded_at_most_every_thirty_seconds(cio_client, cio):
    participant = cio.participant
    long_ago = timezone.now() - timedelta(minutes=5)
    Participant.objects.filter(pk=participant.pk).update(last_activity_at=long_ago)
    cio_client.get(section_url(cio, 2))
    participant.refresh_from_db()
    recorded = participant.last_activity_at
    assert recorded > long_ago + timedelta(minutes=4)
    cio_client.get(section_url(cio, 3))  # moments later: nothing written
    participant.refresh_from_db()
    assert participant.last_activity_at == recorded
    moments_ago = recorded - timedelta(seconds=31)
    Participant.objects.filter(pk=participant.pk).update(last_activity_at=moments_ago)
    q = question("own-mobile-web-should")
    cio_client.post(autosave_url(cio, "own-mobile-web-should"), {f"q{q.pk}": "joint"})
    participant.refresh_from_db()
    assert participant.last_activity_at > recorded


def test_each_question_autosaves_to_its_own_url_relative_to_the_page(cio_client, cio):
    import posixpath
    import re

    page = section_url(cio, 3)
    html = cio_client.get(page).text
    posts = re.findall(r'hx-post="([^"]+)"', html)
    assert posts and all(not url.startswith("/") for url in posts)
    resolved = [posixpath.normpath(posixpath.join(page, url)) + "/" for url in posts]
    assert autosave_url(cio, "own-mobile-web-should") in resolved  # a question of section 3
    assert cio_client.post(resolved[0], {}).status_code == 200  # nothing posted: unchanged


def test_a_draft_never_blocks_going_back_but_saving_the_page_asks_to_finish_it(cio_client, cio):
    q = question("aud-budget-split")
    first_share = f"q{q.pk}-{q.choices.all()[0].value}"
    forward = cio_client.post(section_url(cio, 2), {first_share: "40", "go": "next"})
    assert forward.status_code == 422
    assert "The shares add up to 40 %" in forward.text
    later = cio_client.post(section_url(cio, 2), {first_share: "40", "go": "later"})
    assert later.status_code == 302 and later["Location"] == section_url(cio, 3)
    back = cio_client.post(section_url(cio, 2), {first_share: "45", "go": "previous"}, follow=True)
    assert back.redirect_chain[-1][0] == section_url(cio, 1)
    assert "1 answer on “Audiences and channels” is kept as a draft" in back.text
    assert Answer.objects.get(question=q).draft == {first_share: ["45"]}


def test_a_draft_is_escaped_wherever_it_is_shown(cio_client, cio):
    payload = '"><script>alert(1)</script>'
    q = question("kpi-load-time")
    cio_client.post(autosave_url(cio, "kpi-load-time"), {f"q{q.pk}": payload})
    for url in [
        section_url(cio, 4),
        reverse("workshops:respond_review", args=[cio.participant.pk]),
    ]:
        page = cio_client.get(url).text
        assert "<script>alert(1)" not in page
    assert (
        "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        in cio_client.get(section_url(cio, 4)).text
    )


def test_a_split_rounded_to_whole_percents_says_so(cio_client, cio):
    q = question("aud-split")
    names = [f"q{q.pk}-{choice.value}" for choice in q.choices.all()]
    thirds = cio_client.post(autosave_url(cio, "aud-split"), dict.fromkeys(names, "33,3"))
    assert thirds.status_code == 200
    assert "Saved, as whole percentages:" in thirds.text
    assert sorted(Answer.objects.get(question=q).value.values()) == [33, 33, 34]
    stored = Answer.objects.get(question=q)
    whole = dict(zip(names, ["50", "30", "20"], strict=True))
    whole[f"q{q.pk}-rev"] = str(stored.revision)
    reply = cio_client.post(autosave_url(cio, "aud-split"), whole)
    assert "Saved" in reply.text and "whole percentages" not in reply.text


def test_the_welcome_page_and_the_tabs_say_what_is_complete_and_what_waits_as_a_draft(
    cio_client, cio, questionnaire
):
    welcome = reverse("workshops:respond", args=[cio.participant.pk])
    fresh = cio_client.get(welcome).text
    assert "draft-notice" not in fresh and "draft to finish" not in fresh
    assert f"· {len(questionnaire.ordered_sections()[0].questions.all())} questions" in fresh
    first, second = questionnaire.ordered_sections()[:2]
    # Every question of the first section answered ("don't know" where allowed), one of the
    # second; a budget split that does not add up yet in the second, kept as a draft.
    every = complete_answers(questionnaire)
    give_answers(
        cio,
        {q.code: every.get(q.code, "Yes") for q in first.questions.all()}
        | {second.questions.all()[0].code: every[second.questions.all()[0].code]},
    )
    split = question("aud-budget-split")
    assert split.section_id == second.pk
    cio_client.post(
        autosave_url(cio, "aud-budget-split"), {f"q{split.pk}-{split.choices.all()[0].value}": "40"}
    )
    page = cio_client.get(welcome).text
    assert "1 answer to finish." in page
    total = len(first.questions.all())
    assert f"all {total} answered" in page
    assert f"1 of {len(second.questions.all())} answered</span>" in page
    assert page.count("1 draft to finish") == 1
    tabs = cio_client.get(section_url(cio, 3)).text
    assert f'<span class="step-mark" aria-hidden="true">✓</span>{first.title}' in tabs
    assert f'{second.title}<span class="visually-hidden"> (1 draft to finish)' in tabs
    # The current section's own questions show their state: its tab carries no mark.
    on_second = cio_client.get(section_url(cio, 2)).text
    assert "(1 draft to finish)" not in on_second
    assert "question card card-body has-draft" in on_second


def test_a_page_the_questionnaire_does_not_have_leads_back_to_it(cio_client, cio, client):
    welcome = reverse("workshops:respond", args=[cio.participant.pk])
    missing = cio_client.get(section_url(cio, 99))
    assert missing.status_code == 404
    assert "There is no such section" in missing.text
    assert f'href="{welcome}"' in missing.text and "Back to your questionnaire" in missing.text
    assert "open your personal link again" not in missing.text.lower()
    results = cio_client.get(reverse("workshops:respond_results", args=[cio.participant.pk]))
    assert results.status_code == 404 and "The results are not shared yet" in results.text
    # Without the link's cookie nothing is told about the questionnaire.
    stranger = client.get(section_url(cio, 99))
    assert stranger.status_code == 404
    assert "There is no such section" not in stranger.text
    assert "open your personal link again" in stranger.text.lower()


@pytest.mark.parametrize("answered", [False, True], ids=["no answers", "all answered"])
def test_the_welcome_page_uses_a_constant_number_of_queries(
    cio_client, cio, questionnaire, answered, django_assert_num_queries
):
    if answered:
        give_answers(cio, complete_answers(questionnaire))
    welcome = reverse("workshops:respond", args=[cio.participant.pk])
    assert cio_client.get(welcome).status_code == 200  # the structure is now cached
    # The participant (with workshop, response, questionnaire) and the response's answers.
    with django_assert_num_queries(2):
        assert cio_client.get(welcome).status_code == 200


def test_submitting_with_a_draft_over_an_answer_says_the_draft_is_dropped_first(
    cio_client, cio, questionnaire
):
    give_answers(cio, complete_answers(questionnaire))
    q = question("kpi-load-time")
    stored = Answer.objects.get(response=cio.participant.response, question=q)
    cio_client.post(autosave_url(cio, "kpi-load-time"), {f"q{q.pk}": "fast"})  # kept as a draft
    review_url = reverse("workshops:respond_review", args=[cio.participant.pk])
    submit_url = reverse("workshops:respond_submit", args=[cio.participant.pk])
    review = cio_client.get(review_url).text
    assert "If you submit now, it is dropped" in review
    assert "Submit, dropping the draft" in review
    assert 'name="unfinished_seen" value="1"' in review
    # A post that did not see the draft (an older review page) is sent back to see it.
    blind = cio_client.post(submit_url, {"unfinished_seen": "0"}, follow=True)
    assert "unfinished changes" in blind.text
    cio.participant.response.refresh_from_db()
    assert cio.participant.response.status == ResponseStatus.DRAFT
    cio_client.post(submit_url, {"unfinished_seen": "1"})
    cio.participant.response.refresh_from_db()
    assert cio.participant.response.status == ResponseStatus.SUBMITTED
    kept = Answer.objects.get(pk=stored.pk)
    assert (kept.value, kept.draft) == (stored.value, None)  # the last complete answer
    assert "Saved as a draft" not in cio_client.get(section_url(cio, 4)).text
