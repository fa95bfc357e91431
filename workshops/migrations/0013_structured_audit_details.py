"""The audit trail stored as data: an action code and its facts (`params`), put into words in
the reader's language when shown (`workshops.audit`).

Existing entries were sentences in their workshop's language. Each is read back, best effort,
by the sentences the app wrote (in English and German): when one fits, its facts go into
`params`; when none does, the sentence stays in `legacy_detail` and is shown as written.
"""

import re

from django.db import migrations, models
from django.utils import translation

#: The sentences the app wrote, by action (catalogue ids; placeholders name the facts).
SENTENCES = {
    "add_participant": ["{name} added as {role}"],
    "edit_workshop": ["Changed {fields}"],
    "edit_participant": ["{name}: changed {fields}"],
    "invite": ["Invitation to {name} queued"],
    "remind": ["Reminder to {name} queued"],
    "regenerate_link": ["New link for {name}"],
    "replace_leaked_link": [
        "New link for {name}; every page opened with the old link was closed"
    ],
    "revoke_link": ["Link withdrawn for {name}"],
    "remove_participant": ["{name} (answers kept)"],
    "retry_email": ["Email to {name}"],
    "delete": ["Workshop “{title}” deleted"],
    "import": ["Imported from a transfer file (%(people)s participants, %(answers)s answers)"],
    "run_again": [
        "Follows “%(follows)s”, with its %(count)s executives",
        "Follow-up “%(follow_up)s” created",
    ],
}
ROLES = {
    "cio": "CIO",
    "cmo": "CMO",
    "ceo": "CEO",
    "cto": "CTO",
    "cdo": "CDO",
    "cfo": "CFO",
    "head_it": "Head of IT",
    "head_marketing": "Head of marketing",
    "other": "Other",
}
STATUSES = {
    "draft": "Draft",
    "collecting": "Collecting answers",
    "in_session": "In session",
    "closed": "Closed",
}
FIELDS = {
    "title": "title",
    "organisation": "client",
    "questionnaire": "questionnaire",
    "scheduled_at": "date",
    "answer_by": "answer-by date",
    "language": "language",
    "co_facilitators": "co-facilitators",
    "name": "name",
    "email": "email",
    "role": "role",
    "side": "side",
}
REVEALS = {
    "participants can see them, names hidden": (True, True),
    "participants can see them": (True, False),
    "in the room only, names hidden": (False, True),
    "in the room only": (False, False),
}
EMAIL_FAILURES = {
    "timeout": "The mail server did not answer in time.",
    "refused_address": "The mail server refused the address.",
    "refused_login": "The mail server refused the app's login (ask whoever runs the site).",
    "unreachable": "The mail server could not be reached.",
}
ACTION_STATES = {"open", "in_progress", "done", "dropped"}
DECISION_STATES = {"open": "", "agreed": "agreed", "reservations": "reservations"}
DECISION_STATES |= {"not_agreed": "not_agreed", "parked": "parked"}
RUN_SHEET_CHANGES = {"up", "down", "drop", "restore", "merge", "split", "minutes", "length"}
RUN_SHEET_CHANGES |= {"reset"}
_HOLE = re.compile(r"\\\{([a-z_]+)\\\}|%\\\(([a-z_]+)\\\)s")


def _pattern(sentence: str) -> re.Pattern[str]:
    escaped = re.escape(sentence)
    return re.compile(
        "^" + _HOLE.sub(lambda m: f"(?P<{m.group(1) or m.group(2)}>.+?)", escaped) + "$",
        re.DOTALL,
    )


def _reverse(mapping: dict[str, str]) -> dict[str, str]:
    return {translation.gettext(label): code for code, label in mapping.items()}


def _read(action: str, text: str, language: str) -> dict | None:
    """The facts of one old detail, or None when it cannot be read back."""
    with translation.override(language):
        for sentence in SENTENCES.get(action, []):
            match = _pattern(translation.gettext(sentence)).match(text)
            if not match:
                continue
            facts = dict(match.groupdict())
            if "role" in facts:
                role = _reverse(ROLES).get(facts["role"])
                if role is None:
                    continue
                facts["role"] = role
            if "fields" in facts:
                words = _reverse(FIELDS)
                names = [words.get(word) for word in facts["fields"].split(", ")]
                if None in names:
                    continue
                facts["fields"] = names
            for number in ("people", "answers", "count"):
                if number in facts:
                    if not facts[number].isdigit():
                        break
                    facts[number] = int(facts[number])
            else:
                if action == "remove_participant":
                    facts["answers_kept"] = True
                return facts
        return _read_other(action, text)


def _read_other(action: str, text: str) -> dict | None:
    """The details that were not one catalogue sentence (read in the active language)."""
    if action in ("restore_participant", "reopen", "kpi_removed", "sign_off"):
        return {"name": text} if text else None
    if action == "remove_participant":
        return {"name": text, "answers_kept": False} if text else None
    if action == "action_removed":
        return {"what": text} if text else None
    if action == "create" and text.startswith("“") and text.endswith("”"):
        return {"title": text[1:-1]}
    if action == "status" and " → " in text:
        before, after = text.split(" → ", 1)
        states = _reverse(STATUSES)
        if before in states and after in states:
            return {"before": states[before], "after": states[after]}
    if action == "reveal":
        shown = text
        prefix = translation.gettext("Sharing changed: {}").format("")
        changed = shown.startswith(prefix)
        if changed:
            shown = shown[len(prefix) :]
        for words, (visible, anonymous) in REVEALS.items():
            if translation.gettext(words) == shown:
                return {"visible": visible, "anonymous": anonymous, "changed": changed}
    if action == "export":
        simple = {"CSV": "csv", "XLSX": "xlsx", "JSON": "json"}
        if text in simple:
            return {"format": simple[text]}
        tables = {"CSV (decisions)": "decisions", "CSV (KPIs)": "kpis", "CSV (actions)": "actions"}
        if text in tables:
            return {"format": "csv", "table": tables[text]}
        match = re.match(r"^PDF \((A4|letter)\)(?:, (.+))?$", text, re.DOTALL)
        if match:
            facts = {"format": "pdf", "paper": match.group(1).lower()}
            if match.group(2):
                facts["name"] = match.group(2)
            return facts
    if action == "email_failed" and ": " in text:
        name, reason = text.rsplit(": ", 1)
        for cause, words in EMAIL_FAILURES.items():
            if translation.gettext(words) == reason:
                return {"name": name, "cause": cause, "cause_params": {}}
    if action == "decision" and ": " in text:
        code, state = text.rsplit(": ", 1)
        if state in DECISION_STATES:
            return {"code": code, "prompts": {}, "state": DECISION_STATES[state]}
    if action == "kpi" and ": " in text:
        name, target = text.rsplit(": ", 1)
        return {"name": name, "target": target or None}
    if action == "action" and ": " in text and ", " in text:
        head, status = text.rsplit(", ", 1)
        what, owner = head.rsplit(": ", 1)
        if status in ACTION_STATES:
            return {"what": what, "owner": owner, "status": status}
    if action == "ownership" and ": " in text:
        area, summary = text.split(": ", 1)
        letters = dict(part.split("=", 1) for part in summary.split() if "=" in part)
        return {"area": area, "area_label": "", "letters": letters, "other_label": ""}
    if action == "run_sheet":
        change, _space, block = text.partition(" ")
        if change in RUN_SHEET_CHANGES:
            return {"change": change, "block": block}
    if action == "reopen_outcome" and ": " in text:
        name, reason = text.split(": ", 1)
        return {"name": name, "reason": reason}
    return None


def to_data(apps, schema_editor):
    AuditEvent = apps.get_model("workshops", "AuditEvent")
    changed = []
    for event in AuditEvent.objects.select_related("workshop").iterator(chunk_size=500):
        text = event.legacy_detail
        if not text:
            continue
        languages = [event.workshop.language, "en", "de"]
        for language in dict.fromkeys(languages):
            facts = _read(event.action, text, language)
            if facts is not None:
                event.params, event.legacy_detail = facts, ""
                changed.append(event)
                break
    AuditEvent.objects.bulk_update(changed, ["params", "legacy_detail"], batch_size=500)


def to_sentences(apps, schema_editor):
    """Back to sentences, in each workshop's language (the sentence of today's app)."""
    from workshops.audit import describe

    AuditEvent = apps.get_model("workshops", "AuditEvent")
    changed = []
    for event in AuditEvent.objects.select_related("workshop").iterator(chunk_size=500):
        if event.legacy_detail or not event.params:
            continue
        with translation.override(event.workshop.language):
            event.legacy_detail = describe(event.action, event.params)[:400]
        changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["legacy_detail"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0012_languages"),
    ]

    operations = [
        migrations.RenameField(
            model_name="auditevent", old_name="detail", new_name="legacy_detail"
        ),
        migrations.AddField(
            model_name="auditevent",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(to_data, to_sentences),
    ]
