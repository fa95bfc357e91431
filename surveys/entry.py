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
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.formats import get_format
from django.utils.translation import get_language, gettext, gettext_lazy

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
        raise AnswerError(gettext("This answer contains a character that cannot be stored (NUL)."))
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
#: 2,5 % into 25 %). A locale's own format goes first (`formats_for`).
READ_AS = (ENGLISH, DECIMAL_COMMA)
#: In German the decimal comma comes first: "2,5" is two and a half and "1.000" a thousand,
#: "1,500" one and a half; "2.5" (no group of three after the dot) still reads as 2.5.
READ_AS_DECIMAL_COMMA = (DECIMAL_COMMA, ENGLISH)

#: The languages that write a decimal comma, and so read numbers that way first.
_DECIMAL_COMMA_LANGUAGES = frozenset({"de"})

#: What a refused entry asks for, by what the question wants.
_ENTER = {
    "number": gettext_lazy("Enter a number, for example 2.5."),
    "percentage": gettext_lazy("Enter a percentage, for example 2.5."),
}


def formats_for(language: str | None) -> tuple[NumberFormat, ...]:
    """The formats numbers are read in for a language (the page's: the active one)."""
    base = (language or "").split("-")[0]
    return READ_AS_DECIMAL_COMMA if base in _DECIMAL_COMMA_LANGUAGES else READ_AS


def format_number(value: float, spec: str = "g") -> str:
    """A number written back the way the active language writes it (2,5 in German), with no
    digit groups, so that what an input shows reads back as the same number."""
    if spec == "g":
        # Up to 15 significant digits (what a float holds for sure: 0.1 + 0.2 shows 0.3), never
        # in exponent form (a target of 12345678 shows as such, not as 1.23457e+07, which the
        # parser refuses and which loses digits).
        text = format(Decimal(format(float(value) + 0.0, ".15g")), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = format(value, spec)
    separator = get_format("DECIMAL_SEPARATOR")
    return text.replace(".", separator) if separator != "." else text


def parse_number(
    raw: str,
    *,
    what: str = "number",
    formats: tuple[NumberFormat, ...] | None = None,
) -> float:
    """The number a person wrote (a trailing % allowed), or AnswerError asking for `what`
    ("number" or "percentage"). Read in the active language's formats unless given."""
    if formats is None:
        formats = formats_for(get_language())
    text = clean_text(raw)
    if text.endswith("%"):
        text = text[:-1].rstrip()
    number = None
    for number_format in formats:
        number = number_format.read(text)
        if number is not None:
            break
    if number is None or not math.isfinite(number):
        raise AnswerError(str(_ENTER.get(what, _ENTER["number"])))
    return number


def parse_whole_number(raw: str) -> int | None:
    """A whole number as a person writes it (ASCII digits, an optional sign), else None."""
    if re.fullmatch(r"[-+]?[0-9]{1,9}", raw) is None:
        return None
    return int(raw)
