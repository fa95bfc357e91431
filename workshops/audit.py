"""The audit trail's details, put into words in the reader's language.

An audit entry is stored as data: its action code and the facts it names (`AuditEvent.params`:
names people typed, codes of roles, states and formats, numbers). The sentence is made here,
when the entry is shown, in the language of whoever reads it: a German facilitator reading an
English workshop's trail reads German. Names people typed are shown as typed. Entries written
before the trail was stored as data keep their old sentence (`AuditEvent.legacy_detail`), shown
as it was written, when it could not be read back into data (migration 0013).

The sentences keep the message ids of the catalogue ("{name} added as {role}"): migration 0013
reads old entries back by the same sentences in every language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext, gettext_lazy, pgettext

#: The words the audit trail uses for the fields a change names.
FIELD_WORDS = {
    "title": gettext_lazy("title"),
    "organisation": gettext_lazy("client"),
    "questionnaire": gettext_lazy("questionnaire"),
    "scheduled_at": gettext_lazy("date"),
    "answer_by": gettext_lazy("answer-by date"),
    "language": gettext_lazy("language"),
    "co_facilitators": gettext_lazy("co-facilitators"),
    "name": gettext_lazy("name"),
    "email": gettext_lazy("email"),
    "role": gettext_lazy("role"),
    "side": gettext_lazy("side"),
}

#: A run-sheet change in words (the change's code, as the run-sheet's buttons send it).
RUN_SHEET_WORDS = {
    "up": gettext_lazy("moved up"),
    "down": gettext_lazy("moved down"),
    "drop": gettext_lazy("dropped"),
    "restore": gettext_lazy("restored"),
    "merge": gettext_lazy("merged into the theme above"),
    "split": gettext_lazy("split again"),
    "minutes": gettext_lazy("time box changed"),
    "length": gettext_lazy("length of the session changed"),
    "reset": gettext_lazy("back to the suggested plan"),
}

#: What an email failure was, by its cause's code (`tasks.failure_cause`).
EMAIL_FAILURES = {
    "timeout": gettext_lazy("The mail server did not answer in time."),
    "refused_address": gettext_lazy("The mail server refused the address."),
    "refused_login": gettext_lazy(
        "The mail server refused the app's login (ask whoever runs the site)."
    ),
    "refused_email": gettext_lazy("The mail server refused the email (code %(code)s)."),
    "unreachable": gettext_lazy("The mail server could not be reached."),
    "other": gettext_lazy("The email could not be sent (%(error)s)."),
}


def email_failure(cause: str, params: Mapping[str, Any] | None = None) -> str:
    """An email failure's cause in words, in the active language."""
    message = EMAIL_FAILURES.get(cause, EMAIL_FAILURES["other"])
    values = {"code": "", "error": cause, **(params or {})}
    return str(message) % values


def field_words(names: Iterable[str]) -> str:
    """Changed fields in words, joined."""
    return ", ".join(str(FIELD_WORDS.get(name, name.replace("_", " "))) for name in names)


def _label(choices: Any, code: Any) -> str:
    """A code's label from a TextChoices class, or the code itself if it is not one."""
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


def _number(value: Any) -> str:
    try:
        return formats.number_format(Decimal(str(value)), use_l10n=True)
    except (InvalidOperation, ValueError):
        return str(value)


def _prompt(params: Mapping[str, Any]) -> str:
    """A question's prompt in the reader's language (stored in every language of the site),
    else its code."""
    from django.utils.translation import get_language

    prompts = params.get("prompts") or {}
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return prompts.get(language) or prompts.get(settings.LANGUAGE_CODE) or params.get("code", "")


def _create(p: Mapping[str, Any]) -> str:
    return gettext("“{title}”").format(title=p.get("title", ""))


def _edit_workshop(p: Mapping[str, Any]) -> str:
    return gettext("Changed {fields}").format(fields=field_words(p.get("fields", [])))


def _status(p: Mapping[str, Any]) -> str:
    from .models import WorkshopStatus

    return "{} → {}".format(
        _label(WorkshopStatus, p.get("before")), _label(WorkshopStatus, p.get("after"))
    )


def _add_participant(p: Mapping[str, Any]) -> str:
    from .models import Role

    return gettext("{name} added as {role}").format(
        name=p.get("name", ""), role=_label(Role, p.get("role"))
    )


def _edit_participant(p: Mapping[str, Any]) -> str:
    return gettext("{name}: changed {fields}").format(
        name=p.get("name", ""), fields=field_words(p.get("fields", []))
    )


def _named(message: Any) -> Callable[[Mapping[str, Any]], str]:
    """A detail that is one sentence around a person's name (`message`: lazily translated)."""

    def describe(p: Mapping[str, Any]) -> str:
        return str(message).format(name=p.get("name", ""))

    return describe


def _name(p: Mapping[str, Any]) -> str:
    return str(p.get("name", ""))


def _remove_participant(p: Mapping[str, Any]) -> str:
    if p.get("answers_kept"):
        return gettext("{name} (answers kept)").format(name=p.get("name", ""))
    return _name(p)


def _reveal(p: Mapping[str, Any]) -> str:
    if p.get("visible"):
        shown = (
            gettext("participants can see them, names hidden")
            if p.get("anonymous")
            else gettext("participants can see them")
        )
    else:
        shown = (
            gettext("in the room only, names hidden")
            if p.get("anonymous")
            else gettext("in the room only")
        )
    return gettext("Sharing changed: {}").format(shown) if p.get("changed") else shown


def _export(p: Mapping[str, Any]) -> str:
    from .reporting import PAPERS

    kind = p.get("format", "")
    if kind == "pdf":
        paper = PAPERS.get(p.get("paper", ""), (p.get("paper", ""), p.get("paper", "")))[1]
        text = gettext("PDF ({paper})").format(paper=paper)
        if p.get("name"):
            text = gettext("{what}, for {name}").format(what=text, name=p["name"])
        return text
    tables = {
        "decisions": gettext_lazy("CSV (decisions)"),
        "kpis": gettext_lazy("CSV (shared KPIs)"),
        "actions": gettext_lazy("CSV (actions)"),
    }
    if p.get("table") in tables:
        return str(tables[p["table"]])
    return str(kind).upper()


def _import(p: Mapping[str, Any]) -> str:
    return gettext(
        "Imported from a transfer file (%(people)s participants, %(answers)s answers)"
    ) % {"people": p.get("people", 0), "answers": p.get("answers", 0)}


def _run_again(p: Mapping[str, Any]) -> str:
    if "follows" in p:
        return gettext("Follows “%(title)s”, with its %(count)s executives") % {
            "title": p["follows"],
            "count": p.get("count", 0),
        }
    return gettext("Follow-up “%(title)s” created") % {"title": p.get("follow_up", "")}


def _delete(p: Mapping[str, Any]) -> str:
    return gettext("Workshop “{title}” deleted").format(title=p.get("title", ""))


def _group_words(key: str) -> str:
    """A group key of the comparison ("role:cio", "side:marketing") in words."""
    from .models import Role, Side

    kind, _sep, value = str(key).partition(":")
    return _label(Role if kind == "role" else Side, value)


def _code_text(p: Mapping[str, Any]) -> str:
    from .models import CodingVerdict

    pair = " | ".join(_group_words(key) for key in p.get("pair", []))
    if not p.get("verdict"):
        return gettext("Cleared the coding of “%(question)s” (%(pair)s)") % {
            "question": _prompt(p),
            "pair": pair,
        }
    return gettext("“%(question)s” (%(pair)s): %(verdict)s") % {
        "question": _prompt(p),
        "pair": pair,
        "verdict": _label(CodingVerdict, p["verdict"]).lower(),
    }


def _email_failed(p: Mapping[str, Any]) -> str:
    reason = email_failure(p.get("cause", "other"), p.get("cause_params"))
    return "{}: {}".format(p.get("name", ""), reason)


def _decision(p: Mapping[str, Any]) -> str:
    from .outcome_models import DecisionState

    return "{}: {}".format(_prompt(p), _label(DecisionState, p.get("state", "")))


def _ownership(p: Mapping[str, Any]) -> str:
    from .outcome_models import AgreedOwnership, Raci

    parties = []
    for party, letter in (p.get("letters") or {}).items():
        if not letter:
            continue
        if party == "other" and p.get("other_label"):
            who = p["other_label"]
        else:
            try:
                who = str(AgreedOwnership._meta.get_field(party).verbose_name)
            except Exception:
                who = party
        parties.append(f"{who}: {_label(Raci, letter)}")
    return "{} ({})".format(p.get("area_label") or p.get("area", ""), "; ".join(parties))


def _kpi(p: Mapping[str, Any]) -> str:
    if p.get("target") in (None, ""):
        return _name(p)
    return gettext("{name}: target {target}").format(
        name=p.get("name", ""), target=_number(p["target"])
    )


def _action(p: Mapping[str, Any]) -> str:
    from .outcome_models import ActionStatus

    return "{}: {}, {}".format(
        p.get("what", ""), p.get("owner", ""), _label(ActionStatus, p.get("status"))
    )


def _action_removed(p: Mapping[str, Any]) -> str:
    return str(p.get("what", ""))


def _reopen_outcome(p: Mapping[str, Any]) -> str:
    return gettext("Signed off by {name}; reason: {reason}").format(
        name=p.get("name", ""), reason=p.get("reason", "")
    )


def _sign_off(p: Mapping[str, Any]) -> str:
    return gettext("Signed off by {name}").format(name=p.get("name", ""))


def _run_sheet(p: Mapping[str, Any]) -> str:
    from .outcome_models import BlockKind

    what = str(RUN_SHEET_WORDS.get(p.get("change", ""), p.get("change", "")))
    key = p.get("block", "")
    if not key:
        return what[:1].upper() + what[1:]
    block = (
        _label(BlockKind, key)
        if key in BlockKind.values
        else pgettext("run-sheet block", "theme “{key}”").format(key=key)
    )
    return f"{block[:1].upper() + block[1:]}: {what}"


def _nothing(p: Mapping[str, Any]) -> str:
    return ""


#: Every action's detail in words, by the action's code.
DESCRIBE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "create": _create,
    "edit_workshop": _edit_workshop,
    "status": _status,
    "add_participant": _add_participant,
    "edit_participant": _edit_participant,
    "invite": _named(gettext_lazy("Invitation to {name} queued")),
    "remind": _named(gettext_lazy("Reminder to {name} queued")),
    "regenerate_link": _named(gettext_lazy("New link for {name}")),
    "replace_leaked_link": _named(
        gettext_lazy("New link for {name}; every page opened with the old link was closed")
    ),
    "revoke_link": _named(gettext_lazy("Link withdrawn for {name}")),
    "remove_participant": _remove_participant,
    "restore_participant": _name,
    "reopen": _name,
    "reveal": _reveal,
    "hide_results": _nothing,
    "export": _export,
    "import": _import,
    "run_again": _run_again,
    "delete": _delete,
    "code_text": _code_text,
    "retry_email": _named(gettext_lazy("Email to {name}")),
    "email_failed": _email_failed,
    "decision": _decision,
    "ownership": _ownership,
    "kpi": _kpi,
    "kpi_removed": _name,
    "action": _action,
    "action_removed": _action_removed,
    "outcome_notes": _nothing,
    "sign_off": _sign_off,
    "reopen_outcome": _reopen_outcome,
    "run_sheet": _run_sheet,
}


def describe(action: str, params: Mapping[str, Any] | None) -> str:
    """An entry's detail in the active language ("" when the action has none to say)."""
    if not params:
        return ""
    words = DESCRIBE.get(action)
    if words is None:
        return ""
    try:
        return words(params)
    except (KeyError, TypeError, ValueError, AttributeError):
        return ""


def prompts_of(question: Any) -> dict[str, str]:
    """A question's prompt in every language of the site, for an entry that names it."""
    return {code: question.text("prompt", code) for code, _name in settings.LANGUAGES}
