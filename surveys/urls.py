"""The questionnaire pages (namespace "surveys"), under /questionnaires/."""

from django.urls import path

from . import library_views, preview_views, transfer_views

app_name = "surveys"

urlpatterns = [
    path("import/", transfer_views.import_page, name="import"),
    path("library/", library_views.library, name="library"),
    path("library/add/", library_views.library_add, name="library_add"),
    path("<int:questionnaire_pk>/export/", transfer_views.export, name="export"),
    path("<int:questionnaire_pk>/preview/", preview_views.preview, name="preview"),
    path(
        "<int:questionnaire_pk>/preview/frame/", preview_views.preview_frame, name="preview_frame"
    ),
]
