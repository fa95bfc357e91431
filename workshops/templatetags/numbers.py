"""`number`: a figure the way the active language writes it and with only the decimals it has
(3.5 stays 3.5 and 2.0 is 2, where floatformat:"-2" wrote 3.50): as the facilitator typed it."""

from __future__ import annotations

from django import template

from surveys.entry import format_number

register = template.Library()


@register.filter
def number(value: float | int | None) -> str:
    """The number in the active language's form ("3,5" in German); "" for None."""
    if value is None:
        return ""
    return format_number(round(float(value), 6))
