"""Every form on every page, found by reading the pages: bad values in each field, never a 5xx.

New forms are covered as soon as a page shows them: the pages come from the URLconf (as in the
security suite) and the fields from the HTML, so nothing here lists field names by hand.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client

from surveys import builder
from surveys.models import Choice, Question

from .. import figures
from ..conftest import client_for
from ..factories import question
from ..security.routes import Cast, routes_in

pytestmark = pytest.mark.django_db

BAD_VALUES: list[str | list[str]] = ["\x00", "9" * 5000, "x" * 20_000, ["a", "<b>", "²"]]
# Forms whose success ends the session or removes what the other forms need: tried last.
LAST = ("logout", "delete", "remove", "revoke", "new-link", "status")


class _Forms(HTMLParser):
    """POST forms: their action and their fields with the values the page filled in."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._fields: dict[str, str] | None = None
        self._action = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self._fields, self._action = {}, attributes.get("action", "")
        elif self._fields is not None and tag in ("input", "select", "textarea", "button"):
            name = attributes.get("name")
            kind = attributes.get("type", "")
            if name and name != "csrfmiddlewaretoken" and kind not in ("checkbox", "radio"):
                self._fields.setdefault(name, attributes.get("value", ""))
            elif name and "checked" in attributes:
                self._fields[name] = attributes.get("value", "on")
            elif name:
                self._fields.setdefault(name, "")  # an unticked box or radio: not sent

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._fields is not None:
            self.forms.append((self._action, self._fields))
            self._fields = None


def _forms_on(client: Client, url: str) -> list[tuple[str, dict[str, str]]]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = _Forms()
    parser.feed(response.content.decode())
    return [(urlsplit(action).path or url, fields) for action, fields in parser.forms]


def test_bad_values_in_every_field_of_every_form_never_cause_a_server_error(
    alice, workshop, cio, cmo
):
    # Alice's questionnaire in the builder: a draft with a section and a question.
    draft = builder.create_questionnaire(owner=alice, title="Alice's questionnaire")
    section = builder.save_section(
        questionnaire=draft,
        section=None,
        title="Goals",
        intro="",
        translations={},
        revision=None,
        actor=alice,
    )
    own = Question.objects.create(
        section=section, position=1, code="goal", kind="single", prompt="Who?"
    )
    Choice.objects.bulk_create(
        [
            Choice(question=own, position=1, value="a", label="A"),
            Choice(question=own, position=2, value="b", label="B"),
        ]
    )
    cast = Cast(
        workshop_pk=workshop.pk,
        participant_pk=cio.participant.pk,
        question_pk=question("obj-channels", workshop.questionnaire).pk,
        token=cio.token,
        extra={
            "questionnaire_pk": draft.pk,
            "section_pk": section.pk,
            "builder_question_pk": own.pk,
        },
    )
    executive = Client()
    executive.get(cio.path)
    forms: dict[tuple[str, str], tuple[Client, dict[str, str]]] = {}
    for area, client in [("facilitator", client_for(alice)), ("participant", executive)]:
        for route in routes_in(area):
            if route.name == "workshops:open_link":
                continue
            for action, fields in _forms_on(client, route.url(cast)):
                forms.setdefault((area, action), (client, fields))
    assert len(forms) >= 5, f"too few forms found: {sorted(forms)}"
    errors = []
    tried = 0
    for (_area, action), (client, fields) in sorted(
        forms.items(), key=lambda item: any(word in item[0][1] for word in LAST)
    ):
        if "logout" in action:
            continue
        sent = {name: value for name, value in fields.items() if value}
        for name in [*fields, "unexpected-field"]:
            for value in BAD_VALUES:
                status = client.post(action, {**sent, name: value}).status_code
                tried += 1
                if status >= 500:
                    errors.append(f"{action} {name}={str(value)[:20]!r}: {status}")
    figures.add(figures.BAD_INPUTS, tried)
    figures.add(figures.SERVER_ERRORS, len(errors))
    assert not errors, "\n".join(errors)
