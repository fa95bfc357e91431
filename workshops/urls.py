from django.urls import path

from . import (
    export_views,
    facilitator_views,
    followup_views,
    outcome_views,
    report_views,
    respond_views,
    results_views,
    transfer_views,
)
from .dashboard import views as dashboard_views

app_name = "workshops"

urlpatterns = [
    # Executives: personal link, answering, review and submit.
    path("p/<str:token>/", respond_views.open_link, name="open_link"),
    path("respond/<int:participant_pk>/", respond_views.respond, name="respond"),
    path(
        "respond/<int:participant_pk>/section/<int:position>/",
        respond_views.section,
        name="respond_section",
    ),
    path(
        "respond/<int:participant_pk>/autosave/<int:question_pk>/",
        respond_views.autosave,
        name="respond_autosave",
    ),
    path("respond/<int:participant_pk>/review/", respond_views.review, name="respond_review"),
    path("respond/<int:participant_pk>/submit/", respond_views.submit, name="respond_submit"),
    path("respond/<int:participant_pk>/language/", respond_views.language, name="respond_language"),
    # Facilitators.
    path("workshops/", facilitator_views.home, name="home"),
    path("workshops/new/", facilitator_views.workshop_create, name="create"),
    path("workshops/<int:workshop_pk>/", facilitator_views.workshop_detail, name="detail"),
    path("workshops/<int:workshop_pk>/board/", facilitator_views.workshop_board, name="board"),
    path("workshops/<int:workshop_pk>/edit/", facilitator_views.workshop_edit, name="edit"),
    path("workshops/<int:workshop_pk>/status/", facilitator_views.workshop_status, name="status"),
    path("workshops/<int:workshop_pk>/delete/", facilitator_views.workshop_delete, name="delete"),
    path("workshops/<int:workshop_pk>/audit/", facilitator_views.workshop_audit, name="audit"),
    path("workshops/<int:workshop_pk>/reveal/", facilitator_views.workshop_reveal, name="reveal"),
    path(
        "workshops/<int:workshop_pk>/hide-results/",
        facilitator_views.workshop_hide_results,
        name="hide_results",
    ),
    path("workshops/<int:workshop_pk>/remind/", facilitator_views.workshop_remind, name="remind"),
    path(
        "workshops/<int:workshop_pk>/invite-not-invited/",
        facilitator_views.workshop_invite_not_invited,
        name="invite_not_invited",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/add/",
        facilitator_views.participant_add,
        name="participant_add",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/<int:participant_pk>/edit/",
        facilitator_views.participant_edit,
        name="participant_edit",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/<int:participant_pk>/invite/",
        facilitator_views.participant_invite,
        name="participant_invite",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/<int:participant_pk>/retry-email/",
        facilitator_views.participant_retry_email,
        name="participant_retry_email",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/<int:participant_pk>/new-link/",
        facilitator_views.participant_new_link,
        name="participant_new_link",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/<int:participant_pk>/revoke/",
        facilitator_views.participant_revoke,
        name="participant_revoke",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/<int:participant_pk>/reopen/",
        facilitator_views.participant_reopen,
        name="participant_reopen",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/<int:participant_pk>/remove/",
        facilitator_views.participant_remove,
        name="participant_remove",
    ),
    path(
        "workshops/<int:workshop_pk>/participants/<int:participant_pk>/restore/",
        facilitator_views.participant_restore,
        name="participant_restore",
    ),
    # Executives, once the facilitator has revealed the results and shared them.
    path("respond/<int:participant_pk>/results/", results_views.results, name="respond_results"),
    path("respond/<int:participant_pk>/agreed/", outcome_views.agreed, name="respond_agreed"),
    path(
        "respond/<int:participant_pk>/report.pdf",
        report_views.participant_report_pdf,
        name="respond_report_pdf",
    ),
    # The session: its run-sheet, and what it decides (outcome_views.py).
    path("workshops/<int:workshop_pk>/run-sheet/", outcome_views.run_sheet, name="run_sheet"),
    path(
        "workshops/<int:workshop_pk>/run-sheet/change/",
        outcome_views.run_sheet_change,
        name="run_sheet_change",
    ),
    path("workshops/<int:workshop_pk>/outcome/", outcome_views.outcome, name="outcome"),
    path(
        "workshops/<int:workshop_pk>/outcome/decision/<int:question_pk>/",
        outcome_views.record_decision,
        name="outcome_decision",
    ),
    path(
        "workshops/<int:workshop_pk>/outcome/ownership/",
        outcome_views.record_ownership,
        name="outcome_ownership",
    ),
    path("workshops/<int:workshop_pk>/outcome/kpis/", outcome_views.record_kpi, name="outcome_kpi"),
    path(
        "workshops/<int:workshop_pk>/outcome/actions/",
        outcome_views.record_action,
        name="outcome_action",
    ),
    path(
        "workshops/<int:workshop_pk>/outcome/notes/",
        outcome_views.record_notes,
        name="outcome_notes",
    ),
    path(
        "workshops/<int:workshop_pk>/outcome/sign-off/",
        outcome_views.record_sign_off,
        name="outcome_sign_off",
    ),
    path(
        "workshops/<int:workshop_pk>/outcome/reopen/",
        outcome_views.reopen,
        name="outcome_reopen",
    ),
    # Consensus dashboard (dashboard/views.py): alignment, side-by-side comparison, agenda.
    path(
        "workshops/<int:workshop_pk>/dashboard/",
        dashboard_views.dashboard,
        name="dashboard",
    ),
    path(
        "workshops/<int:workshop_pk>/comparison/",
        dashboard_views.comparison,
        name="comparison",
    ),
    path("workshops/<int:workshop_pk>/agenda/", dashboard_views.agenda, name="agenda"),
    # Exports (export_views.py): the answers as tables, and the whole workshop as JSON.
    path("workshops/<int:workshop_pk>/export.csv", export_views.export_csv, name="export_csv"),
    path("workshops/<int:workshop_pk>/export.xlsx", export_views.export_xlsx, name="export_xlsx"),
    path(
        "workshops/<int:workshop_pk>/export-decisions.csv",
        export_views.export_outcome_csv,
        {"table": "decisions"},
        name="export_decisions_csv",
    ),
    path(
        "workshops/<int:workshop_pk>/export-kpis.csv",
        export_views.export_outcome_csv,
        {"table": "kpis"},
        name="export_kpis_csv",
    ),
    path(
        "workshops/<int:workshop_pk>/export-actions.csv",
        export_views.export_outcome_csv,
        {"table": "actions"},
        name="export_actions_csv",
    ),
    path("workshops/<int:workshop_pk>/export.json", export_views.export_json, name="export_json"),
    # The board-ready report (report_views.py): in the app and as a PDF.
    path("workshops/<int:workshop_pk>/report/", report_views.report, name="report"),
    path("workshops/<int:workshop_pk>/report.pdf", report_views.report_pdf, name="report_pdf"),
    path(
        "workshops/<int:workshop_pk>/report/prepare/",
        report_views.report_prepare,
        name="report_prepare",
    ),
    # Follow-ups (followup_views.py): run again, the client's trend, then and now.
    path(
        "workshops/<int:workshop_pk>/run-again/",
        followup_views.workshop_run_again,
        name="run_again",
    ),
    path(
        "workshops/<int:workshop_pk>/then-and-now/",
        followup_views.then_and_now,
        name="then_and_now",
    ),
    path("clients/<int:organisation_pk>/", followup_views.client_page, name="client"),
    # Support staff: load a workshop's transfer file (transfer_views.py).
    path("staff/import-workshop/", transfer_views.import_page, name="import"),
    path(
        "workshops/<int:workshop_pk>/comparison/code/<int:question_pk>/",
        dashboard_views.code_text,
        name="code_text",
    ),
]
