"""The facilitator's consensus dashboard, side-by-side comparison and discussion agenda.

How the package is laid out, in the order a page uses it:

* `loading`: one query set-up per page (`WorkshopAnswers`), turning the ORM into plain values;
  `safe` scores a stored answer that no longer fits its question as missing rather than failing.
* The report's parts, computed from those values without the database: `answers` (one answer
  in its own terms), `rows` (one question, two groups), `charts` (the geometry of a question's
  chart), `sections` (overall and section alignment), `ownership`, `kpis`, `references`
  (published figures), `agenda`, `consensus` (the whole room, split roles) and `labels`.
* `report`: the `Report` that gathers them for one pair of groups.
* `views`: the pages; `home`: the alignment figure on the facilitator's home list.
"""

from .home import alignment_for_workshops, attach_alignment

__all__ = ["alignment_for_workshops", "attach_alignment"]
