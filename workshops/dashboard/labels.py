"""The labels, scores and weights as the dashboard's pages read them."""

from __future__ import annotations

from surveys.scoring import Label

#: How each label reads, with a symbol so that colour is never the only cue.
LABEL_TEXT = {
    "agree": "Agree",
    "partly": "Partly",
    "differ": "Differ",
    "insufficient": "Insufficient data",
    "none": "Not scored",
}
LABEL_SYMBOL = {"agree": "✓", "partly": "≈", "differ": "✕", "insufficient": "?", "none": "–"}
ROW_LABELS = ("agree", "partly", "differ", "none")
#: Groups up to this size are listed person by person; larger ones are summarised.
LIST_UP_TO = 5


def label_key(label: Label | None) -> str:
    return "none" if label is None else str(label)


def percent(value: float | None) -> int | None:
    """A similarity or alignment in [0, 1] as a whole number on 0-100."""
    return None if value is None else round(value * 100)


def weight_text(importance: float) -> str:
    """ "counts double", "counts ×1.5", "counts half"; "" for the usual weight of 1."""
    if importance == 1:
        return ""
    if importance == 2:
        return "counts double"
    if importance == 0.5:
        return "counts half"
    return f"counts ×{_number(importance)}"


def chance_words(beyond_chance: float) -> str:
    """Beyond chance, A = (S - S0) / (1 - S0), in the room's words: 0 is what two people
    answering at random would reach and 1 identical answers, so below 0 is less alike than
    random and 0.5 halfway from random to identical. Within 0.05 of 0 reads as no better than
    random (the figure moves by more than that with one answer)."""
    if beyond_chance < -CHANCE_BAND:
        return "less alike than answers picked at random would be"
    if beyond_chance <= CHANCE_BAND:
        return "no more alike than answers picked at random would be"
    if beyond_chance < 0.5:
        return "more alike than answers picked at random, but less than halfway to identical"
    return "well beyond chance: more than halfway from random answers to identical"


#: How close to 0 "beyond chance" reads as "no better than random answers".
CHANCE_BAND = 0.05


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) >= 0.01 or value == 0 else f"{value:.2g}"
