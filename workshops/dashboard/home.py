"""The overall alignment of each workshop on the facilitator's home list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.cache import cache

from surveys import scoring
from surveys.scoring import Aggregate

from ..models import Workshop
from .caching import TIMEOUT, alignment_key
from .loading import Group, Person, WorkshopAnswers, people_of
from .safe import safe_compare_groups


def alignment(answers: WorkshopAnswers, a: Group, b: Group) -> Aggregate:
    """Overall alignment of two groups over the whole questionnaire (no free-text coding)."""
    comparisons = [
        safe_compare_groups(
            item.spec, answers.values(item, a.people), answers.values(item, b.people)
        )
        for item in answers.items
    ]
    return scoring.aggregate(comparisons)


def attach_alignment(
    workshops: Sequence[Workshop], people: Mapping[int, list[Person]] | None = None
) -> Sequence[Workshop]:
    """Set ``workshop.alignment`` (an `Aggregate`) on each workshop of a list, in at most five
    queries (see `alignment_for_workshops`):
    for the facilitator's home, with ``templates/workshops/_alignment_figure.html``.

    Pass a list (``list(page.object_list)``), not a queryset: iterating a queryset again would
    fetch new objects without the attribute. `people` (`people_of(workshops)`) saves the
    participants' query when the caller made it.
    """
    alignments = alignment_for_workshops(workshops, people)
    for workshop in workshops:
        workshop.alignment = alignments.get(workshop.pk)  # type: ignore[attr-defined]
    return workshops


def alignment_for_workshops(
    workshops: Sequence[Workshop], people: Mapping[int, list[Person]] | None = None
) -> dict[int, Aggregate]:
    """The default pair's overall alignment (CIO vs CMO, drafts included) for a page of
    workshops: for the facilitator's home list.

    Each workshop's alignment is kept in the cache under its dashboard version
    (`caching.alignment_key`): a page of unchanged workshops costs one read of the cache and
    no scoring however large they are. The others are computed together (participants,
    questions, choices, answers: four queries, whatever their number) and kept.

    Show `aggregate.alignment` (0-1, x100 for the 0-100 figure) and `aggregate.label`
    ("insufficient" below 50 % coverage or with fewer than two scored questions).
    Free-text codings are not included here; the dashboard itself includes them.
    """
    keys = {workshop.pk: alignment_key(workshop) for workshop in workshops}
    kept = cache.get_many(list(keys.values())) if keys else {}
    result = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [workshop for workshop in workshops if workshop.pk not in result]
    if not missing:
        return result
    found = people if people is not None else people_of(missing)
    computed: dict[int, Aggregate] = {}
    opened = []
    for workshop in missing:
        if any(person.response_id is not None for person in found.get(workshop.pk, [])):
            opened.append(workshop)
        else:  # nobody has opened a link yet: nothing to score, nothing to load
            computed[workshop.pk] = scoring.aggregate([])
    loaded = WorkshopAnswers.load_many(opened, people={w.pk: found.get(w.pk, []) for w in opened})
    for pk, answers in loaded.items():
        a, b = answers.pair(None, None)
        computed[pk] = alignment(answers, a, b)
    cache.set_many({keys[pk]: aggregate for pk, aggregate in computed.items()}, TIMEOUT)
    return result | computed
