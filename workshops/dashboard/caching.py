"""The dashboard's pages and the home's alignment figures, kept in Django's cache.

`CACHES["default"]` is the database in production, so every app server reads the same
entries. An entry's key names everything its value depends on:

* the workshop: its pk and creation time (a re-created row never meets an older entry) and its
  `dashboard_version`, moved on in the same transaction as every write that changes what the
  dashboard shows (`freshness`): after a change the key is new, on every server at once;
* its questionnaire (frozen: nothing is kept before anyone has a response, when the
  questionnaire may still change and there is nothing to score);
* what the request asks for (the pair, submitted only, the filters...);
* the language and the time zone the HTML is written in;
* the release: a digest of the templates and code that write it, so that a deploy never
  serves the previous release's HTML.

Entries of an older version are never read again: they expire after `TIMEOUT`, or go when the
cache culls. A page's HTML never holds a request's CSRF token: its forms carry a placeholder,
filled in for each request (`fill_csrf`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from ..models import Workshop

#: Seconds an entry is kept: long enough to serve every refresh of a quiet workshop, short
#: enough that what older versions left behind goes soon.
TIMEOUT = 60 * 60

#: What `{% csrf_token %}` writes in a cached fragment, in place of a request's token.
CSRF_PLACEHOLDER = "csrf-token-of-the-request"
_CSRF_FIELD = 'name="csrfmiddlewaretoken" value="{}"'

#: The sources whose change changes a cached entry (besides the data).
_RELEASE_SOURCES = (
    "templates/workshops/*.html",
    "workshops/dashboard/*.py",
    "surveys/scoring.py",
    "surveys/presenting.py",
    "locale/*/LC_MESSAGES/django.po",
)


@cache
def release() -> str:
    """A digest of the templates and code that write the cached entries, read once per process
    (they do not change while it runs)."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for pattern in _RELEASE_SOURCES:
        for path in sorted(base.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(kind: str, workshop: Workshop, parts: Mapping[str, Any]) -> str:
    named = {
        "workshop": workshop.pk,
        "created": workshop.created_at.isoformat(),
        "version": workshop.dashboard_version,
        "questionnaire": workshop.questionnaire_id,
        "release": release(),
        **parts,
    }
    digest = hashlib.sha256(json.dumps(named, sort_keys=True, default=str).encode()).hexdigest()
    # Readable head (what and which workshop, at which version), then the digest of the rest.
    return f"dashboard:{kind}:{workshop.pk}:{workshop.dashboard_version}:{digest[:32]}"


def page_key(workshop: Workshop, page: str, **params: Any) -> str:
    """The key of one page part: `page` (its template) and the request's `params`, written in
    the active language and time zone, with the questionnaire's texts as last loaded (read
    with the workshop: a file that changes only texts updates a frozen version in place)."""
    return _key(
        "page",
        workshop,
        {
            "page": page,
            "texts": (
                workshop.questionnaire.source_digest
                if Workshop.questionnaire.is_cached(workshop)
                else None
            ),
            "language": get_language(),
            "timezone": get_current_timezone_name(),
            **params,
        },
    )


def alignment_key(workshop: Workshop) -> str:
    """The key of a workshop's overall alignment on the home list (numbers: no language)."""
    return _key("alignment", workshop, {})


def fragment(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], Mapping[str, Any]],
    *,
    key: str | None,
) -> SafeString:
    """`template_name` rendered with `context()`, from the cache when `key` (see `page_key`)
    was rendered before; with `key` None (nothing is kept yet), rendered each time.

    The template reads nothing of the request: only `context()`, whose values the key must
    name, and `{% csrf_token %}`, which is filled in for this request."""
    html = None if key is None else shared_cache.get(key)
    if html is None:
        html = render_to_string(template_name, {**context(), "csrf_token": CSRF_PLACEHOLDER})
        if key is not None:
            shared_cache.set(key, str(html), TIMEOUT)
    return fill_csrf(html, request)


def fill_csrf(html: str, request: HttpRequest) -> SafeString:
    """A cached fragment with this request's CSRF token in its forms."""
    placeholder = _CSRF_FIELD.format(CSRF_PLACEHOLDER)
    if placeholder in html:
        html = html.replace(placeholder, _CSRF_FIELD.format(get_token(request)))
    # The fragment was written by the template engine, which escaped everything it printed;
    # the token put in is made of letters and digits.
    return mark_safe(html)  # nosec B308 B703
