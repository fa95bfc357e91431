"""The overall alignment of each workshop on the facilitator's home list."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from surveys import scoring
from surveys.scoring import Aggregate

from ..models import Workshop
from .loading import Group, WorkshopAnswers, people_of
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


def attach_alignment(workshops: Sequence[Workshop]) -> Sequence[Workshop]:
    """Set ``workshop.alignment`` (an `Aggregate`) on each workshop of a list, in four queries:
    for the facilitator's home, with ``templates/workshops/_alignment_figure.html``.

    Pass a list (``list(page.object_list)``), not a queryset: iterating a queryset again would
    fetch new objects without the attribute.
    """
    alignments = alignment_for_workshops(workshops)
    for workshop in workshops:
        workshop.alignment = alignments.get(workshop.pk)  # type: ignore[attr-defined]
    return workshops


#: Home-list alignments kept per process, keyed by everything they read (see `cached_report`
#: in report.py for why such a key is complete). Least recently used dropped first.
ALIGNMENT_CACHE_SIZE = 2048
_ALIGNMENTS: OrderedDict[tuple[Any, ...], Aggregate] = OrderedDict()
_ALIGNMENTS_LOCK = threading.Lock()


def clear_alignment_cache() -> None:
    with _ALIGNMENTS_LOCK:
        _ALIGNMENTS.clear()


def alignment_for_workshops(workshops: Sequence[Workshop]) -> dict[int, Aggregate]:
    """The default pair's overall alignment (CIO vs CMO, drafts included) for a page of
    workshops: for the facilitator's home list.

    One query reads the participants with a stamp of their answers; an alignment computed
    earlier from the same participants and answers is reused, and only the others are
    computed (three more queries, whatever their number), so a page of unchanged workshops
    costs one query and no scoring however large they are.

    Show `aggregate.alignment` (0-1, x100 for the 0-100 figure) and `aggregate.label`
    ("insufficient" below 50 % coverage or with fewer than two scored questions).
    Free-text codings are not included here; the dashboard itself includes them.
    """
    found = people_of(workshops, stamped=True)
    result: dict[int, Aggregate] = {}
    keys: dict[int, tuple[Any, ...]] = {}
    for workshop in workshops:
        people, stamps = found.get(workshop.pk, ([], []))
        key = (workshop.pk, workshop.questionnaire_id, tuple(people), tuple(stamps))
        keys[workshop.pk] = key
        with _ALIGNMENTS_LOCK:
            cached = _ALIGNMENTS.get(key)
            if cached is not None:
                _ALIGNMENTS.move_to_end(key)
                result[workshop.pk] = cached
    missing = []
    for workshop in workshops:
        if workshop.pk in result:
            continue
        if any(person.response_id is not None for person in found.get(workshop.pk, ([], []))[0]):
            missing.append(workshop)
        else:  # nobody has opened a link yet: nothing to score, nothing to load
            result[workshop.pk] = scoring.aggregate([])
    if not missing:
        return result
    loaded = WorkshopAnswers.load_many(
        missing, people={w.pk: found.get(w.pk, ([], []))[0] for w in missing}
    )
    for pk, answers in loaded.items():
        a, b = answers.pair(None, None)
        result[pk] = alignment(answers, a, b)
        with _ALIGNMENTS_LOCK:
            _ALIGNMENTS[keys[pk]] = result[pk]
            while len(_ALIGNMENTS) > ALIGNMENT_CACHE_SIZE:
                _ALIGNMENTS.popitem(last=False)
    return result
