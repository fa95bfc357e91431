"""The dashboard's typed view of `Question.meta`, read in this one place.

A question's `meta` is free JSON from the questionnaire file: ``{"area": "mobile_web",
"area_label": "Mobile web", "tense": "today"}`` puts a single-choice question in the ownership
matrix, ``{"kpi": "Page load time"}`` a numeric one in the KPI table. `loading` reads it through
these accessors when it builds an `Item`, and the report's parts read only the typed values
(`Item.ownership`, `Item.kpi`). When question kinds get a typed settings schema, these two
functions are what changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

type Tense = Literal["today", "should"]


@dataclass(frozen=True, slots=True)
class OwnershipArea:
    """Where an ownership question sits in the matrix: the area, and today or should."""

    code: str
    label: str
    tense: Tense

    @property
    def order(self) -> int:
        """Today before should."""
        return 0 if self.tense == "today" else 1


def ownership_area(meta: Mapping[str, Any] | None) -> OwnershipArea | None:
    """The question's ownership area, or None when it is not an ownership question (no area,
    or no tense). A tense other than "today" reads as "should"."""
    meta = meta or {}
    code, tense = meta.get("area"), meta.get("tense")
    if not code or not tense:
        return None
    return OwnershipArea(
        code=str(code),
        label=str(meta.get("area_label") or code),
        tense="today" if tense == "today" else "should",
    )


def kpi_name(meta: Mapping[str, Any] | None) -> str:
    """The KPI a numeric question proposes a target for, or "" when it is not a KPI."""
    return str((meta or {}).get("kpi") or "")
