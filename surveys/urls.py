"""The questionnaire pages (namespace "surveys"), under /questionnaires/:
the builder, files, preview and library."""

from django.urls import path

from . import library_views, preview_views, transfer_views, views

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
    path("", views.questionnaire_list, name="list"),
    path("new/", views.questionnaire_create, name="create"),
    path("<int:questionnaire_pk>/", views.editor, name="editor"),
    path("<int:questionnaire_pk>/details/", views.details, name="details"),
    path("<int:questionnaire_pk>/copy/", views.copy, name="copy"),
    path("<int:questionnaire_pk>/new-version/", views.new_version, name="new_version"),
    path("<int:questionnaire_pk>/publish/", views.publish, name="publish"),
    path("<int:questionnaire_pk>/share/", views.share, name="share"),
    path("<int:questionnaire_pk>/changes/", views.changes, name="changes"),
    path("<int:questionnaire_pk>/sections/new/", views.section_add, name="section_add"),
    path(
        "<int:questionnaire_pk>/sections/<int:section_pk>/",
        views.section_edit,
        name="section_edit",
    ),
    path(
        "<int:questionnaire_pk>/sections/<int:section_pk>/move/",
        views.section_move,
        name="section_move",
    ),
    path(
        "<int:questionnaire_pk>/sections/<int:section_pk>/remove/",
        views.section_remove,
        name="section_remove",
    ),
    path(
        "<int:questionnaire_pk>/sections/<int:section_pk>/questions/new/",
        views.question_add,
        name="question_add",
    ),
    path(
        "<int:questionnaire_pk>/questions/<int:builder_question_pk>/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        "<int:questionnaire_pk>/questions/<int:builder_question_pk>/move/",
        views.question_move,
        name="question_move",
    ),
    path(
        "<int:questionnaire_pk>/questions/<int:builder_question_pk>/remove/",
        views.question_remove,
        name="question_remove",
    ),
]
