"""The demo workshop that `make run` loads: designed to show every part of the dashboard.

The answers are keyed by question code and cover versions 2 and 3 of the questionnaire: a code
the demo's questionnaire does not have is left out, so the demo runs on either (`make run` loads
the default, version 3, with its predictions of what the other side answered).

Northwind Retail's CIO and CMO agree on some things (sales matter, compliance matters), clash on
others (both claim the mobile web, very different load-time targets, channels vs cost savings),
the marketing side is split (the head of marketing sides with IT on several questions), the CEO
has answered only part of the questionnaire, and the CDO has not opened the link yet.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from surveys.models import Answer, Questionnaire, Response, ResponseStatus

from .models import Organisation, Participant, Role, Workshop, WorkshopStatus
from .services import Invitation, add_participant, create_workshop

DEMO_USERNAME = "facilitator"
DEMO_PASSWORD = "common-ground-demo"  # noqa: S105 - printed for the local demo only
DEMO_TITLE = "Mobile strategy alignment 2027"

CIO_ANSWERS: dict[str, Any] = {
    "obj-channels": 2,
    "obj-engagement": 3,
    "obj-mobile-sales": 4,
    "obj-cost-savings": 5,
    "obj-productivity": 5,
    "obj-compliance": 5,
    "obj-talent": 3,
    "obj-ranking": [
        "cost-savings",
        "productivity",
        "compliance",
        "mobile-sales",
        "engagement",
        "channels",
        "talent",
    ],
    "aud-split": {"b2c": 40, "b2b": 20, "b2e": 40},
    "aud-budget-split": {
        "customer-web": 15,
        "customer-apps": 10,
        "employee-apps": 25,
        "data-services": 15,
        "analytics": 10,
        "security": 25,
    },
    "aud-web-vs-apps": "web-first",
    "aud-customer-channels": ["responsive-web", "transactions"],
    "aud-byod": "byod-managed",
    "own-strategy-should": "joint",
    "own-mobile-web-today": "cio",
    "own-mobile-web-should": "cio",
    "own-apps-today": "cio",
    "own-apps-should": "joint",
    "own-byod-should": "cio",
    "own-analytics-today": "cio",
    "own-analytics-should": "cio",
    "own-social-should": "cmo",
    "own-security-should": "cio",
    "own-budget-should": "joint",
    "own-content-should": "cmo",
    "kpi-load-time": 2,
    "kpi-conversion": 2.5,
    "kpi-engagement": 30,
    "kpi-mobile-sales-share": 25,
    "kpi-cost-savings": 12,
    "kpi-employee-adoption": 80,
    "kpi-priority": ["load-time", "cost-savings", "employee-adoption"],
    "wow-testing": 5,
    "wow-experiment": 3,
    "wow-security-flex": 2,
    "wow-rollout-weeks": 36,
    "wow-rollout-cost": 6,
    "wow-rules-in-place": ["cooperate", "shared-dashboards"],
    "wow-rules-priority": ["shared-goals", "cooperate", "shared-dashboards"],
    "wow-counterpart": "Bring marketing into architecture reviews early, and agree one set of "
    "KPIs we both report against instead of two dashboards.",
    "val-tangible": ["fewer-low-value-hours", "data-quality", "realtime-savings"],
    "val-intangible": ["agility", "talent"],
    "val-intangible-weight": 3,
    "val-success": "Employees use the field app daily, the mobile site loads in two seconds, "
    "and the security incidents stay at zero.",
}

CMO_ANSWERS: dict[str, Any] = {
    **CIO_ANSWERS,
    "obj-channels": 5,
    "obj-engagement": 5,
    "obj-mobile-sales": 5,
    "obj-cost-savings": 2,
    "obj-productivity": 4,
    "obj-compliance": 4,
    "obj-talent": 4,
    "obj-ranking": [
        "mobile-sales",
        "channels",
        "engagement",
        "productivity",
        "compliance",
        "cost-savings",
        "talent",
    ],
    "aud-split": {"b2c": 75, "b2b": 20, "b2e": 5},
    "aud-budget-split": {
        "customer-web": 30,
        "customer-apps": 35,
        "employee-apps": 5,
        "data-services": 5,
        "analytics": 20,
        "security": 5,
    },
    "aud-web-vs-apps": "mix",
    "aud-customer-channels": ["responsive-web", "transactions", "ios-app", "android-app"],
    "aud-byod": "byod-open",
    "own-mobile-web-should": "cmo",
    "own-apps-should": "cmo",
    "own-byod-should": "cio",
    "own-analytics-should": "cmo",
    "own-budget-should": "cmo",
    "kpi-load-time": 4,
    "kpi-conversion": 3,
    "kpi-engagement": 35,
    "kpi-mobile-sales-share": 40,
    "kpi-cost-savings": 8,
    "kpi-employee-adoption": 75,
    "kpi-priority": ["conversion", "load-time", "engagement"],
    "wow-testing": 3,
    "wow-experiment": 7,
    "wow-security-flex": 6,
    "wow-rollout-weeks": 24,
    "wow-rollout-cost": 8,
    "wow-rules-in-place": ["cooperate"],
    "wow-rules-priority": ["shared-goals", "embedded-people", "cooperate"],
    "wow-counterpart": "Let us test ideas with customers in weeks, not quarters. Security "
    "reviews should come with a date, not just a no.",
    "val-tangible": ["leads-sales", "conversion", "data-quality"],
    "val-intangible": ["agility", "brand-visibility", "innovation"],
    "val-intangible-weight": 4,
    "val-success": "One in three sales starts on a phone and customers rate the app 4.5 stars.",
}

# The head of marketing sides with IT on testing, security and ownership: marketing is split.
HEAD_MARKETING_ANSWERS: dict[str, Any] = {
    **CMO_ANSWERS,
    "obj-channels": 3,
    "obj-cost-savings": 4,
    "aud-web-vs-apps": "web-first",
    "own-mobile-web-should": "joint",
    "own-analytics-should": "cio",
    "kpi-load-time": 2,
    "wow-testing": 5,
    "wow-experiment": 3,
    "wow-security-flex": 3,
    "wow-rollout-weeks": 30,
    "val-intangible-weight": 2,
}

HEAD_IT_ANSWERS: dict[str, Any] = {
    **CIO_ANSWERS,
    "obj-channels": 3,
    "obj-engagement": 3,
    "own-mobile-web-should": "joint",
    "kpi-load-time": 2.5,
    "wow-experiment": 4,
    "wow-rollout-weeks": 40,
}

# The CEO answered the objectives and ownership but not the rest yet (a draft).
CEO_ANSWERS: dict[str, Any] = {
    "obj-channels": 4,
    "obj-engagement": 4,
    "obj-mobile-sales": 5,
    "obj-cost-savings": 4,
    "obj-productivity": 4,
    "obj-compliance": 5,
    "obj-talent": 3,
    "own-strategy-should": "joint",
    "own-mobile-web-today": "cio",
    "own-mobile-web-should": "joint",
    "own-apps-should": "joint",
    "own-budget-should": "joint",
    "kpi-load-time": None,  # "don't know"
}


# Version 3's new questions (and the predictions of what the other side answered). The cast
# answers {**V2, **V3}: the codes its questionnaire has are kept.
CIO_V3: dict[str, Any] = {
    "now-collaboration": "role-specific",
    "now-deployment": ["responsive-web", "employee-apps", "mobile-data"],
    "now-it-delivery": "mixed",
    "now-it-pace": 3,
    "obj-data-quality": 5,
    "obj-compliance-risk": 2,
    "obj-ranking-predicted": [
        "channels",
        "mobile-sales",
        "engagement",
        "talent",
        "productivity",
        "cost-savings",
        "compliance",
    ],
    "aud-budget-areas": {
        "customer-web": 15,
        "customer-apps": 10,
        "marketing-content": 5,
        "employee-apps": 20,
        "data-services": 15,
        "analytics": 10,
        "security": 25,
    },
    "aud-budget-areas-predicted": {
        "customer-web": 20,
        "customer-apps": 40,
        "marketing-content": 30,
        "employee-apps": 0,
        "data-services": 0,
        "analytics": 10,
        "security": 0,
    },
    "owner-strategy-today": "cio",
    "owner-strategy-should": "joint",
    "owner-strategy-should-predicted": "cmo",
    "owner-web-today": "cio",
    "owner-web-should": "cio",
    "owner-web-should-predicted": "cmo",
    "owner-data-today": "cio",
    "owner-data-should": "joint-cio",
    "owner-budget-today": "cio",
    "owner-budget-should": "joint",
    "owner-budget-should-predicted": "cmo",
    "owner-apps-should": "joint",
    "kpi-load-time-today": 5,
    "kpi-conversion-today": 1.5,
    "kpi-web-return": 30,
    "kpi-app-return": 40,
    "kpi-mobile-sales-share-today": 12,
    "wow-security-flex-predicted": 7,
    "wow-launch-or-testing": "date-moves",
    "wow-launch-or-testing-predicted": "test-less",
    "wow-cloud-tool": "it-approval",
    "wow-build-or-partner": 2,
    "wow-rollout-estimate": 36,
    "wow-rollout-deadline": 30,
    "wow-first-year-cost": "250k-1m",
    "wow-rules-practice": ["air-constraints", "shared-dashboards"],
    "val-intangible-balance": 2,
}

CMO_V3: dict[str, Any] = {
    **CIO_V3,
    "now-collaboration": "partnership",
    "now-deployment": ["responsive-web", "customer-apps"],
    "now-it-pace": 1,
    "obj-data-quality": 3,
    "obj-compliance-risk": 4,
    "obj-ranking-predicted": [
        "cost-savings",
        "compliance",
        "productivity",
        "mobile-sales",
        "channels",
        "engagement",
        "talent",
    ],
    "aud-budget-areas": {
        "customer-web": 25,
        "customer-apps": 25,
        "marketing-content": 20,
        "employee-apps": 5,
        "data-services": 5,
        "analytics": 15,
        "security": 5,
    },
    "aud-budget-areas-predicted": {
        "customer-web": 10,
        "customer-apps": 5,
        "marketing-content": 0,
        "employee-apps": 30,
        "data-services": 20,
        "analytics": 5,
        "security": 30,
    },
    "owner-strategy-today": "cio",
    "owner-strategy-should": "joint-cmo",
    "owner-strategy-should-predicted": "cio",
    "owner-web-today": "cio",
    "owner-web-should": "cmo",
    "owner-web-should-predicted": "cio",
    "owner-data-today": "nobody",
    "owner-data-should": "cmo",
    "owner-budget-today": "cmo",
    "owner-budget-should": "joint",
    "owner-budget-should-predicted": "cio",
    "owner-apps-should": "cmo",
    "kpi-load-time-today": 6,
    "kpi-conversion-today": 1,
    "kpi-web-return": 35,
    "kpi-app-return": 50,
    "kpi-mobile-sales-share-today": 10,
    "wow-security-flex-predicted": 1,
    "wow-launch-or-testing": "smaller-scope",
    "wow-launch-or-testing-predicted": "date-moves",
    "wow-cloud-tool": "check",
    "wow-build-or-partner": 4,
    "wow-rollout-estimate": 40,
    "wow-rollout-deadline": 16,
    "wow-first-year-cost": "1m-5m",
    "wow-rules-practice": ["shared-dashboards"],
    "val-intangible-balance": 4,
}

HEAD_MARKETING_V3: dict[str, Any] = {
    **CMO_V3,
    "owner-web-should": "joint-cmo",
    "wow-launch-or-testing": "date-moves",
    "wow-rollout-estimate": 30,
    "val-intangible-balance": 2,
}

HEAD_IT_V3: dict[str, Any] = {
    **CIO_V3,
    "owner-web-should": "joint-cio",
}

# The CEO's draft has 13 answers in version 3 too.
CEO_V3: dict[str, Any] = {
    "now-collaboration": "role-specific",
    "obj-data-quality": 4,
    "obj-compliance-risk": 4,
    "owner-strategy-should": "joint",
    "owner-web-today": "cio",
    "owner-web-should": "joint",
    "owner-apps-should": "joint",
    "owner-budget-should": "joint",
}


def _store_answers(response: Response, answers: dict[str, Any]) -> None:
    questions = {
        question.code: question
        for section in response.questionnaire.ordered_sections()
        for question in section.questions.all()
    }
    now = timezone.now()
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=questions[code],
            value=value,
            is_unknown=value is None,
            updated_at=now,
        )
        for code, value in answers.items()
        if code in questions
    )
    Response.objects.filter(pk=response.pk).recount_answers()  # written here, not by answering


def _respond(invitation: Invitation, answers: dict[str, Any], *, submitted: bool) -> None:
    participant = invitation.participant
    now = timezone.now()
    response = Response.objects.create(
        questionnaire=participant.workshop.questionnaire,
        status=ResponseStatus.SUBMITTED if submitted else ResponseStatus.DRAFT,
        submitted_at=now if submitted else None,
        last_section=3,
    )
    _store_answers(response, answers)
    participant.response = response
    participant.invited_at = now - timedelta(days=3)
    participant.first_opened_at = now - timedelta(days=2)
    participant.last_activity_at = now - timedelta(hours=5)
    participant.save()


@transaction.atomic
def seed_demo(questionnaire: Questionnaire) -> tuple[Workshop, list[Invitation], bool]:
    """Create the demo facilitator and workshop (once); returns fresh links for its participants.

    Running it again keeps the answers and issues new personal links (tokens are never stored).
    """
    user_model = get_user_model()
    facilitator, _ = user_model.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={"first_name": "Alex", "last_name": "Morgan", "email": "facilitator@example.com"},
    )
    facilitator.set_password(DEMO_PASSWORD)
    facilitator.save()
    workshop = Workshop.objects.filter(owner=facilitator, title=DEMO_TITLE).first()
    created = workshop is None
    if created:
        organisation, _ = Organisation.objects.get_or_create(
            name="Northwind Retail Group", defaults={"created_by": facilitator}
        )
        workshop = create_workshop(
            title=DEMO_TITLE,
            organisation=organisation,
            owner=facilitator,
            questionnaire=questionnaire,
            status=WorkshopStatus.COLLECTING,
            scheduled_at=timezone.now() + timedelta(days=2),
            answer_by=(timezone.now() + timedelta(days=1)).date(),
        )
        cast = [
            (
                "Dana Whitfield",
                "dana.whitfield@northwind.example",
                Role.CIO,
                {**CIO_ANSWERS, **CIO_V3},
                True,
            ),
            (
                "Marcus Reyes",
                "marcus.reyes@northwind.example",
                Role.CMO,
                {**CMO_ANSWERS, **CMO_V3},
                True,
            ),
            (
                "Tom Becker",
                "tom.becker@northwind.example",
                Role.HEAD_IT,
                {**HEAD_IT_ANSWERS, **HEAD_IT_V3},
                True,
            ),
            (
                "Lena Fischer",
                "lena.fischer@northwind.example",
                Role.HEAD_MARKETING,
                {**HEAD_MARKETING_ANSWERS, **HEAD_MARKETING_V3},
                True,
            ),
            (
                "Priya Natarajan",
                "priya.natarajan@northwind.example",
                Role.CEO,
                {**CEO_ANSWERS, **CEO_V3},
                False,
            ),
            ("Sam Okafor", "sam.okafor@northwind.example", Role.CDO, None, False),
        ]
        for name, email, role, answers, submitted in cast:
            invitation = add_participant(
                workshop=workshop, name=name, email=email, role=role, actor=facilitator
            )
            if answers is not None:
                _respond(invitation, answers, submitted=submitted)
    # Tokens are stored only as hashes, so each run prints new links. The demo's own refresh is
    # not a facilitator's action: it stays out of the audit trail.
    invitations = []
    for participant in Participant.objects.active().filter(workshop=workshop):
        token = participant.issue_token()
        # The printed links stand for the ones the demo's invitations emailed three days ago.
        participant.invited_at = participant.invited_at or timezone.now() - timedelta(days=3)
        participant.token_created_at = participant.invited_at
        participant.save(
            update_fields=[
                "token_hash",
                "token_created_at",
                "token_revoked_at",
                "invited_at",
                "link_unsent",
            ]
        )
        invitations.append(Invitation(participant=participant, token=token))
    return workshop, invitations, created
