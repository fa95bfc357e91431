"""The underlying topic each question of a questionnaire is about.

Several questions often express one disagreement: "customer growth or internal efficiency"
shows in five objectives, a ranking and the KPI priorities. The run-sheet discusses such
questions together, in one block per topic. Topics are kept here, by questionnaire slug and
question code, rather than in the questionnaire file: a file with answers is frozen by its
digest (`surveys.loading`), and a topic changes how a session is planned, not what an answer
means, so it may change without a new questionnaire version. A question without a topic is
discussed with its section.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    title: str | Promise
    #: The disagreement it holds, as a question to the room.
    question: str | Promise


TOPICS: dict[str, Topic] = {
    topic.code: topic
    for topic in (
        Topic(
            "growth-or-efficiency",
            _("Customer growth or internal efficiency"),
            _("Is mobile first for winning customers or for running the company better?"),
        ),
        Topic(
            "channels",
            _("Where customers meet us on mobile"),
            _("Which audiences and channels come first, and on which platforms?"),
        ),
        Topic(
            "money",
            _("Who pays, and how the budget splits"),
            _("Whose budget carries mobile, and how is it shared?"),
        ),
        Topic(
            "security-or-openness",
            _("Security or openness"),
            _("How much control do we trade for speed and reach, and on whose devices?"),
        ),
        Topic(
            "ownership",
            _("Who owns mobile"),
            _("Who decides, area by area, today and from now on?"),
        ),
        Topic(
            "targets",
            _("Targets we both sign up to"),
            _("Which KPIs do we share, at what target, by when?"),
        ),
        Topic(
            "pace",
            _("Pace and process"),
            _("How fast do we try, test and roll out, and at what cost?"),
        ),
        Topic(
            "rules",
            _("Rules of working together"),
            _("Which rules do we keep between IT and marketing, and who is whose counterpart?"),
        ),
        Topic(
            "value",
            _("What value means"),
            _("How do we tell that mobile worked: in money, or also in what money does not show?"),
        ),
    )
}

#: Question code -> topic code, by questionnaire slug (codes are stable across versions).
QUESTION_TOPICS: dict[str, dict[str, str]] = {
    "joint-mobile-strategy": {
        "obj-channels": "growth-or-efficiency",
        "obj-engagement": "growth-or-efficiency",
        "obj-mobile-sales": "growth-or-efficiency",
        "obj-cost-savings": "growth-or-efficiency",
        "obj-productivity": "growth-or-efficiency",
        "obj-compliance": "growth-or-efficiency",
        "obj-talent": "growth-or-efficiency",
        "obj-ranking": "growth-or-efficiency",
        "kpi-priority": "growth-or-efficiency",
        "aud-split": "channels",
        "aud-web-vs-apps": "channels",
        "aud-customer-channels": "channels",
        "aud-budget-split": "money",
        "own-budget-should": "money",
        "wow-rollout-cost": "money",
        "aud-byod": "security-or-openness",
        "own-byod-should": "security-or-openness",
        "own-security-should": "security-or-openness",
        "wow-security-flex": "security-or-openness",
        "own-strategy-should": "ownership",
        "own-mobile-web-today": "ownership",
        "own-mobile-web-should": "ownership",
        "own-apps-today": "ownership",
        "own-apps-should": "ownership",
        "own-analytics-today": "ownership",
        "own-analytics-should": "ownership",
        "own-social-should": "ownership",
        "own-content-should": "ownership",
        "kpi-load-time": "targets",
        "kpi-conversion": "targets",
        "kpi-engagement": "targets",
        "kpi-mobile-sales-share": "targets",
        "kpi-cost-savings": "targets",
        "kpi-employee-adoption": "targets",
        "wow-testing": "pace",
        "wow-experiment": "pace",
        "wow-rollout-weeks": "pace",
        "wow-rules-in-place": "rules",
        "wow-rules-priority": "rules",
        "wow-counterpart": "rules",
        "val-tangible": "value",
        "val-intangible": "value",
        "val-intangible-weight": "value",
        "val-success": "value",
        # Version 3: questions whose meaning changed have new codes; the codes above that it
        # keeps keep their topic.
        "now-collaboration": "rules",
        "now-deployment": "channels",
        "now-it-delivery": "pace",
        "now-it-pace": "pace",
        "obj-data-quality": "growth-or-efficiency",
        "obj-compliance-risk": "security-or-openness",
        "aud-budget-areas": "money",
        "owner-strategy-today": "ownership",
        "owner-strategy-should": "ownership",
        "owner-web-today": "ownership",
        "owner-web-should": "ownership",
        "owner-data-today": "ownership",
        "owner-data-should": "ownership",
        "owner-budget-today": "money",
        "owner-budget-should": "money",
        "owner-apps-should": "ownership",
        "owner-who-else": "ownership",
        "kpi-load-time-today": "targets",
        "kpi-conversion-today": "targets",
        "kpi-web-return": "targets",
        "kpi-app-return": "targets",
        "kpi-mobile-sales-share-today": "targets",
        "wow-launch-or-testing": "pace",
        "wow-cloud-tool": "security-or-openness",
        "wow-build-or-partner": "pace",
        "wow-rollout-estimate": "pace",
        "wow-rollout-deadline": "pace",
        "wow-first-year-cost": "money",
        "wow-rules-practice": "rules",
        "val-intangible-balance": "value",
    },
}


def topics_of(slug: str) -> dict[str, str]:
    """Question code -> topic code for a questionnaire (empty when it declares none)."""
    return QUESTION_TOPICS.get(slug, {})
