"""The facilitator's forms: workshops, participants, and what the reveal shares."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from surveys.models import Questionnaire

from .models import (
    DEFAULT_SIDE_FOR_ROLE,
    FacilitatorProfile,
    Organisation,
    Participant,
    Workshop,
)


def latest_questionnaire() -> Questionnaire | None:
    """The questionnaire version new workshops use unless the facilitator picks another: the
    newest published built-in one (the default)."""
    return (
        Questionnaire.objects.published()
        .filter(owner__isnull=True)
        .order_by("-created_at", "-version", "-pk")
        .first()
    )


def one_line(text: str) -> str:
    """A name or a title as one line: line breaks, tabs and runs of spaces become one space (a
    pasted "Dana\r\nWhitfield" would otherwise break the board's rows and the emails)."""
    return " ".join(text.split())


class WorkshopForm(forms.ModelForm):
    """Title, client (an existing one or a new name), dates, questionnaire, co-facilitators."""

    client = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("One of your clients"),
        empty_label=_("Choose one of your clients…"),
    )
    new_client = forms.CharField(
        max_length=200,
        required=False,
        label=_("Or a new client"),
        help_text=_("Type the company's name to add it."),
    )
    co_facilitators = forms.CharField(
        required=False,
        label=_("Co-facilitators"),
        help_text=_(
            "Usernames or email addresses of other facilitators, separated by commas. "
            "They see and run this workshop with you."
        ),
    )

    class Meta:
        model = Workshop
        fields = ["title", "scheduled_at", "answer_by", "questionnaire", "language"]
        labels = {
            "title": _("Title"),
            "language": _("Language"),
            "scheduled_at": _("Workshop date and time"),
            "answer_by": _("Answer by"),
            "questionnaire": _("Questionnaire version"),
        }
        help_texts = {
            "answer_by": _("The deadline the invitation and reminder emails give."),
            "questionnaire": _("The latest version is chosen for you."),
        }
        widgets = {
            "scheduled_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "answer_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    field_order = [
        "title",
        "client",
        "new_client",
        "scheduled_at",
        "answer_by",
        "questionnaire",
        "language",
        "co_facilitators",
    ]

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        workshop = self.instance if self.instance.pk else None
        self.fields["client"].queryset = Organisation.objects.for_facilitator(user)
        self.fields["language"].required = False
        self.fields["language"].initial = (
            workshop.language if workshop else FacilitatorProfile.language_of(user)
        )
        self.fields["title"].widget.attrs["placeholder"] = _("e.g. Mobile strategy 2027")
        questionnaire = self.fields["questionnaire"]
        # Only published versions the facilitator may use: their own, those shared with them,
        # the built-in ones (drafts are never answered). A workshop keeps the one it has.
        usable = Questionnaire.objects.usable_by(user)
        if workshop is not None:
            usable = usable | Questionnaire.objects.filter(pk=workshop.questionnaire_id)
        questionnaire.queryset = usable.order_by("slug", "-version")
        questionnaire.empty_label = None
        if workshop is None:
            questionnaire.initial = latest_questionnaire()
        else:
            self.fields["client"].initial = workshop.organisation_id
            self.fields["co_facilitators"].initial = ", ".join(
                user.get_username() for user in workshop.co_facilitators.all()
            )
            if workshop.questionnaire_in_use:
                questionnaire.disabled = True
                questionnaire.help_text = _(
                    "Fixed: participants have started answering this version."
                )
            if not workshop.is_owned_by(user):
                self.fields["co_facilitators"].disabled = True
                self.fields["co_facilitators"].help_text = _("Only the owner can change this.")

    def clean_title(self) -> str:
        return one_line(self.cleaned_data.get("title") or "")

    def clean_language(self) -> str:
        """A form sent without the field (an older page) keeps the workshop's language, or
        for a new workshop takes the facilitator's."""
        if language := self.cleaned_data.get("language"):
            return language
        return self.instance.language if self.instance.pk else self.fields["language"].initial

    def clean_scheduled_at(self) -> datetime | None:
        """The date input has minute precision: an untouched field keeps the stored seconds."""
        value = self.cleaned_data.get("scheduled_at")
        stored = self.instance.scheduled_at if self.instance.pk else None
        if value and stored and stored.replace(second=0, microsecond=0) == value:
            return stored
        return value

    def clean_co_facilitators(self) -> list[AbstractBaseUser]:
        raw = self.cleaned_data.get("co_facilitators") or ""
        names = [name for name in re.split(r"[,;\s]+", raw) if name]
        users: list[AbstractBaseUser] = []
        unknown: list[str] = []
        user_model = get_user_model()
        for name in dict.fromkeys(names):
            found = user_model.objects.filter(
                Q(username__iexact=name) | Q(email__iexact=name), is_active=True
            ).first()
            if found is None:
                unknown.append(name)
            else:
                users.append(found)
        if unknown:
            raise forms.ValidationError(
                _("No facilitator account for: %(names)s. Ask them to get an account first."),
                params={"names": ", ".join(unknown)},
            )
        owner_pk = self.instance.owner_id if self.instance.pk else self.user.pk
        return [user for user in users if user.pk != owner_pk]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        client = cleaned.get("client")
        new_client = one_line(cleaned.get("new_client") or "")
        cleaned["new_client"] = new_client
        if client is not None and new_client:
            self.add_error("new_client", _("Choose a client or type a new one, not both."))
        elif client is None and not new_client:
            self.add_error("client", _("Choose one of your clients or type a new client's name."))
        scheduled_at = cleaned.get("scheduled_at")
        answer_by = cleaned.get("answer_by")
        if scheduled_at and answer_by and answer_by > scheduled_at.date():
            self.add_error("answer_by", _("Ask for answers before the workshop, not after it."))
        elif answer_by and "answer_by" in self.changed_data and answer_by < timezone.localdate():
            # Invitations and the welcome page would ask for answers by a day already gone.
            self.add_error("answer_by", _("This date has passed: choose today or a later day."))
        return cleaned

    def workshop_values(self) -> dict[str, Any]:
        """Keyword arguments for services.plan_workshop / update_workshop."""
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "organisation": data["client"],
            "new_organisation": data["new_client"],
            "questionnaire": data["questionnaire"],
            "scheduled_at": data["scheduled_at"],
            "answer_by": data["answer_by"],
            "language": data["language"],
        }
        if not self.fields["co_facilitators"].disabled:
            values["co_facilitators"] = data["co_facilitators"]
        return values


class ParticipantForm(forms.ModelForm):
    """An executive: name, email, role, and the side the role usually speaks for."""

    class Meta:
        model = Participant
        fields = ["name", "email", "role", "side"]
        labels = {
            "name": _("Name"),
            "email": _("Email"),
            "role": _("Role"),
            "side": _("Side"),
        }
        help_texts = {
            "email": _("Used only to send the personal link and reminders."),
            "side": _("Which side they speak for in comparisons. Leave it to follow the role."),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        side = self.fields["side"]
        side.required = False
        side.choices = [("", _("Follow the role"))] + [
            choice for choice in side.choices if choice[0] != ""
        ]
        self.fields["role"].choices = [("", _("Choose a role…"))] + [
            choice for choice in self.fields["role"].choices if choice[0] != ""
        ]
        # app.js picks the role's usual side as the role changes (the server does it too).
        self.fields["role"].widget.attrs["data-sets-side"] = "1"
        side.widget.attrs["data-side-for-role"] = ",".join(
            f"{role}:{side}" for role, side in DEFAULT_SIDE_FOR_ROLE.items()
        )

    def clean_name(self) -> str:
        return one_line(self.cleaned_data.get("name") or "")

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip()
        if not email:
            return ""
        taken = Participant.objects.active().filter(workshop=self.workshop, email__iexact=email)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Someone in this workshop already has this email address.")
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("role") and not cleaned.get("side"):
            cleaned["side"] = DEFAULT_SIDE_FOR_ROLE[cleaned["role"]]
        return cleaned


def new_submission_key() -> str:
    return secrets.token_urlsafe(16)


class AddParticipantForm(ParticipantForm):
    """A new participant; their link is emailed at once, or shown to copy when it is not."""

    #: Each rendering of the form carries its own key: the same form sent twice (a reload of
    #: the page that shows the new link, a double click) is recognised and adds nobody twice.
    submission = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=new_submission_key
    )

    send_invitation = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Email the invitation now"),
        help_text=_(
            "Needs an email address. Without one, or unticked, you get the link to copy "
            "and send yourself."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The placeholder lets the page hide the box while the email is empty (app.css, :has).
        self.fields["email"].widget.attrs["placeholder"] = _("name@company.com")


class RevealForm(forms.Form):
    """What the reveal shares beyond the facilitators' dashboard."""

    results_visible_to_participants = forms.BooleanField(
        required=False,
        label=_("Participants can see the results too"),
        help_text=_("A read-only page of everyone's answers, opened from their personal link."),
    )
    anonymous = forms.BooleanField(
        required=False,
        label=_("Hide names"),
        help_text=_(
            "Participants see “Participant A, CIO” instead of names. Where a role has only one "
            "person, the role still tells who it is."
        ),
    )


class ImportWorkshopForm(forms.Form):
    """A transfer file to load, and the facilitator who will run the imported workshop."""

    file = forms.FileField(label=gettext_lazy("Transfer file (.json)"))
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        label=gettext_lazy("Facilitator who owns the imported workshop"),
    )

    def clean_file(self) -> dict[str, Any]:
        """The file's JSON (a `TransferError` here names why it is not a transfer file)."""
        from .transfer import MAX_FILE_BYTES, TransferError, read_file

        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(limit)s MB.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            )
        try:
            return read_file(upload.read())
        except TransferError as error:
            raise forms.ValidationError(error.problems) from None


class RunAgainForm(forms.Form):
    """A follow-up workshop: its title, and whether it uses the newest questionnaire version."""

    title = forms.CharField(max_length=200, label=gettext_lazy("Title of the follow-up"))
    newest = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Use the newest version of the questionnaire"),
    )


class LanguageForm(forms.Form):
    """The language switcher's post: one of the interface's languages, and where to go back."""

    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)
