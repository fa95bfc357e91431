"""Bad input of every sort, fuzzed and hand-picked: never a server error.

Fuzzing (hypothesis) posts random fields for every question kind to the autosave and section
endpoints; hand-picked values cover wrong types, megabyte inputs, NUL bytes and malformed bodies,
and the malformed bodies are also posted to every URL of the project. A NUL anywhere else in a
request (a field's name, the query string, a header, a cookie) is refused on every URL.

Run it on PostgreSQL too (`DATABASE_URL=postgres://...`, as CI does): PostgreSQL refuses NUL in
text where SQLite stores it, so a NUL that reaches a query is a 500 there only.
"""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.models import Question, QuestionKind, Response, ResponseStatus

from .. import figures
from ..conftest import client_for
from ..security.routes import Cast, routes_in

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
NASTY = [
    "",
    " ",
    "\x00",
    "3\x00",
    "²",
    "٣",
    "１",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "-0",
    "0x10",
    "1_000",
    "3.5",
    "-1",
    "100%",
    "%",
    ",",
    "9" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\ud7ff\ue000\U0010ffff",
    "x" * 100_000,
]


class Endpoints:
    """One question per kind, with the client of the executive answering it."""

    def __init__(self, workshop, invitation) -> None:
        self.client = Client()
        assert self.client.get(invitation.path).status_code == 302
        self.participant_pk = invitation.participant.pk
        self.by_kind: dict[str, tuple[Question, int]] = {}
        for position, section in enumerate(workshop.questionnaire.ordered_sections(), 1):
            for question in section.questions.all():
                self.by_kind.setdefault(question.kind, (question, position))

    def fields(self, question: Question) -> list[str]:
        names = [f"q{question.pk}", f"q{question.pk}-unknown", f"q{question.pk}-rev"]
        names += [f"q{question.pk}-{choice.value}" for choice in question.choices.all()]
        return [*names, "go", "csrfmiddlewaretoken", "q", f"q{question.pk + 1}"]

    def urls(self, kind: str) -> list[str]:
        question, position = self.by_kind[kind]
        return [
            reverse("workshops:respond_autosave", args=[self.participant_pk, question.pk]),
            reverse("workshops:respond_section", args=[self.participant_pk, position]),
        ]

    def post(self, url: str, data=None, **kwargs) -> int:
        figures.add(figures.BAD_INPUTS)
        try:
            status = self.client.post(url, data, **kwargs).status_code
        except Exception:
            figures.add(figures.SERVER_ERRORS)
            raise
        if status >= 500:
            figures.add(figures.SERVER_ERRORS)
        return status


@pytest.fixture
def endpoints(workshop, cio) -> Endpoints:
    return Endpoints(workshop, cio)


def _values(question: Question) -> st.SearchStrategy[str]:
    choices = [choice.value for choice in question.choices.all()] or ["x"]
    return st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=40),
        st.text(alphabet="\x00 0123456789.-,%eE", max_size=12),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(choices),
        st.sampled_from(NASTY),
        st.integers(min_value=1_000, max_value=20_000).map(lambda n: "7" * n),
    )


@pytest.mark.parametrize("kind", QuestionKind.values)
def test_fuzzed_answers_never_cause_a_server_error(endpoints: Endpoints, kind: str):
    question, _ = endpoints.by_kind[kind]
    urls = endpoints.urls(kind)
    form = st.dictionaries(
        st.sampled_from(endpoints.fields(question)),
        st.lists(_values(question), min_size=1, max_size=4),
        max_size=8,
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=bool(os.environ.get("CI")),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=form, endpoint=st.sampled_from(urls))
    def post(data: dict[str, list[str]], endpoint: str) -> None:
        assert endpoints.post(endpoint, data) < 500

    post()
    response = Response.objects.get(participant__pk=endpoints.participant_pk)
    assert response.status == ResponseStatus.DRAFT


@pytest.mark.parametrize("kind", QuestionKind.values)
def test_hand_picked_bad_values_never_cause_a_server_error(endpoints: Endpoints, kind: str):
    question, _ = endpoints.by_kind[kind]
    main, unknown, rev, *others = endpoints.fields(question)
    megabyte = "é" * 500_000  # 1 MB as UTF-8
    for url in endpoints.urls(kind):
        for value in [*NASTY, megabyte, ["1", "2", "2"], [""] * 50]:
            assert endpoints.post(url, {main: value}) < 500, (url, main, value[:20])
        for field in [unknown, others[0]]:
            for value in ["\x00", "²", "1e309", "x" * 10_000, ["1", "1"]]:
                assert endpoints.post(url, {field: value}) < 500, (url, field, value[:20])
        for revision in ["²", "9" * 5000, "-1", "1.0", "0", "4294967296", "٣"]:
            assert endpoints.post(url, {main: "1", rev: revision}) < 500, (url, revision)


MALFORMED_BODIES: list[tuple[str, bytes]] = [
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=q1\r\n\r\n1\r\n--x--"),
    ("multipart/form-data; boundary=x", b"--x\r\nno headers here\r\n\r\n1\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name="),
    ("multipart/form-data; boundary=x", b"\x00" * 1000),
    (
        "multipart/form-data; boundary=x",
        b'--x\r\nContent-Disposition: form-data; name="q1"; filename="a.exe"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\nMZ\x00\x00\r\n--x--\r\n",
    ),
    ("multipart/form-data; boundary=" + "b" * 5000, b"--"),
    ("application/x-www-form-urlencoded", b"q1=%zz&&=&%%%=1&q1&=&go=%E0%A4%A"),
    ("application/x-www-form-urlencoded", b"q1=\xff\xfe\xfd&go=\xc3\x28"),
    ("application/x-www-form-urlencoded", b"q=a%00b&%00=1&q1-%00x=v&go=next"),
    ("application/x-www-form-urlencoded; charset=latin-1", b"q1=caf\xe9"),
    (
        "multipart/form-data; boundary=x",
        b'--x\r\nContent-Disposition: form-data; name="q\x001"\r\n\r\n1\r\n--x--\r\n',
    ),
    ("application/x-www-form-urlencoded", b"&".join(b"f%d=1" % n for n in range(2000))),
    ("application/x-www-form-urlencoded", b"q1=" + b"9" * 3_000_000),
    ("application/x-www-form-urlencoded; charset=utf-42", b"q1=1"),
    ("application/json", b'{"q1": [1, 2, {"x": null}'),
    ("application/json", b'{"q1": "3"}'),
    ("text/plain", b"q1=3"),
    ("", b"q1=3"),
]


def _post_malformed(client: Client, url: str) -> list[tuple[str, int]]:
    statuses = []
    for content_type, body in MALFORMED_BODIES:
        figures.add(figures.BAD_INPUTS)
        status = client.generic("POST", url, body, content_type=content_type).status_code
        if status >= 500:
            figures.add(figures.SERVER_ERRORS)
        statuses.append((content_type[:40], status))
    return statuses


def test_malformed_bodies_never_cause_a_server_error(endpoints: Endpoints):
    for kind in QuestionKind.values:
        for url in endpoints.urls(kind):
            errors = [(ct, s) for ct, s in _post_malformed(endpoints.client, url) if s >= 500]
            assert not errors, (url, errors)


def test_malformed_bodies_to_every_url_never_cause_a_server_error(alice, workshop, cio, cmo):
    from ..factories import question as question_by_code

    cast = Cast(
        workshop_pk=workshop.pk,
        participant_pk=cio.participant.pk,
        question_pk=question_by_code("obj-channels", workshop.questionnaire).pk,
        token=cio.token,
    )
    executive = Client()
    executive.get(cio.path)
    clients = {"facilitator": client_for(alice), "participant": executive, "public": Client()}
    errors = []
    for area, client in clients.items():
        # Deleting, removing and logging out go last, so everything else is tried first.
        routes = sorted(
            routes_in(area),
            key=lambda r: any(w in r.name for w in ("delete", "remove", "logout", "revoke")),
        )
        for route in routes:
            url = route.url(cast)
            errors += [(route.name, ct, s) for ct, s in _post_malformed(client, url) if s >= 500]
    assert not errors, errors


NUL_QUERIES = ["q=a%00b", "%00=1", "a=role:cio%00&b=role:cmo", "section=%00", "page=1%00"]


def _every_area(alice, cio) -> dict[str, Client]:
    executive = Client()
    executive.get(cio.path)
    return {"facilitator": client_for(alice), "participant": executive, "public": Client()}


def _refused(response, what: str) -> None:
    """A NUL is refused with the project's 400 page, saying what was wrong."""
    figures.add(figures.BAD_INPUTS)
    if response.status_code >= 500:
        figures.add(figures.SERVER_ERRORS)
    assert response.status_code == 400, f"{what}: {response.status_code}"
    assert "NUL character" in response.text, what


def test_a_nul_in_the_query_string_is_refused_on_every_url(alice, workshop, cio):
    cast = Cast(
        workshop_pk=workshop.pk,
        participant_pk=cio.participant.pk,
        question_pk=workshop.questionnaire.ordered_sections()[0].questions.all()[0].pk,
        token=cio.token,
    )
    for area, client in _every_area(alice, cio).items():
        client.raise_request_exception = False
        for route in routes_in(area):
            for query in NUL_QUERIES:
                url = f"{route.url(cast)}?{query}"
                _refused(client.get(url), f"GET {url}")


def test_a_nul_in_a_header_or_a_cookie_is_refused(alice, cio):
    for header in ("HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR", "HTTP_ACCEPT_LANGUAGE"):
        login = Client(raise_request_exception=False)
        posted = {"username": "alice", "password": "wrong"}
        _refused(login.post(reverse("login"), posted, **{header: "a\x00b"}), header)
    # A NUL in the header itself, and one that the cookie's own quoting spells "\\000".
    for cookie in ["sessionid=abcdefgh\x00ijklmnop", 'csrftoken="a\\000b"']:
        client = client_for(alice)
        client.raise_request_exception = False
        _refused(client.get(reverse("workshops:home"), HTTP_COOKIE=cookie), cookie)


def test_a_nul_in_a_field_name_is_refused_on_the_answering_pages(endpoints: Endpoints):
    """Names are never typed, only sent: the whole post is refused, nothing is stored."""
    for kind in QuestionKind.values:
        question, _ = endpoints.by_kind[kind]
        main, *_ = endpoints.fields(question)
        for url in endpoints.urls(kind):
            for name in [f"{main}-\x00x", f"{main}\x00", "\x00"]:
                response = endpoints.client.post(url, {main: "1", name: "v"})
                _refused(response, f"{url} {name!r}")
    assert not Response.objects.get(participant__pk=endpoints.participant_pk).answers.exists()


def test_a_nul_in_an_answer_is_refused_next_to_it_and_the_rest_of_the_page_is_saved(
    endpoints: Endpoints,
):
    """A value is what a person typed (or pasted): the question says what was wrong and keeps
    what was entered as a draft, and every other answer on the page is saved."""
    text, position = endpoints.by_kind[QuestionKind.TEXT]
    scale = next(q for q in text.section.questions.all() if q.kind == QuestionKind.SCALE)
    url = reverse("workshops:respond_section", args=[endpoints.participant_pk, position])
    response = endpoints.client.post(url, {f"q{scale.pk}": "3", f"q{text.pk}": "1\x002"})
    figures.add(figures.BAD_INPUTS)
    assert response.status_code == 422
    assert "cannot be stored (NUL)" in response.text
    answers = Response.objects.get(participant__pk=endpoints.participant_pk).answers
    assert answers.get(question=scale).value == 3
    assert answers.get(question=text).draft == {f"q{text.pk}": ["12"]}


def test_a_draft_holds_only_the_questions_own_inputs_and_says_when_it_was_cut(
    endpoints: Endpoints,
):
    """One autosave stored a 2.36 MB draft through many made-up field names: a draft keeps the
    question's own inputs, bounded in size, and the executive is told when it had to cut."""
    from surveys.answering import DRAFT_MAX_SIZE

    question, _ = endpoints.by_kind[QuestionKind.ALLOCATION]
    name = f"q{question.pk}"
    first, *others = [f"{name}-{choice.value}" for choice in question.choices.all()]
    made_up = {f"{name}-made-up-{n}": "x" * 3000 for n in range(800)}  # 2.4 MB
    answers = Response.objects.get(participant__pk=endpoints.participant_pk).answers
    for url in endpoints.urls(QuestionKind.ALLOCATION):
        oversized = {first: "4" * 60_000, **dict.fromkeys(others, "9" * 4000)}
        response = endpoints.client.post(url, {**made_up, **oversized})
        figures.add(figures.BAD_INPUTS)
        assert response.status_code in (200, 422), url
        assert "too long to keep in full" in response.text, url
        draft = answers.get(question=question).draft
        assert set(draft) <= {first, *others}, url
        assert sum(len(v) for values in draft.values() for v in values) <= DRAFT_MAX_SIZE
        answers.all().delete()
