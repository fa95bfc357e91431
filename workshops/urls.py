from django.urls import path

from . import facilitator_views, respond_views

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
    # Facilitators.
    path("workshops/", facilitator_views.home, name="home"),
]
