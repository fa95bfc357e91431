"""The labels and scores as the dashboard's pages read them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from surveys.entry import format_number
from surveys.scoring import Label

#: How each label reads on its chip and in tables (the chip adds a symbol, so that colour is
#: never the only cue: templates/workshops/_label.html).
LABEL_TEXT = {
    "agree": gettext_lazy("Agree"),
    "partly": gettext_lazy("Partly"),
    "differ": gettext_lazy("Differ"),
    "insufficient": gettext_lazy("Insufficient data"),
    "none": gettext_lazy("Not scored"),
}
ROW_LABELS = ("agree", "partly", "differ", "none")
#: Groups up to this size are listed person by person; larger ones are summarised.
LIST_UP_TO = 5


def label_key(label: Label | None) -> str:
    return "none" if label is None else str(label)


def percent(value: float | None) -> int | None:
    """A similarity or alignment in [0, 1] as a whole number on 0-100."""
    return None if value is None else round(value * 100)


def _number(value: float) -> str:
    return format_number(value) if abs(value) >= 0.01 or value == 0 else format_number(value, ".2g")
