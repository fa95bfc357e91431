"""The report's text filter: `{% filter breakable %}` around the report's body (its page in the
app and its PDF), so that no run of characters is too long to wrap (`reporting.breakable`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..reporting import breakable as _breakable

register = template.Library()


@register.filter(is_safe=True)
def breakable(rendered: Any) -> SafeString:
    """Rendered (already escaped) HTML, with a break opportunity in every over-long word."""
    return mark_safe(_breakable(str(rendered)))  # noqa: S308 - escaped already; adds U+200B only
