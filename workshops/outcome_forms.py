"""The forms the facilitator records the outcome with: each says what is wrong in words and
keeps what was typed (a bound form re-renders its own data)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from surveys.entry import AnswerError, parse_number

from .models import RACI_PARTIES, ActionStatus, DecisionState, Participant, Raci

_NUMBER_HINT = _("for example 2.5")


class Styled(forms.Form):
    """Bootstrap's classes on every input, written without crispy (a template per field costs
    too much on a run-sheet with forty forms)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class RevisionField(forms.IntegerField):
    """The revision the form was based on (empty: a row the page did not show)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=0, max_value=2**31 - 1, **kwargs)


class NumberField(forms.CharField):
    """A number as people write it (`surveys.entry.parse_number`: 2.5, 2,5, 1,500, 25 %)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=40, **kwargs)
        self.widget.attrs.update(inputmode="decimal", autocomplete="off")

    def clean(self, value: Any) -> float | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_number(text)
        except AnswerError:
            raise forms.ValidationError(
                gettext("“%(typed)s” is not a number: write a number, %(hint)s.")
                % {"typed": text, "hint": _NUMBER_HINT},
                code="not_a_number",
            ) from None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _not_past(day: date | None) -> date | None:
    if day is not None and day < timezone.localdate():
        raise forms.ValidationError(
            gettext("%(day)s is in the past: choose today or a later date.")
            % {"day": day.isoformat()},
            code="past",
        )
    return day


class DecisionForm(Styled):
    """State and free text; the agreed position is read by the question's kind from the same
    post (its own inputs, as on the answering page)."""

    state = forms.ChoiceField(label=_("Decision"), choices=DecisionState.choices, required=False)
    note = forms.CharField(
        label=_("What was agreed, or what stands in the way"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    revision = RevisionField()


class OwnershipForm(Styled):
    """The RACI of one area: exactly one party accountable."""

    cio = forms.ChoiceField(label=_("CIO"), choices=Raci.choices, required=False)
    cmo = forms.ChoiceField(label=_("CMO"), choices=Raci.choices, required=False)
    joint = forms.ChoiceField(label=_("Jointly"), choices=Raci.choices, required=False)
    other = forms.ChoiceField(label=_("Other"), choices=Raci.choices, required=False)
    other_label = forms.CharField(label=_("Who is “other”"), required=False, max_length=120)
    revision = RevisionField()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        accountable = [
            party
            for party in RACI_PARTIES
            if data.get(party) in (Raci.ACCOUNTABLE, Raci.ACCOUNTABLE_RESPONSIBLE)
        ]
        if not accountable:
            raise forms.ValidationError(
                gettext("No one is accountable: mark exactly one as “Accountable”."),
                code="no_accountable",
            )
        if len(accountable) > 1:
            raise forms.ValidationError(
                gettext("Only one can be accountable: %(count)s are marked “Accountable”.")
                % {"count": len(accountable)},
                code="several_accountable",
            )
        if data.get("other") and not data.get("other_label", "").strip():
            self.add_error(
                "other_label", gettext("Say who “other” is, for example the CEO or the CDO.")
            )
        return data

    def letters(self) -> dict[str, str]:
        return {party: self.cleaned_data.get(party, "") for party in RACI_PARTIES}


class KpiForm(Styled):
    name = forms.CharField(label=_("KPI"), max_length=200)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=30)
    current_value = NumberField(label=_("Current value"))
    target = NumberField(label=_("Agreed target"))
    owner = forms.CharField(label=_("Owner"), required=False, max_length=120)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())
    review_on = forms.DateField(label=_("Review date"), required=False, widget=DateInput())
    revision = RevisionField()

    def clean_deadline(self) -> date | None:
        return _not_past(self.cleaned_data.get("deadline"))

    def clean_review_on(self) -> date | None:
        return _not_past(self.cleaned_data.get("review_on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        review, deadline = data.get("review_on"), data.get("deadline")
        if review and deadline and review > deadline:
            self.add_error(
                "review_on", gettext("Review it by the deadline at the latest, not after.")
            )
        return data

    def values(self) -> dict[str, Any]:
        fields = ("name", "unit", "current_value", "target", "owner", "deadline", "review_on")
        return {name: self.cleaned_data.get(name) for name in fields} | {
            "unit": self.cleaned_data.get("unit") or "",
            "owner": self.cleaned_data.get("owner") or "",
        }


class ActionForm(Styled):
    """What, who (one of the workshop's executives, or a name typed), by when, and where it
    stands."""

    what = forms.CharField(label=_("What"), max_length=300)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    owner_name = forms.CharField(label=_("Or someone else"), required=False, max_length=120)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.OPEN
    )
    revision = RevisionField()

    def __init__(self, *args: Any, people: Sequence[Participant | Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        self.fields["owner"].choices = [
            ("", gettext("— someone else —")),
            *((str(p.pk), f"{p.name} ({p.role_label})") for p in people),
        ]

    def clean_owner(self) -> Any:
        return self.cleaned_data.get("owner") or None

    def full_clean(self) -> None:
        # Check the owner before ChoiceField's own "not one of the choices", to say it in words.
        if self.is_bound:
            posted = self.data.get(self.add_prefix("owner"), "")
            if posted and posted not in self.people:
                data = self.data.copy()
                data[self.add_prefix("owner")] = ""
                self.data = data
                super().full_clean()
                self.add_error(
                    "owner",
                    gettext(
                        "That person is not in this workshop: choose one of its executives, "
                        "or type the owner's name."
                    ),
                )
                return
        super().full_clean()

    def clean_due_on(self) -> date | None:
        return _not_past(self.cleaned_data.get("due_on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unowned = not data.get("owner") and not (data.get("owner_name") or "").strip()
        if unowned and "owner" not in self.errors:
            self.add_error(
                "owner_name", gettext("Say who owns it: choose an executive or type a name.")
            )
        return data

    def owner_participant_pk(self) -> int | None:
        owner = self.cleaned_data.get("owner")
        return int(owner) if owner else None


class NotesForm(Styled):
    biases = forms.CharField(
        label=_("Biases and constraints aired"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parking_lot = forms.CharField(
        label=_("Parking lot"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revision = RevisionField()


class SignOffForm(Styled):
    signed_by = forms.CharField(
        label=_("Signed off by"),
        max_length=120,
        help_text=_("Usually the CEO: their name and role, e.g. “Dana Lee, CEO”."),
    )


class ReopenForm(Styled):
    reason = forms.CharField(label=_("Why reopen it"), max_length=300)
