"""The demo workshop that `make run` loads: designed to show every part of the dashboard.

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


def _predictions(of: dict[str, Any]) -> dict[str, Any]:
    """Answers to the prediction questions (`<code>-predicted`, stored only where the
    questionnaire asks them) saying that the other side answered `of`."""
    return {f"{code}-predicted": value for code, value in of.items()}


#: What each demo executive expects the other side to have answered, where the questionnaire
#: asks: the CIO and the head of marketing assume the other side thinks as they do (so they
#: misread it wherever the two differ), the CMO and the head of IT read the other side right.
DEMO_PREDICTIONS: dict[str, dict[str, Any]] = {
    Role.CIO: _predictions(CIO_ANSWERS),
    Role.CMO: _predictions(CIO_ANSWERS),
    Role.HEAD_IT: _predictions(CMO_ANSWERS),
    Role.HEAD_MARKETING: _predictions(HEAD_MARKETING_ANSWERS),
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
            ("Dana Whitfield", "dana.whitfield@northwind.example", Role.CIO, CIO_ANSWERS, True),
            ("Marcus Reyes", "marcus.reyes@northwind.example", Role.CMO, CMO_ANSWERS, True),
            ("Tom Becker", "tom.becker@northwind.example", Role.HEAD_IT, HEAD_IT_ANSWERS, True),
            (
                "Lena Fischer",
                "lena.fischer@northwind.example",
                Role.HEAD_MARKETING,
                HEAD_MARKETING_ANSWERS,
                True,
            ),
            ("Priya Natarajan", "priya.natarajan@northwind.example", Role.CEO, CEO_ANSWERS, False),
            ("Sam Okafor", "sam.okafor@northwind.example", Role.CDO, None, False),
        ]
        for name, email, role, answers, submitted in cast:
            invitation = add_participant(
                workshop=workshop, name=name, email=email, role=role, actor=facilitator
            )
            if answers is not None:
                answers = {**DEMO_PREDICTIONS.get(role, {}), **answers}
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
            update_fields=["token_hash", "token_created_at", "token_revoked_at", "invited_at"]
        )
        invitations.append(Invitation(participant=participant, token=token))
    return workshop, invitations, created
