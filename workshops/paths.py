"""One URL for each of many objects, resolved once a page rather than once an object."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

#: An id no object has, put where the object's id goes: resolved once, then replaced.
_MARK = 987654321


def each_path(name: str, *args: int) -> Callable[[int], str]:
    """`reverse(name, args=[*args, pk])` for any `pk`: the URL is resolved once (resolving
    costs as much as the rest of a list's row) and each pk put in the place of the last
    argument."""
    url = reverse(name, args=[*args, _MARK])
    head, mark, tail = url.rpartition(f"/{_MARK}/")
    if not mark:  # pragma: no cover - every URL of the app ends its ids with a slash
        return lambda pk: reverse(name, args=[*args, pk])
    return lambda pk: f"{head}/{pk}/{tail}"
