"""The facilitator's side under concurrency, against a live server over real HTTP: a double
click on "Add" adds one executive, on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from workshops.models import Participant

from .. import figures
from ..factories import PASSWORD, emailed
from .browser import Browser, Reply

pytestmark = pytest.mark.django_db(transaction=True)

TRIALS = 3


def _logged_in(base_url: str, username: str) -> Browser:
    browser = Browser(base_url)
    assert browser.get("/accounts/login/").status == 200 and browser.cookie("csrftoken")
    reply = browser.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert reply.status == 200 and "/workshops/" in reply.url, reply.url
    return browser


def test_a_double_click_on_add_adds_the_executive_once(live_server, alice, workshop):
    browser = _logged_in(live_server.url, "alice")
    add_path = f"/workshops/{workshop.pk}/participants/add/"
    for trial in range(TRIALS):
        form = browser.get(add_path).text
        key = re.search(r'name="submission" value="([^"]+)"', form).group(1)
        name = f"Noor Haddad {trial}"
        posted = {"name": name, "email": "", "role": "cio", "submission": key}
        start = threading.Barrier(2)

        def click(
            _: int, posted: dict[str, str] = posted, start: threading.Barrier = start
        ) -> Reply:
            start.wait(timeout=30)
            return browser.post(add_path, posted)

        with ThreadPoolExecutor(max_workers=2) as pool:
            replies = list(pool.map(click, range(2)))
        figures.add(figures.CONCURRENT_WRITES, 2)
        added = Participant.objects.filter(workshop=workshop, name=name)
        assert added.count() == 1, f"trial {trial}: {added.count()} participants added"
        assert [reply.status for reply in replies] == [200, 200]
        # One click shows the new link to copy; the other, the board saying it was sent twice.
        shown = sorted("personal-link" in reply.text for reply in replies)
        assert shown == [False, True], [reply.url for reply in replies]
        twice = next(reply for reply in replies if "personal-link" not in reply.text)
        assert f"{name} was already added with this form" in twice.text


@pytest.mark.parametrize("action", ["new-link", "invite", "remind"])
def test_two_renewals_of_one_link_at_once_both_answer_and_one_link_stands(
    live_server, alice, workshop, cio, action
):
    """Two co-facilitators (or two tabs) renew the same person's link at once: each request
    replaces the link it finds current, so the second replaces the first's, never a 500."""
    browser = _logged_in(live_server.url, "alice")
    participant = cio.participant
    emailed(cio)  # a reminder goes only to links that were emailed
    path = (
        f"/workshops/{workshop.pk}/remind/"
        if action == "remind"
        else f"/workshops/{workshop.pk}/participants/{participant.pk}/{action}/"
    )
    for trial in range(TRIALS):
        start = threading.Barrier(2)

        def click(_: int, start: threading.Barrier = start) -> Reply:
            start.wait(timeout=30)
            return browser.post(path, {})

        with ThreadPoolExecutor(max_workers=2) as pool:
            replies = list(pool.map(click, range(2)))
        figures.add(figures.CONCURRENT_WRITES, 2)
        assert [reply.status for reply in replies] == [200, 200], f"trial {trial}"
    participant.refresh_from_db()
    replaced = participant.replaced_links.values_list("token_hash", flat=True)
    assert len(replaced) == len(set(replaced)) == 2 * TRIALS
    assert participant.token_hash not in replaced
