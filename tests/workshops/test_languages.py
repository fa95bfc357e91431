"""English and German: every page type rendered in German shows no English string of the
catalogue, an English page no German one, and each person gets their own language (a
facilitator's setting, the workshop's language, an executive's switcher, emails)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from surveys import builder
from surveys.models import Question, QuestionKind
from workshops.coding import code_text_pair
from workshops.models import FacilitatorProfile, Participant, Role, Workshop
from workshops.services import (
    add_participant,
    regenerate_link,
    reveal_results,
    revoke_link,
    send_invitation,
)

from .. import catalogue
from ..conftest import client_for
from ..factories import give_answers, invite, make_facilitator, make_workshop, sent_mail
from .test_respond import complete_answers

pytestmark = pytest.mark.django_db


def test_the_german_catalogue_is_complete():
    """Every message has its German, none is fuzzy, and the catalogue is not empty."""
    entries = catalogue.entries()
    assert len(entries) > 500
    untranslated = [entry.msgid for entry in entries if not entry.translated]
    assert untranslated == []


def _questionnaire_texts() -> list[str]:
    """Every text of the questionnaire files: shown as written, in whichever language."""
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (Path(settings.BASE_DIR) / "surveys" / "questionnaires").glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return texts


def _opposite_answers(questionnaire) -> dict:
    """Answers unlike `complete_answers`, so that the comparison has something to show."""
    answers = {}
    for section in questionnaire.ordered_sections():
        for q in section.questions.all():
            values = [c.value for c in q.choices.all()]
            answers[q.code] = {
                "scale": lambda q=q, v=values: q.scale_max,
                "single": lambda q=q, v=values: v[-1],
                "multi": lambda q=q, v=values: [v[-1]],
                "ranking": lambda q=q, v=values: list(reversed(v))[: q.rank_limit or None],
                "numeric": lambda q=q, v=values: q.max_value if q.max_value is not None else 50,
                "allocation": lambda q=q, v=values: {v[-1]: 100},
                "text": lambda q=q, v=values: "Quite different",
            }[q.kind]()
    return answers


def _room(questionnaire, language: str) -> dict:
    """A workshop in `language` run by a facilitator who speaks it: a submitted CIO, a CMO
    with a draft, a removed participant, a coded free-text pair, results revealed."""
    greta = make_facilitator("greta", first_name="Greta", last_name="Schulz")
    FacilitatorProfile.choose(greta, language)
    workshop = make_workshop(greta, title="Mobile Strategie 2027", organisation="Beispiel AG")
    Workshop.objects.filter(pk=workshop.pk).update(language=language)
    workshop.refresh_from_db()
    cio = invite(workshop, "Dana Whitfield", Role.CIO)
    cmo = invite(workshop, "Marco Rossi", Role.CMO)
    gone = invite(workshop, "Paul Weg", Role.CFO)
    give_answers(cio, complete_answers(questionnaire), submitted=True)
    give_answers(cmo, _opposite_answers(questionnaire))
    from workshops.services import remove_participant

    remove_participant(Participant.objects.get(pk=gone.participant.pk), actor=greta)
    text = Question.objects.filter(
        section__questionnaire=questionnaire, kind=QuestionKind.TEXT
    ).first()
    code_text_pair(
        workshop=workshop, question=text, a="role:cio", b="role:cmo", verdict="partly", actor=greta
    )
    reveal_results(workshop, actor=greta, visible_to_participants=True, anonymous=False)
    return {"facilitator": greta, "workshop": workshop, "cio": cio, "cmo": cmo, "text": text}


@pytest.fixture
def german_room(questionnaire) -> dict:
    return _room(questionnaire, "de")


@pytest.fixture
def english_room(questionnaire) -> dict:
    return _room(questionnaire, "en")


def _typed(room) -> list[str]:
    workshop = room["workshop"]
    return [
        *_questionnaire_texts(),
        workshop.title,
        workshop.organisation.name,
        "Dana Whitfield",
        "Marco Rossi",
        "Paul Weg",
        "Greta Schulz",
        "Greta",
        "greta",
        "Quite different",
        str(workshop.questionnaire),
        workshop.questionnaire.title,
        workshop.questionnaire.description,
        "Common Ground",
    ]


def _assert_german(name: str, page: str, room) -> None:
    words = catalogue.words_of(page, typed=_typed(room))
    english = catalogue.english_in(words)
    assert english == [], f"{name}: English left in the German page: {english}"


def _facilitator_pages(room) -> dict[str, str]:
    workshop = room["workshop"]
    pk = workshop.pk
    cio = room["cio"].participant
    client = client_for(room["facilitator"])
    pages = {
        "home": reverse("workshops:home"),
        "workshop form": reverse("workshops:create"),
        "edit form": reverse("workshops:edit", args=[pk]),
        "workshop page": reverse("workshops:detail", args=[pk]),
        "row actions": reverse("workshops:detail", args=[pk]) + f"?participant={cio.pk}",
        "close confirmation": reverse("workshops:detail", args=[pk]) + "?confirm=closed",
        "board": reverse("workshops:board", args=[pk]),
        "participant form": reverse("workshops:participant_add", args=[pk]),
        "participant edit": reverse("workshops:participant_edit", args=[pk, cio.pk]),
        "remove confirmation": reverse("workshops:participant_remove", args=[pk, cio.pk]),
        "delete confirmation": reverse("workshops:delete", args=[pk]),
        "audit trail": reverse("workshops:audit", args=[pk]),
        "dashboard": reverse("workshops:dashboard", args=[pk]),
        "comparison": reverse("workshops:comparison", args=[pk]),
        "agenda": reverse("workshops:agenda", args=[pk]) + "?all=1",
        "password change": reverse("password_change"),
        "run-sheet": reverse("workshops:run_sheet", args=[pk]),
        "outcome": reverse("workshops:outcome", args=[pk]),
        "outcome to read": reverse("workshops:outcome", args=[pk]) + "?view=read",
        "report": reverse("workshops:report", args=[pk]),
        "run again": reverse("workshops:run_again", args=[pk]),
        "client page": reverse("workshops:client", args=[workshop.organisation_id]),
        **_builder_pages(room),
    }
    shown = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        shown[name] = response.content.decode()
    # A participant added without email: the page that shows their link once.
    added = client.post(
        reverse("workshops:participant_add", args=[pk]),
        {"name": "Lena Neu", "email": "", "role": "cto", "side": "", "submission": "k1"},
        follow=True,
    )
    shown["link shown once"] = added.content.decode()
    # A form with errors, and the messages of a few actions.
    refused = client.post(reverse("workshops:participant_add", args=[pk]), {"name": ""})
    shown["form with errors"] = refused.content.decode()
    reminded = client.post(reverse("workshops:remind", args=[pk]), follow=True)
    shown["after reminding"] = reminded.content.decode()
    return shown


def _builder_pages(room) -> dict[str, str]:
    """The questionnaire builder's pages, on the facilitator's copy of the questionnaire."""
    source = room["workshop"].questionnaire
    draft = builder.copy_questionnaire(source, actor=room["facilitator"], title=source.title)
    section = draft.sections.order_by("position").first()
    single = Question.objects.filter(section__questionnaire=draft, kind="single").first()
    numeric = Question.objects.filter(section__questionnaire=draft, kind="numeric").first()
    return {
        "questionnaires": reverse("surveys:list"),
        "builder": reverse("surveys:editor", args=[draft.pk]),
        "built-in questionnaire": reverse("surveys:editor", args=[source.pk]),
        "questionnaire changes": reverse("surveys:changes", args=[draft.pk]),
        "section form": reverse("surveys:section_edit", args=[draft.pk, section.pk]),
        "new question": reverse("surveys:question_add", args=[draft.pk, section.pk]),
        "single choice form": reverse("surveys:question_edit", args=[draft.pk, single.pk]),
        "numeric form": reverse("surveys:question_edit", args=[draft.pk, numeric.pk]),
    }


def test_every_facilitator_page_is_german_for_a_german_facilitator(german_room):
    room = german_room
    room["typed_extra"] = ["Lena Neu"]
    for name, page in _facilitator_pages(room).items():
        assert name == "board" or 'lang="de"' in page, name  # the board is a fragment
        _assert_german(name, page.replace("Lena Neu", ""), room)


def test_every_executive_page_is_german_in_a_german_workshop(german_room, client):
    room = german_room
    workshop = room["workshop"]
    cmo = room["cmo"]
    browser = Client()
    assert browser.get(cmo.path).status_code == 302
    participant = cmo.participant
    pages = {"welcome": reverse("workshops:respond", args=[participant.pk])}
    for position in range(1, workshop.questionnaire.sections.count() + 1):
        pages[f"section {position}"] = reverse(
            "workshops:respond_section", args=[participant.pk, position]
        )
    pages["review"] = reverse("workshops:respond_review", args=[participant.pk])
    for name, url in pages.items():
        response = browser.get(url)
        assert response.status_code == 200, name
        assert 'lang="de"' in response.content.decode(), name
        _assert_german(name, response.content.decode(), room)
    # A refused answer and a draft, as the autosave and the page say them.
    numeric = Question.objects.filter(
        section__questionnaire=workshop.questionnaire, kind=QuestionKind.NUMERIC
    ).first()
    section = list(workshop.questionnaire.ordered_sections()).index(numeric.section) + 1
    refused = browser.post(
        reverse("workshops:respond_section", args=[participant.pk, section]),
        {f"q{numeric.pk}": "viel", "go": "next"},
    )
    _assert_german("section with a refused answer", refused.content.decode(), room)
    submitted = Client()
    submitted.get(room["cio"].path)
    results = submitted.get(reverse("workshops:respond_results", args=[room["cio"].participant.pk]))
    assert results.status_code == 200
    _assert_german("results", results.content.decode(), room)
    agreed = submitted.get(reverse("workshops:respond_agreed", args=[room["cio"].participant.pk]))
    assert agreed.status_code == 200
    _assert_german("what we agreed", agreed.content.decode(), room)
    not_yet = browser.get(reverse("workshops:respond_results", args=[participant.pk]))
    assert not_yet.status_code == 404
    _assert_german("results before submitting", not_yet.content.decode(), room)
    missing = browser.get(reverse("workshops:respond_section", args=[participant.pk, 99]))
    _assert_german("a section that does not exist", missing.content.decode(), room)


def test_the_check_finds_english_where_there_is_some(english_room):
    """The check can fail: an English page is full of the catalogue's English, and a German
    one of its German."""
    client = client_for(english_room["facilitator"])
    page = client.get(reverse("workshops:detail", args=[english_room["workshop"].pk]))
    words = catalogue.words_of(page.content.decode(), typed=_typed(english_room))
    assert {"Add a participant", "Audit trail", "Consensus dashboard"} <= set(
        catalogue.english_in(words)
    )
    with translation.override("de"):
        german = client_for(english_room["facilitator"])
        FacilitatorProfile.choose(english_room["facilitator"], "de")
        german.force_login(english_room["facilitator"])
        page = german.get(reverse("workshops:detail", args=[english_room["workshop"].pk]))
    assert "Teilnehmende Person hinzufügen" in catalogue.german_in(
        catalogue.words_of(page.content.decode())
    )


def test_the_link_pages_speak_the_workshop_language(german_room):
    room = german_room
    workshop = room["workshop"]
    greta = room["facilitator"]
    cio = Participant.objects.get(pk=room["cio"].participant.pk)
    old_path = room["cio"].path
    regenerate_link(cio, actor=greta)
    replaced = Client().get(old_path)
    assert replaced.status_code == 410
    _assert_german("replaced link", replaced.content.decode(), room)
    cmo = Participant.objects.get(pk=room["cmo"].participant.pk)
    revoke_link(cmo, actor=greta)
    revoked = Client().get(room["cmo"].path)
    assert revoked.status_code == 410
    _assert_german("withdrawn link", revoked.content.decode(), room)
    newcomer = invite(workshop, "Nina Spät", Role.CDO)
    Workshop.objects.filter(pk=workshop.pk).update(status="closed")
    closed = Client().get(newcomer.path)
    assert closed.status_code == 410
    _assert_german("workshop closed", closed.content.decode().replace("Nina Spät", ""), room)


def test_pages_that_know_nobody_follow_the_browser(german_room):
    german = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    pages = {
        "landing": german.get("/"),
        "login": german.get(reverse("login")),
        "password reset": german.get(reverse("password_reset")),
        "invalid link": german.get("/p/not-a-link-of-anyone/"),
        "404": german.get("/no-such-page/"),
        "405": german.get(reverse("workshops:respond_submit", args=[1])),
        "expired session": german.get(reverse("workshops:respond", args=[1])),
    }
    for name, response in pages.items():
        assert response["Content-Language"] == "de", name
        _assert_german(name, response.content.decode(), german_room)


def test_error_pages_in_german(german_room, rf):
    from django.core.exceptions import PermissionDenied

    from workshops import views

    with translation.override("de"):
        request = rf.get("/")
        request.user = german_room["facilitator"]
        pages = {
            "400": views.bad_request(request),
            "403": views.permission_denied(request, PermissionDenied()),
            "500": views.server_error(request),
        }
        from django.template.loader import render_to_string

        pages_text = {name: response.content.decode() for name, response in pages.items()}
        pages_text["503"] = render_to_string("503.html")
        pages_text["403 csrf"] = render_to_string("403_csrf.html", request=request)
    for name, page in pages_text.items():
        assert 'lang="de"' in page, name
        _assert_german(name, page, german_room)


def test_an_english_page_shows_no_german(english_room):
    """The same room in English: the facilitator's and the executives' pages, English only."""
    room = english_room
    pages = _facilitator_pages(room)
    executive = Client()
    executive.get(room["cmo"].path)
    participant = room["cmo"].participant.pk
    for name, url in (
        ("welcome", reverse("workshops:respond", args=[participant])),
        ("section", reverse("workshops:respond_section", args=[participant, 1])),
        ("review", reverse("workshops:respond_review", args=[participant])),
    ):
        pages[name] = executive.get(url).content.decode()
    for name, page in pages.items():
        assert name == "board" or 'lang="en"' in page, name
        words = catalogue.words_of(page.replace("Lena Neu", ""), typed=_typed(room))
        assert catalogue.german_in(words) == [], (name, catalogue.german_in(words))


def test_invitations_and_reminders_go_out_in_the_executives_language(german_room):
    room = german_room
    workshop = room["workshop"]
    greta = room["facilitator"]
    german = add_participant(
        workshop=workshop, name="Jonas Berg", role=Role.CTO, email="jonas@example.com"
    )
    english = add_participant(
        workshop=workshop, name="Emma Hart", role=Role.CDO, email="emma@example.com"
    )
    Participant.objects.filter(pk=english.participant.pk).update(language="en")
    english.participant.refresh_from_db()
    mail.outbox.clear()
    with translation.override("en"):  # whatever language the facilitator's request speaks
        send_invitation(german, actor=greta)
        send_invitation(english, actor=greta)
        invitation_de, invitation_en = sorted(
            sent_mail(), key=lambda m: m.to[0] != "jonas@example.com"
        )
        mail.outbox.clear()
        send_invitation(
            regenerate_link(german.participant, actor=greta), actor=greta, reminder=True
        )
        (reminder_de,) = sent_mail()
    assert "Erinnerung" in reminder_de.subject
    typed = [*_typed(room), "Jonas Berg", "Emma Hart", "Greta Schulz"]
    for name, message in (("invitation", invitation_de), ("reminder", reminder_de)):
        text = catalogue.words_of(message.subject + "\n" + message.body, typed=typed)
        assert catalogue.english_in(text) == [], (name, catalogue.english_in(text))
    assert "lädt Sie" in invitation_de.body and invitation_de.subject.startswith("Greta")
    assert "invites you" in invitation_en.body
    assert catalogue.german_in(catalogue.words_of(invitation_en.body, typed=typed)) == []


def test_the_password_reset_email_is_in_the_facilitators_language(german_room):
    mail.outbox.clear()
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    english_browser.post(reverse("password_reset"), {"email": "greta@example.com"})
    (message,) = mail.outbox
    assert "Passwort" in message.subject
    text = catalogue.words_of(message.subject + "\n" + message.body, typed=_typed(german_room))
    assert catalogue.english_in(text) == []


def test_a_facilitator_chooses_their_language(alice, alice_client):
    switched = alice_client.post(
        reverse("language"), {"language": "de", "next": reverse("workshops:home")}
    )
    assert switched.status_code == 302 and switched["Location"] == reverse("workshops:home")
    assert FacilitatorProfile.objects.get(user=alice).language == "de"
    assert 'lang="de"' in alice_client.get(reverse("workshops:home")).content.decode()
    # Logging in again elsewhere keeps it, whatever that browser asks for.
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en")
    elsewhere.force_login(alice)
    assert "Ihre Workshops" in elsewhere.get(reverse("workshops:home")).content.decode()
    # A new workshop starts in the facilitator's language.
    form = alice_client.get(reverse("workshops:create")).content.decode()
    assert '<option value="de" selected>' in form


def test_the_switcher_refuses_other_sites_and_unknown_languages(alice_client):
    away = alice_client.post(
        reverse("language"), {"language": "de", "next": "https://evil.example/"}
    )
    assert away["Location"] == reverse("workshops:home")
    unknown = alice_client.post(reverse("language"), {"language": "xx"})
    assert unknown.status_code == 302
    assert not FacilitatorProfile.objects.filter(language="xx").exists()


def test_an_anonymous_visitor_switches_with_a_cookie(client):
    response = client.post(reverse("language"), {"language": "de", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert "Anmeldung für die Moderation" in client.get("/").content.decode()


def test_an_executive_switches_and_keeps_their_choice(workshop, cio, cio_client):
    Workshop.objects.filter(pk=workshop.pk).update(language="de")
    welcome = reverse("workshops:respond", args=[cio.participant.pk])
    assert 'lang="de"' in cio_client.get(welcome).content.decode()
    section = reverse("workshops:respond_section", args=[cio.participant.pk, 2])
    switched = cio_client.post(
        reverse("workshops:respond_language", args=[cio.participant.pk]),
        {"language": "en", "next": section},
    )
    assert switched["Location"] == section
    assert Participant.objects.get(pk=cio.participant.pk).language == "en"
    assert 'lang="en"' in cio_client.get(section).content.decode()
    # Another device, and the emails sent from now on, follow the choice.
    other_device = Client()
    other_device.get(regenerate_link(cio.participant, actor=None).path)
    assert 'lang="en"' in other_device.get(welcome).content.decode()
    # A page elsewhere is refused as a destination: back to their own pages.
    away = cio_client.post(
        reverse("workshops:respond_language", args=[cio.participant.pk]),
        {"language": "de", "next": "/workshops/"},
    )
    assert away["Location"] == welcome


def test_the_workshop_form_offers_the_language(alice_client, alice, questionnaire):
    created = alice_client.post(
        reverse("workshops:create"),
        {
            "title": "Sprachtest",
            "new_client": "Beispiel GmbH",
            "questionnaire": questionnaire.pk,
            "language": "de",
        },
    )
    assert created.status_code == 302
    assert Workshop.objects.get(title="Sprachtest").language == "de"


def _every_audit_action(room) -> list:
    """Every action of the audit trail, done on the room's workshop (the services write them
    as the app does); the few that cannot stay in a workshop's own trail (its deletion, an
    email that failed for good) are recorded with the facts their code records. Returns the
    workshops whose trails hold them."""
    from datetime import date

    from workshops import services
    from workshops.followup import run_again
    from workshops.outcome import (
        remove_action,
        remove_kpi,
        reopen_outcome,
        save_run_sheet,
    )
    from workshops.outcome_models import Action, SharedKpi
    from workshops.runsheet import BlockChoice
    from workshops.transfer import export_parts, import_workshop

    from .populate import record_outcome

    workshop = room["workshop"]
    greta = room["facilitator"]
    cio = Participant.objects.get(pk=room["cio"].participant.pk)
    cmo = Participant.objects.get(pk=room["cmo"].participant.pk)
    services.update_workshop(
        workshop,
        actor=greta,
        title=workshop.title,
        organisation=workshop.organisation,
        questionnaire=workshop.questionnaire,
        scheduled_at=None,
        answer_by=date(2027, 1, 15),
    )
    services.edit_participant(
        cmo, actor=greta, name="Marco Rossi", email="marco@example.com", role="cmo", side="business"
    )
    cmo.refresh_from_db()
    services.send_invitation(services.regenerate_link(cmo, actor=greta), actor=greta)
    services.send_invitation(
        services.regenerate_link(cmo, actor=greta, end_sessions=True), actor=greta, reminder=True
    )
    services.revoke_link(cmo, actor=greta)
    services.change_status(workshop, "in_session", actor=greta)
    gone = Participant.objects.get(workshop=workshop, name="Paul Weg")
    services.restore_participant(gone, actor=greta)
    services.reopen_answers(cio, actor=greta)
    services.hide_results(workshop, actor=greta)
    services.reveal_results(workshop, actor=greta, visible_to_participants=False, anonymous=True)
    services.reveal_results(workshop, actor=greta, visible_to_participants=True, anonymous=True)
    record_outcome(workshop, greta)
    reopen_outcome(workshop=workshop, reason="Budget changed", actor=greta)
    kpi = SharedKpi.objects.get(workshop=workshop)
    remove_kpi(workshop=workshop, kpi=kpi, base_revision=kpi.revision, actor=greta)
    action = Action.objects.filter(workshop=workshop).first()
    remove_action(workshop=workshop, action=action, base_revision=action.revision, actor=greta)
    save_run_sheet(
        workshop=workshop,
        minutes=90,
        blocks=[BlockChoice("opening", "opening", None, "", True)],
        base_revision=None,
        actor=greta,
        change={"change": "drop", "block": "opening"},
    )
    save_run_sheet(
        workshop=workshop,
        minutes=120,
        blocks=[BlockChoice("opening", "opening", None, "", True)],
        base_revision=1,
        actor=greta,
        change={"change": "length", "block": ""},
    )
    client = client_for(greta)
    for name in ("export_csv", "export_xlsx", "export_json"):
        assert client.get(reverse(f"workshops:{name}", args=[workshop.pk])).status_code == 200
    for table in ("decisions", "kpis", "actions"):
        response = client.get(reverse(f"workshops:export_{table}_csv", args=[workshop.pk]))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    services.record(workshop, greta, "export", format="pdf", paper="letter")
    services.record(workshop, None, "export", format="pdf", paper="a4", name="Dana Whitfield")
    services.record(workshop, greta, "retry_email", name="Marco Rossi")
    services.record(workshop, None, "email_failed", name="Marco Rossi", cause="unreachable")
    services.record(workshop, greta, "delete", title=workshop.title)
    data = json.loads("".join(export_parts(workshop)))
    imported = import_workshop(data, owner=greta).workshop
    follow_up = run_again(
        workshop, actor=greta, title="Mobile Strategie 2028", questionnaire=workshop.questionnaire
    )
    return [workshop, imported, follow_up]


def test_a_german_reader_reads_an_english_workshop_s_audit_trail_in_german(english_room):
    from workshops.audit import DESCRIBE
    from workshops.models import AUDIT_ACTION_LABELS, AuditEvent

    room = english_room
    trails = _every_audit_action(room)
    recorded = set(AuditEvent.objects.filter(workshop__in=trails).values_list("action", flat=True))
    assert recorded == set(DESCRIBE) == set(AUDIT_ACTION_LABELS)
    assert not AuditEvent.objects.exclude(legacy_detail="").exists()  # all of it as data
    greta = room["facilitator"]
    typed = [
        "Mobile Strategie 2028",
        "Ruth Board, CEO",
        "Draft the app brief",
        "Sam Lee",
        "Kim Poe",
        "Checkout conversion",
        "Mobile apps",
        "Budget changed",
        '=HYPERLINK("http://evil")',
    ]
    english = client_for(greta)
    shown_in_english = english.get(
        reverse("workshops:audit", args=[trails[0].pk]) + "?page=1"
    ).content.decode()
    assert "added as CFO" in shown_in_english  # the check below can fail
    FacilitatorProfile.choose(greta, "de")
    german = client_for(greta)
    for workshop in trails:
        url = reverse("workshops:audit", args=[workshop.pk])
        first = german.get(url)
        pages = [first.content.decode()]
        for number in range(2, first.context["page"].paginator.num_pages + 1):
            pages.append(german.get(url, {"page": number}).content.decode())
        for number, page in enumerate(pages, start=1):
            assert 'lang="de"' in page
            for text in typed:
                page = page.replace(text, "")
            _assert_german(f"audit trail of {workshop.title}, page {number}", page, room)
    with translation.override("de"):
        events = AuditEvent.objects.filter(workshop__in=trails)
        details = " ".join(event.detail for event in events)
    assert "Paul Weg als CFO hinzugefügt" in details, details
    assert "Marco Rossi: Der Mailserver war nicht erreichbar." in details


def _benchmarks() -> list[dict]:
    found = []
    for path in (Path(settings.BASE_DIR) / "surveys" / "questionnaires").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for section in data["sections"]:
            found += [q["benchmark"] for q in section["questions"] if q.get("benchmark")]
    assert found
    return found


def test_every_word_of_a_published_figure_has_its_german():
    """Group labels, qualifiers, answer buckets, source, date and population of every published
    figure in the questionnaire files are said in German on a German page."""
    from workshops.dashboard.references import PUBLISHED_WORDS, Figure, published_words

    same_in_german = {"CIOs", "CMOs"}
    words = set()
    for benchmark in _benchmarks():
        german = benchmark.get("de")
        if german:  # the file translates this figure itself (v3): every text, every group
            for key in ("bucket", "source", "date", "population"):
                assert german.get(key) or not benchmark.get(key), (key, benchmark["source"])
            for key in ("figures", "extra_figures"):
                assert len(german.get(key, [])) == len(benchmark.get(key, [])), key
                assert all(f.get("group_label") for f in german.get(key, [])), key
            continue
        words |= {benchmark["bucket"], benchmark["source"], benchmark["date"]}
        words.add(benchmark["population"])
        for figure in [*benchmark["figures"], *benchmark.get("extra_figures", [])]:
            words.add(figure["group_label"])
            words |= {figure[key] for key in ("qualifier", "bucket") if figure.get(key)}
    missing = sorted(words - set(PUBLISHED_WORDS))
    assert missing == [], f"published words without German: {missing}"
    with translation.override("de"):
        for word in words - same_in_german:
            assert published_words(word) != word, word
        organisations = Figure("organisations", "Organisations", 44.0)
        others = Figure("other_c_level", "Other C-level executives", 30.0)
        cmos = Figure("cmo", "CMOs", 50.0, qualifier="over")
        assert organisations.text == "44 % der Organisationen"
        assert others.text == "30 % der anderen C-Level-Führungskräfte"
        assert cmos.text == "über 50 % der CMOs" and cmos.short == "CMOs über 50 %"
    with translation.override("en"):
        assert organisations.text == "44 % of organisations"


def test_german_messages_quote_the_german_way():
    """„…“ in German, never the English “…” (nor ”)."""
    wrong = []
    for entry in catalogue.entries():
        for german in entry.msgstrs:
            opened = False
            for char in german:
                if char == "„":
                    opened = True
                elif char == "“" and opened:
                    opened = False
                elif char in "“”":
                    wrong.append(german)
                    break
    assert wrong == []
