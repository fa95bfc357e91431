"""The whole workshop as a JSON transfer file, and back: the same dashboard, to the last digit."""

from __future__ import annotations

import copy
import json
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from surveys.models import Answer, Response
from workshops.coding import code_text_pair
from workshops.dashboard.loading import WorkshopAnswers, people_of
from workshops.dashboard.report import Report
from workshops.models import AuditEvent, LinkState, Participant, TextCoding, Workshop
from workshops.transfer import SCHEMA_VERSION, TransferError, import_workshop

from ..conftest import client_for
from ..factories import question
from .populate import populate
from .test_exports import body


def transfer_file(client, workshop: Workshop) -> dict:
    response = client.get(reverse("workshops:export_json", args=[workshop.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    return json.loads(body(response))


def figures(workshop: Workshop, a: str = "", b: str = "", *, submitted_only=False) -> dict:
    """Every figure the dashboard computes for a pair, as exact values (floats unrounded)."""
    workshop = Workshop.objects.select_related("questionnaire").get(pk=workshop.pk)
    people = people_of([workshop])[workshop.pk]
    roster = WorkshopAnswers(workshop=workshop, sections=[], people=people)
    group_a, group_b = roster.pair(a, b)
    report = Report.load(workshop, people, group_a, group_b, submitted_only=submitted_only)
    return {
        "people": [(p.name, p.role, p.side, p.state) for p in people],
        "overall": repr(report.overall.aggregate),
        "sections": [(s.code, repr(s.aggregate)) for s in report.sections],
        "rows": [
            (row.item.code, row.label, repr(row.comparison.similarity), repr(row.gap))
            for row in report.rows
        ],
        "coded": [row.item.code for row in report.rows if row.coding is not None],
        "ownership": [_without_ids(row) for row in report.ownership],
        "kpis": [repr(row.gap) for row in report.kpis],
        "agenda": [entry.row.item.code for entry in report.agenda],
        "consensus": report.consensus_counts,
        "splits": [_without_ids(split) for split in report.splits],
    }


def _without_ids(value: object) -> str:
    """A figure's repr without the database ids of the people in it (new ones on import)."""
    return re.sub(r"\b(pk|response_id)=\d+", r"\1=#", repr(value))


@pytest.fixture
def full(workshop, alice):
    """Six executives, some submitted and some in draft, a coded free-text pair, a removed
    participant and an unfinished entry."""
    populate(workshop, 6)
    code_text_pair(
        workshop=workshop,
        question=question("val-success"),
        a="role:cio",
        b="role:cmo",
        verdict="partly",
        actor=alice,
    )
    removed = Participant.objects.filter(workshop=workshop).order_by("pk").last()
    Participant.objects.filter(pk=removed.pk).update(removed_at=removed.created_at)
    first = Participant.objects.filter(workshop=workshop).order_by("pk").first()
    Answer.objects.filter(response=first.response, question=question("wow-counterpart")).update(
        value=None, draft={"q": "half typed"}
    )
    return workshop


def test_import_reproduces_the_same_dashboard_to_the_last_digit(alice_client, alice, full):
    data = transfer_file(alice_client, full)
    before = {
        pair: figures(full, *pair)
        for pair in [("", ""), ("side:technology", "side:marketing"), ("role:cio", "role:head_it")]
    }
    before_submitted = figures(full, submitted_only=True)
    Workshop.objects.filter(pk=full.pk).delete()
    result = import_workshop(data, owner=alice)
    assert result.created and result.workshop.pk != full.pk
    for pair, expected in before.items():
        assert figures(result.workshop, *pair) == expected, pair
    assert figures(result.workshop, submitted_only=True) == before_submitted
    assert before[("", "")]["coded"] == ["val-success"]
    imported = result.workshop
    assert (imported.title, imported.organisation.name) == ("Mobile strategy 2027", "Acme Retail")
    assert AuditEvent.objects.filter(workshop=imported, action="import").count() == 1


def test_import_as_a_new_workshop_beside_the_original(alice_client, alice, full):
    data = transfer_file(alice_client, full)
    result = import_workshop(data, owner=alice)
    assert result.workshop.pk != full.pk
    assert figures(result.workshop) == figures(full)
    # New personal links: no participant shares a link hash with the original's.
    hashes = Participant.objects.filter(workshop__in=[full, result.workshop]).values_list(
        "token_hash", flat=True
    )
    assert len(set(hashes)) == len(hashes) == 12
    # Nobody has them yet: the board says "Not invited yet", not that they were shown or emailed.
    imported = Participant.objects.filter(workshop=result.workshop)
    assert {p.link_state for p in imported} == {LinkState.NOT_SENT}


def test_the_file_marks_drafts_and_leaves_unfinished_entries_out(alice_client, full):
    data = transfer_file(alice_client, full)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["questionnaire"]["slug"] == full.questionnaire.slug
    assert data["questionnaire"]["digest"] == full.questionnaire.source_digest
    assert data["outcome"] is None
    statuses = [p["response"]["status"] for p in data["participants"]]
    assert statuses.count("draft") == 2 and statuses.count("submitted") == 4
    first = data["participants"][0]["response"]["answers"]
    assert "wow-counterpart" not in [answer["question"] for answer in first]
    assert "half typed" not in json.dumps(data)
    assert sum(1 for p in data["participants"] if p["removed_at"]) == 1
    assert data["codings"][0]["pair"] == "role:cio|role:cmo"


def test_importing_the_same_file_twice_adds_nothing(alice_client, alice, full):
    data = transfer_file(alice_client, full)
    first = import_workshop(data, owner=alice)
    counts = (Workshop.objects.count(), Participant.objects.count(), Answer.objects.count())
    again = import_workshop(copy.deepcopy(data), owner=alice)
    assert not again.created and again.workshop == first.workshop
    assert (Workshop.objects.count(), Participant.objects.count(), Answer.objects.count()) == counts


def test_a_bad_file_names_each_problem_and_imports_nothing(alice_client, alice, full):
    data = transfer_file(alice_client, full)
    data["participants"][3]["role"] = "ceo-ish"
    answers = data["participants"][1]["response"]["answers"]
    scale = next(i for i, a in enumerate(answers) if a["question"] == "obj-channels")
    answers[scale]["value"] = 9
    answers[scale + 1]["value"] = "four"
    answers[-1]["question"] = "no-such-question"
    last = len(answers) - 1
    data["codings"][0]["verdict"] = "maybe"

    def counts():
        return Workshop.objects.count(), Response.objects.count(), TextCoding.objects.count()

    before = counts()
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    problems = error.value.problems
    assert any(p.startswith("participants[3].role: must be one of ") for p in problems)
    assert f"participants[1].response.answers[{scale}].value: must be between 1 and 5." in problems
    assert any(
        p.startswith(f"participants[1].response.answers[{scale + 1}].value:") for p in problems
    )
    assert (
        f"participants[1].response.answers[{last}].question: must be the code of a question "
        "of the questionnaire." in problems
    )
    assert any(p.startswith("codings[0].verdict: must be one of") for p in problems)
    assert len(problems) == 5
    assert counts() == before


def test_a_questionnaire_missing_here_is_refused_clearly(alice_client, alice, full):
    data = transfer_file(alice_client, full)
    data["questionnaire"]["version"] = 99
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    assert error.value.problems[0].startswith("questionnaire: “joint-mobile-strategy” version 99")
    data["questionnaire"]["version"] = full.questionnaire.version
    data["questionnaire"]["digest"] = "0" * 64
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    assert error.value.problems[0].startswith("questionnaire.digest:")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not json", "file: is not JSON (line 1, column 1"),
        (b"\xff\xfe", "file: is not UTF-8 text."),
        (b"[]", "file: must be a JSON object."),
        (b'{"schema": "x"}', "schema: must be"),
        (b'{"schema": "common-ground/workshop", "schema_version": 7}', "schema_version: must be"),
        # Hostile files (issue 14's security review): not strict JSON, each named.
        (b"[" * 100_000 + b"]" * 100_000, "file: is not JSON (it nests too deep)."),
        (
            b'{"schema": "x", "schema": "common-ground/workshop"}',
            "file: names the key “schema” twice in one object.",
        ),
        (b'{"schema": NaN}', "file: is not JSON (“NaN” is not a JSON value)."),
        (b'{"a": [1, -Infinity]}', "file: is not JSON (“-Infinity” is not a JSON value)."),
        (
            b'{"schema_version": ' + b"9" * 5000 + b"}",
            "file: is not JSON (a number has more digits than can be read).",
        ),
    ],
)
def test_the_staff_page_reports_a_file_that_is_not_a_transfer_file(staff, alice, content, message):
    response = client_for(staff).post(
        reverse("workshops:import"),
        {"file": SimpleUploadedFile("w.json", content), "owner": alice.pk},
    )
    assert response.status_code == 400
    assert message in response.text
    assert Workshop.objects.count() == 0


def test_the_staff_page_imports_a_file(alice_client, staff, alice, bob, full):
    data = json.dumps(transfer_file(alice_client, full)).encode()
    client = client_for(staff)
    assert client.get(reverse("workshops:import")).status_code == 200
    response = client.post(
        reverse("workshops:import"),
        {"file": SimpleUploadedFile("w.json", data), "owner": bob.pk},
    )
    assert response.status_code == 200
    assert "Imported “Mobile strategy 2027”: 6 participants" in response.text
    imported = Workshop.objects.exclude(pk=full.pk).get()
    assert imported.owner == bob
    again = client.post(
        reverse("workshops:import"), {"file": SimpleUploadedFile("w.json", data), "owner": bob.pk}
    )
    assert "imported before" in again.text
    assert Workshop.objects.count() == 2


def test_the_command_imports_and_reports_problems(alice_client, alice, full, tmp_path):
    path = tmp_path / "workshop.json"
    data = transfer_file(alice_client, full)
    path.write_text(json.dumps(data))
    out = StringIO()
    call_command("import_workshop", str(path), "--owner", "alice", stdout=out)
    assert "participants, " in out.getvalue() and "Imported workshop" in out.getvalue()
    data["participants"][0]["side"] = "nowhere"
    data["export_id"] = "8a1c6f39-5b0e-4f7a-9a51-7d6c1f0e2b11"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"participants\[0\]\.side: must be one of"):
        call_command("import_workshop", str(path), "--owner", "alice")


@pytest.mark.parametrize("participants", [3, 40])
def test_the_json_export_uses_a_constant_number_of_queries(
    alice_client, workshop, django_assert_max_num_queries, participants
):
    populate(workshop, participants)
    alice_client.get(reverse("workshops:detail", args=[workshop.pk]))
    with django_assert_max_num_queries(10):
        data = transfer_file(alice_client, workshop)
    assert len(data["participants"]) == participants
    assert AuditEvent.objects.filter(
        workshop=workshop, action="export", params={"format": "json"}
    ).exists()


def test_only_the_workshops_facilitators_export_json(charlie, workshop):
    url = reverse("workshops:export_json", args=[workshop.pk])
    assert client_for(charlie).get(url).status_code == 404


@pytest.fixture
def decided(full, alice):
    """`full` with its session's outcome: a decision, RACI, a KPI, actions (one owned by an
    executive), the notes, a sign-off reopened and a standing one."""
    from datetime import date

    from workshops.outcome import reopen_outcome, save_action, sign_off

    from .populate import record_outcome

    record_outcome(full, alice)
    reopen_outcome(workshop=full, reason="Budget changed", actor=alice)
    sign_off(workshop=full, signed_by="Ruth Board, CEO", actor=alice)
    owner = Participant.objects.filter(workshop=full).order_by("created_at", "pk")[2]
    from workshops.outcome import reopen_outcome as _reopen

    _reopen(workshop=full, reason="One more action", actor=alice)
    save_action(
        workshop=full,
        action=None,
        what="Brief the board",
        owner_participant=owner,
        owner_name="",
        due_on=date(2026, 3, 1),
        status="in_progress",
        base_revision=None,
        actor=alice,
    )
    sign_off(workshop=full, signed_by="Ruth Board, CEO", actor=alice)
    return full


def _outcome_rows(workshop: Workshop) -> dict:
    from workshops.outcome_models import (
        Action,
        AgreedOwnership,
        Decision,
        OutcomeNotes,
        SharedKpi,
        SignOff,
    )

    def rows(model, *fields):
        return sorted(model.objects.filter(workshop=workshop).values_list(*fields))

    return {
        "decisions": rows(Decision, "question__code", "state", "position", "note", "updated_at"),
        "ownership": rows(
            AgreedOwnership, "area", "area_label", "cio", "cmo", "joint", "other", "other_label"
        ),
        "kpis": rows(
            SharedKpi,
            "name",
            "question__code",
            "unit",
            "current_value",
            "target",
            "owner",
            "deadline",
            "review_on",
            "created_at",
        ),
        "actions": rows(
            Action, "what", "owner_participant__name", "owner_name", "due_on", "status"
        ),
        "notes": rows(OutcomeNotes, "biases", "parking_lot"),
        "sign_offs": rows(SignOff, "signed_by", "signed_at", "reopened_at", "reopen_reason"),
    }


def test_the_outcome_travels_with_the_workshop(alice_client, alice, decided):
    data = transfer_file(alice_client, decided)
    outcome = data["outcome"]
    assert [len(outcome[name]) for name in ("decisions", "ownership", "kpis", "actions")] == [
        1,
        1,
        1,
        3,
    ]
    assert outcome["decisions"][0]["position"] == 2.5
    assert [a["owner_participant"] for a in outcome["actions"]] == [None, None, 2]
    assert [s["reopened_at"] is None for s in outcome["sign_offs"]] == [False, False, True]
    expected, before = _outcome_rows(decided), figures(decided)
    result = import_workshop(data, owner=alice)
    assert result.created
    assert _outcome_rows(result.workshop) == expected
    assert figures(result.workshop) == before
    # The same outcome shown: the report of the imported workshop says what the original's says.
    original = alice_client.get(reverse("workshops:report", args=[decided.pk])).content.decode()
    imported = alice_client.get(
        reverse("workshops:report", args=[result.workshop.pk])
    ).content.decode()
    part = re.compile(r'id="report-outcome".*?id="report-references"', re.S)
    found = part.search(original)
    assert found and "Brief the board" in found.group(0)
    assert re.sub(r"/\d+/", "/#/", found.group(0)) == re.sub(
        r"/\d+/", "/#/", part.search(imported).group(0)
    )
    # Exported again, the outcome is the same file part.
    assert transfer_file(alice_client, result.workshop)["outcome"] == outcome


def test_importing_an_outcome_twice_adds_nothing(alice_client, alice, decided):
    from workshops.outcome_models import Action, Decision, SignOff

    data = transfer_file(alice_client, decided)
    import_workshop(data, owner=alice)
    counts = (Decision.objects.count(), Action.objects.count(), SignOff.objects.count())
    again = import_workshop(copy.deepcopy(data), owner=alice)
    assert not again.created
    assert (Decision.objects.count(), Action.objects.count(), SignOff.objects.count()) == counts


def test_a_version_1_file_is_still_read(alice_client, alice, full):
    data = transfer_file(alice_client, full)
    data["schema_version"] = 1
    assert data["outcome"] is None
    result = import_workshop(data, owner=alice)
    assert result.created and figures(result.workshop) == figures(full)
    data = copy.deepcopy(data)
    data["outcome"] = {"decisions": []}
    data["export_id"] = "6f1c1e0a-0000-4000-8000-000000000001"
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    assert error.value.problems == ["outcome: must be null in a version 1 file."]


def test_a_bad_outcome_names_each_place_and_imports_nothing(alice_client, alice, decided):
    from workshops.outcome_models import Decision

    data = transfer_file(alice_client, decided)
    outcome = data["outcome"]
    outcome["decisions"][0]["state"] = "sort of"
    outcome["ownership"][0]["cmo"] = "R"  # nobody accountable now
    outcome["kpis"][0]["target"] = "a lot"
    outcome["kpis"][0]["review_on"] = "2027-01-01"  # after its deadline
    outcome["actions"][2]["owner_participant"] = 99
    outcome["sign_offs"][0]["reopened_at"] = None  # two standing
    before = (Workshop.objects.count(), Decision.objects.count())
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    problems = error.value.problems
    assert any(p.startswith("outcome.decisions[0].state: must be one of") for p in problems)
    assert "outcome.ownership[0]: must have exactly one party accountable (A or AR)." in problems
    assert "outcome.kpis[0].target: must be a number or null." in problems
    assert "outcome.kpis[0].review_on: must not be after the deadline." in problems
    assert any(p.startswith("outcome.actions[2].owner_participant: must be") for p in problems)
    assert any(
        p.startswith("outcome.sign_offs[2]: is a second sign-off standing") for p in problems
    )
    assert len(problems) == 6, problems
    assert (Workshop.objects.count(), Decision.objects.count()) == before


def test_the_json_export_with_an_outcome_stays_within_ten_queries(
    alice_client, decided, django_assert_max_num_queries
):
    alice_client.get(reverse("workshops:detail", args=[decided.pk]))
    with django_assert_max_num_queries(10):
        data = transfer_file(alice_client, decided)
    assert data["outcome"]["sign_offs"]


# Hostile files (issue 14's security review): each is refused with its place named, never a
# server error, and nothing is imported.


def test_impossible_dates_and_numbers_are_named_never_a_crash(alice_client, alice, decided):
    from workshops.outcome_models import SharedKpi

    data = transfer_file(alice_client, decided)
    data["export_id"] = "6f1c1e0a-0000-4000-8000-0000000000aa"
    data["workshop"]["answer_by"] = "2026-02-31"
    data["workshop"]["created_at"] = "2026-02-30T10:00:00+00:00"
    data["participants"][0]["created_at"] = "9999-12-31T23:00:00-05:00"
    data["participants"][1]["created_at"] = "0001-01-01T00:00:00+05:00"
    kpi = data["outcome"]["kpis"][0]
    kpi["target"] = 10**400
    kpi["current_value"] = float("inf")
    before = (Workshop.objects.count(), SharedKpi.objects.count())
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    problems = error.value.problems
    assert "workshop.answer_by: must be a date (YYYY-MM-DD)." in problems
    for place in ("workshop", "participants[0]", "participants[1]"):
        assert (
            f"{place}.created_at: must be a date and time with its time zone (ISO 8601)."
            in problems
        )
    assert "outcome.kpis[0].target: must be a number or null." in problems
    assert "outcome.kpis[0].current_value: must be a number or null." in problems
    assert len(problems) == 6, problems
    assert (Workshop.objects.count(), SharedKpi.objects.count()) == before


def test_participants_are_checked_as_the_participant_form_checks_them(alice_client, alice, full):
    data = transfer_file(alice_client, full)
    data["export_id"] = "6f1c1e0a-0000-4000-8000-0000000000bb"
    people = data["participants"]
    assert people[0]["removed_at"] is None and people[1]["removed_at"] is None
    people[0]["email"] = "Same@Example.com"
    people[1]["email"] = "same@example.com"
    people[2]["email"] = "not an address <script>"
    people[3]["name"] = "Dana\r\nBcc: everyone@example.com"
    removed = next(i for i, p in enumerate(people) if p["removed_at"] is not None)
    people[removed]["email"] = "same@example.com"  # a removed participant's does not count
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    problems = error.value.problems
    assert problems == [
        "participants[1].email: is the email of participants[0] too.",
        "participants[2].email: must be an email address.",
        "participants[3].name: must be one line (no line breaks or tabs).",
    ]
    assert Workshop.objects.count() == 1


def test_a_nul_character_is_named_where_it_is(alice_client, alice, decided):
    """PostgreSQL stores no NUL (U+0000) in a text: it is refused with its place, not a 500."""
    data = transfer_file(alice_client, decided)
    data["export_id"] = "6f1c1e0a-0000-4000-8000-0000000000cc"
    answers = data["participants"][1]["response"]["answers"]
    text = next(i for i, a in enumerate(answers) if a["question"] == "val-success")
    answers[text]["value"] = "fine\u0000then"
    data["outcome"]["decisions"][0]["note"] = "\u0000"
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    assert error.value.problems == [
        f"participants[1].response.answers[{text}].value: must not hold a NUL character.",
        "outcome.decisions[0].note: must not hold a NUL character.",
    ]


def test_don_t_know_is_refused_where_the_question_does_not_offer_it(alice_client, alice, full):
    from surveys.models import Question

    data = transfer_file(alice_client, full)
    data["export_id"] = "6f1c1e0a-0000-4000-8000-0000000000dd"
    answers = data["participants"][1]["response"]["answers"]
    closed = set(
        Question.objects.filter(
            section__questionnaire=full.questionnaire, allow_unknown=False
        ).values_list("code", flat=True)
    )
    place = next(i for i, a in enumerate(answers) if a["question"] in closed)
    answers[place].update(value=None, is_unknown=True)
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    assert error.value.problems == [
        f"participants[1].response.answers[{place}].is_unknown: the question does not offer "
        "“don't know”."
    ]


def test_only_a_questionnaire_the_owner_may_give_a_workshop_is_used(alice_client, alice, bob, full):
    """As the workshop form offers: a published version the owner may see. Not a draft (its
    questions may still change under the answers), nor someone else's private questionnaire."""
    from surveys.models import Questionnaire, QuestionnaireStatus

    data = transfer_file(alice_client, full)
    questionnaire = Questionnaire.objects.filter(pk=full.questionnaire_id)
    questionnaire.update(status=QuestionnaireStatus.DRAFT)
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    [problem] = error.value.problems
    assert problem.startswith("questionnaire: “joint-mobile-strategy” version 2 is not one")
    questionnaire.update(status=QuestionnaireStatus.PUBLISHED, owner=bob)  # bob's, not shared
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    assert error.value.problems == [problem]
    assert Workshop.objects.count() == 1
    assert import_workshop(data, owner=bob).created


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(staff, alice, monkeypatch):
    from workshops import transfer

    monkeypatch.setattr(transfer, "MAX_FILE_BYTES", 1024 * 1024)
    read = []
    monkeypatch.setattr(transfer, "read_file", lambda content: read.append(content) or {})
    response = client_for(staff).post(
        reverse("workshops:import"),
        {"file": SimpleUploadedFile("w.json", b" " * (1024 * 1024 + 1)), "owner": alice.pk},
    )
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.text
    assert read == [] and Workshop.objects.count() == 0


def test_a_coding_s_pair_is_read_in_either_order_and_only_once(alice_client, alice, full):
    """CIO vs CMO and CMO vs CIO are one pair (`coding.pair_key`): a pair written the other
    way round is the same coding (so the dashboard finds it), and given twice it is named."""
    data = transfer_file(alice_client, full)
    data["export_id"] = "6f1c1e0a-0000-4000-8000-0000000000ee"
    [coding] = data["codings"]
    assert coding["pair"] == "role:cio|role:cmo"
    data["codings"].append({**coding, "pair": "role:cmo|role:cio"})
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    assert error.value.problems == ["codings[1].pair: is coded twice for this question."]
    data["codings"] = [{**coding, "pair": "role:cmo|role:cio"}]
    imported = import_workshop(data, owner=alice).workshop
    assert TextCoding.objects.get(workshop=imported).pair == "role:cio|role:cmo"
    assert figures(imported, "role:cio", "role:cmo") == figures(full, "role:cio", "role:cmo")


def test_the_workshop_s_title_and_client_are_one_line_as_the_form_makes_them(
    alice_client, alice, full
):
    data = transfer_file(alice_client, full)
    data["export_id"] = "6f1c1e0a-0000-4000-8000-0000000000ff"
    data["workshop"]["title"] = "Mobile\nstrategy"
    data["workshop"]["organisation"] = "Acme\t Retail"
    with pytest.raises(TransferError) as error:
        import_workshop(data, owner=alice)
    assert error.value.problems == [
        "workshop.title: must be one line (no line breaks or tabs).",
        "workshop.organisation: must be one line (no line breaks or tabs).",
    ]
