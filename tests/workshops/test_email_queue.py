"""Emails leave the request and the transaction: invitations, resends and reminders are queued
in the database with the change that asks for them, and the worker sends them, tries again,
and records on the board whether each one went.

The tasks run through the real database backend and the real worker (`run_queued_tasks`), and
the mail goes through Django's real SMTP backend where the mail server's behaviour matters.
"""

from __future__ import annotations

import logging
import random
import re
import signal
import socket
import statistics
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.tasks.backends.immediate import ImmediateBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from surveys.models import Answer
from workshops import services
from workshops.checks import check_task_backend
from workshops.models import AuditEvent, DeliveryState, InvitationDelivery, Participant, Role

from .. import figures
from ..factories import emailed, invite, run_queued_tasks, sent_mail, worker
from ..reliability.answers import valid_answer
from ..reliability.browser import Browser

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/p/([\w-]+)/")


def participant_url(name: str, participant: Participant) -> str:
    return reverse(f"workshops:participant_{name}", args=[participant.workshop_id, participant.pk])


def board(client: Client, participant: Participant) -> str:
    """The participant's row on the board the workshop page polls."""
    page = client.get(reverse("workshops:board", args=[participant.workshop_id])).text
    start = page.index(f'id="participant-{participant.pk}"')
    return " ".join(page[start : page.index("</tr>", start)].split())


def delivery_of(participant: Participant) -> InvitationDelivery:
    return InvitationDelivery.objects.get(participant=participant)


def free_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_mailer(port: int, timeout: float = 5) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        }
    }


# The request only queues; the worker sends.


def test_inviting_queues_the_email_and_the_worker_sends_it(alice_client, cio):
    response = alice_client.post(participant_url("invite", cio.participant), follow=True)
    assert "Invitation to Dana Whitfield &lt;dana@example.com&gt; queued." in response.text
    assert mail.outbox == []  # nothing talked to the mail server during the request
    assert "Email queued just now" in board(alice_client, cio.participant)
    assert delivery_of(cio.participant).state == DeliveryState.QUEUED

    assert [message.to for message in sent_mail()] == [["dana@example.com"]]
    delivery = delivery_of(cio.participant)
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 1
    assert "Emailed just now" in board(alice_client, cio.participant)


def _roll_back_an_invitation(alice, cio) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.email_new_link(cio.participant, actor=alice)
        raise RuntimeError("something later in the same transaction failed")
    assert run_queued_tasks() == 0
    assert mail.outbox == []
    assert not DBTaskResult.objects.exists()
    assert not InvitationDelivery.objects.exists()
    assert not AuditEvent.objects.filter(action="invite").exists()


def test_a_rolled_back_invitation_sends_nothing(alice, cio):
    _roll_back_an_invitation(alice, cio)  # a savepoint inside the test's transaction


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(alice, cio):
    _roll_back_an_invitation(alice, cio)  # a real transaction, rolled back on the database


def test_the_queue_never_holds_a_link_and_the_delivery_forgets_it_once_sent(alice, cio):
    invitation = services.email_new_link(cio.participant, actor=alice)
    task = DBTaskResult.objects.get()
    delivery = delivery_of(cio.participant)
    assert task.args_kwargs == {"args": [delivery.pk, delivery.generation], "kwargs": {}}
    assert invitation.token in delivery.body  # waiting to be sent: the only copy
    run_queued_tasks()
    assert invitation.token in sent_mail()[0].body
    delivery.refresh_from_db()
    assert delivery.body == ""
    assert not any(invitation.token in str(row) for row in DBTaskResult.objects.values())


def test_the_link_waits_in_the_database_only_while_it_may_be_sent(alice, cio):
    """A database constraint: a sent or dropped email keeps no text (and so no link)."""
    services.email_new_link(cio.participant, actor=alice)
    run_queued_tasks()
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationDelivery.objects.filter(participant=cio.participant).update(body="a link")


def test_resending_before_the_first_went_sends_only_the_newest_link(alice_client, cio):
    alice_client.post(participant_url("invite", cio.participant))
    alice_client.post(participant_url("invite", cio.participant))
    assert run_queued_tasks() == 2  # the first task finds a newer email and does nothing
    [message] = sent_mail()
    token = LINK.search(message.body).group(1)
    assert Participant.objects.for_token(token).get() == cio.participant
    assert "It replaces the link in earlier emails" in message.body


@pytest.mark.parametrize("action", ["new_link", "revoke", "remove"])
def test_an_email_whose_link_was_replaced_or_withdrawn_meanwhile_is_not_sent(
    alice_client, cio, action
):
    alice_client.post(participant_url("invite", cio.participant))
    alice_client.post(participant_url(action, cio.participant))
    run_queued_tasks()
    assert mail.outbox == []
    delivery = delivery_of(cio.participant)
    assert delivery.state == DeliveryState.DROPPED and delivery.body == ""
    assert delivery.reason.startswith("Not sent:")


def test_remind_everyone_queues_one_email_each_and_answers_at_once(alice_client, workshop, cio):
    others = [invite(workshop, f"Person{n} Example", Role.CEO) for n in range(5)]
    emailed(cio, *others)
    response = alice_client.post(reverse("workshops:remind", args=[workshop.pk]), follow=True)
    assert "Reminder queued for 6 participants" in response.text
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 6
    assert len(sent_mail()) == 6
    assert all(delivery_of(o.participant).state == DeliveryState.SENT for o in others)


# When the mail server fails: retries with growing waits, then "failed" and Retry.


def test_a_failed_try_is_tried_again_later_and_the_board_says_so(alice_client, cio, settings):
    settings.MAILERS = smtp_mailer(free_port())
    settings.INVITATION_EMAIL_RETRY_DELAYS = [60, 300]
    alice_client.post(participant_url("invite", cio.participant))
    before = timezone.now()
    assert run_queued_tasks() == 1  # the next try is not due yet
    delivery = delivery_of(cio.participant)
    assert delivery.state == DeliveryState.QUEUED and delivery.attempts == 1
    assert delivery.reason == "The mail server could not be reached."
    waiting = DBTaskResult.objects.ready()
    assert not waiting.exists()
    later = DBTaskResult.objects.filter(status="READY").get()
    assert timedelta(seconds=59) < later.run_after - before < timedelta(seconds=70)
    row = board(alice_client, cio.participant)
    assert "Email queued" in row and "could not be reached. Trying again shortly." in row

    # Once due, the second try fails too and waits longer (300 s).
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    before = timezone.now()
    assert run_queued_tasks() == 1
    assert delivery_of(cio.participant).attempts == 2
    last = DBTaskResult.objects.filter(status="READY").get()
    assert timedelta(seconds=299) < last.run_after - before < timedelta(seconds=310)


def test_a_mail_server_failure_ends_failed_with_the_reason_and_retry_sends_it(
    alice, alice_client, workshop, settings
):
    settings.MAILERS = smtp_mailer(free_port())
    settings.INVITATION_EMAIL_RETRY_DELAYS = [0, 0]
    added = alice_client.post(
        reverse("workshops:participant_add", args=[workshop.pk]),
        {"name": "Ada Chen", "email": "ada@example.com", "role": "cto", "send_invitation": "on"},
    )
    assert added.status_code == 302
    ada = Participant.objects.get(name="Ada Chen")
    assert run_queued_tasks() == 3  # three tries, no wait between them here
    delivery = delivery_of(ada)
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 3
    assert delivery.reason == "The mail server could not be reached."
    assert delivery.body  # kept for Retry
    row = board(alice_client, ada)
    assert "Email failed just now" in row and "The mail server could not be reached." in row
    # A button of the board's one POST form (which carries the CSRF field), to its own URL.
    assert f'form="board-actions" formaction="{participant_url("retry_email", ada)}"' in row
    assert ">Retry<" in row
    failed = AuditEvent.objects.get(action="email_failed")
    assert failed.detail == "Ada Chen: The mail server could not be reached."

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    retried = alice_client.post(participant_url("retry_email", ada), follow=True)
    assert "The email to Ada Chen is queued again" in retried.text
    assert "Email queued just now" in board(alice_client, ada)
    assert AuditEvent.objects.get(action="retry_email").actor == alice
    [message] = sent_mail()
    assert message.to == ["ada@example.com"]
    token = LINK.search(message.body).group(1)
    assert Client().get(reverse("workshops:open_link", args=[token])).status_code == 302
    assert "Emailed just now" in board(alice_client, ada)
    assert ">Retry<" not in board(alice_client, ada)


def test_retry_is_refused_when_nothing_failed(alice_client, cio):
    alice_client.post(participant_url("invite", cio.participant))
    response = alice_client.post(participant_url("retry_email", cio.participant), follow=True)
    assert "There is no failed email to Dana Whitfield to try again." in response.text
    assert DBTaskResult.objects.count() == 1


def test_retry_is_refused_once_the_link_was_replaced(alice_client, cio, settings):
    settings.MAILERS = smtp_mailer(free_port())
    settings.INVITATION_EMAIL_RETRY_DELAYS = []
    alice_client.post(participant_url("invite", cio.participant))
    run_queued_tasks()
    alice_client.post(participant_url("new_link", cio.participant))
    response = alice_client.post(participant_url("retry_email", cio.participant), follow=True)
    assert "a newer link replaced the one in this email" in response.text
    assert delivery_of(cio.participant).state == DeliveryState.FAILED


def test_only_the_workshops_facilitators_can_retry(client, charlie, cio, settings):
    settings.MAILERS = smtp_mailer(free_port())
    settings.INVITATION_EMAIL_RETRY_DELAYS = []
    services.email_new_link(cio.participant, actor=cio.participant.workshop.owner)
    run_queued_tasks()
    client.force_login(charlie)
    assert client.post(participant_url("retry_email", cio.participant)).status_code == 404
    assert client.get(participant_url("retry_email", cio.participant)).status_code == 405
    assert delivery_of(cio.participant).state == DeliveryState.FAILED


def test_the_board_shows_every_delivery_state_in_the_same_queries(
    alice_client, workshop, django_assert_max_num_queries
):
    people = [invite(workshop, f"Person{n} Example", Role.CEO) for n in range(8)]
    for person in people:
        services.email_new_link(person.participant, actor=workshop.owner)
    InvitationDelivery.objects.filter(participant__in=[p.participant for p in people[:2]]).update(
        state=DeliveryState.FAILED, reason="The mail server did not answer in time.", body="x"
    )
    InvitationDelivery.objects.filter(participant=people[2].participant).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), body=""
    )
    # session, user, workshop, participants with answer counts and deliveries, question total
    with django_assert_max_num_queries(5):
        page = alice_client.get(reverse("workshops:board", args=[workshop.pk])).text
    assert page.count(">Retry<") == 2
    assert page.count("Email queued just now") == 5
    assert page.count("Emailed just now") == 1


def test_the_delivery_failure_reasons_hold_no_server_detail():
    from smtplib import SMTPAuthenticationError, SMTPRecipientsRefused, SMTPServerDisconnected

    from workshops.tasks import failure_reason

    try:
        try:
            raise TimeoutError("timed out")
        except TimeoutError as error:
            raise SMTPServerDisconnected("Connection unexpectedly closed: timed out") from error
    except SMTPServerDisconnected as error:
        assert failure_reason(error) == "The mail server did not answer in time."
    secret = SMTPAuthenticationError(535, b"5.7.8 password hunter2 rejected")
    assert "hunter2" not in failure_reason(secret)
    refused = SMTPRecipientsRefused({"x@example.com": (550, b"no such user /p/TOKEN/")})
    assert failure_reason(refused) == "The mail server refused the address."


def test_the_task_queue_must_live_in_the_database():
    """Emails are enqueued inside the transaction: any other backend is refused at startup."""
    assert check_task_backend() == []
    immediate = ImmediateBackend(alias="default", params={})
    with mock.patch("django.tasks.task_backends", {"default": immediate}):
        [error] = check_task_backend()
    assert error.id == "workshops.E001"


# The worker as `manage.py db_worker` runs it.


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_command_sends_what_was_queued(alice, cio):
    services.email_new_link(cio.participant, actor=alice)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    loggers = [logging.getLogger(name) for name in ("django.tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    try:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    finally:  # the command sets up its process: give the test process back as it was
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
    assert [message.to for message in mail.outbox] == [["dana@example.com"]]
    assert delivery_of(cio.participant).state == DeliveryState.SENT


# A mail server that hangs holds up neither the facilitator nor the executives.

SMTP_TIMEOUT = 4.0  # seconds the mailer waits for the mail server before giving up


class SilentMailServer:
    """A mail server on 127.0.0.1 that accepts connections and never says a word."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.accepted = threading.Event()
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self.listener.accept()
            except TimeoutError:
                continue
            self._connections.append(conn)  # held open, never answered
            self.accepted.set()

    def __enter__(self) -> SilentMailServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for conn in self._connections:
            conn.close()
        self.listener.close()


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_a_hanging_mail_server_delays_neither_adding_nor_autosaving(
    live_server, settings, alice, workshop, cio
):
    settings.INVITATION_EMAIL_RETRY_DELAYS = []  # one try: the test ends on its failure
    rng = random.Random(10)
    questions = [
        q
        for s in workshop.questionnaire.ordered_sections()
        for q in s.questions.prefetch_related("choices")
    ][:12]
    executive = Browser(live_server.url, timeout=30)
    executive.open_link(cio.path)

    def autosave(question) -> float:
        posted, _stored = valid_answer(question, rng)
        path = f"/respond/{cio.participant.pk}/autosave/{question.pk}/"
        started = time.perf_counter()
        reply = executive.post(path, posted)
        elapsed = time.perf_counter() - started
        assert reply.status == 200 and "Saved" in reply.text, reply.text[:300]
        return elapsed

    usual = [autosave(question) for question in questions[:6]]
    facilitator = Client()
    facilitator.force_login(alice)
    with SilentMailServer() as server:
        settings.MAILERS = smtp_mailer(server.port, timeout=SMTP_TIMEOUT)
        add = reverse("workshops:participant_add", args=[workshop.pk])
        adding = {"name": "Ada Chen", "email": "ada@example.com", "role": "cto"}
        added_in = _timed(
            lambda: facilitator.post(add, {**adding, "send_invitation": "on"}).status_code
        )
        assert Participant.objects.filter(name="Ada Chen").exists()
        assert added_in < SMTP_TIMEOUT / 4, f"adding took {added_in:.2f} s"

        def send() -> None:
            try:
                worker(max_tasks=1).run()
            finally:
                connection.close()

        sending = threading.Thread(target=send)
        sending.start()
        assert server.accepted.wait(5), "the worker never reached the mail server"
        during = [autosave(question) for question in questions[6:]]
        stuck = sending.is_alive()
        sending.join(SMTP_TIMEOUT + 10)
    assert stuck, "the worker was no longer waiting: the autosaves proved nothing"
    assert not sending.is_alive()
    assert Answer.objects.filter(response__participant=cio.participant).count() == 12
    ada = Participant.objects.get(name="Ada Chen")
    delivery = delivery_of(ada)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.reason == "The mail server did not answer in time."
    assert max(during) < 1.0, f"autosaves took {during} while the mail server hung"
    assert statistics.median(during) < statistics.median(usual) + 0.25, (usual, during)
    figures.note(
        "hanging mail server",
        f"hanging mail server ({SMTP_TIMEOUT:g} s timeout): participant added and invited in "
        f"{added_in * 1000:.0f} ms; autosave median {statistics.median(during) * 1000:.0f} ms "
        f"(max {max(during) * 1000:.0f}) while the worker waited, "
        f"{statistics.median(usual) * 1000:.0f} ms (max {max(usual) * 1000:.0f}) before",
    )
