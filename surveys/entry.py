"""What a person enters on the answering page, read the way people write it.

The pieces every question kind (`surveys.kinds`) reads its form inputs with: the inputs' names,
text without NUL characters, numbers as people write them, and the error an executive sees
when an entry is not an answer. Here rather than in `surveys.answering`, which asks the kinds
to parse a post: the kinds import this module, and this module imports no kind.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Question


class AnswerError(ValueError):
    """An answer that cannot be stored, with a message to show next to the question."""


def field_name(question: Question, suffix: str = "") -> str:
    return f"q{question.pk}-{suffix}" if suffix else f"q{question.pk}"


def clean_text(raw: str) -> str:
    """An entry without its surrounding spaces; AnswerError if it holds a NUL character (no
    database column stores one the same way everywhere)."""
    if "\x00" in raw:
        raise AnswerError("This answer contains a character that cannot be stored (NUL).")
    return raw.strip()


@dataclass(frozen=True)
class NumberFormat:
    """One way of writing numbers: the decimal separator, and the separators allowed between
    groups of three digits (one kind per number). A locale plugs in its own.

    Only what a person writes is read: ASCII digits, an optional sign, one decimal separator
    and digit groups of three. Python's own readings (`1_2`, `1e3`, `nan`, Arabic-Indic or
    mathematical digits) are refused, since no one typing a target means them.
    """

    decimal: str
    groups: str

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        group = f"[{re.escape(self.groups)}]"
        return re.compile(
            rf"(?P<sign>[-+\u2212])?"
            rf"(?P<whole>[0-9]{{1,3}}(?P<group>{group})[0-9]{{3}}(?:(?P=group)[0-9]{{3}})*"
            rf"|[0-9]*)"
            rf"(?:{re.escape(self.decimal)}(?P<fraction>[0-9]*))?"
        )

    def read(self, text: str) -> float | None:
        """The number `text` writes in this format, or None if it does not write one."""
        match = self.pattern.fullmatch(text)
        if match is None or not (match["whole"] or match["fraction"]):
            return None
        digits = match["whole"].replace(match["group"] or " ", "") or "0"
        number = float(f"{digits}.{match['fraction'] or '0'}")
        return -number if match["sign"] in ("-", "\u2212") else number


_SPACES = " \u00a0\u202f"
ENGLISH = NumberFormat(decimal=".", groups="," + _SPACES)
DECIMAL_COMMA = NumberFormat(decimal=",", groups="." + _SPACES)
#: The formats a number is read in, the first that reads it wins: 1,500 and 1,500.5 the
#: English way, then 2,5 and 1.500,5 with a decimal comma (dropping that comma would turn
#: 2,5 % into 25 %). A locale's own format would go first, or alone.
READ_AS = (ENGLISH, DECIMAL_COMMA)


def parse_number(
    raw: str, *, what: str = "a number", formats: tuple[NumberFormat, ...] = READ_AS
) -> float:
    """The number a person wrote (a trailing % allowed), or AnswerError asking for `what`."""
    text = clean_text(raw)
    if text.endswith("%"):
        text = text[:-1].rstrip()
    number = None
    for number_format in formats:
        number = number_format.read(text)
        if number is not None:
            break
    if number is None or not math.isfinite(number):
        raise AnswerError(f"Enter {what}, for example 2.5.")
    return number


def parse_whole_number(raw: str) -> int | None:
    """A whole number as a person writes it (ASCII digits, an optional sign), else None."""
    if re.fullmatch(r"[-+]?[0-9]{1,9}", raw) is None:
        return None
    return int(raw)
