"""Work done beside the requests, by the worker (`manage.py db_worker`): sending the emails that
carry personal links.

Why a queue: the mail server can be slow or hang. Talking to it inside a request kept a
facilitator waiting, and inside a transaction it held SQLite's write lock, so every
executive's autosave waited too. Here the worker talks to it with no transaction open.
"""

from __future__ import annotations

import smtplib
import socket
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import override

from .audit import email_failure
from .models import AuditEvent, DeliveryState, InvitationDelivery


def failure_cause(error: BaseException) -> tuple[str, dict[str, object]]:
    """What went wrong, as a code and its facts (`audit.EMAIL_FAILURES` says it in words):
    short, with no server detail that could hold a secret (the message text, a password) and
    nothing the facilitator cannot act on."""
    if any(isinstance(cause, TimeoutError) for cause in _causes(error)):
        # smtplib reports a reply that never came as "disconnected": the timeout is the cause.
        return "timeout", {}
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "refused_address", {}
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "refused_login", {}
    if isinstance(error, smtplib.SMTPResponseException):
        return "refused_email", {"code": error.smtp_code}
    if isinstance(error, ConnectionError | smtplib.SMTPServerDisconnected | socket.gaierror):
        return "unreachable", {}
    return "other", {"error": type(error).__name__}


def failure_reason(error: BaseException) -> str:
    """What went wrong, in words in the active language (for the board)."""
    return email_failure(*failure_cause(error))


def _causes(error: BaseException | None) -> list[BaseException]:
    chain = []
    while error is not None and len(chain) < 5:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def retry_delay(attempts: int) -> timedelta | None:
    """The wait before the next try after `attempts` failed ones; None when none is left."""
    delays = settings.INVITATION_EMAIL_RETRY_DELAYS
    if attempts > len(delays):
        return None
    return timedelta(seconds=delays[attempts - 1])


def email_of(delivery: InvitationDelivery) -> EmailMessage:
    return EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        to=[delivery.to],
        reply_to=[delivery.reply_to] if delivery.reply_to else None,
    )


@task
def send_invitation_email(delivery_pk: int, generation: int) -> str:
    """Send one queued invitation or reminder; returns what happened, for the task's record.

    The arguments are ids only (see `InvitationDelivery`): the email, with the link, is read
    from its row. A task whose generation is no longer the row's does nothing: the email was
    rewritten (resent, reminded) or retried since, and that newer task sends it.

    On a mail-server error the task queues itself again after a growing wait
    (`INVITATION_EMAIL_RETRY_DELAYS`); after the last try the board shows the email as failed,
    with the reason and a Retry button. The task itself ends "successful" either way: the
    outcome is the delivery's, and the task's record holds no traceback of the server's reply.
    """
    delivery = (
        InvitationDelivery.objects.current(delivery_pk, generation)
        .filter(state=DeliveryState.QUEUED)
        .select_related("participant__workshop")
        .first()
    )
    if delivery is None:
        return "superseded"
    # The reasons the board shows are written in the workshop's language (the email itself
    # was written in the executive's when it was queued).
    language = delivery.participant.workshop.language
    with override(language):
        reason = delivery.reason_not_to_send()
    if reason:
        delivery.drop(reason)
        return "dropped"
    # No transaction is open here: the mail server may take its time (up to the mailer's
    # timeout) without holding any lock that answering needs.
    try:
        email_of(delivery).send()
    except Exception as error:  # any failure of the mail server or the connection to it
        cause = failure_cause(error)
        with override(language):
            reason = email_failure(*cause)
        return _after_failure(delivery, reason, cause)
    delivery.mark_sent()
    return "sent"


def _after_failure(
    delivery: InvitationDelivery, reason: str, cause: tuple[str, dict[str, object]]
) -> str:
    """Queue the next try, or fail for good: one short transaction, so a failure is never
    recorded without its next try queued (or the reverse)."""
    delay = retry_delay(delivery.attempts + 1)
    with transaction.atomic():
        if not delivery.note_failure(reason, final=delay is None):
            return "superseded"
        if delay is None:
            participant = delivery.participant
            AuditEvent.objects.create(
                workshop_id=participant.workshop_id,
                action="email_failed",
                params={"name": participant.name, "cause": cause[0], "cause_params": cause[1]},
            )
            return "failed"
        send_invitation_email.using(run_after=timezone.now() + delay).enqueue(
            delivery.pk, delivery.generation
        )
    return "retry queued"


@task
def build_report_pdf(workshop_pk: int, a: str, b: str, paper: str, language: str) -> str:
    """Make a workshop report's PDF (too long to make in a request) and keep it in the cache,
    where the report page finds it (`reporting.pdf_key`)."""
    from django.core.cache import cache
    from django.utils import translation

    from .models import Workshop
    from .reporting import build_and_keep, pdf_key, pending_key

    workshop = Workshop.objects.select_related("organisation", "questionnaire").filter(
        pk=workshop_pk
    )
    found = workshop.first()
    if found is None:
        return "workshop deleted"
    with translation.override(language):
        build_and_keep(found, a, b, paper)
        cache.delete(pending_key(pdf_key(found, a, b, paper)))
    return "built"
